"""Acceptance of issue 13 (portfolio): three companies, the sample and two variants the generator makes (other
names and languages, one with a broken deals file); two succeed, one is refused (exit 2) with its message, and
the portfolio index shows all three with their status, KPIs read from each company's store and the memo links."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup  # a dependency of nbconvert; the stdlib parser below

from cmo_workbook.cli import main
from cmo_workbook.metrics import store
from cmo_workbook.sample.params import write_params
from cmo_workbook.sample.variants import break_file

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    for nb in (ROOT / "notebooks").glob("*.ipynb"):  # the params name them; only kpi_dashboard runs (cheap)
        shutil.copy(nb, tmp_path / "notebooks")
    monkeypatch.setenv("CMO_PROJECT_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def three(project, sample_dir, capsys):
    tmp_path = project
    params = tmp_path / "params"
    kessler = write_params(params / "kessler.yaml", sample_dir)
    # a variant with its own seed, name and language, made by the CLI as a user would
    assert main(["sample-data", "--out", str(tmp_path / "data" / "nord"), "--seed", "7", "--company-name",
                 "Nordlicht Fördertechnik AG", "--language", "en", "--params-out", str(params / "nord.yaml")]) == 0
    assert "params of Nordlicht Fördertechnik AG (en)" in capsys.readouterr().out
    # a copy of the sample with a text in the amount column of one deal
    shutil.copytree(sample_dir, tmp_path / "data" / "brenner")
    path, column, row = break_file(tmp_path / "data" / "brenner", "deals")
    assert (path.name, column, row) == ("hubspot_deals.csv", "Amount", 8)
    brenner = write_params(params / "brenner.yaml", tmp_path / "data" / "brenner", name="Brenner Kupplungen GmbH")
    return tmp_path, [kessler, params / "nord.yaml", brenner]


def test_portfolio_of_three_two_ok_one_refused_and_the_index(three, capsys):
    project, files = three
    code = main(["run", "kpi_dashboard", "--period", "2026-10", "--params", *map(str, files), "--workers", "2"])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    problem = ('hubspot_deals.csv, row 8, column "Amount": "zwölftausend" is not a number (expected English format '
               'like 1,234.56); fix the cell or set number_format (de or en) for this file in '
               'params/brenner.yaml')
    assert err.strip().splitlines()[-1] == f"portfolio 2026-10: 2 ok, 0 failed, 1 refused (brenner: {problem})"
    assert f"[brenner] error: {problem}" in err
    assert re.search(r"^\[nord\] done     kpi_dashboard 2026-10 in .*reports/nord/2026-10/kpi_dashboard\.html$",
                     out, re.M)
    reports = project / "reports"
    assert (reports / "kessler" / "2026-10" / "kpi_dashboard.html").is_file()
    assert 'lang="en"' in (reports / "nord" / "2026-10" / "kpi_dashboard.html").read_text(encoding="utf-8")
    assert not (reports / "brenner" / "2026-10").exists()  # refused before any kernel

    assert main(["archive", "--params", *map(str, files)]) == 0
    soup = BeautifulSoup((reports / "portfolio-2026-10.html").read_text(encoding="utf-8"), "html.parser")
    rows = {tr["data-company"]: tr for tr in soup.select("tr[data-company]")}
    assert {s: r["data-status"] for s, r in rows.items()} == {"kessler": "ok", "nord": "ok", "brenner": "refused"}
    assert rows["brenner"].select_one(".status").get_text(" ", strip=True) == f"abgewiesen {problem}"
    assert rows["nord"].select_one("td").get_text(strip=True) == "Nordlicht Fördertechnik AG"
    for slug in ("kessler", "nord"):
        table = store.read(reports / slug / "2026-10" / "kpis.csv")
        stored = table[(table.metric == "qualified_leads") & (table.window == "2026-10") & (table.segment == "")]
        shown = rows[slug].select_one("td[data-metric=qualified_leads]")
        assert float(shown["data-value"]) == float(stored.value.iloc[0])
        links = [a["href"] for a in rows[slug].select("a") if a["href"].endswith("kpi_dashboard.html")]
        assert links == [f"{slug}/2026-10/kpi_dashboard.html"] and (reports / links[0]).is_file()
    # the goals' status in the index is the one the company's KPI memo states (index in the memo's language)
    listing = project / "portfolio.yaml"  # the same three as a portfolio file
    listing.write_text("companies:\n" + "".join(f"  - params: params/{f.name}\n" for f in files), encoding="utf-8")
    assert main(["archive", "--portfolio", str(listing), "--lang", "en"]) == 0
    english = BeautifulSoup((reports / "portfolio-2026-10.html").read_text(encoding="utf-8"), "html.parser")
    assert english.select_one("tr[data-company=brenner] .status").get_text(" ", strip=True) == f"refused {problem}"
    for slug, index in (("kessler", soup), ("nord", english)):
        memo = (reports / slug / "2026-10" / "kpi_dashboard.txt").read_text(encoding="utf-8")
        goals = index.select(f"tr[data-company={slug}] [data-goal]")
        assert len(goals) == 3
        for goal in goals:
            title, status = goal.get_text().split(": ", 1)  # a status may carry "(Dez 2025: 323 €)"
            line = next(ln for ln in memo.splitlines() if ln.startswith(title[:40]))
            assert line.rstrip().endswith(status), (line, status)


def test_sigterm_stops_the_portfolio_like_a_single_run(project, sample_dir):
    """SIGTERM to the portfolio: the running company stops as one run does (FAILED, notebook kept), the next never starts."""
    import os
    import signal
    import subprocess
    import sys

    files = [write_params(project / "params" / f"{n}.yaml", sample_dir, name=f"{n.title()} GmbH") for n in ("a", "b")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib")}
    proc = subprocess.Popen([sys.executable, "-m", "cmo_workbook", "run", "kpi_dashboard", "--period", "2026-10",
                             "--params", *map(str, files), "--workers", "1"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("[a] execute  kpi_dashboard"):
            proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=300) == 1, "\n".join(lines)
    # the runner's own words for a stopped notebook (kept when papermill had written it already)
    kept = rf"(executed notebook kept at {re.escape(str(project))}/reports/a/2026-10/kpi_dashboard\.failed\.ipynb|" \
           r"the executed notebook could not be kept)"
    # or, when the signal lands while the kernel is still starting (before papermill runs a cell), the runner's stop
    stopped = rf"(kpi_dashboard 2026-10 failed: stopped by SIGTERM; {kept}|kpi_dashboard: stopped by SIGTERM)"
    assert re.fullmatch(r"portfolio 2026-10: 0 ok, 1 failed, 0 refused, 1 not run \(a: "
                        rf"{stopped}; b: not run: the portfolio was stopped by SIGTERM\)",
                        lines[-1]), "\n".join(lines)
    assert not any(ln.startswith("[b]") for ln in lines)
    assert not (project / "reports" / "a" / "2026-10" / "kpi_dashboard.html").exists()
    status = json.loads((project / "reports" / "portfolio-2026-10.json").read_text(encoding="utf-8"))
    assert [(c["slug"], c["status"]) for c in status["companies"]] == [("a", "failed"), ("b", "not run")]
