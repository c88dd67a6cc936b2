"""The message catalogues: complete in German and English, same placeholders, every entry used, overrides, fr."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from cmo_workbook.render import i18n
from cmo_workbook.render.i18n import placeholders, t, tn

from conftest import ROOT

SOURCES = sorted((ROOT / "lib" / "cmo_workbook").rglob("*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _literals() -> tuple[set[str], set[str]]:
    """Every string constant in lib/ and the notebooks, and the leading text of every f-string (dynamic ids)."""
    import json

    texts = [p.read_text() for p in SOURCES]
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text())["cells"]
        texts += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    exact, prefixes = set(), set()
    for text in texts:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue  # a notebook cell with IPython magics
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefixes.add(str(node.values[0].value))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                exact.add(node.value)
    return exact, {p for p in prefixes if len(p) >= 4 and p[-1] in "_."}


def test_german_and_english_have_the_same_ids_and_placeholders():
    de, en = i18n.catalogue("de").messages, i18n.catalogue("en").messages
    assert sorted(set(de) - set(en)) == [], "ids without English text"
    assert sorted(set(en) - set(de)) == [], "ids without German text"
    differ = {k: (sorted(placeholders(de[k])), sorted(placeholders(en[k]))) for k in de
              if placeholders(de[k]) != placeholders(en[k])}
    assert differ == {}


def test_further_languages_are_subsets_of_english_with_its_placeholders():
    en = i18n.catalogue("en").messages
    for lang in i18n.languages()[len(i18n.COMPLETE):]:
        msgs = i18n.catalogue(lang).messages
        assert sorted(set(msgs) - set(en)) == [], f"{lang}: ids English does not have"
        assert {k for k in msgs if placeholders(msgs[k]) != placeholders(en[k])} == set(), lang


def test_every_catalogue_entry_is_used_by_the_code():
    exact, prefixes = _literals()
    unused = [k for k in i18n.catalogue("en").messages
              if k not in exact and not any(k.startswith(p) for p in prefixes)]
    assert unused == [], "catalogue entries no code asks for (delete them or use them)"


def test_every_id_the_code_asks_for_exists():
    """Literal ids passed to t()/tn() anywhere in lib/ or the notebooks."""
    missing = []
    known = i18n.catalogue("en").messages
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("t", "tn")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                if node.args[0].value not in known:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value}")
    assert missing == []


def test_a_missing_german_message_names_the_id_and_the_file(tmp_path, monkeypatch):
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES, locales)
    po = locales / "de" / "LC_MESSAGES" / "cmo_workbook.po"
    po.write_text(po.read_text().replace('msgid "data_note"\nmsgstr "Datengrundlage"\n', ""))
    monkeypatch.setattr(i18n, "LOCALES", locales)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(KeyError) as exc:
            t("data_note", "de")
        message = str(exc.value)
        assert "'data_note'" in message and "'de'" in message and str(po) in message
        assert t("data_note", "en") == "Data note"
    finally:
        i18n.catalogue.cache_clear()


def test_a_missing_placeholder_value_names_the_message():
    with pytest.raises(KeyError, match="'own_price' needs placeholder 'value'"):
        t("own_price", "de", amount="3 €")


def test_french_falls_back_to_english_and_formats_numbers_the_french_way():
    from cmo_workbook.render import fmt

    assert t("data_note", "fr") == "Base de données"
    assert t("own_price", "fr", value=fmt.money(1234.5, "fr")) == "Own price = 1\u202f235\u00a0€"
    assert t("plan", "fr") == t("plan", "en") == "Plan"  # not in the French catalogue: English


def test_company_overrides_win_and_are_checked():
    try:
        i18n.set_overrides({"de": {"data_note": "Datenbasis laut Controlling", "own_price": "Unser Preis: {value}"}})
        assert t("data_note", "de") == "Datenbasis laut Controlling"
        assert t("own_price", "de", value="9 €") == "Unser Preis: 9 €"
        assert t("data_note", "en") == "Data note"
    finally:
        i18n.set_overrides(None)
    assert t("data_note", "de") == "Datengrundlage"
    with pytest.raises(ValueError, match=r"messages.de.datanote: no message has the id 'datanote'"):
        i18n.check_overrides({"de": {"datanote": "x"}})
    with pytest.raises(ValueError, match=r"messages.de.own_price: the text uses no placeholders, the catalogue's \['value'\]"):
        i18n.check_overrides({"de": {"own_price": "Unser Preis"}})
    with pytest.raises(ValueError, match=r"messages.xx: 'xx' is not a memo language"):
        i18n.check_overrides({"xx": {"data_note": "x"}})


def test_plural_forms_follow_the_catalogues_rule(tmp_path, monkeypatch):
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES, locales)
    for lang, forms in (("de", ("{n} Anfrage", "{n} Anfragen")), ("fr", ("{n} demande", "{n} demandes"))):
        po = locales / lang / "LC_MESSAGES" / "cmo_workbook.po"
        po.write_text(po.read_text() + f'\nmsgid "x_inquiries"\nmsgid_plural "x_inquiries"\n'
                      f'msgstr[0] "{forms[0]}"\nmsgstr[1] "{forms[1]}"\n')
    monkeypatch.setattr(i18n, "LOCALES", locales)
    i18n.catalogue.cache_clear()
    try:
        assert [tn("x_inquiries", n, "de") for n in (0, 1, 2)] == ["0 Anfragen", "1 Anfrage", "2 Anfragen"]
        assert [tn("x_inquiries", n, "fr") for n in (0, 1, 2)] == ["0 demande", "1 demande", "2 demandes"]  # n > 1
    finally:
        i18n.catalogue.cache_clear()


def test_params_wording_is_checked_before_any_kernel(sample_dir):  # example.yaml needs data/sample
    import yaml

    from cmo_workbook.delivery.preflight import wording_problems
    from cmo_workbook.inputs.params import load_params

    raw = yaml.safe_load((ROOT / "params" / "example.yaml").read_text())
    raw["messages"] = {"de": {"own_price": "Preis"}}
    raw["company"]["language"] = "xx"
    path = ROOT / "params" / ".test-wording-acme.yaml"  # beside example.yaml: its relative paths hold
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    try:
        problems = wording_problems(load_params(path))
    finally:
        path.unlink()
    assert problems[0].startswith(f'{path.name}: "company.language": memo language \'xx\' is not supported')
    assert "messages.de.own_price: the text uses no placeholders" in problems[1]


def test_notebooks_carry_no_language_branches_and_no_memo_text_dicts():
    """Notebooks call lib functions for memo text; `L == "de"` branches and {"de": ...} dicts belong in catalogues."""
    import json

    found = []
    for nb in NOTEBOOKS:
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            src = "".join(cell["source"])
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse(src)):
                if isinstance(node, ast.Compare) and any(isinstance(c, ast.Constant) and c.value in ("de", "en")
                                                         for c in node.comparators):
                    found.append(f"{nb.name} cell {i}: {ast.unparse(node)}")
                elif isinstance(node, ast.Dict) and {"de", "en"} <= {getattr(k, "value", None) for k in node.keys}:
                    found.append(f"{nb.name} cell {i}: a {{'de': ..., 'en': ...}} dict")
    assert found == []


def test_no_catalogue_entry_has_two_translations():
    """A merge of two branches that reworded one message keeps both msgstr lines (git sees two hunks); the
    catalogue reader takes one of them silently, so the memo shows whichever wording it happens to be."""
    for po in sorted(Path(i18n.LOCALES).glob("*/LC_MESSAGES/*.po")):
        lines = po.read_text(encoding="utf-8").splitlines()
        doubled = [f"{po.parent.parent.name}:{i + 1}: {lines[i]}" for i in range(1, len(lines))
                   if lines[i].startswith("msgstr ") and lines[i - 1].startswith("msgstr")]
        assert not doubled, doubled
