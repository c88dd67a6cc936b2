"""Presets map real export headers (reference note 1.2-1.8, docs/sample-data.md) onto canonical columns."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.inputs import presets, schema
from cmo_workbook.errors import ParamsError
from cmo_workbook.inputs.presets import get_preset, normalize_header, resolve_columns


def split(row: str, sep: str = ",") -> list[str]:
    return [h.strip() for h in row.split(sep)]


HUBSPOT_CONTACTS = split(
    "Record ID,First Name,Last Name,Email,Company Name,Country/Region,Industry,Contact owner,Lifecycle Stage,"
    "Lead Status,Create Date,Original Traffic Source,Original Traffic Source Drill-Down 1,"
    "Original Traffic Source Drill-Down 2,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,"
    "Became an Opportunity Date,Became a Customer Date,Date of first engagement,Sales Feedback Date,Unqualified Reason")
HUBSPOT_DEALS = split(
    "Record ID,Deal Name,Pipeline,Deal Stage,Amount,Close Date,Create Date,Deal owner,Deal Type,"
    "Associated Company (Primary),Associated Company IDs (Primary),Associated Contact IDs,Closed Lost Reason")

# (preset, table, header row, columns that must be mapped to exactly these headers, expected unmapped)
REALISTIC = [
    ("hubspot_contacts", "leads", HUBSPOT_CONTACTS,
     {"lead_id": "Record ID", "created_date": "Create Date", "source_raw": "Original Traffic Source",
      "source_detail": "Original Traffic Source Drill-Down 1", "mql_date": "Became a Marketing Qualified Lead Date",
      "sql_date": "Became a Sales Qualified Lead Date", "owner": "Contact owner", "company": "Company Name",
      "first_response_date": "Date of first engagement", "rejection_reason": "Unqualified Reason",
      "contact_email": "Email", "country": "Country/Region", "lead_status": "Lead Status"},
     []),
    ("hubspot_deals", "deals", HUBSPOT_DEALS,
     {"deal_id": "Record ID", "stage": "Deal Stage", "amount": "Amount", "created_date": "Create Date",
      "close_date": "Close Date", "company": "Associated Company (Primary)", "lead_id": "Associated Contact IDs",
      "account_id": "Associated Company IDs (Primary)", "lost_reason": "Closed Lost Reason", "deal_type": "Deal Type"},
     []),
    ("salesforce_leads", "leads",
     split("Lead Owner,First Name,Last Name,Company / Account,Lead Source,Lead Status,Create Date,Lead ID"),
     {"lead_id": "Lead ID", "created_date": "Create Date", "source_raw": "Lead Source", "owner": "Lead Owner",
      "company": "Company / Account", "lifecycle_stage": "Lead Status"},
     []),
    ("salesforce_opportunities", "deals",
     split("Opportunity Owner,Account Name,Opportunity Name,Stage,Fiscal Period,Amount,Probability (%),Age,"
           "Close Date,Created Date,Next Step,Lead Source,Type,Primary Campaign Source,Opportunity ID"),
     {"deal_id": "Opportunity ID", "created_date": "Created Date", "stage": "Stage", "amount": "Amount",
      "company": "Account Name", "lead_source": "Lead Source", "campaign": "Primary Campaign Source",
      "probability": "Probability (%)", "deal_type": "Type"},
     ["Fiscal Period", "Age", "Next Step"]),
    ("pipedrive_deals", "deals",
     split("Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Organization,Deal - Contact person,"
           "Deal - Owner,Deal - Pipeline,Deal - Stage,Deal - Status,Deal - Deal created,Deal - Expected close date,"
           "Deal - Won time,Deal - Lost time,Deal - Lost reason,Deal - Probability,Deal - Source origin,"
           "Deal - Source channel"),
     {"deal_id": "Deal - ID", "amount": "Deal - Value", "currency": "Deal - Currency", "stage": "Deal - Stage",
      "status": "Deal - Status", "created_date": "Deal - Deal created", "company": "Deal - Organization",
      "lead_source": "Deal - Source channel", "source_detail": "Deal - Source origin"},
     ["Deal - Contact person"]),
    ("google_ads", "spend", split("Tag,Kampagne,Kampagnentyp,Währungscode,Kosten,Impr.,Klicks,Conversions"),
     {"date": "Tag", "campaign": "Kampagne", "currency": "Währungscode", "cost": "Kosten", "impressions": "Impr.",
      "clicks": "Klicks", "conversions": "Conversions"},
     ["Kampagnentyp"]),
    ("google_ads", "spend", split("Day,Campaign,Campaign type,Currency code,Cost,Impr.,Clicks,Conversions"),
     {"date": "Day", "campaign": "Campaign", "currency": "Currency code", "cost": "Cost", "impressions": "Impr.",
      "clicks": "Clicks", "conversions": "Conversions"},
     ["Campaign type"]),
    ("linkedin_ads", "spend",
     split("Start Date (in UTC),Campaign Name,Campaign Group Name,Campaign Objective,Currency,Total Spent,"
           "Impressions,Clicks,Leads,Conversions"),
     {"date": "Start Date (in UTC)", "campaign": "Campaign Name", "cost": "Total Spent", "currency": "Currency",
      "leads": "Leads", "conversions": "Conversions"},
     ["Campaign Group Name", "Campaign Objective"]),
    ("meta_ads", "spend",
     split("Campaign name,Day,Amount spent (EUR),Impressions,Reach,Link clicks,Results,Cost per result"),
     {"campaign": "Campaign name", "date": "Day", "cost": "Amount spent (EUR)", "clicks": "Link clicks"},
     ["Reach", "Results", "Cost per result"]),
    ("meta_ads", "spend", split("Kampagnenname,Tag,Ausgegebener Betrag (EUR),Impressionen,Link-Klicks"),
     {"campaign": "Kampagnenname", "date": "Tag", "cost": "Ausgegebener Betrag (EUR)",
      "impressions": "Impressionen", "clicks": "Link-Klicks"},
     []),
    ("ga4", "web_traffic",
     split("Date,Session primary channel group (Default channel group),Session source / medium,Session campaign,"
           "Sessions,Engaged sessions,Engagement rate,Key events"),
     {"date": "Date", "channel_group": "Session primary channel group (Default channel group)",
      "campaign": "Session campaign", "sessions": "Sessions", "engaged_sessions": "Engaged sessions",
      "key_events": "Key events"},
     ["Engagement rate"]),
    ("ga4", "web_traffic",
     ["Datum", "Sitzung \u2013 primäre Channelgruppe (Standard-Channelgruppe)", "Sitzungen", "Schlüsselereignisse"],
     {"date": "Datum", "channel_group": "Sitzung \u2013 primäre Channelgruppe (Standard-Channelgruppe)",
      "sessions": "Sitzungen", "key_events": "Schlüsselereignisse"},
     []),
    ("zendesk", "feedback",
     split("Id,Requester,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Solved at,"
           "Satisfaction Score,Replies"),
     {"feedback_id": "Id", "date": "Created at", "text": "Subject", "score": "Satisfaction Score",
      "tags": "Tags", "contact_name": "Requester"},
     ["Group", "Priority", "Via", "Ticket type", "Solved at", "Replies"]),
    ("freshdesk", "feedback",
     split("Ticket ID,Subject,Description,Status,Priority,Source,Type,Group,Created time,Resolved time,"
           "Resolution time (in hrs),Tags,Survey results,Product,Company Name"),
     {"feedback_id": "Ticket ID", "date": "Created time", "title": "Subject", "text": "Description",
      "score": "Survey results", "company": "Company Name", "product": "Product"},
     ["Priority", "Source", "Type", "Group", "Resolved time", "Resolution time (in hrs)"]),
    ("trustpilot", "feedback",
     split("Review Id,Review Created (UTC),Review Title,Review Content,Review Stars,Review Language,"
           "Source Of Review,Reference Id,Domain URL,Business Reply Date (UTC)"),
     {"feedback_id": "Review Id", "date": "Review Created (UTC)", "title": "Review Title",
      "score": "Review Stars", "language": "Review Language"},
     ["Source Of Review", "Reference Id", "Domain URL", "Business Reply Date (UTC)"]),
    ("typeform", "feedback",
     split("#,How likely are you to recommend us?,Response Type,Start Date (UTC),Submit Date (UTC),Network ID,Tags"),
     {"feedback_id": "#", "date": "Submit Date (UTC)", "tags": "Tags"},
     ["How likely are you to recommend us?", "Response Type", "Start Date (UTC)", "Network ID"]),
    ("qualtrics", "feedback",
     split("StartDate,EndDate,Status,Progress,Duration (in seconds),Finished,RecordedDate,ResponseId,UserLanguage,Q1,Q2"),
     {"feedback_id": "ResponseId", "date": "RecordedDate", "language": "UserLanguage"},
     ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "Q1", "Q2"]),
    ("surveymonkey", "feedback",
     split("Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name"),
     {"feedback_id": "Respondent ID", "date": "End Date", "contact_email": "Email Address"},
     ["Collector ID", "Start Date", "IP Address", "First Name", "Last Name"]),
    ("journey_export", "touchpoints", split("\ufeffContact ID,Touch Timestamp,Channel,Campaign,Interaction Type"),
     {"lead_id": "\ufeffContact ID", "timestamp": "Touch Timestamp", "channel": "Channel", "campaign": "Campaign",
      "touch_type": "Interaction Type"},
     []),
    ("generic_de", "spend", split("Datum | Kanal | Kampagne | Kosten (€) | Bemerkung", "|"),
     {"date": "Datum", "channel": "Kanal", "campaign": "Kampagne", "cost": "Kosten (€)"},
     ["Bemerkung"]),
    ("generic_de", "feedback", split("Nr.;Datum;Quelle;Kunde;Ansprechpartner;E-Mail;Produkt;Segment;Bewertung;Kommentar", ";"),
     {"feedback_id": "Nr.", "date": "Datum", "source": "Quelle", "company": "Kunde", "contact_name": "Ansprechpartner",
      "contact_email": "E-Mail", "product": "Produkt", "segment": "Segment", "score": "Bewertung", "text": "Kommentar"},
     []),
    ("generic_de", "competitor_observations",
     split("Datum | Wettbewerber | Thema | Beobachtung | Quelle | Beobachtet von | Bedeutung | Region | Segment", "|"),
     {"date": "Datum", "competitor": "Wettbewerber", "topic": "Thema", "summary": "Beobachtung", "source_url": "Quelle",
      "observed_by": "Beobachtet von", "impact": "Bedeutung", "region": "Region", "segment": "Segment"},
     []),
    ("generic_de", "competitor_prices",
     split("\ufeffDatum;Wettbewerber;Produkt;Preis;Währung;Einheit;Netto/Brutto;Preisart;Vergleichsprodukt", ";"),
     {"observed_date": "\ufeffDatum", "competitor": "Wettbewerber", "product": "Produkt", "price": "Preis",
      "currency": "Währung", "unit": "Einheit", "price_basis": "Netto/Brutto", "price_type": "Preisart",
      "our_product": "Vergleichsprodukt"},
     []),
    ("generic_de", "competitor_messaging", split("Datum;Wettbewerber;Ort;Text", ";"),
     {"date": "Datum", "competitor": "Wettbewerber", "location": "Ort", "text": "Text"}, []),
    ("generic_de", "leads",
     split("Anfrage-Nr.;Anfragedatum;Quelle;Kanal;Kampagne;Firma;MQL-Datum;SQL-Datum;Verantwortlich", ";"),
     {"lead_id": "Anfrage-Nr.", "created_date": "Anfragedatum", "source_raw": "Quelle", "channel": "Kanal",
      "campaign": "Kampagne", "company": "Firma", "mql_date": "MQL-Datum", "sql_date": "SQL-Datum",
      "owner": "Verantwortlich"},
     []),
    ("generic_de", "deals",
     split("Nr.;Erstellt am;Kunde;Umsatz (€);Phase;Abschlussdatum;Verlustgrund", ";"),
     {"deal_id": "Nr.", "created_date": "Erstellt am", "company": "Kunde", "amount": "Umsatz (€)", "stage": "Phase",
      "close_date": "Abschlussdatum", "lost_reason": "Verlustgrund"},
     []),
    ("generic_de", "goals", split("Nr.;Ziel;Kennzahl;Ausgangswert;Zielwert;Frist;Verantwortlich", ";"),
     {"goal_id": "Nr.", "title": "Ziel", "metric": "Kennzahl", "baseline": "Ausgangswert", "target": "Zielwert",
      "deadline": "Frist", "owner": "Verantwortlich"},
     []),
]


@pytest.mark.parametrize("name, table, headers, expected, unmapped", REALISTIC,
                         ids=[f"{r[0]}-{r[1]}-{r[2][0].strip()}" for r in REALISTIC])
def test_realistic_header_rows_resolve(name, table, headers, expected, unmapped):
    res = resolve_columns(headers, get_preset(name), table)
    assert res.missing_required == []
    by_column = {c: h for h, c in res.mapping.items()}
    assert {c: by_column.get(c) for c in expected} == expected
    assert res.unmapped == unmapped


def test_generic_en_takes_canonical_names_for_every_table():
    preset = get_preset("generic_en")
    for name, spec in schema.TABLES.items():
        res = resolve_columns(spec.names, preset, name)
        assert res.mapping == {n: n for n in spec.names}, name
        assert res.missing_required == []


def test_hubspot_old_names_still_work():
    headers = ["Contact ID", "Create Date", "Original Source", "Original Source Drill-Down 1", "Original Source Drill-Down 2"]
    res = resolve_columns(headers, get_preset("hubspot_contacts"), "leads")
    assert res.mapping == {"Contact ID": "lead_id", "Create Date": "created_date", "Original Source": "source_raw",
                           "Original Source Drill-Down 1": "source_detail", "Original Source Drill-Down 2": "_detail_2"}
    assert res.derived == {"Original Source Drill-Down 1 + Original Source Drill-Down 2": "source_detail"}


def test_new_name_wins_over_old_name_whatever_the_file_order():
    headers = ["Original Source", "Record ID", "Create Date", "Original Traffic Source"]
    res = resolve_columns(headers, get_preset("hubspot_contacts"), "leads")
    assert res.mapping["Original Traffic Source"] == "source_raw"
    assert res.unmapped == ["Original Source"]


def test_ga4_conversions_is_the_old_name_of_key_events():
    old = resolve_columns(["Date", "Session default channel group", "Sessions", "Conversions"], get_preset("ga4"),
                          "web_traffic")
    assert old.mapping == {"Date": "date", "Session default channel group": "channel_group", "Sessions": "sessions",
                           "Conversions": "key_events"}
    both = resolve_columns(["Date", "Sessions", "Conversions", "Key events", "Session default channel group"],
                           get_preset("ga4"), "web_traffic")
    assert both.mapping["Key events"] == "key_events"
    assert both.unmapped == ["Conversions"]


def test_case_spaces_bom_quotes_and_colon_do_not_matter():
    assert normalize_header('\ufeff"Create\u00a0 DATE:"') == "create date"
    assert normalize_header("Sitzung \u2013 primäre Channelgruppe") == "sitzung - primäre channelgruppe"
    res = resolve_columns(["\ufeffRECORD id", "create date:", "'Original Traffic Source'"],
                          get_preset("hubspot_contacts"), "leads")
    assert res.missing_required == []


def test_overrides_override_a_preset_spelling():
    headers = ["Record ID", "Create Date", "Signup Date", "Original Traffic Source"]
    res = resolve_columns(headers, get_preset("hubspot_contacts"), "leads", {"created_date": "signup date"})
    assert res.mapping["Signup Date"] == "created_date"
    assert "Create Date" in res.unmapped


def test_overrides_extend_with_the_first_spelling_found():
    headers = ["#", "Submit Date (UTC)", "How likely are you to recommend us?", "What could we do better?"]
    res = resolve_columns(headers, get_preset("typeform"), "feedback",
                          {"score": "How likely are you to recommend us?",
                           "text": ["Comment", "What could we do better?"]})
    assert res.mapping == {"#": "feedback_id", "Submit Date (UTC)": "date",
                           "How likely are you to recommend us?": "score", "What could we do better?": "text"}
    assert res.unmatched_overrides == {}
    assert res.constants == {"source": "Survey", "score_scale": "nps_0_10"}


def test_override_can_take_a_header_the_preset_gives_another_column():
    headers = ["Record ID", "Create Date", "Original Traffic Source", "Company Name", "Associated Company (Primary)"]
    res = resolve_columns(headers, get_preset("hubspot_contacts"), "leads", {"company": "Associated Company (Primary)"})
    assert res.mapping["Associated Company (Primary)"] == "company"
    assert "Company Name" in res.unmapped


def test_override_not_in_file_is_reported_and_preset_still_applies():
    res = resolve_columns(["Record ID", "Create Date", "Original Traffic Source"], get_preset("hubspot_contacts"),
                          "leads", {"created_date": "Anlagedatum"})
    assert res.unmatched_overrides == {"created_date": ["Anlagedatum"]}
    assert res.mapping["Create Date"] == "created_date"


def test_override_of_unknown_column_suggests_the_right_one():
    with pytest.raises(ParamsError, match=r'columns.created_dat: .*did you mean "created_date"'):
        resolve_columns(["Record ID"], get_preset("hubspot_contacts"), "leads", {"created_dat": "Created"})


def test_missing_required_column_names_the_closest_header():
    headers = ["Record ID", "Created", "Original Traffic Source", "Lead Status"]
    res = resolve_columns(headers, get_preset("hubspot_contacts"), "leads")
    assert res.missing_required == ["created_date"]
    assert res.closest("created_date") == "Created"
    nothing = resolve_columns(["Record ID", "Zzz", "Original Traffic Source"], get_preset("hubspot_contacts"), "leads")
    assert nothing.closest("created_date") is None


def test_constants_count_as_present_and_header_values_are_captured():
    res = resolve_columns(["Reporting starts", "Reporting ends", "Campaign name", "Amount spent (usd)"],
                          get_preset("meta_ads"), "spend")
    assert res.mapping == {"Reporting starts": "date", "Reporting ends": "period_end", "Campaign name": "campaign",
                           "Amount spent (usd)": "cost"}
    assert res.constants == {"currency": "USD", "platform": "Meta Ads", "channel": "paid_social"}
    feedback = resolve_columns(["Id", "Created at", "Subject"], get_preset("zendesk"), "feedback")
    assert feedback.missing_required == []  # source comes from the preset's constants
    assert feedback.constants["source"] == "Support ticket"


def test_file_column_beats_constant():
    res = resolve_columns(["Day", "Campaign", "Cost", "Currency code"], get_preset("google_ads"), "spend")
    assert res.constants == {"platform": "Google Ads", "channel": "paid_search"}
    assert res.mapping["Currency code"] == "currency"


def test_add_derived_joins_splits_and_coalesces():
    raw = pd.DataFrame({
        "Original Traffic Source Drill-Down 1": ["IMPORT", "linkedin_q3", ""],
        "Original Traffic Source Drill-Down 2": ["Messe SPS Nürnberg 2025", None, ""],
        "First Name": ["Anna", "Ben", None], "Last Name": ["Keller", None, None],
    }, dtype=object)
    res = resolve_columns(["Record ID", *raw.columns], get_preset("hubspot_contacts"), "leads")
    out = res.add_derived(raw)
    label = "Original Traffic Source Drill-Down 1 + Original Traffic Source Drill-Down 2"
    assert out[label].tolist() == ["IMPORT | Messe SPS Nürnberg 2025", "linkedin_q3", pd.NA]
    assert out["First Name + Last Name"].tolist() == ["Anna Keller", "Ben", pd.NA]

    ga = pd.DataFrame({"Session source / medium": ["google / organic", "(direct) / (none)", "newsletter"]})
    res = resolve_columns(["Date", "Sessions", "Session default channel group", *ga.columns], get_preset("ga4"),
                          "web_traffic")
    assert res.derived == {"Session source / medium [source]": "source", "Session source / medium [medium]": "medium"}
    out = res.add_derived(ga)
    assert out["Session source / medium [source]"].tolist() == ["google", "(direct)", "newsletter"]
    assert out["Session source / medium [medium]"].tolist() == ["organic", "(none)", pd.NA]

    pd_raw = pd.DataFrame({"Deal - Won time": ["2026-03-01 10:00", None, ""],
                           "Deal - Lost time": [None, "2026-04-02 09:00", ""]}, dtype=object)
    res = resolve_columns(["Deal - ID", "Deal - Value", "Deal - Stage", "Deal - Deal created", *pd_raw.columns],
                          get_preset("pipedrive_deals"), "deals")
    assert res.derived == {"Deal - Won time + Deal - Lost time": "close_date"}
    assert res.add_derived(pd_raw)["Deal - Won time + Deal - Lost time"].tolist() == [
        "2026-03-01 10:00", "2026-04-02 09:00", None]


def test_only_drill_down_1_needs_no_derivation():
    res = resolve_columns(["Record ID", "Create Date", "Original Traffic Source", "Original Traffic Source Drill-Down 1"],
                          get_preset("hubspot_contacts"), "leads")
    assert res.derived == {}
    assert res.mapping["Original Traffic Source Drill-Down 1"] == "source_detail"


def test_trustpilot_text_is_title_plus_content():
    raw = pd.DataFrame({"Review Title": ["Great gearbox", None], "Review Content": ["Runs quietly.", "Late."]})
    res = resolve_columns(["Review Id", "Review Created (UTC)", *raw.columns], get_preset("trustpilot"), "feedback")
    assert res.derived == {"Review Title + Review Content": "text"}
    assert res.add_derived(raw)["Review Title + Review Content"].tolist() == ["Great gearbox\nRuns quietly.", "Late."]


def test_german_values_map_to_canonical_ones():
    tp = get_preset("generic_de").tables
    topics = presets.map_values(pd.Series(["Preis", "MESSE", "Personal", "Neuheit"]),
                                tp["competitor_observations"].value_maps["topic"])
    assert topics.tolist() == ["price", "trade_fair", "hiring", "Neuheit"]
    assert tp["competitor_observations"].value_maps["impact"]["hoch"] == "high"
    assert tp["competitor_prices"].value_maps["price_basis"]["netto"] == "net"
    assert [tp["competitor_prices"].value_maps["price_type"][k] for k in ("listenpreis", "aktion", "angebot")] == [
        "list", "promo", "quote"]
    kanal = presets.map_values(pd.Series(["Messe", "Webinar", "E-Mail", "Partner", "SEO/Content", None]),
                               tp["spend"].value_maps["channel"])
    assert kanal.tolist()[:5] == ["trade_fairs", "webinars", "email", "partners", "organic_search"]


def test_reader_settings_of_the_sample_formats():
    assert get_preset("generic_de").tables["spend"].number_style == "de"
    assert get_preset("generic_de").tables["feedback"].date_formats[:4] == ("%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%y", "excel")
    assert get_preset("linkedin_ads").tables["spend"].date_formats[0] == "%m/%d/%Y"
    assert get_preset("qualtrics").tables["feedback"].extra_header_rows == 2
    assert get_preset("surveymonkey").tables["feedback"].extra_header_rows == 1
    import re
    footer = [re.compile(p, re.I) for p in get_preset("google_ads").tables["spend"].footer_patterns]
    assert any(p.search("Gesamt: Konto") for p in footer)
    assert not any(p.search("Gesamtlösung Kampagne") for p in footer)


def test_unknown_preset_lists_known_ones_and_suggests():
    with pytest.raises(KeyError) as info:
        get_preset("google_adds")
    message = str(info.value)
    assert 'unknown preset "google_adds"; did you mean "google_ads"?' in message
    assert "hubspot_contacts" in message and "generic_de" in message
    assert isinstance(info.value, ParamsError)
    assert get_preset("Google-Ads").name == "google_ads"


def test_header_tokens_hold_plain_spellings_and_overrides():
    tokens = presets.header_tokens(get_preset("meta_ads"), "spend", {"cost": "Spend (EUR)"})
    assert {"campaign name", "kampagnenname", "amount spent", "spend (eur)"} <= tokens
    assert not any(t.startswith("re:") for t in tokens)
    ga = presets.header_tokens(get_preset("ga4"), "web_traffic")
    assert "sitzung – primäre channelgruppe (standard-channelgruppe)" in ga  # as the reader normalises it


def test_preset_definitions_are_consistent():
    for preset in presets.list_presets():
        assert preset.howto and preset.howto_de and preset.title
        for name, tp in preset.tables.items():
            columns = set(schema.table(name).names)
            helpers = {k for k in tp.aliases if k.startswith("_")}
            assert set(tp.aliases) - helpers <= columns, (preset.name, name)
            used = {p for c in tp.combine.values() for p in c.parts}
            assert used <= set(tp.aliases) and helpers <= used, (preset.name, name)
            assert set(tp.combine) | set(tp.constants) | set(tp.value_maps) <= columns, (preset.name, name)
            assert tp.number_style in ("de", "en", "auto")
            assert all(tp.aliases.values())


def test_list_presets_is_sorted_and_complete():
    names = [p.name for p in presets.list_presets()]
    assert names == sorted(presets.PRESETS)
    assert {"hubspot_contacts", "hubspot_deals", "salesforce_leads", "salesforce_opportunities", "pipedrive_deals",
            "google_ads", "linkedin_ads", "meta_ads", "ga4", "zendesk", "freshdesk", "trustpilot", "typeform",
            "qualtrics", "surveymonkey", "journey_export", "generic_de", "generic_en", "dynamics_leads",
            "dynamics_opportunities", "zoho_crm", "linkedin_lead_gen", "datev_costs", "sap_cost_center"} == set(names)
    assert set(get_preset("generic_de").tables) == set(schema.TABLES)


@pytest.mark.parametrize("name, table, cell", [
    ("hubspot_contacts", "leads", "2026-10-05 14:03"),
    ("generic_de", "spend", "05.10.2026"),
    ("generic_de", "feedback", "05.10.26"),
    ("google_ads", "spend", "05.10.2026"),
    ("google_ads", "spend", "Oct 5, 2026"),
    ("linkedin_ads", "spend", "10/5/2026"),
    ("meta_ads", "spend", "2026-10-05"),
    ("ga4", "web_traffic", "20261005"),
    ("salesforce_opportunities", "deals", "05.10.2026"),
    ("surveymonkey", "feedback", "10/05/2026 02:03:00 PM"),
    ("zendesk", "feedback", "2026-10-05T12:00:00Z"),
])
def test_date_formats_read_the_tools_own_dates(name, table, cell):
    from cmo_workbook.inputs import convert

    column = schema.table(table).column(schema.table(table).date_column)
    typed, bad = convert.convert_column(pd.Series([cell], dtype=object), column,
                                        date_formats=get_preset(name).tables[table].date_formats)
    assert bad == []
    assert typed.iloc[0].date() == pd.Timestamp("2026-10-05").date()
