from __future__ import annotations

import re

import pytest

from cmo_workbook.voc.privacy import pseudonymise, pseudonymise_many


@pytest.mark.parametrize("text, expected", [
    ("Bitte an anna.mueller@kunde-gmbh.de antworten", "Bitte an [E-Mail] antworten"),
    ("Tel. +49 7131 123456 bitte", "Tel. [Telefon] bitte"),
    ("Handy 0171 1234567.", "Handy [Telefon]."),
    ("Festnetz (07131) 12 34 56, danke", "Festnetz [Telefon], danke"),
    ("Fax 07131/987654", "Fax [Telefon]"),
    ("IBAN DE89 3704 0044 0532 0130 00 bitte", "IBAN [IBAN] bitte"),
    ("IBAN DE89370400440532013000.", "IBAN [IBAN]."),
    ("AT61 1904 3002 3457 3201 und GB29NWBK60161331926819", "[IBAN] und [IBAN]"),
    ("Lieferung an Hauptstraße 12, 74072 Heilbronn bitte", "Lieferung an [Adresse] bitte"),
    ("Rechnung an Industriestr. 5a", "Rechnung an [Adresse]"),
    ("Heilbronner Straße 7 ist das Lager", "[Adresse] ist das Lager"),
    ("Danke an Herrn Eberle und Frau Dr. Brandt", "Danke an [Name] und [Name]"),
])
def test_each_pii_kind_is_replaced(text, expected):
    assert pseudonymise(text) == expected


def test_known_names_case_insensitive_full_name_and_capitalised_parts():
    names = ["Anna Müller", "Peter Klein"]
    text = "anna müller rief an; später Müller nochmal. Das Teil ist klein. PETER KLEIN informiert"
    assert pseudonymise(text, known_names=names) == (
        "[Name] rief an; später [Name] nochmal. Das Teil ist klein. [Name] informiert")


def test_english_placeholders_and_allow_names():
    text = "Mr Smith: call +44 20 7946 0958 or j.doe@example.com"
    assert pseudonymise(text, lang="en") == "[name]: call [phone] or [email]"
    assert pseudonymise(text, lang="en", allow_names=True) == "Mr Smith: call [phone] or [email]"


def test_no_pii_left_and_business_numbers_kept():
    text = ("Auftrag 4500123456 vom 12.10.2026 über 1.234,56 EUR, 3 Stück. Kontakt: max.mustermann@firma.de, "
            "+49 (0)7131 123456, IBAN DE02120300000000202051, Am Wollhaus 3, 74072 Heilbronn. Gruß, Herr Vogt")
    out = pseudonymise(text, known_names=["Max Mustermann"])
    assert "4500123456" in out and "12.10.2026" in out and "1.234,56" in out
    assert not re.search(r"@|\+49|DE02|Wollhaus|74072|Vogt|Mustermann", out)
    assert out.count("[") == 5


def test_script_survives_as_text_for_the_renderer_to_escape():
    assert pseudonymise("<script>alert(1)</script> Lieferung spät") == "<script>alert(1)</script> Lieferung spät"


def test_many_handles_missing_values():
    assert pseudonymise_many(["a@b.de", None, float("nan")]) == ["[E-Mail]", "", ""]


def test_handles_personal_links_and_customer_numbers():
    from cmo_workbook.voc.privacy import pseudonymise

    text = ("Danke @anna_m und @DB_Bahn! Profil: https://www.linkedin.com/in/anna-mueller-123, "
            "facebook.com/max.mustermann.7; Infos auf www.kessler.de. Meine Kundennummer 123456, Kd.-Nr.: 4711-22, "
            "customer no. 98765. Auftrag 4512345, Mail a.b@kunde.de")
    out = pseudonymise(text)
    for leaked in ("@anna_m", "@DB_Bahn", "anna-mueller", "max.mustermann", "123456", "4711", "98765", "a.b@"):
        assert leaked not in out, leaked
    assert out.count("[Handle]") == 2 and out.count("[Link]") == 2 and out.count("[Kundennr.]") == 3
    # a bare company domain and an order number stay readable; the e-mail is still an e-mail
    assert "www.kessler.de" in out and "Auftrag 4512345" in out and "[E-Mail]" in out
    assert pseudonymise("Call @support_team", lang="en") == "Call [handle]"
