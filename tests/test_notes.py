"""Sales-call notes as a folder of text files -> feedback rows (and through the loader)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cmo_workbook.errors import DataError
from cmo_workbook.inputs.notes import load_notes


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (folder / name).write_bytes(text.encode(encoding))


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    d = tmp_path / "notizen"
    d.mkdir()
    _write(d, "2026-10-07_mueller.txt", "Kunde klagt über Lieferverzug.\nZweite Zeile.")
    _write(d, "besuch_hartmann.txt", "Datum: 03.10.2026\nWäre schön, wenn es einen Konfigurator gäbe.")
    _write(d, "call-x.md", "Date: 2026-10-03\nAsked about volume discounts.")
    _write(d, "alt.txt", "Datum: 15.09.2026\r\nÖlverlust am Getriebe, ärgerlich.", encoding="cp1252")
    _write(d, "leer.txt", "   \n")
    _write(d, "bild.png", "not a note")
    return d


def test_rows_ids_dates_sources_in_deterministic_order(notes_dir: Path):
    df = load_notes(notes_dir, lang="de")
    assert df["feedback_id"].tolist() == ["alt", "besuch_hartmann", "call-x", "2026-10-07_mueller"]
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-09-15", "2026-10-03", "2026-10-03", "2026-10-07"]
    assert set(df["source"]) == {"Vertriebsgespräch"}
    # the date line is not part of the text; a file-name date keeps the whole text; cp1252 is decoded
    assert df.set_index("feedback_id").loc["besuch_hartmann", "text"] == "Wäre schön, wenn es einen Konfigurator gäbe."
    assert df.set_index("feedback_id").loc["2026-10-07_mueller", "text"] == "Kunde klagt über Lieferverzug.\nZweite Zeile."
    assert df.set_index("feedback_id").loc["alt", "text"] == "Ölverlust am Getriebe, ärgerlich."
    assert load_notes(notes_dir, lang="en")["source"].unique().tolist() == ["sales call"]


def test_note_without_date_is_a_data_error(notes_dir: Path):
    _write(notes_dir, "ohne_datum.txt", "Nur Text, kein Datum.")
    with pytest.raises(DataError) as exc:
        load_notes(notes_dir, shown="notizen")
    assert "ohne_datum.txt" in str(exc.value) and "has no date" in str(exc.value) and "Datum: TT.MM.JJJJ" in str(exc.value)


def test_loader_reads_a_text_notes_folder(notes_dir: Path, tmp_path: Path):
    from cmo_workbook.inputs.loaders import load_dataset
    from cmo_workbook.inputs.params import load_params

    example = yaml.safe_load((Path(__file__).resolve().parents[1] / "params" / "example.yaml").read_text("utf-8"))
    example["data"] = {"dir": str(notes_dir.parent), "feedback": [{"file": "notizen", "preset": "text_notes"}]}
    example.pop("goals", None)
    example.pop("voc"), example.pop("diary")  # their files are not part of this folder
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")
    ds = load_dataset(load_params(path), ["feedback"])
    fb = ds.feedback
    assert len(fb) == 4 and fb["source"].eq("Vertriebsgespräch").all()
    assert {"feedback_id", "date", "source", "text", "score", "contact_name"} <= set(fb.columns)
    assert pd.isna(fb["score"]).all()
    assert [s.preset for s in ds.sources] == ["text_notes"]
