"""Header-alias presets: how each real export's columns map onto the canonical tables.

A :class:`Preset` describes one tool's export (HubSpot contacts, Google Ads, a German
hand-kept sheet, ...). For every canonical table it covers, a :class:`TablePreset` lists

``aliases``
    canonical column -> header spellings, best first (new names before old, any UI
    language). Compared normalised (see :func:`normalize_header`), so case, non-breaking
    spaces, quotes, a BOM and a trailing ``:`` do not matter. A spelling starting with
    ``re:`` is a regular expression matched against the whole normalised header; its
    named groups become constants (``re:amount spent \\((?P<currency>[a-z]{3})\\)``
    takes the currency of Meta's ``Amount spent (EUR)``). Keys starting with ``_``
    are helper parts, not canonical columns: they only feed ``combine``.
``combine``
    canonical column -> :class:`Combine`, for exports that split one field (Trustpilot
    title + content = text, first + last name) or pack two into one (GA4
    ``Session source / medium``). Used only when no header maps to the column directly,
    unless the recipe lists the column itself as a part (HubSpot drill-down 1 + 2).
    :meth:`ColumnResolution.add_derived` builds these columns.
``constants``
    values for columns the export does not contain (Google Ads: platform, channel).
``value_maps``
    canonical column -> {raw value casefolded: canonical value} (German topic names,
    ``hoch`` -> ``high``, ``Messe`` -> ``trade_fairs``). Values not listed stay as they are.
``number_style``, ``date_formats``, ``footer_patterns``, ``extra_header_rows``
    how the reader and converter treat the file.

:func:`resolve_columns` applies a preset plus the params' per-file overrides to a
file's headers and returns a :class:`ColumnResolution`.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from . import schema
from ..errors import ParamsError

REGEX_PREFIX = "re:"
#: below this similarity no header is suggested for a missing column
CLOSEST_CUTOFF = 0.6

_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u201c": '"', "\u201d": '"',
                         "\u201e": '"', "\u2018": "'", "\u2019": "'"})


def _light(text: object) -> str:
    """Normalisation shared with the reader, so a header found there matches a preset token here."""
    from .readers import normalize_header

    return normalize_header(text)


def normalize_header(text: object) -> str:
    """Header as compared with aliases: casefolded, single spaces, no BOM/quotes/trailing ``:``, plain dashes."""
    s = _light(str(text if text is not None else "").translate(_DASHES))
    s = s.rstrip(":").rstrip()
    while len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        s = s[1:-1].strip()
    return s


@dataclass(frozen=True)
class Combine:
    """A canonical column built from other columns of the same file.

    ``how``: ``"join"`` joins the non-empty parts with ``sep``; ``"first"`` takes the
    first non-empty part (Pipedrive won time / lost time -> close_date); ``"split"``
    splits the single part on ``sep`` and takes element ``index``.
    Parts are alias keys of the same table (canonical columns or ``_helpers``).
    """

    parts: tuple[str, ...]
    how: str = "join"
    sep: str = " | "
    index: int = 0

    def __post_init__(self) -> None:
        if self.how not in ("join", "first", "split", "credit"):
            raise ValueError(f"Combine.how must be join, first, split or credit (got {self.how!r})")


@dataclass(frozen=True)
class TablePreset:
    """How one export maps onto one canonical table (see the module docstring)."""

    aliases: Mapping[str, tuple[str, ...]]
    number_style: str = "auto"
    date_formats: tuple[str, ...] = ("iso",)
    constants: Mapping[str, object] = field(default_factory=dict)
    value_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    footer_patterns: tuple[str, ...] = ()
    extra_header_rows: int = 0
    combine: Mapping[str, Combine] = field(default_factory=dict)
    #: canonical column -> the tool, where the preset's header is a custom property (HubSpot's "Sales Feedback
    #: Date"), not one the tool has by default: a portal without it exports no such column, and notes say so
    custom: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Preset:
    """One tool's export format; ``howto``/``howto_de`` tell the user how to download it."""

    name: str
    title: str
    tables: Mapping[str, TablePreset]
    howto: str
    howto_de: str


class UnknownPresetError(ParamsError, KeyError):
    """A params file names a preset that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass
class ColumnResolution:
    """Result of :func:`resolve_columns` for one file.

    ``mapping``: header as written -> canonical column (or ``_helper`` part);
    ``derived``: label -> canonical column built by :meth:`add_derived` (label like
    ``"Review Title + Review Content"``); ``constants``: preset constants and values
    taken from headers, for columns the file lacks; ``missing_required``: required
    columns neither mapped, derived nor constant; ``unmapped``: headers nothing uses;
    ``unmatched_overrides``: override spellings not found in the file.
    """

    table: str
    mapping: dict[str, str]
    missing_required: list[str]
    unmapped: list[str]
    derived: dict[str, str] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    unmatched_overrides: dict[str, list[str]] = field(default_factory=dict)
    _spellings: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _recipes: dict[str, tuple[Combine, tuple[str, ...]]] = field(default_factory=dict, repr=False)

    def closest(self, canonical: str) -> str | None:
        """The unmapped header most similar to any spelling of ``canonical`` (None if nothing is close)."""
        spellings = {normalize_header(s) for s in self._spellings.get(canonical, ())}
        spellings |= {canonical, canonical.replace("_", " ")}
        best, best_score = None, CLOSEST_CUTOFF
        for header in self.unmapped:
            h = normalize_header(header)
            score = max(difflib.SequenceMatcher(None, h, s).ratio() for s in spellings)
            if score > best_score:
                best, best_score = header, score
        return best

    def signed_by_credit_flag(self) -> set[str]:
        """Canonical columns whose sign comes from a debit/credit flag (negative rows are credit notes)."""
        return {self.derived[label] for label, (recipe, _) in self._recipes.items() if recipe.how == "credit"}

    def add_derived(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return ``frame`` plus one column per entry of ``derived`` (named by its label)."""
        out = frame.copy()
        for label, (recipe, headers) in self._recipes.items():
            out[label] = _derive(frame, recipe, headers)
        return out


def _is_blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))


def _blank_to_na(values: pd.Series) -> pd.Series:
    s = values.astype(object)
    if pd.api.types.infer_dtype(s, skipna=False) == "string":  # CSV cells: vectorised
        return s.where(s.str.strip() != "", None)
    return s.where(~s.map(_is_blank).astype(bool), None)


_CREDIT_FLAGS = ("H", "HABEN", "C", "CR", "CREDIT")


def _derive(frame: pd.DataFrame, recipe: Combine, headers: tuple[str, ...]) -> pd.Series:
    parts = [_blank_to_na(frame[h]) for h in headers]
    if recipe.how == "first":
        acc = parts[0]
        for p in parts[1:]:
            acc = acc.where(acc.notna(), p)
        return acc
    texts = [p.astype("string").str.strip() for p in parts]
    if recipe.how == "credit":
        amount, flag = texts[0], texts[1].str.upper()
        credit = flag.isin(_CREDIT_FLAGS).fillna(False)
        return amount.where(~credit | amount.isna(), "-" + amount.str.lstrip("+"))
    if recipe.how == "split":
        piece = texts[0].str.split(recipe.sep, n=1, regex=False).str.get(recipe.index)
        piece = piece.astype("string").str.strip()
        return piece.where(piece != "", pd.NA)
    acc = texts[0]
    for p in texts[1:]:
        joined = acc + recipe.sep + p
        acc = joined.where(acc.notna() & p.notna(), acc.fillna(p))
    return acc


# --- resolution ---------------------------------------------------------------------------


def get_preset(name: str) -> Preset:
    """Return the preset called ``name``; unknown names raise with the known ones and a suggestion."""
    key = str(name).strip().casefold().replace("-", "_").replace(" ", "_")
    if key in PRESETS:
        return PRESETS[key]
    close = difflib.get_close_matches(key, list(PRESETS), n=1, cutoff=0.5)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    raise UnknownPresetError(f'unknown preset "{name}"; {hint}known presets: {", ".join(sorted(PRESETS))}')


def list_presets() -> list[Preset]:
    """All presets, sorted by name."""
    return [PRESETS[k] for k in sorted(PRESETS)]


def _table_preset(preset: Preset, table: str) -> TablePreset:
    if table not in preset.tables:
        raise KeyError(f"preset {preset.name!r} has no mapping for table {table!r}; it covers: {', '.join(preset.tables)}")
    return preset.tables[table]


def _override_spellings(overrides: Mapping[str, str | list[str]] | None, known: Iterable[str],
                        preset: Preset, table: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    known = list(known)
    for canonical, headers in (overrides or {}).items():
        if canonical not in known:
            close = difflib.get_close_matches(str(canonical), known, n=1)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            raise ParamsError(f'columns.{canonical}: "{canonical}" is not a column of table {table} '
                              f'(preset {preset.name}); {hint}columns: {", ".join(known)}')
        spellings = [headers] if isinstance(headers, str) else list(headers)
        result[canonical] = [str(s) for s in spellings]
    return result


def resolve_columns(headers: list[str], preset: Preset, table: str,
                    overrides: Mapping[str, str | list[str]] | None = None) -> ColumnResolution:
    """Map a file's ``headers`` onto the canonical columns of ``table``.

    ``overrides`` (from params) map canonical column -> header or list of headers and
    win over the preset. When several headers fit one column, the override wins, then
    the earlier spelling in the preset's alias tuple; the others stay unmapped.
    """
    tp = _table_preset(preset, table)
    spec = schema.table(table)
    known = list(dict.fromkeys([*spec.names, *tp.aliases]))
    over = _override_spellings(overrides, known, preset, table)
    norm = [normalize_header(h) for h in headers]
    taken: dict[int, str] = {}
    assigned: dict[str, int] = {}
    captured: dict[str, object] = {}
    unmatched: dict[str, list[str]] = {}

    def take(target: str, spelling: str) -> bool:
        if spelling.startswith(REGEX_PREFIX):
            pattern = re.compile(spelling[len(REGEX_PREFIX):], re.IGNORECASE)
            for i, h in enumerate(norm):
                m = pattern.fullmatch(h) if i not in taken else None
                if m:
                    taken[i], assigned[target] = target, i
                    captured.update({k: v.upper() if k == "currency" else v for k, v in m.groupdict().items() if v})
                    return True
            return False
        wanted = normalize_header(spelling)
        for i, h in enumerate(norm):
            if h == wanted and i not in taken:
                taken[i], assigned[target] = target, i
                return True
        return False

    for target, spellings in over.items():
        if not any(take(target, s) for s in spellings):
            unmatched[target] = spellings
    for target, aliases in tp.aliases.items():
        if target not in assigned:
            any(take(target, a) for a in aliases)

    derived: dict[str, str] = {}
    recipes: dict[str, tuple[Combine, tuple[str, ...]]] = {}
    for target, recipe in tp.combine.items():
        # a recipe that lists its own target extends the mapped column (drill-down 1 + 2)
        extends = target in recipe.parts
        if target in assigned and not extends:
            continue
        found = tuple(headers[assigned[p]] for p in recipe.parts if p in assigned)
        if not found or (recipe.how == "split" and recipe.parts[0] not in assigned):
            continue
        if extends and len(found) == 1 and target in assigned:
            continue
        label = f"{found[0]} [{target}]" if recipe.how == "split" else " + ".join(found)
        derived[label] = target
        recipes[label] = (recipe, found)

    present = set(assigned) | set(derived.values())
    constants = {k: v for k, v in {**tp.constants, **captured}.items() if k not in present}
    missing = [c for c in spec.required if c not in present and c not in constants]
    spellings = {t: tuple(over.get(t, ())) + tuple(a for a in tp.aliases.get(t, ()) if not a.startswith(REGEX_PREFIX))
                 for t in known}
    return ColumnResolution(
        table=table,
        mapping={headers[i]: t for i, t in sorted(taken.items())},
        missing_required=missing,
        unmapped=[h for i, h in enumerate(headers) if i not in taken],
        derived=derived,
        constants=constants,
        unmatched_overrides=unmatched,
        _spellings=spellings,
        _recipes=recipes,
    )


#: headers that carry a lead's status or stage in some tool or sheet (compared normalised); when the
#: preset does not map one, ``validate`` says which params key would (:func:`status_like_headers`)
STATUS_LIKE_HEADERS: frozenset[str] = frozenset({
    "status", "lead status", "lead-status", "leadstatus", "lifecycle stage", "lifecycle", "lebenszyklusphase",
    "lebenszyklus-phase", "phase", "stage", "deal stage", "lead stage", "stufe", "qualifizierung",
    "qualification status", "status reason", "statusgrund", "lead-phase", "anfragestatus",
})
#: the lead columns a status-like header can fill, in the order they are offered
STATUS_COLUMNS = ("lifecycle_stage", "lead_status")


def status_like_headers(res: ColumnResolution) -> list[tuple[str, str]]:
    """Unmapped headers of a leads file that look like a status, each with the lead column to map it to
    (``lifecycle_stage`` first, then ``lead_status``; none when both are mapped already)."""
    if res.table != "leads":
        return []
    free = [c for c in STATUS_COLUMNS if c not in res.mapping.values() and c not in res.derived.values()]
    out = []
    for header in res.unmapped:
        if free and normalize_header(header) in STATUS_LIKE_HEADERS:
            out.append((header, free.pop(0)))
    return out


def header_tokens(preset: Preset, table: str, overrides: Mapping[str, str | list[str]] | None = None) -> set[str]:
    """Normalised header spellings the preset knows for ``table`` (for finding the header row)."""
    tp = _table_preset(preset, table)
    spellings = [a for aliases in tp.aliases.values() for a in aliases if not a.startswith(REGEX_PREFIX)]
    for headers in (overrides or {}).values():
        spellings += [headers] if isinstance(headers, str) else list(headers)
    tokens = {normalize_header(s) for s in spellings} | {_light(s) for s in spellings}
    return tokens - {""}


def map_values(values: pd.Series, value_map: Mapping[str, str] | None) -> pd.Series:
    """Replace raw values found in ``value_map`` (keys compared casefolded and stripped); keep the rest."""
    if not value_map:
        return values
    lookup = {str(k).strip().casefold(): v for k, v in value_map.items()}

    def one(v: object) -> object:
        if isinstance(v, str):
            return lookup.get(v.strip().casefold(), v)
        return v

    return values.map(one)


# --- preset data --------------------------------------------------------------------------
# Spellings are listed best first: current English UI name, older names, then other UI
# languages. Where a header's meaning is unconfirmed, the reference note says [U].


def _with_canonical(table: str, aliases: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Append every canonical name (and its spaced form) as a last-resort alias."""
    out = {k: tuple(v) for k, v in aliases.items()}
    for name in schema.table(table).names:
        extra = (name, name.replace("_", " "))
        out[name] = out.get(name, ()) + tuple(e for e in extra if e not in out.get(name, ()))
    return out


_CHANNEL_VALUES_DE = {
    "messe": "trade_fairs", "messen": "trade_fairs", "messen & events": "trade_fairs", "events": "trade_fairs",
    "webinar": "webinars", "webinare": "webinars",
    "e-mail": "email", "email": "email", "newsletter": "email", "mailing": "email",
    "partner": "partners", "händler": "partners", "vertriebspartner": "partners",
    "seo/content": "organic_search", "seo": "organic_search", "content": "organic_search",
    "organische suche": "organic_search",
    "google ads": "paid_search", "sea": "paid_search", "suchmaschinenwerbung": "paid_search",
    "adwords": "paid_search",
    "linkedin": "linkedin", "linkedin ads": "linkedin",
    "social media": "paid_social", "meta": "paid_social", "facebook": "paid_social",
    "vertrieb": "sales_outbound", "kaltakquise": "sales_outbound", "outbound": "sales_outbound",
    "direkt": "direct", "website": "direct", "webseite": "direct",
    "empfehlung": "referral", "sonstiges": "other", "sonstige": "other",
}
_TOPIC_DE = {
    "produkt": "product", "produkte": "product", "preis": "price", "preise": "price",
    "kampagne": "campaign", "werbung": "campaign", "messe": "trade_fair", "messen": "trade_fair",
    "personal": "hiring", "stellenanzeige": "hiring", "recruiting": "hiring",
    "partnerschaft": "partnership", "kooperation": "partnership", "presse": "press", "pr": "press",
    "sonstiges": "other", "sonstige": "other",
}
_IMPACT_DE = {"hoch": "high", "mittel": "medium", "niedrig": "low", "gering": "low"}
_PRICE_BASIS_DE = {"netto": "net", "brutto": "gross", "zzgl. mwst.": "net", "inkl. mwst.": "gross"}
_PRICE_TYPE_DE = {"listenpreis": "list", "liste": "list", "aktion": "promo", "aktionspreis": "promo",
                  "sonderangebot": "promo", "angebot": "quote", "angebotspreis": "quote"}
_STATUS_DE = {"offen": "open", "gewonnen": "won", "verloren": "lost", "abgesagt": "lost"}
_SCALE_DE = {"nps": "nps_0_10", "sterne": "stars_1_5", "zufriedenheit": "csat_1_5"}

_DE_DATES = ("%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%y", "excel", "iso")
_TOTALS_DE = (r"^(gesamt|summe|total)\b",)
_SALESFORCE_FOOTER = (r"^grand totals?\b", r"^confidential information\b", r"^copyright\b")

_GENERIC_DE = {
    "leads": TablePreset(
        aliases={
            "lead_id": ("Nr.", "ID", "Anfrage-Nr.", "Anfragenummer", "Lead-ID", "Kontakt-ID"),
            "created_date": ("Anfragedatum", "Erstellt am", "Eingangsdatum", "Eingang", "Datum", "Erstelldatum"),
            "source_raw": ("Quelle", "Herkunft", "Lead-Quelle", "Leadquelle"),
            "source_detail": ("Quelle (Detail)", "Details zur Quelle", "Herkunft (Detail)"),
            "channel": ("Kanal", "Marketingkanal"),
            "campaign": ("Kampagne", "Aktion"),
            "company": ("Firma", "Kunde", "Unternehmen", "Firmenname"),
            "mql_date": ("MQL-Datum", "MQL am"),
            "sql_date": ("SQL-Datum", "SQL am"),
            "opportunity_date": ("Opportunity-Datum", "Angebot am"),
            "customer_date": ("Kunde seit", "Auftrag am"),
            "first_response_date": ("Erstkontakt", "Erste Reaktion", "Erstkontakt Vertrieb"),
            "sales_feedback_date": ("Rückmeldung Vertrieb", "Vertriebsrückmeldung"),
            "rejection_reason": ("Ablehnungsgrund", "Grund der Ablehnung"),
            "lifecycle_stage": ("Phase", "Status", "Lead-Status"),
            "country": ("Land",),
            "industry": ("Branche",),
            "owner": ("Verantwortlich", "Zuständig", "Vertriebler", "Betreuer"),
            "account_id": ("Kundennummer", "Kunden-Nr.", "Kundennr."),
            "contact_name": ("Ansprechpartner", "Kontakt", "Name"),
            "contact_email": ("E-Mail", "E-Mail-Adresse"),
        },
        value_maps={"channel": _CHANNEL_VALUES_DE},
    ),
    "deals": TablePreset(
        aliases={
            "deal_id": ("Nr.", "ID", "Auftrags-Nr.", "Auftragsnummer", "Angebots-Nr.", "Angebotsnummer", "Deal-ID"),
            "created_date": ("Erstellt am", "Angebotsdatum", "Anlagedatum", "Datum"),
            "stage": ("Phase", "Vertriebsphase", "Stufe", "Status"),
            "status": ("Status",),
            "amount": ("Auftragswert", "Auftragswert (€)", "Umsatz (€)", "Umsatz", "Betrag (€)", "Betrag",
                       "Wert", "Angebotswert", "Volumen"),
            "currency": ("Währung",),
            "deal_name": ("Bezeichnung", "Titel", "Projekt"),
            "close_date": ("Abschlussdatum", "Abschluss am", "Abgeschlossen am"),
            "expected_close_date": ("Erwarteter Abschluss", "Geplanter Abschluss"),
            "owner": ("Verantwortlich", "Zuständig", "Vertriebler", "Betreuer"),
            "company": ("Firma", "Kunde", "Unternehmen"),
            "account_id": ("Kundennummer", "Kunden-Nr.", "Kundennr."),
            "lead_id": ("Anfrage-Nr.", "Anfragenummer", "Lead-ID"),
            "lead_source": ("Quelle", "Herkunft", "Lead-Quelle"),
            "channel": ("Kanal",),
            "campaign": ("Kampagne",),
            "deal_type": ("Auftragsart", "Geschäftsart", "Art", "Typ"),
            "lost_reason": ("Verlustgrund", "Absagegrund", "Grund (verloren)"),
            "probability": ("Wahrscheinlichkeit", "Wahrscheinlichkeit (%)"),
        },
        value_maps={"status": _STATUS_DE, "channel": _CHANNEL_VALUES_DE},
        footer_patterns=_TOTALS_DE,
    ),
    "touchpoints": TablePreset(
        aliases={
            "lead_id": ("Anfrage-Nr.", "Kontakt-ID", "Lead-ID", "Nr.", "ID"),
            "timestamp": ("Zeitpunkt", "Datum/Uhrzeit", "Datum"),
            "channel": ("Kanal",),
            "campaign": ("Kampagne",),
            "source": ("Quelle",),
            "medium": ("Medium",),
            "touch_type": ("Kontaktart", "Interaktion", "Art"),
        },
        value_maps={"channel": _CHANNEL_VALUES_DE},
    ),
    "spend": TablePreset(
        aliases={
            "date": ("Datum", "Tag", "Zeitraum ab", "Von", "Monat"),
            "period_end": ("Zeitraum bis", "Bis", "Enddatum"),
            "cost": ("Kosten (€)", "Kosten", "Kosten netto", "Betrag (€)", "Betrag", "Ausgaben"),
            "currency": ("Währung",),
            "channel": ("Kanal",),
            "platform": ("Plattform", "Anbieter", "Dienstleister"),
            "campaign": ("Kampagne", "Maßnahme"),
            "campaign_id": ("Kampagnen-ID",),
            "impressions": ("Impressionen", "Einblendungen"),
            "clicks": ("Klicks",),
            "conversions": ("Conversions", "Konversionen"),
            "leads": ("Leads", "Anfragen"),
        },
        value_maps={"channel": _CHANNEL_VALUES_DE},
        footer_patterns=_TOTALS_DE,
    ),
    "feedback": TablePreset(
        aliases={
            "feedback_id": ("Nr.", "ID", "Ticket-Nr.", "Ticketnummer", "Vorgangsnummer"),
            "date": ("Datum", "Eingang", "Erstellt am"),
            "source": ("Quelle", "Herkunft", "Kanal"),
            "company": ("Kunde", "Firma", "Unternehmen"),
            "contact_name": ("Ansprechpartner", "Kontakt", "Name"),
            "contact_email": ("E-Mail", "E-Mail-Adresse"),
            "product": ("Produkt",),
            "segment": ("Segment", "Kundensegment"),
            "score": ("Bewertung", "NPS", "Punkte"),
            "score_scale": ("Skala",),
            "text": ("Kommentar", "Text", "Rückmeldung", "Anmerkung", "Freitext", "Beschreibung"),
            "title": ("Betreff", "Titel"),
            "language": ("Sprache",),
            "tags": ("Schlagworte", "Kategorie"),
            "status": ("Status",),
            "account_id": ("Kundennummer", "Kunden-Nr."),
        },
        # the bundled sheet holds NPS answers; a company with other scores sets constants.score_scale
        constants={"score_scale": "nps_0_10"},
        value_maps={"score_scale": _SCALE_DE},
    ),
    "competitor_observations": TablePreset(
        aliases={
            "date": ("Datum", "Beobachtet am"),
            "competitor": ("Wettbewerber", "Mitbewerber", "Konkurrent"),
            "topic": ("Thema", "Kategorie"),
            "summary": ("Beobachtung", "Zusammenfassung", "Beschreibung", "Notiz"),
            "source_url": ("Quelle", "Link", "URL", "Fundstelle"),
            "observed_by": ("Beobachtet von", "Erfasst von"),
            "impact": ("Bedeutung", "Relevanz", "Auswirkung", "Wichtigkeit"),
            "region": ("Region", "Gebiet"),
            "segment": ("Segment",),
            "product": ("Produkt",),
        },
        value_maps={"topic": _TOPIC_DE, "impact": _IMPACT_DE},
    ),
    "competitor_prices": TablePreset(
        aliases={
            "observed_date": ("Datum", "Beobachtet am", "Stand"),
            "competitor": ("Wettbewerber", "Mitbewerber", "Konkurrent"),
            "product": ("Produkt", "Artikel"),
            "price": ("Preis", "Preis (€)", "Nettopreis", "Preis netto"),
            "currency": ("Währung",),
            "unit": ("Einheit", "Preiseinheit"),
            "price_basis": ("Netto/Brutto", "Preisbasis"),
            "price_type": ("Preisart",),
            "our_product": ("Vergleichsprodukt", "Unser Produkt", "Eigenes Produkt"),
            "min_quantity": ("Mindestmenge", "Ab Menge", "Staffel ab"),
            "source": ("Quelle", "Link", "URL"),
        },
        value_maps={"price_basis": _PRICE_BASIS_DE, "price_type": _PRICE_TYPE_DE},
    ),
    "competitor_messaging": TablePreset(
        aliases={
            "date": ("Datum",),
            "competitor": ("Wettbewerber", "Mitbewerber", "Konkurrent"),
            "location": ("Ort", "Fundort", "Stelle"),
            "text": ("Text", "Botschaft", "Claim", "Aussage"),
            "source_url": ("Quelle", "Link", "URL"),
        },
    ),
    "web_traffic": TablePreset(
        aliases={
            "date": ("Datum",),
            "channel_group": ("Channelgruppe", "Kanalgruppe", "Kanal"),
            "sessions": ("Sitzungen",),
            "engaged_sessions": ("Sitzungen mit Interaktionen", "Sitzungen mit Interaktion"),
            "key_events": ("Schlüsselereignisse", "Conversions"),
            "source": ("Quelle",),
            "medium": ("Medium",),
            "campaign": ("Kampagne",),
        },
    ),
    "goals": TablePreset(
        aliases={
            "goal_id": ("Nr.", "ID", "Ziel-Nr."),
            "title": ("Ziel", "Titel", "Bezeichnung"),
            "metric": ("Kennzahl", "KPI", "Metrik"),
            "baseline": ("Ausgangswert", "Basiswert", "Startwert"),
            "target": ("Zielwert",),
            "deadline": ("Frist", "Stichtag", "Termin", "Bis"),
            "owner": ("Verantwortlich", "Zuständig"),
            "start": ("Beginn", "Start", "Ab"),
        },
    ),
    # the controller's hand-kept sheets: plan (budget lines and company plan) and monthly actuals (BWA)
    "plan": TablePreset(
        aliases={
            "month": ("Monat", "Planmonat", "Periode", "Datum"),
            "channel": ("Kanal", "Marketingkanal"),
            "cost_centre": ("Kostenstelle", "KOST1", "Kst."),
            "marketing_budget": ("Marketingbudget (€)", "Marketingbudget", "Budget (€)", "Budget", "Plan Marketing (€)"),
            "revenue_plan": ("Umsatzplan (€)", "Umsatzplan", "Plan Umsatz (€)", "Umsatz Plan (€)", "Umsatz Plan"),
            "order_intake_plan": ("Auftragseingang Plan (€)", "Auftragseingang Plan", "AE Plan (€)", "Plan Auftragseingang (€)"),
            "marketing_order_intake_plan": ("Auftragseingang Marketing Plan (€)", "AE Marketing Plan (€)",
                                            "Plan Auftragseingang Marketing (€)"),
            "marketing_revenue_plan": ("Umsatz Marketing Plan (€)", "Plan Umsatz Marketing (€)"),
        },
        value_maps={"channel": _CHANNEL_VALUES_DE},
    ),
    "company_actuals": TablePreset(
        aliases={
            "month": ("Monat", "Periode", "Buchungsmonat", "Datum"),
            "revenue": ("Umsatz (€)", "Umsatz", "Umsatzerlöse (€)", "Umsatzerlöse", "Nettoumsatz (€)", "Erlöse (€)"),
            "order_intake": ("Auftragseingang (€)", "Auftragseingang", "AE (€)", "AE"),
            "source": ("Quelle", "Herkunft"),
        },
    ),
}
GENERIC_DE = Preset(
    "generic_de", "German spreadsheet (hand-kept Excel or CSV)",
    {name: TablePreset(**{**tp.__dict__, "aliases": _with_canonical(name, tp.aliases),
                          "number_style": "de", "date_formats": _DE_DATES})
     for name, tp in _GENERIC_DE.items()},
    howto="Keep one sheet per table with the German headers of the bundled templates (Datum, Kanal, "
          "Kampagne, Kosten (€), ...); save as .xlsx or as CSV from Excel.",
    howto_de="Je Tabelle ein Blatt mit den deutschen Spaltenköpfen der mitgelieferten Vorlagen führen "
             "(Datum, Kanal, Kampagne, Kosten (€), ...) und als .xlsx oder aus Excel als CSV speichern.",
)

_EN_EXTRA: dict[str, dict[str, tuple[str, ...]]] = {
    "leads": {"lead_id": ("ID", "Lead"), "created_date": ("Created", "Created at", "Date created", "Date"),
              "source_raw": ("Source", "Lead source"), "mql_date": ("MQL date",), "sql_date": ("SQL date",),
              "company": ("Account",), "contact_email": ("Email",), "contact_name": ("Name", "Contact"),
              # a hand-kept list's one status column ("Qualified", "Converted", "Disqualified")
              "lead_status": ("Status", "Lead status")},
    "deals": {"deal_id": ("ID", "Deal"), "created_date": ("Created", "Created at", "Date created", "Date"),
              "amount": ("Value", "Deal value", "Amount (EUR)"), "stage": ("Deal stage",),
              "company": ("Account",), "lost_reason": ("Loss reason",)},
    "touchpoints": {"timestamp": ("Date", "Time"), "touch_type": ("Type", "Interaction type")},
    "spend": {"cost": ("Spend", "Amount", "Cost (EUR)"), "date": ("Day",)},
    "feedback": {"feedback_id": ("ID",), "text": ("Comment", "Feedback"), "score": ("Rating", "NPS"),
                 "contact_email": ("Email",), "contact_name": ("Name", "Contact")},
    "competitor_observations": {"summary": ("Observation", "Note"), "source_url": ("Source", "URL", "Link")},
    "competitor_prices": {"observed_date": ("Date",), "price_basis": ("Net/gross",)},
    "competitor_messaging": {"source_url": ("Source", "URL", "Link")},
    "goals": {"goal_id": ("ID",), "title": ("Goal",)},
}
GENERIC_EN = Preset(
    "generic_en", "Generic sheet with English or canonical headers",
    {name: TablePreset(aliases=_with_canonical(name, {k: v for k, v in _EN_EXTRA.get(name, {}).items()}),
                       number_style="en", date_formats=("iso", "excel"))
     for name in schema.TABLES},
    howto="Name the columns with the canonical names (lead_id, created_date, source_raw, ...) or their plain "
          "English form (Lead ID, Created Date); dates as YYYY-MM-DD, numbers as 1234.56.",
    howto_de="Spalten mit den kanonischen Namen (lead_id, created_date, source_raw, ...) oder ihrer englischen "
             "Schreibweise (Lead ID, Created Date) benennen; Datum als JJJJ-MM-TT, Zahlen als 1234.56.",
)

_MQL_NEW = 'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"'
_SQL_NEW = 'Date entered "Sales Qualified Lead (Lifecycle Stage Pipeline)"'
_HUBSPOT_DATES = ("iso", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y")

HUBSPOT_CONTACTS = Preset(
    "hubspot_contacts", "HubSpot contacts export",
    {"leads": TablePreset(
        aliases={
            "lead_id": ("Record ID", "Contact ID"),
            "created_date": ("Create Date", "Created Date"),
            "source_raw": ("Original Traffic Source", "Original Source"),
            "source_detail": ("Original Traffic Source Drill-Down 1", "Original Source Drill-Down 1"),
            "_detail_2": ("Original Traffic Source Drill-Down 2", "Original Source Drill-Down 2"),
            "lifecycle_stage": ("Lifecycle Stage",),
            "lead_status": ("Lead Status",),
            "deal_id": ("Associated Deal IDs", "Associated Deal ID"),
            "mql_date": ("Became a Marketing Qualified Lead Date", _MQL_NEW),
            "sql_date": ("Became a Sales Qualified Lead Date", _SQL_NEW),
            "opportunity_date": ("Became an Opportunity Date",),
            "customer_date": ("Became a Customer Date",),
            "first_response_date": ("Date of first engagement", "First Engagement Date"),
            "sales_feedback_date": ("Sales Feedback Date",),
            "rejection_reason": ("Unqualified Reason", "Lead Rejection Reason"),
            "company": ("Company Name", "Associated Company (Primary)", "Associated Company"),
            "account_id": ("Associated Company IDs (Primary)", "Associated Company ID"),
            "country": ("Country/Region", "Country"),
            # a custom territory property where the portal has one (params columns: for its own label)
            "region": ("Sales Region", "Sales Territory", "State/Region"),
            "industry": ("Industry",),
            "owner": ("Contact owner", "HubSpot Owner"),
            "campaign": ("First Conversion Campaign",),
            "contact_email": ("Email",),
            "_first_name": ("First Name",),
            "_last_name": ("Last Name",),
        },
        number_style="en", date_formats=_HUBSPOT_DATES,
        combine={"source_detail": Combine(("source_detail", "_detail_2")),
                 "contact_name": Combine(("_first_name", "_last_name"), sep=" ")},
        custom={"sales_feedback_date": "HubSpot", "region": "HubSpot"},
    )},
    howto="In HubSpot open CRM > Contacts (view: All contacts), click Export, choose 'All properties on records' "
          "and the file format CSV; HubSpot e-mails a download link.",
    howto_de="In HubSpot CRM > Kontakte (Ansicht: Alle Kontakte) öffnen, auf „Exportieren“ klicken, "
             "„Alle Eigenschaften der Datensätze“ und das Format CSV wählen; HubSpot schickt den Download-Link per E-Mail.",
)

HUBSPOT_DEALS = Preset(
    "hubspot_deals", "HubSpot deals export",
    {"deals": TablePreset(
        aliases={
            "deal_id": ("Record ID", "Deal ID"),
            "deal_name": ("Deal Name",),
            "pipeline": ("Pipeline",),
            "stage": ("Deal Stage",),
            "amount": ("Amount", "Amount in company currency"),
            "currency": ("Currency", "Deal currency code"),
            "close_date": ("Close Date",),
            "created_date": ("Create Date", "Created Date"),
            "owner": ("Deal owner", "HubSpot Owner"),
            "deal_type": ("Deal Type",),
            "company": ("Associated Company (Primary)", "Associated Company"),
            "account_id": ("Associated Company IDs (Primary)", "Associated Company ID"),
            # first associated contact; a list like "101;102" keeps its first id in the reader [U]
            "lead_id": ("Associated Contact IDs", "Associated Contact ID"),
            "lost_reason": ("Closed Lost Reason",),
            "lead_source": ("Original Traffic Source", "Original Source", "Original Source Type"),
            "source_detail": ("Original Traffic Source Drill-Down 1", "Original Source Drill-Down 1"),
            "probability": ("Deal probability",),
        },
        number_style="en", date_formats=_HUBSPOT_DATES,
    )},
    howto="In HubSpot open CRM > Deals (view: All deals, all pipelines), click Export, choose "
          "'All properties on records' and CSV.",
    howto_de="In HubSpot CRM > Deals (Ansicht: Alle Deals, alle Pipelines) öffnen, auf „Exportieren“ klicken, "
             "„Alle Eigenschaften der Datensätze“ und CSV wählen.",
)

_SF_DATES = ("%d.%m.%Y", "%d.%m.%Y %H:%M", "iso", "%m/%d/%Y", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "excel")

SALESFORCE_LEADS = Preset(
    "salesforce_leads", "Salesforce leads report",
    {"leads": TablePreset(
        aliases={
            "lead_id": ("Lead ID", "Lead ID (18)", "Lead-ID"),
            "created_date": ("Create Date", "Created Date", "Erstelldatum", "Erstellt am"),
            "source_raw": ("Lead Source", "Lead-Quelle", "Leadquelle"),
            "lifecycle_stage": ("Lead Status", "Lead-Status"),
            "owner": ("Lead Owner", "Lead-Inhaber"),
            "company": ("Company / Account", "Company", "Firma/Account", "Firma"),
            "country": ("Country", "Land"),
            "industry": ("Industry", "Branche"),
            "campaign": ("Primary Campaign Source", "Campaign Name"),
            "contact_email": ("Email", "E-Mail"),
            "_first_name": ("First Name", "Vorname"),
            "_last_name": ("Last Name", "Nachname"),
            "mql_date": ("MQL Date",),
            "sql_date": ("SQL Date",),
            "opportunity_date": ("Converted Date", "Konvertierungsdatum"),
            "deal_id": ("Converted Opportunity ID", "Converted Opportunity: Opportunity ID", "Konvertierte Opportunity-ID"),
            "rejection_reason": ("Unqualified Reason", "Disqualified Reason"),
        },
        number_style="auto", date_formats=_SF_DATES, footer_patterns=_SALESFORCE_FOOTER,
        combine={"contact_name": Combine(("_first_name", "_last_name"), sep=" ")},
    )},
    howto="In Salesforce open Reports > New Report > Leads, add Lead ID, Lead Source, Create Date and the status "
          "fields, then Export > 'Details Only', format .csv (UTF-8) or .xlsx.",
    howto_de="In Salesforce Berichte > Neuer Bericht > Leads anlegen, Lead-ID, Lead-Quelle, Erstelldatum und die "
             "Statusfelder aufnehmen, dann Exportieren > „Nur Details“, Format .csv (UTF-8) oder .xlsx.",
)

SALESFORCE_OPPORTUNITIES = Preset(
    "salesforce_opportunities", "Salesforce opportunities report",
    {"deals": TablePreset(
        aliases={
            "deal_id": ("Opportunity ID", "Opportunity ID (18)", "Opportunity-ID"),
            "deal_name": ("Opportunity Name", "Opportunity-Name"),
            "stage": ("Stage", "Phase"),
            "amount": ("Amount", "Amount (converted)", "Betrag"),
            "currency": ("Amount Currency", "Opportunity Currency", "Währung"),
            "probability": ("Probability (%)", "Wahrscheinlichkeit (%)"),
            "close_date": ("Close Date", "Schlusstermin"),
            "created_date": ("Created Date", "Create Date", "Erstelldatum"),
            "owner": ("Opportunity Owner", "Opportunity-Inhaber"),
            "company": ("Account Name", "Accountname"),
            "account_id": ("Account ID", "Account-ID"),
            "lead_source": ("Lead Source", "Lead-Quelle"),
            "lead_id": ("Lead ID", "Converted Lead ID"),
            "contact_email": ("Contact: Email", "Email"),
            "deal_type": ("Type", "Typ"),
            "campaign": ("Primary Campaign Source", "Primäre Kampagnenquelle"),
            "lost_reason": ("Loss Reason", "Closed Lost Reason", "Verlustgrund"),
            "pipeline": ("Record Type", "Opportunity Record Type"),
        },
        number_style="auto", date_formats=_SF_DATES, footer_patterns=_SALESFORCE_FOOTER,
    )},
    howto="In Salesforce open Reports > New Report > Opportunities (all opportunities, all time), add Opportunity ID, "
          "then Export > 'Details Only', format .csv (UTF-8) or .xlsx.",
    howto_de="In Salesforce Berichte > Neuer Bericht > Opportunities (alle Opportunities, gesamter Zeitraum) anlegen, "
             "die Opportunity-ID aufnehmen, dann Exportieren > „Nur Details“, Format .csv (UTF-8) oder .xlsx.",
)

PIPEDRIVE_DEALS = Preset(
    "pipedrive_deals", "Pipedrive deals export",
    {"deals": TablePreset(
        aliases={
            "deal_id": ("Deal - ID", "ID"),
            "deal_name": ("Deal - Title", "Title"),
            "amount": ("Deal - Value", "Value"),
            "currency": ("Deal - Currency", "Deal - Currency of value", "Currency"),
            "company": ("Deal - Organization", "Organization", "Deal - Organisation"),
            "owner": ("Deal - Owner", "Owner"),
            "pipeline": ("Deal - Pipeline", "Pipeline"),
            "stage": ("Deal - Stage", "Stage"),
            "status": ("Deal - Status", "Status"),
            "created_date": ("Deal - Deal created", "Deal - Creation date", "Deal - Add time", "Deal created"),
            "expected_close_date": ("Deal - Expected close date", "Expected close date"),
            "close_date": ("Deal - Closed on",),
            "_won_time": ("Deal - Won time", "Won time"),
            "_lost_time": ("Deal - Lost time", "Lost time"),
            "lost_reason": ("Deal - Lost reason", "Lost reason"),
            "probability": ("Deal - Probability", "Probability"),
            "lead_source": ("Deal - Source channel", "Source channel", "Deal - Source origin", "Source origin"),
            "source_detail": ("Deal - Source origin", "Source origin", "Deal - Source channel ID"),
            "contact_email": ("Person - Email", "Deal - Contact person email"),
        },
        number_style="auto", date_formats=("iso", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y", "%m/%d/%Y", "excel"),
        combine={"close_date": Combine(("_won_time", "_lost_time"), how="first")},
        footer_patterns=_TOTALS_DE,
    )},
    howto="In Pipedrive open Deals, switch to the list view with the filter 'All deals' (open, won and lost), "
          "then ... > Export filter results > CSV or Excel.",
    howto_de="In Pipedrive Deals in der Listenansicht mit dem Filter „Alle Deals“ (offen, gewonnen, verloren) öffnen, "
             "dann ... > Filterergebnisse exportieren > CSV oder Excel.",
)

_DYNAMICS_DATES = ("%d.%m.%Y %H:%M", "%d.%m.%Y", "iso", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "excel")
DYNAMICS_LEADS = Preset(
    "dynamics_leads", "Microsoft Dynamics 365 Sales leads (Export to Excel)",
    {"leads": TablePreset(
        aliases={
            "lead_id": ("(Do Not Modify) Lead", "Lead ID"),
            "created_date": ("Created On", "Erstellt am"),
            "source_raw": ("Lead Source", "Leadquelle", "Lead-Quelle"),
            "lifecycle_stage": ("Status", "Statuscode"),
            "lead_status": ("Status Reason", "Statusgrund"),
            "company": ("Company Name", "Firmenname"),
            "contact_email": ("Email", "E-Mail"),
            "contact_name": ("Name", "Full Name", "Vollständiger Name"),
            "owner": ("Owner", "Besitzer"),
            "campaign": ("Source Campaign", "Quellkampagne"),
            "industry": ("Industry", "Branche"),
            "country": ("Country/Region", "Land/Region"),
            "opportunity_date": ("Date Qualified", "Qualifiziert am"),
        },
        number_style="auto", date_formats=_DYNAMICS_DATES,
    )},
    howto="In Dynamics 365 Sales open Leads, choose the view 'All Leads', then Export to Excel > Static worksheet "
          "(the hidden (Do Not Modify) columns carry the ids; keep them).",
    howto_de="In Dynamics 365 Sales Leads öffnen, die Ansicht „Alle Leads“ wählen, dann Nach Excel exportieren > "
             "Statisches Arbeitsblatt (die ausgeblendeten „(Do Not Modify)“-Spalten tragen die IDs; nicht löschen).",
)

DYNAMICS_OPPORTUNITIES = Preset(
    "dynamics_opportunities", "Microsoft Dynamics 365 Sales opportunities (Export to Excel)",
    {"deals": TablePreset(
        aliases={
            "deal_id": ("(Do Not Modify) Opportunity", "Opportunity ID"),
            "deal_name": ("Topic", "Thema"),
            "created_date": ("Created On", "Erstellt am"),
            "stage": ("Pipeline Phase", "Sales Stage", "Pipelinephase", "Verkaufsphase"),
            "status": ("Status",),
            "_actual_revenue": ("Actual Revenue", "Tatsächlicher Umsatz"),
            "_est_revenue": ("Est. Revenue", "Estimated Revenue", "Geschätzter Umsatz"),
            "currency": ("Currency", "Währung"),
            "close_date": ("Actual Close Date", "Tatsächliches Abschlussdatum"),
            "expected_close_date": ("Est. Close Date", "Geschätztes Abschlussdatum"),
            "company": ("Potential Customer", "Account", "Potenzieller Kunde"),
            "owner": ("Owner", "Besitzer"),
            "lead_source": ("Lead Source", "Leadquelle"),
            "campaign": ("Source Campaign", "Quellkampagne"),
            "probability": ("Probability", "Wahrscheinlichkeit"),
        },
        number_style="auto", date_formats=_DYNAMICS_DATES,
        value_maps={"status": {"gewonnen": "won", "verloren": "lost", "offen": "open"}},
        # won deals carry Actual Revenue, open ones only the estimate
        combine={"amount": Combine(("_actual_revenue", "_est_revenue"), how="first")},
    )},
    howto="In Dynamics 365 Sales open Opportunities, choose the view 'All Opportunities' (open, won and lost), then "
          "Export to Excel > Static worksheet.",
    howto_de="In Dynamics 365 Sales Verkaufschancen öffnen, die Ansicht „Alle Verkaufschancen“ (offen, gewonnen, "
             "verloren) wählen, dann Nach Excel exportieren > Statisches Arbeitsblatt.",
)

_ZOHO_DATES = ("%Y-%m-%d %H:%M:%S", "iso", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%b %d, %Y %I:%M %p", "%m/%d/%Y")
ZOHO_CRM = Preset(
    "zoho_crm", "Zoho CRM leads and deals export",
    {"leads": TablePreset(
        aliases={
            "lead_id": ("Record Id", "Lead Id", "Id"),
            "created_date": ("Created Time",),
            "source_raw": ("Lead Source",),
            "lifecycle_stage": ("Lead Status",),
            "company": ("Company",),
            "contact_email": ("Email",),
            "_first_name": ("First Name",),
            "_last_name": ("Last Name",),
            "owner": ("Lead Owner",),
            "industry": ("Industry",),
            "country": ("Country",),
            "campaign": ("Campaign Source",),
        },
        number_style="auto", date_formats=_ZOHO_DATES,
        combine={"contact_name": Combine(("_first_name", "_last_name"), sep=" ")},
    ), "deals": TablePreset(
        aliases={
            "deal_id": ("Record Id", "Deal Id", "Id"),
            "deal_name": ("Deal Name",),
            "company": ("Account Name",),
            "amount": ("Amount",),
            "currency": ("Currency",),
            "stage": ("Stage",),
            "close_date": ("Closing Date",),
            "created_date": ("Created Time",),
            "lead_source": ("Lead Source",),
            "campaign": ("Campaign Source",),
            "owner": ("Deal Owner",),
            "deal_type": ("Type",),
            "probability": ("Probability (%)",),
            "lost_reason": ("Reason For Loss",),
            "contact_email": ("Contact Email", "Email"),
        },
        number_style="auto", date_formats=_ZOHO_DATES,
    )},
    howto="In Zoho CRM open Setup > Data Administration > Export, choose the module (Leads, then Deals), "
          "'All Leads' / 'All Deals' and all fields, then export as CSV.",
    howto_de="In Zoho CRM Einstellungen > Datenverwaltung > Exportieren öffnen, das Modul wählen (Leads, dann "
             "Deals), „Alle Leads“ / „Alle Deals“ und alle Felder, dann als CSV exportieren.",
)

LINKEDIN_LEAD_GEN = Preset(
    "linkedin_lead_gen", "LinkedIn Lead Gen Forms leads download [U]",
    {"leads": TablePreset(
        aliases={
            "lead_id": ("Lead ID", "Lead Id"),
            "created_date": ("Submitted At", "Date Submitted", "Created Time", "Lead Created Date"),
            "campaign": ("Campaign Name", "Campaign"),
            "source_detail": ("Form Name", "Lead Gen Form Name"),
            "company": ("Company Name", "Company"),
            "contact_email": ("Email Address", "Email"),
            "_first_name": ("First Name",),
            "_last_name": ("Last Name",),
            "country": ("Country/Region", "Country"),
            "industry": ("Industry",),
        },
        number_style="en", date_formats=("iso", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d.%m.%Y"),
        constants={"source_raw": "Paid social", "channel": "linkedin"},
        combine={"contact_name": Combine(("_first_name", "_last_name"), sep=" ")},
    )},
    howto="In LinkedIn Campaign Manager open Account assets > Lead Gen Forms, select the forms and the date range, "
          "then Download leads (CSV). Every form submission is a lead; qualification happens in your CRM.",
    howto_de="Im LinkedIn Campaign Manager Konto-Assets > Lead-Gen-Formulare öffnen, Formulare und Zeitraum wählen, "
             "dann Leads herunterladen (CSV). Jede Formular-Einsendung ist ein Lead; qualifiziert wird im CRM.",
)

DATEV_COSTS = Preset(
    "datev_costs", "DATEV postings of marketing costs (Buchungsstapel or Kostenstellen-Auswertung)",
    {"spend": TablePreset(
        aliases={
            "date": ("Belegdatum", "Buchungsdatum", "Datum"),
            "cost": ("Umsatz (ohne Soll/Haben-Kz)", "Umsatz", "Betrag", "Betrag Soll", "Soll"),
            "currency": ("WKZ Umsatz", "Währung", "WKZ"),
            "account": ("Konto", "Sachkonto", "Kontonummer"),
            "cost_center": ("KOST1 - Kostenstelle", "Kostenstelle", "KOST1", "Kost1"),
            "campaign": ("Buchungstext", "Text"),
            "platform": ("Lieferant", "Kreditor"),
            "_debit_credit": ("Soll/Haben-Kennzeichen", "Soll/Haben-Kz", "S/H"),
        },
        number_style="de", date_formats=("%d.%m.%Y", "%d%m%Y", "iso", "excel"),
        footer_patterns=_TOTALS_DE,
        # amounts are unsigned; H (Haben) is a credit on the expense account: a credit note or reversal
        combine={"cost": Combine(("cost", "_debit_credit"), how="credit")},
    )},
    howto="In DATEV Unternehmen online or Kanzlei-Rechnungswesen export the postings of the marketing accounts "
          "(e.g. 4600-4699 Werbekosten) with Belegdatum, Konto, Kostenstelle, Umsatz and Buchungstext as CSV. "
          "Map cost centres to channels with channels.rules on cost_center.",
    howto_de="In DATEV Unternehmen online oder Kanzlei-Rechnungswesen die Buchungen der Marketingkonten "
             "(z. B. 4600-4699 Werbekosten) mit Belegdatum, Konto, Kostenstelle, Umsatz und Buchungstext als CSV "
             "exportieren. Kostenstellen über channels.rules mit cost_center den Kanälen zuordnen.",
)

SAP_COST_CENTER = Preset(
    "sap_cost_center", "SAP cost centre line items (KSB1 / Fiori 'Cost Centers - Actuals')",
    {"spend": TablePreset(
        aliases={
            "date": ("Posting Date", "Buchungsdatum", "Buchungsdat."),
            "cost": ("Val.in rep.cur.", "Value in Obj. Crcy", "Amount in Company Code Currency", "Wert/KWähr",
                     "Wert in BWähr", "Betrag"),
            "currency": ("Report currency", "Object currency", "Company Code Currency", "KWähr", "BWähr", "Währung"),
            "cost_center": ("Cost Center", "Kostenstelle"),
            "account": ("Cost Element", "G/L Account", "Kostenart", "Sachkonto"),
            "campaign": ("Name", "Document Header Text", "Bezeichnung", "Belegkopftext", "Cost element name",
                         "Kostenartenbez."),
            "platform": ("Name of offsetting account", "Name der Gegenkontierung", "Supplier", "Lieferant"),
        },
        number_style="auto", date_formats=("%d.%m.%Y", "iso", "%m/%d/%Y", "excel"),
        footer_patterns=_TOTALS_DE + (r"^\*+$",),
    )},
    howto="In SAP run KSB1 (Cost Centers: Actual Line Items) for the marketing cost centres and the period, then "
          "List > Export > Spreadsheet (.xlsx); in S/4HANA Fiori use 'Cost Centers - Actuals' > Export.",
    howto_de="In SAP die KSB1 (Kostenstellen: Einzelposten Ist) für die Marketing-Kostenstellen und den Zeitraum "
             "aufrufen, dann Liste > Exportieren > Tabellenkalkulation (.xlsx); in S/4HANA Fiori „Kostenstellen - "
             "Istwerte“ > Exportieren.",
)

GOOGLE_ADS = Preset(
    "google_ads", "Google Ads campaign report (UI download)",
    {"spend": TablePreset(
        aliases={
            "date": ("Day", "Tag", "Date", "Datum"),
            "campaign": ("Campaign", "Kampagne"),
            "campaign_id": ("Campaign ID", "Kampagnen-ID"),
            "cost": ("Cost", "Kosten"),
            "currency": ("Currency code", "Währungscode", "Currency", "Währung"),
            "impressions": ("Impr.", "Impressions", "Impressionen"),
            "clicks": ("Clicks", "Klicks"),
            "conversions": ("Conversions", "Conv.", "Konversionen"),
        },
        # the UI language sets the number format; "1.234" is ambiguous per cell, so German is
        # the default and an English-UI download needs number_format: en in params
        number_style="de", date_formats=("%d.%m.%Y", "iso", "%b %d, %Y", "%m/%d/%Y"),
        constants={"platform": "Google Ads", "channel": "paid_search"},
        footer_patterns=(r"^(total|gesamt)\s*:",),
    )},
    howto="In Google Ads open Campaigns, set the date range, add Segment > Time > Day, show the columns Campaign, "
          "Campaign type, Currency code, Cost, Impr., Clicks, Conversions, then Download > CSV. For an English-UI "
          "download set number_format: en for the file in params.",
    howto_de="In Google Ads Kampagnen öffnen, Zeitraum wählen, Segment > Zeit > Tag hinzufügen, die Spalten Kampagne, "
             "Kampagnentyp, Währungscode, Kosten, Impr., Klicks, Conversions einblenden, dann Herunterladen > CSV. "
             "Bei englischer Oberfläche für die Datei number_format: en in den Params setzen.",
)

LINKEDIN_ADS = Preset(
    "linkedin_ads", "LinkedIn Campaign Manager performance report",
    {"spend": TablePreset(
        aliases={
            "date": ("Start Date (in UTC)", "Start Date"),
            "period_end": ("End Date (in UTC)", "End Date"),
            "campaign": ("Campaign Name", "Campaign"),
            "campaign_id": ("Campaign ID",),
            "cost": ("Total Spent", "Amount Spent"),
            "currency": ("Currency",),
            "impressions": ("Impressions",),
            "clicks": ("Clicks",),
            "leads": ("Leads",),
            "conversions": ("Conversions",),
        },
        number_style="en", date_formats=("%m/%d/%Y", "iso"),
        constants={"platform": "LinkedIn Ads", "channel": "linkedin"},
    )},
    howto="In LinkedIn Campaign Manager select the account, open Campaigns, set the date range, click Export, choose "
          "'Campaign performance' with time breakdown 'Daily' and CSV.",
    howto_de="Im LinkedIn Campaign Manager das Konto wählen, Kampagnen öffnen, Zeitraum setzen, auf „Exportieren“ "
             "klicken, „Campaign performance“ mit Zeitaufschlüsselung „Täglich“ und CSV wählen.",
)

META_ADS = Preset(
    "meta_ads", "Meta Ads Manager export",
    {"spend": TablePreset(
        aliases={
            "date": ("Day", "Tag", "Reporting starts", "Beginn des Berichtszeitraums"),
            "period_end": ("Reporting ends", "Ende des Berichtszeitraums"),
            "campaign": ("Campaign name", "Kampagnenname"),
            "campaign_id": ("Campaign ID", "Kampagnen-ID"),
            "cost": (r"re:amount spent \((?P<currency>[a-z]{3})\)", r"re:ausgegebener betrag \((?P<currency>[a-z]{3})\)",
                     "Amount spent", "Ausgegebener Betrag"),
            "currency": ("Currency", "Währung"),
            "impressions": ("Impressions", "Impressionen"),
            "clicks": ("Link clicks", "Link-Klicks"),
            "leads": ("Leads",),
        },
        number_style="auto", date_formats=("iso", "%d.%m.%Y"),
        constants={"platform": "Meta Ads", "channel": "paid_social"},
    )},
    howto="In Meta Ads Manager open Campaigns, set the date range, choose Breakdown > By time > Day, then "
          "Reports > Export table data > CSV.",
    howto_de="Im Meta Werbeanzeigenmanager Kampagnen öffnen, Zeitraum setzen, Aufschlüsselung > Nach Zeit > Tag wählen, "
             "dann Berichte > Tabellendaten exportieren > CSV.",
)

GA4 = Preset(
    "ga4", "Google Analytics 4 traffic acquisition",
    {"web_traffic": TablePreset(
        aliases={
            "date": ("Date", "Datum"),
            "channel_group": ("Session primary channel group (Default Channel Group)", "Session default channel group",
                              "Session primary channel group",
                              "Sitzung \u2013 primäre Channelgruppe (Standard-Channelgruppe)",
                              "Standard-Channelgruppe der Sitzung"),
            "source": ("Session source", "Sitzungsquelle"),
            "medium": ("Session medium", "Sitzungsmedium"),
            "_source_medium": ("Session source / medium", "Sitzungsquelle/-medium", "Sitzungsquelle / -medium"),
            "campaign": ("Session campaign", "Sitzungskampagne"),
            "sessions": ("Sessions", "Sitzungen"),
            "engaged_sessions": ("Engaged sessions", "Sitzungen mit Interaktionen"),
            "key_events": ("Key events", "Conversions", "Schlüsselereignisse"),
        },
        number_style="auto", date_formats=("%Y%m%d", "iso", "%d.%m.%Y"),
        footer_patterns=(r"^#",),
        combine={"source": Combine(("_source_medium",), how="split", sep=" / ", index=0),
                 "medium": Combine(("_source_medium",), how="split", sep=" / ", index=1)},
    )},
    howto="In GA4 open Explore > Free form with the dimensions Date, Session primary channel group, Session source / "
          "medium, Session campaign and the metrics Sessions, Engaged sessions, Key events; then Download > CSV.",
    howto_de="In GA4 Explore > Freies Format mit den Dimensionen Datum, Primäre Channelgruppe der Sitzung, "
             "Sitzungsquelle/-medium, Sitzungskampagne und den Messwerten Sitzungen, Sitzungen mit Interaktionen, "
             "Schlüsselereignisse anlegen; dann Herunterladen > CSV.",
)

_ZENDESK_SCORE = {"good": "1", "bad": "0", "offered": "", "unoffered": ""}
ZENDESK = Preset(
    "zendesk", "Zendesk ticket export (CSV)",
    {"feedback": TablePreset(
        aliases={
            "feedback_id": ("Id", "Ticket ID"),
            "date": ("Created at",),
            "text": ("Subject",),
            "tags": ("Tags",),
            "status": ("Status",),
            "score": ("Satisfaction Score", "Satisfaction"),
            "company": ("Organization",),
            "contact_name": ("Requester",),
            "contact_email": ("Requester email",),
            "product": ("Product",),
        },
        number_style="en", date_formats=("iso", "%Y-%m-%dT%H:%M:%SZ", "%d.%m.%Y %H:%M"),
        constants={"source": "Support ticket", "score_scale": "csat_good_bad"},
        value_maps={"score": _ZENDESK_SCORE},
    )},
    howto="In Zendesk open Admin Center > Account > Tools > Reports > Export and request the CSV ticket export "
          "(Zendesk enables CSV exports on request); it holds subjects, not ticket bodies.",
    howto_de="In Zendesk Admin Center > Konto > Tools > Berichte > Export öffnen und den CSV-Ticketexport anfordern "
             "(Zendesk schaltet CSV-Exporte auf Anfrage frei); er enthält Betreffzeilen, keine Tickettexte.",
)

FRESHDESK = Preset(
    "freshdesk", "Freshdesk ticket export",
    {"feedback": TablePreset(
        aliases={
            "feedback_id": ("Ticket ID", "Ticket Id"),
            "date": ("Created time", "Created at"),
            "title": ("Subject",),
            "text": ("Description",),
            "status": ("Status",),
            "tags": ("Tags",),
            "product": ("Product",),
            "company": ("Company Name", "Company"),
            "contact_name": ("Full name", "Contact"),
            "contact_email": ("Email",),
            # 5-point CSAT labels [U]; other survey scales need values.score in params
            "score": ("Survey results", "Survey result"),
        },
        number_style="en", date_formats=("iso", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M"),
        constants={"source": "Support ticket", "score_scale": "csat_1_5"},
        value_maps={"score": {"extremely happy": "5", "happy": "4", "neutral": "3", "unhappy": "2",
                              "extremely unhappy": "1"}},
    )},
    howto="In Freshdesk open Tickets, filter 'All tickets' and the period, click Export, tick Subject, Description, "
          "Created time, Tags, Product, Company Name, Survey results and choose CSV.",
    howto_de="In Freshdesk Tickets öffnen, „Alle Tickets“ und den Zeitraum filtern, auf Export klicken, Betreff, "
             "Beschreibung, Erstellungszeit, Tags, Produkt, Firmenname und Umfrageergebnisse ankreuzen, CSV wählen.",
)

TRUSTPILOT = Preset(
    "trustpilot", "Trustpilot reviews export",
    {"feedback": TablePreset(
        aliases={
            "feedback_id": ("Review Id", "Review ID"),
            "date": ("Review Created (UTC)", "Review Created"),
            "title": ("Review Title",),
            "_content": ("Review Content",),
            "score": ("Review Stars",),
            "language": ("Review Language",),
            "tags": ("Tags",),
        },
        number_style="en", date_formats=("iso", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"),
        constants={"source": "Review", "score_scale": "stars_1_5"},
        combine={"text": Combine(("title", "_content"), sep="\n")},
    )},
    howto="In Trustpilot Business open Reviews > Export reviews, pick the period and download the CSV.",
    howto_de="In Trustpilot Business Bewertungen > Bewertungen exportieren öffnen, Zeitraum wählen und die CSV laden.",
)

TYPEFORM = Preset(
    "typeform", "Typeform responses",
    {"feedback": TablePreset(
        aliases={"feedback_id": ("#", "Response ID"), "date": ("Submit Date (UTC)", "Submit Date"),
                 "tags": ("Tags",)},
        number_style="en", date_formats=("iso", "%Y-%m-%d %H:%M:%S"),
        constants={"source": "Survey", "score_scale": "nps_0_10"},
    )},
    howto="In Typeform open the form > Results > Responses > Download all responses > CSV. The question columns "
          "carry the question text: name the NPS column under columns.score and the free-text one under columns.text.",
    howto_de="In Typeform das Formular > Ergebnisse > Antworten > Alle Antworten herunterladen > CSV. Die Fragen-Spalten "
             "tragen den Fragetext: die NPS-Spalte unter columns.score und die Freitext-Spalte unter columns.text eintragen.",
)

QUALTRICS = Preset(
    "qualtrics", "Qualtrics survey export",
    {"feedback": TablePreset(
        aliases={"feedback_id": ("ResponseId", "Response ID"), "date": ("RecordedDate", "Recorded Date"),
                 "language": ("UserLanguage",)},
        number_style="en", date_formats=("iso", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"),
        constants={"source": "Survey", "score_scale": "nps_0_10"},
        extra_header_rows=2,  # question texts and ImportId JSON follow the header
    )},
    howto="In Qualtrics open the survey > Data & Analysis > Export & Import > Export data > CSV with 'Use choice text'; "
          "name the NPS question (e.g. Q1) under columns.score and the comment question under columns.text.",
    howto_de="In Qualtrics die Umfrage > Daten & Analyse > Exportieren & Importieren > Daten exportieren > CSV mit "
             "„Auswahltext verwenden“; die NPS-Frage (z. B. Q1) unter columns.score, die Kommentarfrage unter columns.text.",
)

SURVEYMONKEY = Preset(
    "surveymonkey", "SurveyMonkey responses export",
    {"feedback": TablePreset(
        aliases={"feedback_id": ("Respondent ID",), "date": ("End Date",), "contact_email": ("Email Address",)},
        number_style="en", date_formats=("%m/%d/%Y %I:%M:%S %p", "iso", "%d.%m.%Y %H:%M:%S"),
        constants={"source": "Survey", "score_scale": "nps_0_10"},
        extra_header_rows=1,  # answer options ("Response", "Open-Ended Response") below the questions
    )},
    howto="In SurveyMonkey open Analyze results > Save as > Export file > All individual responses > CSV; name the "
          "NPS question under columns.score and the comment question under columns.text.",
    howto_de="In SurveyMonkey Ergebnisse analysieren > Speichern als > Datei exportieren > Alle Einzelantworten > CSV; "
             "die NPS-Frage unter columns.score und die Kommentarfrage unter columns.text eintragen.",
)

JOURNEY_EXPORT = Preset(
    "journey_export", "Journey export: one row per marketing touch",
    {"touchpoints": TablePreset(
        aliases=_with_canonical("touchpoints", {
            "lead_id": ("Contact ID", "Record ID", "Lead ID"),
            "timestamp": ("Touch Timestamp", "Timestamp", "Activity Date", "Date"),
            "channel": ("Channel",),
            "campaign": ("Campaign", "Campaign Name"),
            "source": ("Source",),
            "medium": ("Medium",),
            "touch_type": ("Interaction Type", "Activity Type", "Type"),
        }),
        number_style="en", date_formats=("iso", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M"),
    )},
    howto="Export one row per touch (form submission, visit, event, e-mail click, call) with Contact ID, Touch "
          "Timestamp, Channel, Campaign and Interaction Type, e.g. from the CRM's activity or campaign-member report.",
    howto_de="Je Kontaktpunkt (Formular, Besuch, Messe, E-Mail-Klick, Anruf) eine Zeile mit Contact ID, Touch Timestamp, "
             "Channel, Campaign und Interaction Type exportieren, z. B. aus dem Aktivitäten- oder Kampagnenmitglieder-Bericht des CRM.",
)

PRESETS: dict[str, Preset] = {p.name: p for p in (
    HUBSPOT_CONTACTS, HUBSPOT_DEALS, SALESFORCE_LEADS, SALESFORCE_OPPORTUNITIES, PIPEDRIVE_DEALS,
    DYNAMICS_LEADS, DYNAMICS_OPPORTUNITIES, ZOHO_CRM, LINKEDIN_LEAD_GEN, DATEV_COSTS, SAP_COST_CENTER,
    GOOGLE_ADS, LINKEDIN_ADS, META_ADS, GA4, ZENDESK, FRESHDESK, TRUSTPILOT, TYPEFORM, QUALTRICS,
    SURVEYMONKEY, JOURNEY_EXPORT, GENERIC_DE, GENERIC_EN,
)}


# --- documentation ------------------------------------------------------------------------

_NUMBER_STYLE_TEXT = {
    "de": "German: 1.234,56",
    "en": "English: 1,234.56",
    "auto": "either German or English, decided per cell when unambiguous",
}
DOCS_HEADER = """# Export presets

Generated from `cmo_workbook.inputs.presets` by `markdown_table()`; do not edit by hand. Regenerate with
`.venv/bin/python -m cmo_workbook.inputs.presets > docs/presets.md` (a test fails when this file is out of date).

Each file under `data.<table>` in the params names the preset of the tool that exported it:

```yaml
data:
  deals:
    - file: crm/hubspot_deals.csv
      preset: hubspot_deals
```

Encoding, delimiter, title lines above the header and totals rows below the data are detected. Per file
you can override `number_format` (`de`, `en` or `auto`), `date_format` (e.g. `DD.MM.YYYY` or `%d.%m.%Y`,
or a list tried in order; it replaces the preset's formats of row Dates, so to add a format list yours first
and the preset's after it, e.g. `date_format: ["%m/%d/%Y", iso, "%d.%m.%Y"]`: `validate` prints that line
for a date it cannot read), `sheet` (.xlsx), `header_row`, `encoding`, `delimiter`, `columns` (canonical column: your
header), `constants` (a value for a column the file lacks) and `values` (your spelling: canonical value).
Check everything with `cmo-workbook validate --params params/<company>.yaml`.

The same presets read a Parquet file (`file: lake/deals.parquet`), a DuckDB query (`duckdb: crm.duckdb`,
`query: ...`) or a SQL query (`sql: {url_env: CMO_CRM_URL, query: ...}`): the result's column names are
the headers. See [sources.md](sources.md).

Each preset lists the headers it reads (row Headers: canonical column ← the tool's header, current spelling;
older names and other UI languages are accepted too) and says what the fields *mean* (rows Stage, Source,
Links, Empty cells). The channel ids and where they come from are at the end ([Channel ids](#channel-ids)).
Lead statuses map to one stage per lead; statuses of your own go under `lead_stage_map` in params:

```yaml
lead_stage_map:                 # your status values -> stage (each key optional)
  qualified: [Heißer Lead, MQL geprüft]
  disqualified: [Kein Bedarf]
stage_map:                      # deal stages -> open / won / lost (required)
  open: [Angebot versendet]
  won: [Auftrag]
  lost: [Absage]
```

`validate` prints a data-health profile per table (rows, date ranges, empty cells in the KPI columns,
rows mapped to a channel, stage and lead, dropped rows and why) and stops (exit 2) when a memo would
state a zero the inputs contradict, e.g. statuses no stage map knows and therefore 0 qualified leads.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _params_to_set(preset: Preset, table: str) -> list[str]:
    """Columns a user must name under ``columns`` because the tool's export has no fixed header for them."""
    tp = preset.tables[table]
    spec = schema.table(table)
    known = set(tp.aliases) | set(tp.combine) | set(tp.constants)
    need = [f"`columns.{c}`" for c in spec.required if c not in known]
    for group in spec.one_of:
        if not known.intersection(group):
            need.append(" and/or ".join(f"`columns.{c}`" for c in group))
    return need


_EMPTY_CELLS = {
    "leads": "an empty stage date is filled from the status (next stage's date, else the create date); an empty "
             "status leaves the stage to the dates; an empty id gets one made from the row's content",
    "deals": "an empty amount is allowed: the deal counts, its value does not (the data note says how many); an "
             "empty link or source leaves the channel empty (not marketing)",
    "spend": "an empty cost is no cost; empty metric cells (` --`) stay empty",
    "feedback": "an empty id gets one made from the row's content (same file, same ids); an empty score or text "
                "is fine as long as the other is there",
    "touchpoints": "a touch without lead id, time or channel is an error (it cannot be placed in a journey)",
    "web_traffic": "empty metric cells stay empty (not 0); an empty channel group is an error",
    "plan": "an empty budget or plan cell is no plan value for that line; an empty channel leaves the line to "
            "the cost centre (or to the company plan values of the month)",
}
_STAGE_FIELDS = {"leads": ("lifecycle_stage", "lead_status", "mql_date", "sql_date", "opportunity_date",
                           "customer_date"), "deals": ("stage", "status", "close_date")}
_SOURCE_FIELDS = {"leads": ("source_raw", "source_detail", "channel", "campaign"),
                  "deals": ("lead_source", "source_detail", "channel", "campaign"),
                  "spend": ("platform", "channel", "cost_center", "account", "campaign")}
_LINK_FIELDS = {"leads": ("deal_id", "contact_email", "company"), "deals": ("lead_id", "contact_email", "company")}


def _required(preset: Preset, table: str) -> str:
    """The table's required columns as the preset reads them, and what stands in when the file lacks one
    (a constant where one value can hold for a whole file, a generated id)."""
    tp = preset.tables[table]
    spec = schema.table(table)
    out = []
    for name in spec.required:
        spelled = [a for a in tp.aliases.get(name, ()) if not a.startswith(REGEX_PREFIX)]
        if name in tp.constants:
            text = f"`{name}` = {tp.constants[name]}"
        elif spelled:
            text = f'`{name}` ← "{spelled[0]}"'
        elif name in tp.combine:
            text = f"`{name}` ← " + " + ".join(f'"{a}"' for part in tp.combine[name].parts
                                               for a in tp.aliases.get(part, ())[:1])
        else:
            text = f"`{name}` ← `columns.{name}`"
        column = spec.column(name)
        if spec.unique and name == spec.unique[0]:
            text += " (made from the row's content when the file has none)"
        elif column.constant_example and name not in tp.constants:
            text += f" (or one value for the file: `constants: {{{name}: {column.constant_example}}}`)"
        elif column.may_be_empty:
            text += " (cells may be empty)"
        out.append(text)
    for group in spec.one_of:
        out.append("at least one of " + ", ".join(f"`{g}`" for g in group))
    return ", ".join(out)


def _fields(tp: TablePreset, names: tuple[str, ...]) -> str:
    """``canonical ← "Header"`` for the preset's first spelling of each field it knows (or its constant)."""
    out = []
    for name in names:
        spelled = [a for a in tp.aliases.get(name, ()) if not a.startswith(REGEX_PREFIX)]
        if name in tp.combine and not spelled:
            spelled = [" + ".join(a for part in tp.combine[name].parts for a in tp.aliases.get(part, ())[:1])]
        if spelled and spelled[0] not in (name, name.replace("_", " ")):
            out.append(f'{name} ← "{spelled[0]}"')
        elif name in tp.constants:
            out.append(f"{name} = {tp.constants[name]}")
    return ", ".join(out)


def _headers(tp: TablePreset) -> str:
    """Every field the preset reads, ``canonical ← "Header"`` with its first (current) spelling; the parts
    of a combined field joined by ``+`` (``contact_name ← "First Name" + "Last Name"``)."""
    shown: dict[str, list[str]] = {}
    for name, spellings in tp.aliases.items():
        plain = [a for a in spellings if not a.startswith(REGEX_PREFIX)]
        header = plain[0] if plain else spellings[0][len(REGEX_PREFIX):] if spellings else ""
        if not header or header in (name, name.replace("_", " ")):
            continue
        target = next((t for t, c in tp.combine.items() if name in c.parts), name) if name.startswith("_") else name
        if not target.startswith("_"):
            shown.setdefault(target, []).append(f'"{header}"')
    return ", ".join(f"{t} ← {' + '.join(h)}" + (f" (a custom property, not in every {tp.custom[t]} portal)"
                                                 if t in tp.custom else "") for t, h in shown.items())


def _semantics_rows(preset: Preset) -> list[tuple[str, str]]:
    """Which fields carry stage, source and links, and what empty cells mean (docs/presets.md)."""
    rows: list[tuple[str, str]] = []
    for table, tp in preset.tables.items():
        prefix = f"{table}: " if len(preset.tables) > 1 else ""
        headers = _headers(tp)
        if headers:
            rows.append(("Headers", prefix + headers))
        stage = _fields(tp, _STAGE_FIELDS.get(table, ()))
        if stage:
            how = (" → lead stage (lead, qualified, sales_accepted, opportunity, customer, disqualified) by the built-in "
                   "status names and `lead_stage_map`; a status without its date is dated by the next stage, else the "
                   "create date" if table == "leads" else " → open/won/lost by `stage_map`, then the tools' default "
                   "stage names")
            rows.append(("Stage", prefix + stage + how))
        source = _fields(tp, _SOURCE_FIELDS.get(table, ()))
        if source:
            how = " → channel by the channel rules (`channels.rules` first)" if table != "deals" else \
                " → channel: the linked lead's first, else these by the channel rules"
            rows.append(("Source", prefix + source + how))
        link = _fields(tp, _LINK_FIELDS.get(table, ()))
        if link:
            how = ("; when no file carries an id link, deals match a lead by e-mail, else by company name (legal form "
                   "ignored, lead created on or before the deal), and the data note gives the match rate "
                   "(`deal_links.fallback: false` turns this off)")
            rows.append(("Links", prefix + link + how))
        if table in _EMPTY_CELLS:
            rows.append(("Empty cells", prefix + _EMPTY_CELLS[table]))
    return rows


def markdown_table() -> str:
    """docs/presets.md: one table per preset (tool, tables, how to export, what to set in params)."""
    from .convert import human_date_format  # here: presets stays importable without the converters

    out = [DOCS_HEADER]
    for preset in list_presets():
        tables = list(preset.tables)
        params = [f"`preset: {preset.name}`"]
        for table in tables:
            need = _params_to_set(preset, table)
            if need:
                params.append((f"for {table}: " if len(tables) > 1 else "") + ", ".join(need)
                              + " with your export's header (e.g. the survey question)")
        numbers = dict.fromkeys(_NUMBER_STYLE_TEXT[tp.number_style] for tp in preset.tables.values())
        dates = dict.fromkeys("; ".join(human_date_format(f) for f in tp.date_formats) for tp in preset.tables.values())
        rows = [
            ("Tool", preset.title),
            ("Table" + ("s" if len(tables) > 1 else ""), ", ".join(f"`{t}`" for t in tables)),
            ("Export", preset.howto),
            ("Export (deutsch)", preset.howto_de),
            ("Params", "; ".join(params)),
            *((("Required", (f"{t}: " if len(tables) > 1 else "") + _required(preset, t)) for t in tables)),
            ("Numbers", " / ".join(numbers) + " (override: `number_format`)"),
            ("Dates", " / ".join(dates) + " (override: `date_format`)"),
            *_semantics_rows(preset),
        ]
        out.append(f"\n## `{preset.name}`\n\n| | |\n|---|---|\n")
        out.append("".join(f"| {k} | {_cell(v)} |\n" for k, v in rows))
    out.append(_channel_ids())
    return "".join(out)


def _channel_ids() -> str:
    """The channel ids section: where each id comes from (rules, GA4, source fields) and the default marketing set."""
    from . import channels

    crm = channels._shipped()["crm"]
    by_channel: dict[str, list[str]] = {}
    for rule in crm["rules"]:
        by_channel.setdefault(rule["channel"], []).append(
            " and ".join(f"{f} ~ `{p}`" for f, p in rule["when"].items()))
    lines = [
        "\n## Channel ids\n\n",
        "Every lead, deal, cost and touch gets one of these ids in its `channel` column; `channels.marketing`, "
        "`channels.rules`, `holdouts[].channel`, a notebook's `business_case.channel` and the plan's channel "
        "column name them. A misspelt id is refused before any run with the known ids and a suggestion. "
        "Where the id comes from, first match wins:\n\n",
        "1. a channel column of the export (`channel`; German names such as Messe or Google Ads are mapped by "
        "`generic_de`, your own spellings go under `values.channel`) or a preset constant (Google Ads → "
        "`paid_search`, LinkedIn → `linkedin`, Meta → `paid_social`);\n",
        "2. your `channels.rules` in params, then the shipped CRM rules (`lib/cmo_workbook/data/channel_rules.yaml`, "
        "below) on the source fields each preset maps (rows Source above): leads by `source_raw` + "
        "`source_detail`, deals by their linked lead's channel, else their own `lead_source` + `source_detail`, "
        "costs by `cost_center`, else `platform`, else `account`;\n",
        f"3. nothing matched: `{crm.get('fallback', 'other')}`.\n\n",
        "GA4 web traffic keeps Google's default channel group (Organic Search, Paid Search, ...; the `ga4` rules "
        "of the same file, after Google's support article 9756891) in `channel_group`; it is not mapped to these "
        "ids. A channel of your own (e.g. `field_events`) is any id your rules produce; a name that is a near "
        "miss of a shipped id (`trade_fair`) is taken for a typo.\n\n",
        "Without `channels.marketing` every id but `sales_outbound` counts as marketing. Qualified leads of a "
        "channel outside `channels.marketing` are not counted as marketing, and `validate` and the data note "
        "say how many.\n\n",
        "| id | marketing by default | shipped CRM rules (regular expressions, case-insensitive) |\n|---|---|---|\n",
    ]
    for key in channels.CHANNEL_KEYS:
        rules = "; ".join(by_channel.get(key, [])) or "—"
        lines.append(f"| `{key}` | {'yes' if key in channels.MARKETING_CHANNELS_DEFAULT else 'no'} | "
                     f"{_cell(rules)} |\n")
    return "".join(lines)


if __name__ == "__main__":
    print(markdown_table(), end="")
