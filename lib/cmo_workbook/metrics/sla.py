"""Sales–marketing service levels (article 4.2): response and feedback times, lead quality, recycled leads.

The agreed SLA (params ``sla:``) says how fast sales answers a lead marketing hands over
(``response_hours``, counted in business hours from the MQL date to HubSpot's "Date of first
engagement") and how soon sales says yes or no to it (``feedback_days``, business days from the
MQL date to the sales feedback date). Business hours are exact: whole business days via
``numpy.busday_count`` plus the clipped partial first and last day, so an MQL on Friday 16:00
answered Monday 09:00 took 2 business hours with ``business_hours: 8-17 Mon-Fri``.

A lead without a response is a breach once its SLA window has passed by the cut-off (period end),
otherwise it is ``pending`` and left out of the rates. The median response time counts every
lead: an unanswered one is censored at the hours it has waited so far (Kaplan–Meier), so a
month in which half the leads were never called has no median below the longest wait.

The business calendar knows the German public holidays of the company's Bundesland
(params ``company.state``, e.g. ``BY``; the ``holidays`` package) for every year the data
covers, plus the company's own days off listed under ``sla.holidays`` (24 and 31 December).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import holidays as public_holidays
import numpy as np
import pandas as pd

from ..inputs.params import check_state
from ..render.i18n import t
from .funnel import _km_quantile, kaplan_meier

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HOURS = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*(.*)$")
_EPOCH = np.datetime64("2000-01-03", "D")  # a Monday; only differences of positions matter

MET, BREACH, PENDING = "met", "breach", "pending"
#: decimals business hours are kept to (a millionth of an hour is 3.6 ms)
HOUR_DIGITS = 6


@dataclass(frozen=True)
class SlaConfig:
    """The agreed service levels and the business calendar they are counted in."""

    response_hours: float = 24.0
    feedback_days: float = 5.0
    day_start: float = 8.0  # hour of day the business day starts (8.5 = 08:30)
    day_end: float = 17.0
    weekmask: str = "1111100"  # Mon..Sun, numpy busday convention
    holidays: tuple[str, ...] = ()  # the company's own days off, on top of the public holidays
    state: str | None = None  # Bundesland (BY, NW, ...); None: only the nationwide German holidays
    response_target: float = 0.9  # share of leads that should be answered within response_hours
    feedback_target: float = 0.8

    @property
    def hours_per_day(self) -> float:
        return self.day_end - self.day_start

    @classmethod
    def from_params(cls, raw: Mapping[str, Any] | None, state: str | None = None) -> "SlaConfig":
        """Read the params ``sla:`` section; missing keys keep the defaults.

        ``business_hours`` reads like ``"8-17 Mon-Fri"`` or ``"08:30-17:00 Mon-Thu"``;
        ``state`` is params ``company.state`` (the Bundesland whose public holidays apply).
        """
        raw = dict(raw or {})
        known = {"response_hours", "feedback_days", "business_hours", "holidays", "response_target",
                 "feedback_target", "owner_labels", "show_owner_names"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown key(s) in sla: {', '.join(unknown)}; expected {', '.join(sorted(known))}")
        kw: dict[str, Any] = {}
        if "response_hours" in raw:
            kw["response_hours"] = float(raw["response_hours"])
        for key in ("response_target", "feedback_target"):
            if key in raw:
                kw[key] = float(raw[key])
        if "feedback_days" in raw:
            kw["feedback_days"] = float(raw["feedback_days"])
        if "business_hours" in raw:
            kw["day_start"], kw["day_end"], kw["weekmask"] = parse_business_hours(str(raw["business_hours"]))
        if raw.get("holidays"):
            kw["holidays"] = tuple(str(pd.Timestamp(h).date()) for h in raw["holidays"])
        if state:
            kw["state"] = check_state(state)
        return cls(**kw)


@lru_cache(maxsize=32)
def _public_holidays(state: str | None, first_year: int, last_year: int) -> tuple[str, ...]:
    cal = public_holidays.DE(subdiv=state, years=range(first_year, last_year + 1))
    return tuple(sorted(str(d) for d in cal))


def holiday_dates(cfg: SlaConfig, first_year: int, last_year: int) -> np.ndarray:
    """Public holidays of ``cfg.state`` (every year from first to last) plus the company's own days off."""
    days = set(_public_holidays(cfg.state, int(first_year), int(last_year))) | set(cfg.holidays)
    return np.array(sorted(days), dtype="datetime64[D]")


def parse_business_hours(text: str) -> tuple[float, float, str]:
    """``"8-17 Mon-Fri"`` → (8.0, 17.0, "1111100"); days may be a range or a comma list."""
    m = _HOURS.match(text)
    if not m:
        raise ValueError(f"sla.business_hours {text!r} is not like '8-17 Mon-Fri'")
    start = int(m.group(1)) + int(m.group(2) or 0) / 60
    end = int(m.group(3)) + int(m.group(4) or 0) / 60
    if not 0 <= start < end <= 24:
        raise ValueError(f"sla.business_hours {text!r}: the day must start before it ends (0-24)")
    days = m.group(5).strip() or "Mon-Fri"
    mask = ["0"] * 7
    for part in days.replace(" ", "").split(","):
        names = part.split("-")
        try:
            idx = [_DAYS.index(n[:3].title()) for n in names]
        except ValueError:
            raise ValueError(f"sla.business_hours {text!r}: unknown weekday in {part!r} (use Mon..Sun)") from None
        lo, hi = idx[0], idx[-1]
        for i in range(lo, hi + 1):
            mask[i] = "1"
    return start, end, "".join(mask)


def _position(ts: pd.Series | pd.DatetimeIndex, cfg: SlaConfig) -> np.ndarray:
    """Business hours elapsed since a fixed epoch at each timestamp (NaN for missing)."""
    t = pd.to_datetime(pd.Series(ts)).reset_index(drop=True)
    missing = t.isna().to_numpy()
    filled = t.fillna(pd.Timestamp(str(_EPOCH)))
    days = filled.dt.normalize().to_numpy().astype("datetime64[D]")
    years = filled[~missing].dt.year if (~missing).any() else pd.Series([2000])
    # from the epoch's year: busday_count skips the holidays between the epoch and each day
    holidays = holiday_dates(cfg, int(str(_EPOCH)[:4]), int(years.max()) + 1)
    whole = np.busday_count(_EPOCH, days, weekmask=cfg.weekmask, holidays=holidays).astype(float)
    is_bday = np.is_busday(days, weekmask=cfg.weekmask, holidays=holidays)
    hour = (filled - filled.dt.normalize()).dt.total_seconds().to_numpy() / 3600
    partial = np.where(is_bday, np.clip(hour - cfg.day_start, 0, cfg.hours_per_day), 0.0)
    pos = whole * cfg.hours_per_day + partial
    pos[missing] = np.nan
    return pos


def business_hours(start: Iterable[Any], end: Iterable[Any], cfg: SlaConfig) -> np.ndarray:
    """Business hours between each start and end (NaN when either is missing; 0 if end ≤ start)."""
    a = _position(pd.Series(pd.to_datetime(pd.Series(list(start) if not isinstance(start, pd.Series) else start))), cfg)
    b = _position(pd.Series(pd.to_datetime(pd.Series(list(end) if not isinstance(end, pd.Series) else end))), cfg)
    # positions count from 2000, so their difference carries float noise (8 h 03 min = 8.0499999999995 h), which
    # the memo's half-up rounding would show as "8,0": round to a millionth of an hour (well below a second)
    return np.round(np.maximum(b - a, 0.0), HOUR_DIGITS)


def lead_sla(leads: pd.DataFrame, cfg: SlaConfig, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per lead with an MQL date before ``as_of``: response and feedback hours and SLA status.

    Columns added: ``response_hours`` (NaN while unanswered), ``waited_hours`` (response hours, or
    for an unanswered lead the business hours it has waited by ``as_of``), ``response_status`` and ``feedback_days``, ``feedback_status``
    (``met``/``breach``/``pending``), ``outcome`` (``accepted``/``rejected``/``open``).
    A response or feedback after ``as_of`` is treated as not yet given (the report shows what was
    known at the cut-off).
    """
    df = leads[leads["mql_date"].notna() & (leads["mql_date"] < as_of)].copy()
    resp = df["first_response_date"].where(df["first_response_date"] < as_of)
    fb = df["sales_feedback_date"].where(df["sales_feedback_date"] < as_of)
    cut = pd.Series(as_of, index=df.index)
    df["response_hours"] = business_hours(df["mql_date"], resp, cfg)
    open_hours = business_hours(df["mql_date"], cut, cfg)
    df["waited_hours"] = np.where(df["response_hours"].isna(), open_hours, df["response_hours"])
    df["response_status"] = _status(df["response_hours"].to_numpy(), open_hours, cfg.response_hours)
    fb_days = business_hours(df["mql_date"], fb, cfg) / cfg.hours_per_day
    df["feedback_days"] = fb_days
    df["feedback_status"] = _status(fb_days, open_hours / cfg.hours_per_day, cfg.feedback_days)
    sql = df["sql_date"].where(df["sql_date"] < as_of)
    df["outcome"] = np.select([sql.notna(), fb.notna()], ["accepted", "rejected"], "open")
    return df


def _status(elapsed: np.ndarray, open_for: np.ndarray, limit: float) -> np.ndarray:
    done = ~np.isnan(elapsed)
    # 1e-9: a response exactly at the limit is within the SLA despite float rounding
    return np.where(done, np.where(elapsed <= limit + 1e-9, MET, BREACH),
                    np.where(open_for > limit + 1e-9, BREACH, PENDING))


@dataclass(frozen=True)
class SlaSummary:
    """The service-level figures of one cohort of leads (e.g. the MQLs of a month)."""

    leads: int
    response_met: int
    response_breach: int
    response_pending: int
    median_response_hours: float  # unanswered leads censored; inf when over half never got an answer
    response_unanswered: int
    feedback_met: int
    feedback_breach: int
    feedback_pending: int
    accepted: int
    rejected: int

    @property
    def response_rate(self) -> float:
        """Share of decided leads answered within the SLA (pending leads left out)."""
        n = self.response_met + self.response_breach
        return self.response_met / n if n else float("nan")

    @property
    def feedback_rate(self) -> float:
        n = self.feedback_met + self.feedback_breach
        return self.feedback_met / n if n else float("nan")

    @property
    def acceptance_rate(self) -> float:
        """Accepted ÷ (accepted + rejected): of the leads sales has decided on, the share it took."""
        n = self.accepted + self.rejected
        return self.accepted / n if n else float("nan")


def summarize(df: pd.DataFrame) -> SlaSummary:
    """Counts and rates of a frame from :func:`lead_sla`."""
    r, f, o = df["response_status"], df["feedback_status"], df["outcome"]
    return SlaSummary(
        leads=len(df),
        response_met=int((r == MET).sum()), response_breach=int((r == BREACH).sum()),
        response_pending=int((r == PENDING).sum()),
        median_response_hours=median_response(df),
        response_unanswered=int(df["response_hours"].isna().sum()),
        feedback_met=int((f == MET).sum()), feedback_breach=int((f == BREACH).sum()),
        feedback_pending=int((f == PENDING).sum()),
        accepted=int((o == "accepted").sum()), rejected=int((o == "rejected").sum()),
    )


def median_response(df: pd.DataFrame) -> float:
    """Median response hours counting unanswered leads as censored at their wait so far (Kaplan–Meier).

    NaN without leads; ``inf`` when the curve never falls to one half (more than half of the
    leads have had no answer yet): then the median is "not within" the longest observed wait.
    """
    if df.empty:
        return math.nan
    answered = df["response_hours"].notna().to_numpy()
    curve = kaplan_meier(df["waited_hours"].to_numpy(dtype=float), answered)
    med = _km_quantile(curve, 0.5)
    return math.inf if math.isnan(med) else med


def cohort(sla_frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Leads whose MQL date lies in [start, end)."""
    return sla_frame[(sla_frame["mql_date"] >= start) & (sla_frame["mql_date"] < end)]


def breaches_by(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """Response SLA per ``key`` (channel or owner): leads, breaches, rate within SLA, median hours.

    Sorted by breaches (most first), then key, so the table leads with the biggest problem.
    """
    g = df.assign(_k=df[key].astype("string").fillna("–")).groupby("_k", sort=True)
    out = pd.DataFrame({
        "leads": g.size(),
        "met": g["response_status"].apply(lambda s: int((s == MET).sum())),
        "breaches": g["response_status"].apply(lambda s: int((s == BREACH).sum())),
        "pending": g["response_status"].apply(lambda s: int((s == PENDING).sum())),
        "median_hours": g[["response_hours", "waited_hours"]].apply(median_response),
    })
    decided = out["met"] + out["breaches"]
    out["rate"] = out["met"] / decided.where(decided > 0)
    out.index.name = key
    return out.sort_values(["breaches", "leads"], ascending=[False, False], kind="stable")


def quality_by(decisions: pd.DataFrame, key: str = "channel") -> pd.DataFrame:
    """Lead quality per ``key`` from leads sales decided on: accepted, rejected, rate and top reasons.

    ``decisions``: leads with a sales feedback date in the window (from :func:`lead_sla`).
    """
    d = decisions[decisions["outcome"].isin(["accepted", "rejected"])]
    rows = []
    for k, grp in d.groupby(d[key].astype("string").fillna("–"), sort=True):
        acc = int((grp["outcome"] == "accepted").sum())
        rej = grp[grp["outcome"] == "rejected"]
        reasons = rej["rejection_reason"].astype("string").fillna("–").value_counts()
        # ties broken alphabetically so the memo is deterministic
        reasons = reasons.sort_index().sort_values(ascending=False, kind="stable")
        rows.append({key: k, "decided": len(grp), "accepted": acc, "rejected": len(rej),
                     "rate": acc / len(grp) if len(grp) else float("nan"),
                     "top_reasons": list(reasons.head(2).items())})
    out = pd.DataFrame(rows, columns=[key, "decided", "accepted", "rejected", "rate", "top_reasons"])
    return out.set_index(key).sort_values(["rejected", "decided"], ascending=[False, False], kind="stable")


def decided_in(sla_frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Leads whose sales feedback (accept or reject) fell in [start, end)."""
    fb = sla_frame["sales_feedback_date"]
    return sla_frame[(fb >= start) & (fb < end)]


def rejection_reasons(decisions: pd.DataFrame) -> pd.Series:
    """Rejected leads per reason, most first (ties alphabetical)."""
    rej = decisions[decisions["outcome"] == "rejected"]["rejection_reason"].astype("string").fillna("–")
    counts = rej.value_counts().sort_index()
    return counts.sort_values(ascending=False, kind="stable")


def _company_key(s: pd.Series) -> pd.Series:
    return s.astype("string").str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()


def recycled_leads(leads: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, *,
                   by_company: bool = False) -> pd.DataFrame:
    """Leads back in [start, end) after sales had rejected them or an earlier lead of the same company/e-mail.

    Two ways back: the rejected lead itself became an MQL again after the rejection (an MQL date
    after its sales feedback date), or a new lead was created in the window for an e-mail address or
    company whose earlier lead was rejected. Company matching is off by default: B2B companies
    have many contacts, and a colleague's new inquiry is not the rejected lead coming back. Returns the returning leads with ``rejected_before``
    (date of the earlier rejection) and ``earlier_reason``.
    """
    rejected = leads[leads["rejection_reason"].notna() & leads["sales_feedback_date"].notna()]
    out = []
    again = rejected[(rejected["mql_date"] > rejected["sales_feedback_date"])
                     & (rejected["mql_date"] >= start) & (rejected["mql_date"] < end)]
    if len(again):
        out.append(again.assign(rejected_before=again["sales_feedback_date"], earlier_reason=again["rejection_reason"],
                                matched_on="same lead"))
    new = leads[(leads["created_date"] >= start) & (leads["created_date"] < end)]
    for col in ("contact_email", "company") if by_company else ("contact_email",):
        if col not in leads or new.empty:
            continue
        prior = rejected.assign(_k=_company_key(rejected[col])).dropna(subset=["_k"])
        prior = prior.sort_values(["sales_feedback_date", "lead_id"])[["_k", "lead_id", "sales_feedback_date",
                                                                        "rejection_reason"]]
        cand = new.assign(_k=_company_key(new[col])).dropna(subset=["_k"])
        m = cand.merge(prior, on="_k", suffixes=("", "_prior"))
        m = m[(m["lead_id"] != m["lead_id_prior"]) & (m["sales_feedback_date_prior"] < m["created_date"])]
        if m.empty:
            continue
        last = m.sort_values("sales_feedback_date_prior").groupby("lead_id", sort=True).tail(1)
        out.append(last.drop(columns=["_k", "lead_id_prior"]).assign(
            rejected_before=last["sales_feedback_date_prior"], earlier_reason=last["rejection_reason_prior"],
            matched_on="e-mail" if col == "contact_email" else "company"))
    if not out:
        return leads.iloc[0:0].assign(rejected_before=pd.Series(dtype="datetime64[ns]"),
                                      earlier_reason=pd.Series(dtype="string"), matched_on=pd.Series(dtype="string"))
    res = pd.concat(out, ignore_index=True)
    # one row per returning lead: the first way back found (same lead, then e-mail, then company)
    res = res.drop_duplicates("lead_id", keep="first")
    return res.drop(columns=[c for c in res.columns if c.endswith("_prior")]).sort_values("lead_id").reset_index(drop=True)


def shared_accounts(leads: pd.DataFrame, deals: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                    marketing_channels: Iterable[str]) -> pd.DataFrame:
    """Companies with an open deal and at least one new marketing lead created in [start, end) other than the
    deals' own linked leads, on or after the company's first open deal was created.

    Matched on the company name (case and blanks ignored), or on ``account_id`` where the lead
    carries one. Open = status ``open`` and created before ``end``. One row per company:
    ``company``, ``open_deals``, ``open_value``, ``new_leads``, ``channels`` (sorted keys), ``stage``
    (the most advanced open stage is not known generically, so the stage of the largest deal).
    """
    mkt = set(marketing_channels)
    new = leads[(leads["created_date"] >= start) & (leads["created_date"] < end) & leads["channel"].isin(mkt)]
    open_ = deals[(deals["status"] == "open") & (deals["created_date"] < end)]
    if "lead_id" in open_ and "lead_id" in new:
        # the inquiry a deal came from (its linked contact) is the deal itself, not a second inquiry: only other
        # inquiries from the company mean someone may call twice
        new = new[~new["lead_id"].isin(set(open_["lead_id"].dropna()))]
    if new.empty or open_.empty:
        return pd.DataFrame(columns=["company", "open_deals", "open_value", "new_leads", "channels", "stage"])
    new = new.assign(_k=_company_key(new["company"]))
    open_ = open_.assign(_k=_company_key(open_["company"]))
    if "account_id" in new and "account_id" in open_:
        # a lead with an account id joins that account's deals even when the names are spelt differently
        by_acc = open_.dropna(subset=["account_id"]).drop_duplicates("account_id").set_index("account_id")["_k"]
        via_acc = new["account_id"].map(by_acc)
        new = new.assign(_k=via_acc.where(via_acc.notna(), new["_k"]))
    new = new.dropna(subset=["_k"])
    open_ = open_.dropna(subset=["_k"])
    keys = sorted(set(new["_k"]) & set(open_["_k"]))
    rows = []
    for k in keys:
        d = open_[open_["_k"] == k].sort_values(["amount", "deal_id"], ascending=[False, True])
        # an inquiry before the company's first open deal is where a deal may have come from (an export without
        # the contact link), not a second channel into a deal sales already works
        n = new[(new["_k"] == k) & (new["created_date"] >= d["created_date"].min())]
        if n.empty:
            continue
        rows.append({"company": str(d["company"].iloc[0]), "open_deals": len(d), "open_value": float(d["amount"].sum()),
                     "new_leads": len(n), "channels": sorted(n["channel"].astype(str).unique()),
                     "stage": str(d["stage"].iloc[0])})
    out = pd.DataFrame(rows, columns=["company", "open_deals", "open_value", "new_leads", "channels", "stage"])
    return out.sort_values(["open_value", "company"], ascending=[False, True], kind="stable").reset_index(drop=True)


def attribution_questions(deals: pd.DataFrame, leads: pd.DataFrame, touchpoints: pd.DataFrame | None,
                          start: pd.Timestamp, end: pd.Timestamp,
                          marketing_channels: Iterable[str]) -> dict[str, pd.DataFrame]:
    """New-business deals created in [start, end) whose pipeline credit sales and marketing should settle.

    ``no_source``: deals with no channel of their own (the loader's channel rules on the deal's source field) and
    no lead with one: nobody gets credit. A deal without a linked contact but with its own source is credited to
    that channel, as in the KPI memo, and is no question.
    ``outbound_with_marketing``: deals whose lead came from sales outbound although the lead had
    marketing touches (webinar, newsletter click, fair visit, ...) before the deal was created.
    Each frame: the deals with ``amount``; the second also ``touches`` and ``touch_channels``.
    """
    mkt = set(marketing_channels)
    d = deals[(deals["created_date"] >= start) & (deals["created_date"] < end)]
    if "deal_type" in d:
        # existing-business deals (repeat orders) have no lead by design
        d = d[~d["deal_type"].astype("string").str.contains("existing", case=False, na=False)]
    lead_channel = d["lead_id"].map(leads.set_index("lead_id")["channel"]) if len(d) else d["lead_id"]
    channel = d["channel"].astype("object").where(d["channel"].notna(), lead_channel)
    no_source = d[channel.isna()].sort_values(["amount", "deal_id"], ascending=[False, True])
    outbound = d[channel == "sales_outbound"]
    rows = []
    if touchpoints is not None and len(outbound):
        if isinstance(touchpoints, pd.DataFrame):
            tp = touchpoints[touchpoints["lead_id"].isin(set(outbound["lead_id"])) & touchpoints["channel"].isin(mkt)]
        else:  # held in the engine (:class:`~cmo_workbook.inputs.engine_table.EngineTable`): the few leads' touches
            tp = touchpoints.touches_of(outbound["lead_id"], sorted(mkt))
        for _, deal in outbound.iterrows():
            t = tp[(tp["lead_id"] == deal["lead_id"]) & (tp["timestamp"] < deal["created_date"])]
            if len(t):
                rows.append({**deal.to_dict(), "touches": len(t), "touch_channels": sorted(t["channel"].astype(str).unique())})
    cols = list(outbound.columns) + ["touches", "touch_channels"]
    owm = pd.DataFrame(rows, columns=cols)
    if len(owm):
        owm = owm.sort_values(["amount", "deal_id"], ascending=[False, True]).reset_index(drop=True)
    return {"no_source": no_source, "outbound_with_marketing": owm}


def owner_labels(owners: Iterable[Any], lang: str, mapping: Mapping[str, str] | None = None, *,
                 names: bool = True) -> dict[str, str]:
    """How the memos name lead owners: their name as the CRM has it (a reader acts on names or roles, not on
    numbers); ``mapping`` (params ``sla.owner_labels``, e.g. owner → team or role) wins.

    ``names=False`` (params ``sla.show_owner_names: false``, e.g. where a works agreement asks for it): neutral
    labels "Vertrieb 1", "Vertrieb 2", … (en "Sales rep 1", …; catalogue id ``sync_owner_label``) in alphabetical
    order of the names, so a label stays stable while the team does.
    """
    mapping = dict(mapping or {})
    found = sorted({str(o) for o in owners if o is not None and not (isinstance(o, float) and np.isnan(o))
                    and str(o) not in ("<NA>", "–")})
    out, i = {}, 0
    for n in found:
        if n in mapping:
            out[n] = str(mapping[n])
        elif names:
            out[n] = n
        else:
            i += 1
            out[n] = t("sync_owner_label", lang, n=i)
    return out
