from __future__ import annotations

import math

import pytest

from cmo_workbook.voc.trends import compare_shares, emerging_terms, theme_trends, trend_flag


def test_z_test_matches_hand_computation():
    # 30/100 now vs 30/300 baseline: pooled p = 60/400 = 0.15,
    # se = sqrt(0.15 * 0.85 * (1/100 + 1/300)) = sqrt(0.0017), z = 0.2 / sqrt(0.0017) = 4.8507
    z, p, test = compare_shares(30, 100, 30, 300)
    assert test == "z"
    assert z == pytest.approx(4.850712, abs=1e-6)
    assert p == pytest.approx(math.erfc(4.850712 / math.sqrt(2)), rel=1e-5)


def test_fisher_for_small_counts_matches_hypergeometric():
    # 5/20 vs 0/60: expected cell 80 * ... = 1.25 < 5 -> Fisher. Only the observed table and none
    # rarer: p = C(20,5) / C(80,5) = 15504 / 24040016
    z, p, test = compare_shares(5, 20, 0, 60)
    assert test == "fisher"
    assert p == pytest.approx(15504 / 24040016, rel=1e-9)
    assert z > 0


def test_flags():
    assert trend_flag(30, 0.30, 30, 0.10, 1e-6) == "rising"
    assert trend_flag(10, 0.10, 90, 0.30, 1e-6) == "falling"
    assert trend_flag(6, 0.06, 0, 0.0, 0.01) == "new"
    assert trend_flag(3, 0.03, 0, 0.0, 0.2) == "stable"  # absent before, but below min_n
    assert trend_flag(12, 0.12, 30, 0.10, 0.3) == "stable"
    assert trend_flag(4, 0.40, 1, 0.01, 1e-4, min_n=5) == "stable"  # significant, too few items


def test_theme_trends_on_hand_made_counts():
    months, themes = [], []
    # baseline 2026-07..09: 100 items each, 10 delivery_delay per month; current: 100 items, 30 delivery_delay
    for m, k in (("2026-07", 10), ("2026-08", 10), ("2026-09", 10), ("2026-10", 30)):
        months += [m] * 100
        themes += [("delivery_delay",)] * k + [("price",)] * 10 + [()] * (90 - k)
    out = theme_trends(months, themes, "2026-10", baseline=["2026-07", "2026-08", "2026-09"], previous="2026-09")
    row = out.set_index("theme").loc["delivery_delay"]
    assert (row["n"], row["n_prev"], row["n_baseline"]) == (30, 10, 30)
    assert row["share"] == 0.30 and row["share_baseline"] == pytest.approx(0.10)
    assert row["delta_pp"] == pytest.approx(20.0) and row["delta_pp_prev"] == pytest.approx(20.0)
    assert row["z"] == pytest.approx(4.850712, abs=1e-6)
    assert row["flag"] == "rising"
    assert out.set_index("theme").loc["price", "flag"] == "stable"
    assert out["theme"].tolist() == ["delivery_delay", "price"]


def test_emerging_terms_finds_planted_word_and_hand_value():
    base = [["lieferung", "termin"], ["rechnung", "fehler"], ["getriebe", "defekt"]] * 40
    cur = [["lieferung", "termin"], ["rechnung", "fehler"]] * 15 + [["ersatzteilportal", "login"]] * 10
    out = emerging_terms(cur, base, prior_scale=0.1)
    assert out["term"].iloc[0] in {"ersatzteilportal", "login"}
    assert set(out["term"]) == {"ersatzteilportal", "login"}
    row = out.set_index("term").loc["ersatzteilportal"]
    # y_i = 10, n_i = 80, y_j = 0, n_j = 240; prior alpha_w = 0.1 * 10 = 1, alpha_0 = 0.1 * 320 = 32
    delta = math.log(11 / (80 + 32 - 11)) - math.log(1 / (240 + 32 - 1))
    assert row["delta"] == pytest.approx(delta)
    assert row["z"] == pytest.approx(delta / math.sqrt(1 / 11 + 1 / 1))
