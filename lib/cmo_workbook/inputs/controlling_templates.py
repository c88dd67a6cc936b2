"""Excel templates for controlling's two sheets: the plan and the monthly company actuals (German or English).

The headers are the ones the ``generic_de`` (German) and ``generic_en`` (English) presets read, so a filled
template loads without a column mapping (params: ``data.plan: [{file: planung.xlsx, preset: generic_de}]``).
Shipped under ``inputs/templates/xlsx/``; the bytes depend only on the content (:mod:`render.xlsx`), so
regenerating changes no file. Regenerate with ``python -m cmo_workbook.inputs.controlling_templates``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..render.xlsx import stable_bytes

FOLDER = Path(__file__).with_name("templates") / "xlsx"
_STAMP = dt.datetime(2026, 1, 1)
_MONEY = "#,##0.00"
_DATE = {"de": "DD.MM.YYYY", "en": "YYYY-MM-DD"}

#: kind -> lang -> (file, sheet, headers, example rows); the first column is the month, money columns follow text ones
TEMPLATES: dict[str, dict[str, tuple[str, str, list[str], list[list[object]]]]] = {
    "plan": {
        "de": ("planung.xlsx", "Plan",
               ["Monat", "Kanal", "Kostenstelle", "Marketingbudget (€)", "Umsatzplan (€)", "Auftragseingang Plan (€)",
                "Auftragseingang Marketing Plan (€)", "Umsatz Marketing Plan (€)"],
               [[dt.datetime(2026, 1, 1), "Google Ads", "4600 Marketing", 24000.0, None, None, None, None],
                [dt.datetime(2026, 1, 1), "Messe", "4610 Messen", 0.0, None, None, None, None],
                [dt.datetime(2026, 1, 1), None, "1000 Unternehmen", None, 3000000.0, 3100000.0, 900000.0, 870000.0]]),
        "en": ("plan.xlsx", "Plan",
               ["month", "channel", "cost_centre", "marketing_budget", "revenue_plan", "order_intake_plan",
                "marketing_order_intake_plan", "marketing_revenue_plan"],
               [[dt.datetime(2026, 1, 1), "paid_search", "4600 Marketing", 24000.0, None, None, None, None],
                [dt.datetime(2026, 1, 1), "trade_fairs", "4610 Trade fairs", 0.0, None, None, None, None],
                [dt.datetime(2026, 1, 1), None, "1000 Company", None, 3000000.0, 3100000.0, 900000.0, 870000.0]]),
    },
    "company_actuals": {
        "de": ("ist_werte.xlsx", "Ist", ["Monat", "Umsatz (€)", "Auftragseingang (€)", "Quelle"],
               [[dt.datetime(2026, 1, 1), 2950000.0, 3050000.0, "BWA"]]),
        "en": ("company_actuals.xlsx", "Actuals", ["month", "revenue", "order_intake", "source"],
               [[dt.datetime(2026, 1, 1), 2950000.0, 3050000.0, "BWA"]]),
    },
}


def workbook(kind: str, lang: str = "de") -> tuple[str, Workbook]:
    """File name and workbook of one template: header row, example rows, date and money formats."""
    if kind not in TEMPLATES:
        raise ValueError(f"template {kind!r} is unknown; expected one of: {', '.join(TEMPLATES)}")
    if lang not in TEMPLATES[kind]:
        raise ValueError(f"template language {lang!r} is not supported; expected 'de' or 'en'")
    name, sheet, headers, rows = TEMPLATES[kind][lang]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    for row in rows:
        ws.append(row)
    for i, header in enumerate(headers, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(header) + 2)
        fmt = _DATE[lang] if i == 1 else _MONEY if isinstance(rows[-1][i - 1], float) else None
        if fmt:
            for r in range(2, len(rows) + 2):
                ws.cell(row=r, column=i).number_format = fmt
    ws.freeze_panes = "A2"
    wb.properties.creator = "cmo-workbook"
    return name, wb


def template_bytes(kind: str, lang: str = "de") -> tuple[str, bytes]:
    """File name and the stable bytes of one template."""
    name, wb = workbook(kind, lang)
    return name, stable_bytes(wb, _STAMP)


def write_templates(folder: Path = FOLDER) -> list[Path]:
    """Write all four templates (plan and actuals, de and en) into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in TEMPLATES:
        for lang in ("de", "en"):
            name, data = template_bytes(kind, lang)
            (folder / name).write_bytes(data)
            out.append(folder / name)
    return out


if __name__ == "__main__":  # pragma: no cover
    for p in write_templates():
        print(p)
