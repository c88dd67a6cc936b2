from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.errors import ParamsError, StaleDataError
from cmo_workbook.voc import analyse

EVAL = Path(__file__).parent / "data" / "voc_eval.csv"
PORTAL = ["Das neue Ersatzteilportal: Portal-Login klappt nicht, Passwort wird abgelehnt.",
          "Im Ersatzteilportal finde ich die Stücklisten nicht, Portal-Login umständlich.",
          "Ersatzteilportal zeigt keine Verfügbarkeit, Login bricht ab."]


def make_feedback(seed: int = 7) -> pd.DataFrame:
    """4 months x 120 items from the eval texts; delivery delays tripled and a portal theme in 2026-10."""
    rng = np.random.default_rng(seed)
    ev = pd.read_csv(EVAL, dtype=str, keep_default_na=False)
    delay = ev.loc[ev["themes"].str.contains("delivery_delay"), "text"].tolist()
    other = ev.loc[~ev["themes"].str.contains("delivery_delay"), "text"].tolist()
    rows = []
    for m, share in (("2026-07", 0.08), ("2026-08", 0.08), ("2026-09", 0.08), ("2026-10", 0.3)):
        for i in range(120):
            if m == "2026-10" and i < 15:
                text = PORTAL[i % 3]
            else:
                text = str(rng.choice(delay)) if rng.random() < share else str(rng.choice(other))
            if i % 40 == 0:
                text += " Bitte Rückruf an Anna Müller, anna.mueller@kunde.de, 0171 1234567."
            rows.append({"feedback_id": f"{m}-{i:03d}", "date": pd.Timestamp(f"{m}-{1 + i % 28:02d}"),
                         "source": "NPS-Umfrage" if i % 3 == 0 else "Support-Ticket", "text": text,
                         "score": float(rng.integers(0, 11)) if i % 3 == 0 else np.nan,
                         "score_scale": "nps_0_10" if i % 3 == 0 else None,
                         "contact_name": "Anna Müller" if i % 40 == 0 else None})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    return analyse(make_feedback(), month="2026-10")


def test_rising_theme_and_kpis(result):
    row = result.themes.set_index("theme").loc["delivery_delay"]
    assert row["flag"] == "rising" and row["delta_pp"] > 10 and row["p_value"] < 0.05
    kpis = result.kpis.set_index("metric")
    assert kpis.loc["volume", ["current", "previous", "baseline"]].tolist() == [120, 120, 120]
    assert kpis.loc["nps", "n_current"] == 40
    assert result.taxonomy_version == "2026.12-2" and result.baseline_months == ["2026-07", "2026-08", "2026-09"]
    assert 0 < result.coverage < 1
    rec = result.recommendations
    assert "delivery_delay" in rec["theme"].tolist()
    assert rec.set_index("theme").loc["delivery_delay", "owner"] == "operations"


def test_new_words_surface(result):
    assert "ersatzteilportal" in result.emerging_terms["term"].tolist()
    labels = " ".join(result.candidates["top_terms"].map(" ".join))
    assert "ersatzteilportal" in labels or "login" in labels


def test_no_pii_anywhere(result):
    texts = " ".join(result.items["text"]) + " ".join(result.quotes["text"])
    assert "Müller" not in texts and "@" not in texts and "0171" not in texts
    assert "müller" not in " ".join(result.emerging_terms["term"])


def test_deterministic_including_nmf_and_input_order():
    fb = make_feedback()
    a = analyse(fb, month="2026-10")
    b = analyse(fb.sample(frac=1.0, random_state=3), month="2026-10")
    for name in ("items", "kpis", "themes", "emerging_terms", "candidates", "quotes", "recommendations"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.caveats == b.caveats and a.coverage == b.coverage


def test_empty_month_is_a_clear_error():
    with pytest.raises(StaleDataError) as err:
        analyse(make_feedback(), month="2026-11")
    text = str(err.value)
    assert "2026-11" in text and "latest date found: 2026-10-28" in text and "earlier month" in text


def test_bad_month():
    with pytest.raises(ParamsError, match="quarter"):
        analyse(make_feedback(), month="2026-Q3")


def test_text_only_export_without_scores():
    fb = make_feedback().drop(columns=["score", "score_scale", "contact_name"])
    fb.loc[3, "text"] = None
    r = analyse(fb, month="2026-10")
    kpis = r.kpis.set_index("metric")
    assert kpis.loc["nps", "n_current"] == 0 and kpis.loc["volume", "current"] == 120
    assert r.themes["nps_n"].eq(0).all()
