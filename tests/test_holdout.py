"""The holdout test read out in the period after it ended (#11): DiD by hand, scaled to all regions, budget verdict."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from cmo_workbook.inputs.params_schema import check
from cmo_workbook.memos import holdout
from cmo_workbook.periods import Period

START = pd.Timestamp("2026-07-06")  # a Monday; 4 test weeks end 2026-08-02 (in Q3)
H = {"channel": "linkedin", "region_column": "region", "test_regions": ["Nord"], "start": "2026-07-06", "weeks": 4}


def _data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """52 weeks before the test: every region 3 or 4 inquiries a week alike; during: Nord 1, 1, 2, 1, the others 3."""
    rows = []
    for w in range(-52, 4):
        monday = START + pd.Timedelta(weeks=w)
        for region in ("Nord", "Süd", "West"):
            n = (3 + (w % 2)) if w < 0 else (3 if region != "Nord" else (1, 1, 2, 1)[w])
            rows += [(monday + pd.Timedelta(days=1), region, "paid_search")] * n
    leads = pd.DataFrame(rows, columns=["mql_date", "region", "channel"])
    spend = pd.DataFrame({"date": pd.date_range(START, periods=28, freq="D"), "cost": 150.0, "channel": "linkedin"})
    return leads, spend


def test_readout_by_hand_and_what_it_means_for_the_budget():
    leads, spend = _data()
    h = holdout.from_params([H])[0]
    res = holdout.read_out(leads, spend, h)
    # differences test − control: 0 in all 52 weeks before; during −2, −2, −1, −2 (mean −1.75, variance 0.25)
    assert res.readout.effect == pytest.approx(-1.75)
    se = math.sqrt(0.25 / 4)  # the weeks before add no variance
    q = stats.t.ppf(0.95, 3)  # Welch degrees of freedom: (va)² / (va² / 3) = 3
    assert (res.readout.low, res.readout.high) == (pytest.approx(-1.75 - q * se), pytest.approx(-1.75 + q * se))
    # three regions: pausing everywhere would lose 3 × 1.75 = 5.25 inquiries a week
    assert res.regions == 3 and res.added_per_week == pytest.approx(5.25)
    assert res.added_low == pytest.approx(3 * (1.75 - q * se)) and res.added_low > 0
    # 150 € a day = 1,050 € a week ÷ 5.25 added inquiries = 200 € each
    assert res.spend_per_week == pytest.approx(1050) and res.cost_per_added == pytest.approx(200)
    found, meaning = (s.replace("\xa0", " ") for s in holdout.sentences(res, "de", "EUR", 300))
    assert found.startswith("Test ohne LinkedIn-Werbung in Nord (4 Wochen ab 06.07.2026): −1,8 qualifizierte Anfragen")
    assert meaning.endswith("zu 200 € je zusätzlicher Anfrage – günstiger als der Durchschnitt von 300 €: Budget halten.")
    assert holdout.sentences(res, "en", "EUR", 150)[1].endswith("above the average of €150: cut the budget.")


def test_read_out_once_in_the_period_after_the_test_and_never_without_regions():
    h = holdout.from_params([H])
    assert holdout.due(h, Period.parse("2026-Q4")) == h  # ended 02.08.2026, in Q3
    assert holdout.due(h, Period.parse("2026-Q3")) == [] and holdout.due(h, Period.parse("2027-Q1")) == []
    assert holdout.due(h, Period.parse("2026-09")) == h and holdout.due(h, Period.parse("2026-08")) == []

    class NoRegions:
        leads, spend = _data()[0].drop(columns="region"), _data()[1]

    assert holdout.readouts(NoRegions, [H], Period.parse("2026-Q4"), "en", "EUR", 300) == [
        "The test without LinkedIn ads cannot be read out: the inquiries lack the column region."]


def test_params_schema_checks_the_holdout():
    base = {"company": {}, "data": {}, "stage_map": {}, "memo": {}}
    problems = check({**base, "holdouts": [{**H, "weeks": 1}]}, "p.yaml")
    assert any("holdouts[0].weeks" in p for p in problems)
    assert not any("holdouts" in p for p in check({**base, "holdouts": [H]}, "p.yaml"))


def test_says_the_pause_took_hold_only_when_the_channels_own_inquiries_fell_for_sure():
    leads, spend = _data()
    # the same weeks' paid-search inquiries relabelled LinkedIn: in Nord during the test 1, 1, 2, 1 of them
    # against 3 elsewhere, so LinkedIn's own DiD is the total's, −1.75 (interval below zero, as above)
    res = holdout.read_out(leads.assign(channel="linkedin"), spend, holdout.from_params([H])[0])
    assert res.channel is not None and res.channel.effect == pytest.approx(-1.75) and res.channel.high < 0
    found, took_hold, meaning = (s.replace("\xa0", " ") for s in holdout.sentences(res, "de", "EUR", 300))
    assert took_hold == ("Die Pause griff: Anfragen über LinkedIn gingen in den Testgebieten um 1,8 je Gebiet und Woche zurück; "
                         "entscheidend ist, ob dadurch Anfragen insgesamt fehlten (Vergleich oben).")
    # no LinkedIn inquiries at all: nothing to check, no such sentence
    assert holdout.read_out(leads, spend, holdout.from_params([H])[0]).channel is None
    # the region column present but empty (an export without the property): unreadable, not a crash
    class EmptyRegions:
        leads, spend = _data()[0].assign(region=None), _data()[1]

    assert holdout.readouts(EmptyRegions, [H], Period.parse("2026-Q4"), "en", "EUR", 300) == [
        "The test without LinkedIn ads cannot be read out: the inquiries lack the column region."]
