"""Hand-kept Excel templates for competitor observations and prices (German or English).

Headers and drop-down values are the ones the ``generic_de`` reader and the canonical
tables expect, so a filled template reads without any column mapping. The files are
byte-identical on every run (fixed document dates and zip timestamps).
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

_FIXED_TIME = dt.datetime(2024, 1, 1)
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_ROWS = 1000  # rows with drop-downs below the header


@dataclass(frozen=True)
class _Col:
    header: str
    width: int
    choices: tuple[str, ...] = ()
    number_format: str | None = None


_OBS = {
    "de": ("wettbewerb_beobachtungen.xlsx", "Beobachtungen", [
        _Col("Datum", 12, number_format="DD.MM.YYYY"),
        _Col("Wettbewerber", 22),
        _Col("Thema", 14, ("Produkt", "Preis", "Kampagne", "Messe", "Personal", "Partnerschaft", "Presse",
                           "Sonstiges")),
        _Col("Beobachtung", 60),
        _Col("Quelle", 36),
        _Col("Beobachtet von", 16),
        _Col("Bedeutung", 11, ("hoch", "mittel", "niedrig")),
        _Col("Region", 10),
        _Col("Segment", 14),
        _Col("Produkt", 18),
    ], ["2026-09-15", "Hartmann Antriebe", "Preis",
        "Listenpreise der Servogetriebe ab 15.09. um rund 12 % gesenkt (neue Preisliste)",
        "https://www.example.com/preisliste-2026.pdf", "M. Weber", "hoch", "DACH", "Servogetriebe", "Servogetriebe KS-60"]),
    "en": ("competitor_observations.xlsx", "Observations", [
        _Col("Date", 12, number_format="YYYY-MM-DD"),
        _Col("Competitor", 22),
        _Col("Topic", 14, ("product", "price", "campaign", "trade_fair", "hiring", "partnership", "press", "other")),
        _Col("Summary", 60),
        _Col("Source URL", 36),
        _Col("Observed by", 16),
        _Col("Impact", 11, ("high", "medium", "low")),
        _Col("Region", 10),
        _Col("Segment", 14),
        _Col("Product", 18),
    ], ["2026-09-15", "Hartmann Antriebe", "price",
        "List prices of servo gearboxes cut by about 12 % from 15 Sep (new price list)",
        "https://www.example.com/price-list-2026.pdf", "M. Weber", "high", "DACH", "Servogetriebe", "Servogetriebe KS-60"]),
}

_PRICES = {
    "de": ("wettbewerb_preise.xlsx", "Preise", [
        _Col("Datum", 12, number_format="DD.MM.YYYY"),
        _Col("Wettbewerber", 22),
        _Col("Produkt", 22),
        _Col("Preis", 12, number_format="#,##0.00"),
        _Col("Währung", 9, ("EUR", "CHF", "USD", "GBP", "PLN", "CZK")),
        _Col("Einheit", 10),
        _Col("Netto/Brutto", 12, ("netto", "brutto")),
        _Col("Preisart", 12, ("Listenpreis", "Aktion", "Angebot")),
        _Col("Mindestmenge", 13, number_format="0"),
        _Col("Vergleichsprodukt", 20),
        _Col("Quelle", 36),
    ], ["2026-09-15", "Hartmann Antriebe", "HS-Servogetriebe 60", 1056.0, "EUR", "Stück", "netto", "Listenpreis", 1,
        "Servogetriebe KS-60", "Preisliste 2026 (PDF)"]),
    "en": ("competitor_prices.xlsx", "Prices", [
        _Col("Date", 12, number_format="YYYY-MM-DD"),
        _Col("Competitor", 22),
        _Col("Product", 22),
        _Col("Price", 12, number_format="#,##0.00"),
        _Col("Currency", 9, ("EUR", "CHF", "USD", "GBP", "PLN", "CZK")),
        _Col("Unit", 10),
        _Col("Net/Gross", 12, ("net", "gross")),
        _Col("Price type", 12, ("list", "promo", "quote")),
        _Col("Min. quantity", 13, number_format="0"),
        _Col("Our product", 20),
        _Col("Source", 36),
    ], ["2026-09-15", "Hartmann Antriebe", "HS-Servogetriebe 60", 1056.0, "EUR", "piece", "net", "list", 1,
        "Servogetriebe KS-60", "Price list 2026 (PDF)"]),
}

KINDS = {"observations": _OBS, "prices": _PRICES}


def _check_lang(lang: str) -> None:
    if lang not in ("de", "en"):
        raise ValueError(f"template language {lang!r} is not supported; expected 'de' or 'en'")


def _workbook(sheet: str, columns: list[_Col], example: list[object]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for i, (col, value) in enumerate(zip(columns, example), start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = col.width
        if i == 1:
            value = dt.datetime.fromisoformat(str(value))
        ws.cell(row=2, column=i, value=value)
        if col.number_format:
            # Format the whole column so typed dates and prices look right in new rows too.
            for row in range(2, _ROWS + 2):
                ws.cell(row=row, column=i).number_format = col.number_format
        if col.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=col.header,
                                error=", ".join(col.choices))
            dv.add(f"{letter}2:{letter}{_ROWS + 1}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    wb.properties.creator = "cmo-workbook"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    return wb


def _deterministic_bytes(wb: Workbook) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter instead of wb.save(): save() stamps the current time as "modified".
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME), src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def template_bytes(kind: str, lang: str = "de") -> tuple[str, bytes]:
    """File name and bytes of one template: ``kind`` is ``observations`` or ``prices``."""
    _check_lang(lang)
    if kind not in KINDS:
        raise ValueError(f"template kind {kind!r} is unknown; expected one of: {', '.join(KINDS)}")
    filename, sheet, columns, example = KINDS[kind][lang]
    return filename, _deterministic_bytes(_workbook(sheet, columns, example))


def make_observation_template(path: str | Path, lang: str = "de") -> list[Path]:
    """Write the observation and the price template into the directory ``path``.

    German files are ``wettbewerb_beobachtungen.xlsx`` (sheet ``Beobachtungen``) and
    ``wettbewerb_preise.xlsx`` (sheet ``Preise``); English ones ``competitor_observations.xlsx``
    (``Observations``) and ``competitor_prices.xlsx`` (``Prices``). Each has a styled header
    row, drop-down lists for the choice columns and one filled example row.

    Returns:
        The two paths written, observations first.
    """
    _check_lang(lang)
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        filename, data = template_bytes(kind, lang)
        target = directory / filename
        target.write_bytes(data)
        written.append(target)
    return written
