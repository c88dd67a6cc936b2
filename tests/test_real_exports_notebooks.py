"""Memos on real-shaped exports: the hand-written HubSpot fixture, and the sample company's raw variant.

The raw variant has status-only qualification (no "Became a ..." dates) and deals without contact
ids (only their own source). No bundled memo may state 0 for a KPI whose inputs hold matching rows.
"""
from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from cmo_workbook.delivery.runner import Runner, RunOptions
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.metrics.monthly import monthly
from cmo_workbook.periods import Period

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "exports"

pytestmark = pytest.mark.slow


def _plain(result) -> str:
    """The memo's plain-text part with no-break spaces as plain spaces (German formats use them)."""
    text = Path(result.memo).with_suffix(".txt").read_text(encoding="utf-8")
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_kpi_dashboard_states_the_hand_derived_figures_of_the_hubspot_exports(tmp_path):
    opts = RunOptions(params_path=FIXTURES / "hubspot" / "params.yaml", period=Period.parse("2026-10"), lang="de",
                      reports_dir=tmp_path)
    text = _plain(Runner(opts, say=lambda line: None).run("kpi_dashboard"))
    # 4 qualified (1004, 1006, 1007, 1010); 4,999.99 € pipeline; 17,500.49 € marketing revenue;
    # 3,950.55 € Google Ads / 4 = 987.64 € per qualified inquiry
    assert "Marketing lieferte 4 qualifizierte Anfragen" in text
    assert "Qualifizierte Anfragen, Monat: 4 (+100 % ggü. Vormonat" in text  # September: 2
    assert "Neue Pipeline aus Marketing, Monat: 5.000 €" in text
    assert "Auftragseingang aus Marketing-Anfragen, Monat: 17,5 Tsd. €" in text  # CRM order value: order intake
    assert "Kosten je qualifizierter Anfrage, Monat: 988 €" in text
    flat = " ".join(text.split())
    assert "1 gewonnener Deal ohne Betrag, nicht im Umsatz" in flat
    assert "5 Leads sind nur über ihren Status qualifiziert" in flat
    # two months of data, no targets, no goals: the memo compares with September and draws no verdict it
    # cannot back (no "in line with last year", no "above plan", no ROMI or CLV:CAC judgement on "–")
    assert "Marketing lieferte 4 qualifizierte Anfragen (+100 % ggü. Vormonat)" in flat
    for claim in ("im Rahmen des Vorjahres", "Über Plan", "Im Zielkorridor", "Jeder Marketing-Euro brachte –", "– Deckungsbeitrag je Marketing-Euro",
                  "zu langsam zurück", "mehrfach zurück", "Deckt – des"):
        assert claim not in flat, claim
    assert "Keine Jahresziele hinterlegt" in flat and "noch kein Verhältnis berechenbar" in flat


@pytest.fixture(scope="module")
def raw_company(tmp_path_factory) -> Path:
    """The sample company as the raw variant, with a copy of its params pointing there."""
    from cmo_workbook.sample.generate import generate

    base = tmp_path_factory.mktemp("raw")
    generate(base / "data", variant="raw")
    params = base / "params"
    params.mkdir()
    text = (ROOT / "params" / "example.yaml").read_text(encoding="utf-8")
    (params / "example.yaml").write_text(text.replace("../data/sample", "../data"), encoding="utf-8")
    shutil.copy(ROOT / "params" / "voc_taxonomy.yaml", params / "voc_taxonomy.yaml")
    return params / "example.yaml"


@pytest.fixture(scope="module")
def raw_runs(raw_company, tmp_path_factory):
    reports = tmp_path_factory.mktemp("raw-reports")
    out = {}
    for period in ("2026-10", "2026-Q3"):
        opts = RunOptions(params_path=raw_company, period=Period.parse(period), lang="de", reports_dir=reports)
        for r in Runner(opts, say=lambda line: None).run_all(Period.parse(period).kind):
            out[r.name] = r
    return out


ZERO = re.compile(r"(?<![\d.,])0 (qualifizierte|Anfragen|€|Tsd\. €|Mio\. €)")


def test_every_bundled_memo_runs_on_raw_exports_without_a_zero_headline(raw_company, raw_runs):
    assert sorted(raw_runs) == ["attribution_review", "competitor_briefing", "impulse_deck", "kpi_dashboard",
                                "sales_marketing_sync", "stakeholder_update", "strategy_memo", "voice_of_customer"]
    failed = {name: r.message for name, r in raw_runs.items() if not r.ok}
    assert failed == {}
    for name, r in raw_runs.items():
        if name == "impulse_deck":  # slides, no memo text; its figures are the store's (tests/test_impulse_deck.py)
            continue
        headline = next(line for line in _plain(r).splitlines()[3:] if line.strip())
        assert not ZERO.search(headline), (name, headline)
    ds = load_dataset(load_params(raw_company), today=date(2026, 11, 20))
    m = monthly(ds).loc["2026-10"]
    assert m["qualified_leads"] > 100 and m["marketing_pipeline_value"] > 1_000_000
    kpi = _plain(raw_runs["kpi_dashboard"])
    assert f"Marketing lieferte {int(m['qualified_leads'])} qualifizierte Anfragen" in kpi
    assert "Neue Pipeline aus Marketing, Monat: 0" not in kpi and "Auftragseingang aus Marketing-Anfragen, Monat: 0" not in kpi
