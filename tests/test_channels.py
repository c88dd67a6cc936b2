"""Channel rules: GA4 default channel group, CRM source -> channel key, labels."""
from __future__ import annotations

import pandas as pd
import pytest

from cmo_workbook.inputs import channels
from cmo_workbook.inputs.channels import ChannelRules, assign_channels, ga4_channel, rules_from_params
from cmo_workbook.errors import ParamsError

# One minimal (source, medium, campaign) per GA4 rule, in the rule order of channel_rules.yaml.
GA4_RULE_HITS = [
    (("(direct)", "(none)", ""), "Direct"),
    (("(direct)", "(not set)", ""), "Direct"),
    (("google", "cpc", "pmax_cross-network_de"), "Cross-network"),
    (("google shopping", "cpc", ""), "Paid Shopping"),
    (("newsletter", "paid", "summer_shop"), "Paid Shopping"),
    (("google", "cpc", ""), "Paid Search"),
    (("linkedin", "paid_social", ""), "Paid Social"),
    (("youtube", "cpv", ""), "Paid Video"),
    (("example.com", "banner", ""), "Display"),
    (("example.com", "ppc", ""), "Paid Other"),
    (("amazon", "referral", ""), "Organic Shopping"),
    (("xing.com", "referral", ""), "Organic Social"),
    (("newsletter", "social", ""), "Organic Social"),
    (("vimeo.com", "referral", ""), "Organic Video"),
    (("example.com", "product-video", ""), "Organic Video"),
    (("google", "organic", ""), "Organic Search"),
    (("ecosia.org", "referral", ""), "Organic Search"),
    (("partner-site", "organic", ""), "Organic Search"),
    (("newsletter", "email", ""), "Email"),
    (("e-mail", "(none)", ""), "Email"),
    (("awin", "affiliate", ""), "Affiliates"),
    (("vdma.org", "referral", ""), "Referral"),
    (("podcast-xy", "audio", ""), "Audio"),
    (("sms", "text", ""), "SMS"),
    (("app", "web-push", ""), "Mobile Push Notifications"),
    (("firebase", "(none)", ""), "Mobile Push Notifications"),
    (("foo", "bar", ""), "Unassigned"),
]


@pytest.mark.parametrize("args, expected", GA4_RULE_HITS, ids=[f"{e}-{a[0]}/{a[1]}" for a, e in GA4_RULE_HITS])
def test_each_ga4_rule(args, expected):
    assert ga4_channel(*args) == expected


@pytest.mark.parametrize("args, expected", [
    (("(direct)", "(none)", "cross-network"), "Direct"),        # Direct before Cross-network
    (("google", "cpc", "cross-network"), "Cross-network"),      # Cross-network before Paid Search
    (("amazon", "cpc", ""), "Paid Shopping"),                   # Paid Shopping before Paid Other
    (("facebook", "cpm", ""), "Paid Social"),                   # cpm is paid; Paid Social before Display
    (("example.com", "cpm", ""), "Display"),                    # Display before Paid Other
    (("example.com", "cpc", "workshop_2025"), "Paid Other"),    # "workshop" is not a shop campaign
    (("youtube.com", "referral", ""), "Organic Video"),         # Organic Video before Referral
    (("linkedin", "email", ""), "Organic Social"),              # Organic Social before Email
    (("email", "referral", ""), "Email"),                       # our order: Email before Referral
    (("www.google.de", "referral", ""), "Organic Search"),      # country domain and subdomain of a listed site
    (("Google", "CPC", ""), "Paid Search"),                     # case-insensitive
    (("", "", ""), "Direct"),                                   # empty source and medium
    (("googlex.com", "referral", ""), "Referral"),              # not a listed site
])
def test_ga4_rule_order(args, expected):
    assert ga4_channel(*args) == expected


def test_ga4_channels_matches_the_scalar_function_per_row():
    df = pd.DataFrame({"source": ["google", "google", "linkedin.com", None], "medium": ["cpc", "organic", "referral", None]},
                      index=[10, 11, 12, 13])
    out = channels.ga4_channels(df)
    assert out.tolist() == ["Paid Search", "Organic Search", "Organic Social", "Direct"]
    assert list(out.index) == [10, 11, 12, 13]


# HubSpot "Original Traffic Source" values and drill-downs as docs/sample-data.md describes them.
HUBSPOT = [
    ("Organic search", "", "", "organic_search"),
    ("Paid search", "gads_servo_de", "", "paid_search"),
    ("Paid social", "linkedin_awareness_q3", "", "linkedin"),
    ("Paid social", "facebook_retargeting", "", "paid_social"),
    ("Email marketing", "newsletter_2026_10", "", "email"),
    ("Offline sources", "IMPORT", "Messe SPS Nürnberg 2025", "trade_fairs"),
    ("Offline sources", "IMPORT", "Partner: Müller Antriebe", "partners"),
    ("Offline sources", "CRM_UI", "Outbound Q3 Maschinenbau", "sales_outbound"),
    ("Offline sources", "IMPORT", "", "other"),
    ("Referrals", "partnerportal.kessler.de", "", "partners"),
    ("Referrals", "www.vdma.org", "", "referral"),
    ("Direct traffic", "", "", "direct"),
    ("Other campaigns", "webinar_servo_2026", "", "webinars"),
    ("Other campaigns", "print_flyer", "", "other"),
    ("Organic social", "linkedin", "", "organic_social"),
    ("PAID_SOCIAL", "LinkedIn_Leadgen", "", "linkedin"),
]


def test_hubspot_sources_and_drill_downs():
    df = pd.DataFrame(HUBSPOT, columns=["source_raw", "dd1", "dd2", "expected"])
    out = assign_channels(df, ChannelRules.default(), detail_cols=("dd1", "dd2"))
    assert out.tolist() == df["expected"].tolist()


def test_hubspot_drill_downs_combined_by_the_preset():
    rules = ChannelRules.default()
    assert rules.channel_for(source_raw="Offline sources", source_detail="IMPORT | Messe SPS Nürnberg 2025") == "trade_fairs"
    df = pd.DataFrame({"source_raw": ["Offline sources"], "source_detail": ["IMPORT | Messe SPS Nürnberg 2025"]})
    assert assign_channels(df, rules).tolist() == ["trade_fairs"]


@pytest.mark.parametrize("source, expected", [
    ("Web", "direct"), ("Trade Show", "trade_fairs"), ("Partner Referral", "partners"),
    ("Purchased List", "sales_outbound"), ("Phone Inquiry", "direct"), ("Advertisement", "paid_other"),
    ("Employee Referral", "referral"), ("Other", "other"),
    ("Messe", "trade_fairs"), ("Webseite", "direct"), ("Website", "direct"), ("Empfehlung", "referral"),
    ("Partner", "partners"), ("Kaltakquise", "sales_outbound"), ("Newsletter", "email"), ("Webinar", "webinars"),
    ("Google Ads", "paid_search"), ("LinkedIn", "linkedin"), ("LinkedIn Ads", "linkedin"), ("Meta Ads", "paid_social"),
    ("SEO/Content", "organic_search"), ("E-Mail", "email"),
    ("Fax", "other"),
])
def test_salesforce_and_german_sources(source, expected):
    assert ChannelRules.default().channel_for(source_raw=source) == expected
    assert assign_channels(pd.DataFrame({"source_raw": [source]}), ChannelRules.default()).tolist() == [expected]


def test_params_rules_take_precedence_over_shipped_ones():
    rules = rules_from_params({"rules": [{"channel": "events", "when": {"source_raw": "^offline", "source_detail": "messe"}}]})
    df = pd.DataFrame({"source_raw": ["Offline sources", "Offline sources"],
                       "source_detail": ["IMPORT | Messe SPS", "IMPORT | Partner: X"]})
    assert assign_channels(df, rules).tolist() == ["events", "partners"]
    only = rules_from_params({"rules": [{"channel": "events", "when": {"source_raw": "^offline"}}],
                              "use_default_rules": False})
    assert assign_channels(pd.DataFrame({"source_raw": ["Offline sources", "Organic search"]}), only).tolist() == [
        "events", "other"]
    assert rules_from_params(None).rules == ChannelRules.default().rules


def test_all_given_fields_must_match():
    rules = ChannelRules.from_config([{"channel": "trade_fairs", "when": {"source_raw": "offline", "campaign": "sps"}}])
    df = pd.DataFrame({"source_raw": ["OFFLINE", "Offline", "Organic"], "campaign": ["SPS 2025", "Hannover", "sps"]})
    assert assign_channels(df, rules).tolist() == ["trade_fairs", "other", "other"]


def test_missing_values_and_index_are_kept_aligned():
    df = pd.DataFrame({"source_raw": [None, "Organic search", pd.NA]}, index=[7, 3, 9])
    out = assign_channels(df, ChannelRules.default())
    assert out.tolist() == ["other", "organic_search", "other"]
    assert list(out.index) == [7, 3, 9] and str(out.dtype) == "string"
    assert assign_channels(df.iloc[:0], ChannelRules.default()).tolist() == []


def test_absent_canonical_column_counts_as_empty_but_a_typo_is_an_error():
    rules = ChannelRules.from_config([{"channel": "webinars", "when": {"campaign": "webinar"}}])
    assert assign_channels(pd.DataFrame({"source_raw": ["x"]}), rules).tolist() == ["other"]
    typo = ChannelRules.from_config([{"channel": "webinars", "when": {"campagne": "webinar"}}])
    with pytest.raises(ParamsError, match=r"channels.rules\[0\]: column 'campagne' is not in the data"):
        assign_channels(pd.DataFrame({"source_raw": ["x"]}), typo)


@pytest.mark.parametrize("rule, message", [
    ({"channel": "x", "when": {"source_raw": "messe("}},
     r'channels.rules\[0\].when.source_raw: "messe\(" is not a valid regular expression'),
    ({"channel": "x"}, r"channels.rules\[0\]: when must map column names to regular expressions"),
    ({"channel": "", "when": {"source_raw": "a"}}, r"channels.rules\[0\]: channel must be a channel key"),
    ({"channel": "x", "if": {"source_raw": "a"}}, r"channels.rules\[0\]: unknown key 'if'"),
    ({"channel": "x", "when": {"source_raw": 5}}, r"channels.rules\[0\].when.source_raw: expected a regular expression"),
])
def test_malformed_rules_are_named(rule, message):
    with pytest.raises(ParamsError, match=message):
        ChannelRules.from_config([rule])


def test_labels_and_marketing_default():
    from cmo_workbook.render.wording import channel_label

    assert channel_label("trade_fairs", "de") == "Messen"
    assert channel_label("trade_fairs", "en") == "Trade fairs"
    assert channel_label("sales_outbound", "de") == "Vertrieb (Outbound)"
    assert channel_label("field_events", "en") == "Field Events"  # a company's own channel: its key, readable
    assert "sales_outbound" not in channels.MARKETING_CHANNELS_DEFAULT
    assert {"trade_fairs", "linkedin", "referral", "other", "direct"} <= set(channels.MARKETING_CHANNELS_DEFAULT)


def test_every_shipped_crm_channel_has_labels():
    """Every channel the shipped rules can assign is a known key with a name in each complete catalogue."""
    from cmo_workbook.render import i18n

    shipped = {r.channel for r in ChannelRules.default().rules} | {ChannelRules.default().fallback}
    assert shipped <= set(channels.CHANNEL_KEYS)
    for lang in i18n.COMPLETE:
        messages = i18n.catalogue(lang).messages
        assert [k for k in channels.CHANNEL_KEYS if f"channel_{k}" not in messages] == [], lang
