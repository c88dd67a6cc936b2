"""Model names, the spread's models and the budget advice's basis in the attribution review."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.attribution import MODELS
from cmo_workbook.memos import attribution_review as review
from cmo_workbook.render.i18n import t

RELIABLE = {"n": 157, "reliable": True}
FEW = {"n": 40, "reliable": False}


def test_every_model_has_a_name_and_the_spread_holds_the_new_models():
    assert set(review.SPREAD_MODELS) <= set(MODELS)
    assert {"markov_2", "shapley", "distinct_linear"} <= set(review.SPREAD_MODELS)
    for m in MODELS:
        assert t(f"rv_model_{m}", "de") and t(f"rv_model_{m}", "en")
    assert t("rv_model_distinct_linear", "de") == "gleich je Kanal"
    # plain words in the CEO part (the model names stay in the data note): no "Markov" or "Shapley" in a label
    assert "Abschlussquote" in t("rv_model_shapley", "de") and "last two channels" in t("rv_model_markov_2", "en")
    assert not any(w in t(f"rv_model_{m}", lang) for m in ("markov", "markov_2", "markov_3", "shapley")
                   for lang in ("de", "en") for w in ("Markov", "Shapley"))


@pytest.mark.parametrize("lang", ["de", "en"])
def test_budget_advice_names_its_model_and_why(lang):
    ok, few = review.model_basis(RELIABLE, lang), review.model_basis(FEW, lang)
    assert ("„linear“" if lang == "de" else "linear model") in ok
    assert ("leicht zu erklären" if lang == "de" else "easy to explain") in ok
    assert "40" in few and ("zu wenige" if lang == "de" else "too few") in few
    # the model names belong in the data note (jargon for the CEO): "the data-driven model by deal rate"
    assert "Shapley" not in ok and ("Erstkontakt" if lang == "de" else "first-touch") in ok
    assert ("datengetriebene Modell nach Abschlussquote" if lang == "de" else "data-driven model by deal rate") in ok


def test_footnote_names_the_old_even_split_honestly():
    de, en = review.models_note("de"), review.models_note("en")
    assert "„gleich je Kanal“" in de and "früher als Shapley bezeichnet" in de and "9 regelbasierte (" in de
    assert "'even split per channel'" in en and "Zhao et al. 2018" in en


def test_negative_shapley_credit_gets_its_own_bullet():
    models = pd.DataFrame({"linear": [100.0, 200.0, 50.0], "shapley": [-30_000.0, 250_000.0, 80.0]},
                          index=["email", "linkedin", "(no touchpoint)"])
    bullets = review.model_comparison(models, RELIABLE, RELIABLE, "de", "EUR")
    neg = [b for b in bullets if "negativ" in b]
    assert len(neg) == 1 and neg[0].startswith("E-Mail: datengetrieben negativ (−30")
    assert not [b for b in review.model_comparison(models.assign(shapley=1.0), RELIABLE, RELIABLE, "en", "EUR")
                if "negative" in b]
