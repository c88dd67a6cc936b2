"""Pseudonymisation of free text before anything is quoted, stored or counted.

Replaces e-mail addresses, links with a path (a profile, a share link: anything past the domain),
@handles, customer numbers, phone numbers, IBANs, street addresses and personal names with stable
placeholders ([E-Mail], [Link], [Handle], [Kundennr.], [Telefon], [IBAN], [Adresse], [Name];
English with ``lang='en'``). Order matters: links and e-mails go first so their parts are not read
as handles or phone numbers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..render.i18n import t

#: what a placeholder stands for; its text in the memo language is message ``voc_pseudonym_<kind>``
PLACEHOLDER_KINDS = ("email", "phone", "iban", "address", "name", "url", "handle", "customer")
# a bare domain ("bahn.de") names a company; a path ("/in/anna-mueller", "/u/123") may name a person
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s/]+/[^\s<>\"')\]]+|\b(?:[a-z0-9-]+\.)+(?:com|de|net|org|io|me|at|ch)/[^\s<>\"')\]]+",
                  re.I)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
# "Kundennummer 123456", "Kd.-Nr.: 4711", "Kunden-Nr. K-12345", "customer no. 98765", "account number 1234"
_CUSTOMER_NO = re.compile(
    r"(?i:(\b(?:kunden[- ]?(?:nummer|nr\.?)|kd\.?[- ]?nr\.?|knr\.?|customer (?:number|no\.?|id)|account (?:number|no\.?)|"
    r"client (?:number|no\.?|id))\s*[:#]?\s*))[A-Z]{0,3}-?\d[\d\- ]{2,14}\d")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Country code, check digits, then 11-30 alphanumerics in groups of four (spaces optional).
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
# +49 7131 123456 | +49 (0)7131 123456 | 0171 1234567 | (07131) 12 34 56 | 07131/123456 | 0049 ...
# A leading '+' or '0' is required so order and invoice numbers stay readable.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ \-/]?(?:\(0\)[ ]?)?\(?\d{1,5}\)?|\(0\d{2,5}\)|00\d{2}[ \-/]?\d{1,5}|0\d{2,5})"
    r"(?:[ \-/]?\d){4,12}(?!\w)"
)
_STREET_WORD = r"(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee|steige|markt)"
_CITY = r"(?:,?[ ]*\d{5}[ ]+[A-ZÄÖÜ][\wäöüß\-]+(?:[ ](?:am|an[ ]der|im|ob[ ]der)[ ][A-ZÄÖÜ][\wäöüß]+)?)?"
_ADDRESS = re.compile(
    # "Hauptstraße 12", "Industriestr. 5a", "Heilbronner Straße 7", "Am Wollhaus 3" (+ "74072 Heilbronn")
    r"\b(?:[A-ZÄÖÜ][\wäöüß\-]*" + _STREET_WORD + r"|(?:[A-ZÄÖÜ][\wäöüß\-]+[ ])?"
    r"(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm)|(?:Am|An[ ]der|Im|Auf[ ]der)[ ][A-ZÄÖÜ][\wäöüß]+)"
    r"[ ]?\d{1,4}(?:[ ]?[a-zA-Z](?![\wäöüß]))?(?:[ ]?-[ ]?\d{1,4})?(?![\d])" + _CITY
)
_POSTCODE_CITY = re.compile(r"\b\d{5}[ ]+(?=[A-ZÄÖÜ])[\wäöüß\-]+\b(?=[ ]*(?:$|[,.;)]|\n))")
# A title followed by a capitalised word is a name even when the CRM does not know it.
_TITLE = r"(?:Herrn?|Frau|Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Dr\.|Prof\.)"
_TITLED_NAME = re.compile(r"\b" + _TITLE + r"(?:[ ]+(?:Dr\.|Prof\.))?[ ]+[A-ZÄÖÜ][\wäöüß\-]+")
_TITLE_ONLY = re.compile(r"(?i:" + _TITLE + r")$")
_WORD = re.compile(r"[^\W\d_][\w\-']*")


@lru_cache(maxsize=64)
def _name_index(names: tuple[str, ...]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Lower-cased name parts and adjacent part pairs of the CRM contact names."""
    parts: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for name in names:
        words = [w.lower() for w in _WORD.findall(str(name)) if len(w) >= 2]
        parts.update(words)
        pairs.update(zip(words, words[1:]))
    return frozenset(parts), frozenset(pairs)


#: up to this many name parts a substring test comes first (with thousands of CRM names it costs more than it saves)
_QUICK_PARTS = 64


def _replace_known_names(text: str, names: tuple[str, ...], placeholder: str) -> str:
    parts, pairs = _name_index(names)
    # a word equal to a part is a substring of the lower-cased text (only a Greek capital sigma lower-cases
    # differently inside a word than at its end), so a text without any part has no name to replace
    if len(parts) <= _QUICK_PARTS and "Σ" not in text:
        low = text.lower()
        if not any(map(low.__contains__, parts)):
            return text
    words = list(_WORD.finditer(text))
    lowered = [m.group(0).lower() for m in words]
    if parts.isdisjoint(lowered):
        return text
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        low = lowered[i]
        if low not in parts:
            i += 1
            continue
        # "anna müller" in any case; a lone part only when capitalised or after Herr/Frau/Mr,
        # because a surname like "Klein" is also an ordinary word.
        if i + 1 < len(words) and (low, lowered[i + 1]) in pairs and _adjacent(text, words[i], words[i + 1]):
            spans.append((words[i].start(), words[i + 1].end()))
            i += 2
            continue
        before = text[max(0, words[i].start() - 6):words[i].start()].strip()
        if words[i].group(0)[0].isupper() or _TITLE_ONLY.search(before):
            spans.append(words[i].span())
        i += 1
    for start, end in reversed(spans):
        text = text[:start] + placeholder + text[end:]
    return text


def _adjacent(text: str, a: re.Match, b: re.Match) -> bool:
    return text[a.end():b.start()].strip() == ""


def pseudonymise(text: object, *, known_names: Iterable[str] = (), allow_names: bool = False,
                 lang: str = "de") -> str:
    """Return ``text`` with personal data replaced by placeholders.

    ``known_names``: contact names from the CRM (matched case-insensitively as full names, and as
    single capitalised parts). ``allow_names=True`` keeps names (e.g. for an internal review).
    Non-text input (NA) gives ``""``.
    """
    if not isinstance(text, str) or not text:
        return ""
    return _pseudonymise(text, _names(known_names), allow_names, _placeholders(lang))


def _names(known_names: Iterable[object]) -> tuple[str, ...]:
    return tuple(sorted({str(n) for n in known_names if isinstance(n, str) and n.strip()}))


def _placeholders(lang: str) -> dict[str, str]:
    """Placeholder text per kind in ``lang`` (read per call: company overrides may change it)."""
    return {kind: t(f"voc_pseudonym_{kind}", lang) for kind in PLACEHOLDER_KINDS}


# Cheap substring tests before the costly patterns: every match of the pattern contains one of the words,
# so a text without any cannot match (the patterns scan every position; a substring test is a C loop).
#: every street address ``_ADDRESS`` finds contains one of these
_ADDRESS_HINTS = ("straße", "strasse", "str.", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer", "chaussee",
                  "steige", "markt", "Straße", "Strasse", "Str.", "Weg", "Platz", "Allee", "Gasse", "Ring", "Damm",
                  "Am ", "An der ", "Im ", "Auf der ")
#: every title ``_TITLED_NAME`` finds starts with one of these
_TITLE_HINTS = ("Herr", "Frau", "Hr.", "Fr.", "Mr", "Ms", "Dr.", "Prof.")
#: the lower-cased text of every customer number ``_CUSTOMER_NO`` finds contains one of these ...
_CUSTOMER_HINTS = ("kunden", "kd", "knr", "customer", "account", "client")
#: ... unless the text has a character the case-insensitive pattern folds onto a Latin letter although
#: lower() does not (Kelvin sign, long s, dotted/dotless i: all above U+00FF)
_LATIN1_MAX = "\xff"


def _may_hold_customer_no(text: str) -> bool:
    if max(text) > _LATIN1_MAX:
        return True
    low = text.lower()
    return any(map(low.__contains__, _CUSTOMER_HINTS))


def _pseudonymise(text: str, names: tuple[str, ...], allow_names: bool, ph: dict[str, str]) -> str:
    """:func:`pseudonymise` of a non-empty text with the names and placeholders prepared once."""
    if "/" in text:
        text = _URL.sub(ph["url"], text)
    if "@" in text:
        text = _EMAIL.sub(ph["email"], text)
        text = _HANDLE.sub(ph["handle"], text)
    if _may_hold_customer_no(text):
        text = _CUSTOMER_NO.sub(lambda m: m.group(1) + ph["customer"], text)
    text = _IBAN.sub(ph["iban"], text)
    if any(map(text.__contains__, _ADDRESS_HINTS)):
        text = _ADDRESS.sub(ph["address"], text)
    text = _POSTCODE_CITY.sub(ph["address"], text)
    text = _PHONE.sub(ph["phone"], text)
    if not allow_names:
        if any(map(text.__contains__, _TITLE_HINTS)):
            text = _TITLED_NAME.sub(ph["name"], text)
        if names:
            text = _replace_known_names(text, names, ph["name"])
    return text


def pseudonymise_many(texts: Iterable[object], *, known_names: Iterable[str] = (), allow_names: bool = False,
                      lang: str = "de") -> list[str]:
    """:func:`pseudonymise` for each text; identical texts are processed once."""
    names = _names(known_names)
    ph: dict[str, str] | None = None
    cache: dict[str, str] = {"": ""}
    out = []
    for text in texts:
        if not isinstance(text, str):
            out.append("")
            continue
        if text not in cache:
            ph = ph or _placeholders(lang)
            cache[text] = _pseudonymise(text, names, allow_names, ph)
        out.append(cache[text])
    return out
