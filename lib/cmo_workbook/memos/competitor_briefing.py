"""The competitor briefing (one page): what competitors did in the period and what we do about it.

:func:`analyse` runs the competitor library on the canonical tables of a period and
returns every result the memo needs (:class:`CompetitorResults`); the functions after it
turn those results into memo text by explicit rules, every sentence a catalogue message (``comp_…``). "Why it matters" and
"what we do" are only ever the implication and response templates of
``competitors.implication_rules`` in params: this module states facts, it never writes advice.

Items (one row per move the rules see) come from four places: list-price changes between
price snapshots, promotion prices (never a list-price change), messaging changes between
claim snapshots, and the merged, relevance-scored observations; competitors without any
observation for ``quiet_after_months`` become ``quiet`` items (a gap in our watch).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import competitors as comp
from ..render import fmt
from ..render.blocks import Header, recommendation_labels as _labels
from ..render.i18n import t, tn
from ..competitors.messaging import _TOKEN, _lemma, detect_language
from ..periods import Period
from ..competitors.implications import MIN_CLOSED_SINCE, PriceMoveStake, price_move_stake
from .voice_of_customer import won_window
from . import arguments

#: Topics derived from snapshots (not typed by colleagues); they lead a competitor's block.
DERIVED_TOPICS = ("price", "messaging", "promo")
#: topics with a label in the timeline (message ``comp_topic_<topic>``); any other topic shows as typed
TOPICS = ("price", "promo", "messaging", "product", "campaign", "trade_fair", "hiring", "partnership", "press", "other",
          "quiet")


@dataclass
class CompetitorResults:
    """Everything the competitor memo (and the strategy memo) reads for one period."""

    period: Period
    as_of: pd.Timestamp  #: last day of the period
    observations: pd.DataFrame  #: all observations, names normalised
    events: pd.DataFrame  #: the period's observations, duplicates merged, scored (relevance, reason_de/en)
    changes: pd.DataFrame  #: list-price changes first seen in the period
    promos: pd.DataFrame  #: promotion prices seen in the period
    index: pd.DataFrame  #: price index per competitor at ``as_of`` (own price = 100)
    index_by_product: pd.DataFrame
    index_before: pd.DataFrame  #: price index per competitor on the day before the period
    messaging: pd.DataFrame  #: summarised messaging changes with the later snapshot in the period
    quiet: pd.DataFrame  #: competitors without observation for ``quiet_months``
    items: pd.DataFrame  #: all moves as rule items (topic, competitor, date, ...)
    notes: pd.DataFrame  #: implications: item, rule, competitor, implication, response, owner
    n_reports: int  #: observations in the period before merging
    messaging_snapshots: int  #: (competitor, place, date) snapshots up to the period end
    quiet_months: int
    lang: str


def _cfg_list(cfg: Mapping[str, Any], key: str) -> Any:
    value = cfg.get(key)
    if value is None:
        raise KeyError(f"competitors.{key} is missing in params")
    return value


def display_terms(terms: str, text: str, lang: str, limit: int = 4) -> list[str]:
    """Lemma terms (``"lieferzeit 48h, hoch präzision"``) in the words the snapshot used.

    Each lemma is mapped back to the first token of ``text`` with that lemma, so the memo
    quotes "höchste Präzision", not the lemma "hoch präzision".
    """
    lang_t = detect_language(text) if text else lang
    langs = (lang_t, "en" if lang_t == "de" else "de")
    surface: dict[str, str] = {}
    for token in _TOKEN.findall(text or ""):
        surface.setdefault(_lemma(token, langs), token)
    out = []
    for term in [x.strip() for x in str(terms or "").split(",") if x.strip()][:limit]:
        out.append(" ".join(surface.get(w, w) for w in term.split(" ")))
    return out


def _quote(terms: list[str], lang: str) -> str:
    if not terms:
        return "–"
    return ", ".join(t("comp_term", lang, term=term) for term in terms)


def _price_items(changes: pd.DataFrame, own_products: Any) -> pd.DataFrame:
    """One item per competitor, date and direction: a price list cuts several products at once."""
    if changes.empty:
        return pd.DataFrame(columns=["competitor", "topic", "date", "first_seen", "product", "our_product",
                                     "segment", "change_pct", "direction"])
    items = comp.price_change_items(changes, own_products)
    rows = []
    for (competitor, first_seen, direction), g in items.groupby(["competitor", "first_seen", "direction"], sort=True):
        rows.append({
            "competitor": competitor, "topic": "price", "date": first_seen, "first_seen": first_seen,
            "product": ", ".join(g["product"]), "our_product": ", ".join(g["our_product"].dropna().astype(str)),
            "segment": "; ".join(dict.fromkeys(g["segment"].dropna().astype(str))) or pd.NA,
            "change_pct": round(float(g["change_pct"].mean()), 1), "direction": direction,
            "old_price_net_eur": float(g["old_price_net_eur"].sum()),
            "new_price_net_eur": float(g["new_price_net_eur"].sum()),
        })
    return pd.DataFrame(rows)


def _promo_items(promos: pd.DataFrame, prices: pd.DataFrame, own_products: Any) -> pd.DataFrame:
    if promos.empty:
        return pd.DataFrame(columns=["competitor", "topic", "date", "first_seen", "product", "our_product",
                                     "segment", "discount_pct"])
    ours = prices.dropna(subset=["our_product"]).groupby(["competitor", "product"])["our_product"].last()
    seg = {str(p.get("name", p.get("product"))): p.get("segment") for p in own_products}
    rows = []
    for (competitor, product), g in promos.groupby(["competitor", "product"], sort=True):
        our = ours.get((competitor, product), pd.NA)
        rows.append({
            "competitor": competitor, "topic": "promo", "date": g["observed_date"].min(),
            "first_seen": g["observed_date"].min(), "last_seen": g["observed_date"].max(),
            "product": product, "our_product": our, "segment": seg.get(str(our), pd.NA),
            "discount_pct": round(float(g["discount_pct"].median()), 1),
            "promo_price_net_eur": float(g["promo_price_net_eur"].iloc[-1]),
            "list_price_net_eur": float(g["list_price_net_eur"].iloc[-1]),
        })
    return pd.DataFrame(rows)


def _telling(terms: str, product_names: list[str]) -> str:
    """Terms that say something: no bare numbers (``ende 2027``) and no product names (``hs-servogetriebe``)."""
    keep = []
    for term in [x.strip() for x in str(terms or "").split(",") if x.strip()]:
        if any(w.isdigit() for w in term.split(" ")) or any(term in p for p in product_names):
            continue
        keep.append(term)
    return ", ".join(keep)


def _messaging_items(summary: pd.DataFrame, snapshots: pd.DataFrame, lang: str,
                     products: Mapping[str, list[str]]) -> pd.DataFrame:
    rows = []
    for r in summary.itertuples(index=False):
        same = snapshots[(snapshots["competitor"] == r.competitor) & (snapshots["location"].fillna("") == r.location)]
        after = " ".join(same.loc[same["date"] == r.date_after, "text"].astype(str))
        before = " ".join(same.loc[same["date"] == r.date_before, "text"].astype(str))
        names = products.get(r.competitor, [])
        started = display_terms(_telling(r.started, names), after, lang, limit=3)
        stopped = display_terms(_telling(r.stopped, names), before, lang, limit=3)
        if not started and not stopped:
            continue
        rows.append({
            "competitor": r.competitor, "topic": "messaging", "date": r.date_after, "first_seen": r.date_after,
            "date_before": r.date_before, "location": r.location or "–",
            "started": _quote(started, lang), "stopped": _quote(stopped, lang),
            "started_terms": started, "stopped_terms": stopped,
        })
    return pd.DataFrame(rows, columns=["competitor", "topic", "date", "first_seen", "date_before", "location",
                                       "started", "stopped", "started_terms", "stopped_terms"])


def analyse(tables: Any, cfg: Mapping[str, Any], period: Period, *, lang: str, vat: float | None = None,
            weak: Iterable[str] = ()) -> CompetitorResults:
    """Run the competitor library on a period.

    Args:
        tables: anything with ``competitor_observations``, ``competitor_prices`` and
            ``competitor_messaging`` attributes (a :class:`~cmo_workbook.inputs.loaders.Dataset`).
        cfg: the ``competitors`` section of params.
        period: the month or quarter reported.
        lang: memo language (implication templates and quoted terms).
        vat: VAT for gross prices (``company.vat_rate``).
        weak: selling arguments the customer feedback names as a rising weakness
            (:func:`cmo_workbook.memos.arguments.weak`): left out of the template field ``{arguments}``.
    """
    as_of = period.last_day
    names = _cfg_list(cfg, "list")
    own_products = list(cfg.get("own_products") or [])
    fx = cfg.get("fx") or {}

    obs = comp.normalise_competitors(tables.competitor_observations, names)
    obs["date"] = pd.to_datetime(obs["date"])
    in_period = obs[period.contains(obs["date"])]
    merged = comp.merge_duplicates(in_period, window_days=int(cfg.get("duplicate_window_days", 3)),
                                   similarity=float(cfg.get("duplicate_similarity", 0.6)))
    events = comp.score_observations(
        merged, own_segments=cfg.get("own_segments") or {}, own_products=[str(p["name"]) for p in own_products],
        priorities=cfg.get("priorities") or {}, as_of=as_of, half_life_days=float(cfg.get("relevance_half_life_days", 60)),
    )

    prices = comp.normalise_competitors(tables.competitor_prices, names)
    prices = prices[pd.to_datetime(prices["observed_date"]) < period.end]
    changes = comp.price_changes(prices, fx=fx, vat=vat)
    changes = changes[period.contains(changes["first_seen"])].reset_index(drop=True)
    promos = comp.promotions(prices, fx=fx, vat=vat)
    promos = promos[period.contains(promos["observed_date"])].reset_index(drop=True)
    index = comp.price_index(prices, own_products, as_of=as_of, fx=fx, vat=vat)
    by_product = comp.price_index_by_product(prices, own_products, as_of=as_of, fx=fx, vat=vat)
    before = comp.price_index(prices, own_products, as_of=period.start - pd.Timedelta(days=1), fx=fx, vat=vat)

    msgs = comp.normalise_competitors(tables.competitor_messaging, names)
    msgs["date"] = pd.to_datetime(msgs["date"])
    msgs = msgs[msgs["date"] < period.end]
    if "location" not in msgs.columns:
        msgs["location"] = ""
    summary = comp.summarise_messaging_changes(comp.messaging_changes(msgs), top_n=8)
    summary = summary[period.contains(pd.to_datetime(summary["date_after"]))].reset_index(drop=True)

    quiet_months = int(cfg.get("quiet_after_months", 3))
    quiet = comp.quiet_competitors(obs, names, as_of=as_of, months=quiet_months)

    # a competitor nobody observed gets no price index: its list may be stale, and a number would read as a fact
    unwatched = set(quiet["competitor"])
    index, by_product, before = (x[~x["competitor"].isin(unwatched)].reset_index(drop=True)
                                 for x in (index, by_product, before))

    products = {c: [str(p).casefold() for p in g.unique()] for c, g in prices.groupby("competitor")["product"]}
    quiet_items = quiet.assign(topic="quiet", date=as_of, origin="gap")
    obs_items = events.assign(first_seen=events["date"], origin="observation")
    snaps = [_price_items(changes, own_products), _messaging_items(summary, msgs, lang, products),
             _promo_items(promos, prices, own_products)]
    items = pd.concat([*(s.assign(origin="snapshot") for s in snaps), obs_items, quiet_items], ignore_index=True)
    notes = comp.implications(items, cfg.get("implication_rules") or [], own_segments=cfg.get("own_segments") or {},
                              lang=lang, fields={"arguments": arguments.text(arguments.kept(weak), lang)})
    return CompetitorResults(period, as_of, obs, events.reset_index(drop=True), changes, promos, index, by_product, before,
                             summary, quiet, items, notes, int(len(in_period)),
                             int(len(msgs.drop_duplicates(["competitor", "location", "date"]))), quiet_months, lang)


# -- memo text --------------------------------------------------------------------------------


def fact(item: Mapping[str, Any], lang: str) -> str:
    """What happened, in one line, from the item's data (no judgement)."""
    topic = item.get("topic")
    d = lambda x: fmt.date(x, lang)  # noqa: E731
    if topic == "price" and not _missing(item.get("change_pct")):
        key = "comp_fact_price_cut" if item["direction"] == "down" else "comp_fact_price_raise"
        return t(key, lang, product=item["product"], pct=fmt.number(abs(float(item["change_pct"])), lang, 1),
                 date=d(item["first_seen"]))
    if topic == "promo":
        return t("comp_fact_promo", lang, product=item["product"], pct=fmt.number(float(item["discount_pct"]), lang, 0),
                 date=d(item["first_seen"]))
    if topic == "messaging":
        return t("comp_fact_messaging", lang, location=item["location"], date=d(item["date"]), started=item["started"],
                 stopped=item["stopped"])
    if topic == "quiet":
        last = item.get("last_observation")
        if _missing(last):
            return t("comp_fact_never_observed", lang)
        return t("comp_fact_quiet", lang, date=d(last), days=fmt.number(item["days_since"], lang))
    reports = int(item.get("n_reports") or 1)
    extra = t("comp_fact_reports", lang, n=reports) if reports > 1 else ""
    return f"{shorten(str(item.get('summary', '')), 140)}{extra}"


def _missing(x: Any) -> bool:
    return x is None or (not isinstance(x, (list, tuple, str)) and pd.isna(x))


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters (with an ellipsis)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:") + " …"


@dataclass
class CompetitorBlock:
    """One main competitor: what happened, why it matters, what we do, owner."""

    competitor: str
    happened: list[str]
    matters: list[str]
    actions: list[str]
    owners: list[str]
    quiet: bool = False
    key: str = ""  #: the decision log's id of the block ("price.hartmann_antriebe")


def _item_order(items: pd.DataFrame) -> pd.DataFrame:
    rank = items["topic"].map({t: i for i, t in enumerate(DERIVED_TOPICS)}).fillna(len(DERIVED_TOPICS))
    rank = rank.where(items["origin"] == "snapshot", len(DERIVED_TOPICS))
    rel = items["relevance"].fillna(float("inf")) if "relevance" in items else pd.Series(0.0, index=items.index)
    return items.assign(_rank=rank, _rel=-rel).sort_values(["_rank", "_rel", "date"], kind="stable")


def _key(topic: str, competitor: str) -> str:
    return f"{topic}.{re.sub(r'[^a-z0-9]+', '_', competitor.casefold()).strip('_')}"


def main_blocks(res: CompetitorResults, *, limit: int = 3, per_block: int = 2,
                stakes: Mapping[Any, PriceMoveStake] | None = None, currency: str = "EUR") -> list[CompetitorBlock]:
    """Blocks for the competitors with at least one matched rule, most concerning first; quiet ones last.

    Order: competitors with moves derived from snapshots (price, messaging, promo) first, then by
    their highest observation relevance. Each block shows its ``per_block`` leading items
    (snapshot moves before observations, observations by relevance); a competitor with at most
    one snapshot move shows one item, so the memo stays on one page. With ``stakes`` (:func:`price_stakes`), a
    price cut's block also says what it puts at stake and asks the discount decision with its euros.
    """
    lang = res.lang
    stakes = stakes or {}
    notes = res.notes.set_index("item")
    matched = res.items.loc[res.items.index.isin(notes.index)]
    loud = matched[matched["topic"] != "quiet"]
    score = {}
    for name, g in loud.groupby("competitor"):
        derived = int((g["origin"] == "snapshot").sum())
        rel = float(g["relevance"].max()) if "relevance" in g and g["relevance"].notna().any() else 0.0
        score[name] = (derived, rel)
    order = sorted(score, key=lambda n: (-score[n][0], -score[n][1], n))[:limit]
    blocks = []
    for name in order:
        g = _item_order(loud[loud["competitor"] == name]).head(per_block if score[name][0] >= 2 else 1)
        matters = list(dict.fromkeys(notes.loc[i, "implication"] for i in g.index))
        acts = list(dict.fromkeys(notes.loc[i, "response"] for i in g.index))
        for i in g.index:
            if i in stakes:
                matters.append(stake_text(stakes[i], lang, currency))
                if stakes[i].known:
                    acts.append(decision_text(stakes[i], lang, currency))
        blocks.append(CompetitorBlock(
            name, [fact(r, lang) for r in g.to_dict("records")], matters, acts,
            list(dict.fromkeys(str(notes.loc[i, "owner"]) for i in g.index if not _missing(notes.loc[i, "owner"]))),
            key=_key(str(g["topic"].iloc[0]), name),
        ))
    for i, r in matched[matched["topic"] == "quiet"].iterrows():
        blocks.append(CompetitorBlock(r["competitor"], [fact(r.to_dict(), lang)], [notes.loc[i, "implication"]],
                                      [notes.loc[i, "response"]],
                                      [] if _missing(notes.loc[i, "owner"]) else [str(notes.loc[i, "owner"])], quiet=True,
                                      key=_key("quiet", str(r["competitor"]))))
    return blocks


def header(wb: Any) -> Header:
    """The memo's title line for the workbook ``wb`` (its period, company and date)."""
    return Header(t("comp_title", wb.lang), wb.period_label, wb.params.name, wb.generated, wb.lang)


def recommendation_labels(lang: str) -> dict[str, str]:
    """The competitor blocks' labels: the evidence line says why it matters, the effect line what we do."""
    return _labels(lang, evidence="comp_why_it_matters", effect="comp_what_we_do", stakeholder=None)


def headline(res: CompetitorResults, blocks: list[CompetitorBlock],
             stakes: Mapping[Any, PriceMoveStake] | None = None, currency: str = "EUR") -> str:
    """Answer first: the biggest move (a core-segment price cut if any) with the order intake it touches, then the
    count of the rest and the gaps."""
    lang = res.lang
    stakes = stakes or {}
    notes = res.notes.set_index("item")
    prices = res.items[(res.items["topic"] == "price") & res.items.index.isin(notes.index)]
    quiet = [b.competitor for b in blocks if b.quiet]
    others = len([b for b in blocks if not b.quiet])
    if len(prices):
        top = prices.sort_values("change_pct", key=lambda s: -s.abs(), kind="stable").iloc[0]
        key = "comp_headline_cut" if top["direction"] == "down" else "comp_headline_raise"
        s = t(key, lang, competitor=top["competitor"], date=fmt.date(top["first_seen"], lang), product=top["product"],
              pct=fmt.number(abs(float(top["change_pct"])), lang, 0))
        # The position is the index over all comparable products (the chart's figure), never the gap on the cut
        # products alone: "12 % below us" beside a chart saying 95 reads as a contradiction.
        move = index_move(res, str(top["competitor"]))
        if move is not None:
            s += tn("comp_headline_index", int(move[2]), lang, competitor=top["competitor"], n=move[2],
                   position=index_position(move[1], lang), after=fmt.number(move[1], lang, 0))
        st = stakes.get(top.name)
        if st is not None and st.known:
            s += t("comp_headline_stake", lang, intake=_money(st.order_intake, lang, currency),
                   window=won_window(st.start, st.end, lang))
        others -= 1
    else:
        s = t("comp_headline_moves", lang, n=others)
        others = 0
    tail = []
    if quiet:
        tail.append(t("comp_headline_gap", lang, names=", ".join(quiet)))
    return s + ("; " + "; ".join(tail) if tail else "") + "."


def timeline_rows(res: CompetitorResults, *, limit: int = 1) -> tuple[list[str], list[list[str]]]:
    """The period's moves in date order: the ``limit`` most relevant observations plus every snapshot move.

    Observations show their relevance score and its reason; moves from price or messaging
    snapshots say so instead.
    """
    lang = res.lang
    header = [t("comp_tl_date", lang), t("comp_tl_move", lang), t("comp_tl_relevance", lang)]
    items = res.items[res.items["topic"] != "quiet"]
    derived = items[items["origin"] == "snapshot"]
    observed = items.drop(derived.index)
    # An observation of a move the snapshots already show (same competitor and topic, within 3 days) is not a move of its own.
    echo = [any(r.competitor == d.competitor and r.topic == d.topic and abs((r.date - d.date).days) <= 3
                for d in derived.itertuples()) for r in observed.itertuples()]
    observed = observed[[not e for e in echo]].sort_values("relevance", ascending=False, kind="stable").head(limit)
    rows = []
    for _, r in pd.concat([derived, observed]).sort_values(["date", "competitor"], kind="stable").iterrows():
        topic = str(r["topic"])
        label = t(f"comp_topic_{topic}", lang) if topic in TOPICS else topic
        if r["origin"] == "snapshot":
            move = shorten(fact(r.to_dict(), lang), 58)
            why = t("comp_tl_snapshot", lang)
        else:
            move = f"{label}: {shorten(fact(r.to_dict(), lang), 55)}"
            why = f"{fmt.number(r['relevance'], lang, 2)} ({reason(r, lang)})"
        rows.append([fmt.date(r["date"], lang), f"{r['competitor']} – {move}", why])
    return header, rows


def reason(row: Mapping[str, Any], lang: str) -> str:
    """Why an observation scored its relevance, in the memo language (the library words it in de and en)."""
    return str(row[f"reason_{lang}"] if f"reason_{lang}" in row else row["reason_en"])


def price_position(res: CompetitorResults) -> tuple[list[str], list[float], str, str]:
    """Categories, index values, chart title (the message) and subtitle for ``charts.dot_position``."""
    lang = res.lang
    idx = res.index.sort_values(["index", "competitor"], kind="stable")
    cats = [f"{c} ({n})" for c, n in zip(idx["competitor"], idx["n_products"])]
    if idx.empty:
        return [], [], t("comp_pos_none", lang), ""
    low = idx.iloc[0]
    gap = 100 - float(low["index"])
    moved = res.items[(res.items["topic"] == "price") & (res.items["origin"] == "snapshot")]
    top = moved.sort_values("change_pct", key=lambda s: -s.abs(), kind="stable").iloc[0] if len(moved) else None
    move = index_move(res, str(top["competitor"])) if top is not None else None
    if top is not None and move is not None:
        f = lambda v: fmt.number(v, lang, 0)  # noqa: E731
        # short enough for the chart's one title line (it is not wrapped): the move, then what it means for us
        title = t("comp_pos_index_position", lang, competitor=top["competitor"], position=index_position(move[1], lang),
                  before=f(move[0]), after=f(move[1]))
    elif gap > 0:
        title = t("comp_pos_cheapest", lang, competitor=low["competitor"], gap=fmt.number(gap, lang, 0))
    else:
        title = t("comp_pos_none_cheaper", lang)
    sub = t("comp_pos_subtitle", lang, date=fmt.date(res.as_of, lang))
    return cats, [float(v) for v in idx["index"]], title, sub


def index_move(res: CompetitorResults, competitor: str) -> tuple[float, float, int] | None:
    """The competitor's price index before the period and now, and over how many comparable products
    (None without a current index). One home for the figure the headline and the chart title both state."""
    now = res.index[res.index["competitor"] == competitor]
    if now.empty:
        return None
    old = res.index_before[res.index_before["competitor"] == competitor]
    return (float(old["index"].iloc[0]) if len(old) else float("nan"), float(now["index"].iloc[0]),
            int(now["n_products"].iloc[0]))


def index_position(index: float, lang: str) -> str:
    """'im Mittel 5 % unter unserem Preis' for an index of 95 (rounded to whole percent, as the chart shows it)."""
    gap = round(100 - index)
    if gap == 0:
        return t("comp_avg_level", lang)
    return t("comp_avg_below" if gap > 0 else "comp_avg_above", lang, gap=fmt.number(abs(gap), lang, 0))


def price_gap_line(res: CompetitorResults) -> str:
    """Under the price chart: the competitors without a price index because nobody observed them ('' if none)."""
    if not len(res.quiet):
        return ""
    return t("comp_pos_gap", res.lang, names=", ".join(res.quiet["competitor"]), months=res.quiet_months)


def stake_note(stakes: Mapping[Any, PriceMoveStake], lang: str) -> str:
    """Data note: how the touched order intake was found (deal names naming our products) and how many orders."""
    known = [s for s in stakes.values() if s.known]
    if not known:
        return ""
    st = known[0]
    return t("comp_note_stake", lang, deals=fmt.number(sum(s.deals for s in known), lang),
             window=won_window(st.start, st.end, lang))


def data_note_lines(res: CompetitorResults) -> list[str]:
    """Observations per competitor, sources, duplicates merged, snapshot counts and gaps."""
    lang = res.lang
    per = res.events.groupby("competitor").size()
    names = [str(n) for n in res.observations["competitor"].dropna().unique()]
    listed = sorted(set(names) | set(res.quiet["competitor"]))
    counts = "; ".join(f"{n} {fmt.number(int(per.get(n, 0)), lang)}" for n in listed)
    sources = res.events["source_url"].dropna().astype(str).str.split("; ").explode().value_counts() \
        if "source_url" in res.events else pd.Series(dtype=int)
    src = ", ".join(f"{s} {fmt.number(int(n), lang)}" for s, n in sources.head(6).items())
    merged = res.n_reports - len(res.events)
    lines = [t("comp_note_observations", lang, counts=counts, n=fmt.number(res.n_reports, lang),
                merged=fmt.number(merged, lang), sources=src),
             t("comp_note_prices", lang)]
    # Quiet competitors are gaps too; their block above already says so, the note names them once more briefly.
    if len(res.quiet):
        names = ", ".join(res.quiet["competitor"])
        lines[-1] += " " + t("comp_note_gaps", lang, names=names, months=res.quiet_months)
    return lines


def sources_line(sources: Any, tables: list[str], lang: str) -> str:
    """``Quellen: Wettbewerbsbeobachtungen (129 Zeilen); ...`` for the tables the memo used (``Dataset.sources``),
    in words as every memo's data note names them (:func:`cmo_workbook.memos.context.sources_text`)."""
    from .context import sources_text

    return f"{t('sources', lang)}: {sources_text(sources, tables, lang)}"


# -- euros at stake ----------------------------------------------------------------------------------------------

#: months of order intake a price move's stake counts (the window is in every label)
STAKE_MONTHS = 12


def price_stakes(res: CompetitorResults, deals: Any, gross_margin: float) -> dict[Any, PriceMoveStake]:
    """Each matched list-price cut's stake (item index -> :class:`~cmo_workbook.competitors.implications.PriceMoveStake`):
    our won order intake of the product lines it touches in the 12 months to the period end."""
    noted = set(res.notes["item"])
    cuts = res.items[(res.items["topic"] == "price") & (res.items["origin"] == "snapshot") & res.items.index.isin(noted)]
    cuts = cuts[cuts["change_pct"] < 0]
    return {i: price_move_stake(r, deals, gross_margin=gross_margin, end=res.period.end, months=STAKE_MONTHS)
            for i, r in cuts.iterrows()}


def _money(v: float, lang: str, currency: str) -> str:
    return fmt.money(v, lang, currency=currency, compact=abs(v) >= 10_000)


def stake_text(st: PriceMoveStake, lang: str, currency: str = "EUR") -> str:
    """'Auf dem Spiel: 7,5 Mio. € Auftragseingang mit KS-60, KS-90 (…); Mitziehen kostet 901 Tsd. € Marge …'
    or, without product lines in the CRM, which input is missing and who owns it."""
    if not st.known:
        return t("comp_stake_missing", lang)
    return t("comp_stake", lang, intake=_money(st.order_intake, lang, currency), products=", ".join(st.products),
             window=won_window(st.start, st.end, lang), cost=_money(st.match_cost, lang, currency),
             margin=_money(st.margin_at_risk, lang, currency), share=fmt.percent(st.break_even_share, lang, 0),
             competitor=st.competitor, pct=fmt.percent(st.cut, lang, 0))


def verdict(st: PriceMoveStake, lang: str) -> str:
    """The recommendation on matching a cut, with its reason from the CRM: the lines' price losses since the cut
    against the 12 months before (:attr:`~cmo_workbook.competitors.implications.PriceMoveStake.match_pays`); the
    one home of the answer the briefing, the strategy memo and the deck give."""
    date = fmt.date(st.since, lang) if st.since is not None else "–"
    n = {"date": date, "closed": fmt.number(st.closed_since, lang), "lost": fmt.number(st.lost_since, lang),
         "share": fmt.percent(st.break_even_share, lang, 0)}
    if st.closed_since < MIN_CLOSED_SINCE or st.loss_share_since != st.loss_share_since:
        return t("comp_verdict_no_few", lang, **n)
    shares = {"since": fmt.percent(st.loss_share_since, lang, 0),
              "before": fmt.percent(st.loss_share_before, lang, 0) if st.loss_share_before == st.loss_share_before
              else "–"}
    rise = (t("comp_rise_none", lang) if not st.loss_rise > 0.005 else
            t("comp_rise_pp", lang, pp=fmt.pp(st.loss_rise, lang)))
    return t("comp_verdict_yes" if st.match_pays else "comp_verdict_no", lang, **n, **shares, rise=rise)


def decision_text(st: PriceMoveStake, lang: str, currency: str = "EUR") -> str:
    """The discount decision with its margin cost and the recommendation (:func:`verdict`, which names the loss share
    from which matching would pay); the intake it defends is in the block's stake line beside it."""
    return t("comp_decision_price_rec", lang, pct=fmt.percent(st.cut, lang, 0), products=", ".join(st.products),
             cost=_money(st.match_cost, lang, currency), verdict=verdict(st, lang))
