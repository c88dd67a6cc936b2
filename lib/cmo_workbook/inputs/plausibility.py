"""The plausibility gate: no memo may state a zero the inputs contradict.

Every cell can be valid and the memo still wrong: 0 qualified inquiries because the export's
statuses are spelled in a way no stage map knows, 0 € marketing pipeline because no deal
source maps to a marketing channel, 0 € revenue because the won deals' amounts sit in an
unmapped column. :func:`review` finds these over the loaded :class:`~.loaders.Dataset`:

* ``error`` findings would falsify a headline: :func:`gate` raises (exit 2, before any kernel),
  and ``validate`` fails with the same message;
* ``note`` findings are data-quality facts the memo's data note states.

Cell-level impossibilities (an amount of 1e400, an NPS of 15, a duplicated header, a currency
mark that contradicts the row's currency column) are found while loading, with file, row and
column (:mod:`.loaders`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..errors import DataError
from .findings import ChannelCounts, CustomProperty, Finding, MonthSpan, count
from .semantics import QUALIFIED_STAGES

if TYPE_CHECKING:  # pragma: no cover
    from .loaders import Dataset

#: statuses listed per finding
SHOWN = 5


def _where(ds: Dataset, table: str, mask: pd.Series, column: str) -> dict:
    """File, row and header of the first row in ``mask`` (for the message)."""
    df = ds.tables[table]
    hit = df[mask.fillna(False).to_numpy(dtype=bool)]
    if hit.empty:
        return {}
    file = str(hit["_file"].iloc[0])
    header = next((s.columns.get(column) for s in ds.sources if s.table == table and
                   (s.file.name == file or str(s.file).endswith(file))), None)
    return {"file": file, "row": int(hit["_row"].iloc[0]), "column": header or column}


def _statuses(leads: pd.DataFrame, columns: list[str], unknown: dict[str, int], rows: pd.Series) -> str:
    """'"Closed" (2), "Parked" (1)': the unknown status values of ``rows``, most frequent first."""
    values = pd.concat([leads.loc[rows, c].astype("string").str.strip() for c in columns])
    counts = values[values.isin(list(unknown))].value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable").head(SHOWN)
    return ", ".join(f'"{k}" ({v})' for k, v in counts.items())


def review(ds: Dataset) -> list[Finding]:
    """All plausibility findings of the dataset (errors first)."""
    out: list[Finding] = []
    ptext = ds.params.relpath()
    marketing = set(ds.params.marketing_channels)
    if ds.has("leads"):
        leads = ds.leads
        qualified = leads["stage"].isin(QUALIFIED_STAGES).fillna(False) | leads["mql_date"].notna()
        unknown = (ds.stats.get("leads") or {}).get("unknown") or {}
        if unknown:
            top = sorted(unknown.items(), key=lambda kv: -kv[1])[:SHOWN]
            shown = ", ".join(f'"{k}" ({v})' for k, v in top)
            rows = sum(unknown.values())
            status_cols = [c for c in ("lifecycle_stage", "lead_status") if c in leads]
            mask = pd.Series(False, index=leads.index)
            for c in status_cols:
                mask |= leads[c].astype("string").str.strip().isin(list(unknown)).fillna(False)
            where = _where(ds, "leads", mask, status_cols[0] if status_cols else "lifecycle_stage")
            fix = (f"list the statuses that mean qualified under lead_stage_map.qualified (and the others under "
                   f"lead, sales_accepted, opportunity, customer or disqualified) in {ptext}")
            if not qualified.any():
                out.append(Finding("leads", f"{count(rows, 'en')} leads carry statuses no stage map knows ({shown}), "
                                            "so 0 leads would count as qualified", "", "error", fix, **where))
            else:
                # per lead, and split the way the KPIs count them: a lead whose other status column or a stage
                # date says qualified IS counted, so the note must not say it is not
                for subset, key in ((mask & ~qualified, "note_unknown_statuses"),
                                    (mask & qualified, "note_unknown_statuses_qualified")):
                    if subset.any():
                        out.append(Finding.note("leads", key, plural="n", n=int(subset.sum()),
                                                statuses=_statuses(leads, status_cols, unknown, subset), fix=fix))
        if not qualified.any():
            for s in ds.files("leads"):
                for header, (_column, key, n, values) in s.status_like.items():
                    if n:
                        shown = ", ".join(f'"{k}" ({v})' for k, v in list(values.items())[:SHOWN])
                        out.append(Finding(
                            "leads", f'column "{header}" is not read, but {count(n, "en")} of its values '
                                     f"mean qualified ({shown}), so 0 leads would count as qualified", "", "error",
                            f"map it: {key} in {ptext}", file=str(s.file.name), column=header))
        if qualified.any() and not leads.loc[qualified, "channel"].isin(marketing).any():
            sources = leads.loc[qualified, "source_raw"].astype("string").value_counts().head(SHOWN)
            shown = ", ".join(f'"{k}"' for k in sources.index)
            out.append(Finding(
                "leads", f"{count(int(qualified.sum()), 'en')} leads are qualified but none comes from a marketing "
                         f"channel (sources {shown} map to "
                         f"{', '.join(sorted(set(leads.loc[qualified, 'channel'].dropna())))}), so 0 qualified "
                         "inquiries would be reported", "", "error",
                f"add channels.rules for these sources, or list their channel under channels.marketing in {ptext}",
                **_where(ds, "leads", qualified, "source_raw")))
        outside = qualified & ~leads["channel"].isin(marketing).fillna(False)
        if outside.any() and (qualified & ~outside).any():  # all outside is the error above
            by = leads.loc[outside, "channel"].astype("string").fillna("(none)").value_counts()
            # the whole export is counted: the months say so, a monthly memo must not read it as its month's
            when = leads.loc[outside, "mql_date"].fillna(leads.loc[outside, "created_date"])
            out.append(Finding.note(
                "leads", "note_qualified_not_marketing", plural="n", n=int(outside.sum()),
                months=MonthSpan(f"{when.min():%Y-%m}", f"{when.max():%Y-%m}"),
                channels=ChannelCounts(tuple((str(k), int(v)) for k, v in by.items())),
                # the analyst's fix goes to the validate output, not to the CEO's footnote (#11: no params words there)
                fix=f"if {by.index[0]} is marketing, add it to channels.marketing in the params"))
        before = leads["mql_date"].notna() & (leads["mql_date"] < leads["created_date"]).fillna(False)
        if before.any():
            w = _where(ds, "leads", before, "mql_date")
            out.append(Finding.note("leads", "note_qualified_before_created", plural="n", n=int(before.sum()),
                                    source=str(w.get("file")), source_row=str(w.get("row")),
                                    fix="check the date columns of the export", **w))
    if ds.has("deals"):
        deals = ds.deals
        sourced = deals["lead_source"].notna() | deals["source_detail"].notna() | deals["lead_id"].notna()
        if sourced.any() and not deals["channel"].isin(marketing).any():
            values = deals.loc[sourced, "lead_source"].astype("string").value_counts().head(SHOWN)
            shown = ", ".join(f'"{k}"' for k in values.index) or "linked leads"
            out.append(Finding(
                "deals", f"{count(int(sourced.sum()), 'en')} deals carry a source or a lead ({shown}) but none maps "
                         "to a marketing channel, so the marketing pipeline would be 0", "", "error",
                f"add channels.rules for these source values, or list their channel under channels.marketing "
                f"in {ptext}", **_where(ds, "deals", sourced, "lead_source")))
        won = (deals["status"] == "won").fillna(False)
        if won.any() and deals.loc[won, "amount"].isna().all():
            out.append(Finding(
                "deals", f"{count(int(won.sum()), 'en')} deals are won but none has an amount, so the won revenue "
                         "would be 0", "", "error",
                f"export the amount column, or map it under data.deals[..].columns.amount in {ptext}",
                **_where(ds, "deals", won, "amount")))
    if ds.has("touchpoints"):
        out += _touch_channels(ds)
        if ds.has("leads"):
            out += _touch_leads(ds)
    out += [f for f in missing_rate_inputs(ds) if f.key in ALL_MEMOS]
    return sorted(out, key=lambda f: f.severity != "error")


def _file_names(ds: Dataset, table: str) -> str:
    """The table's files as a message names them ("touchpoints.csv, web.parquet"), else the table."""
    return ", ".join(s.file.name for s in ds.files(table)) or table


def _touch_leads(ds: Dataset) -> list[Finding]:
    """An error when no touchpoint carries the id of a lead: the journeys would all count as not converting and
    the attribution would credit every channel with 0 € (a touchpoints export keyed by another id: e-mail,
    cookie, contact instead of lead)."""
    ids = ds.leads["lead_id"].dropna().astype("string").str.strip()
    touches = ds.touchpoints
    if isinstance(touches, pd.DataFrame):
        tid = touches["lead_id"].dropna().astype("string").str.strip()
        with_id, matching = len(tid), int(tid.isin(set(ids)).sum())
        first = str(tid.iloc[0]) if with_id else None
    else:  # in the engine: counted there
        with_id, matching, first = touches.with_lead(ids)
    if not with_id:
        return []
    if matching:  # some journeys have no lead in the leads table: they count as not converting, the note says so
        missing = with_id - matching
        return [Finding.note("touchpoints", "note_touch_no_lead", plural="n", n=missing, total=with_id,
                             share=missing / with_id,
                             fix="export the leads of every contact the touchpoints name, or check that "
                                 "data.touchpoints[..].columns.lead_id maps the CRM record id")] if missing else []
    example = f'"{first}"' if first is not None else "(none)"
    lead_example = f'"{ids.iloc[0]}"' if len(ids) else "(none)"
    header = next((s.columns.get("lead_id") for s in ds.files("touchpoints") if s.columns.get("lead_id")), "lead_id")
    return [Finding(
        "touchpoints",
        f"none of the {count(with_id, 'en')} touchpoints carries the id of a lead in the "
        f"leads table (touchpoints {example}, leads {lead_example}), so every journey would count as not "
        "converting and each channel's attributed value would be 0", "", "error",
        f"map the column that holds the lead's CRM id under data.touchpoints[..].columns.lead_id in "
        f"{ds.params.relpath()}, or export the touchpoints with the CRM record id",
        file=_file_names(ds, "touchpoints"), column=header)]


def _touch_channels(ds: Dataset) -> list[Finding]:
    """Touchpoint channel values that are no channel id (GA4's "Organic Search", a tool's "Paid Social"): their touches
    are credited to no marketing channel. None of the touches in a marketing channel is an error (every channel's
    attributed value would be 0); some is a note with the values and the map that fixes them."""
    from .channels import CHANNEL_KEYS, GA4_GROUP_IDS, rule_channels, suggest

    touches = ds.touchpoints
    if isinstance(touches, pd.DataFrame):
        counts = {str(k): int(v) for k, v in touches["channel"].dropna().astype("string").value_counts().items()}
    else:
        counts = touches.channel_counts()
    if not counts:
        return []
    rules = rule_channels(ds.params.raw)
    seen = [str(c) for t in ("leads", "deals", "spend") if ds.has(t) and "channel" in ds.tables[t]
            for c in ds.tables[t]["channel"].dropna().unique()]
    marketing = list(ds.params.marketing_channels)
    known = set(CHANNEL_KEYS) | set(rules) | set(marketing) | set(seen)
    unknown = {k: v for k, v in counts.items() if k not in known}
    if not unknown:
        return []
    shown = ", ".join(f'"{k}" ({count(v, "en")})' for k, v in list(unknown.items())[:SHOWN])
    ids = sorted(set(CHANNEL_KEYS) | set(rules))
    guess = {k: GA4_GROUP_IDS.get(k.strip().casefold()) or suggest(k.strip().casefold().replace(" ", "_"), ids)
             .removeprefix(' did you mean "').removesuffix('"?') for k in unknown}
    mapping = ", ".join(f'"{k}": {v}' for k, v in guess.items() if v)
    fix = (f"map them to channel ids under data.touchpoints[..].values.channel in {ds.params.relpath()}"
           + (f", e.g. values: {{channel: {{{mapping}}}}}" if mapping else "") + f" (ids: {', '.join(ids)})")
    if not any(counts.get(m) for m in marketing):
        total = sum(counts.values())
        return [Finding(
            "touchpoints", f"none of the {count(total, 'en')} touchpoints with a channel carries a marketing channel "
                           f"id (values {shown}), so every marketing channel's attributed value would be 0",
            "", "error", fix, file=_file_names(ds, "touchpoints"))]
    n = sum(unknown.values())
    return [Finding.note("touchpoints", "note_touch_unknown_channels", plural="n", n=n,
                         values=", ".join(f'"{k}"' for k in list(unknown)[:SHOWN]), fix=fix)]


#: lead columns a rate is computed over, with the note that says they are absent: without them every qualified
#: inquiry would count as late (0 % answered within the SLA) although nothing was measured
RATE_INPUTS = (("first_response_date", "note_no_first_contact_dates"),
               ("sales_feedback_date", "note_no_feedback_dates"))
#: of those, the notes every memo's data note carries (the acceptance rate, a catalogue KPI, lacks its rejections);
#: the first-contact note concerns the sync memo's SLA only (it adds it to its own data note)
ALL_MEMOS = ("note_no_feedback_dates",)


def missing_rate_inputs(ds: Dataset) -> list[Finding]:
    """A note per lead column of :data:`RATE_INPUTS` that no lead carries (absent or empty): the memo
    states no rate over it (not 0 %), names the tool's header and the params key that maps another one."""
    if not ds.has("leads"):
        return []
    leads = ds.leads
    qualified = leads["mql_date"].notna()
    if not qualified.any():  # no qualified inquiry: there is no rate to state in the first place
        return []
    out = []
    for column, key in RATE_INPUTS:
        if column in leads and leads[column].notna().any():  # as the KPI store asks (store.rejections_known)
            continue
        header, params_key, tool = column_hint(ds, "leads", column)
        # the message says how to add the column (export it, or map a header under the params key); only a tool's
        # custom property gets a fix of its own (create it first), else validate would print the same advice twice
        out.append(Finding.note("leads", key, header=header, params_key=params_key,
                                custom=CustomProperty(header, tool),
                                fix=(f"create the property in {tool} and export it, or map a date property of your "
                                     f"own under {params_key} in {ds.params.relpath()}" if tool else "")))
    return out


def column_hint(ds: Dataset, table: str, column: str) -> tuple[str, str, str]:
    """(header, params key, tool) for ``column`` of ``table``: the file's header when it is mapped (and empty), else
    the preset's spelling of the tool (HubSpot: "Date of first engagement"); the key maps a header of its own;
    ``tool`` names the tool when the preset's header is a custom property of it ("" otherwise)."""
    from .presets import REGEX_PREFIX, get_preset

    for i, entry in enumerate(ds.params.files(table)):
        key = f"data.{table}[{i}].columns.{column}"
        info = next((s for s in ds.files(table) if s.preset == entry.get("preset")), None)
        if info is not None and info.columns.get(column):  # the file has the column: the portal has it
            return f'"{info.columns[column]}"', key, ""
        try:
            tp = get_preset(str(entry.get("preset"))).tables[table]
        except (KeyError, ValueError):
            tp = None
        spelt = [a for a in (tp.aliases.get(column, ()) if tp else ()) if not a.startswith(REGEX_PREFIX)]
        if spelt:
            return f'"{spelt[0]}"', key, tp.custom.get(column, "")
        return column, key, ""
    return column, f"data.{table}[0].columns.{column}", ""


def gate(ds: Dataset, tables: list[str] | None = None) -> list[Finding]:
    """Raise :class:`DataError` (exit 2) when a finding about ``tables`` (default: all) would falsify a
    headline; return the notes."""
    findings = [f for f in review(ds) if tables is None or f.table in tables]
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise DataError([f.problem() for f in errors])
    return findings
