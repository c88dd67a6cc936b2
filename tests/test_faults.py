"""Fault injection on scheduled runs: real CLI processes, real kernels, a real SMTP server on 127.0.0.1.

For each fault: the exit code, the previous good memo and the sent-ledger byte-identical, no
temporary file left, and exactly one alert received by the SMTP server (to the analyst only).
A disk that fills up and a read-only reports folder are real tmpfs mounts (root only, else skipped).
"""
from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
ANALYST = "analyst@kessler-antriebstechnik.example"
CEO = "ceo@kessler-antriebstechnik.example"
PERIOD = "2026-10"

# The memo notebook: a headline and a long paragraph (the memo is big enough to fill a tiny disk),
# and a sleep the test sets through the environment (the kernel inherits it) to interrupt it mid-run.
TINY = '''import os, time
from cmo_workbook.render import blocks
time.sleep(float(os.environ.get("TINY_SLEEP", "0")))
blocks.show(blocks.Headline("Marketing lieferte 211 qualifizierte Anfragen, 17 % über Plan: der Plan hält."),
            blocks.Paragraph("Kosten je Anfrage 412 € nach 455 € im Vormonat: das Budget reicht bis Dezember. " * 300))
'''


class Server:
    """aiosmtpd handler: records every message; ``mode`` decides how the CEO's memo is answered."""

    def __init__(self):
        self.messages: list[dict] = []
        self.mode = "ok"  # ok | reject (550 at RCPT) | busy (451 at DATA)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "reject" and address == CEO:
            return "550 5.1.1 <ceo@kessler-antriebstechnik.example>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "busy" and CEO in envelope.rcpt_tos:
            return "451 4.3.0 Temporary failure, try again"
        with self.lock:
            self.messages.append({"to": list(envelope.rcpt_tos), "data": envelope.original_content or envelope.content})
        return "250 OK"

    def alerts(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(m["data"], policy=email.policy.default)
                for m in self.messages if m["to"] == [ANALYST]]

    def memos(self) -> list[dict]:
        return [m for m in self.messages if CEO in m["to"]]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    handler = Server()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def project(tmp_path, sample_dir):
    """A project folder with the tiny memo notebook and params pointing at the sample data."""
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["cmo"] = {"cadence": "monthly", "inputs": ["leads"], "title": "tiny"}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('period: str = "2026-10"\nparams_file: str = ""\nlang: str = ""',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(TINY, metadata={"tags": ["memo"]})]
    nbformat.write(nb, tmp_path / "notebooks" / "tiny.ipynb")
    (tmp_path / "params").mkdir()
    params = yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))
    params["data"]["dir"] = str(sample_dir)
    params["voc"]["taxonomy"] = str(ROOT / "params" / "voc_taxonomy.yaml")
    params["diary"]["dir"] = str(sample_dir / "diary")
    params.pop("notebooks")
    params["memo"].pop("by_notebook", None)  # routes for notebooks this project does not have
    params["memo"]["smtp_retry_seconds"] = [0.2, 0.4, 0.8]  # "try later" waits (default minutes, for greylisting)
    (tmp_path / "params" / "acme.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    (tmp_path / "reports").mkdir()
    return tmp_path


def env_for(project: Path, smtp: Server | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMO_")}
    env.update({"CMO_PROJECT_DIR": str(project), "CMO_SMTP_HOST": "127.0.0.1", "CMO_SMTP_SECURITY": "none",
                "CMO_SMTP_PORT": str(smtp.port if smtp else _free_port()), "CMO_SMTP_TIMEOUT": "5",
                "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def cli(project: Path, *args: str, period: str = PERIOD) -> list[str]:
    return [sys.executable, "-m", "cmo_workbook", "run", "tiny", "--period", period, "--params",
            str(project / "params" / "acme.yaml"), *args]


def run(project: Path, smtp: Server | None, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(cli(project, *args), cwd=project, env=env_for(project, smtp, **env),
                          capture_output=True, text=True, timeout=300)


def snapshot(reports: Path) -> dict[str, bytes]:
    """Every file under reports/ except the run log and pending alerts, with its bytes."""
    return {str(p.relative_to(reports)): p.read_bytes() for p in sorted(reports.rglob("*"))
            if p.is_file() and p.name != "cmo-workbook.log" and "alerts-pending" not in p.parts}


def leftovers(reports: Path) -> list[str]:
    bad = []
    for p in reports.rglob("*"):
        n = p.name
        if ".tmp-" in n or n.endswith(".running.ipynb") or n.startswith(".write-test") or n == ".lock":
            bad.append(str(p))
    return bad


def good_run(project: Path, smtp: Server, reports: Path, *extra: str) -> dict[str, bytes]:
    """The previous good memo (sent, so the ledger exists); returns the snapshot to compare against."""
    r = run(project, smtp, "--email", "--reports", str(reports), "--log-file", "-", *extra)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (reports / PERIOD / "sent.json").exists() and len(smtp.memos()) == 1
    smtp.messages.clear()
    return snapshot(reports)


def assert_contract(r, code: int, reports: Path, before: dict[str, bytes], smtp: Server, alert_says: str) -> None:
    text = r.stdout + r.stderr
    assert r.returncode == code, text
    assert "Traceback" not in text and "ZMQError" not in text, text
    after = snapshot(reports)
    for name, data in before.items():
        if not name.endswith(".failed.ipynb"):
            assert after.get(name) == data, f"{name} changed"
    assert leftovers(reports) == []
    alerts = smtp.alerts()
    assert len(alerts) == 1, [a["Subject"] for a in alerts]
    assert alerts[0]["Subject"] == f"[cmo-workbook] FAILED: tiny {PERIOD}"
    assert alert_says in alerts[0].get_content(), alerts[0].get_content()
    assert smtp.memos() == []


def _wait_for(pred, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached")


def _kernels_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmd = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and b"ipykernel" in cmd:
            found.append(int(stat.parent.name))
    return found


def _interrupted(project: Path, smtp: Server, reports: Path, act) -> subprocess.CompletedProcess:
    """Start a run whose kernel sleeps, let ``act(proc)`` strike while the cell runs, collect the result."""
    proc = subprocess.Popen(cli(project, "--email", "--resend", "--reports", str(reports), "--log-file", "-"),
                            cwd=project, env=env_for(project, smtp, TINY_SLEEP="60"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: _kernels_of(proc.pid) and (reports / PERIOD / ".tiny.running.ipynb").exists())
        time.sleep(3)  # the sleeping cell is executing now
        act(proc)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_sigterm_mid_run(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    r = _interrupted(project, smtp, reports, lambda p: p.send_signal(signal.SIGTERM))
    assert_contract(r, 1, reports, before, smtp, "stopped by SIGTERM")
    assert "FAILED   tiny 2026-10 failed: stopped by SIGTERM; executed notebook kept at" in r.stdout
    failed = reports / PERIOD / "tiny.failed.ipynb"
    assert json.loads(failed.read_text(encoding="utf-8"))["cells"]
    assert _kernels_in(project / "notebooks") == []


def _kernels_in(folder: Path) -> list[int]:
    """Kernels still running in ``folder`` (the runner kills the kernel it started when interrupted)."""
    found = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if Path(os.readlink(cwd)) == folder and b"ipykernel" in (cwd.parent / "cmdline").read_bytes():
                found.append(int(cwd.parent.name))
        except OSError:
            continue
    return found


def test_sigint_mid_run(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    r = _interrupted(project, smtp, reports, lambda p: p.send_signal(signal.SIGINT))
    assert_contract(r, 1, reports, before, smtp, "stopped by SIGINT")


def test_kill_9_of_the_kernel(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    r = _interrupted(project, smtp, reports, lambda p: [os.kill(k, signal.SIGKILL) for k in _kernels_of(p.pid)])
    assert_contract(r, 1, reports, before, smtp, "DeadKernelError")
    assert (reports / PERIOD / "tiny.failed.ipynb").exists()


def test_time_limit_has_no_stray_traceback(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    r = run(project, smtp, "--email", "--resend", "--reports", str(reports), "--log-file", "-", "--timeout", "8",
            TINY_SLEEP="60")
    assert_contract(r, 1, reports, before, smtp, "exceeded the time limit of 8 s")


@pytest.fixture
def tmpfs(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a size-limited tmpfs")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"mount not allowed here: {res.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_during_export(project, smtp, tmpfs):
    reports = tmpfs
    before = good_run(project, smtp, reports)
    period_dir = reports / PERIOD
    nb_size = (period_dir / "tiny.ipynb").stat().st_size
    # the period step stages new copies of the KPI store and the controlling workbook while the kernel runs
    store_files = [f for f in period_dir.iterdir() if f.is_file() and f.suffix in (".csv", ".xlsx")]
    staged = sum(f.stat().st_size for f in store_files)
    # the period step replaces the old store files, which frees their blocks before the memo is written; a second
    # link keeps them allocated, so the free room stays below the memo's size however large the store grows
    (reports / "hold").mkdir()
    for f in store_files:
        os.link(f, reports / "hold" / f.name)
    st = os.statvfs(reports)
    free = st.f_bavail * st.f_frsize
    # room for the period step and the executed notebook (written first), not for the memo files after it
    # 40 KB of slack for the store's own growth (a new run may add rows), well below the memo files (~90 KB)
    (reports / "filler").write_bytes(b"\0" * (free - nb_size - staged - 40 * 1024))
    before = snapshot(reports)
    r = run(project, smtp, "--email", "--resend", "--reports", str(reports), "--log-file", "-")
    assert_contract(r, 1, reports, before, smtp, "No space left on device")
    assert "could not write the memo files" in r.stdout + r.stderr


def test_disk_too_full_for_the_executed_notebook(project, smtp, tmpfs):
    reports = tmpfs
    before = good_run(project, smtp, reports)
    st = os.statvfs(reports)
    (reports / "filler").write_bytes(b"\0" * (st.f_bavail * st.f_frsize - 8 * 1024))
    before = snapshot(reports)
    r = run(project, smtp, "--email", "--resend", "--reports", str(reports), "--log-file", "-")
    assert_contract(r, 1, reports, before, smtp, "tiny 2026-10 failed")
    failed = reports / PERIOD / "tiny.failed.ipynb"
    assert not failed.exists() or json.loads(failed.read_text(encoding="utf-8"))  # never truncated JSON


def test_read_only_reports(project, smtp, tmpfs):
    reports = tmpfs
    before = good_run(project, smtp, reports)
    subprocess.run(["mount", "-o", "remount,ro", str(reports)], check=True)
    r = run(project, smtp, "--email", "--resend", "--reports", str(reports), "--log-file", "-")
    assert_contract(r, 2, reports, before, smtp, "is not writable (Read-only file system)")


def test_reports_pointing_at_a_file(project, smtp):
    target = project / "reports.txt"
    target.write_text("not a folder")
    r = run(project, smtp, "--email", "--reports", str(target))
    assert r.returncode == 2 and "is a file, not a folder; pass --reports with a folder" in r.stderr
    assert "Traceback" not in r.stdout + r.stderr and target.read_text() == "not a folder"
    assert len(smtp.alerts()) == 1


def test_truncated_ledger(project, smtp):
    reports = project / "reports"
    good_run(project, smtp, reports)
    ledger = reports / PERIOD / "sent.json"
    ledger.write_bytes(ledger.read_bytes()[:40])
    before = snapshot(reports)
    r = run(project, smtp, "--email", "--reports", str(reports))
    assert_contract(r, 1, reports, before, smtp, "is damaged (JSONDecodeError")
    assert "execute" not in r.stdout  # refused before any kernel started


def test_stale_data_under_email_alerts(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    r = subprocess.run(cli(project, "--email", "--reports", str(reports), period="2026-11"), cwd=project, env=env_for(project, smtp), capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    assert "CRM contacts: no entries for November 2026" in r.stderr
    alerts = smtp.alerts()
    assert len(alerts) == 1 and "CRM contacts: no entries for November 2026" in alerts[0].get_content()
    assert alerts[0]["Subject"] == "[cmo-workbook] FAILED: tiny 2026-11"
    assert snapshot(reports) == before and leftovers(reports) == []


def test_company_name_with_newline_checked_before_the_kernel(project, smtp):
    p = project / "params" / "acme.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["company"]["name"] = "Kessler\nAntriebe"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run(project, smtp, "--email")
    assert r.returncode == 2 and '"company.name" must be text on one line' in r.stderr
    assert "execute" not in r.stdout and "Traceback" not in r.stderr
    assert len(smtp.alerts()) == 1


def test_smtp_550_says_refused_and_why(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    smtp.mode = "reject"
    r = run(project, smtp, "--email", "--resend", "--reports", str(reports))
    text = r.stdout + r.stderr
    assert "refused the recipients (ceo@kessler-antriebstechnik.example: 550 5.1.1" in text
    assert "once the server is reachable" not in text
    # the re-exported memo stays on disk to be sent later: same HTML and text, a new e-mail and notebook timestamps
    before = {k: v for k, v in before.items() if not k.endswith((".eml", ".ipynb"))}
    assert_contract(r, 1, reports, before, smtp, "mailbox unavailable")


def test_smtp_451_is_retried_then_alerts(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    smtp.mode = "busy"
    r = run(project, smtp, "--email", "--resend", "--reports", str(reports))
    assert r.stdout.count("retry    server says try later (451 4.3.0 Temporary failure, try again); retrying in ") == 3, \
        r.stdout
    assert "retrying in 0.8 s" in r.stdout  # the params' schedule, not the default minutes
    before = {k: v for k, v in before.items() if not k.endswith((".eml", ".ipynb"))}
    assert_contract(r, 1, reports, before, smtp, "run again with --email once the server is reachable")


def test_smtp_down_alert_goes_out_with_the_next_run(project, smtp):
    reports = project / "reports"
    before = good_run(project, smtp, reports)
    r = run(project, None, "--email", "--resend", "--reports", str(reports))  # nothing listens on that port
    assert r.returncode == 1 and "ConnectionRefusedError" in r.stdout + r.stderr
    assert "the next run sends it" in r.stdout
    assert smtp.messages == []
    # the server is back: the next run delivers the kept alert first, exactly once
    r2 = run(project, smtp, "--email", "--reports", str(reports))
    assert r2.returncode == 0, r2.stdout + r2.stderr
    alerts = smtp.alerts()
    assert len(alerts) == 1 and "ConnectionRefusedError" in alerts[0].get_content()
    assert not list((reports / "alerts-pending").glob("*.eml"))
    assert (reports / PERIOD / "sent.json").read_bytes() == before[f"{PERIOD}/sent.json"]
    assert leftovers(reports) == []
