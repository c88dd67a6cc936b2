"""The KPI memo's figures on a second new user's hand-written company (tests/fixtures/exports/new_user_lab: 30 HubSpot
contacts Aug–Oct 2026, 10 deals, a Google Ads report of October only, a feedback list; DERIVATION.md holds the
hand-derived figures). Qualified marketing inquiries in October 2026: L19 L21 L23 L24 L26 L27 L30 plus one more by
its status = 8 (the user's 7 was their own slip); by channel paid search 3 (L21 L23 L30), one each for direct,
e-mail, LinkedIn, organic search and trade fairs. Paid search has 5 over Aug–Oct (DERIVATION: L04 L14 + the 3).
The only cost source is the Google Ads report: 3.558,06 € in October, paid search alone."""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.metrics import store
from cmo_workbook.periods import Period

FIXTURE = Path(__file__).parent / "fixtures" / "exports" / "new_user_lab"
PERIOD = Period.parse("2026-10")
TODAY = date(2026, 11, 20)


def _dataset(tables=("leads", "deals", "spend")):
    return load_dataset(load_params(FIXTURE / "params.yaml"), list(tables), today=TODAY)


def _kpis(ds) -> store.KpiStore:
    return store.KpiStore(store.build(ds, PERIOD), PERIOD, store.catalogue(ds.params.raw))


@pytest.fixture(scope="module")
def kpis() -> store.KpiStore:
    return _kpis(_dataset())


def test_channels_without_any_cost_line_have_no_cost_per_inquiry_not_zero(kpis):
    # before: trade fairs, LinkedIn, e-mail, direct and organic search read 0 € per inquiry, reliable
    for ch in ("trade_fairs", "linkedin", "email", "direct", "organic_search"):
        f = kpis.figure("cost_per_qualified_lead", "month", f"channel={ch}")
        assert math.isnan(f.value) and not f.reliable, ch
        assert kpis.value("qualified_leads", "month", f"channel={ch}") == 1, ch  # one inquiry each, no cost known
    # paid search has its Google Ads lines: 3.558,06 € / 3 inquiries = 1.186,02 €
    f = kpis.figure("cost_per_qualified_lead", "month", "channel=paid_search")
    assert f.value == pytest.approx(3558.06 / 3) and f.reliable
    # the company's cost per inquiry stays the spend over all 8 marketing inquiries: 444,76 €
    assert kpis.value("cost_per_qualified_lead", "month") == pytest.approx(3558.06 / 8)


def test_a_cost_line_of_zero_is_a_known_cost_no_line_is_none():
    ds = _dataset()
    # hand-built costs for October: paid search 300 € on two lines, LinkedIn one line of 0 € (a paused campaign),
    # nothing for e-mail or trade fairs
    ds.tables["spend"] = pd.DataFrame({
        "date": pd.to_datetime(["2026-10-05", "2026-10-20", "2026-10-06"]),
        "channel": ["paid_search", "paid_search", "linkedin"], "cost": [200.0, 100.0, 0.0],
        "campaign": ["A", "B", "C"]})
    kpis = _kpis(ds)
    seg = lambda ch: kpis.figure("cost_per_qualified_lead", "month", f"channel={ch}")  # noqa: E731
    assert seg("paid_search").value == pytest.approx(100.0) and seg("paid_search").reliable  # 300 € / 3
    assert seg("linkedin").value == 0.0 and seg("linkedin").reliable  # 0 € / 1: the line says it cost nothing
    for ch in ("email", "trade_fairs"):
        assert math.isnan(seg(ch).value) and not seg(ch).reliable, ch
    # the channel's spend itself stays 0 € (no cost line: nothing spent in the cost tables)
    assert kpis.value("marketing_spend", "month", "channel=email") == 0.0


def test_the_channel_sentence_names_the_cost_data_start_not_too_few_inquiries(kpis):
    from cmo_workbook.memos import kpi_dashboard
    from cmo_workbook.metrics import channel_stake

    # paid search: 5 qualified inquiries Aug–Oct (L04, L14, L21, L23, L30) = MIN_CHANNEL_LEADS, but the Google Ads
    # report covers October only: the 3 months' spend is unknown. before: "kein bezahlter Kanal hat in den letzten
    # 3 Monaten 5 oder mehr qualifizierte Anfragen", which is false
    assert kpis.value("qualified_leads", "t3m", "channel=paid_search") == 5
    assert channel_stake.cost_start(kpis, "t3m") == "2026-10" and channel_stake.cost_start(kpis, "month") is None
    assert channel_stake.without_cost(kpis, "t3m") == [("paid_search", 5.0)]
    cpl = kpi_dashboard.channel_cpl_store(kpis, "de")
    assert cpl.empty
    blocks = kpi_dashboard.channel_blocks(cpl, None, "de", store=kpis)
    text = " ".join(blocks[1].text().split()).replace("\u00a0", " ")
    assert text == ("Noch kein Kanalvergleich: Suchmaschinenwerbung brachte in den letzten 3 Monaten (Aug 2026 – Okt 2026) "
                    "5 qualifizierte Anfragen, aber die Kostendaten beginnen erst im Oktober 2026 – die Kosten je Anfrage "
                    "über diese 3 Monate sind noch nicht berechenbar.")
    en = " ".join(kpi_dashboard.channel_blocks(cpl, None, "en", store=kpis)[1].text().split()).replace("\u00a0", " ")
    assert en.startswith("No channel comparison yet: Paid search brought 5 qualified inquiries in the last 3 months "
                         "(Aug 2026 – Oct 2026), but the cost data begin only in October 2026")
    # without the store (or with cost data covering the window) the old sentence stays: too few inquiries
    assert "5 oder mehr" in " ".join(kpi_dashboard.channel_blocks(cpl, None, "de")[1].text().split())


def test_the_leads_chart_states_the_plan_comparison_and_draws_only_months_with_data(kpis):
    from cmo_workbook.memos import kpi_dashboard

    # no year-ago month in the data: the title compares with the plan of 8 (8 of 8 = 0 %), not "– ggü. Vorjahresmonat"
    chart = kpi_dashboard.leads_chart(kpis, pd.Period("2026-10", freq="M"), "de", 8)
    assert chart.alt.replace("\u00a0", " ") == "Qualifizierte Anfragen 0 % ggü. Plan (8 von 8)"
    # the title rule on its own: year ago first, then plan, then the previous month (+60 % on September's 5)
    title = lambda *a: kpi_dashboard.leads_chart_title(*a).replace("\u00a0", " ")  # noqa: E731
    nan = math.nan
    assert title(8, 4, 5, 8, "de") == "Qualifizierte Anfragen +100 % ggü. Vorjahresmonat"
    assert title(8, nan, 5, None, "de") == "Qualifizierte Anfragen +60 % ggü. Vormonat"
    assert title(8, nan, 5, None, "en") == "Qualified inquiries +60% vs last month"
    assert title(8, nan, nan, None, "de") == ("Qualifizierte Anfragen je Monat – noch ohne Vergleichswert "
                                              "(Vorjahr, Plan oder Vormonat)")
    # months before the contacts export (Oct 2025 – Jul 2026) are not drawn: 3 columns Aug–Oct, 3 plan outlines
    from cmo_workbook.render import charts

    seen = {}
    real = charts.columns_ac_py

    def spy(periods, actual, previous_year, **kw):
        seen.update(periods=list(periods), actual=list(actual), plan=kw.get("plan"))
        return real(periods, actual, previous_year, **kw)

    charts.columns_ac_py = spy
    try:
        kpi_dashboard.leads_chart(kpis, pd.Period("2026-10", freq="M"), "de", 8)
    finally:
        charts.columns_ac_py = real
    assert [p.strftime("%Y-%m") for p in seen["periods"]] == ["2026-08", "2026-09", "2026-10"]
    assert seen["actual"] == [6.0, 5.0, 8.0] and seen["plan"] == [8, 8, 8]


@pytest.mark.slow
def test_the_three_monthly_memos_pass_strict_on_the_fixture(tmp_path, capsys):
    import shutil

    from cmo_workbook import cli

    # before: --strict failed all three (ROMI unexplained and "2026-10" in the KPI memo, "SLA" in the sync's
    # headline, the feedback file's name and "2026-07" in the VoC memo's data note)
    company = tmp_path / "new_user_lab"
    shutil.copytree(FIXTURE, company)
    params = company / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8") + "\nhistory:\n  dir: ../history\n", encoding="utf-8")
    reports = tmp_path / "reports"
    assert cli.main(["run", "all", "--period", "2026-10", "--params", str(params), "--reports", str(reports),
                     "--strict", "--log-file", "-"]) == 0
    out = capsys.readouterr().out
    for name in ("kpi_dashboard", "sales_marketing_sync", "voice_of_customer"):
        assert f"ok       {name} 2026-10" in out, name
    assert "warning  jargon" not in out
    flat = lambda name: " ".join((reports / "2026-10" / f"{name}.txt").read_text(encoding="utf-8").split())  # noqa: E731
    kpi = flat("kpi_dashboard").replace("\u00a0", " ")
    # the figures of DERIVATION.md: 8 qualified inquiries on a plan of 8, 3.558,06 € / 8 = 445 €
    assert "Qualifizierte Anfragen, Monat: 8 (+60 % ggü. Vormonat; – ggü. Vorjahresmonat; 0 % ggü. Ziel) Im Plan:" in kpi
    assert "Kosten je qualifizierter Anfrage, Monat: 445 €" in kpi and "Über Plan" not in kpi
    assert "[Qualifizierte Anfragen 0 % ggü. Plan (8 von 8)]" in kpi
    assert "die Kostendaten beginnen erst im Oktober 2026" in kpi
    # touchpoints are optional for the KPI memo: no "has no rows" note (README: the KPI memo runs without them)
    assert "touchpoints" not in kpi and "braucht sie" not in kpi
    voc = flat("voice_of_customer")
    assert "Kundenfeedback_Oktober.csv" not in voc and "Kundenfeedback: 8 IDs aus dem Zeileninhalt erzeugt" in voc
    assert "Ohne Daten und daher nicht in der Basis: Jul 2026 – Sep 2026." in voc.replace("\u00a0", " ")
    assert "Service-Zusage (Erstkontakt binnen 24 Arbeitsstunden)" in flat("sales_marketing_sync")
    # the KPI store: no 0 € cost per inquiry for a channel without cost lines
    table = store.read(reports / "2026-10" / "kpis.csv")
    fairs = table[(table["metric"] == "cost_per_qualified_lead") & (table["window"] == "2026-10")
                  & (table["segment"] == "channel=trade_fairs")].iloc[0]
    assert math.isnan(fairs["value"]) and not fairs["reliable"]
    # the English KPI memo too (before: "reach" in its ROMI sentence was flagged)
    assert cli.main(["run", "kpi_dashboard", "--period", "2026-10", "--lang", "en", "--params", str(params),
                     "--reports", str(reports), "--strict", "--log-file", "-"]) == 0
    assert "warning  jargon" not in capsys.readouterr().out


def test_months_and_sources_in_words_for_the_data_note():
    from cmo_workbook.inputs.findings import Finding, SourceName
    from cmo_workbook.render import fmt

    # the VoC note's months without data: runs of consecutive months as one span, never "2026-07, 2026-08"
    assert fmt.month_runs(["2026-08", "2026-07", "2026-09"], "de").replace("\u00a0", " ") == "Jul 2026 – Sep 2026"
    assert fmt.month_runs(["2026-07", "2026-09", "2026-10"], "en").replace("\u00a0", " ") == "July 2026, Sept 2026 – Oct 2026"
    assert fmt.month_runs([], "de") == ""
    # a source with generated ids: its params label, else the table's source in words, never the file name
    note = Finding.note("feedback", "note_generated_ids", plural="n", file="Kundenfeedback_Oktober.csv",
                        source=SourceName("feedback"), n=8)
    assert note.text("de").startswith("Kundenfeedback: 8 IDs aus dem Zeileninhalt erzeugt")
    assert note.text("en").startswith("customer feedback: 8 ids generated from the row content")
    labelled = Finding.note("feedback", "note_generated_ids", plural="n", source=SourceName("feedback", "Umfrage 2026"), n=1)
    assert labelled.text("de").startswith("Umfrage 2026: 1 ID aus dem Zeileninhalt erzeugt")
    # the whole fixture's VoC data note: the loader names the source in words
    ds = _dataset(("feedback",))
    texts = [f.text("de") for f in ds.findings if f.key == "note_generated_ids"]
    assert texts == ["Kundenfeedback: 8 IDs aus dem Zeileninhalt erzeugt (keine ID in der Datei; dieselbe Datei ergibt "
                     "dieselben IDs)"]
