"""The quarterly stakeholder update runs through the real runner on the sample data (diary included)."""
from __future__ import annotations

import nbformat
import pytest

from conftest import ROOT, parse_eml

NB = ROOT / "notebooks" / "stakeholder_update.ipynb"


def test_notebook_follows_the_conventions():
    nb = nbformat.read(NB, as_version=4)
    assert nb.metadata["cmo"]["cadence"] == "quarterly"
    assert nb.cells[1].metadata["tags"] == ["parameters"] and 'period: str = "2026-Q3"' in nb.cells[1].source
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(len(nb.cells))]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def ensure_diary(sample_dir):
    # the session's data/sample may predate the diary hook in sample_data.generate
    if not (sample_dir / "diary").is_dir():
        from cmo_workbook.sample.diary import write_diary
        write_diary(sample_dir / "diary")
    return sample_dir / "diary"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_update_memo_has_headline_three_paragraphs_goals_and_matrix(memo_run, ensure_diary, lang):
    result = memo_run("stakeholder_update", "2026-Q3", lang)
    msg, html, plain, images = parse_eml(result.eml)
    plain = " ".join(plain.replace("\u00a0", " ").split())  # the text part is wrapped at 78 characters
    sections = (["ERREICHT", "ALS NÄCHSTES", "WO WIR UNTERSTÜTZUNG BRAUCHEN", "JAHRESZIELE"] if lang == "de"
                else ["ACHIEVED", "NEXT", "WHERE WE NEED SUPPORT", "ANNUAL GOALS"])
    positions = [plain.index(s) for s in sections]
    assert positions == sorted(positions)
    head = plain[:positions[0]]
    # headline = conclusion: growth vs last year, goals on track, whom we need; the year-ago pipeline lies in
    # the export's ramp-up months, so the store has none and the update says the change vs Q2 (6.68 vs 7.73 M €),
    # the same figure as the attribution review. 2 of 3: with the seasonal forecast the cost per inquiry reaches
    # its December target (a quiet month every year) – but only on that assumption, so it is named apart from the
    # safe one (issue #11); a trend said 1 of 3. The quarterly target (540) is missed by 395: that leads.
    assert ("Q3 2026: Quartalsziel verfehlt – 395 qualifizierte Anfragen, −27 % ggü. Ziel (540); +16 % qualifizierte "
            "Anfragen ggü. Vorjahresquartal und Pipeline −14 % ggü. Vorquartal" in head
            and "1 von 3 Jahreszielen sicher auf Kurs, 1 weiteres nur, wenn seine Prognose eintritt" in head
            and "Produktion & Logistik" in head
            if lang == "de" else "pipeline −14% vs the previous quarter" in head and "quarterly target missed" in head
            and "1 of 3 annual goals safely on track, 1 more only if its forecast comes true" in head
            and "Operations & logistics" in head)
    # the planted effects reach the update: delivery delays from the diary, the pipeline goal on track
    assert "Lieferverzögerungen" in plain
    assert ("Pipeline aus Marketing auf Kurs" if lang == "de" else "pipeline from marketing on track") in plain
    assert len(html.encode()) < 100_000 and not images

