""""Implications for us": rule-based texts from params, and competitors we stopped watching.

Every sentence comes from a template in params (``competitors.implication_rules``); the
library only chooses the rule and fills in the item's fields, it never writes its own::

    - id: price_cut_core
      when: {topic: price, min_price_change_pct: -5, segment_in: core}
      implication_de: "{competitor} senkt {product} um {change_pct_abs} % – unser Kernsegment {segment}."
      implication_en: "{competitor} cuts {product} by {change_pct_abs}% in our core segment {segment}."
      response_de: "Argumentationsblatt für den Vertrieb zu {our_product} bis Monatsende."
      response_en: "Sales argument sheet for {our_product} by month end."
      owner: Vertriebsleitung

Conditions in ``when`` (all must hold): ``topic`` (one or a list), ``segment_in`` (``own``,
a priority class such as ``core``, or segment names), ``min_price_change_pct`` (negative:
a cut of at least that size; positive: a rise of at least that size), ``direction``
(``up``/``down``), ``min_impact`` (low/medium/high), ``competitor_in``, ``min_relevance``.
The first matching rule wins, so order rules from specific to general.

Template fields are the item's columns as text: numbers with one decimal in the memo
language (``12,0`` / ``12.0``), dates as ``15.09.2026`` / ``2026-09-15``; plus
``change_pct_abs``, ``segment_class`` and the caller's own fields (``fields`` of :func:`implications`: the
briefing passes ``arguments``, the selling arguments the customer feedback leaves us,
:mod:`cmo_workbook.memos.arguments`).
"""
from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..errors import ParamsError
from ..render.i18n import t
from .names import normalise_competitors, competitor_entries
from .relevance import OWN_CLASS, segment_classes, split_values

RULES_KEY = "competitors.implication_rules"
CONDITIONS = ("topic", "segment_in", "min_price_change_pct", "direction", "min_impact", "competitor_in",
              "min_relevance")
RULE_KEYS = ("id", "when", "implication_de", "implication_en", "response_de", "response_en", "owner")
_IMPACT_ORDER = {"low": 1, "medium": 2, "high": 3}


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def check_rules(rules: Sequence[Mapping[str, Any]], *, lang: str) -> list[dict[str, Any]]:
    """Validate the rules from params and give each an ``id``.

    Raises:
        ParamsError: unknown key or condition, or a missing template for ``lang``.
    """
    checked = []
    for i, rule in enumerate(rules):
        where = f"{RULES_KEY}[{i + 1}]"
        rule = dict(rule)
        rule.setdefault("id", f"rule {i + 1}")
        unknown = sorted(set(rule) - set(RULE_KEYS))
        if unknown:
            raise ParamsError(f"{where} ({rule['id']}): unknown key {', '.join(unknown)}; "
                              f"expected keys: {', '.join(RULE_KEYS)}")
        when = rule.get("when") or {}
        if not isinstance(when, Mapping):
            raise ParamsError(f"{where} ({rule['id']}): 'when' is {when!r}; expected a mapping of conditions "
                              f"such as {{topic: price, min_price_change_pct: -5}}")
        bad = sorted(set(when) - set(CONDITIONS))
        if bad:
            raise ParamsError(f"{where} ({rule['id']}): unknown condition {', '.join(bad)}; "
                              f"expected one of: {', '.join(CONDITIONS)}")
        for key in (f"implication_{lang}", f"response_{lang}"):
            if not rule.get(key):
                raise ParamsError(f"{where} ({rule['id']}): no '{key}' template; add the text for memos in '{lang}'")
        checked.append(rule)
    return checked


def _matches(item: Mapping[str, Any], when: Mapping[str, Any], classes: dict[str, str]) -> bool:
    if "topic" in when and str(item.get("topic")) not in _as_list(when["topic"]):
        return False
    if "competitor_in" in when and str(item.get("competitor")) not in _as_list(when["competitor_in"]):
        return False
    if "segment_in" in when:
        wanted = {w.casefold() for w in _as_list(when["segment_in"])}
        segs = [s.casefold() for s in split_values(item.get("segment"))]
        if not any(s in wanted or (s in classes and (classes[s].casefold() in wanted or OWN_CLASS in wanted))
                   for s in segs):
            return False
    if "min_price_change_pct" in when or "direction" in when:
        change = item.get("change_pct")
        if change is None or pd.isna(change):
            return False
        limit = float(when.get("min_price_change_pct", 0))
        if (limit < 0 and change > limit) or (limit > 0 and change < limit) or change == 0:
            return False
        if "direction" in when and when["direction"] != ("down" if change < 0 else "up"):
            return False
    if "min_impact" in when:
        impact = str(item.get("impact") or "").lower()
        if _IMPACT_ORDER.get(impact, 0) < _IMPACT_ORDER.get(str(when["min_impact"]).lower(), 99):
            return False
    if "min_relevance" in when:
        rel = item.get("relevance")
        if rel is None or pd.isna(rel) or rel < float(when["min_relevance"]):
            return False
    return True


def _text(value: Any, lang: str) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d.%m.%Y" if lang == "de" else "%Y-%m-%d")
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if lang == "de" else text
    return str(value)


def _fields(item: Mapping[str, Any], classes: dict[str, str], lang: str) -> dict[str, str]:
    fields = {str(k): _text(v, lang) for k, v in item.items()}
    change = item.get("change_pct")
    if change is not None and not pd.isna(change):
        fields["change_pct_abs"] = _text(abs(float(change)), lang)
    segs = [s for s in split_values(item.get("segment")) if s.casefold() in classes]
    fields["segment_class"] = classes[segs[0].casefold()] if segs else ""
    return fields


def _fill(template: str, fields: dict[str, str], where: str) -> str:
    names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    missing = sorted({n for n in names if n not in fields})
    if missing:
        raise ParamsError(f"{where}: template field {{{missing[0]}}} is not a field of the item; "
                          f"available: {', '.join(sorted(fields))}")
    try:
        return template.format_map(fields)
    except (ValueError, IndexError) as exc:
        raise ParamsError(f"{where}: template {template!r} cannot be filled ({exc}); fields arrive as text, "
                          "so use plain {name} without a format spec") from None


def implications(
    items: pd.DataFrame,
    rules: Sequence[Mapping[str, Any]],
    *,
    own_segments: Mapping[str, str] | Iterable[str],
    lang: str = "de",
    fields: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Implication and suggested response for each item that a rule in params matches.

    Args:
        items: observations (scored or not) and/or price changes; needs ``competitor``
            and ``topic``; conditions read ``segment, change_pct, impact, relevance``.
        rules: ``competitors.implication_rules`` from params.
        own_segments: segment -> priority class (or a list of our segments).
        lang: ``de`` or ``en``: which templates to use.
        fields: template fields beside the item's own (an item's column of the same name wins).

    Returns:
        One row per matched item, in the items' order: ``item`` (the item's index label),
        ``rule``, ``competitor, topic, segment, product``, ``implication, response, owner``.
    """
    checked = check_rules(rules, lang=lang)
    classes = segment_classes(own_segments)
    rows = []
    for label, item in zip(items.index, items.to_dict("records")):
        rule = next((r for r in checked if _matches(item, r.get("when") or {}, classes)), None)
        if rule is None:
            continue
        filled = {**(fields or {}), **_fields(item, classes, lang)}
        where = f"{RULES_KEY} ({rule['id']})"
        rows.append({
            "item": label, "rule": rule["id"],
            **{c: item.get(c, pd.NA) for c in ("competitor", "topic", "segment", "product")},
            "implication": _fill(str(rule[f"implication_{lang}"]), filled, f"{where} implication_{lang}"),
            "response": _fill(str(rule[f"response_{lang}"]), filled, f"{where} response_{lang}"),
            "owner": rule.get("owner", pd.NA),
        })
    cols = ["item", "rule", "competitor", "topic", "segment", "product", "implication", "response", "owner"]
    return pd.DataFrame(rows, columns=cols)


def price_change_items(changes: pd.DataFrame, own_products: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Price changes (:func:`~cmo_workbook.competitors.prices.price_changes`) as rule items.

    Adds ``topic = 'price'``, ``date`` (= ``first_seen``) and ``segment`` (the segment of
    our comparable product in ``competitors.own_products``; missing when not given).
    """
    own = own_products if isinstance(own_products, pd.DataFrame) else pd.DataFrame([dict(p) for p in own_products])
    own = own.rename(columns={"name": "product"})
    seg = dict(zip(own["product"], own["segment"])) if "segment" in own.columns else {}
    out = changes.copy()
    out["topic"] = "price"
    out["date"] = out["first_seen"]
    out["segment"] = out["our_product"].map(lambda p: seg.get(p, pd.NA) if not pd.isna(p) else pd.NA)
    return out


def quiet_competitors(
    obs: pd.DataFrame,
    competitors: Iterable[Mapping[str, Any]] | Mapping[str, Any],
    *,
    as_of: Any,
    months: int = 3,
) -> pd.DataFrame:
    """Competitors without any observation in the ``months`` before ``as_of``: a gap in our watch.

    Silence in the log means nobody looked, not that nothing happened, so these are
    reported as a data gap. Names in ``obs`` may be aliases.

    Returns:
        ``competitor, last_observation`` (missing if never observed), ``days_since``,
        ``note_en, note_de``; sorted by last observation (never-observed first), then name.
    """
    as_of = pd.Timestamp(as_of)
    cutoff = as_of - pd.DateOffset(months=months)
    names = [e["name"] for e in competitor_entries(competitors)]
    seen = normalise_competitors(obs, competitors)
    seen = seen[pd.to_datetime(seen["date"]) <= as_of]
    last = pd.to_datetime(seen["date"]).groupby(seen["competitor"]).max()
    rows = []
    for name in names:
        date = last.get(name, pd.NaT)
        if not pd.isna(date) and date >= cutoff:
            continue
        if pd.isna(date):
            en, de = (t("comp_gap_never", lang, competitor=name) for lang in ("en", "de"))
            days = pd.NA
        else:
            days = int((as_of - date).days)
            # the note's dates as this library has always written them (ISO in English, German day first)
            en, de = (t("comp_gap_since", lang, competitor=name, date=f"{date:{shape}}", days=days)
                      for lang, shape in (("en", "%Y-%m-%d"), ("de", "%d.%m.%Y")))
        rows.append({"competitor": name, "last_observation": date, "days_since": days, "note_en": en, "note_de": de})
    out = pd.DataFrame(rows, columns=["competitor", "last_observation", "days_since", "note_en", "note_de"])
    out["last_observation"] = pd.to_datetime(out["last_observation"])
    out["days_since"] = out["days_since"].astype("Int64")
    return out.sort_values(["last_observation", "competitor"], na_position="first", kind="stable").reset_index(drop=True)


# -- revenue a price move touches ------------------------------------------------------------------------------


def product_line(deal_names: pd.Series, products: Sequence[str]) -> pd.Series:
    """Our product line each deal is about: the first of ``products`` its name contains (case ignored), else NA.

    CRM exports seldom carry a product column; deal names do ("Lange GmbH - Servogetriebe KS-60",
    "Nachbestellung Kupplung KC-Flex"). A name matches as a whole ("KS-600" is not "KS-60"); longer names are
    tried first.
    """
    names = deal_names.astype("string").fillna("").str.casefold()
    out = pd.Series(pd.NA, index=deal_names.index, dtype="string")
    for p in sorted(products, key=len, reverse=True):
        hit = names.str.contains(rf"(?<!\w){re.escape(str(p).casefold())}(?!\w)", regex=True) & out.isna()
        out[hit] = str(p)
    return out


def product_revenue(deals: pd.DataFrame, products: Sequence[str], *, end: Any, months: int = 12) -> pd.DataFrame | None:
    """Won order intake per product line with a close date in the ``months`` before ``end`` (exclusive).

    Returns ``product, order_intake, deals`` for every product in ``products`` (0 where none was won), or None
    when no deal name names any of our products: the CRM does not tell the product line (the input missing).
    """
    end = pd.Timestamp(end)
    start = end - pd.DateOffset(months=int(months))
    line = product_line(deals["deal_name"] if "deal_name" in deals else pd.Series(pd.NA, index=deals.index), products)
    if line.isna().all():
        return None
    close = pd.to_datetime(deals["close_date"])
    won = deals.assign(product=line).loc[(deals["status"] == "won") & (close >= start) & (close < end) & line.notna()]
    sums = won.groupby("product")["amount"].agg(["sum", "size"])
    rows = [{"product": p, "order_intake": float(sums["sum"].get(p, 0.0)), "deals": int(sums["size"].get(p, 0))}
            for p in products]
    return pd.DataFrame(rows, columns=["product", "order_intake", "deals"])


@dataclass
class PriceMoveStake:
    """What a competitor's list-price cut puts at stake for the product lines it touches.

    ``order_intake``: our won order intake of those lines in [``start``, ``end``); ``match_cost``: the margin a
    full match of the cut would cost on it (a price cut comes straight off the margin); ``break_even_share``:
    the share of that intake we would have to lose without matching before matching pays
    (cut ÷ gross margin); ``products`` is empty and ``order_intake`` NaN when the CRM lacks product lines.

    The evidence for the recommendation (:attr:`match_pays`): the lines' deals closed (won or lost) since the cut
    (``since``) and the share of their value lost on price or to a competitor (:func:`price_losses`), against the
    same share in the 12 months before the cut.
    """

    competitor: str
    products: list[str]
    cut: float  #: the cut as a fraction (0.12 for 12 %)
    order_intake: float
    deals: int
    start: pd.Timestamp
    end: pd.Timestamp
    gross_margin: float
    since: pd.Timestamp | None = None  #: the day the cut was first seen
    closed_since: int = 0  #: the lines' deals closed (won or lost) in [since, end)
    lost_since: int = 0  #: of them lost on price or to a competitor
    loss_share_since: float = math.nan  #: value share of ``closed_since`` lost on price or to a competitor
    loss_share_before: float = math.nan  #: the same share in the 12 months before ``since``

    @property
    def loss_rise(self) -> float:
        """How much the price-loss share rose since the cut (NaN without closed deals since): the loss the cut adds."""
        before = 0.0 if self.loss_share_before != self.loss_share_before else self.loss_share_before
        return self.loss_share_since - before

    @property
    def match_pays(self) -> bool:
        """Recommend matching only when the losses since the cut already rose beyond the break-even share on at least
        :data:`MIN_CLOSED_SINCE` closed deals; otherwise no (the margin cost is certain, the loss is not in the data)."""
        return (self.known and self.closed_since >= MIN_CLOSED_SINCE and self.loss_rise == self.loss_rise
                and self.loss_rise > self.break_even_share)

    @property
    def known(self) -> bool:
        """The CRM tells the product lines (the intake is a number)."""
        return self.order_intake == self.order_intake

    @property
    def match_cost(self) -> float:
        return self.order_intake * self.cut

    @property
    def margin_at_risk(self) -> float:
        """Margin of the touched intake: what losing all of it would cost."""
        return self.order_intake * self.gross_margin

    @property
    def break_even_share(self) -> float:
        return self.cut / self.gross_margin if self.gross_margin else math.nan


#: lost reasons that say price or a competitor: the losses a competitor's price cut adds to
PRICE_LOSS = re.compile(r"preis|price|rabatt|discount|wettbewerb|mitbewerb|konkurren|competitor|competition|"
                        r"günstiger|cheaper|billiger", re.I)
#: closed deals since the cut a recommendation to match needs (fewer: no evidence of losses yet)
MIN_CLOSED_SINCE = 10


def price_losses(deals: pd.DataFrame, products: Sequence[str], *, start: Any, end: Any) -> tuple[int, int, float]:
    """``(closed, lost, share)`` of the deals of ``products`` closed in [``start``, ``end``): won or lost deals, those
    lost with a reason naming price or a competitor (:data:`PRICE_LOSS`), and the value share of those (NaN
    without closed value)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    line = product_line(deals["deal_name"] if "deal_name" in deals else pd.Series(pd.NA, index=deals.index), products)
    close = pd.to_datetime(deals["close_date"])
    closed = deals.loc[deals["status"].isin(["won", "lost"]) & (close >= start) & (close < end) & line.notna()]
    reason = (closed["lost_reason"] if "lost_reason" in closed else pd.Series(pd.NA, index=closed.index))
    lost = closed.loc[(closed["status"] == "lost") & reason.astype("string").fillna("").str.contains(PRICE_LOSS)]
    total = float(closed["amount"].fillna(0).sum())
    return len(closed), len(lost), (float(lost["amount"].fillna(0).sum()) / total if total > 0 else math.nan)


def price_move_stake(item: Mapping[str, Any], deals: pd.DataFrame, *, gross_margin: float, end: Any,
                     months: int = 12) -> PriceMoveStake:
    """The stake of one price-change item (``our_product`` lists our touched products, ``change_pct`` the cut,
    ``first_seen`` the day of the cut: the price losses since then against the 12 months before)."""
    end = pd.Timestamp(end)
    ours = [p.strip() for p in str(item.get("our_product") or "").split(",") if p.strip() and p.strip() != "<NA>"]
    cut = abs(float(item.get("change_pct") or 0.0)) / 100
    rev = product_revenue(deals, ours, end=end, months=months) if ours else None
    intake = float(rev["order_intake"].sum()) if rev is not None else math.nan
    n = int(rev["deals"].sum()) if rev is not None else 0
    st = PriceMoveStake(str(item.get("competitor")), ours if rev is not None else [], cut, intake, n,
                        end - pd.DateOffset(months=int(months)), end, float(gross_margin))
    since = item.get("first_seen")
    if rev is not None and since is not None and not pd.isna(since):
        st.since = pd.Timestamp(since)
        st.closed_since, st.lost_since, st.loss_share_since = price_losses(deals, ours, start=st.since, end=end)
        st.loss_share_before = price_losses(deals, ours, start=st.since - pd.DateOffset(months=12), end=st.since)[2]
    return st
