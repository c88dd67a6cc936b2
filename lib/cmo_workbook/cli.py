"""Command line: ``cmo-workbook run|validate|send|sample-data|preview|taxonomy|archive|list``.

Exit codes: 0 success; 2 bad params or data (nothing executed); 1 a run failed
(cell error, timeout, dead kernel, SMTP) or another run holds the period's lock.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from .errors import CmoWorkbookError, InputError
from .periods import Period
from .render.i18n import languages

DEFAULT_PARAMS = "params/example.yaml"
_log = logging.getLogger("cmo_workbook.run")  # the run's log file only: the terminal gets print()
_log.propagate = False
_log.addHandler(logging.NullHandler())


def _say(line: str) -> None:
    """One progress line: to the terminal (cron mail, journald) and to the run's log file."""
    print(line, flush=True)
    _log.info(line)


def _error(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
    _log.error(line)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cmo-workbook")
    except PackageNotFoundError:  # running from a checkout without install
        return "unknown"


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, e.g. 2 (got {text!r})")
    return n


def _companies_args(parser: argparse.ArgumentParser, several: str) -> None:
    """``--params`` (one or more files: shell globs work) and ``--portfolio FILE``."""
    parser.add_argument("--params", action="extend", nargs="+", metavar="YAML",
                        help=f"company params YAML, one or more (default {DEFAULT_PARAMS}); {several}")
    parser.add_argument("--portfolio", type=Path, metavar="YAML",
                        help="a list of companies: companies: [{params: FILE, reports: DIR, lang: de|en}, ...]")


def _several(args: argparse.Namespace) -> bool:
    """True for a portfolio (several --params or --portfolio); else ``args.params`` becomes the one file."""
    if args.portfolio is not None or len(args.params or []) > 1:
        return True
    args.params = (args.params or [DEFAULT_PARAMS])[0]
    return False


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cmo-workbook", description="Marketing memos for the CEO from your CRM and ad exports.")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    ops = argparse.ArgumentParser(add_help=False)
    ops.add_argument("--env-file", type=Path,
                     help="read CMO_* settings from this file (KEY=VALUE lines; parsed, not sourced: quotes, & and "
                          "spaces in values work)")

    run = sub.add_parser("run", parents=[ops], help="execute a notebook (or 'all' of a cadence) and write its memo")
    run.add_argument("name", help="notebook name (e.g. kpi_dashboard) or 'all'")
    run.add_argument("--period", type=_period, help="YYYY-MM or YYYY-QN; default: the last complete month/quarter")
    run.add_argument("--kind", choices=("month", "quarter"),
                     help="with 'all' and no --period: the last complete month or quarter")
    _companies_args(run, "several run in parallel, each into REPORTS/<params-file-name>/")
    run.add_argument("--workers", type=_positive, help="portfolio: companies at a time (default: the number of cores)")
    run.add_argument("--lang", choices=languages(), help="memo language (default: company.language)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--email", action="store_true", help="send the memo by SMTP (settings from CMO_SMTP_*)")
    mode.add_argument("--dry-run", action="store_true", help="write the .eml but send nothing (default)")
    run.add_argument("--strict", action="store_true",
                     help="fail when a memo has untranslated jargon or a change without a so-what")
    run.add_argument("--resend", action="store_true", help="send again although this period's memo was sent")
    run.add_argument("--allow-stale", action="store_true",
                     help="run although no input has activity in the period (the data note names the gaps)")
    run.add_argument("--cell-timeout", type=int, default=600, help="seconds per cell (default 600)")
    run.add_argument("--timeout", type=int, default=1800, help="seconds per notebook, outer limit (default 1800)")
    run.add_argument("--reports", type=Path, help="output folder (default: reports/ in the project)")
    run.add_argument("--log-file", type=Path,
                     help="the run's own log, rotated at 1 MB (default: REPORTS/cmo-workbook.log; none under systemd, "
                          "where journald keeps the output; '-' for none)")

    val = sub.add_parser("validate", parents=[ops], help="check params and every input file without starting a kernel",
                         description="Check the params file and every input file without starting a kernel: prints "
                                     "the files, a data-health profile per table and the notes the memos' data notes "
                                     "will carry (e.g. no first-contact dates, so no SLA rate); ends with 'ok' only "
                                     "when everything passed, else exits 2 with file, row, column and the params key "
                                     "that fixes it.")
    val.add_argument("--params", default=DEFAULT_PARAMS, help="the company's params file (default: %(default)s)")

    sd = sub.add_parser("sample-data", help="write the bundled sample company's data (deterministic)")
    sd.add_argument("--out", type=Path, default=Path("data/sample"))
    sd.add_argument("--seed", type=int, default=None)
    sd.add_argument("--variant", choices=("default", "raw"), default="default",
                    help="raw: real-export traits (status-only leads, source-only deals, empty amounts)")
    sd.add_argument("--break", dest="broken", metavar="FILE",
                    help="spoil one file on purpose (deals: a text in the amount column; leads: in a date)")
    sd.add_argument("--params-out", type=Path, metavar="YAML", help="also write a params file for this data")
    sd.add_argument("--company-name", help="company.name in --params-out (default: the sample company)")
    sd.add_argument("--language", choices=languages(), help="company.language in --params-out (default de)")

    pv = sub.add_parser("preview", help="render memos to PNG with headless Chromium")
    pv.add_argument("paths", nargs="*", type=Path, help="memo .html files (default: all in reports/)")

    snd = sub.add_parser("send", parents=[ops],
                         help="send the memos a run without --email wrote for a period (NAME.eml), once each (sent-ledger)")
    snd.add_argument("--period", type=_period, required=True, help="YYYY-MM or YYYY-QN: every memo of its cadence")
    snd.add_argument("--params", default=DEFAULT_PARAMS)
    snd.add_argument("--lang", choices=languages(), help="the memos' language (default: company.language)")
    snd.add_argument("--reports", type=Path, help="reports folder (default: reports/ in the project)")
    snd.add_argument("--resend", action="store_true", help="send again what this period's ledger records as sent")

    _taxonomy_parser(sub)
    ar = sub.add_parser("archive", help="write reports/index.html: every memo by period, sent status, KPI history")
    _companies_args(ar, "several also write REPORTS/portfolio-PERIOD.html")
    ar.add_argument("--reports", type=Path, help="reports folder (default: reports/ in the project)")
    ar.add_argument("--period", type=_period, help="portfolio index: the period (default: the latest portfolio run)")
    ar.add_argument("--lang", choices=languages(), help="portfolio index language (default: the first company's)")

    sub.add_parser("list", help="list the notebooks and their cadence")
    sub.add_parser("install-kernel", help="register this environment as the Jupyter kernel 'cmo-workbook'")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.raiseExceptions = False  # a full disk under the log file must not print tracebacks
    # ipykernel >= 7.3 warns about TCP without encryption on every start; harmless on localhost.
    warnings.filterwarnings("ignore", message=".*running over TCP.*")
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    try:
        if getattr(args, "env_file", None):
            from .delivery.operator import load_env_file

            load_env_file(args.env_file, say=_say)
        if args.command == "run":
            return _run_portfolio(args) if _several(args) else _run(args)
        return _dispatch(args)
    except InputError as exc:
        _error(f"error: {exc}")
        return 2
    except CmoWorkbookError as exc:
        _error(f"error: {exc}")
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        from .delivery import preflight, project
        from .inputs.params import load_params
        from .inputs.validate import validate
        from .voc.onboarding import coverage_warnings, taxonomy_notes

        # first what needs the notebooks and the KPI list (goal metrics, notebooks:, memo.by_notebook), then the data
        notebooks = {n: i.path for n, i in project.discover(project.project_dir() / "notebooks").items()}
        for check in preflight.CHECKS:
            check(load_params(args.params), notebooks)
        return validate(Path(args.params), say=_say, checks=[coverage_warnings], notes=[taxonomy_notes])
    if args.command == "taxonomy":
        return _taxonomy(args)
    if args.command == "sample-data":
        from .sample import generate as sample_data

        argv = ["--out", str(args.out), "--variant", args.variant]
        for flag, value in (("--seed", args.seed), ("--break", args.broken), ("--params-out", args.params_out),
                            ("--company-name", args.company_name), ("--language", args.language)):
            argv += [flag, str(value)] if value is not None else []
        return sample_data.main(argv) or 0
    if args.command == "preview":
        from .delivery.preview import preview_all

        return preview_all(args.paths, say=_say)
    if args.command == "install-kernel":
        from .delivery.kernel import install

        _say(f"kernel   cmo-workbook installed in {install()}")
        return 0
    if args.command == "archive" and _several(args):
        from .delivery.archive import write_portfolio
        from .delivery.portfolio import companies
        from .delivery.project import project_dir

        root = (args.reports or project_dir() / "reports").resolve()
        write_portfolio(root, companies([Path(p) for p in args.params or []], args.portfolio, root=root),
                        period=str(args.period) if args.period else None, lang=args.lang,
                        history_dir=project_dir() / "history", say=_say)
        return 0
    if args.command == "archive":
        from .delivery.archive import write_index
        from .delivery.project import project_dir
        from .inputs.params import load_params
        from .metrics.history import history_path

        params = load_params(args.params, check_files=False)
        write_index((args.reports or project_dir() / "reports").resolve(), params,
                    history_path(params, project_dir() / "history"), say=_say)
        return 0
    if args.command == "send":
        from .delivery.runner import Runner, RunOptions

        runner = Runner(RunOptions(params_path=Path(args.params), period=args.period, lang=args.lang, email=True,
                                   resend=args.resend, reports_dir=args.reports), say=_say)
        results = runner.send_exported(args.period)
        for r in results:
            _say(f"{'sent' if r.sent else 'skipped':8s} {r.name} {r.period}: {r.message}" if r.ok else
                 f"FAILED   {r.name} {r.period}: {r.message}")
        failed = [(r.name, r.period, r.message) for r in results if not r.ok]
        if failed:  # some recipients refused: the analyst hears of it like of a failed run (exit 1)
            from .delivery.runner import send_alert

            send_alert(failed, runner.params(), Path(args.params), runner.reports_dir, say=_say)
            return 1
        return 0
    if args.command == "list":
        from .delivery.runner import Runner, RunOptions

        r = Runner(RunOptions(params_path=Path(DEFAULT_PARAMS)), say=_say)
        for info in r.available.values():
            _say(f"{info.name:24s} {info.cadence:10s} {info.title}")
        return 0
    return _run(args)


def _taxonomy_parser(sub: Any) -> None:
    """``cmo-workbook taxonomy suggest|promote``: the VoC taxonomy from the company's own feedback."""
    tx = sub.add_parser("taxonomy", help="draft the VoC taxonomy from your feedback, or promote a discovered topic")
    tsub = tx.add_subparsers(dest="taxonomy_command", required=True)
    sg = tsub.add_parser("suggest", help="draft a taxonomy (themes, de/en labels, terms) from the feedback")
    sg.add_argument("--params", default=DEFAULT_PARAMS)
    sg.add_argument("--out", type=Path, help="write the draft YAML here (default: print it)")
    sg.add_argument("--themes", type=int, default=8, help="number of themes to draft (default 8)")
    pr = tsub.add_parser("promote", help="add a new/rising topic of a month's memo to the params' taxonomy")
    pr.add_argument("--params", default=DEFAULT_PARAMS)
    pr.add_argument("--period", type=_period, required=True, help="the memo's month, e.g. 2026-10")
    pr.add_argument("--topic", default="T1", help="topic id from the analyst cell res.topics (default T1)")
    pr.add_argument("--key", help="theme key (default: from the topic's first term)")
    pr.add_argument("--label-de")
    pr.add_argument("--label-en")
    pr.add_argument("--owner", default="marketing")
    pr.add_argument("--signal-type", default="complaint")


def _taxonomy(args: argparse.Namespace) -> int:
    from .inputs.loaders import load_dataset
    from .inputs.params import load_params
    from .voc import onboarding

    params = load_params(Path(args.params))
    feedback = load_dataset(params, ["feedback"]).feedback
    if args.taxonomy_command == "suggest":
        draft = onboarding.suggest_taxonomy(feedback, n_themes=args.themes, base=onboarding.taxonomy_path(params))
        text = onboarding.dump_draft(draft, len(feedback))
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            rep = onboarding.coverage_report(feedback, args.out)
            _say(f"draft    {args.out}: {len(draft['themes'])} themes, covering {rep['coverage']:.0%} of "
                 f"{rep['n']:,} items; edit it, then set voc.taxonomy in {args.params}")
        else:
            print(text, end="")
        return 0
    from .voc import analyse

    if args.period.kind != "month":
        raise InputError(f"--period {args.period} is a quarter; topics are found per month (e.g. 2026-10)")
    path = onboarding.taxonomy_path(params)
    res = analyse(feedback, month=str(args.period), taxonomy=path, lang=params.language)
    rows = res.topics.loc[res.topics["topic"] == args.topic]
    if rows.empty:
        found = ", ".join(f"{t.topic} ({t.label})" for t in res.topics.itertuples()) or "none"
        raise InputError(f"topic {args.topic} is not among the new/rising topics of {args.period}: {found}")
    row = rows.iloc[0].to_dict()
    langs = sorted(set(res.items.loc[res.items["feedback_id"].isin(row["member_ids"]), "language"]) & {"de", "en"})
    version = onboarding.promote(path, row, key=args.key, label_de=args.label_de, label_en=args.label_en,
                                 owner=args.owner, signal_type=args.signal_type, languages=langs or ("de", "en"))
    _say(f"promoted {args.topic} ({row['label']}) into {path} as a theme; taxonomy version {version}")
    return 0


def _run_portfolio(args: argparse.Namespace) -> int:
    """``run`` for several companies: one worker process each; exit 1 if any failed, else 2 if any refused."""
    from .delivery import portfolio, project

    root = (args.reports or project.project_dir() / "reports").resolve()
    firms = portfolio.companies([Path(p) for p in args.params or []], args.portfolio, root=root, lang=args.lang)
    if args.log_file is not None and str(args.log_file) != "-" and len(firms) > 1:
        raise InputError("--log-file names one file, but each company keeps its own log (REPORTS/<company>/"
                         "cmo-workbook.log); leave --log-file out, or give --log-file - for none")
    kinds = {n: i.kind for n, i in project.discover(project.project_dir() / "notebooks").items()}
    period = portfolio.resolve_period(args.name, args.period, args.kind, kinds)
    outcomes = portfolio.run(firms, args.name, period, flags=portfolio.flags_of(args), workers=args.workers,
                             say=_say, error=_error)
    portfolio.write_status(root, str(period), args.name, outcomes)
    code = portfolio.exit_code(outcomes)
    (_say if code == 0 else _error)(portfolio.summary(str(period), outcomes))
    return code


def _run(args: argparse.Namespace) -> int:
    """One scheduled or manual run; with --email every failure (exit 1 or 2) sends exactly one alert."""
    from .delivery import operator
    from .delivery.runner import Interrupted, Runner, RunOptions, send_alert, send_pending_alerts, stop_on_signals

    failures: list[tuple[str, str, str]] = []
    runner = None
    code = 0
    with stop_on_signals():
        try:
            opts = RunOptions(params_path=Path(args.params), period=args.period, lang=args.lang, email=args.email,
                              dry_run=args.dry_run, resend=args.resend, cell_timeout=args.cell_timeout,
                              total_timeout=args.timeout, reports_dir=args.reports, strict=args.strict,
                              allow_stale=args.allow_stale)
            runner = Runner(opts, say=_say)
            _open_log(args, runner.reports_dir, operator)
            _log.info("start    cmo-workbook %s: %s", _version(), " ".join(sys.argv[1:]) or "run")
            if args.email:
                send_pending_alerts(runner.reports_dir, say=_say)
            code = _run_notebooks(args, runner, failures)
        except Interrupted as exc:
            failures.append((args.name, str(args.period or args.kind or ""), str(exc)))
            _error(f"FAILED   {args.name}: {exc}")
            code = 1
        except CmoWorkbookError as exc:
            failures.append((args.name, str(args.period or args.kind or ""), str(exc)))
            _error(f"error: {exc}")
            code = exc.exit_code
        except Exception as exc:  # a bug: say it plainly, keep the traceback in the log, alert like any failure
            _log.exception("internal error")
            failures.append((args.name, str(args.period or args.kind or ""), f"internal error: {type(exc).__name__}: {exc}"))
            _error(f"error: internal error ({type(exc).__name__}: {exc}); the traceback is in the log; "
                   "please report it with the command you ran")
            code = 1
        if failures and args.email:
            try:
                send_alert(failures, runner._params if runner else None, Path(args.params),
                           runner.reports_dir if runner else None, say=_say)
            except Interrupted:
                pass
    return code


def _open_log(args: argparse.Namespace, reports_dir: Path, operator) -> None:
    if args.log_file is not None:
        path = None if str(args.log_file) == "-" else args.log_file
    else:
        path = None if operator.under_systemd() else reports_dir / "cmo-workbook.log"
    if path is not None and path.exists() and path.is_dir():
        path = path / "cmo-workbook.log"
    operator.setup_log(path, say=_say)


def _run_notebooks(args: argparse.Namespace, runner, failures: list[tuple[str, str, str]]) -> int:
    if args.name != "all":
        try:
            result = runner.run(args.name)
        except CmoWorkbookError as exc:
            if not isinstance(exc, InputError):
                failures.append((args.name, str(args.period or ""), str(exc)))
                _error(f"error: {exc}")
                return 1
            raise
        _say(f"done     {result.name} {result.period} in {result.seconds:.1f} s: {result.memo}")
        return 0
    if args.period is None and args.kind is None:
        raise InputError("run all needs --period or --kind: a month (e.g. --period 2026-10) runs the monthly notebooks, "
                         "a quarter (e.g. --period 2026-Q3) the quarterly ones; --kind month takes the last complete month")
    kind = args.period.kind if args.period else args.kind
    results = runner.run_all(kind)
    if not results:
        _say(f"nothing to run: no {kind}ly notebooks in notebooks/")
    for r in results:
        if r.skipped:  # a table the notebook needs is not configured: said once, not a failure, no memo
            _say(f"skipped  {r.name} {r.period}: {r.message}")
            continue
        _say(f"{'ok' if r.ok else 'FAILED':8s} {r.name} {r.period} ({r.seconds:.1f} s): {r.memo if r.ok else r.message}")
        if not r.ok:
            failures.append((r.name, r.period, r.message))
    ran, skipped = sum(not r.skipped for r in results), sum(r.skipped for r in results)
    if skipped:
        _say(f"summary  {ran - len(failures)} of {ran} run ok, {len(failures)} failed, {skipped} skipped "
             "(input not configured)")
    return 1 if failures else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
