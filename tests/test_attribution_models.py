"""Conversion-rate Shapley and higher-order Markov against hand-derived figures.

Shapley fixture (14 journeys, 7 conversions, three channels; order within a journey does
not matter for Shapley):

    channel set   journeys  converted   rate
    {A}              2          2        1
    {C}              1          0        0
    {A, B}           5          0        0     B reaches many who do not buy
    {A, C}           1          1        1
    {B, C}           3          2        2/3
    {A, B, C}        2          2        1

Per converted set J the game on J's channels has v(T) = rate of the journeys whose set is
exactly T; J's conversions are split by phi_J / rate(J) (Shapley weights for three players:
1/3 for |S| = 0, 1/6 for |S| = 1, 1/3 for |S| = 2):

* {A}: A gets both conversions.
* {A, C}: v(A) = 1, v(C) = 0, v(AC) = 1: phi_A = 1/2 * 1 + 1/2 * (1 - 0) = 1, phi_C = 0 -> A 1.
* {B, C}: v(B) = 0 (unseen), v(C) = 0, v(BC) = 2/3: 1/3 each, split 1/2 : 1/2 -> B 1, C 1.
* {A, B, C}: v(A) = 1, v(B) = 0, v(C) = 0, v(AB) = 0, v(AC) = 1, v(BC) = 2/3, v(ABC) = 1:
  phi_A = 1/3*1 + 1/6*(0-0) + 1/6*(1-0) + 1/3*(1-2/3) = 11/18,
  phi_B = 1/3*0 + 1/6*(0-1) + 1/6*(2/3-0) + 1/3*(1-1) = -1/18,
  phi_C = 1/3*0 + 1/6*(1-1) + 1/6*(2/3-0) + 1/3*(1-0) = 8/18; sum 1 = rate(ABC);
  two conversions -> A 11/9, B -1/9, C 8/9.

Total A = 2 + 1 + 11/9 = 38/9 (4.22), B = 1 - 1/9 = 8/9 (0.89), C = 1 + 8/9 = 17/9 (1.89),
where the even split over distinct channels (``distinct_linear``) gives A 2 + 1/2 + 2/3 = 19/6
(3.17), B 1 + 2/3 = 5/3 (1.67), C 1/2 + 1 + 2/3 = 13/6 (2.17): the numbers of issue 14.
"""
from __future__ import annotations

import itertools
from fractions import Fraction as F
from math import factorial

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.attribution import attribute, attribute_all, bootstrap

from test_attribution import random_data, solve

TOL = 1e-9
# (channel path, converted, value): journeys of the fixture above
SHAPLEY_JOURNEYS = (
    [("A", True, 100.0), ("A", True, 300.0), ("C", False, 0.0)]
    + [("AB", False, 0.0)] * 3 + [("BA", False, 0.0)] * 2
    + [("CA", True, 50.0)]
    + [("BC", True, 200.0), ("CB", True, 100.0), ("BCB", False, 0.0)]
    + [("ABC", True, 90.0), ("CAB", True, 30.0)]
)


def frames(journeys: list[tuple[str, bool, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Touchpoints one day apart per journey; outcomes convert the day after the last touch."""
    rows, out = [], []
    for lead, (path, converted, value) in enumerate(journeys, start=1):
        for i, ch in enumerate(path):
            rows.append((lead, pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), ch))
        out.append((lead, converted, value, pd.Timestamp("2024-02-01") if converted else pd.NaT))
    tp = pd.DataFrame(rows, columns=["lead_id", "timestamp", "channel"])
    oc = pd.DataFrame(out, columns=["lead_id", "converted", "value", "conversion_date"])
    return tp, oc


def test_conversion_rate_shapley_reproduces_the_hand_derived_fixture():
    tp, oc = frames(SHAPLEY_JOURNEYS)
    assert len(oc) == 14 and oc["converted"].sum() == 7
    got = attribute(tp, oc, "shapley")
    want = {"A": F(38, 9), "B": F(8, 9), "C": F(17, 9)}
    for ch, w in want.items():
        assert got.at[ch, "conversions"] == pytest.approx(float(w), abs=TOL)
    # Value: each converted set's value split by the same phi_J / rate(J) shares.
    value = {"A": 400 + 50 + F(11, 18) * 120, "B": F(1, 2) * 300 - F(1, 18) * 120,
             "C": F(1, 2) * 300 + F(8, 18) * 120}
    for ch, w in value.items():
        assert got.at[ch, "value"] == pytest.approx(float(w), abs=TOL)
    old = attribute(tp, oc, "distinct_linear")
    for ch, w in {"A": F(19, 6), "B": F(5, 3), "C": F(13, 6)}.items():
        assert old.at[ch, "conversions"] == pytest.approx(float(w), abs=TOL)
    # the rounded figures
    assert [round(v, 2) for v in got["conversions"]] == [4.22, 0.89, 1.89]
    assert [round(v, 2) for v in old["conversions"]] == [3.17, 1.67, 2.17]


def brute_force_rate_shapley(tp: pd.DataFrame, oc: pd.DataFrame) -> dict[str, F]:
    """Straight from the definition, with fractions: per converted set, enumerate its coalitions."""
    conv = oc.set_index("lead_id")
    sets: dict[frozenset, list[int]] = {}
    for lead, g in tp.groupby("lead_id"):
        row = conv.loc[lead]
        keep = g if not row["converted"] else g[g["timestamp"] <= row["conversion_date"]]
        if len(keep):
            sets.setdefault(frozenset(keep["channel"]), []).append(int(row["converted"]))
    rate = {s: F(sum(v), len(v)) for s, v in sets.items()}
    credit: dict[str, F] = {}
    for j, v in sets.items():
        if not sum(v):
            continue
        players, n = sorted(j), len(j)
        for i in players:
            others = [p for p in players if p != i]
            phi = F(0)
            for k in range(n):
                for s in itertools.combinations(others, k):
                    w = F(factorial(k) * factorial(n - k - 1), factorial(n))
                    phi += w * (rate.get(frozenset(s) | {i}, F(0)) - rate.get(frozenset(s), F(0)))
            credit[i] = credit.get(i, F(0)) + phi / rate[j] * sum(v)
    return credit


@pytest.mark.parametrize("seed", [4, 5])
def test_conversion_rate_shapley_equals_the_definition_on_random_data(seed):
    tp, oc = random_data(seed, n=400, n_channels=5)
    got = attribute(tp, oc, "shapley", no_touchpoint="exclude")
    want = brute_force_rate_shapley(tp, oc)
    for ch, w in want.items():
        assert got.at[ch, "conversions"] == pytest.approx(float(w), abs=TOL)
    assert got["conversions"].sum() == pytest.approx(sum(float(w) for w in want.values()), abs=TOL)


def test_non_converting_journeys_lower_the_shapley_credit_of_their_channels():
    # Same converted journeys plus six non-converting {B, C} journeys: rate(BC) falls from 2/3
    # to 2/9, so within {A, B, C} the credit moves from B and C to A.
    tp, oc = frames(SHAPLEY_JOURNEYS)
    more = SHAPLEY_JOURNEYS + [("BC", False, 0.0)] * 6
    tp2, oc2 = frames(more)
    a, b = attribute(tp, oc, "shapley"), attribute(tp2, oc2, "shapley")
    assert b.at["B", "conversions"] < a.at["B", "conversions"]
    assert b.at["C", "conversions"] < a.at["C", "conversions"]
    # A gains 2 x (1/3 (1 - 2/9) - 1/3 (1 - 2/3)) = 2 x 4/27 by hand
    assert b.at["A", "conversions"] - a.at["A", "conversions"] == pytest.approx(8 / 27, abs=TOL)
    assert b["conversions"].sum() == pytest.approx(7.0)
    # distinct_linear ignores non-converters entirely
    pd.testing.assert_frame_equal(attribute(tp, oc, "distinct_linear"), attribute(tp2, oc2, "distinct_linear"))


# Order-2 Markov example (paths after collapsing repeats; journey 5 is A, A, C):
#   1 A>B>A>C conv   2 A>B>C null   3 B>A>B>A conv   4 C>A conv   5 A>C null   6 B>C conv   7 C null
MARKOV_JOURNEYS = [("ABAC", True, 70.0), ("ABC", False, 0.0), ("BABA", True, 140.0), ("CA", True, 35.0),
                   ("AAC", False, 0.0), ("BC", True, 35.0), ("C", False, 0.0)]


def test_second_order_markov_matches_the_hand_solved_chain():
    # States are the last two channels (the first step: one channel). Counts by hand:
    # start: (A)3 (B)2 (C)2 | (A): AB 2, AC 1 | (B): BA 1, BC 1 | (C): CA 1, null 1
    # AB: BA 2, BC 1 | BA: AC 1, AB 1, conv 1 | AC: conv 1, null 1 | BC: conv 1, null 1 | CA: conv 1
    start = {"A": F(3, 7), "B": F(2, 7), "C": F(2, 7)}
    step = {"A": {"AB": F(2, 3), "AC": F(1, 3)}, "B": {"BA": F(1, 2), "BC": F(1, 2)}, "C": {"CA": F(1, 2)},
            "AB": {"BA": F(2, 3), "BC": F(1, 3)}, "BA": {"AC": F(1, 3), "AB": F(1, 3)},
            "AC": {}, "BC": {}, "CA": {}}
    to_conv = {"A": F(0), "B": F(0), "C": F(0), "AB": F(0), "BA": F(1, 3), "AC": F(1, 2), "BC": F(1, 2), "CA": F(1)}

    def p_conv(removed: str | None) -> F:
        states = [s for s in step if removed is None or removed not in s]
        a = [[F(int(s == t)) - step[s].get(t, F(0)) for t in states] for s in states]
        x = dict(zip(states, solve(a, [to_conv[s] for s in states])))
        return sum(start[s] * x[s] for s in start if s in x)

    p = p_conv(None)
    assert p == F(4, 7)  # the observed 4 conversions of 7 journeys
    effects = {c: 1 - p_conv(c) / p for c in "ABC"}
    assert effects == {"A": F(7, 8), "B": F(5, 8), "C": F(3, 4)}
    total = sum(effects.values())
    tp, oc = frames(MARKOV_JOURNEYS)
    got = attribute(tp, oc, "markov_2")
    for c in "ABC":
        assert got.at[c, "conversions"] == pytest.approx(float(4 * effects[c] / total), abs=TOL)
        assert got.at[c, "value"] == pytest.approx(float(280 * effects[c] / total), abs=TOL)
    # A: 14/9, B: 10/9, C: 4/3 conversions; first order credits differently
    assert got.at["A", "conversions"] == pytest.approx(14 / 9, abs=TOL)
    first = attribute(tp, oc, "markov")
    assert abs(first.at["A", "conversions"] - got.at["A", "conversions"]) > 0.01


def test_third_order_markov_on_paths_of_at_most_three_channels_is_exact():
    # With order 3 and paths of <= 3 distinct steps every state is a full prefix: the chain is a
    # tree, P(conv | c removed) = conversions of journeys without c / all journeys.
    tp, oc = frames(MARKOV_JOURNEYS[1:2] + MARKOV_JOURNEYS[3:])  # ABC null, CA, AAC null, BC, C null
    got = attribute(tp, oc, "markov_3")
    # P(conv) = 2/5; without A: BC conv survives -> 1/5, RE_A = 1/2; without B: CA -> RE_B = 1/2;
    # without C: nothing converts -> RE_C = 1. Shares 1/4, 1/4, 1/2 of 2 conversions.
    np.testing.assert_allclose(got.loc[["A", "B", "C"], "conversions"], [0.5, 0.5, 1.0], atol=TOL)


def test_markov_order_3_with_many_states_uses_the_sparse_path_and_agrees_with_dense():
    from cmo_workbook.attribution import markov as mk
    from cmo_workbook.attribution.journeys import prepare

    tp, oc = random_data(8, n=2500, n_channels=12)
    journeys = prepare(tp, oc)
    chain = mk.transition_chain(journeys, 3)
    assert chain.n_states - 2 > mk._DENSE_STATES
    sparse = mk.removal_effects(chain)
    old = mk._DENSE_STATES
    try:
        mk._DENSE_STATES = 10**6
        dense = mk.removal_effects(chain)
    finally:
        mk._DENSE_STATES = old
    assert sparse[0] == pytest.approx(dense[0], abs=1e-12)
    np.testing.assert_allclose(sparse[1], dense[1], atol=1e-10)


def test_markov_rejects_an_unknown_order():
    from cmo_workbook.attribution.markov import transition_chain
    from cmo_workbook.attribution.journeys import prepare

    tp, oc = frames(MARKOV_JOURNEYS)
    with pytest.raises(ValueError, match=r"Markov order must be one of \(1, 2, 3\) \(got 4\)"):
        transition_chain(prepare(tp, oc), 4)


def test_text_and_categorical_lead_ids_give_the_same_credits():
    from cmo_workbook.attribution.crm import prepare_touchpoints

    tp, oc = random_data(6, n=600)
    models = ("linear", "markov_2", "shapley")
    want = attribute_all(tp, oc, models)
    text_tp = tp.assign(lead_id=tp["lead_id"].map(lambda i: f"L-{i:05d}"))
    text_oc = oc.assign(lead_id=oc["lead_id"].map(lambda i: f"L-{i:05d}").astype("string"))
    prepared = prepare_touchpoints(text_tp)
    assert isinstance(prepared["lead_id"].dtype, pd.CategoricalDtype)
    for frame in (text_tp, prepared):
        pd.testing.assert_frame_equal(attribute_all(frame, text_oc, models), want, atol=1e-9, check_exact=False)


def test_bootstrap_of_conversion_rate_shapley_resamples_non_converters_too():
    tp, oc = frames(SHAPLEY_JOURNEYS)
    boot = bootstrap(tp, oc, "shapley", n_boot=200, seed=3)
    assert boot.at["B", "conversions_low"] < boot.at["B", "conversions_high"]
    np.testing.assert_allclose(boot["value"], attribute(tp, oc, "shapley")["value"])


def test_unused_categories_and_category_order_do_not_change_the_result():
    tp, oc = random_data(9, n=500, n_channels=4)
    want = attribute_all(tp, oc, ("linear", "markov_2", "shapley"))
    cat = tp.assign(channel=pd.Categorical(tp["channel"], categories=["zz_unused", "ch3", "ch1", "ch0", "ch2"]),
                    lead_id=pd.Categorical(tp["lead_id"], categories=list(range(-5, 520))))
    got = attribute_all(cat, oc, ("linear", "markov_2", "shapley"))
    assert list(got.index) == list(want.index)  # no row for the unused channel
    pd.testing.assert_frame_equal(got, want, atol=1e-9, check_exact=False)
