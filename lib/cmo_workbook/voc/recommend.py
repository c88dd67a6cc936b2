"""Recommendations from the taxonomy's rules (theme x trend flag x signal -> owner + action, de/en) and the
revenue at stake behind a theme: feedback linked to CRM accounts and their order intake (:func:`account_stake`)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..render import fmt

RECOMMENDATION_COLUMNS = ["priority", "rule", "theme", "label", "owner", "action", "flag", "n", "share",
                          "delta_pp", "p_value", "quote_id"]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _matches(when: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    themes = _as_list(when.get("theme"))
    if themes and row["theme"] not in themes:
        return False
    flags = _as_list(when.get("flag"))
    if flags and row["flag"] not in flags:
        return False
    if row["n"] < int(when.get("min_n", 1)):
        return False
    signal = when.get("signal")
    if signal and row["signal_shares"].get(signal, 0.0) < float(when.get("min_signal_share", 0.5)):
        return False
    return True


def _fmt(template: str, values: Mapping[str, Any]) -> str:
    safe = {k: (0.0 if isinstance(v, float) and math.isnan(v) else v) for k, v in values.items()}
    return template.format(**safe)


def recommend(themes: pd.DataFrame, candidates: pd.DataFrame, quotes: pd.DataFrame,
              taxonomy: Mapping[str, Any], *, lang: str = "de") -> pd.DataFrame:
    """One recommendation per theme (first matching rule) plus one per large candidate theme.

    ``themes`` needs theme, label, owner, n, share, delta_pp, p_value, flag and signal_shares (dict
    signal -> share of the theme's items). Evidence columns: n, share, delta_pp (vs baseline),
    p_value, quote_id (the theme's first quote, or a candidate's first example). Order: rule order,
    then n desc.
    """
    rules = list(taxonomy.get("recommendations") or [])
    first_quote = {}
    for q in quotes.itertuples(index=False):
        first_quote.setdefault(q.theme, q.feedback_id)
    rows = []
    for row in themes.to_dict("records"):
        for order, rule in enumerate(rules):
            if not _matches(rule.get("when") or {}, row):
                continue
            owner = row["owner"] if rule.get("owner") == "theme" else rule.get("owner", row["owner"])
            values = {"label": row["label"], "n": row["n"], "share_pct": 100 * row["share"],
                      "delta_pp": row["delta_pp"],
                      "signal_share_pct": 100 * row["signal_shares"].get((rule.get("when") or {}).get("signal"), 0.0)}
            # locale-formatted variants ("+13,5 Pp." in German memos) for the templates
            values.update({"delta_pp_text": fmt.pp(row["delta_pp"] / 100, lang),
                           "share_text": fmt.percent(row["share"], lang, 0),
                           "signal_share_text": fmt.percent(values["signal_share_pct"] / 100, lang, 0)})
            rows.append({"_order": order, "rule": rule["id"], "theme": row["theme"], "label": row["label"],
                         "owner": owner, "action": _fmt(rule[f"action_{lang}"], values), "flag": row["flag"],
                         "n": row["n"], "share": row["share"], "delta_pp": row["delta_pp"],
                         "p_value": row["p_value"], "quote_id": first_quote.get(row["theme"])})
            break
    cand_rule = taxonomy.get("candidate_recommendation")
    if cand_rule and not candidates.empty:
        for c in candidates.itertuples(index=False):
            if c.size < int(cand_rule.get("min_n", 1)):
                continue
            rows.append({"_order": len(rules), "rule": "candidate_theme", "theme": c.candidate, "label": c.label,
                         "owner": cand_rule.get("owner", "marketing"),
                         "action": _fmt(cand_rule[f"action_{lang}"], {"label": c.label, "n": c.size}),
                         "flag": "new", "n": c.size, "share": math.nan, "delta_pp": math.nan,
                         "p_value": math.nan, "quote_id": c.example_ids[0] if c.example_ids else None})
    if not rows:
        return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
    out = pd.DataFrame(rows).sort_values(["_order", "n", "theme"], ascending=[True, False, True], kind="mergesort")
    out["priority"] = range(1, len(out) + 1)
    return out[RECOMMENDATION_COLUMNS].reset_index(drop=True)


# -- revenue at stake: feedback linked to CRM accounts ---------------------------------------------------------

#: mail domains that name a mail provider, not a company: never used to link feedback to an account
FREEMAIL = frozenset({"gmail.com", "googlemail.com", "web.de", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "t-online.de",
                      "outlook.com", "outlook.de", "hotmail.com", "hotmail.de", "live.com", "yahoo.com", "yahoo.de",
                      "icloud.com", "me.com", "aol.com", "freenet.de", "posteo.de", "mail.de", "protonmail.com"})
#: how an item was linked, in the order tried (the data note counts each)
LINK_METHODS = ("account_id", "company", "email_domain")
#: a stake singles out product lines only when this few carry :data:`FOCUS_COVER` of the theme's items naming one;
#: wider spread names all lines (a safety stock "for KS-60, KD-400" out of six near-equal lines is noise, and two
#: memos of neighbouring months would name different pairs)
FOCUS_LINES = 2
FOCUS_COVER = 0.5


def _domain(email: Any) -> str | None:
    text = str(email).strip().casefold() if email is not None and not pd.isna(email) else ""
    dom = text.rsplit("@", 1)[-1] if "@" in text else ""
    return dom if dom and dom not in FREEMAIL else None


def _name(value: Any) -> str | None:
    from ..competitors.names import name_key  # one matching rule for company names across the analyses

    if value is None or pd.isna(value) or not str(value).strip():
        return None
    return name_key(value)


def deal_accounts(deals: pd.DataFrame) -> pd.Series:
    """Each deal's account key: its ``account_id``; without one (a HubSpot deals export carries the company name
    only, "Associated Company (Primary)"), the id another deal of the same company name has, else
    ``company:<name key>`` (case, blanks and a trailing legal form ignored). NA without id and company.

    The one home of "which account a deal belongs to" for :func:`link_accounts` and :func:`account_stake`.
    """
    ids = (deals["account_id"].astype("string") if "account_id" in deals
           else pd.Series(pd.NA, index=deals.index, dtype="string"))
    names = [_name(c) for c in deals["company"]] if "company" in deals else [None] * len(deals)
    by_name: dict[str, str] = {}
    for acc, key in zip(ids, names):
        if not pd.isna(acc) and key is not None:
            by_name.setdefault(key, str(acc))
    out = [str(acc) if not pd.isna(acc) else (by_name.get(key, f"company:{key}") if key is not None else pd.NA)
           for acc, key in zip(ids, names)]
    return pd.Series(out, index=deals.index, dtype="string")


def link_accounts(feedback: pd.DataFrame, deals: pd.DataFrame, leads: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each feedback item's CRM account: ``feedback_id, account, linked_by`` (account missing when not linked).

    Tried in order: the feedback's ``account_id`` when the deals know it; its ``company`` against the deals'
    company names (case, blanks and a trailing legal form ignored); the domain of its ``contact_email``
    against the e-mail domains of the CRM contacts (leads) whose account or company has deals (mail
    providers such as gmail.com never link). One account per company name or domain: the first in the deals.
    """
    # every deal's account, also where the export has no account id (the company name is the account then)
    keys = deal_accounts(deals)
    known = set(keys.dropna().astype(str))
    by_name: dict[str, str] = {}
    for acc, comp in zip(keys, deals.get("company", pd.Series(pd.NA, index=deals.index))):
        if not pd.isna(acc) and (key := _name(comp)) is not None:
            by_name.setdefault(key, str(acc))
    by_domain: dict[str, str] = {}
    if leads is not None and "contact_email" in leads:
        for email, acc, comp in zip(leads["contact_email"], leads.get("account_id", pd.Series(pd.NA, index=leads.index)),
                                    leads.get("company", pd.Series(pd.NA, index=leads.index))):
            dom = _domain(email)
            if dom is None or dom in by_domain:
                continue
            if acc is not None and not pd.isna(acc) and str(acc) in known:
                by_domain[dom] = str(acc)
            elif (key := _name(comp)) is not None and key in by_name:
                by_domain[dom] = by_name[key]
    rows = []
    for r in feedback.to_dict("records"):
        acc, how = None, None
        own = r.get("account_id")
        if own is not None and not pd.isna(own) and str(own) in known:
            acc, how = str(own), "account_id"
        elif (key := _name(r.get("company"))) is not None and key in by_name:
            acc, how = by_name[key], "company"
        elif (dom := _domain(r.get("contact_email"))) is not None and dom in by_domain:
            acc, how = by_domain[dom], "email_domain"
        rows.append({"feedback_id": str(r["feedback_id"]), "account": acc, "linked_by": how})
    return pd.DataFrame(rows, columns=["feedback_id", "account", "linked_by"])


@dataclass
class AccountStake:
    """The CRM order intake of the accounts that raised a theme: what the issue puts at risk.

    ``order_intake``: won deals of those accounts with a close date in [``start``, ``end``) (CRM order value,
    not booked revenue); ``open_pipeline``: their deals still open at ``end``. ``products``: the product lines
    the theme's items name, most named first (``product_counts``: items per line; ``months``: the feedback months
    the items come from, for the label). Which lines to name: :meth:`focus_products`.
    """

    theme: str
    n_items: int
    n_linked: int
    accounts: int
    order_intake: float
    won_deals: int
    open_pipeline: float
    start: pd.Timestamp
    end: pd.Timestamp
    products: list[str] = field(default_factory=list)
    linked_by: dict[str, int] = field(default_factory=dict)
    product_counts: dict[str, int] = field(default_factory=dict)
    months: tuple[str, ...] = ()

    def focus_products(self) -> list[str]:
        """The fewest lines (most named first) that together carry at least half of the items naming a line, when
        that is at most :data:`FOCUS_LINES`; ``[]`` when the items spread wider or name no line.

        The one rule every memo uses to say which products a stake is about, so the VoC memo and the strategy
        memo cannot name different pairs out of the same even spread.
        """
        named = sum(self.product_counts.values())
        out, covered = [], 0
        for product in self.products:
            out.append(product)
            covered += self.product_counts.get(product, 0)
            if covered >= FOCUS_COVER * named:
                break
        return out if named and len(out) <= FOCUS_LINES else []

    @property
    def top_share(self) -> float:
        """Share of the most named line among the items naming a line (NaN without any)."""
        named = sum(self.product_counts.values())
        return max(self.product_counts.values()) / named if named else math.nan

    @property
    def match_rate(self) -> float:
        """Share of the theme's items linked to an account (NaN without items)."""
        return self.n_linked / self.n_items if self.n_items else math.nan


def match_summary(links: pd.DataFrame) -> dict[str, Any]:
    """``n, linked, rate`` and counts per method of a :func:`link_accounts` frame (for the data note)."""
    n = len(links)
    linked = int(links["account"].notna().sum())
    return {"n": n, "linked": linked, "rate": linked / n if n else math.nan,
            "by": {m: int((links["linked_by"] == m).sum()) for m in LINK_METHODS}}


def account_stake(items: pd.DataFrame, links: pd.DataFrame, deals: pd.DataFrame, *, theme: str, end: Any,
                  months: int = 12) -> AccountStake:
    """Order intake in the ``months`` before ``end`` (exclusive) of the accounts whose feedback in ``items``
    matched ``theme`` (``items``: the VoC result's items of the month, with ``themes`` tuples).

    Deals without a close date, or won after ``end``, do not count; open deals are the ones with status open.
    """
    end = pd.Timestamp(end)
    start = end - pd.DateOffset(months=int(months))
    mine = items.loc[items["themes"].map(lambda ts: theme in ts)]
    ids = mine["feedback_id"].astype(str)
    linked = links.loc[links["feedback_id"].isin(set(ids)) & links["account"].notna()]
    accounts = set(linked["account"])
    acc = deals.loc[deal_accounts(deals).isin(accounts).fillna(False)] if len(accounts) else deals.iloc[0:0]
    close = pd.to_datetime(acc["close_date"])
    won = acc.loc[(acc["status"] == "won") & (close >= start) & (close < end)]
    open_ = acc.loc[acc["status"] == "open"]
    products = (mine["product"].dropna().astype(str).value_counts().sort_index().sort_values(ascending=False, kind="stable")
                if "product" in mine else pd.Series(dtype=int))
    months = tuple(sorted(mine["month"].dropna().astype(str).unique())) if "month" in mine else ()
    return AccountStake(theme, int(len(mine)), int(len(linked)), len(accounts), float(won["amount"].sum()),
                        int(len(won)), float(open_["amount"].sum()), start, end, list(products.index),
                        {m: int((linked["linked_by"] == m).sum()) for m in LINK_METHODS},
                        {str(k): int(v) for k, v in products.items()}, months)


# -- the cost of a safety stock against the stake ------------------------------------------------------------------


@dataclass
class SafetyStock:
    """A safety stock for the product lines a delivery stake names, costed the way controlling costs stock.

    ``demand``: our won order intake of those lines over the stake's window (all customers, CRM order value);
    ``value``: ``weeks`` of that demand at cost, ``demand × (1 − gross_margin) × weeks ÷ 52`` (the capital the
    approval ties up); ``holding_cost``: ``value × holding_cost_rate`` a year (capital, storage, obsolescence).
    What it brings: it keeps up to ``stake.order_intake`` (the complaining customers' intake, ``margin_at_stake``
    of margin); ``break_even_share``: the share of that intake it must keep to pay for itself.
    """

    stake: AccountStake
    products: list[str]
    demand: float
    weeks: float
    gross_margin: float
    holding_cost_rate: float

    @property
    def value(self) -> float:
        return self.demand * (1 - self.gross_margin) * self.weeks / 52

    @property
    def holding_cost(self) -> float:
        return self.value * self.holding_cost_rate

    @property
    def margin_at_stake(self) -> float:
        return self.stake.order_intake * self.gross_margin

    @property
    def break_even_share(self) -> float:
        return self.holding_cost / self.margin_at_stake if self.margin_at_stake > 0 else math.nan


def safety_stock(stake: AccountStake, deals: pd.DataFrame, *, gross_margin: float, holding_cost_rate: float,
                 weeks: float) -> SafetyStock | None:
    """The safety stock for the lines of ``stake`` (:meth:`AccountStake.focus_products`, else every line its items
    name), costed from their order intake over the stake's window; None when the items name no line or no deal name
    names one (the CRM does not tell the product line: the cost stays an input for operations)."""
    from ..competitors.implications import product_revenue  # one rule for a deal's product line

    products = stake.focus_products() or list(stake.products)
    if not products:
        return None
    months = (stake.end.year - stake.start.year) * 12 + stake.end.month - stake.start.month
    rev = product_revenue(deals, products, end=stake.end, months=months)
    if rev is None:
        return None
    return SafetyStock(stake, products, float(rev["order_intake"].sum()), float(weeks), float(gross_margin),
                       float(holding_cost_rate))
