"""Run notebooks with papermill and deliver their memos.

One run: check params and data (no kernel yet) -> check the notebook parameters
against its annotated ``parameters`` cell -> execute into ``reports/PERIOD/`` under a
lock -> export the memo (``NAME.html``) and the email (``NAME.eml``) -> optionally send.
Failures keep the executed notebook as ``NAME.failed.ipynb`` and write no memo.
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

import nbformat

from ..render import jargon
from . import mail
from ..errors import (CmoWorkbookError, DeliveryError, ExecutionError, NotebookParameterError, RunLockedError)
from ..inputs import plausibility
from ..inputs.loaders import Dataset, load_dataset
from ..render.export import MAX_HTML_BYTES, build_email, build_memo, subject_line, write_atomic
from ..inputs.params import Params, load_params
from ..periods import Period

log = logging.getLogger("cmo_workbook")

CADENCE_KIND = {"monthly": "month", "quarterly": "quarter"}
_PY_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


def project_dir() -> Path:
    """The folder holding notebooks/: $CMO_PROJECT_DIR, the cwd, or the checkout this package lives in."""
    env = os.environ.get("CMO_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    if (Path.cwd() / "notebooks").is_dir():
        return Path.cwd().resolve()
    return Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class NotebookInfo:
    name: str
    path: Path
    cadence: str
    inputs: tuple[str, ...]
    title: str
    output: str = "memo"  # "deck": the notebook displays slides (impulse_deck), delivered by delivery.deck

    @property
    def kind(self) -> str:
        return CADENCE_KIND[self.cadence]


def discover(notebooks_dir: Path) -> dict[str, NotebookInfo]:
    """Notebooks that declare ``metadata.cmo.cadence`` (monthly/quarterly)."""
    found = {}
    for path in sorted(notebooks_dir.glob("*.ipynb")):
        meta = nbformat.read(str(path), as_version=4).metadata.get("cmo", {})
        if meta.get("cadence") in CADENCE_KIND:
            found[path.stem] = NotebookInfo(path.stem, path, meta["cadence"], tuple(meta.get("inputs", [])),
                                            meta.get("title", path.stem), meta.get("output", "memo"))
    return found


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


def default_kernel() -> str:
    """The project's registered kernel if present, else the current environment's python3."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "cmo-workbook" if "cmo-workbook" in KernelSpecManager().find_kernel_specs() else "python3"


def check_parameters(notebook: Path, requested: dict[str, Any]) -> None:
    """Reject unknown names and wrong types before a kernel starts (papermill only warns)."""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    problems = []
    for name, value in requested.items():
        if name not in declared:
            import difflib

            close = difflib.get_close_matches(name, list(declared), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else f"; known: {', '.join(declared)}"
            problems.append(f'{notebook.name}: unknown parameter "{name}"{hint}')
            continue
        tname = declared[name].get("inferred_type_name") or "None"
        expected = _PY_TYPES.get(tname)
        if expected and (not isinstance(value, expected) or (isinstance(value, bool) and tname != "bool")):
            problems.append(f'{notebook.name}: parameter "{name}" must be {tname} (got {value!r}, a {type(value).__name__})')
    if problems:
        raise NotebookParameterError("\n".join(problems))


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
def period_lock(period_dir: Path) -> Iterator[None]:
    """Exclusive lock per period, so two scheduled runs cannot overwrite each other."""
    period_dir.mkdir(parents=True, exist_ok=True)
    path = period_dir / ".lock"
    fh = open(path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise RunLockedError(f"another run of {period_dir.name} is in progress ({holder}); "
                             f"wait for it to finish or remove {path} if no cmo-workbook process is running") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


class _Deadline(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Outer wall-clock limit for one notebook (SIGALRM; main thread only)."""
    if seconds <= 0 or os.name != "posix" or signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None):
        yield
        return

    def _raise(signum, frame):
        raise _Deadline(f"run exceeded the time limit of {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


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

    # -- pre-flight (exit 2 on problems) -------------------------------------------
    def params(self) -> Params:
        if self._params is None:
            self._params = load_params(self.opts.params_path)
            self.say(f"params   {self._params.relpath()}: ok ({self._params.name})")
        return self._params

    def dataset(self) -> Dataset:
        if self._dataset is None:
            params = self.params()
            self._dataset = load_dataset(params, today=self.opts.today)
            rows = sum(len(t) for t in self._dataset.tables.values())
            self.say(f"data     {len(self._dataset.sources)} files, {rows:,} rows: ok")
        return self._dataset

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
        ds = self.dataset()
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
        return requested

    # -- execution -------------------------------------------------------------------
    def run(self, name: str) -> RunResult:
        info = self.resolve(name)
        period = self.period_for(info)
        parameters = self.preflight(info, period)
        return self._execute(info, period, parameters)

    def run_all(self, kind: str) -> list[RunResult]:
        """Every notebook of the period's cadence, one process (papermill API)."""
        infos = [i for i in self.available.values() if i.kind == kind]
        results = []
        prepared = []
        for info in infos:  # all pre-flight checks first: a bad input stops before any kernel
            period = self.period_for(info)
            prepared.append((info, period, self.preflight(info, period)))
        for info, period, parameters in prepared:
            try:
                results.append(self._execute(info, period, parameters))
            except ExecutionError as exc:
                results.append(RunResult(info.name, str(period), False, message=str(exc)))
            except DeliveryError as exc:
                results.append(RunResult(info.name, str(period), False, message=str(exc)))
        return results

    def prepare_period(self, period: Period) -> Any:
        """Once per period, before its notebooks: KPI store, history, restatements, controlling workbook."""
        from ..memos.controlling import workbook_name
        from ..memos.period import prepare
        from ..metrics.history import history_path

        key = str(period)
        if key not in self._prepared:
            db = (self.opts.history_dir / "kpi_history.duckdb" if self.opts.history_dir
                  else history_path(self.params(), self.root / "history"))
            # in the background while the first kernel starts; the notebook waits for the store
            self._prepared[key] = prepare(self.dataset(), period, self.reports_dir, db, background=True)
            self.say(f"kpis     {self.reports_dir / key / 'kpis.csv'} and {workbook_name(self.params().language, period)}: "
                     "computing alongside the first notebook")
        return self._prepared[key]

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
        final_nb = period_dir / f"{info.name}.ipynb"
        failed_nb = period_dir / f"{info.name}.failed.ipynb"
        running_nb = period_dir / f".{info.name}.running.ipynb"
        kernel = self.opts.kernel_name or default_kernel()
        started = time.monotonic()
        with period_lock(period_dir):
            self.prepare_period(period)
            self.say(f"execute  {info.name} {period} (kernel {kernel}, cell timeout {self.opts.cell_timeout} s)")
            error: str | None = None
            try:
                with time_limit(self.opts.total_timeout):
                    papermill.execute_notebook(
                        str(info.path), str(running_nb), parameters=parameters, kernel_name=kernel,
                        cwd=str(self.notebooks_dir), execution_timeout=self.opts.cell_timeout,
                        progress_bar=False, log_output=False, report_mode=False,
                    )
            except PapermillExecutionError as exc:
                # cell_index counts papermill's injected cell; report the position the analyst sees in Lab
                first_line = (exc.source or "").strip().splitlines()[0][:60] if exc.source else ""
                error = f"cell {exc.cell_index} ({first_line!r}) raised {exc.ename}: {exc.evalue}"
            except _Deadline as exc:
                error = str(exc)
            except Exception as exc:  # CellTimeoutError, DeadKernelError, kernel start failures
                error = f"{type(exc).__name__}: {exc}".strip()
            if error is not None:
                if running_nb.exists():
                    os.replace(running_nb, failed_nb)
                msg = f"{info.name} {period} failed: {error}; executed notebook kept at {failed_nb}"
                self.say(f"FAILED   {msg}")
                if self.opts.email:
                    self._alert(info, period, msg)
                raise ExecutionError(msg, notebook=failed_nb)
            if failed_nb.exists():
                failed_nb.unlink()  # a stale failure of an earlier run would mislead
            os.replace(running_nb, final_nb)
            self.say(f"notebook {final_nb}")
            try:
                workbook = self._say_prepared(period)
            except Exception as exc:  # the notebook ran on a store it computed itself; say why the step failed
                raise ExecutionError(f"KPI store / controlling workbook of {period} failed: {type(exc).__name__}: {exc}")
            if info.output == "deck":  # the deck goes to the analyst, without the controlling workbook
                result = self._export_deck(info, period, final_nb, params)
            else:
                result = self._export(info, period, final_nb, params, workbook)
        result.seconds = time.monotonic() - started
        return result

    def _export(self, info: NotebookInfo, period: Period, nb_path: Path, params: Params,
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
        if findings and self.opts.strict:
            raise jargon.JargonError(findings)
        period_dir = nb_path.parent
        # A memo in another language than the company's own gets its own files: "kpi_dashboard.en.html".
        stem = info.name if lang == params.language else f"{info.name}.{lang}"
        html_path, eml_path = period_dir / f"{stem}.html", period_dir / f"{stem}.eml"
        memo_cfg = params.memo
        subject = subject_line(memo, memo_cfg.get("subject_prefix", ""))
        msg = build_email(memo, sender=memo_cfg["sender"], to=list(memo_cfg["recipients"]), cc=memo_cfg.get("cc"),
                          subject=subject, sender_name=params.name)
        if workbook is not None and memo_cfg.get("attach_workbook") and workbook.is_file():
            msg.add_attachment(workbook.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=workbook.name)
        eml = msg.as_bytes()
        if html_path.exists():
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(html_path.stat().st_mtime))
            self.say(f"replace  earlier memo of {stamp} ({html_path.name}, {eml_path.name}); sent copies stay in sent/")
        write_atomic(html_path, memo.html_browser)
        write_atomic(eml_path, eml)
        write_atomic(period_dir / f"{stem}.txt", memo.text)
        self.say(f"memo     {html_path} ({memo.html_bytes / 1024:.0f} KB email HTML, {len(memo.images)} charts)")
        self.say(f"email    {eml_path} ({len(eml) / 1024:.0f} KB)")
        result = RunResult(info.name, str(period), True, memo=html_path, eml=eml_path, notebook=nb_path,
                           message=memo.headline)
        if self.opts.email:
            ledger = mail.SentLedger(period_dir)
            # one record per company, memo and language: another company's memo is never "already sent"
            key = f"{params.path.name}:{stem}"
            prior = ledger.entry(key)
            if prior and not self.opts.resend:
                self.say(f"send     skipped: {info.name} {period} was sent on {prior['sent_at']} to {prior['to']} "
                         "(use --resend to send again)")
            else:
                settings = mail.settings_from_env()
                mail.send(msg, settings, say=self.say)
                ledger.record(key, msg, eml)
                # keep exactly what went out: a later re-run replaces NAME.eml, never this copy
                write_atomic(period_dir / "sent" / f"{params.path.stem}-{stem}-{time.strftime('%Y%m%dT%H%M%S')}.eml", eml)
                result.sent = True
                self.say(f"send     sent to {msg['To']} via {settings.host}:{settings.port}")
        return result

    def _export_deck(self, info: NotebookInfo, period: Period, nb_path: Path, params: Params) -> RunResult:
        """A deck (metadata ``"output": "deck"``): .pptx, reveal.js, PDF; ``--email`` sends them to the analyst only."""
        from . import deck

        lang = self.opts.lang or params.language
        stem = info.name if lang == params.language else f"{info.name}.{lang}"
        files = deck.export(nb_path, stem, params, str(period), lang, say=self.say, strict=self.opts.strict)
        result = RunResult(info.name, str(period), True, memo=files.pptx, eml=files.eml, notebook=nb_path,
                           message=files.title)
        if self.opts.email:
            ledger = mail.SentLedger(nb_path.parent)
            key = f"{params.path.name}:{stem}"
            prior = ledger.entry(key)
            if prior and not self.opts.resend:
                self.say(f"send     skipped: {info.name} {period} was sent on {prior['sent_at']} (use --resend to send again)")
            else:
                eml = files.message.as_bytes()
                settings = mail.settings_from_env()
                mail.send(files.message, settings, say=self.say)
                ledger.record(key, files.message, eml)
                result.sent = True
                self.say(f"send     sent to the analyst {files.message['To']} via {settings.host}:{settings.port}")
        return result

    def _alert(self, info: NotebookInfo, period: Period, message: str) -> None:
        """Tell the analyst, never the CEO, that a run failed."""
        from email.message import EmailMessage

        params = self.params()
        msg = EmailMessage()
        msg["Subject"] = f"[cmo-workbook] FAILED: {info.name} {period}"
        msg["From"] = params.memo["sender"]
        msg["To"] = params.memo["analyst"]
        msg.set_content(f"The scheduled run failed; no memo was sent to the CEO.\n\n{message}\n\n"
                        f"Open the failed notebook in JupyterLab to see the error cell.\n")
        try:
            mail.send(msg, mail.settings_from_env(), attempts=2, backoff=1.0, say=self.say)
            self.say(f"alert    sent to analyst {params.memo['analyst']}")
        except CmoWorkbookError as exc:
            self.say(f"alert    could not be sent: {exc}")
