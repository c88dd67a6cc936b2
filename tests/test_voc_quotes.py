from __future__ import annotations

import pandas as pd

from cmo_workbook.voc.quotes import select_quotes, trim


def test_trim_at_sentence_then_word_boundary():
    text = "Erster Satz ist hier nun wirklich zu Ende. " + "Zweiter Satz " * 20
    out = trim(text, 60)
    assert out == "Erster Satz ist hier nun wirklich zu Ende. …"
    # a sentence end in the first half is too early: cut at the last word instead
    assert trim("Kurz. " + "Zweiter Satz " * 20, 60) == "Kurz. " + "Zweiter Satz " * 3 + "Zweiter Satz…"
    long_word_text = "wort " * 50
    out = trim(long_word_text, 60)
    assert out.endswith("…") and len(out) <= 60 and not out[:-1].endswith(" ") and "wor…" not in out
    assert trim("kurz", 60) == "kurz"


def _items(texts, dates):
    return pd.DataFrame({
        "feedback_id": [f"F{i}" for i in range(len(texts))], "date": pd.to_datetime(dates), "source": "ticket",
        "language": "de", "text": texts, "themes": [("delivery_delay",)] * len(texts),
        "signals": [("complaint",)] * len(texts)})


def test_quotes_dedup_length_recency():
    base = "Die Lieferung für Auftrag 4711 kam wieder zwei Wochen zu spät, die Montage stand still."
    texts = [base, base.upper(), base.replace("4711", "4712"), "Zu kurz.",
             "Liefertermin erneut verschoben, bitte endlich verbindliche Termine nennen, sonst wechseln wir.",
             "Noch eine Verzögerung beim Servoantrieb, unsere Kunden warten seit Wochen auf die Anlage. " * 4,
             "<script>alert(1)</script> Lieferverzögerung ohne Vorwarnung, das ist so nicht akzeptabel."]
    dates = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-30", "2026-10-04", "2026-10-05", "2026-10-06"]
    out = select_quotes(_items(texts, dates), ["delivery_delay"], per_theme=3)
    assert out["feedback_id"].tolist() == ["F6", "F5", "F4"]  # newest first; F3 too short
    assert all(60 <= len(t) <= 200 for t in out["text"])
    assert out["text"].iloc[0].startswith("<script>")  # plain text: the memo renderer escapes it
    assert out["text"].iloc[1].endswith("…")
    more = select_quotes(_items(texts[:3], dates[:3]), ["delivery_delay"], per_theme=3)
    assert more["feedback_id"].tolist() == ["F2"]  # F0/F1 are near-duplicates of F2
