"""Guards the "so what" rule of the jargon check for falls written with the real minus sign.

The memos print negative changes with U+2212 ("−12 %", see render/fmt.py), so the check must see
them. Mutation it catches: the change pattern missing ``−`` (falls were never checked).
"""
import pytest

from cmo_workbook.render import jargon


@pytest.mark.parametrize("change", ["−12 %", "−12\u00a0%", "-12 %", "+12 %", "±3 %", "−2,4 Prozentpunkte", "−0.5 percentage points"])
def test_a_change_without_comparison_or_consequence_is_flagged(change):
    found = jargon.check_text(f"Die Anfragen lagen bei {change} im Oktober.", "de")
    # the check reads the text with plain spaces
    assert [(f.rule, f.snippet) for f in found] == [("so_what", change.replace("\u00a0", " "))]
    assert found[0].hint == "comparison and no consequence"


def test_a_fall_with_comparison_and_consequence_passes():
    assert jargon.check_text("Die Anfragen fielen um −12 % ggü. Vorjahr: weniger Nachschub für die Pipeline.",
                             "de") == []


def test_tile_with_a_fall_but_no_so_what_is_flagged():
    tile = {"label": "Qualifizierte Anfragen", "value": "120", "comparisons": ["−12 % ggü. Vorjahr"], "so_what": ""}
    found = jargon.check_records([{"kind": "kpis", "tiles": [tile]}], "de")
    assert [(f.rule, f.snippet, f.hint) for f in found] == [("so_what", "−12 %", "consequence")]
