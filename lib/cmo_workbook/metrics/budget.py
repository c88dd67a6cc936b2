"""Budget suggestion per channel and the business case of a proposed measure.

Two explicit rules, both in the language of a business case:

* :func:`suggest` moves at most ``max_shift`` (20 %) of a channel's quarterly budget:
  channels whose ROMI range reaches below break-even and whose ROMI is below the
  portfolio lose budget, channels whose whole range is profitable and above the
  portfolio gain it; lumpy items (trade fairs) are decided separately.
* :func:`project` turns a proposed amount ("50.000 € für LinkedIn") into qualified
  leads, won deals, revenue, margin and payback from the company's own rates of the
  last quarters, with a bootstrap range over those quarters.

Attribution is not incrementality: every suggestion comes with a holdout test
(:func:`holdout_test`) that measures what the channel really adds.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..render import fmt
from ..inputs.channels import channel_label

#: largest budget change per channel and quarter (share of its budget)
MAX_SHIFT = 0.20
#: items bought in lumps (a fair stand), decided once a year, not shifted quarter by quarter
LUMPY_CHANNELS = ("trade_fairs",)
#: rise in cost per qualified lead vs a year ago that confirms a weak ROMI
CPL_ALARM = 0.30
#: channels bought in regions (geo holdout possible) and channels sent to lists (audience holdout)
GEO_CHANNELS = ("linkedin", "paid_search", "paid_social", "display")
AUDIENCE_CHANNELS = ("email",)


def suggest(channels: pd.DataFrame, *, lumpy: Iterable[str] = LUMPY_CHANNELS, max_shift: float = MAX_SHIFT,
            cpl_alarm: float = CPL_ALARM, step: float = 100.0) -> pd.DataFrame:
    """Next quarter's budget per channel from this quarter's budget and ROMI range.

    ``channels`` is indexed by channel with ``budget`` (this quarter's spend), ``romi``,
    ``romi_low``, ``romi_high`` and optionally ``cpl_change`` (cost per qualified lead vs
    a year ago, 0.3 = +30 %). Rules (portfolio = cost-weighted ROMI of the shiftable channels):

    * lumpy channel → ``separate`` (unchanged here);
    * ``romi_low < 0`` and ``romi`` below portfolio → ``cut`` by ``max_shift`` when the whole
      range is below 0 or ``cpl_change >= cpl_alarm``, else by half of it;
    * ``romi_low > 0`` and ``romi`` above portfolio → ``grow``: the money cut goes there in
      proportion to budget, each capped at ``max_shift``; what is left is ``reserve``;
    * else ``hold``. Changes are rounded towards zero to ``step`` euros.

    Returns the input columns plus ``proposed, change, change_pct, action, strength`` and
    ``attrs["reserve"]`` (cut money no growth channel can absorb) and ``attrs["portfolio_romi"]``.
    """
    if not 0 < max_shift <= 1:
        raise ValueError(f"max_shift {max_shift!r} must be a share between 0 and 1, e.g. 0.2")
    missing = [c for c in ("budget", "romi", "romi_low", "romi_high") if c not in channels.columns]
    if missing:
        raise ValueError(f"channels lacks column(s) {', '.join(missing)}")
    df = channels.copy()
    if "cpl_change" not in df:
        df["cpl_change"] = np.nan
    lumpy = set(lumpy)
    df["budget"] = df["budget"].astype(float).fillna(0.0)
    is_lumpy = df.index.isin(list(lumpy))
    shiftable = ~is_lumpy & (df["budget"] > 0) & df["romi"].notna()
    cost = df.loc[shiftable, "budget"]
    portfolio = float((df.loc[shiftable, "romi"] * cost).sum() / cost.sum()) if cost.sum() > 0 else math.nan

    cut = shiftable & (df["romi_low"] < 0) & (df["romi"] < portfolio)
    grow = shiftable & (df["romi_low"] > 0) & (df["romi"] > portfolio)
    strong = (df["romi_high"] < 0) | (df["cpl_change"] >= cpl_alarm)
    df["strength"] = np.where(cut, np.where(strong, 1.0, 0.5), np.where(grow, 1.0, 0.0))
    change = pd.Series(0.0, index=df.index)
    change[cut] = -max_shift * df.loc[cut, "strength"] * df.loc[cut, "budget"]
    freed = -float(change[cut].sum())
    room = max_shift * df.loc[grow, "budget"]
    if room.sum() > 0 and freed > 0:
        change[grow] = room * min(1.0, freed / float(room.sum()))
    change = np.trunc(change / step) * step  # towards zero: never beyond the cap
    df["change"] = change.astype(float)
    df["proposed"] = df["budget"] + df["change"]
    df["change_pct"] = np.where(df["budget"] > 0, df["change"] / df["budget"].where(df["budget"] > 0), np.nan)
    df["action"] = np.select([is_lumpy, cut & (change < 0), grow & (change > 0)], ["separate", "cut", "grow"], "hold")
    df.attrs["reserve"] = float(-df["change"].sum())
    df.attrs["portfolio_romi"] = portfolio
    return df


def biggest_shift(suggestion: pd.DataFrame) -> str | None:
    """The channel with the largest absolute budget change (None when nothing moves)."""
    moved = suggestion.loc[suggestion["change"] != 0, "change"].abs()
    return str(moved.sort_values(ascending=False, kind="mergesort").index[0]) if len(moved) else None


def holdout_test(channel: str, lang: str, *, weeks: int = 8) -> str:
    """How to measure what ``channel`` really adds: geo, audience or time-split holdout."""
    label = channel_label(channel, lang)
    de = lang == "de"
    if channel in GEO_CHANNELS:
        return (f"Testgebiete ohne Werbung (Vergleichsgruppe): {label} {weeks} Wochen lang in einem Drittel der Vertriebsgebiete (z. B. PLZ-Bereiche 0–3) "
                "pausieren und qualifizierte Anfragen und Pipeline dieser Gebiete mit den übrigen vergleichen."
                if de else
                f"Test regions without ads (control group): pause {label} for {weeks} weeks in a third of the sales regions (e.g. postcode areas 0–3) "
                "and compare qualified inquiries and pipeline there with the other regions.")
    if channel in AUDIENCE_CHANNELS:
        return (f"Kontrollgruppe: 10 % der Empfänger zufällig {weeks} Wochen von {label} ausnehmen und deren "
                "Anfragen und Aufträge mit den übrigen vergleichen."
                if de else
                f"Control group: exclude a random 10 % of recipients from {label} for {weeks} weeks and compare "
                "their inquiries and orders with the rest.")
    return (f"Zeit-Split: {label} im Wechsel vier Wochen an, vier Wochen aus ({2 * weeks} Wochen) und die "
            "Anfragen der An- und Aus-Wochen vergleichen."
            if de else
            f"Time split: run {label} four weeks on, four weeks off ({2 * weeks} weeks) and compare the inquiries "
            "of on and off weeks.")


# --------------------------------------------------------------------------- business case


def channel_history(leads: pd.DataFrame, deals: pd.DataFrame, spend: pd.DataFrame, channel: str,
                    quarters: Iterable[pd.Period]) -> pd.DataFrame:
    """Per quarter for one channel: ``spend``, ``qualified_leads`` (MQL date in the quarter),
    ``won`` and ``won_value`` (new-business deals of the channel's leads closed in the quarter).
    """
    rows = {}
    nb = deals[(deals["status"] == "won") & (deals["channel"] == channel)]
    if "deal_type" in nb.columns:
        nb = nb[nb["deal_type"].astype("string").str.contains("new", case=False, na=True)]
    mql = leads.loc[leads["channel"] == channel, "mql_date"]
    sp = spend[spend["channel"] == channel]
    for q in quarters:
        start, end = q.start_time, q.end_time
        in_q = lambda s: (s >= start) & (s <= end)  # noqa: E731
        won = nb[in_q(nb["close_date"])]
        rows[str(q)] = {"spend": float(sp.loc[in_q(sp["date"]), "cost"].sum()),
                        "qualified_leads": float(in_q(mql).sum()),
                        "won": float(len(won)), "won_value": float(won["amount"].sum())}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "quarter"
    return out


@dataclass(frozen=True)
class Projection:
    """A projected business case: point estimates and (low, high) ranges."""

    amount: float
    channel: str
    point: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    rates: dict[str, float]
    n_quarters: int
    #: point estimate at the latest quarter's cost per lead (None when not given)
    current: dict[str, float] | None = None


def _project_once(amount: float, spend: float, leads: float, won: float, won_value: float,
                  gross_margin: float) -> dict[str, float]:
    cpl = spend / leads if leads else math.nan
    n_leads = amount / cpl if cpl and cpl == cpl else 0.0
    conv = n_leads * (won / leads) if leads else 0.0
    revenue = conv * (won_value / won) if won else 0.0
    margin = revenue * gross_margin
    return {"leads": n_leads, "conversions": conv, "revenue": revenue, "margin": margin,
            "romi": (margin - amount) / amount if amount else math.nan,
            # margin of the first orders spread over a year: months until it covers the amount
            "payback_months": 12.0 * amount / margin if margin > 0 else math.inf}


def project(amount: float, history: pd.DataFrame, gross_margin: float, *, channel: str = "",
            n_boot: int = 1000, seed: int = 20240101, ci: float = 0.8, current_quarter: bool = True) -> Projection:
    """Business case of spending ``amount`` more on a channel, from its own history.

    Rates pooled over the quarters of ``history`` (see :func:`channel_history`): cost per
    qualified lead = Σspend ÷ Σqualified leads, lead→won = Σwon ÷ Σqualified leads, average
    deal = Σwon value ÷ Σwon. Projection: leads = amount ÷ cost per lead, won deals = leads ×
    lead→won, revenue = won × average deal, margin = revenue × ``gross_margin``, ROMI =
    (margin − amount) ÷ amount, payback = 12 × amount ÷ margin months. The range resamples
    the quarters with replacement (``n_boot`` times, seeded) and takes the central ``ci``.
    Average rates assume the extra money buys leads as cheaply as before: an upper bound;
    with ``current_quarter`` the result also holds ``current``, the point estimate at the
    last quarter's cost per lead (the price of the next lead, when costs are rising).
    """
    if amount <= 0:
        raise ValueError(f"amount {amount!r} must be a positive amount of money")
    if history.empty:
        raise ValueError("history has no quarters; a business case needs the channel's past rates")
    cols = ["spend", "qualified_leads", "won", "won_value"]
    arr = history[cols].to_numpy(dtype=float)
    totals = arr.sum(axis=0)
    point = _project_once(amount, *totals, gross_margin)
    rng = np.random.default_rng(seed)
    n = len(arr)
    draws = [_project_once(amount, *arr[rng.integers(0, n, n)].sum(axis=0), gross_margin) for _ in range(int(n_boot))]
    q = [(1 - ci) / 2, 1 - (1 - ci) / 2]
    low, high = {}, {}
    big = 1e300  # stands in for "never pays back" so quantiles stay defined
    for key in point:
        vals = np.array([d[key] for d in draws], dtype=float)
        vals = np.where(np.isfinite(vals), vals, big)
        lo, hi = np.quantile(vals, q)
        low[key], high[key] = (float(v) if v < big / 10 else math.inf for v in (lo, hi))
    sp, ql, won, wv = totals
    rates = {"cost_per_lead": sp / ql if ql else math.nan, "lead_to_won": won / ql if ql else math.nan,
             "avg_deal": wv / won if won else math.nan, "gross_margin": gross_margin}
    current = None
    last = arr[-1]
    if current_quarter and last[1] > 0:
        # last quarter's cost per lead, pooled conversion and deal value
        current = _project_once(amount, last[0] * ql / last[1], ql, won, wv, gross_margin)
        rates["cost_per_lead_current"] = last[0] / last[1]
    return Projection(float(amount), channel, point, low, high, rates, n, current)


def _range(p: Projection, key: str, f) -> str:
    return f"{f(p.point[key])} ({f(p.low[key])}–{f(p.high[key])})"


def business_case_rows(p: Projection, lang: str, currency: str) -> tuple[list[str], list[list[str]]]:
    """A two-row table: expected value and range of leads, deals, revenue, margin (thousands) and payback."""
    de = lang == "de"
    k = lambda v: fmt.number(v / 1000, lang)  # noqa: E731
    months = lambda v: fmt.number(v, lang) if math.isfinite(v) else ("nie" if de else "never")  # noqa: E731
    cols = [("leads", lambda v: fmt.number(v, lang)), ("conversions", lambda v: fmt.number(v, lang, 1)),
            ("revenue", k), ("margin", k), ("payback_months", months)]
    unit = fmt.money(1000, lang, currency=currency, compact=True).replace("1", "", 1).strip()  # "Tsd. €" / "€k"
    header = ([" ", "Qualif. Anfragen", "Aufträge", f"Umsatz ({unit})", f"Deckungsbeitrag ({unit})", "Amortisation (Monate)"]
              if de else [" ", "Qualified inquiries", "Deals", f"Revenue ({unit})", f"Margin ({unit})", "Payback (months)"])
    rows = [["Erwartet" if de else "Expected"] + [f(p.point[key]) for key, f in cols],
            ["Spanne" if de else "Range"] + [f"{f(p.low[key])}…{f(p.high[key])}" for key, f in cols]]
    return header, rows


def basis_text(p: Projection, lang: str, currency: str) -> str:
    """The company's own rates the projection rests on."""
    r = p.rates
    money = lambda v: fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)  # noqa: E731
    if lang == "de":
        return (f"Grundlage (letzte {p.n_quarters} Quartale): {money(r['cost_per_lead'])} je qualifizierter Anfrage, {fmt.percent(r['lead_to_won'], lang, 1)} "
                f"davon werden Aufträge, {money(r['avg_deal'])} je Auftrag, {fmt.percent(r['gross_margin'], lang, 0)} Marge; "
                "Amortisation ab Auftragseingang.")
    return (f"Basis (last {p.n_quarters} quarters): {money(r['cost_per_lead'])} per qualified inquiry, {fmt.percent(r['lead_to_won'], lang, 1)} of them "
            f"become deals, {money(r['avg_deal'])} per deal, {fmt.percent(r['gross_margin'], lang, 0)} margin; payback from the order.")


def business_case_text(p: Projection, lang: str, currency: str, alternative: tuple[str, float] | None = None) -> str:
    """One paragraph: the verdict of the business case and its caveats.

    Verdict: "pays for itself with confidence" when the low end of the margin range and the
    margin at the current cost per lead both cover the amount; "on average" when the point
    estimate does; else "does not pay". ``alternative`` = (channel, ROMI) of the best channel
    to compare against: the money could go there instead.
    """
    de = lang == "de"
    money = lambda v: fmt.money(v, lang, currency=currency, compact=True)  # noqa: E731
    label = channel_label(p.channel, lang) if p.channel else ""
    cur = p.current
    safe = p.low["margin"] >= p.amount and (cur is None or cur["margin"] >= p.amount)
    pays = p.point["margin"] >= p.amount
    romi = (p.point["margin"] - p.amount) / p.amount
    if de:
        verdict = ("trägt sich sicher" if safe else "trägt sich im Mittel, aber nicht sicher" if pays
                   else "trägt sich nach den bisherigen Quoten nicht")
        out = f"{money(p.amount)} für {label} {verdict}."
        if cur is not None and p.rates.get("cost_per_lead_current", 0) > 1.1 * p.rates["cost_per_lead"]:
            out += (f" Zu den aktuellen Kosten je Anfrage ({money(p.rates['cost_per_lead_current'])}) "
                    f"nur {money(cur['margin'])}.")
        if alternative is not None and alternative[1] > romi:
            out += (f" {channel_label(alternative[0], lang)} brachte bisher {fmt.percent(alternative[1], lang, 0)} ROMI "
                    f"statt {fmt.percent(romi, lang, 0)}: dort ist das Geld besser eingesetzt.")
        return out
    verdict = ("pays for itself with confidence" if safe else "pays for itself on average, but not with confidence" if pays
               else "does not pay for itself at past rates")
    out = f"{money(p.amount)} for {label} {verdict}."
    if cur is not None and p.rates.get("cost_per_lead_current", 0) > 1.1 * p.rates["cost_per_lead"]:
        out += f" At the current cost per inquiry ({money(p.rates['cost_per_lead_current'])}) only {money(cur['margin'])}."
    if alternative is not None and alternative[1] > romi:
        out += (f" {channel_label(alternative[0], lang)} has returned {fmt.percent(alternative[1], lang, 0)} ROMI "
                f"instead of {fmt.percent(romi, lang, 0)}: the money works harder there.")
    return out


def expected_effect(suggestion: pd.DataFrame) -> dict[str, float]:
    """Margin effect of the shift at each channel's average return: Σ change × (1 + ROMI).

    Returns ``margin`` (change of attributed margin per quarter), ``cost`` (change of spend,
    negative = saving) and ``net`` = margin − cost. Average returns overstate the marginal
    euro, so read it as the direction and size, not a promise.
    """
    moved = suggestion[suggestion["action"].isin(["cut", "grow"])]
    margin = float((moved["change"] * (1 + moved["romi"])).sum())
    cost = float(moved["change"].sum())
    return {"margin": margin, "cost": cost, "net": margin - cost}
