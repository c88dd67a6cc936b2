"""The sample company's marketing diary: about one German entry per ISO week, written from its event calendar.

Entries mention what really happens in the sample data (SPS and Hannover fairs, the webinar series,
LinkedIn getting expensive, the delivery-delay feedback from sales in the last two months, the
Hartmann price cut, the new spare-parts portal), so the quarterly memos can link them to KPI moves.
Everything is placed relative to the reference date, like the other planted effects.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs.diary import render_entry, week_label
from .common import MARKETING_TEAM, REFERENCE_DATE, SEED, Window, choice
from .events import fairs, webinars

# Routine work for weeks without an event: (tags, kpi, done, feedback, learned).
_ROUTINE = (
    (["seo", "content"], ["qualified_leads_web"],
     "Fachartikel „{topic}“ veröffentlicht und intern verlinkt",
     "Vertrieb nutzt den Artikel als Antwort auf Kundenanfragen",
     "Praxisnahe Auslegungsthemen bringen mehr Website-Anfragen als Produktseiten"),
    (["newsletter"], ["qualified_leads"],
     "Newsletter an Bestandskunden und Interessenten verschickt (Schwerpunkt {topic})",
     "Zwei Antworten mit konkreten Projektanfragen",
     "Kurze Newsletter mit einem einzigen Thema werden häufiger geklickt"),
    (["paid_search"], ["qualified_leads_web", "cost_per_qualified_lead"],
     "Google-Ads-Kampagnen überarbeitet: neue Anzeigentexte für {topic}",
     "Vertrieb meldet bessere Anfragen über das Kontaktformular",
     "Suchanzeigen mit Auslegungshilfe liefern günstigere Anfragen als reine Produktanzeigen"),
    (["sales_sync"], ["sql"],
     "Sales-Marketing-Sync: abgelehnte Anfragen des Monats durchgesprochen",
     "Vertrieb wünscht Branchenangabe schon im Formular",
     "Gemeinsame Kriterien senken die Ablehnungsquote spürbar"),
    (["content", "referenzen"], [],
     "Referenzbericht mit einem Verpackungsmaschinenbauer abgestimmt",
     "Kunde gibt Freigabe für Zitat und Foto",
     "Referenzen aus der Verpackungsbranche fehlen bisher im Vertrieb"),
)
_TOPICS = ("Planetengetriebe richtig auslegen", "Servogetriebe im Verpackungsmaschinenbau",
           "Spielarme Getriebe für Robotik", "Kupplungen für Intralogistik", "Energieeffiziente Antriebe")


def _week_mondays(window: Window) -> list[date]:
    """Mondays of the ISO weeks that count inside the window (their Thursday lies inside)."""
    first = window.start - timedelta(days=window.start.weekday())
    out, d = [], first
    while d <= window.end:
        if window.start <= d + timedelta(days=3) <= window.end:
            out.append(d)
        d += timedelta(days=7)
    return out


def _entry(rng: np.random.Generator, monday: date, window: Window) -> dict:
    """The week's entry (tags, kpi, done, feedback, learned) from what happens that week."""
    sunday = monday + timedelta(days=6)
    months_back = (window.months[-1] - pd.Period(monday + timedelta(days=3), freq="M")).n  # 0 = latest month
    tags: list[str] = []
    kpi: list[str] = []
    done: list[str] = []
    feedback: list[str] = []
    learned: list[str] = []

    for fair in fairs(window, upcoming=True):
        big = fair.big
        label = fair.short
        if monday <= fair.start - timedelta(days=14) <= sunday:
            tags += ["messe"]
            done.append(f"Messevorbereitung {label}: Einladungen an Bestandskunden und Termine für den Vertrieb")
            learned.append("Vorab vereinbarte Termine sind auf der Messe die wertvollsten Gespräche")
        if monday <= fair.start <= sunday:
            tags += ["messe"]
            kpi += ["qualified_leads", "marketing_pipeline_value"]
            n = int(fair.leads * rng.uniform(0.9, 1.1))
            done.append(f"{label}: Stand betreut, rund {n} Kontakte erfasst")
            feedback.append("Vertrieb: viele konkrete Projekte, vor allem zu Servogetrieben" if big
                            else "Vertrieb: wenige, aber passende Gespräche")
        if monday <= fair.start + timedelta(days=8) <= sunday:
            tags += ["messe", "lead_nachbearbeitung"]
            kpi += ["qualified_leads"]
            done.append(f"Messekontakte {label} ins CRM importiert und an den Vertrieb verteilt")
            feedback.append("Vertrieb kommt mit der Nachbearbeitung der Messekontakte kaum hinterher")
            learned.append("Messekontakte brauchen eine feste Nachfassfrist, sonst kühlen sie ab" if big
                           else "Kleine Fachmessen liefern wenige, aber gut qualifizierte Kontakte")
    for web in webinars(window):
        if monday <= web.day <= sunday:
            tags += ["webinar"]
            kpi += ["qualified_leads"]
            n = int(rng.integers(35, 95))
            done.append(f"Webinar „{web.topic}“ mit {n} Teilnehmern durchgeführt")
            feedback.append(choice(rng, ("Teilnehmer fragen nach Auslegungsbeispielen zum Nachrechnen",
                                         "Vertrieb: zwei Teilnehmer haben direkt ein Angebot angefragt",
                                         "Viele Fragen zu Lieferzeiten und Verfügbarkeit")))
            learned.append(choice(rng, ("Praxisthemen ziehen mehr Teilnehmer als Produktvorstellungen",
                                        "Die Aufzeichnung bringt in der Woche danach noch einmal so viele Anfragen",
                                        "Webinare mit Anwendungsbeispiel bringen die besten Anfragen")))
    # LinkedIn gets expensive from the first quarter of the last year on (spend +60 %, leads flat).
    if months_back <= 9 and monday.day <= 7:
        tags += ["linkedin"]
        kpi += ["cost_per_qualified_lead"]
        if months_back >= 6:
            done.append("LinkedIn-Budget erhöht, neue Leadgen-Kampagne Intralogistik gestartet")
            learned.append("Mehr LinkedIn-Budget bringt bisher kaum mehr qualifizierte Anfragen")
        else:
            done.append("LinkedIn-Kampagnen ausgewertet: Kosten je Anfrage deutlich über Google Ads")
            feedback.append("Vertrieb: LinkedIn-Leads sind oft Studenten und Berater, selten Einkäufer")
            learned.append("LinkedIn wird teurer, ohne mehr qualifizierte Anfragen zu liefern – Budget prüfen")
    # The last two months: delivery delays, the Hartmann price cut, the new spare-parts portal.
    cut = (window.months[-2].start_time + pd.Timedelta(days=14)).date()
    if months_back <= 1:
        if months_back == 0 or monday.day >= 8:  # sales reports the delays from the second week of the month before
            tags += ["lieferzeit"]
            feedback.append(choice(rng, ("Vertrieb meldet: Kunden beschweren sich über Lieferverzögerungen bei Servogetrieben",
                                         "Zwei Bestandskunden drohen wegen verschobener Liefertermine mit Lieferantenwechsel",
                                         "Im Kundenservice häufen sich Nachfragen zum Liefertermin")))
            learned.append("Lieferverzögerungen überlagern jede Kampagne – ohne verlässliche Liefertermine verpufft Werbung")
        if monday <= cut + timedelta(days=1) <= sunday or monday <= cut + timedelta(days=8) <= sunday:
            tags += ["wettbewerb", "preis"]
            done.append("Argumentationshilfe für den Vertrieb zur Hartmann-Preissenkung begonnen")
            feedback.append("Vertrieb: Kunden sprechen die Preissenkung von Hartmann bei Servogetrieben an (rund 12 %)")
            learned.append("Gegen den Preisdruck helfen Gesamtkosten- und Service-Argumente mehr als Rabatte")
        if monday.day > 14:
            tags += ["ersatzteilportal"]
            feedback.append("Kundenservice: Fragen zum Login im neuen Ersatzteilportal")
            learned.append("Das neue Ersatzteilportal braucht eine kurze Anleitung für Bestandskunden")
    routine = not done
    if routine:
        tags_r, kpi_r, d, f, lesson = _ROUTINE[int(rng.integers(len(_ROUTINE)))]
        topic = choice(rng, _TOPICS)
        tags += tags_r
        kpi += kpi_r
        done.append(d.format(topic=topic))
        if rng.random() < 0.6:
            feedback.append(f)
        learned.append(lesson)
    if not learned:
        learned.append("Ablauf hat funktioniert, nichts Neues gelernt")
    return {"routine": routine, "tags": list(dict.fromkeys(tags)), "kpi": list(dict.fromkeys(kpi)), "done": list(dict.fromkeys(done)),
            "feedback": list(dict.fromkeys(feedback)), "learned": list(dict.fromkeys(learned))}


def write_diary(out_dir: Path, seed: int = SEED, reference_date: date = REFERENCE_DATE) -> list[Path]:
    """Write ``YYYY-Www.md`` files into ``out_dir`` for the 24 months before ``reference_date``; return them sorted.

    Holiday weeks (Christmas, two in August) and about one routine week in eight have no entry, like a real diary.
    """
    window = Window(reference_date)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(101,))))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, monday in enumerate(_week_mondays(window)):
        if monday.isocalendar()[1] in (52, 1, 32, 33):
            continue
        entry = _entry(rng, monday, window)
        if entry["routine"] and rng.random() < 1 / 8:  # a busy week without notes; event weeks are always written
            continue
        author = MARKETING_TEAM[i % len(MARKETING_TEAM)]
        week = week_label(monday)
        path = out_dir / f"{week}.md"
        path.write_text(render_entry(week, author, entry["done"], entry["feedback"], entry["learned"],
                                     tags=entry["tags"], kpi=entry["kpi"]), encoding="utf-8", newline="\n")
        paths.append(path)
    return sorted(paths)
