"""Portfolio runs: the same ``run`` for several companies, in parallel worker processes.

Each company is one ``cmo-workbook run`` in its own process (the existing runner with its
pre-flight, lock, log, signal handling and alerts), into its own reports folder
(``REPORTS/<company-slug>/`` when there are several). One company's failure never stops
the others. The outcome of every company goes to ``REPORTS/portfolio-<period>.json`` (read
by ``archive`` for the portfolio index) and into one summary line; the exit code is 1 when
any company failed, 2 when any was refused (bad params or data) and none failed, else 0.

Ctrl-C or SIGTERM stops the portfolio: no further company starts, each running worker gets
one SIGTERM (its runner kills its kernels, keeps the failed notebook and alerts as for a
single run); a second Ctrl-C ends the workers at once. Workers run in their own process group,
so a Ctrl-C in the terminal reaches them only through this forwarding, exactly once.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import yaml

from ..errors import ParamsError
from ..periods import Period

STATUS_OK, STATUS_FAILED, STATUS_REFUSED, STATUS_NOT_RUN = "ok", "failed", "refused", "not run"
_PORTFOLIO_KEYS = {"params", "reports", "lang", "slug"}


@dataclass(frozen=True)
class Company:
    """One company of a portfolio: its params file, reports folder and optional memo language."""

    slug: str
    params: Path
    reports: Path
    lang: str | None = None


@dataclass
class Outcome:
    """How one company's run ended: ``status`` ok / failed / refused / not run, the worker's exit code and why."""

    company: Company
    status: str
    code: int
    message: str = ""
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list, repr=False)


def slug(text: str) -> str:
    """'Kessler Antriebstechnik' or 'kessler_2' -> 'kessler-antriebstechnik', 'kessler-2' (folder-safe ASCII)."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "company"


def company_name(params: Path) -> str:
    """``company.name`` of a params file, read leniently (a broken file still gets a line in the index)."""
    try:
        raw = yaml.safe_load(Path(params).read_text(encoding="utf-8"))
        name = (raw.get("company") or {}).get("name") if isinstance(raw, dict) else None
        return str(name) if name else Path(params).stem
    except (OSError, ValueError, yaml.YAMLError, AttributeError):
        return Path(params).stem


# --------------------------------------------------------------------------- which companies


def read_portfolio(path: Path) -> list[dict[str, Any]]:
    """The entries of a portfolio file (``companies:`` list, or a bare list), paths relative to the file.

    Each entry: ``params`` (required), ``reports`` (folder), ``lang`` (de/en), ``slug`` (folder name).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(f"portfolio file {path} does not exist; write one with a list of companies, e.g. "
                          "companies: [{params: params/acme.yaml}, {params: params/beta.yaml, lang: en}]") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"portfolio file {path} is not valid YAML ({exc}); fix the line it names") from None
    entries = raw.get("companies") if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        raise ParamsError(f"portfolio file {path}: expected a list of companies under 'companies:', e.g. "
                          "companies: [{params: params/acme.yaml}]")
    out = []
    for i, e in enumerate(entries, 1):
        where = f"portfolio file {path}, company {i}"
        if isinstance(e, str):
            e = {"params": e}
        if not isinstance(e, dict) or not e.get("params"):
            raise ParamsError(f"{where}: needs 'params: FILE' (the company's params YAML)")
        unknown = sorted(set(e) - _PORTFOLIO_KEYS)
        if unknown:
            raise ParamsError(f"{where}: unknown key {', '.join(unknown)}; allowed: {', '.join(sorted(_PORTFOLIO_KEYS))}")
        if e.get("lang") not in (None, "de", "en"):
            raise ParamsError(f"{where}: lang must be de or en, not {e['lang']!r}")
        entry = {"params": (path.parent / str(e["params"])).resolve(), "lang": e.get("lang"),
                 "reports": (path.parent / str(e["reports"])).resolve() if e.get("reports") else None,
                 "slug": slug(str(e["slug"])) if e.get("slug") else None}
        out.append(entry)
    return out


def companies(params: Sequence[Path] = (), portfolio: Path | None = None, *, root: Path,
              lang: str | None = None) -> list[Company]:
    """The companies of ``--params`` files and a ``--portfolio`` file, each with its reports folder.

    Several companies: ``root/<slug>/`` unless the portfolio names a folder; one company: ``root`` itself
    (as a single run). The slug is the params file's name (``params/kessler-2.yaml`` -> ``kessler-2``).
    Two companies with the same folder are refused before anything runs.
    """
    entries = [{"params": Path(p).resolve(), "lang": None, "reports": None, "slug": None} for p in params]
    if portfolio is not None:
        entries += read_portfolio(portfolio)
    if not entries:
        raise ParamsError("no company given: name params files with --params or a portfolio file with --portfolio")
    single = len(entries) == 1
    out, seen = [], {}
    for e in entries:
        s = e["slug"] or slug(e["params"].stem)
        folder = Path(e["reports"] or (root if single else root / s)).resolve()
        if folder in seen:
            raise ParamsError(f"{seen[folder]} and {e['params']} would both write into {folder}; give one of them its "
                              "own reports: folder (or slug:) in the portfolio file, or rename a params file")
        seen[folder] = e["params"]
        out.append(Company(s, e["params"], folder, e["lang"] or lang))
    return out


# --------------------------------------------------------------------------- outcome, exit code, summary


def classify(code: int, lines: Sequence[str], stopped: str | None = None) -> tuple[str, str]:
    """(status, message) of a worker from its exit code and output: 0 ok, 2 refused, anything else failed."""
    status = STATUS_OK if code == 0 else STATUS_REFUSED if code == 2 else STATUS_FAILED
    message = ""
    for i, line in enumerate(lines):
        if line.startswith("error: "):
            rest = [ln.strip() for ln in lines[i + 1:i + 4] if ln.startswith("  - ")]
            message = " ".join([line[len("error: "):].strip(), *rest])
            break
    if not message and code != 0:
        message = next((ln.split(None, 1)[1].strip() for ln in lines if ln.startswith("FAILED") and " " in ln), "")
    if not message and code < 0:
        message = f"stopped by {signal.Signals(-code).name}" if -code in signal.valid_signals() else f"signal {-code}"
    if not message and code != 0:
        message = stopped and f"stopped by {stopped}" or f"exit code {code}"
    return status, message


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """1 when any company failed (or was not run), else 2 when any was refused, else 0."""
    statuses = {o.status for o in outcomes}
    if statuses & {STATUS_FAILED, STATUS_NOT_RUN}:
        return 1
    return 2 if STATUS_REFUSED in statuses else 0


def summary(period: str, outcomes: Sequence[Outcome]) -> str:
    """``portfolio 2026-10: 2 ok, 0 failed, 1 refused (kessler-2: hubspot_deals.csv, row 8, ...)``."""
    n = {s: sum(o.status == s for o in outcomes) for s in (STATUS_OK, STATUS_FAILED, STATUS_REFUSED, STATUS_NOT_RUN)}
    text = f"portfolio {period}: {n[STATUS_OK]} ok, {n[STATUS_FAILED]} failed, {n[STATUS_REFUSED]} refused"
    if n[STATUS_NOT_RUN]:
        text += f", {n[STATUS_NOT_RUN]} not run"
    bad = [f"{o.company.slug}: {o.message or o.status}" for o in outcomes if o.status != STATUS_OK]
    return text + (f" ({'; '.join(bad)})" if bad else "")


def status_path(root: Path, period: str) -> Path:
    return Path(root) / f"portfolio-{period}.json"


def write_status(root: Path, period: str, name: str, outcomes: Sequence[Outcome]) -> Path:
    """``REPORTS/portfolio-<period>.json``: every company's outcome, for the portfolio index."""
    rows = []
    for o in outcomes:
        c = asdict(o.company)
        c.update(params=str(o.company.params), reports=str(o.company.reports), name=company_name(o.company.params),
                 status=o.status, code=o.code, message=o.message, seconds=round(o.seconds, 1))
        rows.append(c)
    data = {"period": period, "run": name, "finished_at": time.strftime("%Y-%m-%d %H:%M:%S"), "companies": rows}
    path = status_path(root, period)
    # imported here: render.export pulls in nbconvert, and Airflow's DAG files import this module (slug) at every parse
    from ..render.export import write_atomic

    write_atomic(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return path


def read_status(root: Path, period: str) -> dict[str, Any]:
    """The outcome file of ``period`` (empty when no portfolio run wrote one)."""
    path = status_path(root, period)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# --------------------------------------------------------------------------- the workers


def resolve_period(name: str, period: Period | None, kind: str | None, kinds: dict[str, str],
                   today: Any = None) -> Period:
    """The one period every company runs: ``--period``, else the last complete month/quarter of the notebook
    (``run NAME``) or of ``--kind`` (``run all``), fixed once so that all companies agree even across midnight."""
    if period is not None:
        return period
    k = kind if name == "all" else kinds.get(name)
    if k is None:
        from ..errors import InputError

        raise InputError("run all needs --period or --kind: e.g. --period 2026-10 (monthly notebooks), --period 2026-Q3 "
                         "(quarterly) or --kind month" if name == "all" else
                         f'unknown notebook "{name}"; available: {", ".join(kinds)}')
    return Period.last_complete(k, today)


def worker_command(company: Company, name: str, period: Period, flags: Sequence[str]) -> list[str]:
    """The ``cmo-workbook run`` of one company (same interpreter, same flags, its own params/reports/lang)."""
    cmd = [sys.executable, "-m", "cmo_workbook", "run", name, "--period", str(period), "--params", str(company.params),
           "--reports", str(company.reports), *flags]
    if company.lang:
        cmd += ["--lang", company.lang]
    return cmd


def flags_of(args: Any) -> list[str]:
    """The run options every worker gets (everything but --params, --portfolio, --reports, --lang, --period)."""
    flags = []
    for attr, flag in (("email", "--email"), ("dry_run", "--dry-run"), ("strict", "--strict"), ("resend", "--resend"),
                       ("allow_stale", "--allow-stale")):
        if getattr(args, attr, False):
            flags.append(flag)
    for attr, flag in (("cell_timeout", "--cell-timeout"), ("timeout", "--timeout"), ("log_file", "--log-file")):
        value = getattr(args, attr, None)
        if value is not None:
            flags += [flag, str(value)]
    return flags


class _Worker:
    """One running company: its process and two threads that prefix and relay its output line by line."""

    def __init__(self, company: Company, cmd: list[str], env: dict[str, str], out: Callable[[str, bool], None]):
        self.company = company
        self.started = time.monotonic()
        self.lines: list[str] = []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env=env, text=True, encoding="utf-8", errors="replace", bufsize=1,
                                     process_group=0)
        self.threads = [threading.Thread(target=self._relay, args=(stream, err, out), daemon=True)
                        for stream, err in ((self.proc.stdout, False), (self.proc.stderr, True))]
        for t in self.threads:
            t.start()

    def _relay(self, stream: Any, err: bool, out: Callable[[str, bool], None]) -> None:
        for line in stream:
            line = line.rstrip("\n")
            self.lines.append(line)
            out(f"[{self.company.slug}] {line}", err)
        stream.close()

    def signal(self, sig: int) -> None:
        try:
            self.proc.send_signal(sig)
        except ProcessLookupError:
            pass

    def finish(self, stopped: str | None) -> Outcome:
        for t in self.threads:
            t.join()
        code = self.proc.returncode
        status, message = classify(code, self.lines, stopped)
        return Outcome(self.company, status, code, message, time.monotonic() - self.started, self.lines)


@contextmanager
def _stop_signals(on_signal: Callable[[int], None]) -> Iterator[None]:
    """SIGTERM/SIGINT call ``on_signal`` instead of ending this process (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, lambda signum, frame: on_signal(signum)) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run(companies: Sequence[Company], name: str, period: Period, *, flags: Sequence[str] = (),
        workers: int | None = None, say: Callable[[str], None] = print,
        error: Callable[[str], None] | None = None, env: dict[str, str] | None = None,
        command: Callable[[Company, str, Period, Sequence[str]], list[str]] = worker_command) -> list[Outcome]:
    """Run ``name`` for ``period`` for every company, at most ``workers`` at a time; outcomes in the given order."""
    error = error or (lambda line: print(line, file=sys.stderr, flush=True))
    workers = max(1, min(workers or os.cpu_count() or 1, len(companies)))
    base_env = dict(os.environ if env is None else env)
    base_env.setdefault("PYTHONUNBUFFERED", "1")
    from .project import project_dir

    base_env.setdefault("CMO_PROJECT_DIR", str(project_dir()))
    lock = threading.Lock()

    def out(line: str, err: bool) -> None:
        with lock:
            (error if err else say)(line)

    pending = deque(companies)
    running: list[_Worker] = []
    done: dict[Company, Outcome] = {}
    stop: dict[str, Any] = {"by": None, "count": 0}

    def on_signal(signum: int) -> None:
        stop["count"] += 1
        stop["by"] = stop["by"] or signal.Signals(signum).name
        # the first signal: one SIGTERM per worker (its runner stops cleanly); a second: SIGINT ends them at once
        for w in list(running):
            w.signal(signal.SIGTERM if stop["count"] == 1 else signal.SIGINT)

    say(f"portfolio {period}: {len(companies)} companies, {workers} workers, run {name}")
    with _stop_signals(on_signal):
        while pending or running:
            while pending and len(running) < workers and not stop["by"]:
                c = pending.popleft()
                running.append(_Worker(c, command(c, name, period, flags), base_env, out))
                if stop["by"]:  # the signal came while this one started: it gets its SIGTERM too
                    running[-1].signal(signal.SIGTERM)
            if stop["by"] and pending:
                for c in pending:
                    done[c] = Outcome(c, STATUS_NOT_RUN, 1, f"not run: the portfolio was stopped by {stop['by']}")
                pending.clear()
            for w in [w for w in running if w.proc.poll() is not None]:
                running.remove(w)
                o = done[w.company] = w.finish(stop["by"])
                out(f"{o.status:8s} {w.company.slug} ({o.seconds:.1f} s){': ' + o.message if o.message else ''}",
                    o.status != STATUS_OK)
            time.sleep(0.05)
    return [done[c] for c in companies]
