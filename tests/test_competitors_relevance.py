"""Relevance of observations and merging of repeated reports of one event."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.competitors.relevance import merge_duplicates, score_observations

OWN_SEGMENTS = {"Servo": "core", "Getriebe": "core", "Kupplungen": "growth"}
PRIORITIES = {"core": 1.0, "growth": 0.7}


def _obs(rows: list[tuple]) -> pd.DataFrame:
    cols = ["date", "competitor", "topic", "summary", "impact", "segment", "product"]
    df = pd.DataFrame(rows, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    return df


def test_relevance_by_hand_for_three_observations():
    obs = _obs([
        # 3 (high) × 1.0 (core) × 1.5 (our product) × 0.5**(0/60) = 4.5
        ("2026-10-31", "Hartmann Antriebe", "price", "Servo price cut", "high", "Servo", "Servogetriebe"),
        # 2 (medium) × 0.7 (growth) × 0.5**(60/60) = 0.7
        ("2026-09-01", "Brandt Getriebebau", "campaign", "Coupling campaign", "medium", "Kupplungen", None),
        # 1.5 (not rated) × 0.25 (not our segment) × 0.5**(120/60) = 0.09375
        ("2026-07-03", "Voss Motion", "press", "Wind power order", None, "Windkraft", None),
    ])
    scored = score_observations(obs, own_segments=OWN_SEGMENTS, own_products=["Servogetriebe", "Kupplungen"],
                                priorities=PRIORITIES, as_of="2026-10-31", half_life_days=60)
    assert list(scored["competitor"]) == ["Hartmann Antriebe", "Brandt Getriebebau", "Voss Motion"]
    assert list(scored["relevance"]) == [4.5, 0.7, pytest.approx(0.094)]
    assert list(scored["age_days"]) == [0, 60, 120]
    assert scored.iloc[0]["reason_en"] == (
        "high impact ×3 · our segment Servo (core) ×1 · our product Servogetriebe ×1.5 · 0 days old ×1.00")
    assert scored.iloc[1]["reason_de"] == (
        "mittlere Bedeutung ×2,0 · unser Segment Kupplungen (growth) ×0,7 · 60 Tage alt ×0,50")
    assert scored.iloc[2]["reason_en"].startswith("impact not rated ×1.5 · segment Windkraft is not ours ×0.25")


def test_missing_segment_counts_half():
    obs = _obs([("2026-10-31", "Voss Motion", "hiring", "Hiring sales engineers", "low", None, None)])
    scored = score_observations(obs, own_segments=["Servo"], own_products=[], priorities={},
                                as_of="2026-10-31")
    assert scored.iloc[0]["relevance"] == 0.5  # 1 (low) × 0.5 (no segment) × 1


def _reports() -> pd.DataFrame:
    rows = [
        ("2026-09-15", "Hartmann Antriebe", "price", "Hartmann senkt Listenpreise für Servogetriebe um 12 %",
         "Anna", "https://a.example/1", "medium"),
        ("2026-09-16", "Hartmann Antriebe", "price", "Hartmann hat die Listenpreise der Servogetriebe um 12 % gesenkt",
         "Ben", "https://b.example/2", "high"),
        # Same competitor and topic, adjacent day, a different event.
        ("2026-09-17", "Hartmann Antriebe", "price", "Hartmann erhöht Preise für Kupplungen um 4 %",
         "Anna", "https://a.example/3", "low"),
        # Same text, but ten days after the first report: outside the window.
        ("2026-09-25", "Hartmann Antriebe", "price", "Hartmann senkt Listenpreise für Servogetriebe um 12 %",
         "Carl", None, "medium"),
        # Same text and day, other competitor.
        ("2026-09-16", "Voss Motion", "price", "Hartmann senkt Listenpreise für Servogetriebe um 12 %",
         "Ben", None, None),
    ]
    cols = ["date", "competitor", "topic", "summary", "observed_by", "source_url", "impact"]
    return pd.DataFrame(rows, columns=cols)


def test_merge_duplicates_joins_two_colleagues_reports_of_one_event():
    merged = merge_duplicates(_reports(), window_days=3, similarity=0.6)
    assert len(merged) == 4
    event = merged.iloc[0]
    assert event["date"] == pd.Timestamp("2026-09-15")
    assert event["last_date"] == pd.Timestamp("2026-09-16")
    assert event["n_reports"] == 2
    assert event["observed_by"] == "Anna; Ben"
    assert event["source_url"] == "https://a.example/1; https://b.example/2"
    assert event["impact"] == "high"
    assert event["summary"] == "Hartmann senkt Listenpreise für Servogetriebe um 12 %"
    assert list(merged["n_reports"]) == [2, 1, 1, 1]
    assert list(merged["competitor"]) == ["Hartmann Antriebe", "Voss Motion", "Hartmann Antriebe", "Hartmann Antriebe"]
    assert list(merged.columns[:7]) == list(_reports().columns)


def test_merge_duplicates_respects_similarity_threshold():
    # At similarity 0.2 the coupling price rise (0.22 similar) joins the servo event too.
    merged = merge_duplicates(_reports(), window_days=3, similarity=0.2)
    assert merged.iloc[0]["n_reports"] == 3
