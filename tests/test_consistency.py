"""One consistent story (#11): a channel judged both ways or a deadline already past is found; --strict fails the run."""
from __future__ import annotations

from datetime import date

import nbformat
import pytest

from cmo_workbook.memos import consistency
from cmo_workbook.periods import Period
from cmo_workbook.render.blocks import Recommendation, Recommendations

from conftest import ROOT

TODAY = date(2026, 12, 1)


def _recs(*items: Recommendation) -> dict:
    return Recommendations(list(items)).record()


def test_verdicts_negative_phrases_win_and_need_one_subject():
    v = consistency.verdict
    assert v("50 Tsd. € für LinkedIn trägt sich nach den bisherigen Zahlen nicht.", "de") == -1
    assert v("50 Tsd. € für LinkedIn trägt sich sicher.", "de") == 1
    assert v("LinkedIn verdient seine Kosten nicht sicher zurück (ROMI 81 %).", "de") == -1
    assert v("LinkedIn does not reliably earn back its cost.", "en") == -1
    assert v("LinkedIn: 794 € je qualifizierter Anfrage.", "de") == 0  # evidence, no judgement
    found = consistency.verdicts([{"kind": "paragraph", "text": "Messen und LinkedIn tragen sich."}], "de")
    assert found == {}  # two subjects in one sentence: not attributable


def test_a_planted_contradiction_and_a_past_deadline_are_found():
    records = [
        {"kind": "headline", "text": "LinkedIn verdient seine Kosten nicht sicher zurück – 8,7 Tsd. € umschichten."},
        {"kind": "paragraph", "text": "Die Messe war ein Erfolg."},
        _recs(Recommendation(action="50 Tsd. € für LinkedIn trägt sich sicher.", due="nächster Sync, November 2026"),
              Recommendation(action="Maßnahmenplan für Ziel „Anfragen bis Juni 2026 verdoppeln“ vorlegen.",
                             effect="Schließt die Lücke bis 31.12.2026.")),
    ]
    found = consistency.check(records, "de", "attribution_review", TODAY)
    assert [(f.rule, f.subject) for f in found] == [("verdict", "LinkedIn"), ("deadline", "November 2026")]
    assert "trägt sich sicher" in found[0].message and "nicht sicher zurück" in found[0].message
    # the same memo a month earlier: November is still ahead, the quoted goal title never counts
    assert [f.rule for f in consistency.check(records, "de", "attribution_review", date(2026, 11, 30))] == ["verdict"]


def test_verdicts_of_the_periods_other_memos_count(tmp_path):
    consistency.remember(tmp_path, "attribution_review", [{"kind": "headline", "text": "Messen verlieren Geld."}], "de")
    update = [{"kind": "paragraph", "text": "Die Messen tragen sich: 40 Anfragen im Quartal."}]
    found = consistency.check(update, "de", "stakeholder_update", TODAY, tmp_path)
    assert [(f.memo, f.subject) for f in found] == [("stakeholder_update vs attribution_review", "Messen")]
    assert consistency.check(update, "de", "attribution_review", TODAY, tmp_path) == []  # its own earlier run


def test_deadline_texts_and_a_deadline_never_in_the_past():
    assert consistency.deadline_end("15.11.2026") == date(2026, 11, 15)
    assert consistency.deadline_end("November 2026") == date(2026, 11, 30)
    assert consistency.deadline_end("Q4 2026") == date(2026, 12, 31)
    assert consistency.deadline_end("next sync") is None
    assert str(consistency.deadline_month(Period.parse("2026-10"), TODAY)) == "2026-12"
    assert str(consistency.deadline_month(Period.parse("2026-10"), date(2026, 11, 3))) == "2026-11"


PLANTED = [
    ("parameters", 'period: str = "2026-10"\nparams_file: str = "../params/example.yaml"\nlang: str = ""\n'
                   'reports_dir: str = "../reports"'),
    ("memo", "from cmo_workbook.render import blocks\n"
             "blocks.show(blocks.Headline('Messen verlieren Geld: 471 Tsd. € Kosten im Jahr.'),\n"
             "            blocks.Recommendations([blocks.Recommendation(action='Messen sind ein Erfolg – weiter so.',\n"
             "                                                          due='nächster Sync, November 2026')]))"),
]


def _planted_notebook(folder):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Planted\nA memo that contradicts itself.")]
    nb.cells += [nbformat.v4.new_code_cell(src, metadata={"tags": [tag]}) for tag, src in PLANTED]
    nb.metadata["kernelspec"] = {"name": "cmo-workbook", "display_name": "cmo-workbook", "language": "python"}
    nb.metadata["cmo"] = {"cadence": "monthly", "inputs": [], "title": "Planted"}
    nbformat.write(nb, str(folder / "planted.ipynb"))


@pytest.mark.slow
def test_the_run_fails_in_strict_mode_and_warns_without_it(tmp_path, monkeypatch, sample_dir):
    from cmo_workbook.delivery.project import discover
    from cmo_workbook.delivery.runner import Runner, RunOptions
    from cmo_workbook.errors import ExecutionError

    monkeypatch.setenv("CMO_WORKBOOK_RUN_DATE", "2026-12-01")
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _planted_notebook(folder)

    def runner(strict: bool, lines: list[str]) -> Runner:
        r = Runner(RunOptions(params_path=ROOT / "params" / "example.yaml", period=Period.parse("2026-10"),
                              reports_dir=tmp_path / ("strict" if strict else "warn"), history_dir=tmp_path / "history",
                              strict=strict), say=lines.append)
        r.available = {**r.available, **discover(folder)}  # the bundled ones stay known (params name them)
        return r

    lines: list[str] = []
    with pytest.raises(ExecutionError) as exc:
        runner(True, lines).run("planted")
    assert isinstance(exc.value, consistency.StoryError)
    assert [f.rule for f in exc.value.findings] == ["verdict", "deadline"]
    assert not (tmp_path / "strict" / "2026-10" / "planted.html").exists()  # no memo from a failed run
    warned: list[str] = []
    assert runner(False, warned).run("planted").ok
    assert sum(line.startswith("warning  verdict:") or line.startswith("warning  deadline:") for line in warned) == 2


# ----------------------------------------------------------------------------- the cold CEO read (#11)

REVIEW_FAIRS = ("Größter Posten: Messen brachten in 4 Quartalen aus Erstaufträgen 325 Tsd. € Deckungsbeitrag ggü. "
                "471 Tsd. € Kosten (Rendite der Erstaufträge −31 %, Spanne −50 % bis −4 %) – Budget Messen Q4 2026–Q3 2027: "
                "Freigabe von 471 Tsd. € ja / nein.")
UPDATE_FAIRS = ("Zur Einordnung – Messen, 12 Monate bis Sep 2026: 471 Tsd. € Kosten, 3,6 Mio. € Auftragseingang aus "
                "ihren Anfragen; Kosten je qualifizierter Anfrage im Q3 2026 2.359 € (+256 % ggü. Vorquartal).")


def _para(text: str) -> list[dict]:
    return [{"kind": "paragraph", "text": text}]


def test_a_return_above_cost_reads_as_success_against_a_negative_romi(tmp_path):
    """Planted #1: the update's "471 Tsd. € Kosten, 3,6 Mio. € Auftragseingang" against the review's ROMI −31 %."""
    assert consistency.return_verdict("Messen: 471 Tsd. € Kosten, 3,6 Mio. € Auftragseingang", "de") == 1
    assert consistency.return_verdict("Messen: 471 Tsd. € Kosten, 120 Tsd. € Auftragseingang", "de") == 0  # less back
    assert consistency.return_verdict("Trade fairs: €471k of cost, €3.6m of order intake", "en") == 1
    assert consistency.romi_verdict("Messen: 471 Tsd. € Kosten (ROMI Erstaufträge −31 %)") == -1
    assert consistency.romi_verdict("Trade fairs: €471k of cost (return on first orders −31%)") == -1
    assert consistency.romi_verdict("Webinare: Rendite der Erstaufträge 221 %") == 0  # earns its cost: no verdict here
    assert consistency.romi_verdict("Organische Suche brachte bisher 153 % Rendite der Erstaufträge ggü. −97 % hier") == 0
    consistency.remember(tmp_path, "attribution_review", _para(REVIEW_FAIRS), "de")
    found = consistency.check(_para(UPDATE_FAIRS), "de", "stakeholder_update", TODAY, tmp_path)
    assert [(f.rule, f.memo, f.subject) for f in found] == [("return", "stakeholder_update vs attribution_review", "Messen")]
    assert "471 Tsd. € Kosten, 3,6 Mio. €" in found[0].text and "Rendite der Erstaufträge −31 %" in found[0].other
    # inside one memo too; the budget decision's own wording (cost, margin, ROMI) is no success
    assert [f.rule for f in consistency.check(_para(REVIEW_FAIRS + " " + UPDATE_FAIRS), "de", "x", TODAY)] == ["return"]
    assert consistency.check(_para(REVIEW_FAIRS), "de", "stakeholder_update", TODAY, tmp_path) == []


def test_a_grow_verdict_for_the_channel_with_the_weakest_inquiries():
    """Planted #2: "Suchanzeigen ausbauen" (update) against "Suchmaschinenwerbung liefert die schwächsten Anfragen"."""
    grow = ("Ziel für qualifizierte Website-Anfragen nicht auf Kurs (Prognose 72 ggü. Ziel 100): Website-Inhalte und "
            "Suchanzeigen zu den meistgefragten Auslegungsthemen ausbauen – das dient dem Bereich Vertrieb.")
    weak = ("Suchmaschinenwerbung liefert die schwächsten Anfragen: nur 33 % der im Monat entschiedenen angenommen ggü. "
            "37 % Akzeptanzquote der Monatskohorte – dort die Übergabekriterien zuerst schärfen.")
    found = consistency.check(_para(grow + " " + weak), "de", "x", TODAY)
    assert [(f.rule, f.subject) for f in found] == [("grow", "Suchmaschinenwerbung")]
    assert "ausbauen" in found[0].text and "schwächsten" in found[0].other
    assert consistency.grow_verdict("Suchmaschinenwerbung nicht ausbauen.", "de") == 0
    assert consistency.grow_verdict("Paid search sends the weakest inquiries", "en") == -1
    assert consistency.check(_para(grow.replace("und Suchanzeigen ", "") + " " + weak), "de", "x", TODAY) == []


def test_selling_on_an_argument_the_customers_name_as_a_rising_weakness():
    """Planted #3: the briefing's "(Lieferfähigkeit, Gesamtkosten, Service)" against the VoC's rising complaints."""
    sell = ("Was wir tun: Argumentationsblatt für den Vertrieb zu Servogetriebe KS-60 (Lieferfähigkeit, Gesamtkosten, "
            "Service) und Freigaberegel für Rabatte prüfen.")
    voc = "Lieferverzögerungen steigen (+13,5 Prozentpunkte ggü. Basis, n = 60): Ursache analysieren und beheben."
    found = consistency.check(_para(sell + " " + voc), "de", "x", TODAY)
    assert [(f.rule, f.subject) for f in found] == [("argument", "Lieferfähigkeit")]
    assert consistency.argument_verdicts("Auf die Preissenkung mit Wert antworten: Gesamtkosten, Lieferfähigkeit und "
                                         "Service belegen.", "de") == {"delivery": 1}
    assert consistency.argument_verdicts("prove total cost, availability and service", "en") == {"delivery": 1}
    # a delivery promise to secure first is no selling argument; complaints that fall are no weakness
    assert consistency.argument_verdicts("Lieferfähigkeit zur Chefsache machen: erst die eigene Liefertreue sichern",
                                         "de") == {}
    assert consistency.check(_para(sell.replace("Lieferfähigkeit, ", "") + " " + voc), "de", "x", TODAY) == []


def test_a_months_memos_are_read_with_the_quarter_they_cite(tmp_path):
    """Planted #4: the pack of 2026-10 cites 2026-Q3 (the last complete quarter), 2026-09 the quarter holding it."""
    assert consistency.pack_periods("2026-10") == ["2026-Q3"]
    assert consistency.pack_periods("2026-09") == ["2026-Q3"]
    assert consistency.pack_periods("2026-12") == ["2026-Q4"]
    assert consistency.pack_periods("2026-Q3") == ["2026-09", "2026-10", "2026-11"]
    assert consistency.pack_periods("portfolio") == []
    q3, oct_, nov = tmp_path / "2026-Q3", tmp_path / "2026-10", tmp_path / "2026-11"
    consistency.remember(q3, "competitor_briefing", _para("Argumentationsblatt für den Vertrieb (Lieferfähigkeit, "
                                                          "Service)."), "de")
    voc = _para("Lieferverzögerungen steigen (+13,5 Prozentpunkte ggü. Basis).")
    found = consistency.check(voc, "de", "voice_of_customer", TODAY, oct_)
    assert [(f.rule, f.memo) for f in found] == [("argument", "voice_of_customer vs competitor_briefing (2026-Q3)")]
    assert "Argumentationsblatt" in found[0].text and "steigen" in found[0].other
    consistency.remember(oct_, "voice_of_customer", voc, "de")
    briefing = _para("Argumentationsblatt für den Vertrieb (Lieferfähigkeit, Service).")
    assert [f.memo for f in consistency.check(briefing, "de", "competitor_briefing", TODAY, q3)] == [
        "competitor_briefing vs voice_of_customer (2026-10)"]  # built the other way round: found all the same
    consistency.remember(tmp_path / "2026-12", "voice_of_customer", voc, "de")
    assert consistency.check(briefing, "de", "competitor_briefing", TODAY, nov) == []  # 2026-11 cites Q3, not 2026-12
