"""A value a memo showed and the data later gives differently is said once, worded with the KPI's label and its
window, in German and English number formats; values no memo showed change silently."""
from __future__ import annotations

import re
import shutil
from datetime import datetime

import pandas as pd
import pytest
import yaml

from conftest import ROOT

PREFIX_DE = "Nachträglich korrigiert, nachdem ein Memo den alten Wert gezeigt hatte: "
PREFIX_EN = "Restated since a memo showed the earlier value: "


def _span(metric: str, window: str, value: float, segment: str = "") -> str:
    seg = f' data-segment="{segment}"' if segment else ""
    return f'<span data-metric="{metric}" data-value="{value:.10g}" data-window="{window}"{seg}>x</span>'


def test_only_values_a_memo_showed_count_and_each_is_worded_with_label_and_window(tmp_path):
    from cmo_workbook.metrics import history

    db = tmp_path / "kpi_history.duckdb"
    rows = [("qualified_leads", "2026-09", "month", "", 187.0, "count"),
            ("qualified_leads", "2026-10/YTD", "ytd", "", 1900.0, "count"),
            ("cost_per_qualified_lead", "2026-10/T3M", "t3m", "channel=linkedin", 794.38, "eur"),
            ("sql", "2026-09", "month", "", 70.0, "count")]
    cols = ["metric", "window", "window_kind", "segment", "value", "unit"]
    first = pd.DataFrame(rows, columns=cols)
    assert history.record(db, "x: Kessler", "2026-10", first, now=datetime(2026, 11, 2)).empty
    # the memo showed three of the four values; "sql" was stored, never shown
    html = (_span("qualified_leads", "2026-09", 187) + _span("qualified_leads", "2026-10/YTD", 1900)
            + _span("cost_per_qualified_lead", "2026-10/T3M", 794.38, "channel=linkedin"))
    assert history.remember_shown(db, "x: Kessler", "kpi_dashboard", "de", "2026-10", html,
                                  now=datetime(2026, 11, 2, 8)) == 3
    second = first.assign(value=[192.0, 1905.0, 801.1, 75.0])
    restated = history.record(db, "x: Kessler", "2026-10", second, now=datetime(2026, 11, 3))
    assert sorted(restated["metric"]) == ["cost_per_qualified_lead", "qualified_leads", "qualified_leads"]
    # totals first, newest window first ("2026-10/YTD" before "2026-09"), channels last; German number formats
    assert history.sentences(restated, "de", "EUR") == [
        PREFIX_DE + "Qualifizierte Anfragen, Okt 2026 seit Jahresbeginn: 1.900 → 1.905; "
        "Qualifizierte Anfragen, September 2026: 187 → 192; "
        "Kosten je qualifizierter Anfrage (LinkedIn), letzte 3 Monate bis Okt 2026: 794\xa0€ → 801\xa0€."]
    assert history.sentences(restated, "en", "EUR") == [
        PREFIX_EN + "Qualified inquiries, Oct 2026 year to date: 1,900 → 1,905; "
        "Qualified inquiries, September 2026: 187 → 192; "
        "Cost per qualified inquiry (LinkedIn), last 3 months to Oct 2026: €794 → €801."]
    # a rerun on the same data restates nothing new: the period's earlier restatements stay said
    again = history.record(db, "x: Kessler", "2026-10", second, now=datetime(2026, 11, 4))
    assert len(again) == 3
    # more changes than the sentence lists: the rest are counted (plural in the catalogue)
    many = pd.DataFrame({"metric": ["qualified_leads"] * 7, "window": [f"2026-0{i}" for i in range(1, 8)],
                         "segment": [""] * 7, "old_value": [10.0] * 7, "new_value": [11.0] * 7})
    said = history.sentences(many, "de", "EUR", limit=5)
    assert len(said) == 1 and said[0].count("Qualifizierte Anfragen, ") == 5  # July back to March, then the count
    assert said[0].endswith("Qualifizierte Anfragen, März 2026: 10 → 11; 2 weitere Werte.")
    assert history.sentences(many.head(6), "en", "EUR", limit=5)[0].endswith("; 1 more value.")
    # a change below the precision the memo shows is no news
    tiny = many.head(1).assign(new_value=10.2)
    assert history.sentences(tiny, "de", "EUR") == []


def _project(tmp_path, sample_dir):
    data = tmp_path / "sample"
    shutil.copytree(sample_dir, data)
    raw = yaml.safe_load((ROOT / "params" / "example.yaml").read_text(encoding="utf-8"))
    raw["data"]["dir"] = str(data)
    raw["voc"]["taxonomy"] = str(ROOT / "params" / raw["voc"]["taxonomy"])
    raw["diary"]["dir"] = str(data / "diary")
    params = tmp_path / "example.yaml"
    params.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return params, data / "crm" / "hubspot_contacts.csv"


@pytest.mark.slow
def test_one_corrected_input_row_gives_one_restatement_sentence_in_the_next_memos(sample_dir, tmp_path):
    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.periods import Period

    params, contacts = _project(tmp_path, sample_dir)
    period = Period.parse("2026-10")

    def run(lang: str):
        opts = RunOptions(params_path=params, period=period, lang=lang, reports_dir=tmp_path / "reports",
                          history_dir=tmp_path / "history")
        result = Runner(opts, say=lambda line: None).run("sales_marketing_sync")
        assert result.ok, result.message
        return result.memo.with_suffix(".txt").read_text(encoding="utf-8")

    first = run("de")
    assert "Nachträglich korrigiert" not in first
    # The October cohort of marketing-sourced MQLs: 48 accepted, 82 rejected by 31.10. -> 48/130 = 36.9 % (shown "37 %").
    ds = load_dataset(load_params(params), ["leads"])
    leads = ds.leads
    oct_mql = leads["channel"].isin(ds.params.marketing_channels) & (leads["mql_date"] >= "2026-10-01") \
        & (leads["mql_date"] < "2026-11-01")
    accepted = oct_mql & (leads["sql_date"] < "2026-11-01")
    rejected = oct_mql & leads["sql_date"].isna() & (leads["sales_feedback_date"] < "2026-11-01")
    assert (accepted.sum(), rejected.sum()) == (48, 82)
    # the CRM corrects one rejected October lead: sales accepted it after all, on the day of its feedback
    lead = leads[rejected].iloc[0]
    csv = pd.read_csv(contacts, dtype=str, keep_default_na=False)
    row = csv["Record ID"] == str(lead["lead_id"])
    assert row.sum() == 1
    csv.loc[row, "Became a Sales Qualified Lead Date"] = csv.loc[row, "Sales Feedback Date"]
    csv.loc[row, "Unqualified Reason"] = ""
    csv.loc[row, "Lead Status"] = "Connected"
    csv.loc[row, "Lifecycle Stage"] = "Sales Qualified Lead"
    csv.to_csv(contacts, index=False)
    # 49 accepted of 130 decided = 37.7 % (shown "38 %"); the memo showed 37 %
    german = run("de")
    english = run("en")
    german, english = (re.sub(r" *\n *", " ", text) for text in (german, english))  # the text part is wrapped
    assert german.count("Nachträglich korrigiert") == 1
    assert PREFIX_DE + "Akzeptanzquote Vertrieb (Kohorte), Oktober 2026: 37\xa0% → 38\xa0%." in german
    assert english.count("Restated") == 1
    assert PREFIX_EN + "Sales acceptance rate (cohort), October 2026: 37% → 38%." in english
