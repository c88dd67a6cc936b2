"""Run notebooks with papermill and deliver their memos.

One run: check params and data (no kernel yet) -> check the notebook parameters
against its annotated ``parameters`` cell -> execute into ``reports/PERIOD/`` under a
lock -> export the memo (``NAME.html``) and the email (``NAME.eml``) -> optionally send.
Failures keep the executed notebook as ``NAME.failed.ipynb`` and write no memo.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from ..memos import consistency
from ..memos.decisions import DECISIONS_FILE
from ..render import jargon
from . import mail, preflight, project
from ..errors import (CmoWorkbookError, DataError, DeliveryError, ExecutionError, NotebookParameterError,
                      PartlyDeliveredError, Problem, RunLockedError, SettingsError)
from ..inputs import plausibility
from ..inputs.loaders import Dataset, load_dataset
from ..render.export import MAX_HTML_BYTES, build_email, build_memo, subject_line, write_atomic
from ..inputs.params import CACHE_ENV, Params, keep_checked, load_params
from ..periods import RUN_DATE_ENV, Period, run_date

log = logging.getLogger("cmo_workbook")

CADENCE_KIND = project.CADENCE_KIND
NotebookInfo = project.NotebookInfo
discover = project.discover
project_dir = project.project_dir


@dataclass
class RunOptions:
    params_path: Path
    period: Period | None = None
    lang: str | None = None
    email: bool = False
    dry_run: bool = False
    resend: bool = False
    cell_timeout: int = 600
    total_timeout: int = 1800
    reports_dir: Path | None = None
    kernel_name: str | None = None
    today: date | None = None
    strict: bool = False
    #: run although no input table has activity in the period (the data note names the gaps)
    allow_stale: bool = False
    extra_params: dict[str, Any] = field(default_factory=dict)
    history_dir: Path | None = None  # KPI history (DuckDB); default: params history.dir, else <project>/history


@dataclass
class RunResult:
    name: str
    period: str
    ok: bool
    memo: Path | None = None
    eml: Path | None = None
    notebook: Path | None = None
    sent: bool = False
    message: str = ""
    seconds: float = 0.0
    #: not run because an input table the notebook needs is not configured (not a failure; ``message`` says which)
    skipped: bool = False


def default_kernel() -> str:
    """The project's registered kernel if present, else the current environment's python3."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "cmo-workbook" if "cmo-workbook" in KernelSpecManager().find_kernel_specs() else "python3"


check_parameters = preflight.check_parameters  # the home is preflight; kept here for callers


def _check_catalogue(params: Params) -> None:
    """The company's KPI overrides and own metrics (params ``kpis:``) are sound before any kernel starts."""
    from ..errors import ParamsError
    from ..metrics.catalogue import catalogue

    try:
        catalogue(params.raw)
    except ValueError as exc:
        raise ParamsError(f"{params.path.name}: {exc}; fix the kpis: section (see README, 'One number per KPI')") from None


def _declared(notebook: Path) -> dict[str, Any]:
    import papermill

    return papermill.inspect_notebook(str(notebook))


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    """``os.environ[name] = value`` for the block (kernels inherit it), then as it was before."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@contextmanager
def period_lock(period_dir: Path) -> Iterator[None]:
    """Exclusive lock per period, so two scheduled runs cannot overwrite each other; ``.lock`` exists only meanwhile."""
    period_dir.mkdir(parents=True, exist_ok=True)
    path = period_dir / ".lock"
    while True:
        fh = open(path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise RunLockedError(f"another run of {period_dir.name} is in progress ({holder}); "
                                 f"wait for it to finish or remove {path} if no cmo-workbook process is running") from None
        # the previous holder may have removed the file between our open and flock: lock the file that is there now
        try:
            if os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        fh.close()
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
    fh.flush()
    try:
        yield
    finally:
        try:
            path.unlink()  # while still holding the lock, so no one else can hold this inode
        except OSError:
            pass
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


class Interrupted(BaseException):
    """SIGTERM/SIGINT (``timeout``, systemd, Ctrl-C) or the per-notebook time limit.

    A BaseException, like KeyboardInterrupt, so that no library's ``except Exception`` swallows it.
    ``fatal``: stop the whole run (a signal), not just this notebook (the time limit).
    """

    def __init__(self, message: str, fatal: bool):
        super().__init__(message)
        self.fatal = fatal


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into :class:`Interrupted`, so the run fails like a timeout: FAILED line, notebook kept, alert.

    After the first signal SIGTERM is ignored while the run cleans up and alerts (systemd follows with
    SIGKILL after its stop timeout anyway); a second Ctrl-C ends the process at once.
    """
    if os.name != "posix":
        yield
        return

    def _raise(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _kill_kernels()  # first: a kernel left to nbclient's clean-up prints ZMQError tracebacks while it dies
        raise Interrupted(f"stopped by {signal.Signals(signum).name}", fatal=True)

    old = {sig: signal.signal(sig, _raise) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Outer wall-clock limit for one notebook (SIGALRM; main thread only)."""
    if seconds <= 0 or os.name != "posix" or signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None):
        yield
        return

    def _raise(signum, frame):
        _kill_kernels()
        raise Interrupted(f"run exceeded the time limit of {seconds} s", fatal=False)

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _kill_kernels() -> None:
    """Kill kernels this process started: after an interruption nbclient had no chance to shut them down."""
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == me and b"ipykernel" in cmdline:
            pid = int(stat.parent.name)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _is_notebook(path: Path) -> bool:
    """True when ``path`` holds complete notebook JSON (a full disk can leave a truncated one)."""
    try:
        json.loads(path.read_text(encoding="utf-8"))
        return True
    except (OSError, ValueError):
        return False


class Staged:
    """Files written under temporary names and renamed into place together, or not at all.

    A full disk or a read-only folder half-way through leaves the previous memo as it was
    and no temporary file behind.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def write(self, path: Path, data: bytes | str) -> None:
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        self._pending.append((tmp, path))
        with open(tmp, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())

    def adopt(self, tmp: Path, path: Path) -> None:
        """A file already written (the executed notebook) that moves into place with the others."""
        self._pending.append((tmp, path))

    def commit(self) -> None:
        for tmp, path in self._pending:
            os.replace(tmp, path)
        self._pending = []

    def discard(self) -> None:
        for tmp, _ in self._pending:
            try:
                tmp.unlink()
            except OSError:
                pass
        self._pending = []


_SHARED: list[str] = []


def shared_inputs() -> str:
    """The folder in which the runner leaves its checked params and parsed inputs for its kernels
    (``params.CACHE_ENV``, set for the kernels only): they unpickle them instead of checking and parsing the same
    files again, a CPU second and more per notebook. One folder per process, removed when it ends. The runner's
    own loads never read it: each run checks its params and files afresh."""
    if not _SHARED:
        import atexit
        import shutil
        import tempfile

        _SHARED.append(tempfile.mkdtemp(prefix="cmo-inputs-"))
        atexit.register(shutil.rmtree, _SHARED[0], ignore_errors=True)
    return _SHARED[0]


#: the CRM and ad-cost tables the CRM memos read behind ``ds.has`` (the KPI memo, sync and stakeholder update run
#: without ad spend, "–" and a data note): a single run without one goes ahead; the other declared inputs (feedback,
#: touchpoints, competitor exports) are what a notebook is about, and its cells fail without them
CRM_TABLES = ("leads", "deals", "spend")


class Runner:
    """Runs notebooks for one params file; ``say`` receives one progress line per step."""

    def __init__(self, opts: RunOptions, say: Callable[[str], None] = print):
        self.opts = opts
        self.say = say
        self.root = project_dir()
        self.notebooks_dir = self.root / "notebooks"
        self.reports_dir = (opts.reports_dir or self.root / "reports").resolve()
        self.available = discover(self.notebooks_dir)
        self._params: Params | None = None
        self._dataset: Dataset | None = None
        self._prepared: dict[str, Any] = {}
        self._project_checked = False
        self.run_date = run_date()  # one date for every memo of this run, even one that ends after midnight

    # -- pre-flight (exit 2 on problems) -------------------------------------------
    def params(self) -> Params:
        if self._params is None:
            self._params = load_params(self.opts.params_path)
            keep_checked(self._params, shared_inputs())
            from ..render.i18n import set_overrides

            set_overrides(self._params.raw.get("messages"))  # subject lines and alerts use the company's wording too
            # "read", not "ok": the channel ids in params are checked against the data in the next step
            self.say(f"params   {self._params.relpath()}: read ({self._params.name})")
        return self._params

    def check_project(self) -> None:
        """Every project-level pre-flight check (:data:`preflight.CHECKS`), once per run."""
        if not self._project_checked:
            params = self.params()
            for check in preflight.CHECKS:
                check(params, {n: i.path for n, i in self.available.items()})
            self._project_checked = True

    def dataset(self) -> Dataset:
        if self._dataset is None:
            params = self.params()
            with _env(CACHE_ENV, shared_inputs()):  # writes what it parses, for the kernels (a changed file is new)
                self._dataset = load_dataset(params, today=self.opts.today)
            rows = sum(len(t) for t in [*self._dataset.tables.values(), *self._dataset.engine.values()])
            self.say(f"data     {len(self._dataset.sources)} files, {rows:,} rows: ok")
        return self._dataset

    def lang_file(self, name: str) -> str:
        """A period file of this run's memo language: the company's own language keeps ``name``, another one
        gets its language before the extension ("kpi_dashboard.en.ipynb", "decisions.en.yaml")."""
        from ..render.i18n import lang_file

        params = self.params()
        return lang_file(name, self.opts.lang or params.language, params.language)

    def resolve(self, name: str) -> NotebookInfo:
        if name not in self.available:
            import difflib

            close = difflib.get_close_matches(name, list(self.available), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise NotebookParameterError(f'unknown notebook "{name}"{hint}; available: {", ".join(self.available)}')
        return self.available[name]

    def period_for(self, info: NotebookInfo) -> Period:
        period = self.opts.period or Period.last_complete(info.kind, self.opts.today)
        if period.kind != info.kind:
            raise NotebookParameterError(f"{info.name} is {info.cadence}; give a {info.kind} as --period "
                                         f"(e.g. {Period.last_complete(info.kind, self.opts.today)}), not {period}")
        return period

    def preflight(self, info: NotebookInfo, period: Period) -> dict[str, Any]:
        params = self.params()
        self.check_project()
        preflight.check_reports_dir(self.reports_dir)
        ds = self.dataset()  # the configured files' own problems first: they are what the analyst fixes first
        missing = self.unconfigured(info, crm=False)
        if missing:  # `run all` skips it; asked for by name it is refused before any kernel (exit 2), not a cell error
            raise DataError(Problem(str(params.path), f"{info.name} {missing}"))
        _check_catalogue(params)
        if info.inputs:
            ds.check_period(period, list(info.inputs), allow_stale=self.opts.allow_stale)
        # a memo whose headline its inputs contradict stops here (exit 2)
        plausibility.gate(ds, list(info.inputs) or None)
        requested = {"period": str(period), "params_file": str(params.path),
                     **params.notebook_params(info.name), **self.opts.extra_params}
        if "reports_dir" in _declared(info.path):
            requested["reports_dir"] = str(self.reports_dir)  # where the period's KPI store is
        if self.opts.lang:
            requested["lang"] = self.opts.lang
        check_parameters(info.path, requested)
        if self.opts.email:
            mail.settings_from_env()
            preflight.check_ledger(self.reports_dir / str(period))
        return requested

    # -- execution -------------------------------------------------------------------
    def run(self, name: str) -> RunResult:
        info = self.resolve(name)
        period = self.period_for(info)
        parameters = self.preflight(info, period)
        return self._execute(info, period, parameters)

    def run_all(self, kind: str) -> list[RunResult]:
        """Every notebook of the period's cadence, one process (papermill API).

        A failed notebook does not stop the others; a signal (SIGTERM, Ctrl-C) stops the run.
        """
        infos = [i for i in self.available.values() if i.kind == kind]
        results = []
        prepared = []
        for info in infos:  # all pre-flight checks first: a bad input stops before any kernel
            period = self.period_for(info)
            skip = self.unconfigured(info)
            prepared.append((info, period, skip or self.preflight(info, period)))
        stopped = False
        for info, period, parameters in prepared:
            if isinstance(parameters, str):  # an input table the notebook needs is not configured
                results.append(RunResult(info.name, str(period), True, message=parameters, skipped=True))
                continue
            if stopped:
                results.append(RunResult(info.name, str(period), False, message="not run: the run was stopped"))
                continue
            started = time.monotonic()
            try:
                results.append(self._execute(info, period, parameters))
            except (ExecutionError, DeliveryError) as exc:
                results.append(RunResult(info.name, str(period), False, message=str(exc),
                                         seconds=time.monotonic() - started))
                stopped = getattr(exc, "fatal", False)
        return results

    def unconfigured(self, info: NotebookInfo, *, crm: bool = True) -> str:
        """Why ``run all`` skips ``info`` ("" to run it): a table among the notebook's declared inputs
        (``metadata.cmo.inputs``: what it cannot do without) has no file in params. A company without a
        feedback list gets its CRM memos, not a refused run; the tables a notebook reads beyond its inputs
        (touchpoints, plan, competitor messaging, ...) are optional and never skip it. ``crm=False`` leaves out
        :data:`CRM_TABLES`, which the notebooks guard (the single run's refusal: a KPI memo without ad spend runs)."""
        params = self.params()
        missing = [t for t in info.inputs if not params.files(t) and (crm or t not in CRM_TABLES)]
        if not missing:
            return ""
        keys = " and ".join(f"data.{t}" for t in missing)
        return (f"needs the {', '.join(missing)} table{'s' if len(missing) > 1 else ''}, which {params.path.name} "
                f"does not configure ({keys}); add the export there to run it")

    def prepare_period(self, period: Period) -> Any:
        """Once per period, before its notebooks: KPI store, history, restatements, controlling workbook."""
        from ..memos.controlling import workbook_name
        from ..memos.period import prepare
        key = str(period)
        if key not in self._prepared:
            db = self.history_db()
            # in the background while the first kernel starts; the notebook waits for the store
            self._prepared[key] = prepare(self.dataset(), period, self.reports_dir, db, background=True)
            self.say(f"kpis     {self.reports_dir / key / 'kpis.csv'} and {workbook_name(self.params().language, period)}: "
                     "computing alongside the first notebook")
        return self._prepared[key]

    def history_db(self) -> Path:
        """The KPI history database: ``--history``/RunOptions.history_dir, params ``history.dir``, else <project>/history."""
        from ..metrics.history import DB_FILE, history_path

        if self.opts.history_dir:
            return self.opts.history_dir / DB_FILE
        return history_path(self.params(), self.root / "history")

    def _say_prepared(self, period: Period) -> Path:
        """Wait for the period step (done long before a notebook ends) and report it once."""
        out = self._prepared[str(period)]
        if not getattr(out, "reported", False):
            out.reported = True
            self.say(f"kpis     {len(out.store.table)} values in {out.seconds:.1f} s"
                     + (f", {len(out.restatements)} restated" if len(out.restatements) else "") + f"; {out.workbook.name}")
        return out.workbook

    def _execute(self, info: NotebookInfo, period: Period, parameters: dict[str, Any]) -> RunResult:
        import papermill
        from papermill.exceptions import PapermillExecutionError

        params = self.params()
        period_dir = self.reports_dir / str(period)
        final_nb = period_dir / self.lang_file(f"{info.name}.ipynb")
        failed_nb = period_dir / self.lang_file(f"{info.name}.failed.ipynb")
        running_nb = period_dir / f".{self.lang_file(f'{info.name}.running.ipynb')}"
        kernel = self.opts.kernel_name or default_kernel()
        started = time.monotonic()
        with period_lock(period_dir):
            self.prepare_period(period)
            self.say(f"execute  {info.name} {period} (kernel {kernel}, cell timeout {self.opts.cell_timeout} s)")
            error: str | None = None
            fatal = False
            try:
                with time_limit(self.opts.total_timeout), _env(RUN_DATE_ENV, self.run_date.isoformat()), \
                        _env(CACHE_ENV, shared_inputs()):
                    papermill.execute_notebook(
                        str(info.path), str(running_nb), parameters=parameters, kernel_name=kernel,
                        cwd=str(self.notebooks_dir), execution_timeout=self.opts.cell_timeout,
                        progress_bar=False, log_output=False, report_mode=False,
                    )
            except PapermillExecutionError as exc:
                # cell_index counts papermill's injected cell; report the position the analyst sees in Lab
                first_line = (exc.source or "").strip().splitlines()[0][:60] if exc.source else ""
                error = f"cell {exc.cell_index} ({first_line!r}) raised {exc.ename}: {exc.evalue}"
            except Interrupted as exc:
                error, fatal = str(exc), exc.fatal
                _kill_kernels()
            except TimeoutError as exc:  # nbclient's CellTimeoutError (an OSError subclass, not a disk problem)
                error = f"{type(exc).__name__}: {exc}".strip()
            except OSError as exc:  # writing the executed notebook: disk full, folder gone read-only
                error = f"could not write the executed notebook in {period_dir} ({exc.strerror or exc})"
            except Exception as exc:  # CellTimeoutError, DeadKernelError, kernel start failures
                error = f"{type(exc).__name__}: {exc}".strip()
            if error is not None:
                kept = self._keep_failed(running_nb, failed_nb)
                where = f"executed notebook kept at {failed_nb}" if kept else "the executed notebook could not be kept"
                msg = f"{info.name} {period} failed: {error}; {where}"
                self.say(f"FAILED   {msg}")
                raise ExecutionError(msg, notebook=failed_nb if kept else None, fatal=fatal)
            try:
                try:
                    workbook = self._say_prepared(period)
                except Exception as exc:  # the notebook ran on a store it computed itself; say why the step failed
                    raise ExecutionError(f"KPI store / controlling workbook of {period} failed: "
                                         f"{type(exc).__name__}: {exc}") from None
                if info.output == "deck":  # the deck goes to the analyst, without the controlling workbook
                    result = self._export_deck(info, period, running_nb, final_nb, params)
                else:
                    result = self._export(info, period, running_nb, final_nb, params, workbook)
            except BaseException as exc:
                # refused before any memo file (--strict findings, no headline, too large, the KPI store): a failed
                # run like a cell error, so the executed notebook is kept as NAME.failed.ipynb and the message says so
                if running_nb.exists():
                    kept = self._keep_failed(running_nb, failed_nb)
                    if isinstance(exc, ExecutionError):
                        where = f"executed notebook kept at {failed_nb}" if kept else \
                            "the executed notebook could not be kept"
                        exc.args = (f"{info.name} {period} failed: {exc}; {where}",)
                        exc.notebook = failed_nb if kept else None
                        self.say(f"FAILED   {exc}")
                raise
            finally:
                if running_nb.exists():
                    running_nb.unlink()  # export failed: the previous NAME.ipynb stays the one of the last good memo
            if failed_nb.exists():
                failed_nb.unlink()  # a stale failure of an earlier run would mislead
        result.seconds = time.monotonic() - started
        return result

    def _keep_failed(self, running_nb: Path, failed_nb: Path) -> bool:
        """Move the executed notebook to NAME.failed.ipynb if it is complete; never leave a truncated one."""
        try:
            if running_nb.exists() and _is_notebook(running_nb):
                os.replace(running_nb, failed_nb)
                return True
            running_nb.unlink(missing_ok=True)
            failed_nb.unlink(missing_ok=True)  # an older failure's notebook would be taken for this one's
        except OSError:
            pass
        return False

    def recipients(self, name: str) -> tuple[list[str], list[str]]:
        """(to, cc) of a memo: ``memo.by_notebook.NAME`` when set, else ``memo.recipients`` and ``memo.cc``."""
        memo_cfg = self.params().memo
        own = (memo_cfg.get("by_notebook") or {}).get(name)
        if own:
            return list(own["recipients"]), list(own.get("cc") or [])
        return list(memo_cfg["recipients"]), list(memo_cfg.get("cc") or [])

    def _export(self, info: NotebookInfo, period: Period, nb_path: Path, final_nb: Path, params: Params,
                workbook: Path | None = None) -> RunResult:
        lang = self.opts.lang or params.language
        footer = f"cmo-workbook · {info.name} · {period}"
        memo = build_memo(nb_path, lang=lang, footer=footer)
        if not memo.headline:
            raise ExecutionError(f"{info.name} produced no headline block; tag the headline cell with 'memo'")
        if memo.html_bytes > MAX_HTML_BYTES:
            raise ExecutionError(f"{info.name} memo HTML is {memo.html_bytes:,} bytes, above the {MAX_HTML_BYTES:,} "
                                 "byte limit where Gmail clips; shorten tables in the memo cells")
        # Jargon and numbers without a "so what" are the analyst's warnings; --strict makes them failures.
        findings = jargon.check_memo(memo, lang=lang)
        for line in jargon.format_findings(findings):
            self.say(line)
        period_dir = final_nb.parent
        # One story: no channel or KPI judged both ways (here or in the period's other memos), no deadline past.
        story = consistency.check(memo.records, lang, info.name, self.run_date, period_dir,
                                  self.lang_file(consistency.VERDICTS_FILE), self.lang_file(DECISIONS_FILE))
        for line in consistency.format_findings(story):
            self.say(line)
        if findings and self.opts.strict:
            raise jargon.JargonError(findings)
        if story and self.opts.strict:
            raise consistency.StoryError(story)
        # A memo in another language than the company's own gets its own files: "kpi_dashboard.en.html".
        stem = self.lang_file(info.name)
        html_path, eml_path = period_dir / f"{stem}.html", period_dir / f"{stem}.eml"
        memo_cfg = params.memo
        subject = subject_line(memo, memo_cfg.get("subject_prefix", ""))
        to, cc = self.recipients(info.name)
        msg = build_email(memo, sender=memo_cfg["sender"], to=to, cc=cc, subject=subject, sender_name=params.name)
        if workbook is not None and memo_cfg.get("attach_workbook") and workbook.is_file():
            msg.add_attachment(workbook.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=workbook.name)
        eml = msg.as_bytes()
        if html_path.exists():
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(html_path.stat().st_mtime))
            self.say(f"replace  earlier memo of {stamp} ({html_path.name}, {eml_path.name}); sent copies stay in sent/")
        staged = Staged()
        try:
            staged.write(html_path, memo.html_browser)
            staged.write(eml_path, eml)
            staged.write(period_dir / f"{stem}.txt", memo.text)
            staged.adopt(nb_path, final_nb)
            staged.commit()
        except BaseException as exc:
            staged.discard()
            if not isinstance(exc, OSError):
                raise
            raise ExecutionError(f"{info.name} {period}: could not write the memo files in {period_dir} "
                                 f"({exc.strerror or exc}); the previous memo and the ledger are unchanged; "
                                 "free disk space or fix the folder's permissions and run again") from None
        self.say(f"notebook {final_nb}")
        self._log_decisions(info.name, period, period_dir, memo.records, lang)
        consistency.remember(period_dir, info.name, memo.records, lang, self.lang_file(consistency.VERDICTS_FILE))
        self._remember_shown(info.name, period, lang, memo.html_email)
        self.say(f"memo     {html_path} ({memo.html_bytes / 1024:.0f} KB email HTML, {len(memo.images)} charts)")
        self.say(f"email    {eml_path} ({len(eml) / 1024:.0f} KB)")
        result = RunResult(info.name, str(period), True, memo=html_path, eml=eml_path, notebook=final_nb,
                           message=memo.headline)
        if self.opts.email:
            result.sent = self._deliver(info, period, period_dir, params, stem, msg, eml)
        return result

    def _remember_shown(self, name: str, period: Period, lang: str, html: str) -> None:
        """The figures this memo showed, into the KPI history: a later correction of one of them is a restatement
        that the next memos say (a memo counts as gone out once written; see metrics.history)."""
        from ..metrics import history

        if str(period) not in self._prepared:
            return  # no period step in this run (a re-export): its history is not this run's to write
        try:
            history.remember_shown(self.history_db(), history.company_key(self.params()), name, lang, str(period), html)
        except Exception as exc:  # the memo stands; only a later restatement of its figures would go unsaid
            self.say(f"warning  KPI history: the figures of {name} were not recorded ({type(exc).__name__}: {exc})")

    def _log_decisions(self, name: str, period: Period, period_dir: Path, records: list[dict[str, Any]],
                       lang: str) -> None:
        """The memo's recommendations into the decision log, and the analyst's status file beside it."""
        from ..memos import decisions

        prepared = self._prepared.get(str(period))
        store = prepared.store if prepared is not None else None
        own = self.params().language
        try:
            found = decisions.record(period_dir, name, str(period), records, lang, store, self.params().currency,
                                     own=own)
            status = decisions.ensure_status_file(period_dir, lang, own)
        except DataError as exc:  # the analyst's status file is broken: the memo stands, the log waits for the fix
            self.say(f"warning  decisions: {exc}")
            return
        if found and status is not None:
            self.say(f"decided  {len(found)} recommendations in {period_dir / self.lang_file(decisions.DECISIONS_FILE)}; "
                     f"status for the analyst in {status}")

    def _deliver(self, info: NotebookInfo, period: Period, period_dir: Path, params: Params, stem: str,
                 msg: Any, eml: bytes, whom: str = "") -> bool:
        """Send ``msg`` once per company, memo and language (the sent-ledger of ``period_dir``), then record it
        and keep the exact bytes under sent/; False when it went out before and --resend is not given.

        The SMTP server may take the memo for some recipients and refuse others (a mistyped CEO address, a
        full mailbox): then it is recorded as sent to those who got it, the refused ones are named with the
        server's reply, and :class:`DeliveryError` (exit 1, the analyst's alert) says what to fix; ``--resend``
        then sends only to the recipients the ledger does not list as having it.
        """
        ledger = mail.SentLedger(period_dir)
        # one record per company, memo and language: another company's memo is never "already sent"
        key = f"{params.path.name}:{stem}"
        prior = ledger.entry(key)
        partial = bool(prior and prior.get("refused"))
        if prior and not self.opts.resend:
            if partial:
                self.say(f"send     skipped: {info.name} {period} was sent on {prior['sent_at']} to "
                         f"{', '.join(prior['delivered_to'])}; refused: {_refusals(prior['refused'])} "
                         "(use --resend to send it to the refused recipients only)")
            else:
                self.say(f"send     skipped: {info.name} {period} was sent on {prior['sent_at']} to {prior['to']} "
                         "(use --resend to send again)")
            return False
        had = list(prior["delivered_to"]) if partial else []
        to = [a for a in mail.envelope(msg) if a not in had] if partial else None
        if to == []:
            self.say(f"send     skipped: every recipient of {info.name} {period} has it ({', '.join(had)})")
            return False
        settings = mail.settings_from_env()
        refused = mail.send(msg, settings, waits=mail.retry_schedule(params.memo), to=to, say=self.say)
        got = [a for a in (to if to is not None else mail.envelope(msg)) if a not in refused]
        shown = msg["To"] if to is None and not refused else ", ".join(got)
        self.say(f"send     sent to {whom}{shown} via {settings.host}:{settings.port}")
        for rcpt, reply in refused.items():
            self.say(f"REFUSED  {rcpt}: {reply}")
        try:
            if refused or partial:
                ledger.record(key, msg, eml, delivered=had + got, refused=refused)
            else:
                ledger.record(key, msg, eml)
            # keep exactly what went out: a later re-run replaces NAME.eml, never this copy
            write_atomic(period_dir / "sent" / f"{params.path.stem}-{stem}-{time.strftime('%Y%m%dT%H%M%S')}.eml", eml)
        except OSError as exc:
            raise DeliveryError(
                f"{info.name} {period} WAS SENT to {shown}, but the ledger {ledger.path} could not be "
                f"updated ({exc.strerror or exc}); do not use --resend for it; free disk space, then add the "
                f"record by hand or accept one more copy") from None
        if refused:
            raise PartlyDeliveredError(
                f"{info.name} {period} was sent to {', '.join(got)}, but the SMTP server {settings.host} refused "
                f"{_refusals(refused)}; they did not get it: check the address in the params (memo.recipients, "
                f"memo.cc, memo.analyst) against the server's reply, then run again with --email --resend, which "
                f"sends it only to the recipients who do not have it (the ledger {ledger.path} lists them)")
        return True

    def send_exported(self, period: Period) -> list[RunResult]:
        """Send what a run without ``--email`` wrote for ``period`` (every ``NAME.eml`` of its cadence), through
        the sent-ledger like ``run --email``: the deliver step of an orchestrator (``cmo-workbook send``).

        Refuses (exit 2) before sending anything when a memo of the period is missing: run the period first.
        A memo some recipients' server refused is a result with ``ok`` False (sent, recorded, the refusal in
        ``message``); the others are still sent.
        """
        import email

        params = self.params()
        period_dir = self.reports_dir / str(period)
        infos = [i for i in self.available.values() if i.kind == period.kind]
        found = []
        for info in infos:
            stem = self.lang_file(info.name)
            found.append((info, stem, period_dir / f"{stem}.eml"))
        missing = [str(path) for _, _, path in found if not path.is_file()]
        if missing:
            raise NotebookParameterError(
                f"nothing sent: no memo for {period} at {', '.join(missing)}; run it first "
                f"(cmo-workbook run all --period {period} --params {params.relpath()} --reports {self.reports_dir})")
        mail.settings_from_env()
        preflight.check_ledger(period_dir)
        from ..render.export import MAIL_POLICY as policy  # as build_email writes it: subjects unfolded
        results = []
        for info, stem, path in found:
            eml = path.read_bytes()
            msg = email.message_from_bytes(eml, policy=policy)
            whom = "the analyst " if info.output == "deck" else ""
            try:
                sent = self._deliver(info, period, period_dir, params, stem, msg, eml, whom=whom)
            except PartlyDeliveredError as exc:  # recorded as sent to those who got it; the other memos still go
                results.append(RunResult(info.name, str(period), False, eml=path, sent=True, message=str(exc)))
                continue
            results.append(RunResult(info.name, str(period), True, eml=path, sent=sent, message=str(msg["Subject"])))
        return results

    def _export_deck(self, info: NotebookInfo, period: Period, nb_path: Path, final_nb: Path,
                     params: Params) -> RunResult:
        """A deck (metadata ``"output": "deck"``): .pptx, reveal.js, PDF; ``--email`` sends them to the analyst only.
        The executed notebook ``nb_path`` becomes ``final_nb`` once the deck is written (a refused deck keeps it as
        the failed notebook)."""
        from . import deck

        lang = self.opts.lang or params.language
        stem = self.lang_file(info.name)
        files = deck.export(nb_path, stem, params, str(period), lang, say=self.say, strict=self.opts.strict)
        os.replace(nb_path, final_nb)
        self.say(f"notebook {final_nb}")
        result = RunResult(info.name, str(period), True, memo=files.pptx, eml=files.eml, notebook=final_nb,
                           message=files.title)
        if self.opts.email:
            result.sent = self._deliver(info, period, final_nb.parent, params, stem, files.message,
                                        files.message.as_bytes(), whom="the analyst ")
        return result

    # -- alerts ----------------------------------------------------------------------
    def alert(self, failures: list[tuple[str, str, str]]) -> bool:
        """One e-mail to the analyst, never the CEO, listing every failed (notebook, period, message) of this run."""
        return send_alert(failures, self._params, self.opts.params_path, self.reports_dir, say=self.say)


def _refusals(refused: dict[str, str]) -> str:
    """``a@x (550 5.1.1 reply); b@y (...)`` in address order."""
    return "; ".join(f"{rcpt} ({reply})" for rcpt, reply in sorted(refused.items()))


def _analyst(params: Params | None, params_path: Path) -> tuple[str, str]:
    """(analyst, sender) for an alert: from the params, even when they failed validation, else CMO_ALERT_TO."""
    memo: dict[str, Any] = dict(params.memo) if params else {}
    if not memo:
        try:
            import yaml

            raw = yaml.safe_load(Path(params_path).read_text(encoding="utf-8"))
            memo = dict(raw.get("memo") or {}) if isinstance(raw, dict) else {}
        except Exception:  # the params are what failed: the alert must still go out
            memo = {}
    to = os.environ.get("CMO_ALERT_TO") or str(memo.get("analyst") or "")
    sender = str(memo.get("sender") or os.environ.get("CMO_ALERT_FROM") or to)
    return to, sender


def _outbox(reports_dir: Path | None) -> Path | None:
    return reports_dir / "alerts-pending" if reports_dir is not None else None


def send_pending_alerts(reports_dir: Path, say: Callable[[str], None]) -> None:
    """Alerts that could not go out last time (SMTP down) go out first, once; sent ones are removed."""
    box = _outbox(reports_dir)
    if box is None or not box.is_dir():
        return
    import email
    import email.policy

    for path in sorted(box.glob("*.eml")):
        try:
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            mail.send(msg, mail.settings_from_env(), attempts=2, backoff=1.0, say=say,  # type: ignore[arg-type]
                      kept=f"the alert stays in {box}")
        except (CmoWorkbookError, OSError) as exc:
            say(f"alert    earlier alert {path.name} still not sent: {exc}")
            return
        path.unlink(missing_ok=True)
        say(f"alert    earlier alert {path.name} sent to {msg['To']}")


def send_alert(failures: list[tuple[str, str, str]], params: Params | None, params_path: Path,
               reports_dir: Path | None = None, *, say: Callable[[str], None]) -> bool:
    """Send one alert for this run's failures; True when it went out (its absence is said, never raised).

    An alert the SMTP server does not take is kept in ``REPORTS/alerts-pending/`` and sent by the next run.
    """
    from email.utils import formatdate

    from ..render.export import TEXT_CTE, new_message

    to, sender = _analyst(params, params_path)
    if "@" not in to or "\n" in to or "@" not in sender or "\n" in sender:
        say("alert    not sent: no analyst address (set memo.analyst in the params or CMO_ALERT_TO)")
        return False
    names = ", ".join(dict.fromkeys(f"{n} {p}".strip() for n, p, _ in failures))
    msg = new_message()  # as every mail of the project: unfolded subject, quoted-printable text
    msg["Subject"] = " ".join(f"[cmo-workbook] FAILED: {names}".split())[:200]
    msg["From"] = sender
    msg["To"] = to
    body = "\n\n".join(f"{n} {p}:\n{m}" for n, p, m in failures)
    msg.set_content("A scheduled cmo-workbook run failed; nothing went to the CEO for what failed, unless a message "
                    "below says to whom it was sent (the SMTP server refused only some recipients).\n\n"
                    f"{body}\n\nA failed notebook (NAME.failed.ipynb, when named above) shows the error cell in "
                    "JupyterLab. Fix the cause and run the same command again.\n", cte=TEXT_CTE)
    msg["Date"] = formatdate(localtime=True)
    box = _outbox(reports_dir)
    kept = (f"no memo was written for what failed; the alert is kept in {box} and the next run sends it"
            if box is not None else "no memo was written for what failed")
    try:
        # the params' retry schedule (a greylisting server takes the alert after minutes, as it takes a memo)
        mail.send(msg, mail.settings_from_env(), attempts=2, backoff=1.0,
                  waits=mail.retry_schedule(params.memo if params else None), say=say, kept=kept)
    except CmoWorkbookError as exc:
        say(f"alert    could not be sent: {exc}")
        try:
            if box is None:
                raise OSError("no reports folder")
            write_atomic(box / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.eml", msg.as_bytes())
            say(f"alert    kept in {box}; the next run sends it")
        except OSError as err:
            say(f"alert    could not be kept either ({getattr(err, 'strerror', None) or err})")
        return False
    say(f"alert    sent to analyst {to}")
    return True
