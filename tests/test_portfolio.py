"""Portfolio runs: which companies, exit code and summary, real worker processes, stopping, the portfolio index."""
from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup  # a dependency of nbconvert; the stdlib parser below

from cmo_workbook.delivery import portfolio
from cmo_workbook.delivery.archive import write_portfolio
from cmo_workbook.delivery.portfolio import Company, Outcome
from cmo_workbook.errors import ParamsError
from cmo_workbook.periods import Period

ROOT = Path(__file__).resolve().parents[1]


def _c(slug: str, tmp: Path = Path("/r")) -> Company:
    return Company(slug, tmp / f"{slug}.yaml", tmp / slug)


# --------------------------------------------------------------------------- exit code and summary


@pytest.mark.parametrize("statuses, code", [
    (["ok", "ok"], 0),
    (["ok", "refused"], 2),
    (["refused", "refused"], 2),
    (["ok", "failed", "refused"], 1),
    (["ok", "not run"], 1),
    (["failed"], 1),
])
def test_exit_code_failed_wins_over_refused(statuses, code):
    outcomes = [Outcome(_c(f"c{i}"), s, 0) for i, s in enumerate(statuses)]
    assert portfolio.exit_code(outcomes) == code


def test_summary_line_counts_and_names_what_went_wrong():
    outcomes = [Outcome(_c("kessler"), "ok", 0), Outcome(_c("nord"), "ok", 0),
                Outcome(_c("kessler-2"), "refused", 2, "hubspot_deals.csv, row 8: not a number")]
    assert portfolio.summary("2026-10", outcomes) == (
        "portfolio 2026-10: 2 ok, 0 failed, 1 refused (kessler-2: hubspot_deals.csv, row 8: not a number)")
    outcomes.append(Outcome(_c("sued"), "failed", 1, "kpi_dashboard 2026-10 failed: cell 3"))
    outcomes.append(Outcome(_c("west"), "not run", 1, "not run: the portfolio was stopped by SIGTERM"))
    assert portfolio.summary("2026-10", outcomes) == (
        "portfolio 2026-10: 2 ok, 1 failed, 1 refused, 1 not run (kessler-2: hubspot_deals.csv, row 8: not a number; "
        "sued: kpi_dashboard 2026-10 failed: cell 3; west: not run: the portfolio was stopped by SIGTERM)")


def test_classify_takes_the_error_line_and_its_problem_list():
    lines = ["params   p.yaml: ok (X)", "error: 2 problems in the input data:", "  - deals.csv, row 3: bad",
             "  - leads.csv, row 9: bad", "other"]
    assert portfolio.classify(2, lines) == ("refused", "2 problems in the input data: - deals.csv, row 3: bad "
                                                       "- leads.csv, row 9: bad")
    assert portfolio.classify(1, ["execute  x", "FAILED   kpi_dashboard 2026-10 failed: cell 2 raised KeyError"]) == (
        "failed", "kpi_dashboard 2026-10 failed: cell 2 raised KeyError")
    assert portfolio.classify(-signal.SIGKILL, []) == ("failed", "stopped by SIGKILL")
    assert portfolio.classify(0, ["done     kpi_dashboard"]) == ("ok", "")


# --------------------------------------------------------------------------- which companies


def test_companies_get_their_own_folder_only_when_there_are_several(tmp_path):
    root = tmp_path / "reports"
    one = portfolio.companies([Path("params/example.yaml")], root=root)
    assert [c.reports for c in one] == [root.resolve()]
    two = portfolio.companies([Path("params/Kessler_2.yaml"), Path("params/nord.yaml")], root=root, lang="en")
    assert [(c.slug, c.reports, c.lang) for c in two] == [
        ("kessler-2", (root / "kessler-2").resolve(), "en"), ("nord", (root / "nord").resolve(), "en")]


def test_portfolio_file_paths_relative_to_it_and_own_lang(tmp_path):
    (tmp_path / "cfg").mkdir()
    pf = tmp_path / "cfg" / "portfolio.yaml"
    pf.write_text("companies:\n  - params: ../params/a.yaml\n  - {params: b.yaml, lang: en, reports: out/b}\n"
                  "  - {params: c.yaml, slug: Süd Werk}\n")
    got = portfolio.companies([], pf, root=tmp_path / "reports", lang="de")
    assert [(c.slug, c.params, c.reports, c.lang) for c in got] == [
        ("a", (tmp_path / "params/a.yaml").resolve(), (tmp_path / "reports/a").resolve(), "de"),
        ("b", (tmp_path / "cfg/b.yaml").resolve(), (tmp_path / "cfg/out/b").resolve(), "en"),
        ("sued-werk", (tmp_path / "cfg/c.yaml").resolve(), (tmp_path / "reports/sued-werk").resolve(), "de")]


@pytest.mark.parametrize("text, needle", [
    ("companies: []\n", "expected a list of companies"),
    ("companies:\n  - {file: a.yaml}\n", "company 1: needs 'params: FILE'"),
    ("companies:\n  - {params: a.yaml, language: en}\n", "company 1: unknown key language"),
    ("companies:\n  - {params: a.yaml, lang: fr}\n", "lang must be de or en, not 'fr'"),
    ("companies: [\n", "not valid YAML"),
])
def test_bad_portfolio_file_is_refused_with_the_entry(tmp_path, text, needle):
    pf = tmp_path / "portfolio.yaml"
    pf.write_text(text)
    with pytest.raises(ParamsError, match=needle):
        portfolio.companies([], pf, root=tmp_path)


def test_two_companies_in_one_folder_are_refused(tmp_path):
    with pytest.raises(ParamsError, match=r"a/x\.yaml and .*b/x\.yaml would both write into .*reports/x"):
        portfolio.companies([Path("a/x.yaml"), Path("b/x.yaml")], root=tmp_path / "reports")


def test_worker_command_carries_period_params_reports_lang_and_flags():
    class Args:
        email, dry_run, strict, resend, allow_stale = True, False, True, False, False
        cell_timeout, timeout, log_file = 600, 1800, None

    c = Company("nord", Path("/p/nord.yaml"), Path("/r/nord"), "en")
    cmd = portfolio.worker_command(c, "all", Period.parse("2026-10"), portfolio.flags_of(Args()))
    assert cmd[1:] == ["-m", "cmo_workbook", "run", "all", "--period", "2026-10", "--params", "/p/nord.yaml",
                       "--reports", "/r/nord", "--email", "--strict", "--cell-timeout", "600", "--timeout", "1800",
                       "--lang", "en"]


# --------------------------------------------------------------------------- real worker processes


def _script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "worker.py"
    path.write_text(textwrap.dedent(body))
    return path


def _fake(script: Path):
    """Worker command: a real Python process running ``script`` with the company's slug and folder."""
    return lambda c, name, period, flags: [sys.executable, str(script), c.slug, str(c.reports), str(period)]


def test_every_company_runs_one_failure_stops_none_output_is_prefixed(tmp_path):
    script = _script(tmp_path, """
        import sys
        slug = sys.argv[1]
        print(f"params   {slug}: ok", flush=True)
        if slug == "bad":
            print('error: deals.csv, row 8, column "Amount": "zwölf" is not a number', file=sys.stderr)
            sys.exit(2)
        if slug == "boom":
            print("FAILED   kpi_dashboard 2026-10 failed: cell 3 raised KeyError", flush=True)
            sys.exit(1)
        print(f"done     {sys.argv[3]}")
    """)
    firms = [_c(s, tmp_path) for s in ("a", "bad", "boom", "z")]
    out, err = [], []
    res = portfolio.run(firms, "kpi_dashboard", Period.parse("2026-10"), workers=2, say=out.append,
                        error=err.append, command=_fake(script))
    assert [(o.company.slug, o.status, o.code) for o in res] == [
        ("a", "ok", 0), ("bad", "refused", 2), ("boom", "failed", 1), ("z", "ok", 0)]
    assert res[1].message == 'deals.csv, row 8, column "Amount": "zwölf" is not a number'
    assert res[2].message == "kpi_dashboard 2026-10 failed: cell 3 raised KeyError"
    assert "[z] done     2026-10" in out and "[a] params   a: ok" in out
    assert '[bad] error: deals.csv, row 8, column "Amount": "zwölf" is not a number' in err
    assert portfolio.exit_code(res) == 1


def test_workers_run_at_the_same_time(tmp_path):
    """Each worker waits until the other has started: with two workers both finish, with one the first gives up."""
    script = _script(tmp_path, """
        import sys, time
        from pathlib import Path
        me, other = sys.argv[1], {"a": "b", "b": "a"}[sys.argv[1]]
        flags = Path(sys.argv[2]).parent
        (flags / f"{me}.started").write_text("x")
        for _ in range(400):   # up to 20 s for the other to start
            if (flags / f"{other}.started").exists():
                sys.exit(0)
            time.sleep(0.05)
        print("FAILED   alone: the other company never ran beside this one")
        sys.exit(1)
    """)
    firms = [_c("a", tmp_path), _c("b", tmp_path)]
    res = portfolio.run(firms, "x", Period.parse("2026-10"), workers=2, say=lambda s: None, error=lambda s: None,
                        command=_fake(script))
    assert [o.status for o in res] == ["ok", "ok"]
    for f in tmp_path.glob("*.started"):
        f.unlink()
    res = portfolio.run(firms, "x", Period.parse("2026-10"), workers=1, say=lambda s: None, error=lambda s: None,
                        command=_fake(script))
    assert [o.status for o in res] == ["failed", "ok"]
    assert res[0].message == "alone: the other company never ran beside this one"


def test_sigterm_stops_running_workers_once_and_starts_no_more(tmp_path):
    script = _script(tmp_path, """
        import signal, sys, time
        from pathlib import Path
        got = []
        def stop(signum, frame):
            got.append(signal.Signals(signum).name)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)   # as the runner does after the first signal
        signal.signal(signal.SIGTERM, stop)
        Path(sys.argv[2] + ".started").write_text("x")
        while not got:
            time.sleep(0.05)
        time.sleep(0.3)   # cleaning up: a second SIGTERM now would be ignored, a SIGINT would end it
        print(f"FAILED   {sys.argv[1]}: stopped by {','.join(got)}")
        sys.exit(1)
    """)
    firms = [_c(s, tmp_path) for s in ("a", "b", "c")]

    def send_when_started():
        for _ in range(400):
            if all((tmp_path / f"{s}.started").exists() for s in ("a", "b")):
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(0.05)

    before = signal.getsignal(signal.SIGTERM)
    threading.Thread(target=send_when_started, daemon=True).start()
    res = portfolio.run(firms, "x", Period.parse("2026-10"), workers=2, say=lambda s: None, error=lambda s: None,
                        command=_fake(script))
    assert [(o.status, o.message) for o in res] == [
        ("failed", "a: stopped by SIGTERM"), ("failed", "b: stopped by SIGTERM"),
        ("not run", "not run: the portfolio was stopped by SIGTERM")]
    assert not (tmp_path / "c.started").exists()
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is the caller's again


def test_status_file_round_trip(tmp_path):
    params = tmp_path / "nord.yaml"
    params.write_text("company:\n  name: Nordlicht AG\n")
    c = Company("nord", params, tmp_path / "nord")
    path = portfolio.write_status(tmp_path, "2026-10", "all", [Outcome(c, "refused", 2, "row 8: bad", 1.23)])
    assert path.name == "portfolio-2026-10.json"
    row = portfolio.read_status(tmp_path, "2026-10")["companies"][0]
    assert {k: row[k] for k in ("slug", "name", "status", "code", "message", "seconds")} == {
        "slug": "nord", "name": "Nordlicht AG", "status": "refused", "code": 2, "message": "row 8: bad",
        "seconds": 1.2}
    assert portfolio.read_status(tmp_path, "2026-11") == {}


# --------------------------------------------------------------------------- the portfolio index

_HEADER = "metric,window,window_kind,segment,value,unit,reliable,prev_window,prev_value,py_window,py_value,target\n"


def _store(folder: Path, period: str, rows: list[str]) -> None:
    (folder / period).mkdir(parents=True, exist_ok=True)
    (folder / period / "kpis.csv").write_text(_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")


def _params(path: Path, name: str, language: str) -> Path:
    from cmo_workbook.sample.params import write_params

    return write_params(path, ROOT / "data" / "sample", name=name, language=language)


def test_portfolio_index_reads_each_store_and_the_run_status(tmp_path):
    root = tmp_path / "reports"
    a = _params(tmp_path / "params" / "kessler.yaml", "Kessler <Antriebe> & Co", "de")
    b = _params(tmp_path / "params" / "nord.yaml", "Nordlicht AG", "en")
    bad = tmp_path / "params" / "sued.yaml"
    bad.write_text("company: [this is not a mapping\n")
    firms = portfolio.companies([a, b, bad], root=root)
    ka, kb = firms[0].reports, firms[1].reports
    # Kessler: 211 inquiries (plan 180: 211/180 - 1 = +17.2 % -> better), cost 694.4 per inquiry (plan 450: lower
    # is better, 694.4/450 - 1 = +54.3 % -> worse), pipeline 2.04m (plan 2.2m: 2.04/2.2 - 1 = -7.3 % -> worse);
    # web inquiries flat at 120 for 12 months: the trend reaches the goal of 100 -> on track
    _store(ka, "2026-10", ["qualified_leads,2026-10,month,,211,count,True,2026-09,190,2025-10,170,180",
                           "qualified_leads,2026-10,month,channel=linkedin,40,count,True,,,,,",
                           "cost_per_qualified_lead,2026-10,month,,694.4,eur,True,,,,,450",
                           "marketing_pipeline_value,2026-10,month,,2040000,eur,True,,,,,2200000",
                           "marketing_won_revenue,2026-10/T12M,t12m,,9999999,eur,True,,,,,"]
           + [f"qualified_leads_web,{m},month,,120,count,True,,,,," for m in
              [f"2025-{i:02d}" for i in range(11, 13)] + [f"2026-{i:02d}" for i in range(1, 11)]])
    (ka / "2026-10" / "kpi_dashboard.html").write_text("<html></html>")
    (ka / "2026-10" / "voice_of_customer.html").write_text("<html></html>")
    # Nordlicht: 90 inquiries against a plan of 180; web inquiries falling 60 -> 49: the goal of 100 is off track
    _store(kb, "2026-10", ["qualified_leads,2026-10,month,,90,count,True,,,,,180"]
           + [f"qualified_leads_web,2026-{i:02d},month,,{70 - i},count,True,,,,," for i in range(1, 11)])
    portfolio.write_status(root, "2026-10", "all", [
        Outcome(firms[0], "ok", 0), Outcome(firms[1], "failed", 1, "kpi_dashboard 2026-10 failed: cell 4 <b>"),
        Outcome(firms[2], "refused", 2, "sued.yaml: not valid YAML")])
    said = []
    path = write_portfolio(root, firms, lang="en", history_dir=tmp_path / "history", say=said.append)
    assert path == root / "portfolio-2026-10.html"
    html = path.read_text(encoding="utf-8")
    assert "<style" not in html and "<script" not in html  # e-mail safe: inline styles only
    assert "Kessler &lt;Antriebe&gt; &amp; Co" in html and "cell 4 &lt;b&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    rows = {tr["data-company"]: tr for tr in soup.select("tr[data-company]")}
    assert list(rows) == ["kessler", "nord", "sued"]
    assert [rows[s]["data-status"] for s in rows] == ["ok", "failed", "refused"]
    k = rows["kessler"]
    cells = {td["data-metric"]: td for td in k.select("td[data-metric]")}
    assert float(cells["qualified_leads"]["data-value"]) == 211
    assert cells["qualified_leads"].get_text(" ", strip=True) == "211 Plan 180 +17% · better than plan"
    assert cells["cost_per_qualified_lead"].get_text(" ", strip=True) == "€694 Plan €450 +54% · worse than plan"
    assert cells["marketing_pipeline_value"].get_text(" ", strip=True) == "€2m Plan €2.2m −7% · worse than plan"
    # good green, bad red (IBCS): the colour follows the KPI's direction, not the sign
    assert "#1a7f37" in cells["qualified_leads"].select_one(".verdict")["style"]
    assert "#b42318" in cells["cost_per_qualified_lead"].select_one(".verdict")["style"]
    assert cells["marketing_won_revenue"].get_text(strip=True) == "–"  # only a T12M value: not the month's
    assert [g.get_text() for g in k.select("[data-goal=web_inquiries]")] == [
        "Grow qualified website inquiries to 100 a month by December 2026: on track"]
    assert "#1a7f37" in k.select_one("[data-goal=web_inquiries] span")["style"]  # on track: green
    assert [(a.get_text(), a["href"]) for a in k.select("td a[href$='.html']") if "2026-10" in a["href"]] == [
        ("kpi_dashboard", "kessler/2026-10/kpi_dashboard.html"),
        ("voice_of_customer", "kessler/2026-10/voice_of_customer.html")]
    assert k.select_one("a[href='kessler/index.html']").get_text() == "Kessler <Antriebe> & Co"
    n = rows["nord"]
    assert n.select_one(".status").get_text(" ", strip=True) == "failed kpi_dashboard 2026-10 failed: cell 4 <b>"
    assert n.select_one("td[data-metric=qualified_leads]").get_text(" ", strip=True) == "90 Plan 180 −50% · worse than plan"
    assert [g.get_text() for g in n.select("[data-goal=web_inquiries]")] == [
        "Grow qualified website inquiries to 100 a month by December 2026: off track"]
    assert "#b42318" in n.select_one("[data-goal=web_inquiries] span")["style"]  # off track: red
    s = rows["sued"]
    assert s.select_one(".status").get_text(" ", strip=True) == "refused sued.yaml: not valid YAML"
    assert "no KPI store for the period" in s.get_text()
    assert said[-1] == f"archive  {path} (3 companies: 1 ok, 1 failed, 1 refused)"
    # German on request; the period defaults to the latest portfolio run
    de = BeautifulSoup(write_portfolio(root, firms, lang="de", say=said.append).read_text(), "html.parser")
    assert de.select_one("tr[data-company=nord] .status").get_text(" ", strip=True).startswith("fehlgeschlagen")
    assert de.select_one("td[data-metric=cost_per_qualified_lead]").get_text(" ", strip=True) == (
        "694\u00a0€ Plan 450\u00a0€ +54\u00a0% · schlechter als Plan")  # fmt.money: no break between amount and €


def test_portfolio_index_without_any_run_says_what_to_do(tmp_path):
    from cmo_workbook.errors import InputError

    firms = portfolio.companies([Path("a.yaml"), Path("b.yaml")], root=tmp_path)
    with pytest.raises(InputError, match="no period to index.*give --period"):
        write_portfolio(tmp_path, firms, say=lambda s: None)


# --------------------------------------------------------------------------- one KPI history, several processes


def test_companies_in_parallel_processes_share_the_kpi_history(tmp_path):
    """DuckDB opens a file in one process at a time: portfolio workers take turns instead of failing."""
    import subprocess

    import duckdb

    db = tmp_path / "history" / "kpi_history.duckdb"
    code = textwrap.dedent("""
        import sys
        import pandas as pd
        from pathlib import Path
        from cmo_workbook.metrics import history
        company, db = sys.argv[1], Path(sys.argv[2])
        for i in range(15):
            t = pd.DataFrame({"metric": ["qualified_leads"], "window": [f"2026-{i % 12 + 1:02d}"], "window_kind": ["month"],
                              "segment": [""], "value": [float(i)], "unit": ["count"]})
            history.record(db, company, "2026-10", t)
            history.monthly_history(db, company, ["qualified_leads"], "2026-10")
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    procs = [subprocess.Popen([sys.executable, "-c", code, name, str(db)], env=env, stderr=subprocess.PIPE, text=True)
             for name in ("a: A GmbH", "b: B AG", "c: C KG")]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    counts = duckdb.connect(str(db), read_only=True).sql(
        "select company, count(*) from kpi_values group by company order by company").fetchall()
    assert counts == [("a: A GmbH", 15), ("b: B AG", 15), ("c: C KG", 15)]


# --------------------------------------------------------------------------- command line and sample variants


def test_params_repeat_and_take_several_values_as_a_shell_glob_gives_them():
    from cmo_workbook.cli import build_parser

    args = build_parser().parse_args(["run", "all", "--period", "2026-10", "--params", "a.yaml", "--params", "b.yaml",
                                      "c.yaml", "--workers", "3"])
    assert (args.params, args.workers) == (["a.yaml", "b.yaml", "c.yaml"], 3)


@pytest.mark.parametrize("argv, needle", [
    (["run", "all", "--period", "2026-10", "--params", "a.yaml", "b.yaml", "--workers", "0"],
     "--workers: must be a whole number of at least 1"),
    (["sample-data", "--out", "x", "--break", "budget"], "--break 'budget': choose one of crm/hubspot_deals.csv"),
])
def test_bad_options_are_usage_errors(argv, needle, capsys):
    from cmo_workbook.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2 and needle in capsys.readouterr().err


@pytest.mark.parametrize("extra, needle", [
    (["--log-file", "run.log"], "--log-file names one file, but each company keeps its own log"),
    ([], "would both write into"),
])
def test_portfolio_refused_before_any_worker(tmp_path, monkeypatch, capsys, extra, needle):
    from cmo_workbook.cli import main

    monkeypatch.chdir(tmp_path)
    second = "x/a.yaml" if not extra else "b.yaml"
    assert main(["run", "all", "--period", "2026-10", "--params", "a.yaml", second, "--reports", "r", *extra]) == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_break_file_spoils_exactly_one_cell(tmp_path):
    from cmo_workbook.sample.variants import break_file

    (tmp_path / "crm").mkdir()
    deals = tmp_path / "crm" / "hubspot_deals.csv"
    lines = ["Record ID,Amount,Close Date"] + [f"{i},{1000 * i}.00,2026-10-0{i % 9 + 1}" for i in range(1, 11)]
    deals.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert break_file(tmp_path, "deals") == (deals, "Amount", 8)
    after = deals.read_bytes().decode("utf-8").split("\r\n")  # CRLF as exports have it
    assert [i for i, (a, b) in enumerate(zip(lines, after)) if a != b] == [7]
    assert after[7] == "7,zwölftausend,2026-10-08"  # spreadsheet row 8 = data row 7
    with pytest.raises(ValueError, match="choose one of"):
        break_file(tmp_path, "budget/marketingkosten.xlsx")


def test_params_of_a_generated_company(tmp_path):
    from cmo_workbook.inputs.params import load_params

    data = tmp_path / "data" / "nord"
    path = _params(tmp_path / "cfg" / "nord.yaml", "Nordlicht Fördertechnik AG", "en")
    p = load_params(path, check_files=False)
    assert (p.name, p.language) == ("Nordlicht Fördertechnik AG", "en")
    assert p.memo["recipients"] == ["ceo@nordlicht-foerdertechnik-ag.example"]
    raw = p.raw
    assert (path.parent / raw["data"]["dir"]).resolve() == (ROOT / "data" / "sample").resolve()
    assert (path.parent / raw["voc"]["taxonomy"]).resolve() == (ROOT / "params" / "voc_taxonomy.yaml").resolve()
    assert not data.exists()


@pytest.mark.parametrize(("metric", "value", "target", "verdict", "shown"), [
    # a cost per inquiry 0.4 % over plan prints "+0 %": on plan, neither red nor green (449.0/450 - 1 = -0.2 % too)
    ("cost_per_qualified_lead", 451.8, 450, "at_plan", ""),
    ("cost_per_qualified_lead", 449.0, 450, "at_plan", ""),
    # 20 % cheaper than plan is better; 20 % more inquiries than plan is better, 20 % fewer worse
    ("cost_per_qualified_lead", 360.0, 450, "better_plan", "−20%"),
    ("qualified_leads", 216, 180, "better_plan", "+20%"),
    ("qualified_leads", 144, 180, "worse_plan", "−20%"),
])
def test_portfolio_kpi_verdict_follows_the_kpis_direction(metric, value, target, verdict, shown):
    import pandas as pd

    from cmo_workbook.delivery.archive import company_kpis
    from cmo_workbook.metrics.catalogue import catalogue

    table = pd.DataFrame([{"metric": metric, "window": "2026-10", "segment": "", "value": value, "unit": "",
                           "target": target}])
    cell = next(c for c in company_kpis(table, "2026-10", "en", "EUR", catalogue({})) if c.metric == metric)
    assert (cell.verdict, cell.variance_text if verdict != "at_plan" else "") == (verdict, shown)
