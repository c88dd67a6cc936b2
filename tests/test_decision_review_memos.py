"""The decision log review opens the sync's agenda and the attribution review's recommendations (issue 11, c11a).

Real runner and kernels on the sample: the sync for 2026-09 then 2026-10, the review for 2026-Q2 then 2026-Q3 (the
sample's data start in November 2024, so Q2 2026 has its four attribution quarters). The later memo lists the
earlier period's recommendations with the analyst's status and, where one named a KPI, its value then → now, both
from the periods' KPI stores.
"""
from __future__ import annotations

import pytest

from cmo_workbook.memos import decisions
from cmo_workbook.metrics.catalogue import catalogue
from cmo_workbook.metrics import store as store_io
from cmo_workbook.metrics.store import KpiStore, parse_window
from cmo_workbook.periods import Period
from cmo_workbook.render import fmt

from conftest import ROOT

pytestmark = pytest.mark.slow


def _runner(tmp_path):
    from cmo_workbook.delivery.runner import Runner, RunOptions

    def run(name: str, period: str):
        opts = RunOptions(params_path=ROOT / "params" / "example.yaml", period=Period.parse(period),
                          reports_dir=tmp_path / "reports", history_dir=tmp_path / "history", strict=True)
        return Runner(opts, say=lambda line: None).run(name)

    return run


def _store(tmp_path, period: str) -> KpiStore:
    return KpiStore(store_io.read(tmp_path / "reports" / period / "kpis.csv"), Period.parse(period), catalogue())


def _review_lines(text: str, intro: str) -> str:
    section = text[text.index(intro):]
    return " ".join(section[: section.index("1. ")].split())  # the review opens the section, before the new items


@pytest.mark.parametrize("memo, first, second, intro", [
    ("sales_marketing_sync", "2026-09", "2026-10", "Was aus den Empfehlungen vom September 2026 wurde:"),
    ("attribution_review", "2026-Q2", "2026-Q3", "Was aus den Empfehlungen vom Q2 2026 wurde:"),
])
def test_the_later_memo_reviews_the_earlier_periods_recommendations(tmp_path, sample_dir, memo, first, second, intro):
    run = _runner(tmp_path)
    assert run(memo, first).ok
    logged = decisions.load(tmp_path / "reports" / first)
    assert logged and all(d.memo == memo for d in logged)
    # the analyst marks the first one done
    status = tmp_path / "reports" / first / decisions.STATUS_FILE
    status.write_text(status.read_text(encoding="utf-8").replace("status: open", "status: done", 1), encoding="utf-8")
    later = run(memo, second)
    assert later.ok, later.message  # --strict: the review's lines pass the jargon and so-what checks
    text = later.memo.with_suffix(".txt").read_text(encoding="utf-8").replace("\xa0", " ")
    review = _review_lines(text, intro)
    assert review.count(" – ") >= len(logged)  # one line per earlier recommendation, each with its status
    assert "erledigt" in review or "umgesetzt" in review
    measured = [d for d in logged if d.kpi and d.kpi.get("value") is not None]
    assert measured, "at least one earlier recommendation names a KPI"
    now_store = _store(tmp_path, second)
    d = measured[0]
    now = now_store.value(d.kpi["metric"], parse_window(d.kpi["window"]).kind, d.kpi.get("segment") or "")
    value = decisions.value_text(now_store.catalogue[d.kpi["metric"]].unit, d.kpi["value"], "de", "EUR")
    after = decisions.value_text(now_store.catalogue[d.kpi["metric"]].unit, now, "de", "EUR")
    # then (the earlier store's value as logged) → now (the later store), compared with the earlier period
    assert f"{value} → {after}".replace("\xa0", " ") in review
    assert f"ggü. {fmt.month(Period.parse(first).start, 'de') if 'Q' not in first else 'Q2 2026'}" in review
