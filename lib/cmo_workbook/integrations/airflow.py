"""Airflow DAG factory: one DAG per company params file (extra ``[airflow]``: ``pip install -e '.[airflow]'``).

Each DAG: ``validate`` → ``run_month`` and ``run_quarter`` → ``archive`` → ``deliver``. The period comes from
the DAG run's logical date: the last complete month before it (in the DAG's time zone), and the quarter when
that month closes one (a run on 3 October makes 2026-09 and 2026-Q3; one on 3 November 2026-10 only, and
``run_quarter`` is skipped). Every task calls the ``cmo-workbook`` command line in a child process, so a task
behaves exactly like a cron run and its exit code maps onto Airflow: **2** (bad params or data, nothing ran)
fails the task at once without retries (:class:`AirflowFailException`): trying again cannot fix an export;
**1** (cell error, time-out, SMTP, locked period) fails it for Airflow's retries. The runs write their memos
without sending (``--dry-run``); ``deliver`` sends them afterwards through the sent-ledger (``cmo-workbook
send``), so a retried DAG run never mails a memo twice.

Airflow is imported only inside :func:`build_dags` and the task bodies: the module itself (and the base
package, which never imports it) works without Airflow installed.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from glob import glob
from pathlib import Path
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from ..delivery.portfolio import slug
from ..periods import Period

#: 06:30 on the 3rd of each month, as ``deploy/cmo-workbook.cron``: the previous month's exports are complete
DEFAULT_SCHEDULE = "30 6 3 * *"
EXIT_REFUSED = 2  # errors.InputError: bad params or data, no kernel started


@dataclass(frozen=True)
class Company:
    """One params file and where its DAG writes."""

    params: Path
    dag_id: str
    reports: Path


def periods_for(logical_date: datetime, tz: str = "Europe/Berlin") -> dict[str, Period | None]:
    """The periods a DAG run covers: ``month`` = the last complete month before ``logical_date`` (its date in
    ``tz``); ``quarter`` = the last complete quarter when that month closes it, else None (already run)."""
    if logical_date.tzinfo is None:
        raise ValueError(f"logical date {logical_date} has no time zone; Airflow's are aware (UTC)")
    local = logical_date.astimezone(ZoneInfo(tz)).date()
    month = Period.last_complete("month", local)
    quarter = Period.last_complete("quarter", local)
    return {"month": month, "quarter": quarter if quarter.month_periods()[-1] == month else None}


def companies(params_glob: str | Sequence[str], reports_root: Path, prefix: str = "cmo_workbook_") -> list[Company]:
    """Every params file the glob(s) match, sorted, with its DAG id (prefix + file stem) and reports folder
    (``reports_root/SLUG``: each company its own, named as a portfolio run names it, so that a company moved from
    ``run all --portfolio`` to Airflow keeps its folder and its sent-ledger)."""
    patterns = [params_glob] if isinstance(params_glob, (str, Path)) else list(params_glob)
    files = sorted({Path(f).resolve() for p in patterns for f in glob(str(p))})
    files = [f for f in files if f.suffix in (".yaml", ".yml") and f.is_file()]
    if not files:
        raise ValueError(f"no params file matches {', '.join(map(str, patterns))}; give a glob of company params "
                         "YAML files, e.g. /opt/cmo-workbook/params/*.yaml")
    seen: dict[str, Path] = {}
    out = []
    for f in files:
        dag_id = prefix + re.sub(r"[^A-Za-z0-9_.-]+", "_", f.stem)
        if dag_id in seen:
            raise ValueError(f"{seen[dag_id]} and {f} would both be DAG {dag_id} and share a reports folder; "
                             "rename one of the files")
        seen[dag_id] = f
        out.append(Company(f, dag_id, Path(reports_root) / slug(f.stem)))
    return out


def run_cli(args: Sequence[str], *, python: str | None = None, cwd: Path | None = None,
            env: Mapping[str, str] | None = None) -> None:
    """Run ``cmo-workbook ARGS`` in a child process, its lines into the task log; map the exit code to Airflow.

    When Airflow stops the task (its ``execution_timeout``, a kill from the UI), the child gets SIGTERM, which the
    CLI turns into a failed run like a time-out (notebook kept, kernel stopped), and is killed a minute later.
    """
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    cmd = [python or sys.executable, "-m", "cmo_workbook", *args]
    print("$ " + " ".join(cmd), flush=True)
    child = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, bufsize=1)
    try:
        assert child.stdout is not None
        for line in child.stdout:
            print(line.rstrip("\n"), flush=True)
        code = child.wait()
    except BaseException:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
        raise
    if code == EXIT_REFUSED:
        raise AirflowFailException(f"cmo-workbook {args[0]} refused the input (exit 2, see the lines above): "
                                   "fix the params or the export; retrying would not help")
    if code != 0:
        raise AirflowException(f"cmo-workbook {args[0]} failed (exit {code}, see the lines above)")


def deadline_missed(context: Any = None, *, dag_id: str = "", params_file: str = "", reports: str = "",
                    hours: float = 0, **_: Any) -> None:
    """Deadline callback: one alert to the company's analyst (``memo.analyst``) that the memos are late."""
    from ..delivery.runner import send_alert

    message = (f"the Airflow DAG {dag_id} has not finished {hours:g} h after its logical date; the memos of this "
               "run are late (look at the DAG run in Airflow)")
    send_alert([(dag_id, "", message)], None, Path(params_file), Path(reports), say=print)


def build_dags(params_glob: str | Sequence[str], *, project_dir: str | Path | None = None,
               reports_root: str | Path | None = None, schedule: str | None = DEFAULT_SCHEDULE,
               timezone: str = "Europe/Berlin", start_date: datetime | None = None,
               cadences: Sequence[str] = ("month", "quarter"), deliver: bool = True,
               retries: int = 2, retry_delay: timedelta = timedelta(minutes=10),
               task_timeout: timedelta = timedelta(hours=2), dagrun_timeout: timedelta | None = timedelta(hours=8),
               deadline: timedelta | None = timedelta(hours=6), env_file: str | Path | None = None,
               python: str | None = None, dag_prefix: str = "cmo_workbook_", tags: Sequence[str] = ("cmo-workbook",),
               default_args: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One DAG per params file matched by ``params_glob``; returns ``{dag_id: DAG}`` for ``globals().update(...)``.

    ``project_dir``: the checkout with notebooks/ (default: this package's, or ``$CMO_PROJECT_DIR``);
    ``reports_root``: default ``project_dir/reports``, each company in ``reports_root/STEM``; ``schedule``: cron
    in ``timezone`` (also the zone whose date picks the period); ``cadences``: which run tasks do work
    (``("month",)`` skips the quarterly memos); ``deliver``: False for no send step; ``retries`` and
    ``retry_delay`` for exit 1; ``task_timeout``: each task's ``execution_timeout`` (the CLI keeps its own
    per-notebook limit, 30 min); ``deadline``: after this long past the logical date an unfinished run alerts the
    analyst (Airflow's deadline alerts, the successor of SLAs); ``env_file``: the CMO_SMTP_* file for run and
    send; ``python``: the interpreter whose ``cmo_workbook`` runs the tasks (default: Airflow's own), e.g. the
    project's .venv/bin/python when Airflow's pins clash with the project's.
    """
    try:
        import pendulum
        from airflow.sdk import DAG, DeadlineAlert, DeadlineReference, SyncCallback, get_current_context, task
        from airflow.sdk.exceptions import AirflowSkipException
    except ImportError as exc:
        raise ImportError(f"build_dags needs Apache Airflow ({exc}); install the extra: pip install -e '.[airflow]' "
                          "-c constraints.txt -c constraints-airflow.txt (or make airflow-venv)") from None
    from ..delivery.project import project_dir as default_project_dir

    unknown = sorted(set(cadences) - {"month", "quarter"})
    if unknown:
        raise ValueError(f"cadences {unknown} unknown; use month and/or quarter")
    root = Path(project_dir).resolve() if project_dir else default_project_dir()
    reports_base = Path(reports_root).resolve() if reports_root else root / "reports"
    start = start_date or pendulum.datetime(2026, 1, 1, tz=timezone)
    env = {"CMO_PROJECT_DIR": str(root)}
    env_args = ["--env-file", str(Path(env_file).resolve())] if env_file else []

    def periods() -> dict[str, Period | None]:
        ctx = get_current_context()
        # a manual run in Airflow 3 may have no logical date: then the moment it was asked for
        when = ctx.get("logical_date") or ctx["dag_run"].run_after
        return periods_for(when, timezone)

    def company_dag(company: Company) -> Any:
        # its own scope per company: the task bodies run long after the loop below has moved on
        params, reports = str(company.params), str(company.reports)

        def cli(*args: str) -> None:
            run_cli(list(args), python=python, cwd=root, env=env)

        args = {"retries": retries, "retry_delay": retry_delay, "retry_exponential_backoff": True,
                "execution_timeout": task_timeout, **(default_args or {})}
        alert = None
        if deadline is not None:
            alert = DeadlineAlert(reference=DeadlineReference.DAGRUN_LOGICAL_DATE, interval=deadline,
                                  callback=SyncCallback(deadline_missed, kwargs={
                                      "dag_id": company.dag_id, "params_file": params, "reports": reports,
                                      "hours": deadline.total_seconds() / 3600}))
        with DAG(company.dag_id, schedule=schedule, start_date=start, catchup=False, max_active_runs=1,
                 default_args=args, dagrun_timeout=dagrun_timeout, deadline=alert, tags=list(tags),
                 doc_md=f"cmo-workbook memos for `{params}` into `{reports}` (validate, run, archive, deliver)") as dag:

            @task(task_id="validate")
            def validate() -> None:
                """Params and every input, no kernel: a bad export stops the DAG before any notebook."""
                cli("validate", "--params", params, *env_args)

            def run_task(kind: str) -> Any:
                @task(task_id=f"run_{kind}")
                def run() -> str:
                    if kind not in cadences:
                        raise AirflowSkipException(f"the {kind}ly memos are switched off for this DAG (cadences)")
                    covered = periods()
                    if covered[kind] is None:
                        raise AirflowSkipException(f"{covered['month']} closes no quarter: no quarterly memos "
                                                   "in this run")
                    cli("run", "all", "--period", str(covered[kind]), "--params", params, "--reports", reports,
                        "--dry-run", "--log-file", "-", *env_args)
                    return str(covered[kind])
                return run()

            @task(task_id="archive", trigger_rule="none_failed")
            def archive() -> None:
                cli("archive", "--params", params, "--reports", reports)

            @task(task_id="deliver", trigger_rule="none_failed")
            def send() -> None:
                """Send what this run wrote; the sent-ledger skips what an earlier try already sent."""
                for kind, period in periods().items():
                    if period is not None and kind in cadences:
                        cli("send", "--period", str(period), "--params", params, "--reports", reports, *env_args)

            runs = [run_task("month"), run_task("quarter")]
            done = archive()
            validate() >> runs >> done
            if deliver:
                done >> send()
        return dag

    return {c.dag_id: company_dag(c) for c in companies(params_glob, reports_base, dag_prefix)}
