"""Messaging: key terms a competitor started or stopped using between snapshots."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.competitors.messaging import messaging_changes, summarise_messaging_changes


def _snapshots(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "competitor", "location", "text"])


def _terms(changes: pd.DataFrame, competitor: str, location: str, kind: str) -> set[str]:
    part = changes[(changes["competitor"] == competitor) & (changes["location"] == location)
                   & (changes["change"] == kind)]
    return set(part["term"])


def test_german_snapshots_started_and_stopped_terms():
    changes = messaging_changes(_snapshots([
        ("2026-03-01", "Hartmann Antriebe", "Homepage", "Servogetriebe in Premium-Qualität. Made in Germany seit 1952."),
        ("2026-09-20", "Hartmann Antriebe", "Homepage",
         "Servogetriebe mit Lieferzeit 48h. Made in Germany seit 1952. Jetzt mit Preisgarantie!"),
    ]))
    assert _terms(changes, "Hartmann Antriebe", "Homepage", "started") == {"lieferzeit 48h", "preisgarantie"}
    assert _terms(changes, "Hartmann Antriebe", "Homepage", "stopped") == {"premium-qualität"}
    # The two-word phrase outranks the single word: 2 new words of 7 content words vs 1 of 7.
    started = changes[changes["change"] == "started"]
    assert list(started["term"]) == ["lieferzeit 48h", "preisgarantie"]
    assert list(started["salience"]) == [pytest.approx(2 / 7, abs=1e-4), pytest.approx(1 / 7, abs=1e-4)]


def test_english_snapshots_started_and_stopped_terms():
    changes = messaging_changes(_snapshots([
        ("2026-03-01", "Voss Motion", "Homepage",
         "Precision servo gearboxes for demanding applications. Premium quality, engineered in Switzerland."),
        ("2026-09-20", "Voss Motion", "Homepage",
         "Precision servo gearboxes. Shipped within 24 hours. Engineered in Switzerland. Free online configurator."),
    ]))
    assert _terms(changes, "Voss Motion", "Homepage", "started") == {
        "24 hour", "free online", "online configurator", "ship"}
    assert _terms(changes, "Voss Motion", "Homepage", "stopped") == {"demand application", "premium quality"}


def test_reordering_is_not_a_change_and_locations_are_compared_separately():
    changes = messaging_changes(_snapshots([
        ("2026-03-01", "Brandt Getriebebau", "Homepage", "Getriebe und Kupplungen aus einer Hand. Qualität aus Bayern."),
        ("2026-09-20", "Brandt Getriebebau", "Homepage", "Qualität aus Bayern: Getriebe und Kupplungen aus einer Hand!"),
        # A LinkedIn text in between must not be compared with the homepage.
        ("2026-06-01", "Brandt Getriebebau", "LinkedIn Info", "Wir suchen Vertriebsingenieure."),
    ]))
    assert changes.empty


def test_three_snapshots_give_two_pairs_and_summary():
    changes = messaging_changes(_snapshots([
        ("2026-01-01", "Voss Motion", "LinkedIn", "Your partner for motion control."),
        ("2026-04-01", "Voss Motion", "LinkedIn", "Your partner for motion control. Now hiring engineers!"),
        ("2026-07-01", "Voss Motion", "LinkedIn", "Your partner for motion control."),
    ]))
    summary = summarise_messaging_changes(changes)
    assert summary[["date_after", "started", "stopped"]].values.tolist() == [
        [pd.Timestamp("2026-04-01"), "hire engineer", ""],
        [pd.Timestamp("2026-07-01"), "", "hire engineer"],
    ]
