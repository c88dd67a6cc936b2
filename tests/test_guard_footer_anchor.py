"""Guards footer detection of the export readers: a totals row is "Gesamt:", "Total (…)", "Summe" alone …
in the first cell; a campaign called "Total Protection" or "Summer Sale" in the first cell is data.

Mutation it catches: the default footer pattern losing its anchor ``\\s*(:|\\(|$)`` (every row whose first
cell starts with "Total" would vanish from spend) — here the name IS the first cell.
"""
import pytest

from cmo_workbook.inputs.readers import read_raw


def _csv(tmp_path, body: str):
    f = tmp_path / "campaigns.csv"
    f.write_text("Kampagne,Tag,Kosten\n" + body, encoding="utf-8")
    return read_raw(f, header_tokens=["Kampagne", "Tag", "Kosten"])


def test_campaign_names_starting_like_a_total_are_data(tmp_path):
    t = _csv(tmp_path, "Total Protection,01.10.2026,100\n"
                       "Gesamtlösung Antriebe,01.10.2026,200\n"
                       "Summertime,01.10.2026,300\n"
                       "Totals Lager,01.10.2026,400\n"
                       "Gesamt: Konto,,1000\n")
    assert t.frame["Kampagne"].tolist() == ["Total Protection", "Gesamtlösung Antriebe", "Summertime", "Totals Lager"]
    assert t.rows == [2, 3, 4, 5]
    assert t.dropped == [(6, "Gesamt: Konto")]


@pytest.mark.parametrize("first", ["Total", "total:", "GESAMT", "Summe", "Summe (4 Zeilen)", "Totals: Konto",
                                   "Grand Total", "Grand Totals (4 records)", "Total  (Konto)"])
def test_totals_rows_are_dropped(tmp_path, first):
    t = _csv(tmp_path, f"Total Protection,01.10.2026,100\n{first},,100\n")
    assert t.frame["Kampagne"].tolist() == ["Total Protection"]
    assert t.dropped == [(3, first)]
