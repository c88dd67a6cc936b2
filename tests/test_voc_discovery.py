"""Acceptance corpus: two months of software-company feedback in which one topic outside the taxonomy
(Outlook calendar sync) grows from 24 to 60 items. The memo must name it in its first screen."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmo_workbook.memos import voice_of_customer as vm
from cmo_workbook.voc import analyse

DATA = Path(__file__).parent / "data"
#: the topic, written by hand in twelve ways (none of its words is in the bundled taxonomy)
OUTLOOK = [
    "Die Synchronisation mit dem Outlook-Kalender legt jeden Termin doppelt an.",
    "Outlook-Kalender zeigt unsere Besprechungen nicht mehr an, seit Dienstag.",
    "Termine aus dem Tool tauchen in Outlook eine Stunde versetzt auf.",
    "Seit dem Update fehlt der Outlook-Kalender komplett in der Synchronisation.",
    "Outlook sync creates duplicate meetings for the whole team.",
    "Our Outlook calendar no longer shows the events from the tool.",
    "Meetings synced to Outlook show the wrong time zone.",
    "Die Outlook-Synchronisation hängt und Termine gehen verloren.",
    "Outlook calendar sync stopped working after the last release.",
    "Outlook zeigt gelöschte Termine weiterhin an, das verwirrt alle.",
    "Every event appears twice in Outlook since the calendar sync change.",
    "Wir bekommen Outlook-Einladungen für Termine, die längst abgesagt sind.",
]


def make_corpus(n_background: int = 400, n_prev: int = 24, n_now: int = 60, seed: int = 11) -> pd.DataFrame:
    """2026-09 and 2026-10: the same background mix each month plus the Outlook topic."""
    rng = np.random.default_rng(seed)
    bg = pd.read_csv(DATA / "voc_eval_software.csv", dtype=str, keep_default_na=False)["text"]
    bg = bg.loc[~bg.str.contains("outlook", case=False)].tolist()
    rows = []
    for month, k in (("2026-09", n_prev), ("2026-10", n_now)):
        texts = [str(t) for t in rng.choice(bg, n_background)] + [OUTLOOK[i % len(OUTLOOK)] for i in range(k)]
        for i, text in enumerate(texts):
            rows.append({"feedback_id": f"{month}-{i:04d}", "date": pd.Timestamp(f"{month}-{1 + i % 28:02d}"),
                         "source": "Support-Ticket", "text": text + (" Danke @kalender_anna." if i % 7 == 0 else "")})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    return analyse(make_corpus(), month="2026-10")


def test_the_doubled_topic_is_found_with_its_exact_counts(result):
    topic = result.topics.iloc[0]
    assert "Outlook" in topic["label"] and topic["flag"] in ("rising", "new")
    # hand count: 60 of 460 items this month, 24 of 424 in the previous (= only baseline) month
    assert (topic["n"], topic["n_prev"], topic["n_baseline"]) == (60, 24, 24)
    assert topic["share"] == pytest.approx(60 / 460) and topic["share_baseline"] == pytest.approx(24 / 424)
    assert topic["q_value"] < 0.01
    # only months with data are the baseline, and the memo says which are missing
    assert result.baseline_months == ["2026-09"] and result.missing_months == ["2026-07", "2026-08"]
    # the months without data in words (the memo is read by the CEO), not ISO keys
    assert any("Jul 2026 – Aug 2026" in c for c in result.caveats) and not any("2026-07" in c for c in result.caveats)


def test_memo_names_it_in_its_first_screen(result):
    for lang, mark, words in (("de", "neu: Outlook", "60 Nennungen"), ("en", "new: Outlook", "60 mentions")):
        first_screen = vm.key_messages(result, lang) + [vm.coverage_message(result, lang)]
        text = " ".join(first_screen)
        assert mark in text and words in text
        assert ("Vormonat 24" if lang == "de" else "previous month 24") in text
        _, quotes = vm.topic_quote_rows(result, lang)
        assert len(quotes) == 2 and all("Outlook" in q[0] for q in quotes)
        assert not any("@kalender_anna" in q[0] for q in quotes)  # handles are pseudonymised
        assert "kein Thema steigt" not in text and "keine neue Baustelle" not in text


def test_partial_coverage_is_said_and_the_topic_leads(result):
    assert result.coverage < 0.5 and result.partial
    messages = vm.key_messages(result, "de")
    assert messages[0].startswith("neu: Outlook")
    assert "das Bild ist unvollständig" in vm.coverage_message(result, "de")
    acts = vm.actions(result, __import__("cmo_workbook.periods", fromlist=["Period"]).Period.parse("2026-10"), "de")
    assert acts[0].action.startswith("Neues Thema „Outlook")


def test_no_nps_block_without_scores(result):
    header, rows = vm.kpi_strip(result, "de")
    assert not [r for r in rows if r[0].startswith("NPS")]
    assert not [m for m in vm.key_messages(result, "de") if m.startswith("NPS")]
    wide_header, _, text = vm.kpi_strip_wide(result, "de")
    assert "NPS" not in " ".join(wide_header) and "0 / 0 / 0" not in text


def test_stationary_corpus_has_no_topic():
    res = analyse(make_corpus(n_prev=30, n_now=30), month="2026-10")
    assert res.topics.empty
    assert not res.themes["flag"].ne("stable").any()


def test_first_screen_passes_the_strict_so_what_check(result):
    from cmo_workbook.render import jargon

    for lang in ("de", "en"):
        for text in vm.key_messages(result, lang) + [vm.coverage_message(result, lang)]:
            assert jargon.check_text(text, lang, block="bullets") == [], text
