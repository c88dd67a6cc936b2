from __future__ import annotations

import math

import pandas as pd
import pytest

from cmo_workbook.voc.scores import csat, nps, theme_scores


def test_nps_counts():
    out = nps([10, 9, 9, 8, 7, 6, 3, 0, 10, 5, None])
    assert out == {"nps": 0.0, "promoters": 4, "passives": 2, "detractors": 4, "n": 10}
    assert math.isnan(nps([])["nps"])


def test_theme_impact_on_hand_made_set():
    scores = [10, 9, 9, 8, 7, 6, 3, 0, 10, 5]
    themes = [(), (), (), (), (), ("x",), ("x",), ("x", "y"), (), ()]
    frame = pd.DataFrame({"score": scores, "score_scale": ["nps_0_10"] * 10, "themes": themes})
    frame.loc[len(frame)] = [4, "csat_1_5", ("x",)]
    out = theme_scores(frame, ["x", "y", "z"]).set_index("theme")
    # overall NPS 0; without x: [10,9,9,8,7,10,5] -> (4 - 1) / 7 = 42.857; x alone: 3 detractors -> -100
    assert out.loc["x", "nps"] == -100.0 and out.loc["x", "nps_n"] == 3
    assert out.loc["x", "nps_impact"] == pytest.approx(0 - 300 / 7)
    assert out.loc["x", "csat"] == 1.0 and out.loc["x", "csat_n"] == 1
    # without y: 9 answers, P 4, D 3 -> 11.11; impact = -11.11
    assert out.loc["y", "nps_impact"] == pytest.approx(-100 / 9)
    assert math.isnan(out.loc["z", "nps_impact"]) and out.loc["z", "nps_n"] == 0


def test_csat_scales():
    frame = pd.DataFrame({"score": [5, 4, 2, 1, 0, 3], "score_scale": ["csat_1_5", "stars_1_5", "csat_1_5",
                                                                      "csat_good_bad", "csat_good_bad", "nps_0_10"]})
    assert csat(frame) == {"csat": 3 / 5, "n": 5}
