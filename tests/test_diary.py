"""Marketing diary: parsing, clear errors for malformed entries, quarter summary against hand-made data."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cmo_workbook.inputs import diary
from cmo_workbook.errors import DataError
from cmo_workbook.periods import Period
from cmo_workbook.sample.diary import write_diary

GOOD = """---
week: 2026-W36
author: Marketingleitung
tags: [webinar, lieferzeit]
kpi: [qualified_leads]
---
# KW 36
## Umgesetzt
- Webinar „Getriebe richtig dimensionieren“ durchgeführt
- Newsletter verschickt,
  mit Rückblick
## Rückmeldungen
- Vertrieb meldet Lieferverzögerungen bei Servogetrieben
## Gelernt
- Lieferverzögerungen überlagern jede Kampagne
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def test_parses_front_matter_sections_and_wrapped_bullets(tmp_path):
    write(tmp_path, "2026-W36.md", GOOD)
    write(tmp_path, "README.md", "how to write the diary")
    df = diary.load_diary(tmp_path, ["qualified_leads"])
    row = df.iloc[0]
    assert len(df) == 1
    assert (row.week, row.author, row.tags, row.kpi) == ("2026-W36", "Marketingleitung", ["webinar", "lieferzeit"],
                                                        ["qualified_leads"])
    assert row.week_start == pd.Timestamp("2026-08-31")  # Monday of ISO week 36
    assert row.month == pd.Period("2026-09", "M")        # its Thursday is 3 Sep
    assert row.done == ["Webinar „Getriebe richtig dimensionieren“ durchgeführt", "Newsletter verschickt, mit Rückblick"]
    assert row.feedback == ["Vertrieb meldet Lieferverzögerungen bei Servogetrieben"]


def test_english_headings_are_accepted(tmp_path):
    text = GOOD.replace("## Umgesetzt", "## Done").replace("## Rückmeldungen", "## Feedback").replace("## Gelernt", "## Learned")
    write(tmp_path, "2026-W36.md", text)
    assert diary.load_diary(tmp_path).iloc[0].learned == ["Lieferverzögerungen überlagern jede Kampagne"]


@pytest.mark.parametrize("name,text,expected", [
    ("2026-W36.md", GOOD.replace("## Gelernt", "## Gelerntes"), ["2026-W36.md", "row 14", "unknown section heading", "## Gelernt"]),
    ("2026-W37.md", GOOD, ["2026-W37.md", "row 2", "does not match 'week: 2026-W36'", "rename the file to 2026-W36.md"]),
    ("2026-W36.md", GOOD.split("---", 2)[2], ["2026-W36.md", "row 1", "has no front matter", "'---'"]),
    ("2026-W36.md", GOOD.replace("week: 2026-W36", "week: 2026-36"), ["row 2", "not an ISO week", "YYYY-Www"]),
    ("2026-W36.md", GOOD.replace("kpi: [qualified_leads]", "kpi: [qualified_lead]"),
     ["row 5", "not a metric", 'did you mean "qualified_leads"']),
    ("2026-W36.md", GOOD.replace("author:", "autor:"), ["unknown front-matter key 'autor'", 'did you mean "author"']),
    ("Woche36.md", GOOD, ["Woche36.md", "not an ISO week", "YYYY-Www.md"]),
])
def test_malformed_entry_raises_a_clear_error(tmp_path, name, text, expected):
    write(tmp_path, name, text)
    with pytest.raises(DataError) as exc:
        diary.load_diary(tmp_path, ["qualified_leads"])
    for part in expected:
        assert part in str(exc.value)


def test_all_malformed_files_are_reported_at_once(tmp_path):
    write(tmp_path, "2026-W36.md", GOOD.replace("## Umgesetzt", "## Gemacht"))
    write(tmp_path, "2026-W37.md", GOOD)
    with pytest.raises(DataError) as exc:
        diary.load_diary(tmp_path)
    assert len(exc.value.problems) == 2


def test_missing_folder_names_the_params_key(tmp_path):
    with pytest.raises(DataError, match="diary.dir"):
        diary.load_diary(tmp_path / "nope")


def test_render_entry_round_trips(tmp_path):
    text = diary.render_entry("2026-W40", "Marketing", ["a"], ["b"], ["c"], tags=["messe"], kpi=["sql"])
    write(tmp_path, "2026-W40.md", text)
    row = diary.load_diary(tmp_path, ["sql"]).iloc[0]
    assert (row.done, row.feedback, row.learned, row.tags, row.kpi) == (["a"], ["b"], ["c"], ["messe"], ["sql"])


def test_weeks_of_a_quarter_follow_the_thursday_rule():
    weeks = diary.weeks_of(Period.parse("2026-Q3"))
    assert (len(weeks), weeks[0], weeks[-1]) == (13, "2026-W27", "2026-W39")


def frame(rows):
    recs = []
    for week, tags, kpi, learned in rows:
        start = diary.parse_week(week)
        recs.append({"week": week, "week_start": pd.Timestamp(start), "month": diary.week_month(start), "author": "M",
                     "tags": tags, "kpi": kpi, "done": [f"done {week}"], "feedback": ["fb " + " ".join(tags)] if tags else [],
                     "learned": learned, "file": ""})
    return pd.DataFrame(recs, columns=diary.COLUMNS)


def test_quarter_summary_themes_and_what_worked_against_hand_made_numbers():
    entries = frame([
        ("2026-W28", ["webinar"], ["qualified_leads"], ["Praxisthemen ziehen"]),          # July
        ("2026-W29", ["webinar", "seo"], [], ["Webinare mit Beispiel wirken"]),           # July
        ("2026-W36", ["lieferzeit"], ["cost_per_qualified_lead"], ["Liefertermine klären"]),  # September
        ("2026-W40", ["webinar"], ["qualified_leads"], ["nicht im Quartal"]),             # October: outside Q3
    ])
    months = pd.period_range("2025-07", "2026-09", freq="M")
    monthly = pd.DataFrame({"qualified_leads": 100.0, "cost_per_qualified_lead": 500.0}, index=months)
    monthly.loc[pd.Period("2026-07", "M"), "qualified_leads"] = 130.0          # +30 % vs July 2025
    monthly.loc[pd.Period("2026-09", "M"), "cost_per_qualified_lead"] = 480.0  # -4 %: below the 5 % bar
    s = diary.quarter_summary(entries, Period.parse("2026-Q3"), monthly)
    assert (s.entries, s.weeks) == (3, 13)
    assert s.tag_weeks == {"webinar": 2, "seo": 1, "lieferzeit": 1}
    assert [t.label for t in s.themes if t.source == "tag"] == ["webinar"]          # only tags in >= 2 weeks
    assert s.themes[0].example == "Webinare mit Beispiel wirken"                     # the learning naming the tag
    assert len(s.worked) == 1
    w = s.worked[0]
    assert (w.week, w.kpi, w.value, w.reference) == ("2026-W28", "qualified_leads", 130.0, 100.0)
    assert w.change == pytest.approx(0.3)
    monthly.loc[pd.Period("2026-09", "M"), "cost_per_qualified_lead"] = 450.0  # -10 %: lower cost is a success
    s = diary.quarter_summary(entries, Period.parse("2026-Q3"), monthly)
    assert {(w.week, w.kpi) for w in s.worked} == {("2026-W28", "qualified_leads"), ("2026-W36", "cost_per_qualified_lead")}
    bullets = diary.summary_bullets(s, "de")
    assert bullets[0].startswith("Hat gewirkt (2026-W28): done 2026-W28 – qualified_leads im Juli 2026 +30\u00a0% ggü. Vorjahresmonat")


def test_sample_diary_is_deterministic_loads_cleanly_and_mentions_the_planted_events(tmp_path):
    a = write_diary(tmp_path / "a")
    b = write_diary(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    from cmo_workbook.metrics.monthly import METRICS
    df = diary.load_diary(tmp_path / "a", METRICS)
    assert 85 <= len(df) <= 100  # about one entry a week over 24 months, holidays without
    text = lambda month: " ".join(" ".join(r.done + r.feedback + r.learned) for r in df[df["month"] == pd.Period(month, "M")].itertuples())
    assert "Lieferverzögerungen" in text("2026-09") and "Lieferverzögerungen" in text("2026-10")
    assert "Lieferverzögerungen" not in text("2026-06")
    assert "Hartmann" in text("2026-09")
    assert "SPS 2025" in text("2025-11") and "Hannover Messe 2026" in text("2026-04")
    assert "LinkedIn wird teurer" in text("2026-07")
