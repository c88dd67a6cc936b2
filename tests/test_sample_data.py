"""The bundled sample company: deterministic files in the documented formats with measurable planted effects."""
from __future__ import annotations

import contextlib
import io
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cmo_workbook.sample import generate as sample_data
from cmo_workbook.sample.generate import FEEDBACK_THEMES, FILES, generate, main

DOC = Path(__file__).resolve().parents[1] / "docs" / "sample-data.md"

# (file, encoding, BOM?, delimiter, lines above the header, header) as docs/sample-data.md states them
CSV_FILES = [
    ("crm/hubspot_contacts.csv", "utf-8", False, ",", 0,
     "Record ID,First Name,Last Name,Email,Company Name,Country/Region,Industry,Contact owner,Lifecycle Stage,"
     "Lead Status,Create Date,Original Traffic Source,Original Traffic Source Drill-Down 1,Original Traffic Source "
     "Drill-Down 2,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,Became an Opportunity "
     "Date,Became a Customer Date,Date of first engagement,Sales Feedback Date,Unqualified Reason,Vertriebsgebiet"),
    ("crm/hubspot_deals.csv", "utf-8", False, ",", 0,
     "Record ID,Deal Name,Pipeline,Deal Stage,Amount,Close Date,Create Date,Deal owner,Deal Type,Associated Company "
     "(Primary),Associated Company IDs (Primary),Associated Contact IDs,Closed Lost Reason,"
     "Original Traffic Source,Original Traffic Source Drill-Down 1"),
    ("crm/touchpoints.csv", "utf-8", True, ",", 0, "Contact ID,Touch Timestamp,Channel,Campaign,Interaction Type"),
    ("ads/google_ads_kampagnen.csv", "utf-8", False, ",", 2,
     "Tag,Kampagne,Kampagnentyp,Währungscode,Kosten,Impr.,Klicks,Conversions"),
    ("ads/linkedin_campaign_performance.csv", "utf-8", False, ",", 5,
     "Start Date (in UTC),Campaign Name,Campaign Group Name,Campaign Objective,Currency,Total Spent,Impressions,"
     "Clicks,Leads,Conversions"),
    ("feedback/kundenfeedback.csv", "cp1252", False, ";", 0,
     "Nr.;Datum;Quelle;Kunde;Ansprechpartner;E-Mail;Produkt;Segment;Bewertung;Kommentar"),
    ("competitors/wettbewerb_preise.csv", "utf-8", True, ";", 0,
     "Datum;Wettbewerber;Produkt;Preis;Währung;Einheit;Netto/Brutto;Preisart;Vergleichsprodukt"),
    ("competitors/wettbewerb_botschaften.csv", "utf-8", True, ";", 0, "Datum;Wettbewerber;Ort;Text"),
    ("controlling/planung.csv", "utf-8", True, ";", 0,
     "Monat;Kanal;Kostenstelle;Marketingbudget (€);Umsatzplan (€);Auftragseingang Plan (€);"
     "Auftragseingang Marketing Plan (€);Umsatz Marketing Plan (€)"),
    ("controlling/ist_umsatz_auftragseingang.csv", "utf-8", True, ";", 0, "Monat;Umsatz (€);Auftragseingang (€);Quelle"),
]
XLSX_FILES = [
    ("budget/marketingkosten.xlsx", "Kosten", 3, "Datum | Kanal | Kampagne | Kosten (€) | Bemerkung"),
    ("competitors/wettbewerb_beobachtungen.xlsx", "Beobachtungen", 1,
     "Datum | Wettbewerber | Thema | Beobachtung | Quelle | Beobachtet von | Bedeutung | Region | Segment"),
]
DELAY = "lieferverzögerung|liefertermin|lieferverzug|delivery delay|late delivery"
PORTAL = "ersatzteilportal|portal-login|spare parts portal"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, list[Path], str]:
    """Generate once through the CLI entry; keep what it printed."""
    out = tmp_path_factory.mktemp("sample")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["--out", str(out)]) == 0
    return out, sorted(p for p in out.rglob("*") if p.is_file()), printed.getvalue()


@pytest.fixture(scope="module")
def d(sample) -> Path:
    return sample[0]


def de_num(s: pd.Series) -> pd.Series:
    return s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False).astype(float)


def read(d: Path, name: str, **kw) -> pd.DataFrame:
    spec = {f[0]: f for f in CSV_FILES}[name]
    return pd.read_csv(d / name, encoding="utf-8-sig" if spec[2] else spec[1], sep=spec[3], skiprows=spec[4],
                       dtype=str, keep_default_na=False, **kw)


# --- files, determinism, formats ---------------------------------------------------------------

def test_generate_writes_every_documented_file_and_main_reports_row_counts(sample):
    out, files, printed = sample
    assert [f for f in files if "diary" not in f.parts] == sorted(out / f for f in FILES)
    lines = printed.strip().splitlines()
    assert len(lines) == len(FILES) + 1
    assert re.search(r"diary: \d+ weekly diary entries$", lines[-1])
    assert len(list((out / "diary").glob("*.md"))) == int(re.search(r": (\d+) weekly", lines[-1]).group(1))
    contacts_line = next(line for line in lines if "hubspot_contacts.csv" in line)
    n_rows = int(re.search(r": (\d+) rows$", contacts_line).group(1))
    assert n_rows == len(read(out, "crm/hubspot_contacts.csv"))


def test_same_seed_gives_identical_bytes_and_another_seed_differs(d, tmp_path):
    again = generate(tmp_path / "again")
    assert [p.relative_to(tmp_path / "again").as_posix() for p in again] == sorted(FILES)
    for p in again:
        assert p.read_bytes() == (d / p.relative_to(tmp_path / "again")).read_bytes(), p.name
    other = generate(tmp_path / "other", seed=7)
    differs = {p.relative_to(tmp_path / "other").as_posix() for p in other
               if p.read_bytes() != (d / p.relative_to(tmp_path / "other")).read_bytes()}
    assert differs >= {"crm/hubspot_contacts.csv", "crm/hubspot_deals.csv", "feedback/kundenfeedback.csv",
                       "ads/google_ads_kampagnen.csv", "budget/marketingkosten.xlsx",
                       "competitors/wettbewerb_beobachtungen.xlsx"}


@pytest.mark.parametrize("name,encoding,bom,sep,skip,header", CSV_FILES)
def test_csv_encoding_and_exact_header(d, name, encoding, bom, sep, skip, header):
    raw = (d / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    text = raw.decode(encoding)                      # strict: fails on a wrong encoding
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[skip] == header
    assert header in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name,sheet,header_row,header", XLSX_FILES)
def test_xlsx_sheet_and_exact_header(d, name, sheet, header_row, header):
    ws = openpyxl.load_workbook(d / name)[sheet]
    assert " | ".join(c.value for c in ws[header_row]) == header
    assert header in DOC.read_text(encoding="utf-8")
    assert isinstance(ws.cell(header_row + 1, 1).value, datetime)


def test_feedback_is_german_excel_csv(d):
    raw = (d / "feedback/kundenfeedback.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                          # umlauts in cp1252 are not UTF-8
    f = read(d, "feedback/kundenfeedback.csv")
    assert f["Datum"].str.fullmatch(r"\d\d\.\d\d\.20\d\d").all()
    assert f["Kommentar"].str.contains(r"\d\.\d{3},\d\d EUR").any()      # German amounts: 1.234,56 EUR
    assert f["Kommentar"].str.contains(r"\d,\d %").any()                  # German percentages: 4,5 %
    nps = f["Quelle"] == "NPS-Umfrage"
    assert f.loc[nps, "Bewertung"].astype(int).between(0, 10).all()
    assert (f.loc[~nps, "Bewertung"] == "").all()
    assert set(f["Quelle"]) == {"Support-Ticket", "Vertriebsgespräch", "NPS-Umfrage", "Bewertung"}


def test_google_ads_german_numbers_and_totals_equal_the_rows(d):
    lines = (d / "ads/google_ads_kampagnen.csv").read_bytes().decode("utf-8").split("\r\n")
    assert lines[:2] == ["Kampagnenbericht", "01.11.2024 - 31.10.2026"]
    g = read(d, "ads/google_ads_kampagnen.csv")
    totals = g[g["Tag"].str.startswith("Gesamt: ")]
    rows = g[~g["Tag"].str.startswith("Gesamt: ")]
    assert totals["Tag"].tolist() == ["Gesamt: Konto", "Gesamt: Suche"]
    assert rows["Tag"].str.fullmatch(r"\d\d\.\d\d\.\d{4}").all()
    assert (rows["Conversions"] == " --").any()
    conv = rows["Conversions"].where(rows["Conversions"] != " --", "0")
    for col, values in (("Kosten", rows["Kosten"]), ("Impr.", rows["Impr."]), ("Klicks", rows["Klicks"]),
                        ("Conversions", conv)):
        total = round(de_num(values).sum(), 2)
        assert de_num(totals[col]).tolist() == [total, total], col
    raw = (d / "ads/google_ads_kampagnen.csv").read_text(encoding="utf-8")
    assert re.search(r',"\d{1,3}(\.\d{3})*,\d\d",', raw)                # quoted German cost


def test_linkedin_report_metadata_and_us_dates(d):
    lines = (d / "ads/linkedin_campaign_performance.csv").read_bytes().decode("utf-8").split("\r\n")
    assert lines[0] == "Campaign Performance Report (in UTC)"
    assert lines[1:3] == ["Report Start: 11/1/2024", "Report End: 10/31/2026"]
    li = read(d, "ads/linkedin_campaign_performance.csv")
    assert li["Start Date (in UTC)"].str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}").all()
    assert li["Total Spent"].str.fullmatch(r"\d+\.\d\d").all()


def test_cost_sheet_title_channels_text_amounts_and_annual_budget(d):
    ws = openpyxl.load_workbook(d / "budget/marketingkosten.xlsx")["Kosten"]
    assert ws["A1"].value == "Marketingkosten (manuell gepflegt)"
    assert all(c.value is None for c in ws[2])
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert {r[1] for r in rows} == {"Messe", "Webinar", "E-Mail", "Partner", "SEO/Content"}
    texts = [r[3] for r in rows if isinstance(r[3], str)]
    assert 1 <= len(texts) <= 10 and all(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d\d", t) for t in texts)
    # big fairs: 60-140 k in the fair month
    big = [r[3] for r in rows if r[1] == "Messe" and r[4] == "Standmiete, Personal, Reise" and
           ("SPS" in r[2] or "Hannover" in r[2]) and not isinstance(r[3], str)]
    assert big and all(60_000 <= v <= 140_000 for v in big)
    # total marketing spend 2025, all sources: about 3 % of 40 M revenue
    sheet = sum(de_num(pd.Series([r[3]])).iloc[0] if isinstance(r[3], str) else r[3] for r in rows if r[0].year == 2025)
    g = read(d, "ads/google_ads_kampagnen.csv")
    g = g[g["Tag"].str.endswith(".2025")]
    li = read(d, "ads/linkedin_campaign_performance.csv")
    li = li[li["Start Date (in UTC)"].str.endswith("/2025")]
    total = sheet + de_num(g["Kosten"]).sum() + li["Total Spent"].astype(float).sum()
    assert 1_000_000 <= total <= 1_300_000


# --- CRM realism -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def contacts(d) -> pd.DataFrame:
    c = read(d, "crm/hubspot_contacts.csv")
    for col in ("Create Date", "Became a Marketing Qualified Lead Date", "Became a Sales Qualified Lead Date",
                "Became an Opportunity Date", "Became a Customer Date", "Date of first engagement",
                "Sales Feedback Date"):
        c[col] = pd.to_datetime(c[col].replace("", None), format="%Y-%m-%d %H:%M")
    return c


def test_leads_per_year_and_funnel_rates(contacts):
    c = contacts
    first_year = (c["Create Date"] < "2025-11-01").sum()
    assert 4_500 <= first_year <= 5_500 and 4_500 <= len(c) - first_year <= 5_500
    assert c["Create Date"].between("2024-11-01", "2026-11-01").all()
    mql = c["Became a Marketing Qualified Lead Date"].notna()
    sql = c["Became a Sales Qualified Lead Date"].notna()
    assert 0.35 <= mql.mean() <= 0.48
    assert 0.40 <= sql.sum() / mql.sum() <= 0.60
    lag = (c["Became a Marketing Qualified Lead Date"] - c["Create Date"]).dt.days
    assert lag.dropna().between(0, 14).all()
    sql_lag = (c["Became a Sales Qualified Lead Date"] - c["Became a Marketing Qualified Lead Date"]).dt.days
    assert sql_lag.dropna().between(2, 30).all()
    # trade fairs and partners bring better leads than paid social
    fair = c["Original Traffic Source Drill-Down 2"].str.startswith("Messe ")
    social = c["Original Traffic Source"] == "Paid social"
    assert sql[fair].sum() / mql[fair].sum() > sql[social].sum() / mql[social].sum() + 0.15
    # rejected MQLs carry a reason from the documented list
    reasons = set(c["Unqualified Reason"]) - {""}
    assert reasons == {"Kein Bedarf", "Student/Wettbewerber", "Falsche Zielgruppe", "Budget fehlt", "Dublette"}


def test_trade_fair_leads_arrive_in_bursts_and_wait_longer(contacts):
    c = contacts
    fair = c["Original Traffic Source Drill-Down 2"].str.startswith("Messe ")
    assert set(c.loc[fair, "Original Traffic Source"]) == {"Offline sources"}
    assert "Messe SPS Nürnberg 2025" in set(c.loc[fair, "Original Traffic Source Drill-Down 2"])
    per_day = c.loc[fair, "Create Date"].dt.date.value_counts()
    assert per_day.max() >= 150                       # an import day
    wait = (c["Date of first engagement"] - c["Became a Marketing Qualified Lead Date"]).dt.total_seconds() / 3600
    assert wait[fair].median() > 3 * wait[~fair].median()
    mql = c["Became a Marketing Qualified Lead Date"].notna()
    assert 0.03 <= c.loc[mql, "Date of first engagement"].isna().mean() <= 0.2
    hours = c["Date of first engagement"].dropna()
    assert hours.dt.day_of_week.lt(5).all() and hours.dt.hour.between(8, 17).all()


def test_deals_stages_amounts_cycles_and_repeat_orders(d):
    deals = read(d, "crm/hubspot_deals.csv")
    assert set(deals["Deal Stage"]) == {"Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
                                        "Decision Maker Bought-In", "Contract Sent", "Closed Won", "Closed Lost"}
    assert deals["Amount"].str.fullmatch(r"\d+\.\d\d").all()
    amount = deals["Amount"].astype(float)
    new = deals["Deal Type"] == "New Business"
    assert 28_000 <= amount[new].median() <= 42_000
    assert amount[new].between(150_000, 420_000).sum() >= 10
    closed = deals["Deal Stage"].isin(["Closed Won", "Closed Lost"])
    win = (deals["Deal Stage"] == "Closed Won")[new & closed].mean()
    assert 0.25 <= win <= 0.36
    cycle = (pd.to_datetime(deals["Close Date"]) - pd.to_datetime(deals["Create Date"])).dt.days
    assert cycle[new].between(30, 270).all()
    assert (pd.to_datetime(deals.loc[~closed, "Close Date"]) > "2026-10-31").all()   # open: expected close
    lost = set(deals.loc[deals["Deal Stage"] == "Closed Lost", "Closed Lost Reason"])
    assert lost == {"Preis zu hoch", "Wettbewerber gewählt", "Kein Budget", "Projekt verschoben",
                    "Technisch nicht passend"}
    won = deals[deals["Deal Stage"] == "Closed Won"]
    orders = won.groupby("Associated Company IDs (Primary)").size()
    assert (orders >= 3).sum() >= 50 and (orders == 1).sum() >= 50    # customers buy again at varying rates


def test_touchpoints_about_three_per_lead_source_channel_early(d, contacts):
    tp = read(d, "crm/touchpoints.csv")
    per_lead = tp.groupby("Contact ID").size()
    assert per_lead.max() <= 8 and 2.6 <= len(tp) / len(contacts) <= 3.4
    assert set(tp["Channel"]) == set(sample_data.CHANNELS)
    assert set(tp["Interaction Type"]) <= {"form", "visit", "event", "email_click", "webinar", "call", "meeting"}
    ts = pd.to_datetime(tp["Touch Timestamp"], format="%Y-%m-%d %H:%M:%S")
    assert ts.between("2024-11-01", "2026-11-01").all()


# --- planted effects, measured from the raw files ------------------------------------------------

def test_linkedin_cost_per_mql_doubles_while_mqls_stay_flat(d, contacts):
    li = read(d, "ads/linkedin_campaign_performance.csv")
    month = pd.to_datetime(li["Start Date (in UTC)"], format="%m/%d/%Y").dt.to_period("M")
    spend = li["Total Spent"].astype(float).groupby(month).sum()
    c = contacts
    is_li = (c["Original Traffic Source"] == "Paid social") & c["Original Traffic Source Drill-Down 1"].str.startswith(
        "linkedin")
    mqls = c.loc[is_li, "Became a Marketing Qualified Lead Date"].dropna().dt.to_period("M").value_counts()
    q1 = [pd.Period(f"2026-0{i}", "M") for i in (1, 2, 3)]
    q3 = [pd.Period(f"2026-0{i}", "M") for i in (7, 8, 9)]
    assert 1.5 <= spend[q3].sum() / spend[q1].sum() <= 1.7
    assert 0.8 <= mqls[q3].sum() / mqls[q1].sum() <= 1.2
    y2025 = [p for p in spend.index if p.year == 2025]
    oct26 = pd.Period("2026-10", "M")
    ratio = (spend[oct26] / mqls[oct26]) / (spend[y2025].sum() / mqls[y2025].sum())
    assert 1.7 <= ratio <= 2.4


@pytest.fixture(scope="module")
def feedback(d) -> pd.DataFrame:
    f = read(d, "feedback/kundenfeedback.csv")
    f["month"] = pd.to_datetime(f["Datum"], format="%d.%m.%Y").dt.to_period("M")
    return f


def test_delivery_delay_share_triples_in_the_last_month(feedback):
    t = feedback[feedback["Kommentar"] != ""]
    share = t["Kommentar"].str.lower().str.contains(DELAY).groupby(t["month"]).mean()
    baseline = share[[pd.Period(f"2026-0{i}", "M") for i in range(3, 9)]].mean()
    assert share[pd.Period("2026-10", "M")] >= 2.5 * baseline
    assert share[pd.Period("2026-09", "M")] >= 1.4 * baseline      # rising already


def test_spare_parts_portal_appears_only_from_september(feedback):
    hit = feedback["Kommentar"].str.lower().str.contains(PORTAL)
    assert not hit[feedback["month"] < pd.Period("2026-09", "M")].any()
    assert hit[feedback["month"] == pd.Period("2026-09", "M")].sum() >= 5
    assert hit[feedback["month"] == pd.Period("2026-10", "M")].sum() >= 8


def test_feedback_volume_languages_nps_and_detractor_themes(feedback):
    f = feedback
    assert f.groupby("month").size().between(180, 320).all()
    text = f["Kommentar"].str.lower()
    english = text.str.contains(r"\b(?:the|please|we|can you)\b")
    assert 0.2 <= english[text != ""].mean() <= 0.4
    assert text.str.contains("nicht zufrieden").any() and text.str.contains("kein problem").any()
    assert text.str.contains("not happy").any() and text.str.contains("no issues").any()
    assert text.str.contains("wäre schön, wenn").any() and text.str.contains("it would be great if").any()
    nps = f[f["Quelle"] == "NPS-Umfrage"]
    score = nps["Bewertung"].astype(int)
    value = 100 * ((score >= 9).mean() - (score <= 6).mean())
    assert 20 <= value <= 35
    complaint = nps["Kommentar"].str.lower().str.contains(DELAY + "|rechnung|invoice")
    detractors = score <= 6
    assert detractors[complaint].mean() > 2 * detractors[~complaint].mean()


def _iban_valid(iban: str) -> bool:
    s = iban.replace(" ", "")
    digits = "".join(str(int(ch, 36)) for ch in s[4:] + s[:4])
    return int(digits) % 97 == 1


def test_pii_and_html_are_planted_in_feedback(feedback):
    text = feedback["Kommentar"]
    ibans = text.str.extract(r"(DE\d\d(?: \d{4}){4} \d\d)")[0].dropna()
    assert len(ibans) >= 5 and all(_iban_valid(i) for i in ibans)
    assert text.str.contains(r"\+49 7131 \d+").any() and text.str.contains(r"\b0171 \d+").any()
    assert text.str.contains(r"[\w.]+@[\w-]+\.(?:de|at|ch|nl|pl)").sum() >= 5
    assert text.str.contains(r"\w+straße \d+, \d{4,5} \w+").any() or text.str.contains(r"Am Hafen \d+, ").any()
    named = feedback[text.str.contains("Ansprechpartner ist |Contact person: ")]
    assert len(named) >= 5
    assert all(row["Ansprechpartner"] in row["Kommentar"] for _, row in named.iterrows())
    assert text.str.contains("<script>alert(1)</script>", regex=False).sum() >= 2
    assert text.str.contains("<img src=x onerror=alert(1)>", regex=False).sum() >= 2


def test_feedback_themes_constant_names_the_eleven_themes():
    assert list(FEEDBACK_THEMES) == [
        "delivery_delay", "invoice_errors", "product_quality", "spare_parts", "documentation", "price",
        "service_response", "online_configurator", "energy_efficiency", "praise_support", "spare_parts_portal"]
    assert "Ersatzteilportal" in FEEDBACK_THEMES["spare_parts_portal"]


def test_hartmann_cuts_servo_list_price_by_twelve_percent_and_promo_is_flagged(d):
    p = read(d, "competitors/wettbewerb_preise.csv")
    p["day"] = pd.to_datetime(p["Datum"], format="%d.%m.%Y")
    p["price"] = de_num(p["Preis"])
    servo = p[(p["Wettbewerber"] == "Hartmann Antriebe") & p["Produkt"].str.contains("Servo") &
              (p["Preisart"] == "Listenpreis") & (p["Netto/Brutto"] == "netto")]
    assert (servo["day"] == "2026-09-15").any()
    for _, g in servo.groupby("Produkt"):
        before = g[g["day"] < "2026-09-15"].sort_values("day")["price"].iloc[-1]
        after = g[g["day"] >= "2026-09-15"].sort_values("day")["price"].iloc[0]
        assert 0.10 <= 1 - after / before <= 0.14
    promo = p[p["Preisart"] == "Aktion"]
    assert set(promo["Wettbewerber"]) == {"Nordgetriebe AG"}
    ng = p[(p["Produkt"].isin(promo["Produkt"])) & (p["Preisart"] == "Listenpreis") & (p["day"] >= "2026-06-01")]
    assert ng["price"].nunique() == 1                  # list price unchanged during the promo
    assert set(p["Währung"]) == {"EUR", "CHF"} and set(p["Netto/Brutto"]) == {"netto", "brutto"}


def test_competitor_observations_quiet_competitor_duplicates_and_injection(d):
    o = pd.read_excel(d / "competitors/wettbewerb_beobachtungen.xlsx", sheet_name="Beobachtungen")
    assert set(o["Thema"]) <= {"Produkt", "Preis", "Kampagne", "Messe", "Personal", "Partnerschaft", "Presse",
                               "Sonstiges"}
    assert set(o["Bedeutung"]) == {"hoch", "mittel", "niedrig"}
    assert o.groupby(o["Datum"].dt.to_period("M")).size().between(3, 11).all()
    competitors = set(o["Wettbewerber"])
    assert {"Hartmann Antriebe", "Nordgetriebe AG", "Voss Motion", "Brenner Industrietechnik"} < competitors
    last_seen = o.groupby("Wettbewerber")["Datum"].max()
    quiet = last_seen[last_seen < "2026-07-01"]
    assert len(quiet) == 1
    dups = o[o["Beobachtung"].str.startswith("Auch gehört: ")]
    assert len(dups) >= 2
    for _, row in dups.iterrows():
        original = o[(o["Beobachtung"] == row["Beobachtung"].removeprefix("Auch gehört: ")) &
                     (o["Datum"] == row["Datum"] - pd.Timedelta(days=1))]
        assert len(original) == 1 and original["Beobachtet von"].iloc[0] != row["Beobachtet von"]
    assert o["Beobachtung"].str.contains("<script>", regex=False).sum() == 1


def test_hartmann_messaging_switches_to_delivery_and_price_guarantee(d):
    m = read(d, "competitors/wettbewerb_botschaften.csv")
    m["day"] = pd.to_datetime(m["Datum"], format="%d.%m.%Y")
    h = m[m["Wettbewerber"] == "Hartmann Antriebe"]
    early, late = h[h["day"] < "2026-07-01"], h[h["day"] >= "2026-07-01"]
    assert early["Text"].str.contains("Premium-Qualität").all()
    assert not late["Text"].str.contains("Premium-Qualität").any()
    assert late["Text"].str.contains("48h").all() and late["Text"].str.contains("Preisgarantie|Preis garantiert").all()
    assert set(m["Ort"]) <= {"Homepage", "Messe-Slogan", "LinkedIn Info"}
    assert m.groupby("Wettbewerber")["day"].nunique().min() >= 8       # a snapshot per quarter


def test_organic_search_qualified_leads_grow_about_45_percent(contacts):
    c = contacts
    organic = c.loc[c["Original Traffic Source"] == "Organic search", "Became a Marketing Qualified Lead Date"]
    per_month = organic.dropna().dt.to_period("M").value_counts()
    assert 1.3 <= per_month[pd.Period("2026-10", "M")] / per_month[pd.Period("2025-10", "M")] <= 1.65


def test_raw_variant_has_real_export_traits_and_stays_deterministic(tmp_path):
    from cmo_workbook.sample.generate import generate

    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, variant="raw")
    generate(b, variant="raw")
    assert (a / "crm" / "hubspot_deals.csv").read_bytes() == (b / "crm" / "hubspot_deals.csv").read_bytes()
    contacts = pd.read_csv(a / "crm" / "hubspot_contacts.csv", dtype=str)
    assert contacts["Became a Marketing Qualified Lead Date"].isna().all()
    assert (contacts["Lifecycle Stage"] == "Marketing Qualified Lead").any()
    lines = (a / "crm" / "hubspot_deals.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "All deals - export" and lines[-1].startswith("Total,")
    deals = pd.read_csv(a / "crm" / "hubspot_deals.csv", dtype=str, skiprows=1, skipfooter=1, engine="python")
    assert deals["Associated Contact IDs"].isna().all()
    won = deals[deals["Deal Stage"] == "Closed Won"]
    assert won["Amount"].isna().sum() == len(won) // 8
    assert deals["Original Traffic Source"].notna().mean() > 0.4
