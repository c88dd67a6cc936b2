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
from ..render import fmt
from ..render.i18n import t, tn
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


# --------------------------------------------------------------------------- portfolio index

#: The headline KPIs of the portfolio index, per company, for the period's own window.
PORTFOLIO_METRICS = ("qualified_leads", "cost_per_qualified_lead", "marketing_pipeline_value", "marketing_won_revenue")
_STATUS_STYLE = {"ok": "color:#1a7f37", "failed": "color:#b42318;font-weight:bold",
                 "refused": "color:#b54708;font-weight:bold", "not run": "color:#b42318", "": "color:#777777",
                 # variances and goal states as the memos colour them (IBCS: good green, bad red)
                 "better_plan": "color:#1a7f37", "at_plan": "color:#777777", "worse_plan": "color:#b42318",
                 "on_track": "color:#1a7f37", "achieved": "color:#1a7f37", "at_risk": "color:#b54708", "on_track_if": "color:#b54708",
                 "off_track": "color:#b42318", "missed": "color:#b42318"}


@dataclass
class KpiCell:
    metric: str
    text: str
    value: float
    plan: str = ""
    #: "" / "better_plan" / "at_plan" / "worse_plan": against the store's target, direction-aware (a cost per
    #: inquiry above plan is worse; "above"/"below" read as good/bad whatever the KPI, so the words say it)
    verdict: str = ""
    #: value / target − 1 (the variance the cell prints beside the plan)
    variance: float = float("nan")
    variance_text: str = ""


@dataclass
class CompanyRow:
    slug: str
    name: str
    status: str
    message: str
    kpis: list[KpiCell]
    goals: list[tuple[str, str, str, str]]  # (goal id, title, status text, status: on_track / off_track / ...)
    memos: list[tuple[str, str]]  # (notebook name, href)
    index: str = ""


_PORTFOLIO_LABELS = ("title", "company", "status", "goals", "memos", "plan", "no_store", "no_goals", "ok", "failed",
                     "refused", "not_run", "none", "better_plan", "at_plan", "worse_plan")


def _portfolio_labels(lang: str) -> dict[str, str]:
    """The index's words by run status and column; catalogue ids ``port_<key>``."""
    out = {k: t(f"port_{k}", lang) for k in _PORTFOLIO_LABELS}
    out["not run"], out[""] = out.pop("not_run"), out.pop("none")  # the run-status values as the status file has them
    return out


_PORTFOLIO_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;margin:0;padding:16px;color:#222222;background:#ffffff">
<h1 style="font-size:20px;margin:0 0 4px">{{ title }}</h1>
<p style="color:#777777;margin:0 0 12px">{{ subtitle }}</p>
<table role="presentation" cellpadding="4" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px">
<tr>{% for h in head %}<th align="{{ 'right' if loop.index > 2 and loop.index <= 2 + nkpi else 'left' }}" style="border-bottom:2px solid #222222;text-align:{{ 'right' if loop.index > 2 and loop.index <= 2 + nkpi else 'left' }};vertical-align:bottom">{{ h }}</th>{% endfor %}</tr>
{% for c in rows %}<tr data-company="{{ c.slug }}" data-status="{{ c.status or 'none' }}">
<td style="border-bottom:1px solid #dddddd;vertical-align:top">{% if c.index %}<a href="{{ c.index }}">{{ c.name }}</a>{% else %}{{ c.name }}{% endif %}</td>
<td class="status" style="border-bottom:1px solid #dddddd;vertical-align:top;{{ styles[c.status] }}">{{ L[c.status] }}{% if c.message %}<br><span style="color:#555555;font-weight:normal">{{ c.message }}</span>{% endif %}</td>
{% if c.kpis %}{% for k in c.kpis %}<td align="right" data-metric="{{ k.metric }}" data-value="{{ k.value }}" style="border-bottom:1px solid #dddddd;text-align:right;vertical-align:top">{{ k.text }}{% if k.plan %}<br><span style="color:#777777">{{ L.plan }} {{ k.plan }}</span>{% if k.verdict %}<br><span class="verdict" style="{{ styles[k.verdict] }}">{% if k.verdict != 'at_plan' %}{{ k.variance_text }} &middot; {% endif %}{{ L[k.verdict] }}</span>{% endif %}{% endif %}</td>{% endfor %}
{% else %}<td colspan="{{ nkpi }}" style="border-bottom:1px solid #dddddd;color:#777777;vertical-align:top">{{ L.no_store }}</td>{% endif %}
<td style="border-bottom:1px solid #dddddd;vertical-align:top">{% for g in c.goals %}<span data-goal="{{ g[0] }}">{{ g[1] }}: <span style="{{ styles.get(g[3], '') }}">{{ g[2] }}</span></span>{% if not loop.last %}<br>{% endif %}{% else %}{{ L.no_goals }}{% endfor %}</td>
<td style="border-bottom:1px solid #dddddd;vertical-align:top">{% for m in c.memos %}<a href="{{ m[1] }}">{{ m[0] }}</a>{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
</tr>{% endfor %}
</table>
</body></html>
"""


def _latest_period(root: Path, companies: list) -> str | None:
    runs = sorted(p.name[len("portfolio-"):-len(".json")] for p in root.glob("portfolio-*.json"))
    if runs:
        return max(runs, key=_period_sort_key)
    found = {d.name for c in companies if c.reports.is_dir() for d in c.reports.iterdir()
             if d.is_dir() and _PERIOD.match(d.name)}
    return max(found, key=_period_sort_key) if found else None


def _period_sort_key(period: str) -> tuple[str, int]:
    """Months and quarters in time order: 2026-Q3 ends with 2026-09, so it sorts after 2026-09 and before 2026-10."""
    year, rest = period[:4], period[5:]
    month = 3 * int(rest[1]) if rest.startswith("Q") else int(rest)
    return f"{year}-{month:02d}", 1 if rest.startswith("Q") else 0


def company_kpis(store_table, period: str, lang: str, currency: str, cat) -> list[KpiCell]:
    """The headline KPIs of ``period`` as the company's KPI store holds them (read, never recomputed)."""
    out = []
    for metric in PORTFOLIO_METRICS:
        rows = store_table[(store_table["metric"] == metric) & (store_table["window"] == period)
                           & (store_table["segment"].fillna("") == "")]
        if rows.empty:
            out.append(KpiCell(metric, fmt.MISSING, float("nan")))
            continue
        r = rows.iloc[0]
        unit = cat[metric].unit if metric in cat else str(r["unit"])
        value, target = float(r["value"]), float(r["target"])
        verdict, variance = "", float("nan")
        hib = cat[metric].higher_is_better if metric in cat else True
        if target == target and value == value and hib is not None and target != 0:
            variance = value / target - 1
            # as printed: a variance that rounds to 0 % is on plan, whichever side of it the value lies
            if round(variance * 100) == 0:
                verdict = "at_plan"
            else:
                verdict = "better_plan" if (variance > 0) == bool(hib) else "worse_plan"
        out.append(KpiCell(metric, value_text(unit, value, lang, currency), value,
                           value_text(unit, target, lang, currency) if target == target else "", verdict, variance,
                           fmt.pct_change(variance, lang) if verdict else ""))
    return out


def company_goals(store_table, params: Params, period: str, lang: str) -> list[tuple[str, str, str]]:
    """Each annual goal's status as of the period's last month, from the monthly values in the KPI store."""
    import pandas as pd

    from ..memos.goals_block import goal_status_text, titles
    from ..metrics import goals as goals_mod

    as_of = pd.Period(_period_sort_key(period)[0], freq="M")
    months = store_table[(store_table["window_kind"] == "month") & (store_table["segment"].fillna("") == "")]
    names = titles(params.goals, lang)
    out = []
    for g in params.goals:
        rows = months[months["metric"] == g["metric"]]
        if rows.empty:
            continue
        series = pd.Series(rows["value"].astype(float).to_numpy(),
                           index=pd.PeriodIndex(rows["window"], freq="M")).sort_index()
        status = goals_mod.evaluate(g, series, as_of)
        # a goal on track by its forecast alone ("auf Kurs nur, wenn ...") is amber, not green
        out.append((g["id"], names[g["id"]], goal_status_text(status, lang, params.currency),  # as the memo words it
                    "on_track_if" if status.rests_on_forecast else status.status))
    return out


def write_portfolio(root: Path, companies: list, *, period: str | None = None, lang: str | None = None,
                    history_dir: Path | None = None, say: Callable[[str], None] = print) -> Path:
    """Each company's own ``index.html`` and ``root/portfolio-<period>.html``: per company the run status,
    the period's headline KPIs (from its KPI store) against plan, its goals' status and its memo links."""
    import os

    from ..errors import CmoWorkbookError, InputError
    from ..inputs.params import load_params
    from ..metrics import store as store_mod
    from . import portfolio

    root = Path(root)
    period = period or _latest_period(root, companies)
    if period is None:
        raise InputError(f"no period to index: no portfolio run (portfolio-PERIOD.json) in {root} and no period "
                         "folder in any company's reports; run the portfolio first or give --period")
    status = {c["slug"]: c for c in portfolio.read_status(root, period).get("companies", [])}
    rows = []
    first_lang = None
    for c in companies:
        try:
            params = load_params(c.params, check_files=False)
        except CmoWorkbookError:
            params = None  # refused for its params: still listed, with the run's message
        lang_c = params.language if params else "de"
        first_lang = first_lang or lang_c
        rows.append((c, params))
    lang = lang or first_lang or "de"
    cat = catalogue({})
    out_rows = []
    for c, params in rows:
        st = status.get(c.slug, {})
        index = ""
        if params is not None and c.reports.is_dir():
            hist = history.history_path(params, history_dir) if history_dir else c.reports / "none.duckdb"
            page = write_index(c.reports, params, hist, say=say)
            index = os.path.relpath(page, root)
        store_file = store_mod.store_path(c.reports, period)
        kpis, goal_rows = [], []
        if store_file.is_file():
            table = store_mod.read(store_file)
            currency = params.currency if params else "EUR"
            kpis = company_kpis(table, period, lang, currency, catalogue(params.raw) if params else cat)
            if params is not None:
                goal_rows = company_goals(table, params, period, lang)
        pdir = c.reports / period
        memos = [(h.stem, os.path.relpath(h, root)) for h in sorted(pdir.glob("*.html"))] if pdir.is_dir() else []
        out_rows.append(CompanyRow(c.slug, st.get("name") or (params.name if params else c.params.stem),
                                   st.get("status", ""), st.get("message", ""), kpis, goal_rows, memos, index))
    L = _portfolio_labels(lang)
    head = [L["company"], L["status"], *(label(m, "month" if "Q" not in period else "quarter", lang, cat)
                                         for m in PORTFOLIO_METRICS), L["goals"], L["memos"]]
    n = {s: sum(r.status == s for r in out_rows) for s in ("ok", "failed", "refused")}
    subtitle = tn("port_subtitle", len(out_rows), lang, period=period, ok=n["ok"], failed=n["failed"],
                  refused=n["refused"])
    html = Environment(autoescape=True).from_string(_PORTFOLIO_TEMPLATE).render(
        lang=lang, title=f"{L['title']} {period}", subtitle=subtitle, head=head, rows=out_rows, L=L,
        styles=_STATUS_STYLE, nkpi=len(PORTFOLIO_METRICS))
    path = root / f"portfolio-{period}.html"
    write_atomic(path, html)
    say(f"archive  {path} ({len(out_rows)} companies: {n['ok']} ok, {n['failed']} failed, {n['refused']} refused)")
    return path
