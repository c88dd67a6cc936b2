"""Memo narrative rules of cmo_workbook.memos.voice_of_customer on a hand-made analysis result."""
from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from cmo_workbook.render.blocks import Table
from cmo_workbook.periods import Period
from cmo_workbook.memos import voice_of_customer as vm


def _themes() -> pd.DataFrame:
    rows = [
        # theme, label, owner, signal, n, share, share_base, delta_pp, flag, net, nps_impact, nps_n
        ("delivery_delay", "Lieferverzögerungen", "operations", "complaint", 30, 0.30, 0.10, 20.0, "rising", -0.8, -12.0, 25),
        ("praise_support", "Lob für Support", "service", "praise", 10, 0.10, 0.20, -10.0, "falling", 0.9, 5.0, 4),
        ("portal", "Portal", "service", "complaint", 6, 0.06, 0.0, 6.0, "new", -0.5, math.nan, 0),
        ("price", "Preis", "sales", "price_signal", 8, 0.08, 0.09, -1.0, "stable", 0.0, -1.0, 3),
    ]
    cols = ["theme", "label", "owner", "signal_type", "n", "share", "share_baseline", "delta_pp", "flag",
            "net_sentiment", "nps_impact", "nps_n"]
    return pd.DataFrame(rows, columns=cols)


def _result(quotes: pd.DataFrame | None = None) -> SimpleNamespace:
    kpis = pd.DataFrame([
        ("volume", 100, 90, 80, 100, 90, 240), ("volume:Support-Ticket", 60, 50, 50, 100, 90, 240),
        ("volume:NPS-Umfrage", 40, 40, 30, 100, 90, 240), ("complaint_share", 0.5, 0.4, 0.3, 100, 90, 240),
        ("feature_request_share", 0.1, 0.1, 0.1, 100, 90, 240), ("price_mention_share", 0.08, 0.1, 0.09, 100, 90, 240),
        ("nps", 10.0, 20.0, 30.0, 40, 40, 90), ("nps_promoters", 14, 16, 15, 40, 40, 90),
        ("nps_passives", 12, 12, 12, 40, 40, 90), ("nps_detractors", 14, 12, 3, 40, 40, 90),
    ], columns=["metric", "current", "previous", "baseline", "n_current", "n_previous", "n_baseline"])
    recs = pd.DataFrame([
        ("rising_complaint", "delivery_delay", "Lieferverzögerungen", "operations", "Lieferverzögerungen steigen", 30, 0.3, 20.0),
        ("candidate_theme", "C1", "ersatzteilportal", "marketing", "Neues Thema ohne Taxonomie-Eintrag", 6, math.nan, math.nan),
        ("frequent_question", "price", "Preis", "marketing", "Häufige Fragen zu Preis", 8, 0.08, -1.0),
    ], columns=["rule", "theme", "label", "owner", "action", "n", "share", "delta_pp"])
    items = pd.DataFrame({"month": ["2026-10"] * 3 + ["2026-09"], "feedback_id": ["1", "2", "3", "4"],
                          "text": ["Wir erwarten eine Antwort innerhalb von 24 Stunden.", "Bitte Rabatt, Wettbewerb ist günstiger.",
                                   "within one business day please", "x"],
                          "signals": [("service_expectation",), ("price_signal",), ("service_expectation",), ()]})
    return SimpleNamespace(month="2026-10", baseline_months=["2026-07", "2026-08", "2026-09"], kpis=kpis,
                           themes=_themes(), recommendations=recs, items=items, coverage=0.8, taxonomy_version="t-1",
                           caveats=[], candidates=pd.DataFrame({"example_ids": [("3",)]}),
                           quotes=quotes if quotes is not None else pd.DataFrame(
                               columns=["theme", "rank", "feedback_id", "date", "source", "language", "text"]))


def test_change_phrase_rules():
    assert vm.change_phrase(0.30, 0.10, "de") == "verdreifacht"
    assert vm.change_phrase(0.237, 0.102, "de") == "mehr als verdoppelt"
    assert vm.change_phrase(0.28, 0.10, "en") == "almost tripled"
    assert vm.change_phrase(0.15, 0.10, "de") == "+50\u00a0%"
    assert vm.change_phrase(0.05, 0.0, "en") == "new"


def test_key_messages_lead_with_the_rising_complaint_theme_numbers_first():
    msgs = vm.key_messages(_result(), "de")
    assert len(msgs) == 3
    assert msgs[0].startswith("30\u00a0% aller Rückmeldungen (30 von 100) betreffen Lieferverzögerungen")
    assert "verdreifacht" in msgs[0] and "12 NPS-Punkte" in msgs[0]
    assert msgs[1].startswith("NPS +10 (40 Antworten: 14 Promotoren, 14 Kritiker)")
    # the next flagged theme by |Δ pp|: praise falling (−10) beats the new portal (+6)
    assert msgs[2].startswith("10\u00a0% der Rückmeldungen: Lob für Support") and "Warnsignal" in msgs[2]
    assert vm.chart_title(_result(), "en") == "Lieferverzögerungen: share tripled"


def test_themes_table_flags_and_numbers():
    header, rows = vm.themes_table(_result(), "de")
    assert len(header) == 6
    assert [r[-1] for r in rows] == ["▲", "▼", "neu", "–"]
    first = rows[0]
    assert first[:3] == ["Lieferverzögerungen", "30\u00a0% (30)", "+20,0\u00a0Prozentpunkte"] and first[4] == "−12,0"


def test_kpi_strip_has_n_previous_and_baseline():
    header, rows = vm.kpi_strip(_result(), "en")
    assert header[2:] == ["Previous month", "avg Jul–Sept", "n"]
    assert rows[0] == ["Feedback items", "100", "90", "80", "100"]
    assert rows[1][1:4] == ["60 · 40", "50 · 40", "50 · 30"]
    nps = rows[-1]
    assert nps[0].endswith("14 / 12 / 14)") and nps[1:] == ["+10", "+20", "+30", "40"]


def test_actions_skip_candidates_with_owner_due_effect():
    acts = vm.actions(_result(), Period.parse("2026-10"), "de")
    assert [a.action for a in acts] == ["Lieferverzögerungen steigen", "Häufige Fragen zu Preis"]
    assert acts[0].owner == "Leitung Operations/Logistik" and acts[0].due == "15.11.2026"
    assert acts[1].due == "30.11.2026"
    assert "zurück auf 10\u00a0%" in acts[0].effect and "12 NPS-Punkte" in acts[0].effect


def test_expectations_count_deadlines_and_discount_requests():
    price, service = vm.expectations(_result(), "de")
    assert "1× Rabattwunsch, 1× Wettbewerbsvergleich" in price
    assert "24 h (1×)" in service and "1 WT (1×)" in service


def test_quotes_escape_html_and_skip_candidate_items():
    quotes = pd.DataFrame([
        ("delivery_delay", 1, "1", pd.Timestamp("2026-10-05"), "Bewertung", "de",
         "Lieferung zu spät <script>alert(1)</script> und <img src=x onerror=alert(1)> wieder mal."),
        ("delivery_delay", 2, "3", pd.Timestamp("2026-10-06"), "Bewertung", "de", "Kandidat " * 10),
    ], columns=["theme", "rank", "feedback_id", "date", "source", "language", "text"])
    res = _result(quotes)
    header, rows = vm.quote_rows(res, "de", themes=["delivery_delay"], exclude_ids=vm.candidate_ids(res))
    assert len(rows) == 1 and rows[0][0] == "Lieferverzögerungen"
    html = Table(header, rows).html()
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_footer_states_basis_coverage_taxonomy_and_small_n():
    lines = vm.footer_lines(_result(), "de")
    text = " ".join(lines)
    assert "100 Rückmeldungen" in text and "Ø Jul–Sep (240)" in text and "Themenabdeckung 80\u00a0%" in text
    assert "Taxonomie t-1" in text and "NPS aus 40 Antworten" in text
    assert "NPS-Wirkung von 2 Themen beruht auf höchstens 4 Antworten je Thema; nur Tendenz." in text
    assert "≤ 5 % Fehlalarme" in text  # the flags are FDR-controlled and say so


def test_settings_take_the_taxonomy_path_from_params(tmp_path: Path):
    import yaml

    from cmo_workbook.inputs.params import load_params

    root = Path(__file__).resolve().parents[1]
    raw = yaml.safe_load((root / "params" / "example.yaml").read_text("utf-8"))
    raw["data"] = {"dir": str(root / "data" / "sample"), "feedback": raw["data"]["feedback"]}
    raw.pop("goals", None)
    raw["voc"] = {"taxonomy": "tax/my.yaml"}
    raw["memo"]["allow_customer_names"] = True
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    cfg = vm.settings(load_params(tmp_path / "p.yaml", check_files=False))
    assert cfg == {"taxonomy": (tmp_path / "tax" / "my.yaml").resolve(), "allow_names": True}
    raw.pop("voc")
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert vm.settings(load_params(tmp_path / "p.yaml", check_files=False))["taxonomy"] == vm.DEFAULT_TAXONOMY


def test_english_multi_word_term_before_a_head_noun_is_a_modifier():
    from cmo_workbook.voc import load_taxonomy, match_themes, tokenize

    tax = load_taxonomy()
    texts = ["Cannot log in to the new spare parts portal.", "The spare parts for the KS-90 are missing.",
             "Das Ersatzteilportal zeigt keine Preise."]
    found = match_themes([tokenize(t) for t in texts], tax)
    assert "spare_parts" not in found[0] and "spare_parts" in found[1] and "spare_parts" not in found[2]


def test_nps_cost_is_only_claimed_with_enough_answers():
    res = _result()
    res.themes.loc[res.themes["theme"] == "delivery_delay", "nps_n"] = vm.MIN_NPS_N_HEADLINE - 1
    msgs = vm.key_messages(res, "de")
    assert "Lieferverzögerungen" in msgs[0] and "NPS-Punkte" not in msgs[0]


def test_action_deadlines_never_lie_in_the_past_of_a_late_memo():
    from datetime import date

    from cmo_workbook.periods import Period

    res = _result()
    on_time = vm.actions(res, Period.parse("2026-10"), "de")
    late = vm.actions(res, Period.parse("2026-10"), "de", today=date(2026, 11, 25))
    assert on_time[0].due == "15.11.2026"  # urgent: two weeks after the month
    assert late[0].due == "09.12.2026"  # two weeks after the memo was generated
