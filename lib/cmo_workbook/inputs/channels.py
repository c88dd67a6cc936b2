"""Marketing channels: keys, GA4's default channel group and CRM source -> channel rules.

The rules are data, shipped in ``data/channel_rules.yaml``:

* ``ga4``: Google's default channel group (support article 9756891) for web traffic,
  used by :func:`ga4_channel` / :func:`ga4_channels`;
* ``crm``: how raw CRM lead sources (HubSpot ``Original Traffic Source`` plus drill-downs,
  Salesforce ``Lead Source``, German hand-kept values) map to our channel keys
  (``trade_fairs``, ``paid_search``, ...), used by :class:`ChannelRules` and
  :func:`assign_channels`. Rules from params (``channels.rules``) go first.
"""
from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from . import schema
from ..errors import ParamsError

RULES_FILE = Path(__file__).parents[1] / "data" / "channel_rules.yaml"
#: joins the drill-down columns so one ``source_detail`` pattern can search them all
DETAIL_SEPARATOR = " | "

#: the channel keys the workbook knows (its display names are memo text: catalogue ids ``channel_<key>``,
#: looked up by :func:`cmo_workbook.render.wording.channel_label`)
CHANNEL_KEYS: tuple[str, ...] = (
    "trade_fairs", "organic_search", "paid_search", "linkedin", "paid_social", "organic_social", "email",
    "webinars", "partners", "sales_outbound", "direct", "referral", "display", "paid_other", "other",
)
#: GA4's default channel groups (what a GA4 or BigQuery export names a session's channel) and the id each most
#: likely is: only a suggestion in validate's fix (a company's paid social may be its LinkedIn budget)
GA4_GROUP_IDS: dict[str, str] = {
    "organic search": "organic_search", "paid search": "paid_search", "email": "email", "direct": "direct",
    "referral": "referral", "organic social": "organic_social", "paid social": "paid_social", "display": "display",
    "affiliates": "partners", "paid other": "paid_other", "cross-network": "paid_other", "paid video": "paid_other",
    "organic video": "organic_social", "paid shopping": "paid_search", "organic shopping": "organic_search",
    "unassigned": "other",
}
#: channels whose leads count as marketing-sourced: all but sales' own outbound work
MARKETING_CHANNELS_DEFAULT: tuple[str, ...] = tuple(k for k in CHANNEL_KEYS if k != "sales_outbound")


@functools.cache
def _shipped() -> dict[str, Any]:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


# --- GA4 default channel group --------------------------------------------------------------

Predicate = Callable[[Mapping[str, str]], bool]


def _site_pattern(sites: Sequence[str]) -> str:
    """Regex for 'source is a listed site', its subdomains and country domains (www.google.de)."""
    names = "|".join(re.escape(s.casefold()) for s in sorted(sites, key=len, reverse=True))
    return rf"(?:[a-z0-9-]+\.)*(?:{names})(?:\.[a-z]{{2,3}}){{0,2}}"


def _compile_condition(cond: Mapping[str, Any], named: Mapping[str, re.Pattern[str]]) -> Predicate:
    if "all" in cond or "any" in cond:
        kind = "all" if "all" in cond else "any"
        parts = [_compile_condition(c, named) for c in cond[kind]]
        return (lambda v: all(p(v) for p in parts)) if kind == "all" else (lambda v: any(p(v) for p in parts))
    checks: list[tuple[str, re.Pattern[str]]] = []
    for field_name, pattern in cond.items():
        text = str(pattern)
        checks.append((field_name, named[text[1:]] if text.startswith("@") else re.compile(text, re.IGNORECASE)))
    return lambda v: all(rx.fullmatch(v.get(f, "")) is not None for f, rx in checks)


@functools.cache
def _ga4_rules() -> tuple[tuple[tuple[str, Predicate], ...], str]:
    spec = _shipped()["ga4"]
    named = {k: re.compile(v, re.IGNORECASE) for k, v in spec["patterns"].items()}
    named |= {k: re.compile(_site_pattern(v), re.IGNORECASE) for k, v in spec["sites"].items()}
    rules = tuple((r["channel"], _compile_condition(r["when"], named)) for r in spec["rules"])
    return rules, spec.get("fallback", "Unassigned")


def _clean(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip().casefold()


def ga4_channel(source: object, medium: object, campaign: object = "") -> str:
    """GA4 default channel group of one (source, medium, campaign), e.g. google/cpc -> 'Paid Search'.

    Empty source and medium count as ``(direct)`` / ``(none)``; nothing matched -> 'Unassigned'.
    """
    values = {"source": _clean(source), "medium": _clean(medium), "campaign": _clean(campaign)}
    if not values["source"] and not values["medium"]:
        values["source"], values["medium"] = "(direct)", "(none)"
    rules, fallback = _ga4_rules()
    for channel, matches in rules:
        if matches(values):
            return channel
    return fallback


def ga4_channels(df: pd.DataFrame, *, source_col: str = "source", medium_col: str = "medium",
                 campaign_col: str = "campaign") -> pd.Series:
    """:func:`ga4_channel` for every row of ``df`` (evaluated once per distinct combination)."""
    cols = [c for c in (source_col, medium_col, campaign_col)]
    parts = [df[c].astype("string").fillna("") if c in df else pd.Series("", index=df.index, dtype="string")
             for c in cols]
    keys = pd.MultiIndex.from_arrays(parts)
    codes, uniques = pd.factorize(keys)
    labels = np.array([ga4_channel(*u) for u in uniques], dtype=object)
    return pd.Series(labels[codes] if len(codes) else [], index=df.index, dtype="string", name="channel_group")


# --- CRM source -> channel rules ------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRule:
    """``channel`` applies when every ``(column, regex)`` in ``when`` is found (re.search, case-insensitive)."""

    channel: str
    when: tuple[tuple[str, str], ...]
    origin: str = ""

    def matches(self, values: Mapping[str, object]) -> bool:
        return all(_regex(p).search(_raw(values.get(f))) is not None for f, p in self.when)


def _raw(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _parse_rule(raw: object, origin: str) -> ChannelRule:
    example = '{channel: trade_fairs, when: {source_raw: "offline", source_detail: "messe"}}'
    if not isinstance(raw, Mapping):
        raise ParamsError(f"{origin}: expected a rule like {example} (got {raw!r})")
    unknown = sorted(set(raw) - {"channel", "when", "note"})
    if unknown:
        raise ParamsError(f"{origin}: unknown key {unknown[0]!r}; a rule has only channel, when (and note), e.g. {example}")
    channel = raw.get("channel")
    if not isinstance(channel, str) or not channel.strip():
        raise ParamsError(f"{origin}: channel must be a channel key such as trade_fairs (got {channel!r}); "
                          f"known keys: {', '.join(CHANNEL_KEYS)}")
    when = raw.get("when")
    if not isinstance(when, Mapping) or not when:
        raise ParamsError(f"{origin}: when must map column names to regular expressions, e.g. {example} (got {when!r})")
    checks = []
    for column, pattern in when.items():
        if not isinstance(pattern, str):
            raise ParamsError(f'{origin}.when.{column}: expected a regular expression in quotes (got {pattern!r})')
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ParamsError(f'{origin}.when.{column}: "{pattern}" is not a valid regular expression ({exc}); '
                              "fix the pattern, and escape ( ) . + with a backslash to match them literally") from None
        checks.append((str(column), pattern))
    return ChannelRule(channel.strip(), tuple(checks), origin)


@dataclass(frozen=True)
class ChannelRules:
    """Ordered rules (first match wins) and the channel for rows no rule matches."""

    rules: tuple[ChannelRule, ...]
    fallback: str = "other"

    @classmethod
    def from_config(cls, rules: Sequence[Mapping[str, Any]], *, fallback: str = "other",
                    origin: str = "channels.rules") -> ChannelRules:
        """Build rules from dicts ``{channel: ..., when: {column: regex, ...}}``; raise ParamsError if malformed."""
        if not isinstance(rules, Sequence) or isinstance(rules, (str, bytes)):
            raise ParamsError(f"{origin}: expected a list of rules (got {rules!r})")
        return cls(tuple(_parse_rule(r, f"{origin}[{i}]") for i, r in enumerate(rules)), fallback)

    @classmethod
    def default(cls) -> ChannelRules:
        """The CRM rules shipped in ``data/channel_rules.yaml``."""
        crm = _shipped()["crm"]
        return cls.from_config(crm["rules"], fallback=crm.get("fallback", "other"), origin="shipped crm rule")

    def extended(self, rules: Sequence[Mapping[str, Any]], *, origin: str = "channels.rules") -> ChannelRules:
        """These rules with ``rules`` put first (so they take precedence)."""
        return ChannelRules(ChannelRules.from_config(rules, origin=origin).rules + self.rules, self.fallback)

    def channel_for(self, **values: object) -> str:
        """Channel of one record, e.g. ``channel_for(source_raw="Paid social", source_detail="linkedin_q3")``."""
        for rule in self.rules:
            if rule.matches(values):
                return rule.channel
        return self.fallback


def rules_from_params(config: Mapping[str, Any] | None) -> ChannelRules:
    """Rules from the params' ``channels`` section: its ``rules`` first, then the shipped ones
    (unless ``use_default_rules: false``)."""
    config = config or {}
    extra = config.get("rules") or []
    if config.get("use_default_rules", True):
        return ChannelRules.default().extended(extra)
    return ChannelRules.from_config(extra)


_KNOWN_COLUMNS = frozenset(c.name for t in schema.TABLES.values() for c in t.columns)


def assign_channels(df: pd.DataFrame, rules: ChannelRules, *, source_col: str = "source_raw",
                    detail_cols: Sequence[str] = ("source_detail",)) -> pd.Series:
    """Channel key per row of ``df`` by ``rules`` (string Series aligned with ``df``).

    Rule column ``source_raw`` reads ``df[source_col]``; ``source_detail`` reads the
    ``detail_cols`` joined with " | "; other rule columns read the same-named column
    (empty when a canonical column is absent). Each rule is evaluated as one mask over
    the distinct value combinations not yet assigned, so 100k rows cost little more than
    their distinct source values.
    """
    if source_col not in df:
        raise KeyError(f"assign_channels: column {source_col!r} not in the data; columns: {', '.join(map(str, df.columns))}")
    fields = sorted({f for rule in rules.rules for f, _ in rule.when} | {"source_raw"})
    frame = pd.DataFrame(index=df.index)
    for f in fields:
        frame[f] = _field_values(df, f, source_col, detail_cols, rules)
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(frame))
    distinct = {f: np.array([u[i] for u in uniques], dtype=object) for i, f in enumerate(fields)}
    result = np.full(len(uniques), rules.fallback, dtype=object)
    open_ = np.ones(len(uniques), dtype=bool)
    for rule in rules.rules:
        if not open_.any():
            break
        mask = open_.copy()
        for f, pattern in rule.when:
            rx = _regex(pattern)
            rows = np.flatnonzero(mask)
            mask[rows] = [rx.search(v) is not None for v in distinct[f][rows]]
        result[mask] = rule.channel
        open_ &= ~mask
    values = result[codes] if len(codes) else np.array([], dtype=object)
    return pd.Series(values, index=df.index, dtype="string", name="channel")


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _field_values(df: pd.DataFrame, f: str, source_col: str, detail_cols: Sequence[str],
                  rules: ChannelRules) -> pd.Series:
    empty = pd.Series("", index=df.index, dtype="string")
    if f == "source_raw":
        return df[source_col].astype("string").fillna("")
    if f == "source_detail":
        present = [df[c].astype("string").str.strip().fillna("") for c in detail_cols if c in df]
        if not present:
            return empty
        joined = present[0]
        for part in present[1:]:
            joined = (joined + DETAIL_SEPARATOR + part).where((joined != "") & (part != ""), joined + part)
        return joined
    if f in df:
        return df[f].astype("string").fillna("")
    if f in _KNOWN_COLUMNS:
        return empty
    where = next(r.origin for r in rules.rules if any(c == f for c, _ in r.when))
    raise ParamsError(f"{where}: column {f!r} is not in the data; rules can use {', '.join(map(str, df.columns))}")


# --- channel ids named in params ------------------------------------------------------------

#: below this similarity a misspelt channel id gets no "did you mean"
_TYPO_CUTOFF = 0.75


def rule_channels(raw: Mapping[str, Any]) -> list[str]:
    """The channel ids the params' ``channels.rules`` produce (a company's own channels among them)."""
    return [str(r.get("channel")) for r in ((raw.get("channels") or {}).get("rules") or [])]


def params_channel_ids(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every channel id the params name, as ``(key path, id)``: ``channels.marketing``, the rules' channels,
    holdout tests and the business case of a notebook (``notebooks.attribution_review.business_case``)."""
    out: list[tuple[str, str]] = []
    ch = raw.get("channels") or {}
    out += [(f"channels.marketing[{i}]", str(c)) for i, c in enumerate(ch.get("marketing") or [])]
    out += [(f"channels.rules[{i}].channel", str(r["channel"])) for i, r in enumerate(ch.get("rules") or [])
            if isinstance(r, Mapping) and r.get("channel")]
    out += [(f"holdouts[{i}].channel", str(h["channel"])) for i, h in enumerate(raw.get("holdouts") or [])
            if isinstance(h, Mapping) and h.get("channel")]
    for name, nb in (raw.get("notebooks") or {}).items():
        case = (nb or {}).get("business_case") if isinstance(nb, Mapping) else None
        if isinstance(case, Mapping) and case.get("channel"):
            out.append((f"notebooks.{name}.business_case.channel", str(case["channel"])))
    return out


def suggest(value: str, known: Sequence[str]) -> str:
    """``' did you mean "trade_fairs"?'`` for a near miss among ``known``, else ``""``."""
    close = difflib.get_close_matches(value.strip().casefold(), list(known), n=1, cutoff=_TYPO_CUTOFF)
    return f' did you mean "{close[0]}"?' if close else ""


def channel_id_problems(raw: Mapping[str, Any], data_channels: Sequence[str], fname: str) -> list[str]:
    """Misspelt channel ids in params, each with the known ids and a suggestion.

    Known are the workbook's keys (:data:`CHANNEL_KEYS`) and every channel the loaded data carries
    (a company's own channel from its rules or its sheet). A rule may define an own channel, unless
    its name is a near miss of a workbook key (``trade_fair``): that is a typo, not a new channel.
    """
    known = list(dict.fromkeys([*CHANNEL_KEYS, *(str(c) for c in data_channels)]))
    problems = []
    for where, value in params_channel_ids(raw):
        if value in CHANNEL_KEYS:
            continue
        if where.startswith("channels.rules"):
            hint = suggest(value, CHANNEL_KEYS)
            if not hint:
                continue  # an own channel such as field_events
        elif value in known:
            continue
        else:
            hint = suggest(value, known)
        problems.append(f'{fname}: "{where}" {value!r} is not a known channel id;{hint} known ids: '
                        f'{", ".join(known)} (see docs/presets.md, "Channel ids")')
    return problems
