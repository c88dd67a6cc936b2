"""Controlling's plan and company actuals (issue #11): budget, variance, forecast to year end and marketing's
share of the company's order intake and revenue, against plan — hand-made tables, hand-derived figures.

The hand fixture (report month 2026-10, fiscal year = calendar year):

- marketing spend 10 000 € every month (tests/kpi_fixtures.kpi_month_frame), marketing-sourced order intake
  40 000 € every month 2025-11 .. 2026-10;
- plan 2026: two budget lines a month (LinkedIn 6 000 €, Google Ads 3 000 €) = 9 000 €, plus a fair of
  30 000 € in March; one company row a month: revenue plan 200 000 €, order-intake plan 160 000 €,
  marketing order-intake plan 40 000 €, marketing revenue plan 36 000 €;
- company actuals 2026-01 .. 2026-10: revenue 180 000 €, order intake 200 000 € a month (nothing for 2025).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cmo_workbook.memos import kpi_dashboard
from cmo_workbook.render.blocks import KpiTiles, Paragraph

from conftest import ROOT
from kpi_fixtures import kpi_store


def plan_2026() -> pd.DataFrame:
    rows = []
    for m in pd.period_range("2026-01", "2026-12", freq="M"):
        day = m.start_time
        rows.append({"month": day, "channel": "linkedin", "marketing_budget": 6_000.0})
        rows.append({"month": day, "channel": "paid_search", "marketing_budget": 3_000.0})
        if m.month == 3:
            rows.append({"month": day, "channel": "trade_fairs", "marketing_budget": 30_000.0})
        rows.append({"month": day, "cost_centre": "1000", "revenue_plan": 200_000.0, "order_intake_plan": 160_000.0,
                     "marketing_order_intake_plan": 40_000.0, "marketing_revenue_plan": 36_000.0})
    return pd.DataFrame(rows)


def actuals_2026() -> pd.DataFrame:
    months = pd.period_range("2026-01", "2026-10", freq="M")
    return pd.DataFrame({"month": [m.start_time for m in months], "revenue": 180_000.0, "order_intake": 200_000.0})


@pytest.fixture(scope="module")
def store():
    return kpi_store(plan=plan_2026(), actuals=actuals_2026())


def test_budget_variance_and_forecast_to_year_end(store):
    # spend YTD = 10 months × 10 000 = 100 000; budget YTD = 10 × 9 000 + 30 000 (fair) = 120 000
    assert store.value("marketing_spend", "ytd") == 100_000
    assert store.value("marketing_budget", "ytd") == 120_000
    assert store.value("budget_variance", "ytd") == -20_000          # 100 000 − 120 000: under budget
    assert store.value("budget_variance", "month") == 1_000          # October: 10 000 − 9 000
    # forecast = 100 000 + budget Nov–Dec (2 × 9 000) × pace (100 000 / 120 000) = 100 000 + 15 000
    f = store.figure("spend_forecast_fy", "ytd")
    assert f.value == pytest.approx(115_000)
    assert f.target == 138_000                                      # annual budget: 12 × 9 000 + 30 000
    # budget a year ago: the plan has no 2025 → no value rather than a zero
    assert math.isnan(store.figure("marketing_budget", "ytd").py_value)


def test_company_figures_and_marketing_shares_against_plan(store):
    oi = store.figure("company_order_intake", "ytd")
    assert (oi.value, oi.target) == (2_000_000, 1_600_000)           # 10 × 200 000 vs 10 × 160 000
    rev = store.figure("company_revenue", "ytd")
    assert (rev.value, rev.target) == (1_800_000, 2_000_000)         # 10 × 180 000 vs 10 × 200 000
    share = store.figure("marketing_order_intake_share", "ytd")
    assert share.value == pytest.approx(0.20)                       # 400 000 / 2 000 000
    assert share.target == pytest.approx(0.25)                      # 400 000 / 1 600 000
    rshare = store.figure("marketing_revenue_share_company", "ytd")
    assert rshare.value == pytest.approx(400_000 / 1_800_000)       # 22.2 %
    assert rshare.target == pytest.approx(0.18)                     # 360 000 / 2 000 000
    month = store.figure("marketing_order_intake_share", "month")
    assert (month.value, month.target) == (pytest.approx(0.2), pytest.approx(0.25))  # 40 000 / 200 000 vs 40/160
    # 12 months back reach 2025-11, which controlling has not reported: no value, not a smaller sum
    assert math.isnan(store.value("company_order_intake", "t12m"))


def test_memo_tiles_state_the_hand_figures_with_a_so_what(store):
    blocks = kpi_dashboard.controlling_blocks(store, "de", "EUR")
    assert len(blocks) == 1 and isinstance(blocks[0], KpiTiles)
    spend, oi, rev = blocks[0].tiles
    assert spend.label == "Marketingkosten, seit Jahresbeginn" and str(spend.value) == "100 Tsd. €".replace(" ", "\u00a0")
    assert [(c.label, c.delta, c.good) for c in spend.comparisons] == [("ggü. Budget", "−17\u00a0%", True)]  # 100/120 − 1
    text = str(spend.so_what).replace("\u00a0", " ")
    assert text.startswith("20 Tsd. € unter dem Budget von 120 Tsd. € seit Jahresbeginn")
    assert "115 Tsd. € bis Geschäftsjahresende ggü. 138 Tsd. € Budget" in text
    assert 'data-metric="spend_forecast_fy"' in spend.so_what.__html__()
    assert [c.label for c in oi.comparisons] == ["ggü. Plan"]
    oi_text = str(oi.so_what).replace("\u00a0", " ")
    # gap to the plan share: (25 % − 20 %) × 2 000 000 = 100 000
    assert oi_text == ("400 Tsd. € von 2 Mio. € Auftragseingang des Unternehmens kamen aus Marketing-Anfragen – unter "
                       "den geplanten 25 %: 100 Tsd. € Auftragseingang fehlen zum Plananteil.")
    assert "mehr als die geplanten 18 %" in str(rev.so_what).replace("\u00a0", " ")
    en = kpi_dashboard.controlling_blocks(store, "en", "EUR")[0].tiles[0]
    assert str(en.so_what).replace("\u00a0", " ").startswith("€20k under the €120k budget year to date")


def test_without_plan_and_actuals_the_memo_says_what_to_add():
    blocks = kpi_dashboard.controlling_blocks(kpi_store(), "de", "EUR")
    assert len(blocks) == 1 and isinstance(blocks[0], Paragraph)
    assert "data.plan" in blocks[0].text() and "data.company_actuals" in blocks[0].text()


def test_a_hand_kept_german_plan_sheet_loads_through_generic_de(tmp_path):
    """A controller's CSV with German headers, decimal commas and a December plan month after today."""
    from datetime import date

    import yaml

    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "planung.csv").write_text(
        "Monat;Kanal;Kostenstelle;Marketingbudget (€);Umsatzplan (€);Auftragseingang Plan (€)\n"
        "01.11.2026;LinkedIn;4600 Marketing;6.000,00;;\n"
        "01.12.2026;Messe;4610 Messen;30.000,00;;\n"
        "01.12.2026;;1000 Unternehmen;;200.000,00;160.000,00\n", encoding="utf-8")
    (tmp_path / "data" / "ist.csv").write_text("Monat;Umsatz (€);Auftragseingang (€)\n01.10.2026;180.000,00;-5,00\n",
                                               encoding="utf-8")
    raw = yaml.safe_load((ROOT / "params" / "example.yaml").read_text())
    for key in ("diary", "voc"):  # their paths are relative to params/
        raw.pop(key, None)
    raw["data"] = {"dir": "data", "plan": [{"file": "planung.csv", "preset": "generic_de"}]}
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    ds = load_dataset(load_params(tmp_path / "acme.yaml"), ["plan"], today=date(2026, 11, 5))
    plan = ds.plan
    assert list(plan["channel"].fillna("")) == ["linkedin", "trade_fairs", ""]
    assert plan["marketing_budget"].sum() == 36_000 and plan["order_intake_plan"].sum() == 160_000
    assert plan["month"].max() == pd.Timestamp("2026-12-01")  # a plan month after today is no error

    from cmo_workbook.errors import DataError

    raw["data"] = {"dir": "data", "company_actuals": [{"file": "ist.csv", "preset": "generic_de"}]}
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(DataError) as exc:
        load_dataset(load_params(tmp_path / "acme.yaml"), ["company_actuals"], today=date(2026, 11, 5))
    assert 'ist.csv, row 2, column "Auftragseingang (€)": "-5,00" is negative; order_intake must be 0 or more' in str(exc.value)


def test_the_sample_company_ships_plan_and_actuals_checked_by_hand(sample_dir):
    """The sample's plan 2026 (lib/cmo_workbook/sample/controlling.py): budget lines 24 000 + 11 000 + 2 500 +
    4 000 + 8 000 + 1 000 = 50 500 € a month, fairs 110 000 (Mar) + 150 000 (Apr) + 110 000 (Oct) + 125 000 (Nov);
    year: 12 × 50 500 + 495 000 = 1 101 000 €; to October: 10 × 50 500 + 370 000 = 875 000 €."""
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params
    from cmo_workbook.metrics import store as kpi_store_mod
    from cmo_workbook.periods import Period

    ds = load_dataset(load_params(ROOT / "params" / "example.yaml"),
                      ["leads", "deals", "spend", "plan", "company_actuals"])
    table = kpi_store_mod.build(ds, Period.parse("2026-10"))
    s = kpi_store_mod.KpiStore(table, Period.parse("2026-10"), kpi_store_mod.catalogue(ds.params.raw))
    spent = s.value("marketing_spend", "ytd")
    assert s.value("marketing_budget", "ytd") == 875_000
    f = s.figure("spend_forecast_fy", "ytd")
    assert f.target == 1_101_000
    # remaining budget Nov + Dec = (50 500 + 125 000) + 50 500 = 226 000, paced by spent / 875 000
    assert f.value == pytest.approx(spent + 226_000 * spent / 875_000)
    assert s.value("budget_variance", "ytd") == pytest.approx(spent - 875_000)
    # company plan 2026: 40 M € revenue, 41 M € order intake, spread by season (rounded to 100 € a month)
    plan = kpi_store_mod.controlling_months(ds, "plan")
    year = plan.loc[pd.period_range("2026-01", "2026-12", freq="M")]
    assert abs(year["revenue_plan"].sum() - 40_000_000) <= 600
    assert abs(year["order_intake_plan"].sum() - 41_000_000) <= 600
    oi = s.figure("company_order_intake", "ytd")
    assert 0.9 < oi.value / oi.target < 1.1                         # actuals scatter ±4 % around the plan
    share = s.figure("marketing_order_intake_share", "ytd")
    assert share.value == pytest.approx(s.value("marketing_won_revenue", "ytd") / oi.value)
    assert share.target == pytest.approx(year["marketing_order_intake_plan"].iloc[:10].sum()
                                         / year["order_intake_plan"].iloc[:10].sum())
    assert 0.2 < share.value < 0.4 and 0.28 < share.target < 0.30  # planned 11.9 / 41 = 29 %


@pytest.mark.parametrize("lang,preset", [("de", "generic_de"), ("en", "generic_en")])
def test_shipped_templates_are_current_and_load_without_a_column_mapping(tmp_path, lang, preset):
    """The xlsx templates in inputs/templates/xlsx are what the module writes, and a filled copy reads as
    plan and company_actuals: 24 000 € budget for Google Ads, a 3 M € revenue plan, 2.95 M € revenue."""
    import shutil
    from datetime import date

    import yaml

    from cmo_workbook.inputs import controlling_templates as ct
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    files = {}
    for kind in ct.TEMPLATES:
        name, data = ct.template_bytes(kind, lang)
        assert (ct.FOLDER / name).read_bytes() == data, f"{name}: regenerate with python -m {ct.__name__}"
        (tmp_path / "data").mkdir(exist_ok=True)
        shutil.copy(ct.FOLDER / name, tmp_path / "data" / name)
        files[kind] = name
    raw = yaml.safe_load((ROOT / "params" / "example.yaml").read_text())
    for key in ("diary", "voc"):
        raw.pop(key, None)
    raw["data"] = {"dir": "data", **{k: [{"file": v, "preset": preset}] for k, v in files.items()}}
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    ds = load_dataset(load_params(tmp_path / "acme.yaml"), ["plan", "company_actuals"], today=date(2026, 2, 1))
    assert ds.plan["channel"].iloc[0] == "paid_search" and ds.plan["marketing_budget"].sum() == 24_000
    assert ds.plan["revenue_plan"].sum() == 3_000_000
    assert ds.company_actuals["revenue"].tolist() == [2_950_000]


def test_the_kpi_memo_shows_budget_and_shares_on_its_first_screen(memo_run):
    """The sample's October memo: the controlling tiles follow the six KPI tiles, before the first chart."""
    from conftest import parse_eml

    result = memo_run("kpi_dashboard", "2026-10", "de")
    assert result.ok, result.message
    _, html, plain, _ = parse_eml(result.eml)
    first_chart = html.index("<img")
    for metric in ("budget_variance", "spend_forecast_fy", "marketing_order_intake_share",
                   "marketing_revenue_share_company", "company_order_intake"):
        assert html.index(f'data-metric="{metric}"') < first_chart, metric
    assert "Marketingkosten, seit Jahresbeginn: 902 Tsd. € (+3 % ggü. Budget)" in plain.replace("\u00a0", " ")
    assert "1.135 Tsd. € bis Geschäftsjahresende ggü. 1.101 Tsd. € Budget" in plain.replace("\u00a0", " ")
