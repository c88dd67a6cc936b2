"""The metric catalogue's rules (metrics/catalogue.py): window words, names of shipped and own metrics, the
``kpis:`` section of params (own metrics, parameters, sign-off, the legacy lifetime) and its error messages."""
from __future__ import annotations

import pytest

from cmo_workbook.metrics import catalogue as cat_mod

OWN = {"id": "cost_per_sql", "name_de": "Kosten je SQL", "name_en": "Cost per SQL", "definition_de": "Kosten ÷ SQL.",
       "definition_en": "Cost ÷ SQL.", "numerator": "marketing_spend", "denominator": "sql"}


def test_window_words_in_both_languages_and_unknown_windows_named():
    assert [cat_mod.window_label(k, "de") for k in cat_mod.WINDOW_KINDS] == [
        "Monat", "Quartal", "letzte 3 Monate", "12 Monate rollierend", "seit Jahresbeginn", "Stand Periodenende"]
    assert cat_mod.window_label("t12m", "en") == "trailing 12 months"
    with pytest.raises(ValueError) as e:
        cat_mod.window_label("week", "de")
    assert str(e.value) == "unknown window 'week'; known: month, quarter, t3m, t12m, ytd, asof"


def test_windows_mapping_gives_both_languages():
    assert list(cat_mod.WINDOWS) == list(cat_mod.WINDOW_KINDS) and len(cat_mod.WINDOWS) == 6
    assert cat_mod.WINDOWS["t12m"] == ("12 Monate rollierend", "trailing 12 months")
    assert "t12m" in cat_mod.WINDOWS and "week" not in cat_mod.WINDOWS
    with pytest.raises(KeyError):
        cat_mod.WINDOWS["week"]


def test_shipped_names_come_from_the_message_catalogue_own_names_from_params():
    cat = cat_mod.catalogue({"kpis": {"custom": [OWN]}})
    assert cat["qualified_leads"].name("de") == "Qualifizierte Anfragen"
    assert cat["qualified_leads"].name("en") == "Qualified inquiries"
    own = cat["cost_per_sql"]
    assert (own.name("de"), own.name("en"), own.definition("de"), own.definition("en")) == (
        "Kosten je SQL", "Cost per SQL", "Kosten ÷ SQL.", "Cost ÷ SQL.")
    assert own.label("month", "en") == "Cost per SQL, month"
    assert cat_mod.label("cost_per_sql", "t12m", "de", cat) == "Kosten je SQL, 12 Monate rollierend"
    assert cat["qualified_leads"].label("t3m", "de") == "Qualifizierte Anfragen, letzte 3 Monate"
    # an own metric with a name in one language only keeps it (no catalogue lookup of an id it does not have)
    half = cat_mod.Metric(id="x", formula="a / b", unit="ratio", tables=(), grain="window", population="p",
                          name_en="Only English", definition_de="Nur deutsch.")
    assert (half.name("en"), half.name("de"), half.definition("de"), half.definition("en")) == (
        "Only English", "", "Nur deutsch.", "")


def test_own_metric_defaults():
    m = cat_mod.catalogue({"kpis": {"custom": [OWN]}})["cost_per_sql"]
    assert (m.formula, m.unit, m.kind, m.numerator, m.denominator) == (
        "marketing_spend / sql", "ratio", "ratio", "marketing_spend", "sql")
    assert (m.tables, m.grain, m.population, m.owner, m.higher_is_better) == (
        (), "window", "as numerator/denominator", "company", True)
    assert m.windows == ("month", "quarter", "t3m", "t12m", "ytd")
    custom = {**OWN, "unit": "eur", "population": "alle", "owner": "Controlling", "higher_is_better": False,
              "windows": ["month"]}
    m = cat_mod.catalogue({"kpis": {"custom": [custom]}})["cost_per_sql"]
    assert (m.unit, m.population, m.owner, m.higher_is_better, m.windows) == ("eur", "alle", "Controlling", False,
                                                                              ("month",))


def test_own_metric_errors_name_what_is_wrong():
    with pytest.raises(ValueError) as e:
        cat_mod.catalogue({"kpis": {"custom": [{"id": "x", "name_de": "X", "numerator": "sql"}]}})
    assert str(e.value) == ("params kpis.custom x: missing name_en, definition_de, definition_en, denominator")
    with pytest.raises(ValueError, match=r"^params kpis.custom \?: missing id, "):
        cat_mod.catalogue({"kpis": {"custom": [{"name_de": "X"}]}})
    with pytest.raises(ValueError) as e:
        cat_mod.catalogue({"kpis": {"custom": [{**OWN, "id": "cac"}]}})
    assert str(e.value) == "params kpis.custom: 'cac' is already a catalogue metric; give your own metric its own id"
    with pytest.raises(ValueError) as e:
        cat_mod.catalogue({"kpis": {"custom": [{**OWN, "denominator": "sqls"}]}})
    assert str(e.value) == "params kpis.custom cost_per_sql: 'sqls' is not a catalogue metric"
    with pytest.raises(ValueError) as e:
        cat_mod.catalogue({"kpis": {"custom": [{**OWN, "numerator": "spend"}]}})
    assert str(e.value) == "params kpis.custom cost_per_sql: 'spend' is not a catalogue metric"
    with pytest.raises(ValueError) as e:
        cat_mod.catalogue({"kpis": {"params": {"clv_years": 3, "discount": 0.1}}})
    assert str(e.value) == ("params kpis.params: unknown clv_years, discount; known: clv_horizon_years, "
                            "clv_discount_rate, ramp_up_months")


def test_parameters_defaults_legacy_lifetime_overrides_and_sign_off():
    assert cat_mod.catalogue().params == {"clv_horizon_years": 5, "clv_discount_rate": 0.08, "ramp_up_months": 9}
    assert cat_mod.catalogue(None).signed_off == {} and cat_mod.catalogue({"kpis": None}).params["ramp_up_months"] == 9
    # the old simple CLV's lifetime is the horizon; kpis.params wins over it
    assert cat_mod.catalogue({"targets": {"customer_lifetime_years": 3}}).params["clv_horizon_years"] == 3
    both = {"targets": {"customer_lifetime_years": 3}, "kpis": {"params": {"clv_horizon_years": 7}}}
    assert cat_mod.catalogue(both).params["clv_horizon_years"] == 7
    assert cat_mod.catalogue({"targets": {"customer_lifetime_years": None}}).params["clv_horizon_years"] == 5
    signed = {"by": "Controlling, M. Weber", "on": "2026-11-05"}
    cat = cat_mod.catalogue({"kpis": {"signed_off": signed}})
    assert cat.signed_off == signed and cat.signed_off is not signed
    # a catalogue made by hand has the default parameters, each its own copy
    a, b = cat_mod.Catalogue({}), cat_mod.Catalogue({})
    a.params["ramp_up_months"] = 3
    assert b.params == cat_mod.DEFAULT_PARAMS and b.signed_off == {}


def test_lookup_and_membership():
    cat = cat_mod.catalogue({"kpis": {"custom": [OWN]}})
    assert "cac" in cat and "cost_per_sql" in cat and "nope" not in cat
    assert [m.id for m in cat][-1] == "cost_per_sql" and [m.id for m in cat][0] == "leads"
    with pytest.raises(KeyError) as e:
        cat["nope"]
    assert e.value.args[0].startswith("'nope' is not in the metric catalogue; known: leads, qualified_leads, ")
    assert e.value.args[0].endswith(", clv_to_cac, cost_per_sql")


def test_markdown_table_keeps_a_cell_on_its_line():
    own = {**OWN, "definition_en": "Cost | per SQL,\nafter rebates."}
    table = cat_mod.markdown_table(cat_mod.catalogue({"kpis": {"custom": [own]}}))
    row = next(line for line in table.splitlines() if line.startswith("| `cost_per_sql`"))
    assert "| Cost \\| per SQL, after rebates. |" in row
    assert row.endswith("| ratio |  | month, quarter, t3m, t12m, ytd | previous, year_ago, target |")


def test_unknown_window_key_names_it():
    with pytest.raises(KeyError) as e:
        cat_mod.WINDOWS["week"]
    assert e.value.args == ("week",)
