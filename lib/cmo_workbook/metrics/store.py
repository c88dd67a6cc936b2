"""The period store: every catalogue metric for a period and its comparison windows, computed once.

The runner calls :func:`build` before any notebook starts and writes
``reports/PERIOD/kpis.csv`` (one row per metric, window and segment: value, unit, the
comparison windows' values and the target). Notebooks read their KPI values through
:func:`load` (``wb.kpis()``), so one (metric, window) has one value in every memo, the
controlling workbook and the history.

Window ids: ``2026-10`` (month), ``2026-Q3`` (quarter), ``2026-10/T3M``, ``2026-10/T12M``,
``2026-10/YTD`` (windows ending with that month) and ``2026-10/END`` (as of the month's end).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.loaders import Dataset
from ..periods import Period
from .catalogue import Catalogue, Metric, catalogue
from .monthly import monthly as monthly_frame, table_starts

STORE_FILE = "kpis.csv"
COLUMNS = ("metric", "window", "window_kind", "segment", "value", "unit", "reliable", "prev_window", "prev_value",
           "py_window", "py_value", "target")
#: the store's column of sample sizes (after :data:`COLUMNS`; older stores and hand-built tables lack it)
N_COLUMN = "n"
_SUFFIX = {"t3m": "T3M", "t12m": "T12M", "ytd": "YTD", "asof": "END"}
_KIND_OF_SUFFIX = {v: k for k, v in _SUFFIX.items()}
#: params targets keys that name a catalogue metric differently (monthly targets; quarterly under targets.quarterly)
TARGET_ALIASES = {"mql_to_sql_rate": "sales_acceptance_rate", "romi": "romi_all_orders", "clv_cac_ratio": "clv_to_cac"}
#: the window each monthly target applies to (plan values are per month unless stated)
_TARGET_WINDOW = {"romi_all_orders": "t12m", "clv_to_cac": "t12m"}
#: the per-channel input counting cost lines (not a metric: it decides whether a channel's cost is known at all)
SPEND_ROWS = "_spend_rows"


@dataclass(frozen=True, order=True)
class Window:
    """A reporting window ending with month ``end`` (a monthly pandas Period)."""

    kind: str
    end: pd.Period
    fy_start: int = 1

    @property
    def months(self) -> pd.PeriodIndex:
        return _months_of(self.kind, self.end, self.fy_start)

    @property
    def id(self) -> str:
        if self.kind == "month":
            return str(self.end)
        if self.kind == "quarter":
            return f"{self.end.year}-Q{self.end.quarter}"
        return f"{self.end}/{_SUFFIX[self.kind]}"

    @property
    def start(self) -> pd.Timestamp:
        return self.months[0].start_time

    @property
    def stop(self) -> pd.Timestamp:
        """First instant after the window."""
        return (self.end + 1).start_time

    def shift(self, months: int) -> "Window":
        return Window(self.kind, self.end + months, self.fy_start)


@lru_cache(maxsize=4096)
def _months_of(kind: str, end: pd.Period, fy_start: int) -> pd.PeriodIndex:
    n = {"month": 1, "quarter": 3, "t3m": 3, "t12m": 12, "asof": 1}.get(kind)
    if kind == "ytd":
        n = (end.month - fy_start) % 12 + 1
    return pd.period_range(end - (n - 1), end, freq="M")


def parse_window(window_id: str, fy_start: int = 1) -> Window:
    """The :class:`Window` of an id such as ``2026-10/T12M`` or ``2026-Q3``."""
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", window_id):
        return Window("quarter", pd.Period(f"{m.group(1)}-{3 * int(m.group(2)):02d}", freq="M"), fy_start)
    if m := re.fullmatch(r"(\d{4}-\d{2})(?:/(T3M|T12M|YTD|END))?", window_id):
        return Window(_KIND_OF_SUFFIX.get(m.group(2) or "", "month"), pd.Period(m.group(1), freq="M"), fy_start)
    raise ValueError(f"window {window_id!r} is not YYYY-MM, YYYY-QN or YYYY-MM/T3M|T12M|YTD|END")


def base_windows(period: Period, fy_start: int = 1) -> list[Window]:
    """The windows a period's memos show: the period itself and the windows ending with its last month."""
    end = pd.Period(str(period.month_periods()[-1]), freq="M")
    own = "month" if period.kind == "month" else "quarter"
    kinds = [own, "t3m", "t12m", "ytd", "asof"] if own == "month" else [own, "t12m", "ytd", "asof"]
    out = [Window(k, end, fy_start) for k in kinds]
    if own == "month":
        # the last complete quarter too: a budget shift is a quarter's decision, and the monthly memo cites the
        # quarter's decision with the very values the quarterly memos show (metrics.channel_stake, #11)
        out.append(Window("quarter", end - end.month % 3, fy_start))
    return out


def comparison_windows(w: Window, step: int = 1) -> tuple[Window | None, Window | None]:
    """(previous, same window a year ago): one reporting period back (``step`` months: 1 for a
    monthly store, 3 for a quarterly one; a quarter always steps 3), and 12 months back."""
    step = 3 if w.kind == "quarter" else step
    return (None if w.kind == "ytd" else w.shift(-step)), w.shift(-12)


# --------------------------------------------------------------------------- inputs per month


def _months(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M")


def _marketing_deals(ds: Dataset, mkt: set[str]) -> pd.DataFrame:
    deals = ds.deals
    return deals[deals["channel"].isin(mkt)]


def _is_new(deals: pd.DataFrame) -> pd.Series:
    return deals["deal_type"].astype("string").str.contains("new", case=False, na=True)


def monthly_inputs(ds: Dataset) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Additive metrics per month (total) and per month and channel (segments)."""
    mkt = set(ds.params.marketing_channels)
    total = monthly_frame(ds)
    per_channel: dict[str, pd.DataFrame] = {}
    leads = ds.leads
    mql = leads[leads["channel"].isin(mkt) & leads["mql_date"].notna()]
    per_channel["qualified_leads"] = mql.groupby([_months(mql["mql_date"]), "channel"]).size().unstack(fill_value=0)
    if ds.has("spend"):
        sp = ds.spend
        per_channel["marketing_spend"] = sp.groupby([_months(sp["date"]), "channel"])["cost"].sum().unstack(fill_value=0.0)
        # cost lines per month and channel: a channel without any line in a window has no cost source there, and
        # its cost per inquiry is unknown, not 0 € (trade fairs, LinkedIn or e-mail paid outside the ad platforms)
        per_channel[SPEND_ROWS] = sp.groupby([_months(sp["date"]), "channel"]).size().unstack(fill_value=0).astype(float)
    if ds.has("deals"):
        dm = _marketing_deals(ds, mkt)
        per_channel["marketing_pipeline_value"] = (
            dm.groupby([_months(dm["created_date"]), "channel"])["amount"].sum().unstack(fill_value=0.0))
        wm = dm[dm["status"] == "won"]
        per_channel["marketing_won_revenue"] = (
            wm.groupby([_months(wm["close_date"]), "channel"])["amount"].sum().unstack(fill_value=0.0))
        first = wm[_is_new(wm)]
        extra = pd.DataFrame({
            "new_customers_marketing": first.groupby(_months(first["close_date"])).size(),
            "marketing_first_order_value": first.groupby(_months(first["close_date"]))["amount"].sum(),
        })
        total = total.join(extra, how="outer").fillna({c: 0.0 for c in extra.columns})
    if len(total):
        total = total.reindex(pd.period_range(total.index.min(), total.index.max(), freq="M"))
        additive = [c for c in total.columns if c not in ("cost_per_qualified_lead", "marketing_revenue_share")]
        total[additive] = total[additive].fillna(0.0)
    return total, per_channel


#: the plan's and the company actuals' value columns, added up per month
PLAN_COLUMNS = ("marketing_budget", "revenue_plan", "order_intake_plan", "marketing_order_intake_plan",
                "marketing_revenue_plan")
ACTUAL_COLUMNS = ("revenue", "order_intake")


def controlling_months(ds: Dataset, table: str) -> pd.DataFrame | None:
    """The plan or the company actuals added up per month (index: monthly periods); None without the table.

    Rows of one month are summed (a plan has one row per budget line); empty cells count as 0 in the
    sum, a month without any row is missing (its windows get no value rather than a zero)."""
    if not ds.has(table):
        return None
    df = ds.tables[table]
    cols = [c for c in (PLAN_COLUMNS if table == "plan" else ACTUAL_COLUMNS) if c in df.columns]
    out = df.groupby(_months(df["month"]))[cols].sum(min_count=1)
    return out.reindex(columns=list(PLAN_COLUMNS if table == "plan" else ACTUAL_COLUMNS))


# --------------------------------------------------------------------------- computing one value


class _Calc:
    """Computes catalogue values for windows, caching the per-month inputs and model fits."""

    def __init__(self, ds: Dataset, cat: Catalogue, cache_dir: Path | None = None):
        self.ds, self.cat = ds, cat
        self.cache = _ClvCache(cache_dir)
        self.total, self.per_channel = monthly_inputs(ds)
        self.margin = ds.params.gross_margin
        # months as integer offsets and columns as arrays: a window sum is a slice, not a reindex
        idx = self.total.index
        self._first = idx.min().ordinal if len(idx) else 0
        self._last = idx.max().ordinal if len(idx) else -1
        self._cols = {c: self.total[c].to_numpy(dtype=float) for c in self.total.columns}
        self._seg: dict[tuple[str, str], np.ndarray] = {}
        for col, frame in self.per_channel.items():
            full = frame.reindex(idx).fillna(0.0) if len(idx) else frame
            for ch in full.columns:
                self._seg[(col, str(ch))] = full[ch].to_numpy(dtype=float)
        self.plan = controlling_months(ds, "plan")
        self.actuals = controlling_months(ds, "company_actuals")
        self._controlling: dict[tuple[int, str], dict[pd.Period, float]] = {}
        self._clv: dict[pd.Period, float] = {}
        self._acc: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        first = [self.total.index.min()] if len(self.total) else []
        if ds.has("deals") and len(ds.deals):
            first.append(ds.deals["created_date"].min().to_period("M"))
        self.data_start = max(first) if first else None
        # the first month each export covers: a window reaching before it has no value, not a zero (a contacts export
        # beginning after the deals and the spend must not show 0 inquiries for the months before it)
        self.table_start = table_starts(ds)
        self.mature_from = self.data_start + int(cat.params["ramp_up_months"]) if self.data_start is not None else None

    def _span(self, w: Window) -> tuple[int, int] | None:
        lo, hi = w.months[0].ordinal, w.end.ordinal
        return (lo - self._first, hi - self._first + 1) if lo >= self._first and hi <= self._last else None

    def covered(self, w: Window) -> bool:
        return self._span(w) is not None

    def inputs_cover(self, m: Metric, w: Window) -> bool:
        """Every input table of ``m`` (the catalogue's ``tables``) covers the window from its first month on."""
        starts = [self.table_start[t] for t in m.tables if t in self.table_start]
        return not starts or bool(w.months[0] >= max(starts))

    def no_cost_source(self, m: Metric, w: Window, segment: str) -> bool:
        """A channel's cost ratio (cost per inquiry) in a window where the channel has no cost line at all: the
        spend tables do not carry its cost (a fair or a LinkedIn invoice booked elsewhere), so the ratio is unknown,
        never 0 €. A channel with cost lines of 0 € (a paused campaign) does have a known cost."""
        if not segment or m.kind != "ratio" or m.numerator != "marketing_spend" or SPEND_ROWS not in self.per_channel:
            return False
        rows = self.sum(SPEND_ROWS, w, segment)
        return rows == 0

    def reliable(self, m: Metric, w: Window, segment: str = "") -> bool:
        """A window an input export does not cover is not (:meth:`inputs_cover`), nor a channel's cost ratio
        without any cost line (:meth:`no_cost_source`); deal-based values need deal history: a window starting in
        the export's ramp-up months is not."""
        if not self.inputs_cover(m, w) or self.no_cost_source(m, w, segment):
            return False
        if not m.deal_based or self.mature_from is None:
            return True
        start = w.months[0] - 11 if w.kind in ("asof",) else w.months[0]
        return bool(start >= self.mature_from)

    def sum(self, col: str, w: Window, segment: str = "") -> float:
        span = self._span(w)
        if span is None:
            return math.nan
        if segment:
            if col not in self.per_channel:
                return math.nan
            arr = self._seg.get((col, segment.split("=", 1)[1]))
            return 0.0 if arr is None else float(arr[span[0]:span[1]].sum())
        if col not in self._cols:
            return math.nan
        return float(self._cols[col][span[0]:span[1]].sum())

    def value(self, m: Metric, w: Window, segment: str = "") -> float:
        if not self.inputs_cover(m, w):
            return math.nan  # before an export begins: not covered, never 0
        if m.kind == "sum":
            return self.sum(m.id, w, segment)
        if m.kind == "ratio":
            if self.no_cost_source(m, w, segment):
                return math.nan
            num, den = self.value(self.cat[m.numerator], w, segment), self.value(self.cat[m.denominator], w, segment)
            return num / den if den and den == den else math.nan
        if m.kind == "romi":
            spend = self.sum("marketing_spend", w)
            ret = self.sum(m.numerator, w)
            return (ret * self.margin - spend) / spend if spend and spend == spend else math.nan
        if m.kind == "acceptance":
            return self.acceptance(w)
        if m.kind == "clv":
            return self.clv(w.end)
        if m.kind == "clv_to_cac":
            cac = self.value(self.cat["cac"], w)
            return self.clv(w.end) / cac if cac and cac == cac else math.nan
        if m.kind == "plan":
            return self.controlling(self.plan, m.numerator, w.months)
        if m.kind == "actual":
            return self.controlling(self.actuals, m.numerator, w.months)
        if m.kind == "difference":
            return self.value(self.cat[m.numerator], w) - self.value(self.cat[m.denominator], w)
        if m.kind == "spend_forecast":
            return self.spend_forecast(w)
        raise ValueError(f"metric {m.id}: unknown kind {m.kind!r}")

    def controlling(self, frame: pd.DataFrame | None, col: str, months: pd.PeriodIndex) -> float:
        """Sum of a plan or actuals column over ``months``; NaN when any month is missing (no plan or
        no closed books yet: a partial sum would read as a shortfall)."""
        if frame is None or col not in frame.columns:
            return math.nan
        key = (id(frame), col)
        by_month = self._controlling.get(key)
        if by_month is None:  # a dict per column: hundreds of windows each look up a few months (no reindex)
            by_month = self._controlling[key] = dict(zip(frame.index, frame[col].to_numpy(dtype=float)))
        vals = np.array([by_month.get(m, math.nan) for m in months], dtype=float)
        return float(vals.sum()) if len(vals) and not np.isnan(vals).any() else math.nan

    def fiscal_year(self, w: Window) -> pd.PeriodIndex:
        """The months of the fiscal year a year-to-date window belongs to."""
        first = w.months[0]
        return pd.period_range(first, first + 11, freq="M")

    def spend_forecast(self, w: Window) -> float:
        """Marketing spend to fiscal-year end: actual YTD + the plan of the remaining months, paced by the
        year so far (× actual YTD ÷ budget YTD). Lumpy months (fairs) stay where the plan has them."""
        spent = self.sum("marketing_spend", w)
        budget = self.controlling(self.plan, "marketing_budget", w.months)
        rest = [p for p in self.fiscal_year(w) if p > w.end]
        remaining = self.controlling(self.plan, "marketing_budget", pd.PeriodIndex(rest, freq="M")) if rest else 0.0
        if not (budget and budget == budget and spent == spent and remaining == remaining):
            return math.nan
        return spent + remaining * spent / budget

    def target(self, m: Metric, w: Window, params_raw: dict[str, Any]) -> float:
        """The plan value of a metric whose catalogue entry names plan columns, else the params target."""
        if m.kind == "spend_forecast":
            return self.controlling(self.plan, "marketing_budget", self.fiscal_year(w)) if w.kind == "ytd" else math.nan
        if m.plan_target:
            values = [self.controlling(self.plan, c, w.months) for c in m.plan_target]
            if len(values) == 1:
                return values[0]
            return values[0] / values[1] if values[1] and values[1] == values[1] else math.nan
        return _target(params_raw, m, w)

    def acceptance(self, w: Window) -> float:
        if not self.rejections_known():  # not measured (the data note says why), never a 100 % of acceptances only
            return math.nan
        accepted, decided = self.acceptance_counts(w)
        return accepted / decided if decided else math.nan

    def n(self, m: Metric, w: Window, segment: str = "") -> float:
        """How many cases the value of a rate rests on (leads sales decided on), for its minimum sample
        (catalogue ``min_n``); NaN for metrics without one, and where nothing could be counted (no feedback
        dates: the rate is not measured, which is not "0 decided")."""
        if m.kind == "acceptance" and not segment and self.covered(w) and self.rejections_known():
            return float(self.acceptance_counts(w)[1])
        return math.nan

    def rejections_known(self) -> bool:
        """Whether the leads carry sales feedback dates at all: without them a rejection is never seen, every
        decided lead is an accepted one and the acceptance rate would be 100 % by construction."""
        leads = self.ds.leads
        return "sales_feedback_date" in leads and bool(leads["sales_feedback_date"].notna().any())

    def acceptance_counts(self, w: Window) -> tuple[int, int]:
        """(accepted, decided) of the window's cohort of marketing-qualified inquiries."""
        if not self.covered(w):
            return 0, 0
        if self._acc is None:
            leads = self.ds.leads
            mkt = leads[leads["channel"].isin(self.ds.params.marketing_channels) & leads["mql_date"].notna()]
            fb = mkt["sales_feedback_date"] if "sales_feedback_date" in mkt else pd.Series(pd.NaT, index=mkt.index)
            never = np.iinfo("int64").max  # NaT: no decision yet
            as_ns = lambda s: s.astype("datetime64[ns]").to_numpy().astype("int64")  # noqa: E731
            sql, fbk = as_ns(mkt["sql_date"]), as_ns(fb)
            nat = np.iinfo("int64").min
            sql[sql == nat], fbk[fbk == nat] = never, never
            self._acc = (as_ns(mkt["mql_date"]), sql, np.minimum(sql, fbk))
        mql, sql, decided = self._acc
        lo, hi = w.start.value, w.stop.value
        cohort = (mql >= lo) & (mql < hi)
        # decisions known at the window's end: a later decision would change a month already reported
        return int((cohort & (sql < hi)).sum()), int((cohort & (decided < hi)).sum())

    def clv(self, end: pd.Period) -> float:
        if end not in self._clv:
            if not self.ds.has("deals"):
                self._clv[end] = math.nan
            else:
                as_of = (end + 1).start_time
                horizon = int(round(12 * float(self.cat.params["clv_horizon_years"])))
                rate = float(self.cat.params["clv_discount_rate"])
                key = self.cache.key(self.ds.deals, as_of, self.margin, horizon, rate)
                cached = self.cache.get(key)
                if cached is None:
                    from . import clv as clv_mod  # here: scipy (~1 CPU s to import) only where a CLV is computed

                    cached = float(clv_mod.customer_value(self.ds.deals, as_of, self.margin, horizon_months=horizon,
                                                          discount_rate=rate)["clv"])
                    self.cache.put(key, cached)
                self._clv[end] = cached
        return self._clv[end]


class _ClvCache:
    """CLV model results by the exact won deals, margin, horizon and rate they were fitted on.

    Fitting BG/NBD + Gamma-Gamma takes about a second; the same inputs give the same value, so a
    later run (the quarter after its months, a rerun) reuses it. Lives beside the KPI history.
    """

    VERSION = "clv-2"  # clv-2: a bounded fit with enough repeat buyers stands (customer_value)

    def __init__(self, folder: Path | None):
        self.path = Path(folder) / "clv_cache.json" if folder else None
        self._data: dict[str, float] | None = None

    def key(self, deals: pd.DataFrame, as_of: pd.Timestamp, margin: float, horizon: int, rate: float) -> str:
        won = deals[(deals["status"] == "won") & (deals["close_date"] < as_of)]
        cust = won["account_id"].fillna(won["company"]) if "account_id" in won else won["company"]
        h = hashlib.sha1(f"{self.VERSION}|{as_of}|{margin}|{horizon}|{rate}".encode())
        h.update(pd.util.hash_pandas_object(pd.DataFrame({"c": cust.astype("string"), "d": won["close_date"],
                                                          "a": won["amount"]}), index=False).to_numpy().tobytes())
        return h.hexdigest()

    def _load(self) -> dict[str, float]:
        if self._data is None:
            self._data = {}
            if self.path and self.path.is_file():
                try:
                    self._data = json.loads(self.path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    self._data = {}  # a damaged cache is refitted, never trusted
        return self._data

    def get(self, key: str) -> float | None:
        v = self._load().get(key)
        return float(v) if v is not None else None

    def put(self, key: str, value: float) -> None:
        data = self._load()
        data[key] = value
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")  # portfolio workers write it too
            tmp.write_text(json.dumps(data, indent=0, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)


def _target(params_raw: dict[str, Any], m: Metric, w: Window) -> float:
    targets = params_raw.get("targets") or {}
    if w.kind == "quarter":
        source, names = targets.get("quarterly") or {}, [m.id]
        if m.id == "clv_to_cac":
            names.append("clv_to_cac")
    else:
        if _TARGET_WINDOW.get(m.id, "month") != w.kind:
            return math.nan
        source = targets
        names = [m.id] + [k for k, v in TARGET_ALIASES.items() if v == m.id]
    for n in names:
        v = source.get(n)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return math.nan


def build(ds: Dataset, period: Period, *, trend_months: int = 25, cat: Catalogue | None = None,
          cache_dir: Path | None = None) -> pd.DataFrame:
    """Every catalogue metric for ``period``'s windows with their comparisons, plus 25 months for 13-month trends with their previous year.

    Returns the store table (:data:`COLUMNS`). Comparisons of deal-based metrics whose window
    reaches into the export's ramp-up months are left empty rather than flattering.
    """
    cat = cat or catalogue(ds.params.raw)
    fy = int(ds.params.company.get("fiscal_year_start", 1) or 1)
    calc = _Calc(ds, cat, cache_dir)
    rows: list[dict[str, Any]] = []
    bases = base_windows(period, fy)
    trend_end = bases[0].end
    trend = [Window("month", trend_end - i, fy) for i in range(trend_months - 1, -1, -1)]
    for m in cat:
        if m.kind == "attribution":  # the review's attribution model computes it, not a sum over the tables
            continue
        for w in bases:
            if w.kind not in m.windows:
                continue
            segments = [""] + ([f"channel={c}" for c in _channels(calc, m)] if m.segments else [])
            prev, py = comparison_windows(w, period.months)
            for seg in segments:
                value = calc.value(m, w, seg)
                row = {"metric": m.id, "window": w.id, "window_kind": w.kind, "segment": seg, "value": value,
                       "unit": m.unit, "reliable": calc.reliable(m, w, seg), "prev_window": "", "prev_value": math.nan,
                       "py_window": "", "py_value": math.nan, "target": math.nan if seg else calc.target(m, w, ds.params.raw),
                       N_COLUMN: calc.n(m, w, seg)}
                for key, cw in (("prev", prev), ("py", py)):
                    if cw is None:
                        continue
                    row[f"{key}_window"] = cw.id
                    if calc.reliable(m, cw, seg):
                        row[f"{key}_value"] = calc.value(m, cw, seg)
                rows.append(row)
        if "month" in m.windows and m.kind in ("sum", "ratio", "acceptance", "plan", "actual", "difference"):
            for w in trend:
                if w.id == bases[0].id:
                    continue
                rows.append({"metric": m.id, "window": w.id, "window_kind": "month", "segment": "",
                             "value": calc.value(m, w), "unit": m.unit, "reliable": calc.reliable(m, w),
                             "prev_window": "", "prev_value": math.nan, "py_window": "", "py_value": math.nan,
                             "target": calc.target(m, w, ds.params.raw)})
    df = pd.DataFrame(rows, columns=[*COLUMNS, N_COLUMN])
    return df.drop_duplicates(["metric", "window", "segment"], keep="first").reset_index(drop=True)


def _channels(calc: _Calc, m: Metric) -> list[str]:
    """Every channel of any segmented input: a channel without cost has a cost of 0, not no row."""
    chans: set[str] = set()
    for f in calc.per_channel.values():  # the cost-line counts add no channel the cost itself lacks
        chans |= set(map(str, f.columns))
    return sorted(chans)


# --------------------------------------------------------------------------- reading


def store_path(reports_dir: str | Path, period: Period | str) -> Path:
    return Path(reports_dir) / str(period) / STORE_FILE


def write(df: pd.DataFrame, reports_dir: str | Path, period: Period | str) -> Path:
    """Write the store as CSV (dot decimal, full precision: a machine file, not a memo)."""
    path = store_path(reports_dir, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False, float_format="%.10g")
    tmp.replace(path)
    return path


def read(path: str | Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"segment": "string", "prev_window": "string", "py_window": "string"},
                     keep_default_na=False, na_values={"value": [""], "prev_value": [""], "py_value": [""], "target": [""],
                                                       N_COLUMN: [""]})
    for c in ("value", "prev_value", "py_value", "target", N_COLUMN):
        if c in df:  # a store written before the sample sizes were kept has no n column
            df[c] = pd.to_numeric(df[c], errors="coerce")
    df["reliable"] = df["reliable"].astype(str).str.lower().eq("true")
    return df


@dataclass
class Figure:
    """One stored KPI value with its comparisons, ready for a memo."""

    metric: str
    window: str
    window_kind: str
    segment: str
    value: float
    unit: str
    prev_window: str
    prev_value: float
    py_window: str
    py_value: float
    target: float
    reliable: bool = True
    #: cases the value rests on (a rate's denominator) where the catalogue sets a minimum (``min_n``), else NaN
    n: float = math.nan


class KpiStore:
    """Read access to one period's store; a missing (metric, window) is an error, never a recomputation."""

    def __init__(self, table: pd.DataFrame, period: Period, cat: Catalogue, path: Path | None = None):
        self.table = table
        self.period = period
        self.catalogue = cat
        self.path = path
        self._index = {(r.metric, r.window, r.segment or ""): i for i, r in enumerate(table.itertuples(index=False))}

    def window(self, kind: str) -> str:
        """The id of this period's window of ``kind`` (``month``, ``quarter``, ``t12m``, ...)."""
        for w in base_windows(self.period):
            if w.kind == kind:
                return w.id
        raise KeyError(f"{self.period} has no {kind} window")

    def figure(self, metric: str, kind: str | None = None, segment: str = "", *, window: str | None = None) -> Figure:
        wid = window or self.window(kind or ("month" if self.period.kind == "month" else "quarter"))
        key = (metric, wid, segment)
        if key not in self._index:
            raise KeyError(f"the KPI store {self.path or ''} has no {metric} for {wid}{' ' + segment if segment else ''}; "
                           "rebuild it with `cmo-workbook run` (the runner computes the store before the notebooks)")
        r = self.table.iloc[self._index[key]]
        return Figure(r["metric"], r["window"], r["window_kind"], r["segment"] or "", float(r["value"]), r["unit"],
                      r["prev_window"] or "", float(r["prev_value"]), r["py_window"] or "", float(r["py_value"]),
                      float(r["target"]), bool(r["reliable"]),
                      float(r[N_COLUMN]) if N_COLUMN in r.index else math.nan)

    def value(self, metric: str, kind: str | None = None, segment: str = "", *, window: str | None = None) -> float:
        return self.figure(metric, kind, segment, window=window).value

    def has(self, metric: str, window: str, segment: str = "") -> bool:
        return (metric, window, segment) in self._index

    def segments(self, metric: str, kind: str) -> list[str]:
        wid = self.window(kind)
        return sorted(s for (m, w, s) in self._index if m == metric and w == wid and s)

    def months(self, metric: str, n: int = 13, back: int = 0) -> pd.Series:
        """The metric per month for the ``n`` months to this period's last month, ``back`` months
        earlier (12: the same months a year before), from the store."""
        end = pd.Period(str(self.period.month_periods()[-1]), freq="M") - back
        idx = pd.period_range(end - (n - 1), end, freq="M")
        vals = [self.table.iloc[self._index[(metric, str(p), "")]]["value"] if (metric, str(p), "") in self._index
                else math.nan for p in idx]
        return pd.Series(vals, index=idx, name=metric, dtype=float)

    def label(self, metric: str, kind: str, lang: str) -> str:
        from .catalogue import label

        return label(metric, kind, lang, self.catalogue)


def compute(ds: Dataset, period: Period, reports_dir: str | Path, cache_dir: Path | None = None) -> KpiStore:
    """Build and write the store of ``period`` (the runner's step before the notebooks)."""
    cat = catalogue(ds.params.raw)
    table = build(ds, period, cat=cat, cache_dir=cache_dir)
    path = write(table, reports_dir, period)
    return KpiStore(read(path), period, cat, path)


def pending_marker(reports_dir: str | Path, period: Period | str) -> Path:
    """While the runner computes the store in the background, this file holds the runner's pid."""
    return store_path(reports_dir, period).with_suffix(".csv.pending")


def _wait_for_runner(marker: Path, timeout: float = 600.0) -> None:
    """Wait while a live runner is still writing the store (a marker of a dead process is stale)."""
    deadline = time.monotonic() + timeout
    while marker.exists() and time.monotonic() < deadline:
        try:
            os.kill(int(marker.read_text(encoding="utf-8").strip() or 0), 0)
        except (ValueError, ProcessLookupError, FileNotFoundError):
            return  # stale or just removed
        except PermissionError:
            pass  # alive, another user's process
        time.sleep(0.05)


def load(ds: Dataset, period: Period, reports_dir: str | Path) -> KpiStore:
    """The store of ``period`` as the runner wrote it (waiting while the runner still computes it);
    computed and written first when a notebook runs outside the runner (JupyterLab) without a store."""
    path = store_path(reports_dir, period)
    _wait_for_runner(pending_marker(reports_dir, period))
    if not path.is_file():
        return compute(ds, period, reports_dir)
    return KpiStore(read(path), period, catalogue(ds.params.raw), path)


