"""The Airflow DAG factory (cmo_workbook.integrations.airflow) and the ``send`` step it ends with.

The fast tests run here, without Airflow: the period of a DAG run, the companies of a glob, the base package
never importing Airflow, ``cmo-workbook send``. The slow ones load the DAGs in a real Airflow 3.3 installation,
``.venv-airflow`` (``make airflow-venv``: ``pip install -e '.[airflow]'``, created once and reused while
pyproject.toml and the constraints are unchanged), and run one company's DAG end to end with ``dag.test()``:
every task is Airflow's, every memo a real kernel's, every e-mail goes to the aiosmtpd server of this process.
"""
from __future__ import annotations

import ast
import email
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml

from cmo_workbook.cli import main
from cmo_workbook.integrations.airflow import companies, periods_for
from cmo_workbook.periods import Period

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "lib" / "cmo_workbook"
AIRFLOW_PYTHON = ROOT / ".venv-airflow" / "bin" / "python"
MONTHLY = {"kpi_dashboard", "sales_marketing_sync", "voice_of_customer"}


# -- the period of a DAG run ---------------------------------------------------------------------------------

@pytest.mark.parametrize("logical, month, quarter", [
    (datetime(2026, 11, 3, 5, 30, tzinfo=timezone.utc), "2026-10", None),        # October closes no quarter
    (datetime(2026, 10, 3, 4, 30, tzinfo=timezone.utc), "2026-09", "2026-Q3"),   # September closes Q3
    (datetime(2026, 1, 3, 5, 30, tzinfo=timezone.utc), "2025-12", "2025-Q4"),    # across the year
    (datetime(2026, 4, 1, 0, 0, tzinfo=timezone.utc), "2026-03", "2026-Q1"),     # 02:00 in Berlin on 1 April
])
def test_the_run_covers_the_last_complete_month_and_the_quarter_it_closes(logical, month, quarter):
    got = periods_for(logical, "Europe/Berlin")
    assert got == {"month": Period.parse(month), "quarter": Period.parse(quarter) if quarter else None}


def test_the_period_follows_the_dags_time_zone_not_utc():
    # 23:30 UTC on 31 October is 00:30 on 1 November in Berlin (CET, UTC+1 after 25 October 2026)
    late = datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc)
    assert periods_for(late, "Europe/Berlin") == {"month": Period.parse("2026-10"), "quarter": None}
    assert periods_for(late, "UTC") == {"month": Period.parse("2026-09"), "quarter": Period.parse("2026-Q3")}
    with pytest.raises(ValueError, match="no time zone"):
        periods_for(datetime(2026, 11, 3), "Europe/Berlin")


# -- companies: one DAG per params file ---------------------------------------------------------------------

def test_one_company_per_params_file_with_its_own_reports_folder(tmp_path):
    (tmp_path / "acme.yaml").write_text("x: 1\n")
    (tmp_path / "beta co.yml").write_text("x: 1\n")
    (tmp_path / "notes.txt").write_text("not a company\n")
    found = companies(str(tmp_path / "*"), tmp_path / "reports")
    assert [(c.params.name, c.dag_id, c.reports) for c in found] == [
        ("acme.yaml", "cmo_workbook_acme", tmp_path / "reports" / "acme"),
        # the folder a portfolio run gives the company (its sent-ledger stays where it was): "beta co" -> beta-co
        ("beta co.yml", "cmo_workbook_beta_co", tmp_path / "reports" / "beta-co"),
    ]


def test_a_glob_without_params_files_and_two_files_of_one_name_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"no params file matches .*nothing/\*\.yaml; give a glob"):
        companies(str(tmp_path / "nothing" / "*.yaml"), tmp_path)
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "acme.yaml").write_text("x: 1\n")
    with pytest.raises(ValueError, match=r"a/acme.yaml and .*b/acme.yaml would both be DAG cmo_workbook_acme"):
        companies([str(tmp_path / "a" / "*.yaml"), str(tmp_path / "b" / "*.yaml")], tmp_path)


# -- Airflow stays optional ---------------------------------------------------------------------------------

def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level and node.module:
            names.add("." * node.level + node.module)
    return names


def test_the_base_package_never_imports_airflow_or_the_integration():
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        if "integrations" in path.relative_to(PKG).parts:
            continue
        bad = {n for n in _imports(path) if n.split(".")[0] == "airflow" or "integrations" in n}
        if bad:
            offenders.append(f"{path.relative_to(PKG)}: {sorted(bad)}")
    assert not offenders
    # and the probe sees an import where there is one
    assert "airflow.sdk" in _imports(PKG / "integrations" / "airflow.py")


def test_without_airflow_build_dags_says_how_to_install_it():
    try:
        import airflow  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("Airflow is installed in this environment")
    from cmo_workbook.integrations.airflow import build_dags

    with pytest.raises(ImportError, match=r"pip install -e '\.\[airflow\]'"):
        build_dags(str(ROOT / "params" / "example.yaml"))


# -- cmo-workbook send: the deliver step --------------------------------------------------------------------

def company_params(folder: Path, sample_dir: Path, name: str = "example", **targets) -> Path:
    """The sample company's params with absolute paths and its own KPI history, as ``folder/NAME.yaml``."""
    data = yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))
    data["data"]["dir"] = str(sample_dir)
    data["voc"]["taxonomy"] = str(ROOT / "params" / data["voc"]["taxonomy"])
    data["diary"]["dir"] = str(sample_dir / "diary")
    data["history"] = {"dir": str(folder / f"history-{name}")}
    data["targets"].update(targets)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_send_refuses_when_the_period_was_not_run(tmp_path, sample_dir, smtp_server, capsys):
    params = company_params(tmp_path, sample_dir)
    code = main(["send", "--period", "2026-10", "--params", str(params), "--reports", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"nothing sent: no memo for 2026-10 at {tmp_path / 'r' / '2026-10' / 'kpi_dashboard.eml'}" in err
    assert "run it first (cmo-workbook run all --period 2026-10" in err
    assert smtp_server.messages == []


def test_send_delivers_each_written_memo_once(tmp_path, sample_dir, smtp_server, capsys):
    params = company_params(tmp_path, sample_dir)
    period_dir = tmp_path / "r" / "2026-10"
    period_dir.mkdir(parents=True)
    for name in sorted(MONTHLY):  # what a run without --email leaves: one .eml per monthly memo
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = f"[Marketing] {name}", "marketing@example.com", f"{name}@example.com"
        msg.set_content(f"memo {name}\n")
        (period_dir / f"{name}.eml").write_bytes(msg.as_bytes())
    args = ["send", "--period", "2026-10", "--params", str(params), "--reports", str(tmp_path / "r")]
    assert main(args) == 0
    assert sorted(m["to"][0] for m in smtp_server.messages) == sorted(f"{n}@example.com" for n in MONTHLY)
    ledger = json.loads((period_dir / "sent.json").read_text(encoding="utf-8"))
    assert sorted(ledger) == sorted(f"example.yaml:{n}" for n in MONTHLY)
    assert len(list((period_dir / "sent").glob("example-*.eml"))) == 3
    capsys.readouterr()
    assert main(args) == 0  # a retried deliver task: nothing goes out twice
    assert len(smtp_server.messages) == 3
    assert capsys.readouterr().out.count("skipped ") == 3


def test_a_missed_deadline_alerts_the_analyst_once(tmp_path, sample_dir, smtp_server):
    from cmo_workbook.integrations.airflow import deadline_missed

    params = company_params(tmp_path, sample_dir)
    deadline_missed({"dag_run": None}, dag_id="cmo_workbook_example", params_file=str(params),
                    reports=str(tmp_path / "r"), hours=6.0)
    assert [m["to"] for m in smtp_server.messages] == [["analyst@kessler-antriebstechnik.example"]]
    msg = email.message_from_bytes(smtp_server.messages[0]["data"])
    assert msg["Subject"] == "[cmo-workbook] FAILED: cmo_workbook_example"
    assert "has not finished 6 h after its logical date" in msg.get_payload(decode=True).decode()


# -- real Airflow -------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def airflow_python() -> Path:
    """.venv-airflow's interpreter, made by ``make airflow-venv`` (minutes the first time, then ~30 s)."""
    if os.environ.get("CMO_SKIP_AIRFLOW") == "1":
        pytest.skip("CMO_SKIP_AIRFLOW=1: the Airflow tests are switched off")
    done = subprocess.run(["make", "--no-print-directory", "airflow-venv"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:  # no skip: CI must show that the extra does not install
        pytest.fail(f"make airflow-venv failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return AIRFLOW_PYTHON


@pytest.fixture(scope="session")
def airflow_home(airflow_python, tmp_path_factory) -> Path:
    """An Airflow home with a migrated SQLite metadata database (what dag.test() runs against)."""
    home = tmp_path_factory.mktemp("airflow-home")
    done = subprocess.run([str(airflow_python.parent / "airflow"), "db", "migrate"], env=_airflow_env(home, home),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return home


def _airflow_env(home: Path, dags: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__DAGS_FOLDER=str(dags), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               PYTHONPATH=os.pathsep.join([str(ROOT / "lib"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    return env


def _dag_file(folder: Path, params_glob: str, reports: Path, **kwargs) -> Path:
    """A DAG file as the README shows it: the factory, called once, its DAGs into the module's globals."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    (folder / "cmo_workbook_dags.py").write_text(
        "from datetime import timedelta\n\n"
        "from cmo_workbook.integrations.airflow import build_dags\n\n"
        f"globals().update(build_dags({params_glob!r}, project_dir={str(ROOT)!r}, reports_root={str(reports)!r}"
        f"{extra}))\n", encoding="utf-8")
    return folder


def _in_airflow(python: Path, home: Path, dags: Path, script: str, env: dict[str, str] | None = None) -> tuple[dict, str]:
    """Run ``script`` in the Airflow venv; it prints ``RESULT <json>`` as its last such line."""
    done = subprocess.run([str(python), "-c", script], env={**_airflow_env(home, dags), **(env or {})}, cwd=ROOT,
                          capture_output=True, text=True, timeout=1500)
    out = done.stdout + done.stderr
    results = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and results, out[-6000:]
    return json.loads(results[-1][len("RESULT "):]), out


LOAD = """
import json
from airflow.dag_processing.bundles.manager import DagBundlesManager
from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
from airflow.models.deadline_alert import DeadlineAlert
from airflow.settings import Session

bag = DagBag({dags!r})
DagBundlesManager().sync_bundles_to_db()
sync_bag_to_db(bag, "dags-folder", None)  # as the DAG processor stores them: deadlines become table rows
alerts = Session().query(DeadlineAlert).all()
out = {{"errors": {{k: str(v) for k, v in bag.import_errors.items()}},
       "deadline_callbacks": sorted(str(a.callback_def) for a in alerts), "dags": {{}}}}
for dag_id, dag in sorted(bag.dags.items()):
    out["dags"][dag_id] = {{
        "schedule": repr(dag.timetable), "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs, "dagrun_timeout": dag.dagrun_timeout.total_seconds(),
        "tasks": {{t.task_id: {{"downstream": sorted(t.downstream_task_ids), "retries": t.retries,
                               "timeout": t.execution_timeout.total_seconds(), "trigger_rule": getattr(t.trigger_rule, "value", t.trigger_rule)}}
                  for t in dag.tasks}}}}
print("RESULT " + json.dumps(out))
"""


@pytest.mark.slow
def test_the_dags_load_in_airflow(airflow_python, airflow_home, tmp_path, sample_dir):
    params = tmp_path / "params"
    company_params(params, sample_dir, "acme")
    company_params(params, sample_dir, "beta")
    dags = _dag_file(tmp_path / "dags", str(params / "*.yaml"), tmp_path / "reports")
    got, _ = _in_airflow(airflow_python, airflow_home, dags, LOAD.format(dags=str(dags)))
    assert got["errors"] == {}
    assert sorted(got["dags"]) == ["cmo_workbook_acme", "cmo_workbook_beta"]
    dag = got["dags"]["cmo_workbook_acme"]
    assert "expression='30 6 3 * *'" in dag["schedule"] and "Europe/Berlin" in dag["schedule"]
    assert dag["catchup"] is False and dag["max_active_runs"] == 1 and dag["dagrun_timeout"] == 8 * 3600
    tasks = dag["tasks"]
    assert {k: v["downstream"] for k, v in tasks.items()} == {
        "validate": ["run_month", "run_quarter"], "run_month": ["archive"], "run_quarter": ["archive"],
        "archive": ["deliver"], "deliver": []}
    assert {v["retries"] for v in tasks.values()} == {2} and {v["timeout"] for v in tasks.values()} == {7200}
    assert tasks["archive"]["trigger_rule"] == tasks["deliver"]["trigger_rule"] == "none_failed"
    assert tasks["run_month"]["trigger_rule"] == "all_success"
    # one deadline per company (6 h after the logical date), calling the alert of this module
    assert len(got["deadline_callbacks"]) == 2
    assert all("cmo_workbook.integrations.airflow.deadline_missed" in c for c in got["deadline_callbacks"])
    assert any("'hours': 6.0" in c or '"hours": 6.0' in c for c in got["deadline_callbacks"])


RUN = """
import json
from datetime import datetime, timezone
from airflow.dag_processing.dagbag import DagBag

bag = DagBag({dags!r})
assert not bag.import_errors, bag.import_errors
dr = bag.dags[{dag_id!r}].test(logical_date=datetime(2026, 11, 3, 5, 30, tzinfo=timezone.utc))
tis = {{ti.task_id: [str(ti.state), ti.try_number] for ti in dr.get_task_instances()}}
print("RESULT " + json.dumps({{"state": str(dr.state), "tis": tis}}))
"""


@pytest.mark.slow
def test_a_company_dag_runs_end_to_end_with_dag_test(airflow_python, airflow_home, tmp_path, sample_dir,
                                                     smtp_server):
    params = tmp_path / "params"
    company_params(params, sample_dir, "example")
    company_params(params, sample_dir, "broken", qualified_leads="180 MQL")
    reports = tmp_path / "reports"
    # dag.test() of Airflow 3.3.2 cannot finish a run whose DAG has a deadline alert (the in-memory DAG keeps
    # the alert's definition where the scheduler's keeps its id); the load test above checks the deadline
    dags = _dag_file(tmp_path / "dags", str(params / "*.yaml"), reports, deadline=None,
                     retry_delay="timedelta(seconds=1)")
    smtp = {k: os.environ[k] for k in ("CMO_SMTP_HOST", "CMO_SMTP_PORT", "CMO_SMTP_SECURITY")}

    got, out = _in_airflow(airflow_python, airflow_home, dags,
                           RUN.format(dags=str(dags), dag_id="cmo_workbook_example"), env=smtp)
    assert got["state"] == "success", out[-6000:]
    # logical date 3 Nov 2026: October's memos; October closes no quarter, so the quarterly run is skipped
    assert got["tis"] == {"validate": ["success", 1], "run_month": ["success", 1], "run_quarter": ["skipped", 1],
                          "archive": ["success", 1], "deliver": ["success", 1]}
    month = reports / "example" / "2026-10"
    assert {p.stem for p in month.glob("*.html")} == MONTHLY
    assert not (reports / "example" / "2026-Q3").exists()
    index = (reports / "example" / "index.html").read_text(encoding="utf-8")
    assert all(f"2026-10/{n}.html" in index for n in MONTHLY)
    # deliver sent each memo once, to its recipients in params (the sync agenda to sales and marketing)
    to = sorted(tuple(m["to"]) for m in smtp_server.messages)
    assert to == sorted([("ceo@kessler-antriebstechnik.example",)] * 2
                        + [("vertrieb@kessler-antriebstechnik.example", "marketing@kessler-antriebstechnik.example")])
    ledger = json.loads((month / "sent.json").read_text(encoding="utf-8"))
    assert sorted(ledger) == sorted(f"example.yaml:{n}" for n in MONTHLY)
    subjects = {email.message_from_bytes(m["data"])["Subject"] for m in smtp_server.messages}
    assert email.message_from_bytes((month / "kpi_dashboard.eml").read_bytes())["Subject"] in subjects

    # a company whose params are wrong: validate exits 2, fails at once despite retries=2, nothing runs or goes out
    got, out = _in_airflow(airflow_python, airflow_home, dags,
                           RUN.format(dags=str(dags), dag_id="cmo_workbook_broken"), env=smtp)
    assert got["state"] == "failed"
    assert got["tis"]["validate"] == ["failed", 1]
    assert {t: s for t, (s, _) in got["tis"].items() if t != "validate"} == {
        "run_month": "upstream_failed", "run_quarter": "upstream_failed", "archive": "upstream_failed",
        "deliver": "upstream_failed"}
    assert "targets.qualified_leads" in out and "180 MQL" in out  # the CLI's message, in the task log
    assert "refused the input (exit 2" in out
    assert not (reports / "broken").exists()
    assert len(smtp_server.messages) == 3


EXIT_CODES = """
import json, sys
from pathlib import Path
from airflow.sdk.exceptions import AirflowException, AirflowFailException
from cmo_workbook.delivery.runner import period_lock
from cmo_workbook.integrations.airflow import run_cli

def outcome(args):
    try:
        run_cli(args)
    except AirflowFailException as exc:
        return ["fail-no-retry", str(exc)]
    except AirflowException as exc:
        return ["fail-retry", str(exc)]
    return ["ok", ""]

out = {{"ok": outcome(["validate", "--params", {good!r}]),
       "refused": outcome(["validate", "--params", {broken!r}])}}
with period_lock(Path({reports!r}) / "2026-10"):  # another run holds the period: exit 1
    out["locked"] = outcome(["run", "all", "--period", "2026-10", "--params", {good!r}, "--reports", {reports!r}])
print("RESULT " + json.dumps(out))
"""


@pytest.mark.slow
def test_exit_codes_map_onto_airflow_retries(airflow_python, airflow_home, tmp_path, sample_dir):
    params = tmp_path / "params"
    good = company_params(params, sample_dir, "good")
    broken = company_params(params, sample_dir, "broken", qualified_leads="180 MQL")
    script = EXIT_CODES.format(good=str(good), broken=str(broken), reports=str(tmp_path / "reports"))
    got, out = _in_airflow(airflow_python, airflow_home, tmp_path, script)
    assert got["ok"] == ["ok", ""]
    assert got["refused"][0] == "fail-no-retry" and "retrying would not help" in got["refused"][1]
    assert got["locked"] == ["fail-retry", "cmo-workbook run failed (exit 1, see the lines above)"]
    assert "another run of 2026-10 is in progress" in out
