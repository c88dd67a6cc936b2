"""Cost per qualified inquiry per paid channel from the period store (memos/kpi_dashboard.channel_cpl_store) and
the costliest channel it feeds (worst_channel), on a hand-written store for 2026-10, last 3 months (t3m):

| channel     | cost/inquiry | a year ago | inquiries | spend   | kept?                          |
|-------------|-------------:|-----------:|----------:|--------:|--------------------------------|
| linkedin    | 260 €        | 200 €      | 10        | 2 600 € | yes: +30 % = the threshold     |
| paid_search | 60 €         | 70 €       | 5         | 300 €   | yes: exactly MIN_CHANNEL_LEADS |
| events      | 500 €        | 400 €      | 4         | 2 000 € | no: 4 < 5 inquiries            |
| newsletter  | 0 €          | 10 €       | 20        | 0 €     | no: no spend                   |
| display     | 90 €         | –          | 10        | 900 €   | no: no year-ago value          |
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cmo_workbook.memos import kpi_dashboard
from cmo_workbook.render.blocks import Chart, Paragraph, Section

from kpi_fixtures import table_store

CHANNELS = {"linkedin": (260.0, 200.0, 10, 2_600.0), "paid_search": (60.0, 70.0, 5, 300.0),
            "events": (500.0, 400.0, 4, 2_000.0), "newsletter": (0.0, 10.0, 20, 0.0), "display": (90.0, math.nan, 10, 900.0)}


def channel_store(channels=CHANNELS):
    rows = []
    for ch, (cpl, ref, leads, spend) in channels.items():
        seg = f"channel={ch}"
        rows.append({"metric": "cost_per_qualified_lead", "kind": "t3m", "segment": seg, "value": cpl, "py": ref})
        rows.append({"metric": "qualified_leads", "kind": "t3m", "segment": seg, "value": leads})
        rows.append({"metric": "marketing_spend", "kind": "t3m", "segment": seg, "value": spend})
        # the month's figures differ: the table must be the 3 months' (a month row would be 1 inquiry, 1 000 €)
        rows.append({"metric": "cost_per_qualified_lead", "kind": "month", "segment": seg, "value": 1_000.0, "py": 1.0})
        rows.append({"metric": "qualified_leads", "kind": "month", "segment": seg, "value": 1})
        rows.append({"metric": "marketing_spend", "kind": "month", "segment": seg, "value": 1_000.0})
    rows.append({"metric": "cost_per_qualified_lead", "kind": "t3m", "value": 99.0, "py": 98.0})  # all channels
    return table_store(rows)


def test_only_paid_channels_with_enough_inquiries_and_a_year_ago_value():
    df = kpi_dashboard.channel_cpl_store(channel_store(), "de")
    # sorted by what the worse cost costs: (260 − 200) × 10 = +600 €, (60 − 70) × 5 = −50 €
    assert list(df.index) == ["linkedin", "paid_search"]
    assert df["cpl"].tolist() == [260.0, 60.0] and df["cpl_ref"].tolist() == [200.0, 70.0]
    assert df["leads"].tolist() == [10, 5] and df["spend"].tolist() == [2_600.0, 300.0]
    assert df["change"].tolist() == pytest.approx([260 / 200 - 1, 60 / 70 - 1])  # +30 %, −14.3 %
    assert df["excess_cost"].tolist() == pytest.approx([600.0, -50.0])
    assert df["label"].tolist() == ["LinkedIn", "Suchmaschinenwerbung"]
    assert df["segment"].tolist() == ["channel=linkedin", "channel=paid_search"]
    assert df["window"].tolist() == ["2026-10/T3M", "2026-10/T3M"]
    assert kpi_dashboard.channel_cpl_store(channel_store(), "en")["label"].tolist() == ["LinkedIn", "Paid search"]


def test_the_minimum_of_inquiries_is_a_parameter():
    # 6 inquiries needed: paid search (5) drops out; 4 needed: events (4, (500 − 400) × 4 = 400 €) comes in
    assert list(kpi_dashboard.channel_cpl_store(channel_store(), "de", min_leads=6).index) == ["linkedin"]
    assert list(kpi_dashboard.channel_cpl_store(channel_store(), "de", min_leads=4).index) == [
        "linkedin", "events", "paid_search"]


def test_no_channel_segments_give_an_empty_table_and_the_missing_sentence():
    store = table_store([{"metric": "cost_per_qualified_lead", "kind": "t3m", "value": 99.0}])
    df = kpi_dashboard.channel_cpl_store(store, "de")
    # empty, but with the columns its readers use (a bare empty frame made worst_channel raise KeyError 'change')
    assert df.empty and {"cpl", "cpl_ref", "change", "excess_cost", "label"} <= set(df.columns)
    assert kpi_dashboard.worst_channel(df, "de") is None
    section, para = kpi_dashboard.channel_blocks(df, None, "de")
    assert isinstance(section, Section) and section.title == "Woher die Anfragen kommen"
    assert isinstance(para, Paragraph)
    assert " ".join(para.text().split()) == ("Noch kein Kanalvergleich: kein bezahlter Kanal hat in den letzten 3 Monaten 5 oder mehr "
                           "qualifizierte Anfragen – die Kosten je Anfrage wären Zufall.")  # MIN_CHANNEL_LEADS = 5


def test_a_channel_with_enough_inquiries_but_no_year_ago_value_is_named_with_that_reason():
    # a company whose exports begin this year: paid search has exactly 5 inquiries (= MIN_CHANNEL_LEADS, enough)
    # and spend, but no cost per inquiry a year ago; events has a reference but only 4 inquiries (not named)
    only = {"paid_search": (60.0, math.nan, 5, 300.0), "events": (500.0, 400.0, 4, 2_000.0),
            "newsletter": (0.0, math.nan, 20, 0.0)}  # no spend: not a paid channel, not named
    store = channel_store(only)
    df = kpi_dashboard.channel_cpl_store(store, "de")
    assert df.empty
    _, para = kpi_dashboard.channel_blocks(df, None, "de", store=store)
    assert " ".join(para.text().split()) == (
        "Noch kein Kanalvergleich: Suchmaschinenwerbung brachte in den letzten 3 Monaten 5 oder mehr qualifizierte "
        "Anfragen, aber für dieselben Monate des Vorjahres liegen keine Daten vor – verglichen wird mit dem Vorjahr.")
    # 4 inquiries without a reference: too few is the reason, and the old sentence stays
    few = channel_store({"paid_search": (60.0, math.nan, 4, 300.0)})
    _, para = kpi_dashboard.channel_blocks(kpi_dashboard.channel_cpl_store(few, "de"), None, "de", store=few)
    assert "kein bezahlter Kanal hat" in para.text()


def test_the_costliest_channel_at_exactly_the_threshold():
    df = kpi_dashboard.channel_cpl_store(channel_store(), "de")
    worst = kpi_dashboard.worst_channel(df, "de")
    # +30 % is the threshold (>=), and LinkedIn's rise costs 600 €
    assert worst["channel"] == "linkedin" and worst["label"] == "LinkedIn"
    assert worst["excess_cost"] == pytest.approx(600.0) and worst["spend"] == 2_600.0
    assert worst["delta"].replace("\u00a0", " ") == "+30 %"
    fig = worst["cpl_fig"]
    assert (fig.metric, fig.window, fig.value, fig.segment) == ("cost_per_qualified_lead", "2026-10/T3M", 260.0,
                                                                "channel=linkedin")
    # the chart: dearest first, titled by the costliest channel
    section, chart = kpi_dashboard.channel_blocks(df, worst, "de")
    assert isinstance(chart, Chart) and chart.png.startswith(b"\x89PNG")
    assert section.title == "Woher die Anfragen kommen"
    assert chart.alt.replace("\u00a0", " ") == "LinkedIn: Kosten je Anfrage +30 % ggü. Vorjahr"


def test_chart_titles_without_a_costly_channel():
    df = kpi_dashboard.channel_cpl_store(channel_store(), "de")
    calm = kpi_dashboard.cpl_chart_title(None, df, "de")
    # a channel has last year's value: "in line"; none has: the comparison is still missing
    no_py = kpi_dashboard.cpl_chart_title(None, df.assign(cpl_ref=float("nan")), "de")
    empty = kpi_dashboard.cpl_chart_title(None, df.iloc[:0], "de")
    assert calm == "Kosten je Anfrage je Kanal im Rahmen des Vorjahres"
    assert no_py == empty == "Kosten je Anfrage je Kanal – noch ohne Vorjahreswert zum Vergleich"
