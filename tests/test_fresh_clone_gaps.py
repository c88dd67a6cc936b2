"""What a new user on a fresh clone stumbled over with hand-written HubSpot / Google Ads exports (issue #10,
session 12): each point on a hand-written export in the tool's shape (tests/fixtures/exports/), the expected
figures derived by hand in the comments."""
from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook import cli
from cmo_workbook.errors import DataError
from cmo_workbook.inputs import plausibility
from cmo_workbook.inputs.loaders import load_dataset
from cmo_workbook.inputs.params import load_params
from cmo_workbook.memos import kpi_figures, sales_marketing_sync as sync
from cmo_workbook.metrics import goals, sla, store as store_mod
from cmo_workbook.metrics.monthly import monthly
from cmo_workbook.periods import Period

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
TODAY = date(2026, 11, 20)
OCT = Period.parse("2026-10")
NB = "\u00a0"


def copy(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(FIXTURES / name, dst)
    if not (tmp_path / "google_ads_de").exists():
        shutil.copytree(FIXTURES / "google_ads_de", tmp_path / "google_ads_de")
    return dst


def load(folder: Path):
    return load_dataset(load_params(folder / "params.yaml"), today=TODAY)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- 1. no first-contact dates: the SLA is "not measured", never "0 % within 24 business hours" ------------


def test_without_first_contact_dates_the_sync_states_no_sla_rate():
    # hubspot/hubspot_contacts.csv has no "Date of first engagement" and no "Sales Feedback Date" column
    facts = sync.compute(load(FIXTURES / "hubspot"), OCT, "de")
    assert not facts.response_dates and not facts.feedback_dates
    # Oct cohort (MQL date in Oct, all sources): 1004 (02.10.), 1006 (07.10.), 1007 (14.10.), 1008 (20.10.,
    # outbound), 1010 (30.10.) = 5; before the fix every one of them was a breach: "0 %"
    head = sync.headline(facts, "de")
    assert head.startswith("Die Reaktionszeit des Vertriebs ist nicht messbar: der Export enthält kein Datum des "
                           "ersten Kontakts") and "(Anzahl: 5)" in head
    assert "0" + NB + "%" not in head
    response, median, feedback, _ = sync.tiles(facts, "de")
    assert (response.value, median.value, feedback.value) == ("–", "–", "–")
    assert response.comparisons == [] and response.so_what.startswith("Nicht messbar, nicht 0" + NB + "%")
    assert feedback.so_what.startswith("Nicht messbar, nicht 0" + NB + "%: der Export enthält kein Datum der "
                                       "Vertriebsrückmeldung")
    (_, rows), _ = sync.breach_tables(facts, "de")
    # e-mail, LinkedIn, partners, outbound and "eine weitere Quelle" (organic search): 5 inquiries, nothing measured
    assert all(r[2:] == ["–", "–", "–"] for r in rows) and sum(int(r[1]) for r in rows) == 5
    # no agenda item about late answers or missing feedback: nothing was measured
    assert not [a for a in sync.agenda(facts, "de", "EUR", "Dezember") if "Rückmeldung" in str(a.action)
                or "verteilen" in str(a.action)]
    # the data note says how to add the dates: the tool's header and the params key
    note = sync.definitions(facts, "en")
    assert ('No first-contact date in the leads export ("Date of first engagement" is missing or empty): the SLA '
            "response time cannot be measured and is not stated; export the column, or map your own header under "
            "data.leads[0].columns.first_response_date in the params.") in note
    # the feedback-date note is in every memo's data note already (plausibility review), not twice here
    assert "Sales Feedback Date" not in note


def test_validate_says_the_export_carries_no_first_contact_dates(capsys):
    # the column is exported but never filled: the note names the file's own header
    assert cli.main(["validate", "--params", str(FIXTURES / "hubspot_closed_status" / "params.yaml")]) == 0
    out = capsys.readouterr().out
    assert ('note    leads                    No first-contact date in the leads export ("Date of first engagement" '
            "is missing or empty)") in out
    assert "data.leads[0].columns.sales_feedback_date" in out
    assert out.splitlines()[-1] == "ok: all inputs valid"


def test_with_first_contact_dates_the_rate_is_measured_again(tmp_path):
    folder = copy(tmp_path, "hubspot_closed_status")
    path = folder / "hubspot_contacts.csv"
    # 2001: MQL Mon 05.10. 10:00, answered 12:00 = 2 business hours; 2003: MQL Fri 09.10. 08:30, answered
    # Tue 13.10. 09:00 = 8.5 (Fri) + 9 (Mon) + 1 (Tue) = 18.5 h; 2004: MQL Tue 13.10. 09:00, answered Thu 15.10.
    # 12:00 = 8 + 9 + 4 = 21 h: all three within 24 business hours
    edit(path, "2026-10-05 10:00,,", "2026-10-05 10:00,,2026-10-05 12:00")
    edit(path, "2026-10-09 08:30,,", "2026-10-09 08:30,,2026-10-13 09:00")
    edit(path, "2026-10-14 12:00,", "2026-10-14 12:00,2026-10-15 12:00")
    ds = load(folder)
    assert [f.key for f in plausibility.missing_rate_inputs(ds)] == ["note_no_feedback_dates"]
    facts = sync.compute(ds, OCT, "de")
    assert facts.response_dates and facts.now.response_met == 3 and facts.now.response_breach == 0
    assert sync.tiles(facts, "de")[0].value == "100" + NB + "%"
    assert sync.tiles(facts, "de")[2].value == "–"  # still no feedback dates


# --- 2. a rate on a tiny sample: the count, no verdict ------------------------------------------------------


def with_feedback_dates(folder: Path, extra: list[str] = ()) -> None:
    """hubspot_closed_status with HubSpot's "Sales Feedback Date" column: 2001 (SQL and feedback 06.10.), 2003
    (14.10.) and 2004 (its SQL date 14.10.) accepted; the rows of ``extra`` appended as they are."""
    path = folder / "hubspot_contacts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",Sales Feedback Date"]
    for line in lines[1:]:
        if line.startswith("2001,"):
            line = line.replace("2026-10-05 10:00,,", "2026-10-05 10:00,2026-10-06 10:00,") + ",2026-10-06 10:00"
        elif line.startswith("2003,"):
            line = line.replace("2026-10-09 08:30,,", "2026-10-09 08:30,2026-10-14 09:00,") + ",2026-10-14 09:00"
        elif line.startswith("2004,"):
            line += ",2026-10-14 12:00"
        else:
            line += ","
        out.append(line)
    path.write_text("\n".join([*out, *extra]) + "\n", encoding="utf-8")


def test_acceptance_on_three_decisions_states_the_count_not_a_verdict(tmp_path):
    folder = copy(tmp_path, "hubspot_closed_status")
    with_feedback_dates(folder)
    ds = load(folder)
    st = store_mod.compute(ds, OCT, tmp_path / "reports")
    f = st.figure("sales_acceptance_rate", "month")
    # Oct cohort of marketing MQLs: 2001, 2003, 2004; all three decided (SQL date) by 31.10. and accepted
    assert (f.value, f.n) == (1.0, 3.0)
    tile = kpi_figures.tile(st, "sales_acceptance_rate", "month", "de", "EUR", "Der Vertrieb nimmt die Anfragen an.")
    assert tile.so_what == "3 von 3 angenommen, zu wenige für ein Urteil."
    assert tile.value.text == "100" + NB + "%" and all(c.good is None for c in tile.comparisons)  # no colour
    assert kpi_figures.tile(st, "sales_acceptance_rate", "month", "en", "EUR").so_what == \
        "3 of 3 accepted, too few for a verdict."
    facts = sync.compute(ds, OCT, "de", store=st)
    assert sync.tiles(facts, "de")[3].so_what == "3 von 3 angenommen, zu wenige für ein Urteil."


def test_acceptance_from_ten_decisions_gets_its_verdict(tmp_path):
    from cmo_workbook.metrics.catalogue import MIN_DECIDED

    folder = copy(tmp_path, "hubspot_closed_status")
    # eight more marketing MQLs of October, each accepted (SQL and feedback date) in October: 3 + 8 = 11 decided
    extra = [f"{3000 + i},A,B,a{i}@x.example,X{i} GmbH,Sales Qualified Lead,Open,2026-10-{i + 1:02d} 09:00,"
             f"Paid search,kampagne_servo,2026-10-{i + 1:02d} 10:00,2026-10-{i + 2:02d} 10:00,,2026-10-{i + 2:02d} 10:00"
             for i in range(8)]
    with_feedback_dates(folder, extra)
    st = store_mod.compute(load(folder), OCT, tmp_path / "reports")
    f = st.figure("sales_acceptance_rate", "month")
    assert (f.value, f.n) == (1.0, 11.0) and f.n >= MIN_DECIDED
    assert kpi_figures.tile(st, "sales_acceptance_rate", "month", "de", "EUR", "Passt.").so_what == "Passt."
    # one of them rejected instead (a Marketing Qualified Lead with feedback but no SQL date): 10 of 11
    text = (folder / "hubspot_contacts.csv").read_text(encoding="utf-8")
    text = text.replace("X0 GmbH,Sales Qualified Lead,", "X0 GmbH,Marketing Qualified Lead,")
    (folder / "hubspot_contacts.csv").write_text(text.replace("2026-10-01 10:00,2026-10-02 10:00,,",
                                                              "2026-10-01 10:00,,,"), encoding="utf-8")
    f = store_mod.compute(load(folder), OCT, tmp_path / "reports").figure("sales_acceptance_rate", "month")
    assert f.value == pytest.approx(10 / 11, abs=1e-9) and f.n == 11.0  # the store keeps 10 significant digits


def test_without_feedback_dates_the_acceptance_rate_is_not_measured_not_100(tmp_path):
    # hubspot: SQL dates (1004, 1006, 1007) but no "Sales Feedback Date": a rejection is never seen, so the rate
    # was 3 of 3 = 100 % by construction
    ds = load(FIXTURES / "hubspot")
    st = store_mod.compute(ds, OCT, tmp_path)
    f = st.figure("sales_acceptance_rate", "month")
    assert math.isnan(f.value) and math.isnan(f.n)
    tile = kpi_figures.tile(st, "sales_acceptance_rate", "month", "de", "EUR", "Der Vertrieb nimmt die Anfragen an.")
    assert tile.value.text == "–" and tile.so_what.startswith("Nicht messbar: der Export enthält kein Datum der "
                                                               "Vertriebsrückmeldung, Ablehnungen fehlen")
    # every memo's data note says how to add the dates
    from cmo_workbook.memos.context import Workbook

    wb = Workbook(ds.params, ds, OCT, "en", TODAY, tmp_path)
    assert any(line.startswith('No sales feedback date in the leads export ("Sales Feedback Date" is missing or empty; '
                               '"Sales Feedback Date" is a custom property, not one HubSpot has by default')
               for line in wb.input_notes(["leads", "deals", "spend"]))
    # ... once in the sync memo's (its definitions add only the first-contact note)
    assert "Sales Feedback Date" not in sync.definitions(sync.compute(ds, OCT, "en", store=st), "en")


def test_an_old_store_without_the_n_column_still_reads(tmp_path):
    folder = copy(tmp_path, "hubspot_closed_status")
    with_feedback_dates(folder)
    st = store_mod.compute(load(folder), OCT, tmp_path / "reports")
    table = pd.read_csv(st.path).drop(columns=[store_mod.N_COLUMN])
    table.to_csv(st.path, index=False)
    old = store_mod.KpiStore(store_mod.read(st.path), OCT, st.catalogue)
    f = old.figure("sales_acceptance_rate", "month")
    assert f.value == 1.0 and math.isnan(f.n) and not kpi_figures.no_verdict(old, f)


# --- 3. a status no stage map knows: the note agrees with the counts ---------------------------------------


def test_an_unknown_status_note_says_what_the_kpis_count():
    ds = load(FIXTURES / "hubspot_closed_status")
    # "Closed" (Lead Status) on 2001, 2002, 2003, 2005. 2001 is a Marketing Qualified Lead by its lifecycle stage
    # and 2003 has an MQL date (09.10.): both count as qualified; 2002 and 2005 (lifecycle Lead / Other) do not.
    # Before the fix one note said all 4 "count as not qualified" while October counted 2001 and 2003.
    notes = {f.key: f for f in plausibility.review(ds) if f.key.startswith("note_unknown_statuses")}
    assert notes["note_unknown_statuses"].text("en") == \
        '2 leads carry statuses no stage map knows ("Closed" (2)); they count as not qualified'
    assert notes["note_unknown_statuses_qualified"].text("de") == \
        ('2 Leads tragen unbekannte Status ("Closed" (2)), zählen aber als qualifiziert, weil ihr anderer Status '
         "oder ein Qualifizierungsdatum es sagt")
    # Oct qualified inquiries: 2001 (paid search), 2003 (e-mail), 2004 (referral, no unknown status) = 3
    assert monthly(ds).loc[pd.Period("2026-10", "M"), "qualified_leads"] == 3
    qualified = set(ds.leads.loc[ds.leads["mql_date"].notna(), "lead_id"])
    assert qualified == {"2001", "2003", "2004"}
    closed = set(ds.leads.loc[ds.leads["lead_status"] == "Closed", "lead_id"])
    assert len(closed - qualified) == notes["note_unknown_statuses"].fields["n"] == 2
    assert len(closed & qualified) == notes["note_unknown_statuses_qualified"].fields["n"] == 2


# --- 4. run all without a feedback table: the CRM memos run, VoC is skipped ----------------------------------


def test_run_all_names_the_notebooks_it_skips_for_a_table_not_configured():
    from cmo_workbook.delivery.runner import Runner, RunOptions

    runner = Runner(RunOptions(params_path=FIXTURES / "hubspot" / "params.yaml", period=OCT, today=TODAY),
                    say=lambda line: None)
    monthly_nbs = {n: i for n, i in runner.available.items() if i.kind == "month"}
    assert {n: runner.unconfigured(i) for n, i in monthly_nbs.items()} == {
        "kpi_dashboard": "", "sales_marketing_sync": "",
        "voice_of_customer": "needs the feedback table, which params.yaml does not configure (data.feedback); "
                             "add the export there to run it"}


@pytest.mark.slow
def test_run_all_without_feedback_runs_the_crm_memos_and_exits_0(tmp_path, capsys):
    folder = copy(tmp_path, "hubspot")
    reports = tmp_path / "reports"
    # before: the VoC pre-flight refused the whole run (no feedback rows in 2026-10, exit 2)
    assert cli.main(["run", "all", "--period", "2026-10", "--params", str(folder / "params.yaml"),
                     "--reports", str(reports)]) == 0
    out = capsys.readouterr().out
    assert ("skipped  voice_of_customer 2026-10: needs the feedback table, which params.yaml does not configure "
            "(data.feedback); add the export there to run it") in out
    assert "summary  2 of 2 run ok, 0 failed, 1 skipped (input not configured)" in out
    month = reports / "2026-10"
    assert (month / "kpi_dashboard.eml").is_file() and (month / "sales_marketing_sync.eml").is_file()
    assert not list(month.glob("voice_of_customer*"))


# --- 5. forecast ranges of counts and money stop at 0 ------------------------------------------------------


def test_a_goal_range_of_a_count_does_not_go_below_zero():
    # qualified inquiries falling by one a month with a wide swing: a straight line through them reaches
    # below 0 at its lower end by December
    idx = pd.period_range("2025-11", "2026-10", freq="M")
    series = pd.Series([14, 4, 13, 3, 12, 2, 11, 1, 10, 1, 8, 0], index=idx, dtype=float)
    raw = goals.forecast(series, 2)
    assert raw[1] < 0  # the model's own range (the premise)
    goal = {"id": "q", "title": "Anfragen", "metric": "qualified_leads", "target": 12, "baseline": 8,
            "deadline": "2026-12-31", "start": "2026-01-01"}
    status = goals.evaluate(goal, series, pd.Period("2026-10", "M"))
    assert status.low == 0.0 and status.high == max(raw[2], 0.0) and status.forecast == max(raw[0], 0.0)
    # a metric the catalogue does not know is left as forecast (tests/test_guard_goal_lower_is_better.py)
    own = goals.evaluate({**goal, "metric": "own_metric"}, series, pd.Period("2026-10", "M"))
    assert own.low == raw[1] < 0


# --- 6. validate: "params ok" only once the params are checked -----------------------------------------------


def test_validate_does_not_say_params_ok_above_a_misspelt_channel(tmp_path, capsys):
    folder = copy(tmp_path, "hubspot")
    edit(folder / "params.yaml", "stage_map:", "channels: {marketing: [paid_search, emial]}\nstage_map:")
    assert cli.main(["validate", "--params", str(folder / "params.yaml")]) == 2
    out, err = capsys.readouterr()
    assert 'did you mean "email"?' in err
    assert "ok" not in out  # before: "params  ...: ok (...)" stood above the error
    edit(folder / "params.yaml", "emial", "email")
    assert cli.main(["validate", "--params", str(folder / "params.yaml")]) == 0
    assert capsys.readouterr().out.startswith("params  ")


def test_run_does_not_say_ok_above_a_misspelt_channel(tmp_path, capsys):
    # the same params mistake through `run`: refused before any kernel (exit 2), and no "ok" line above the error
    folder = copy(tmp_path, "hubspot")
    edit(folder / "params.yaml", "stage_map:", "channels: {marketing: [paid_search, emial]}\nstage_map:")
    code = cli.main(["run", "kpi_dashboard", "--period", "2026-10", "--params", str(folder / "params.yaml"),
                     "--reports", str(tmp_path / "reports")])
    out, err = capsys.readouterr()
    assert code == 2 and 'did you mean "email"?' in err
    assert "ok" not in out.split(), out  # the params line says "read": the channel check comes after it
    assert not list((tmp_path / "reports").rglob("*.html"))


# --- 7. a missing required column: the tool's own header and the params key ---------------------------------


def test_a_missing_column_names_the_presets_header_and_the_key_that_maps_another(tmp_path):
    folder = copy(tmp_path, "hubspot")
    edit(folder / "hubspot_deals.csv", ",Close Date,Create Date,", ",Close Date,Erstellt am,")
    with pytest.raises(DataError) as exc:
        load(folder)
    msg = str(exc.value)
    assert ('hubspot_deals.csv: has no column for created_date, which is required; preset hubspot_deals (HubSpot '
            'deals export) reads it from the header "Create Date" or "Created Date"; headers found: ') in msg
    assert ('map your header: set data.deals[0].columns.created_date: "<your header>" in '
            f'{load_params(folder / "params.yaml").relpath()} (or name the column "Create Date" as hubspot_deals '
            "exports it)") in msg
    # both fixes the message names work
    edit(folder / "params.yaml", "preset: hubspot_deals}", 'preset: hubspot_deals, columns: {created_date: "Erstellt am"}}')
    assert len(load(folder).deals) == 8
    edit(folder / "params.yaml", ', columns: {created_date: "Erstellt am"}}', "}")
    edit(folder / "hubspot_deals.csv", ",Erstellt am,", ",Create Date,")
    assert len(load(folder).deals) == 8


# --- 8. an open deal is a "Verkaufschance", not an "Auftrag" -------------------------------------------------


def test_credit_questions_call_open_deals_opportunities_and_only_won_ones_orders(tmp_path):
    facts = sync.compute(load(FIXTURES / "hubspot_closed_status"), OCT, "de")
    # Oct deals without a lead: 6002 (won, 3,200) and 6003 (open, 18,000) = 21,200
    assert sync.attribution_items(facts, "de", "EUR") == [
        f"2 neue Verkaufschancen (21,2{NB}Tsd.{NB}€) ohne Quelle: niemandem gutgeschrieben – Quelle im CRM nachtragen."]
    folder = copy(tmp_path, "hubspot_closed_status")
    edit(folder / "hubspot_deals.csv", "Appointment Scheduled,18000,,", "Closed Won,18000,2026-10-30,")
    facts = sync.compute(load(folder), OCT, "de")
    assert sync.attribution_items(facts, "de", "EUR")[0].startswith(f"2 neue Aufträge (21,2{NB}Tsd.{NB}€) ohne Quelle")
    outbound = pd.DataFrame({"amount": [82_700.0], "touch_channels": [["direct"]], "status": ["open"]})
    facts.attribution = {"no_source": pd.DataFrame(), "outbound_with_marketing": outbound}
    assert sync.attribution_items(facts, "de", "EUR") == [
        f"1 Verkaufschance aus Vertriebs-Kaltakquise (82,7{NB}Tsd.{NB}€) hatte vorher Marketing-Kontakt (Direkt): "
        "gemeinsam festlegen, wem die Pipeline zählt."]


# --- 9. hours: rounded half up at the shown digit, from a decimal value ---------------------------------------


@pytest.mark.parametrize("asked, answered, hours, shown", [
    # 8 h 03 min = 8.05 h: half up -> 8,1; the positions' float noise made it 8.049999999995634 -> "8,0"
    ("08:01", "16:04", 8.05, "8,1"),
    ("08:00", "16:02", 8 + 2 / 60, "8,0"),  # 8.033 h
    ("08:05", "16:14", 8.15, "8,2"),  # 8 h 09 min, the next boundary
])
def test_business_hours_are_shown_rounded_half_up(asked, answered, hours, shown):
    cfg = sla.SlaConfig()
    # Monday 05.10.2026 within the business day (8-17): the hours are the clock difference
    got = sla.business_hours(pd.Series([pd.Timestamp(f"2026-10-05 {asked}")]),
                             pd.Series([pd.Timestamp(f"2026-10-05 {answered}")]), cfg)[0]
    assert got == pytest.approx(hours, abs=1e-6)  # kept to a millionth of an hour (sla.HOUR_DIGITS)
    assert sync._hours(got, "de") == f"{shown}{NB}Std."
