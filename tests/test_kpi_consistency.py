"""One value per (metric, window) across all seven memos, equal to the KPI store and the controlling workbook.

Runs every notebook for October 2026 and Q3 2026 through the real runner and reads the
``data-metric`` / ``data-window`` / ``data-value`` figures from the e-mail HTML (after nbconvert
and css-inline), so the check covers what the CEO receives.
"""
from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd
import pytest

from cmo_workbook.metrics import store
from cmo_workbook.metrics.catalogue import catalogue

from conftest import ROOT, parse_eml

pytestmark = pytest.mark.slow

MONTHLY = ("kpi_dashboard", "sales_marketing_sync", "voice_of_customer")
QUARTERLY = ("attribution_review", "competitor_briefing", "strategy_memo", "stakeholder_update")
_SPAN = re.compile(r"<span([^>]*\bdata-metric=[^>]*)>")
_ATTR = re.compile(r'(data-[a-z]+)="([^"]*)"')


def _figures(html: str) -> list[dict[str, str]]:
    return [dict(_ATTR.findall(m.group(1))) for m in _SPAN.finditer(html)]


@pytest.fixture(scope="module")
def shown(memo_run):
    """(metric, window, segment) -> {memo: raw value} over the seven memos, plus each period's store."""
    seen: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    stores = {}
    for period, names in (("2026-10", MONTHLY), ("2026-Q3", QUARTERLY)):
        for name in names:
            result = memo_run(name, period, "de")
            assert result.ok, result.message
            _, html, _, _ = parse_eml(result.eml)
            for f in _figures(html):
                seen[(f["data-metric"], f["data-window"], f.get("data-segment", ""))][f"{period}/{name}"] = \
                    float(f["data-value"])
            stores[period] = result.memo.parent
    return seen, stores


def test_memos_carry_machine_readable_figures(shown):
    seen, _ = shown
    memos = {m for per_memo in seen.values() for m in per_memo}
    # the five memos with catalogue KPIs tag them (VoC and competitor briefing show none)
    assert {"2026-10/kpi_dashboard", "2026-10/sales_marketing_sync", "2026-Q3/attribution_review",
            "2026-Q3/strategy_memo", "2026-Q3/stakeholder_update"} <= memos
    assert ("qualified_leads", "2026-10", "") in seen and ("qualified_leads", "2026-Q3", "") in seen


def test_each_metric_and_window_has_one_value_across_memos_equal_to_the_store_and_the_workbook(shown):
    seen, dirs = shown
    cat = catalogue()
    tables = {p: store.read(d / "kpis.csv") for p, d in dirs.items()}
    books = {p: pd.read_excel(d / f"Kennzahlen_{p}.xlsx", sheet_name="Kennzahlen", header=1) for p, d in dirs.items()}
    shared = 0
    for (metric, window, segment), per_memo in seen.items():
        values = set(round(v, 6) for v in per_memo.values())
        assert len(values) == 1, f"{metric} {window} {segment}: {per_memo}"
        if len(per_memo) > 1:
            shared += 1
        if metric not in cat or cat[metric].kind == "attribution":
            continue  # a memo's own analysis, or the review's attributed return: the attribution model, not the store
        period = next(iter(per_memo)).split("/")[0]
        t = tables[period]
        row = t[(t["metric"] == metric) & (t["window"] == window) & (t["segment"].fillna("") == segment)]
        assert len(row) == 1, f"{metric} {window} {segment} shown but not in the {period} store"
        assert float(row["value"].iloc[0]) == pytest.approx(values.pop(), rel=1e-6)
        b = books[period]
        brow = b[(b["Kennzahl (ID)"] == metric) & (b["Fenster"] == window) & (b["Segment"].fillna("") == segment)]
        assert float(brow["Wert"].iloc[0]) == pytest.approx(float(row["value"].iloc[0]), rel=1e-9)
    # the pairs the issue found contradicting: qualified inquiries, acceptance, pipeline, order intake
    assert shared >= 4
    assert seen[("qualified_leads", "2026-10", "")] == {"2026-10/kpi_dashboard": 211.0}
    assert set(seen[("sales_acceptance_rate", "2026-10", "")]) == {"2026-10/kpi_dashboard", "2026-10/sales_marketing_sync"}
    assert len(seen[("qualified_leads", "2026-Q3", "")]) == 3 and set(seen[("qualified_leads", "2026-Q3", "")].values()) == {395.0}


def test_the_new_business_pipeline_section_counts_new_business_only(memo_run, sample_dir):
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.render import fmt

    ds = load_dataset(load_params(ROOT / "params" / "example.yaml"), ["deals"])
    d = ds.deals
    closed = d[d["status"].isin(["won", "lost"]) & (d["close_date"] >= "2026-07-01") & (d["close_date"] < "2026-10-01")]
    new = closed[closed["deal_type"].str.contains("New", na=True)]
    rate_new = (new["status"] == "won").mean()
    rate_all = (closed["status"] == "won").mean()
    assert abs(rate_new - rate_all) > 0.1  # the populations differ enough to matter
    _, _, plain, _ = parse_eml(memo_run("attribution_review", "2026-Q3", "de").eml)
    text = " ".join(plain.replace("\u00a0", " ").split())  # the text part is wrapped at 78 characters
    assert f"Gewinnquote {fmt.percent(rate_new, 'de', 0)} nach Anzahl".replace("\u00a0", " ") in text
    assert "NEUGESCHÄFT: PIPELINE UND GESCHWINDIGKEIT" in plain
