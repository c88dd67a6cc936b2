"""``cmo-workbook taxonomy suggest|promote`` and the coverage warning of ``validate`` on the sample company."""
from __future__ import annotations

import shutil

import pytest
import yaml

from cmo_workbook.cli import main
from cmo_workbook.voc.themes import load_taxonomy

from conftest import ROOT


@pytest.fixture()
def company(tmp_path, sample_dir):
    """A copy of the example params and taxonomy, reading the sample data where it is."""
    text = (ROOT / "params" / "example.yaml").read_text(encoding="utf-8")
    text = text.replace("dir: ../data/sample", f"dir: {sample_dir}")
    (tmp_path / "example.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "params" / "voc_taxonomy.yaml", tmp_path / "voc_taxonomy.yaml")
    return tmp_path


def test_promote_adds_the_months_new_topic_as_a_theme(company, capsys):
    assert main(["taxonomy", "promote", "--params", str(company / "example.yaml"), "--period", "2026-10",
                 "--topic", "T1", "--key", "spare_parts_portal", "--label-de", "Ersatzteilportal",
                 "--label-en", "Spare-parts portal", "--owner", "service"]) == 0
    out = capsys.readouterr().out
    assert "promoted T1 (Ersatzteilportal" in out and "2026.12-2+spare_parts_portal" in out
    text = (company / "voc_taxonomy.yaml").read_text(encoding="utf-8")
    assert "# Matching (see cmo_workbook.voc.themes" in text  # the file's comments survive
    tax = load_taxonomy(company / "voc_taxonomy.yaml")
    theme = next(t for t in tax["themes"] if t["key"] == "spare_parts_portal")
    assert theme["terms_de"] == ["ersatzteilportal"] and theme["owner"] == "service"
    assert theme["label_en"] == "Spare-parts portal"
    # now a theme of its own, the portal is no "new topic" any more: the theme's flag reports it
    assert main(["taxonomy", "promote", "--params", str(company / "example.yaml"), "--period", "2026-10"]) == 2
    assert "T1 is not among the new/rising topics of 2026-10: none" in capsys.readouterr().err
    from cmo_workbook.errors import ParamsError
    from cmo_workbook.voc.onboarding import promote

    with pytest.raises(ParamsError, match="exists already"):
        promote(company / "voc_taxonomy.yaml", {"label": "x", "terms": ("ersatzteilportal",)}, key="spare_parts_portal")


def test_suggest_drafts_a_loadable_taxonomy_and_validate_warns_on_low_coverage(company, capsys):
    draft = company / "draft.yaml"
    assert main(["taxonomy", "suggest", "--params", str(company / "example.yaml"), "--out", str(draft),
                 "--themes", "6"]) == 0
    assert "6 themes, covering" in capsys.readouterr().out
    tax = load_taxonomy(draft)
    assert len(tax["themes"]) == 6 and tax["signals"]
    for theme in tax["themes"]:
        assert theme["label_de"] and theme["label_en"] and (theme["terms_de"] or theme["terms_en"])
    # a taxonomy that knows almost nothing of the data: validate warns (and still passes)
    tiny = yaml.safe_load((company / "voc_taxonomy.yaml").read_text(encoding="utf-8"))
    tiny["themes"] = tiny["themes"][-3:-2]  # energy efficiency only
    (company / "voc_taxonomy.yaml").write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    assert main(["validate", "--params", str(company / "example.yaml")]) == 0
    out = capsys.readouterr().out
    assert "warning VoC taxonomy voc_taxonomy.yaml" in out and "taxonomy suggest" in out
    assert "ok: all inputs valid (1 warning)" in out
