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
