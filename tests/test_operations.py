"""What the operator of scheduled runs touches: env file, log, cron line, recipients per memo, make targets, install."""
from __future__ import annotations

import email
import email.policy
import os
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cmo_workbook.delivery.operator import read_env_file
from cmo_workbook.errors import SettingsError

from test_faults import CEO, Server, cli, env_for, project, smtp  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]


# --- env file --------------------------------------------------------------------------------------

def test_env_file_is_parsed_not_sourced(tmp_path):
    f = tmp_path / "cmo.env"
    f.write_text("# SMTP for the memos\n"
                 "CMO_SMTP_HOST=smtp.example.com\n"
                 "export CMO_SMTP_USER = marketing@acme.de\n"
                 "CMO_SMTP_PASSWORD='p&ss word \"quoted\" $HOME `id`'\n"
                 'CMO_ALERT_TO="analyst@acme.de"  # comment after a quoted value\n'
                 'CMO_X="a \\"b\\" c"\n'
                 "CMO_BARE=one two   # comment\n"
                 "\n", encoding="utf-8")
    assert read_env_file(f) == {
        "CMO_SMTP_HOST": "smtp.example.com",
        "CMO_SMTP_USER": "marketing@acme.de",
        "CMO_SMTP_PASSWORD": 'p&ss word "quoted" $HOME `id`',
        "CMO_ALERT_TO": "analyst@acme.de",
        "CMO_X": 'a "b" c',
        "CMO_BARE": "one two",
    }


@pytest.mark.parametrize("text,expected", [
    ("CMO_SMTP_HOST smtp.example.com\n", "line 1: not KEY=VALUE"),
    ("A=1\nCMO_SMTP_PASSWORD='open\n", "line 2: single quote not closed"),
    ('CMO_SMTP_PASSWORD="open\n', "line 1: double quote not closed"),
    ('CMO_SMTP_PASSWORD="a" b\n', "line 1: text after the closing quote"),
])
def test_env_file_errors_name_line_and_fix(tmp_path, text, expected):
    f = tmp_path / "cmo.env"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=re.escape(expected)):
        read_env_file(f)


def test_missing_env_file_exits_2(tmp_path, capsys):
    from cmo_workbook.cli import main

    assert main(["validate", "--env-file", str(tmp_path / "nope.env"), "--params", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err
    assert "env file" in err and "does not exist; create it (chmod 600" in err


@pytest.mark.slow
def test_env_file_drives_delivery_and_the_cli_writes_its_own_log(project, smtp, tmp_path):
    f = tmp_path / "cmo.env"
    f.write_text(f"CMO_SMTP_HOST=127.0.0.1\nCMO_SMTP_PORT={smtp.port}\nCMO_SMTP_SECURITY=none\n"
                 "CMO_SMTP_PASSWORD='not used & has spaces'\n", encoding="utf-8")
    f.chmod(0o600)
    env = {k: v for k, v in env_for(project, None).items() if not k.startswith("CMO_SMTP")}
    r = subprocess.run(cli(project, "--email", "--env-file", str(f)), cwd=project, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(smtp.memos()) == 1
    log = (project / "reports" / "cmo-workbook.log").read_text(encoding="utf-8")
    assert "start    cmo-workbook" in log and "send     sent to ceo@kessler-antriebstechnik.example" in log
    assert "not used & has spaces" not in log + r.stdout + r.stderr


@pytest.mark.slow
def test_recipients_per_memo(project, smtp):
    p = project / "params" / "acme.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["memo"]["by_notebook"] = {"tiny": {"recipients": ["vertrieb@kessler-antriebstechnik.example",
                                                           "marketing@kessler-antriebstechnik.example"]}}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = subprocess.run(cli(project, "--email"), cwd=project, env=env_for(project, smtp), capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert [m["to"] for m in smtp.messages] == [["vertrieb@kessler-antriebstechnik.example",
                                                 "marketing@kessler-antriebstechnik.example"]]
    assert smtp.memos() == []  # not the CEO
    msg = email.message_from_bytes(smtp.messages[0]["data"], policy=email.policy.default)
    assert CEO not in str(msg["To"])


# --- the cron line as a non-root user ----------------------------------------------------------------

def _cron_commands() -> list[str]:
    lines = (ROOT / "deploy" / "cmo-workbook.cron").read_text(encoding="utf-8").splitlines()
    return [line.split(None, 5)[5] for line in lines if line and not line.startswith("#") and "=" not in line.split()[0]]


def test_cron_environment_lines_carry_no_comment():
    # crontab(5): "MAILTO=a@b.de   # note" makes the comment part of the value; cron would mail nobody
    lines = (ROOT / "deploy" / "cmo-workbook.cron").read_text(encoding="utf-8").splitlines()
    env = [ln for ln in lines if re.match(r"^[A-Z_]+=", ln)]
    assert env and all("#" not in ln for ln in env), env


def test_readme_and_cron_file_show_the_same_lines():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for cmd in _cron_commands():
        assert cmd in readme
        assert ". /etc/cmo-workbook.env" not in cmd and "--env-file ~/.config/cmo-workbook.env" in cmd


@pytest.fixture
def cron_user(tmp_path):
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"):
        pytest.skip("needs root with useradd and runuser to create a throw-away non-root user")
    name = f"cmo{os.getpid() % 100000}"
    home = tmp_path / "home"
    subprocess.run(["useradd", "--home-dir", str(home), "--create-home", "--shell", "/bin/sh", name], check=True)
    try:
        probe = subprocess.run(["runuser", "-u", name, "--", sys.executable, "-c", "import cmo_workbook"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            pytest.skip(f"this machine's venv interpreter {os.path.realpath(sys.executable)} is not usable by other "
                        f"users ({probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else 'no access'}); "
                        "on a real install the reporting user builds the checkout's venv itself")
        yield pwd.getpwnam(name), home
    finally:
        subprocess.run(["userdel", name], check=False)


@pytest.mark.slow
def test_cron_line_runs_as_a_non_root_user(project, smtp, cron_user):
    user, home = cron_user
    (project / ".venv").symlink_to(Path(sys.executable).parents[1])
    (home / ".config").mkdir()
    envf = home / ".config" / "cmo-workbook.env"
    envf.write_text(f"CMO_SMTP_HOST=127.0.0.1\nCMO_SMTP_PORT={smtp.port}\nCMO_SMTP_SECURITY=none\n"
                    "CMO_SMTP_PASSWORD='s3cret & more'\n", encoding="utf-8")
    for path in [project, *project.rglob("*"), home, *home.rglob("*")]:
        os.lchown(path, user.pw_uid, user.pw_gid)
    envf.chmod(0o600)
    # the line as written; only the place and the month differ (the sample ends 2026-10, --kind would take today's)
    cmd = _cron_commands()[0].replace("/opt/cmo-workbook", str(project)).replace("--kind month", "--period 2026-10")
    r = subprocess.run(["runuser", "-u", user.pw_name, "--", "env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin",
                        "SHELL=/bin/sh", "sh", "-c", cmd], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(smtp.memos()) == 1
    log = project / "reports" / "cmo-workbook.log"
    assert log.stat().st_uid == user.pw_uid and "ok       tiny 2026-10" in log.read_text(encoding="utf-8")


# --- make and install ----------------------------------------------------------------------------------

def test_make_help_has_no_colour_codes_when_piped():
    r = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "\033" not in r.stdout
    assert re.search(r"^  clean\s+remove memos", r.stdout, re.M)


def test_make_clean_keeps_the_ledger_and_history(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    period = tmp_path / "reports" / "2026-10"
    (period / "sent").mkdir(parents=True)
    keep = {"reports/2026-10/sent.json": b"{}", "reports/2026-10/sent/example-kpi_dashboard-1.eml": b"eml",
            "reports/cmo-workbook.log": b"log", "reports/alerts-pending/x.eml": b"a", "reports/kpi_history.duckdb": b"db",
            # a portfolio company's ledger, and project files a pattern once matched in the root (constraints*.txt)
            "reports/acme/2026-10/sent.json": b"{}", "constraints.txt": b"pins", "notes.png": b"png"}
    gone = ["reports/2026-10/kpi_dashboard.html", "reports/2026-10/kpi_dashboard.eml", "reports/2026-10/kpi_dashboard.txt",
            "reports/2026-10/kpi_dashboard.ipynb", "reports/2026-10/boom.failed.ipynb",
            "reports/2026-10/.boom.running.ipynb", "reports/2026-10/.kpi_dashboard.html.tmp-42", "data/sample/x.csv",
            "reports/acme/2026-10/kpi_dashboard.txt", "reports/acme/2026-10/kpi_dashboard.html", "reports/portfolio-2026-10.html"]
    for rel, data in keep.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    for rel in gone:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    only_memo = tmp_path / "reports" / "2026-Q3"
    only_memo.mkdir()
    (only_memo / "strategy_memo.html").write_bytes(b"x")
    r = subprocess.run(["make", "-s", "clean"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    for rel, data in keep.items():
        assert (tmp_path / rel).read_bytes() == data, rel
    for rel in gone:
        assert not (tmp_path / rel).exists(), rel
    assert not only_memo.exists()  # a folder with nothing worth keeping goes


def test_version():
    r = subprocess.run([sys.executable, "-m", "cmo_workbook", "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and re.fullmatch(r"cmo-workbook \d+\.\d+\.\d+\n", r.stdout)


def test_installed_without_checkout_refuses_clearly(tmp_path):
    # the package as `pip install .` lays it out: site-packages/cmo_workbook, no notebooks/ anywhere near
    site = tmp_path / "venv" / "site-packages"
    shutil.copytree(ROOT / "lib" / "cmo_workbook", site / "cmo_workbook",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "CMO_PROJECT_DIR"}
    env["PYTHONPATH"] = str(site)
    r = subprocess.run([sys.executable, "-m", "cmo_workbook", "list"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "no notebooks/ folder in" in r.stderr and "a plain `pip install .` ships the library without the notebooks" in r.stderr
    assert "Traceback" not in r.stderr


def test_gitignore_and_hooks():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "build/" in ignored
    hook = (ROOT / ".githooks" / "pre-commit").read_text(encoding="utf-8")
    assert "--keep-id --verify" in hook
    assert os.access(ROOT / ".githooks" / "pre-commit", os.X_OK)
