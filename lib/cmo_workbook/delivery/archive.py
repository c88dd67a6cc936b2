"""``cmo-workbook archive``: ``reports/index.html``, every memo by period and notebook, and the KPI history.

For each period folder it lists the memos (link, headline, language, sent status from
``sent.json``), the controlling workbook and the KPI store; below, the 13-month history of
the main KPIs from the history database (the values as last stored, restatements included).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from jinja2 import Environment

from ..inputs.params import Params
from ..memos.decisions import value_text
from ..metrics import history
from ..metrics.catalogue import catalogue, label
from ..render.i18n import t
from ..render.export import write_atomic

#: The KPIs of the history table (monthly values).
HISTORY_METRICS = ("qualified_leads", "sales_acceptance_rate", "marketing_spend", "cost_per_qualified_lead",
                   "marketing_pipeline_value", "marketing_won_revenue")
_PERIOD = re.compile(r"^\d{4}-(\d{2}|Q[1-4])$")


@dataclass
class MemoEntry:
    period: str
    notebook: str
    lang: str
    href: str
    headline: str
    sent: str = ""


@dataclass
class PeriodEntry:
    period: str
    memos: list[MemoEntry] = field(default_factory=list)
    workbook: str = ""
    store: str = ""


def collect(reports_dir: Path, params: Params) -> list[PeriodEntry]:
    """Every period folder with its memos, newest first."""
    out = []
    for d in sorted((p for p in reports_dir.iterdir() if p.is_dir() and _PERIOD.match(p.name)), reverse=True):
        entry = PeriodEntry(d.name)
        sent = json.loads((d / "sent.json").read_text(encoding="utf-8")) if (d / "sent.json").is_file() else {}
        for html in sorted(d.glob("*.html")):
            stem = html.stem
            name, _, lang = stem.partition(".")
            rec = sent.get(f"{params.path.name}:{stem}")
            entry.memos.append(MemoEntry(d.name, name, lang or params.language, f"{d.name}/{html.name}",
                                         _text_headline(d / f"{stem}.txt"), rec["sent_at"] if rec else ""))
        books = sorted(d.glob("Kennzahlen_*.xlsx")) + sorted(d.glob("KPIs_*.xlsx"))
        entry.workbook = f"{d.name}/{books[0].name}" if books else ""
        entry.store = f"{d.name}/kpis.csv" if (d / "kpis.csv").is_file() else ""
        out.append(entry)
    return out


def _text_headline(txt: Path) -> str:
    """The memo's headline: the first paragraph after the header lines of its text part (per language)."""
    if not txt.is_file():
        return ""
    paras = [p.strip() for p in txt.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return paras[1] if len(paras) > 1 else ""


_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:Arial,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}td.r,th.r{text-align:right}
h2{margin-top:28px}.muted{color:#777}</style></head><body>
<h1>{{ title }}</h1><p class="muted">{{ company }}</p>
{% for p in periods %}<h2>{{ p.period }}</h2>
<table><tr><th>{{ L.notebook }}</th><th>{{ L.lang }}</th><th>{{ L.headline }}</th><th>{{ L.sent }}</th></tr>
{% for m in p.memos %}<tr><td><a href="{{ m.href }}">{{ m.notebook }}</a></td><td>{{ m.lang }}</td><td>{{ m.headline }}</td>
<td>{{ m.sent or L.not_sent }}</td></tr>{% endfor %}</table>
{% if p.workbook or p.store %}<p>{% if p.workbook %}<a href="{{ p.workbook }}">{{ p.workbook }}</a>{% endif %}
{% if p.store %} &middot; <a href="{{ p.store }}">{{ p.store }}</a>{% endif %}</p>{% endif %}
{% endfor %}
<h2>{{ L.history }}</h2>
{% if rows %}<table><tr><th>KPI</th>{% for c in columns %}<th class="r">{{ c }}</th>{% endfor %}</tr>
{% for r in rows %}<tr><td>{{ r[0] }}</td>{% for v in r[1] %}<td class="r">{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
{% else %}<p>{{ L.no_history }}</p>{% endif %}
</body></html>
"""


def _labels(lang: str) -> dict[str, str]:
    return {"notebook": "Memo", **{k: t(f"arch_{k}", lang) for k in ("lang", "headline", "sent", "not_sent", "history",
                                                                    "no_history")}}


def write_index(reports_dir: Path, params: Params, history_db: Path, say: Callable[[str], None] = print) -> Path:
    """Write ``reports_dir/index.html`` and return its path."""
    lang = params.language
    periods = collect(reports_dir, params)
    months = sorted({p.period for p in periods if "Q" not in p.period})
    quarters = sorted({p.period for p in periods if "Q" in p.period})
    end = months[-1] if months else (f"{quarters[-1][:4]}-{3 * int(quarters[-1][-1]):02d}" if quarters else None)
    rows, columns = [], []
    cat = catalogue(params.raw)
    if end and history_db.is_file():
        table = history.monthly_history(history_db, history.company_key(params), list(HISTORY_METRICS), end)
        columns = list(table.columns)
        for metric in HISTORY_METRICS:
            unit = cat[metric].unit
            rows.append((label(metric, "month", lang, cat),
                         [value_text(unit, float(v), lang, params.currency) for v in table.loc[metric]]))
    html = Environment(autoescape=True).from_string(_TEMPLATE).render(
        lang=lang, title=t("arch_title", lang), company=params.name, periods=periods,
        L=_labels(lang), rows=rows, columns=columns)
    path = reports_dir / "index.html"
    write_atomic(path, html)
    n = sum(len(p.memos) for p in periods)
    say(f"archive  {path} ({n} memos in {len(periods)} periods, {len(rows)} KPIs × {len(columns)} months)")
    return path
