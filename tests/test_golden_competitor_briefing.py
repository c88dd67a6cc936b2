"""Golden table of the competitor briefing (Q3 2026): every figure against the raw competitor files.

Pinned: the list-price cut (size, date, products, gap to our price), the promotion against the list
price, the monitoring gap, the price index before and after, the relevance score's factors, the
observation counts and the data note. The briefing shows no catalogue KPI (no figure spans); the
span check still runs so a figure added later cannot slip in unpinned. Cross-check (comments only):
Hartmann −12,0 % from 15.09.2026, index 101 → 95 (5 % under our price on average); Nordgetriebe −15 % promotion.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

import golden_raw as g

pytestmark = pytest.mark.slow

NAME, PERIOD = "competitor_briefing", "2026-Q3"
Q = g.quarter(PERIOD)
LAST_DAY = Q.end - pd.Timedelta(days=1)


html, text = g.memo_fixtures(NAME, PERIOD)


def test_every_figure_span_equals_its_golden_value(html):
    g.assert_spans_pinned(html)


def _cut():
    cuts = g.list_price_changes("Hartmann Antriebe", Q.end)
    return cuts[cuts["date"] == cuts["date"].max()]


def test_headline_price_cut_and_gap_to_our_price(text):
    cuts = _cut()
    m = re.search(r"Hartmann Antriebe senkt ab (\d\d\.\d\d\.\d{4}) die Listenpreise von (.*?) um (\d+ %); über alle "
                  r"(\d+) vergleichbaren Produkte liegt Hartmann Antriebe damit im Mittel (\d+ %) unter unserem Preis "
                  r"\(Preisindex (\d+)\)", text)
    assert m, text[:600]
    assert m.group(1) == f"{cuts['date'].iloc[0]:%d.%m.%Y}" and m.group(2).split(", ") == sorted(cuts["product"])
    assert g.shows(m.group(3), -cuts["change"].mean())
    # the gap is the index over ALL comparable products on the cut date (the chart's figure), not the cut products'
    p = g.competitor_prices()
    on = p[(p["competitor"] == "Hartmann Antriebe") & (p["kind"] == "Listenpreis") & (p["date"] == cuts["date"].iloc[0])]
    index = g.price_index("Hartmann Antriebe", cuts["date"].iloc[0])
    assert int(m.group(4)) == on["ours"].map(g.OWN_PRICES).notna().sum() and g.shows(m.group(6), index), (m.groups(), index)
    assert g.shows(m.group(5), 1 - index / 100), (m.group(5), index)
    assert "liegt dort jetzt" not in text   # never the cut products' own gap as "below us"
    # the item says it with one decimal: "um 12,0 % gesenkt (netto, ab 15.09.2026)"
    m = re.search(r"Listenpreis (.*?) um ([\d,]+ %) gesenkt \(netto, ab (\d\d\.\d\d\.\d{4})\)", text)
    assert m and g.shows(m.group(2), -cuts["change"].mean()) and m.group(3) == f"{cuts['date'].iloc[0]:%d.%m.%Y}"


def test_price_index_before_and_after_the_cut(html):
    p = g.competitor_prices()
    dates = sorted(p.loc[(p["competitor"] == "Hartmann Antriebe") & (p["date"] < Q.end), "date"].unique())
    after = _cut()["date"].iloc[0]
    before = max(d for d in dates if d < after)
    m = re.search(r"Preisindex (\d+) → (\d+)", html)   # the chart's title (its alt text)
    assert m and g.shows(m.group(1), g.price_index("Hartmann Antriebe", before))
    assert g.shows(m.group(2), g.price_index("Hartmann Antriebe", after)), (m.groups(), before, after)


def test_promotion_against_list_price(text):
    p = g.competitor_prices()
    n = p[(p["competitor"] == "Nordgetriebe AG") & Q.has(p["date"])]
    promo = n[n["kind"] == "Aktion"].iloc[0]
    listed = n[(n["kind"] == "Listenpreis") & (n["product"] == promo["product"]) & (n["date"] == promo["date"])].iloc[0]
    m = re.search(r"Aktionspreis " + re.escape(promo["product"]) + r" ([+−-]\d+ %) ggü\. Listenpreis \(seit (\d\d\.\d\d\.\d{4})\)", text)
    assert m and g.shows(m.group(1), promo["price"] / listed["price"] - 1) and m.group(2) == f"{promo['date']:%d.%m.%Y}"
    # and the list price itself did not move in the quarter
    lp = n[(n["kind"] == "Listenpreis") & (n["product"] == promo["product"])]["price"]
    assert lp.nunique() == 1 and "Listenpreis unverändert" in text


def test_monitoring_gap(text):
    obs = g.observations()
    seen = obs.loc[(obs["Wettbewerber"] == "Alpin Drives AG") & (obs["Datum"] < Q.end), "Datum"].max()
    days = (LAST_DAY - seen).days
    assert f"Alpin Drives AG: keine Beobachtung seit {seen:%d.%m.%Y} ({days} Tage)" in text
    assert f"Seit {days} Tagen keine Beobachtung" in text
    assert days > 3 * 30  # params competitors.quiet_after_months: 3 -> "ohne Beobachtung seit über 3 Monaten"


def test_timeline_relevance_score_is_the_product_of_its_factors(html):
    # "2,55 (hohe Bedeutung ×3,0 · unser Segment Servogetriebe (core) ×1,0 · 14 Tage alt ×0,85)": the factors are
    # the rule (params priorities, half-life 60 days); asserted: age = days to the quarter's last day, decay =
    # 0.5^(age/60), score = product of the factors
    from io import StringIO

    table = next(t for t in pd.read_html(StringIO(html)) if str(t.columns[0]) == "Datum")
    scored = 0
    for _, row in table.iterrows():
        m = re.fullmatch(r"(\d+,\d+) \(.*?×([\d,]+) · .*?×([\d,]+) · (\d+) Tage alt ×([\d,]+)\)",
                         str(row.iloc[2]).replace("\u00a0", " "))
        if not m:
            continue
        num = lambda s: float(s.replace(",", "."))  # noqa: E731
        days = (LAST_DAY - pd.to_datetime(row.iloc[0], format="%d.%m.%Y")).days
        assert int(m.group(4)) == days, (row.iloc[0], m.group(4), days)
        decay = 0.5 ** (days / g.HALF_LIFE_DAYS)
        assert g.shows(m.group(5), decay)
        assert abs(num(m.group(1)) - num(m.group(2)) * num(m.group(3)) * decay) <= 0.005 + 1e-9
        scored += 1
    assert scored >= 1


def test_data_note_counts(text):
    obs = g.observations()
    msgs = pd.read_csv(g.SAMPLE / "competitors" / "wettbewerb_botschaften.csv", sep=";", encoding="utf-8-sig")
    g.assert_data_note_sources(text, {"Wettbewerbsbeobachtungen": (len(obs), 1),
                                      "Wettbewerbspreise": (len(g.competitor_prices()), 1),
                                      "Botschaften der Wettbewerber": (len(msgs), 1)})
    inq = obs[Q.has(obs["Datum"])]
    counts = inq["Wettbewerber"].value_counts()
    for name in ("Alpin Drives AG", "Brenner Industrietechnik", "Hartmann Antriebe", "Nordgetriebe AG", "Voss Motion"):
        assert f"{name} {int(counts.get(name, 0))}" in text, name
    assert f"({len(inq)} Meldungen" in text
    for source, n in inq["Quelle"].value_counts().items():
        assert f"{source} {n}" in text, source
