"""Attribution models against hand-derived credits on a small journey set.

The eight journeys (all touches at 12:00 on day d of January 2024):

    lead  touches (day: channel)          outcome
    1     1:A  2:A  3:B                   converted day 4, value 100 (repeat A, A)
    2     1:B  3:C  6:A                   converted day 5, value 50 (A on day 6 is after
                                          the conversion and must be ignored)
    3     2:C                             converted day 2, value 30 (1 touch)
    4     1:A  2:B  3:C  4:A              converted day 6, value 200 (4 touches)
    5     1:B  2:A                        not converted
    6     1:C  2:C                        not converted
    7     3:A                             not converted
    8     2:B  4:C  5:B                   not converted
    9     (none)                          converted, value 20 -> "(no touchpoint)"

Milestones: lead 1 created day 1 13:00, opportunity day 3 12:00; lead 4 created day 2
12:00, opportunity day 3 18:00; others none (W-shaped / full-path fall back to U).
"""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.attribution import (MODELS, NO_TOUCHPOINT, attribute, attribute_all, bootstrap,
                                      model_spread, reliability)
from cmo_workbook.attribution.rules import RULE_MODELS
from cmo_workbook.errors import DataError

TOL = 1e-9
VALUES = {1: 100, 2: 50, 3: 30, 4: 200}
UNTOUCHED = (1, 20)  # lead 9: one conversion worth 20 without touches


def day(d: float) -> pd.Timestamp:
    return pd.Timestamp("2024-01-01 12:00") + pd.Timedelta(days=d - 1)


@pytest.fixture
def touchpoints() -> pd.DataFrame:
    rows = [(1, 1, "A"), (1, 2, "A"), (1, 3, "B"),
            (2, 1, "B"), (2, 3, "C"), (2, 6, "A"),
            (3, 2, "C"),
            (4, 1, "A"), (4, 2, "B"), (4, 3, "C"), (4, 4, "A"),
            (5, 1, "B"), (5, 2, "A"),
            (6, 1, "C"), (6, 2, "C"),
            (7, 3, "A"),
            (8, 2, "B"), (8, 4, "C"), (8, 5, "B")]
    # Shuffled on purpose: the library must sort by lead and time itself.
    order = [5, 0, 18, 2, 9, 1, 14, 3, 7, 16, 4, 12, 6, 10, 8, 11, 13, 15, 17]
    rows = [rows[i] for i in order]
    return pd.DataFrame({"lead_id": [r[0] for r in rows], "timestamp": [day(r[1]) for r in rows],
                         "channel": pd.Series([r[2] for r in rows], dtype="str")})


@pytest.fixture
def outcomes() -> pd.DataFrame:
    nat = pd.NaT
    return pd.DataFrame({
        "lead_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "converted": [True, True, True, True, False, False, False, False, True],
        "value": [100.0, 50.0, 30.0, 200.0, 0.0, 0.0, 0.0, 0.0, 20.0],
        "conversion_date": pd.to_datetime([day(4), day(5), day(2), day(6), nat, nat, nat, nat, day(3)]),
        "lead_created_date": pd.to_datetime([day(1) + pd.Timedelta(hours=1), nat, nat, day(2),
                                             nat, nat, nat, nat, nat]),
        "opportunity_date": pd.to_datetime([day(3), nat, nat, day(3) + pd.Timedelta(hours=6),
                                            nat, nat, nat, nat, nat]),
    })


def expected(shares: dict[int, dict[str, F]], untouched: tuple[int, int] | None = UNTOUCHED) -> pd.DataFrame:
    """Credits from per-journey channel shares {lead: {channel: share}}."""
    conv: dict[str, F] = {}
    value: dict[str, F] = {}
    for lead, split in shares.items():
        assert sum(split.values()) == 1, f"shares of lead {lead} must sum to 1"
        for ch, s in split.items():
            conv[ch] = conv.get(ch, F(0)) + s
            value[ch] = value.get(ch, F(0)) + s * VALUES[lead]
    if untouched:
        conv[NO_TOUCHPOINT], value[NO_TOUCHPOINT] = F(untouched[0]), F(untouched[1])
    return pd.DataFrame({"conversions": {k: float(v) for k, v in conv.items()},
                         "value": {k: float(v) for k, v in value.items()}})


def assert_credits(result: pd.DataFrame, want: pd.DataFrame) -> None:
    got = result[(result["conversions"] != 0) | (result["value"] != 0)]
    assert list(got.index) == sorted(want.index)
    want = want.loc[got.index]
    np.testing.assert_allclose(got["conversions"].to_numpy(), want["conversions"].to_numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(got["value"].to_numpy(), want["value"].to_numpy(), atol=TOL, rtol=0)


U_SHAPE = {  # position-based: 3 touches 40/20/40; 2 touches 50/50; 1 touch 100 %; 4 touches 40/10/10/40
    1: {"A": F(4, 10) + F(2, 10), "B": F(4, 10)},
    2: {"B": F(1, 2), "C": F(1, 2)},
    3: {"C": F(1)},
    4: {"A": F(4, 10) + F(4, 10), "B": F(1, 10), "C": F(1, 10)},
}

RULE_CASES = {
    "first_touch": {1: {"A": F(1)}, 2: {"B": F(1)}, 3: {"C": F(1)}, 4: {"A": F(1)}},
    # lead 2's last touch is C: the A on day 6 comes after its conversion on day 5
    "last_touch": {1: {"B": F(1)}, 2: {"C": F(1)}, 3: {"C": F(1)}, 4: {"A": F(1)}},
    # repeats count: A, A, B gives A two of three shares
    "linear": {1: {"A": F(2, 3), "B": F(1, 3)}, 2: {"B": F(1, 2), "C": F(1, 2)}, 3: {"C": F(1)},
               4: {"A": F(2, 4), "B": F(1, 4), "C": F(1, 4)}},
    "position_based": U_SHAPE,
    # W: lead 1's first touch is also the lead touch (0.3 + 0.3), B on day 3 the
    # opportunity touch (0.3), A on day 2 the only other touch (0.1).
    # Lead 4: first A 0.3, lead B (day 2) 0.3, opportunity C (day 3 <= 18:00) 0.3, A day 4 0.1.
    "w_shaped": {1: {"A": F(6, 10) + F(1, 10), "B": F(3, 10)},
                 2: U_SHAPE[2], 3: U_SHAPE[3],
                 4: {"A": F(3, 10) + F(1, 10), "B": F(3, 10), "C": F(3, 10)}},
    # Z: lead 1: first+lead on touch 1 (0.45), opportunity+close on touch 3 (0.45), rest 0.1.
    # Lead 4: the four key touches are four distinct touches, no "other" touch is left,
    # so the 0.1 is spread proportionally: 0.225/0.9 = 1/4 each.
    "full_path": {1: {"A": F(45, 100) + F(1, 10), "B": F(45, 100)},
                  2: U_SHAPE[2], 3: U_SHAPE[3],
                  4: {"A": F(1, 4) + F(1, 4), "B": F(1, 4), "C": F(1, 4)}},
}


@pytest.mark.parametrize("model", sorted(RULE_CASES))
def test_rule_based_models_match_hand_derived_credits(touchpoints, outcomes, model):
    assert_credits(attribute(touchpoints, outcomes, model), expected(RULE_CASES[model]))


def test_time_decay_halves_weight_per_half_life(touchpoints, outcomes):
    # half life 1 day: weight 2^-(days before conversion)
    w = lambda days: F(1, 2 ** days)  # noqa: E731
    j1 = {"A": w(3) + w(2), "B": w(1)}  # conversion day 4; touches days 1, 2, 3
    j2 = {"B": w(4), "C": w(2)}  # conversion day 5; touches days 1, 3
    j4 = {"A": w(5) + w(2), "B": w(4), "C": w(3)}  # conversion day 6; touches days 1..4
    norm = lambda d: {k: v / sum(d.values()) for k, v in d.items()}  # noqa: E731
    shares = {1: norm(j1), 2: norm(j2), 3: {"C": F(1)}, 4: norm(j4)}
    assert shares[1] == {"A": F(3, 7), "B": F(4, 7)}
    assert shares[4] == {"A": F(9, 15), "B": F(2, 15), "C": F(4, 15)}
    assert_credits(attribute(touchpoints, outcomes, "time_decay", half_life_days=1.0), expected(shares))


def test_last_non_direct_skips_direct_and_falls_back_to_last_touch(touchpoints, outcomes):
    # C as "direct": lead 2 -> B, lead 4 ends on A anyway, lead 3 has only C -> falls back to C
    shares = {1: {"B": F(1)}, 2: {"B": F(1)}, 3: {"C": F(1)}, 4: {"A": F(1)}}
    assert_credits(attribute(touchpoints, outcomes, "last_non_direct", direct_channels=("C",)), expected(shares))
    # A as "direct": lead 4's last non-A touch is C on day 3
    shares = {1: {"B": F(1)}, 2: {"C": F(1)}, 3: {"C": F(1)}, 4: {"C": F(1)}}
    assert_credits(attribute(touchpoints, outcomes, "last_non_direct", direct_channels=("A",)), expected(shares))


def test_w_shaped_and_full_path_fall_back_to_u_shape_without_milestones(touchpoints, outcomes):
    plain = outcomes.drop(columns=["lead_created_date", "opportunity_date"])
    u = attribute(touchpoints, plain, "position_based")
    assert_credits(attribute(touchpoints, plain, "w_shaped"), u)
    assert_credits(attribute(touchpoints, plain, "full_path"), u)


def solve(a: list[list[F]], b: list[F]) -> list[F]:
    """Gauss-Jordan elimination over fractions (the systems here are 2x2 and 3x3)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = next(r for r in range(col, n) if m[r][col] != 0)
        m[col], m[piv] = m[piv], m[col]
        m[col] = [x / m[col][col] for x in m[col]]
        for r in range(n):
            if r != col:
                m[r] = [x - m[r][col] * y for x, y in zip(m[r], m[col])]
    return [m[i][n] for i in range(n)]


def test_markov_removal_effects_match_hand_solved_chain(touchpoints, outcomes):
    # Collapsed paths: 1 A>B>conv, 2 B>C>conv, 3 C>conv, 4 A>B>C>A>conv,
    #                  5 B>A>null, 6 C>null, 7 A>null, 8 B>C>B>null
    start = {"A": F(3, 8), "B": F(3, 8), "C": F(2, 8)}
    # from: {to: probability}; counts A: B2 conv1 null2 | B: C3 A1 conv1 null1 | C: conv2 A1 B1 null1
    step = {"A": {"B": F(2, 5)}, "B": {"C": F(3, 6), "A": F(1, 6)}, "C": {"A": F(1, 5), "B": F(1, 5)}}
    to_conv = {"A": F(1, 5), "B": F(1, 6), "C": F(2, 5)}

    def p_conv(removed: str | None) -> F:
        # x_s = P(conv | in s) = to_conv[s] + sum_t step[s][t] x_t ; removed channel: x = 0
        states = [s for s in "ABC" if s != removed]
        a = [[F(int(s == t)) - step[s].get(t, F(0)) for t in states] for s in states]
        x = dict(zip(states, solve(a, [to_conv[s] for s in states])))
        return sum(start[s] * x[s] for s in states)

    p = p_conv(None)
    effects = {c: 1 - p_conv(c) / p for c in "ABC"}
    total_re = sum(effects.values())
    shares = {c: e / total_re for c, e in effects.items()}
    want_conv = {c: 4 * s for c, s in shares.items()}
    want_value = {c: 380 * s for c, s in shares.items()}  # value allocated by the same shares

    got = attribute(touchpoints, outcomes, "markov")
    assert got.loc[NO_TOUCHPOINT, "conversions"] == 1 and got.loc[NO_TOUCHPOINT, "value"] == 20
    for c in "ABC":
        assert got.loc[c, "conversions"] == pytest.approx(float(want_conv[c]), abs=TOL)
        assert got.loc[c, "value"] == pytest.approx(float(want_value[c]), abs=TOL)
    # By hand: x_A = 7/17, x_B = 9/17, x_C = 10/17 and P(conv) = 3/8 x_A + 3/8 x_B + 2/8 x_C = 1/2,
    # the observed 4 conversions of 8 journeys.
    assert p == F(1, 2)


def test_distinct_linear_is_the_path_set_subset_shapley_value(touchpoints, outcomes):
    # The old "shapley": converted channel sets {A,B} (100), {B,C} (50), {C} (30), {A,B,C} (200);
    # v(S) = conversions / value of those sets contained in S.
    v_conv = {"": 0, "A": 0, "B": 0, "C": 1, "AB": 1, "AC": 1, "BC": 2, "ABC": 4}
    v_value = {"": 0, "A": 0, "B": 0, "C": 30, "AB": 100, "AC": 30, "BC": 80, "ABC": 380}
    weight = {0: F(1, 3), 1: F(1, 6), 2: F(1, 3)}  # |S|! (3-|S|-1)! / 3!

    def phi(v: dict[str, int], i: str) -> F:
        total = F(0)
        for s in v:
            if i not in s:
                with_i = "".join(sorted(s + i))
                total += weight[len(s)] * (v[with_i] - v[s])
        return total

    want = pd.DataFrame({"conversions": {c: float(phi(v_conv, c)) for c in "ABC"},
                         "value": {c: float(phi(v_value, c)) for c in "ABC"}})
    assert phi(v_conv, "A") == F(5, 6)  # J1 half + J4 third
    want.loc[NO_TOUCHPOINT] = [1.0, 20.0]
    assert_credits(attribute(touchpoints, outcomes, "distinct_linear"), want)


def test_lookback_window_drops_old_touches_and_reports_untouched(touchpoints, outcomes):
    # 1 day before conversion (inclusive): lead 1 keeps B (day 3), lead 3 keeps C (same day);
    # leads 2 and 4 have no touch left and join lead 9 in "(no touchpoint)".
    got = attribute(touchpoints, outcomes, "linear", lookback_days=1)
    assert_credits(got, expected({1: {"B": F(1)}, 3: {"C": F(1)}}, untouched=(1 + 1 + 1, 20 + 50 + 200)))
    excluded = attribute(touchpoints, outcomes, "linear", lookback_days=1, no_touchpoint="exclude")
    assert_credits(excluded, expected({1: {"B": F(1)}, 3: {"C": F(1)}}, untouched=None))
    # 2.5 days: lead 1 keeps A day 2 and B, lead 2 keeps C, lead 4 keeps A day 4
    first = attribute(touchpoints, outcomes, "first_touch", lookback_days=2.5)
    assert_credits(first, expected({1: {"A": F(1)}, 2: {"C": F(1)}, 3: {"C": F(1)}, 4: {"A": F(1)}}))


def test_date_only_conversion_counts_the_whole_day():
    tp = pd.DataFrame({"lead_id": ["x", "x"], "timestamp": pd.to_datetime(["2024-03-01 09:00", "2024-03-05 15:00"]),
                       "channel": ["A", "B"]})
    oc = pd.DataFrame({"lead_id": ["x"], "converted": [True], "value": [10.0],
                       "conversion_date": pd.to_datetime(["2024-03-05"])})
    got = attribute(tp, oc, "last_touch")
    assert got.loc["B", "conversions"] == 1.0 and got.loc["A", "conversions"] == 0.0


def random_data(seed: int, n: int = 3000, n_channels: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 7, n)
    lead = np.repeat(np.arange(n), lengths)
    ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60 * 24, len(lead)), unit="h")
    channel = np.array([f"ch{i}" for i in range(n_channels)])[rng.integers(0, n_channels, len(lead))]
    tp = pd.DataFrame({"lead_id": lead, "timestamp": ts, "channel": channel}).sample(frac=1, random_state=seed)
    ids = np.arange(n + 20)  # 20 leads only in outcomes
    converted = rng.random(n + 20) < 0.3
    last = tp.groupby("lead_id")["timestamp"].max().reindex(ids)
    conv_date = (last - pd.to_timedelta(rng.integers(0, 48, n + 20), unit="h")).where(converted)
    conv_date = conv_date.fillna(pd.Timestamp("2024-02-01")).where(converted)
    oc = pd.DataFrame({"lead_id": ids, "converted": converted,
                       "value": np.where(converted, rng.uniform(100, 1000, n + 20).round(2), 0.0),
                       "conversion_date": conv_date.to_numpy(),
                       "lead_created_date": (last - pd.Timedelta(days=20)).to_numpy(),
                       "opportunity_date": (last - pd.Timedelta(days=5)).to_numpy()})
    return tp, oc


@pytest.mark.parametrize("lookback", [None, 10])
def test_every_model_credits_exactly_the_totals(lookback):
    tp, oc = random_data(1)
    table = attribute_all(tp, oc, measure="conversions", lookback_days=lookback)
    values = attribute_all(tp, oc, lookback_days=lookback)
    assert list(table.columns) == list(MODELS)
    np.testing.assert_allclose(table.sum().to_numpy(), oc["converted"].sum(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(values.sum().to_numpy(), oc["value"].sum(), rtol=1e-12)
    assert table.index.is_monotonic_increasing


def test_distinct_linear_is_an_even_split_over_distinct_channels_on_random_data():
    # The path-set-subset game is a sum of unanimity games: an independent check.
    tp, oc = random_data(2)
    got = attribute(tp, oc, "distinct_linear", no_touchpoint="exclude")
    conv = oc.set_index("lead_id")
    t = tp.join(conv, on="lead_id")
    t = t[t["converted"] & (t["timestamp"] <= t["conversion_date"])].drop_duplicates(["lead_id", "channel"])
    n_distinct = t.groupby("lead_id")["channel"].transform("size")
    even = (t["value"] / n_distinct).groupby(t["channel"]).sum()
    np.testing.assert_allclose(got["value"].to_numpy(), even.reindex(got.index).to_numpy(), rtol=1e-12)


def test_two_runs_are_identical():
    tp, oc = random_data(3)
    pd.testing.assert_frame_equal(attribute_all(tp, oc), attribute_all(tp, oc), check_exact=True)


def test_bootstrap_is_seeded_and_romi_follows_value(touchpoints, outcomes):
    cost = {"A": 40.0, "B": 20.0, "C": 10.0}
    a = bootstrap(touchpoints, outcomes, "linear", n_boot=300, seed=5, cost_by_channel=cost, margin_rate=0.5)
    b = bootstrap(touchpoints, outcomes, "linear", n_boot=300, seed=5, cost_by_channel=cost, margin_rate=0.5)
    c = bootstrap(touchpoints, outcomes, "linear", n_boot=300, seed=6, cost_by_channel=cost, margin_rate=0.5)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a.equals(c)
    point = attribute(touchpoints, outcomes, "linear")
    np.testing.assert_allclose(a["value"], point["value"])
    assert (a["value_low"] <= a["value_median"]).all() and (a["value_median"] <= a["value_high"]).all()
    # ROMI is monotone in value: its quantiles are the value quantiles transformed
    for q in ("low", "median", "high"):
        want = (a.loc[["A", "B", "C"], f"value_{q}"] * 0.5 - pd.Series(cost)) / pd.Series(cost)
        np.testing.assert_allclose(a.loc[["A", "B", "C"], f"romi_{q}"], want, rtol=1e-12)
    assert a.loc["A", "romi"] == pytest.approx((200 / 3 + 100) * 0.5 / 40 - 1)
    assert np.isnan(a.loc[NO_TOUCHPOINT, "romi"])
    # Lead 9 alone is "(no touchpoint)": every replicate holds k copies of its 20
    assert a.loc[NO_TOUCHPOINT, "value_low"] % 20 == 0 and a.loc[NO_TOUCHPOINT, "value_high"] > 20


def test_bootstrap_of_data_driven_models_is_seeded(touchpoints, outcomes):
    for model in ("markov", "markov_2", "shapley"):
        a = bootstrap(touchpoints, outcomes, model, n_boot=50, seed=1)
        pd.testing.assert_frame_equal(a, bootstrap(touchpoints, outcomes, model, n_boot=50, seed=1))
        np.testing.assert_allclose(a["value"], attribute(touchpoints, outcomes, model)["value"])


def test_model_spread_reports_range_across_models(touchpoints, outcomes):
    table = attribute_all(touchpoints, outcomes, ("first_touch", "last_touch", "linear"))
    spread = model_spread(table)
    # A: first touch 300, last touch 200, linear 200/3 + 100 = 166.67
    assert spread.loc["A", "max"] == 300 and spread.loc["A", "max_model"] == "first_touch"
    assert spread.loc["A", "min"] == pytest.approx(200 / 3 + 100) and spread.loc["A", "min_model"] == "linear"
    assert spread.loc["A", "range"] == pytest.approx(300 - (200 / 3 + 100))


def test_shapley_refuses_more_than_16_channels():
    tp = pd.DataFrame({"lead_id": [1] * 17, "timestamp": pd.date_range("2024-01-01", periods=17, freq="h"),
                       "channel": [f"c{i:02d}" for i in range(17)]})
    oc = pd.DataFrame({"lead_id": [1], "converted": [True], "value": [1.0],
                       "conversion_date": pd.to_datetime(["2024-02-01"])})
    with pytest.raises(ValueError, match=r"at most 16 channels; the journeys touch 17 .*model='markov'"):
        attribute(tp, oc, "shapley")
    assert attribute(tp, oc, "markov")["conversions"].sum() == pytest.approx(1.0)


def test_reliability_threshold_at_100_conversions():
    oc = pd.DataFrame({"converted": [True] * 99 + [False] * 5})
    r = reliability(oc)
    assert (r["n"], r["reliable"]) == (99, False)
    assert "99" in r["reason_en"] and "Abschlüsse" in r["reason_de"]
    assert reliability(pd.DataFrame({"converted": [True] * 100}))["reliable"] is True


def test_bad_input_is_reported_with_the_column(touchpoints, outcomes):
    with pytest.raises(DataError, match=r'outcomes, column "lead_id": 3 appears more than once'):
        attribute(touchpoints, pd.concat([outcomes, outcomes.iloc[[2]]]))
    with pytest.raises(DataError, match=r"touchpoints: lacks the column\(s\) channel"):
        attribute(touchpoints.drop(columns="channel"), outcomes)
    with pytest.raises(ValueError, match=r"unknown attribution model 'ushape'"):
        attribute(touchpoints, outcomes, "ushape")


@pytest.mark.parametrize("model", MODELS)
def test_journey_weights_equal_duplicated_journeys(touchpoints, outcomes, model):
    # The bootstrap re-weights journeys; weight 2 on lead 1 must equal a copy of lead 1's journey.
    from cmo_workbook.attribution.engine import CompiledModel
    from cmo_workbook.attribution.journeys import prepare

    tp = touchpoints.sort_values(["lead_id", "timestamp"])  # journey i = lead i + 1
    journeys = prepare(tp, outcomes)
    weights = np.ones(journeys.touches.n_journeys)
    weights[0] = 2.0
    conv, value = CompiledModel(journeys, model).credits(weights[journeys.converted_ids], weights)
    copy_tp = pd.concat([tp, tp[tp["lead_id"] == 1].assign(lead_id=10)])
    copy_oc = pd.concat([outcomes, outcomes[outcomes["lead_id"] == 1].assign(lead_id=10)])
    want = attribute(copy_tp, copy_oc, model, no_touchpoint="exclude")
    np.testing.assert_allclose(conv, want["conversions"].to_numpy(), atol=TOL)
    np.testing.assert_allclose(value, want["value"].to_numpy(), atol=TOL)
    if model in RULE_MODELS:  # the bootstrap's per-journey credit vectors agree
        compiled = CompiledModel(journeys, model)
        matrix = compiled.journey_matrix()
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=TOL)
        np.testing.assert_allclose(weights[journeys.converted_ids] @ matrix, conv, atol=TOL)
