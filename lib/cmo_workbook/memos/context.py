"""What every notebook does first: load params and data for a period, in one call.

``wb = open_workbook(params_file, period, lang)`` gives the notebook its params,
canonical tables, period, memo language and the shared memo frame (header, data note),
so notebooks keep only their own narrative.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import matplotlib
import pandas as pd

from ..render import fmt
from ..render.blocks import DataNote, Header
from ..render.i18n import set_overrides, t, tn
from ..inputs.findings import Finding, MonthSpan
from ..inputs.loaders import Dataset, load_dataset
from ..inputs.plausibility import review
from ..inputs.params import Params, load_params
from ..metrics import store as kpi_store
from ..metrics.catalogue import label as kpi_label
from ..metrics.monthly import table_starts
from ..periods import Period, run_date


@dataclass
class Workbook:
    params: Params
    ds: Dataset
    period: Period
    lang: str
    generated: date
    reports_dir: Path = Path("../reports")
    _kpis: Any = field(default=None, repr=False)

    def kpis(self) -> kpi_store.KpiStore:
        """The period's KPI store (``reports_dir/PERIOD/kpis.csv``): every catalogue value a memo shows."""
        if self._kpis is None:
            self._kpis = kpi_store.load(self.ds, self.period, self.reports_dir)
        return self._kpis

    def kpi_label(self, metric: str, window_kind: str) -> str:
        return kpi_label(metric, window_kind, self.lang, self.kpis().catalogue)

    @property
    def workbook_name(self) -> str:
        """File name of the period's controlling workbook (German name for German companies)."""
        from .controlling import workbook_name

        return workbook_name(self.params.language, self.period)

    def restatements(self) -> list[str]:
        """Sentences on values of earlier windows corrected since they were reported (from the history)."""
        from ..metrics import history

        df = history.read_restatements(self.reports_dir / str(self.period))
        return history.sentences(df, self.lang, self.currency, self.kpis().catalogue) if len(df) else []

    def definitions_line(self) -> str:
        """The data note's pointer to the catalogue definitions in the controlling workbook, named in words (the
        file name is the analyst's; the CEO asks controlling for "the KPI workbook of October 2026")."""
        return t("kpi_definitions", self.lang, period=self.period_label)

    def decision_review(self, memo: str) -> list:
        """The blocks that open ``memo``'s recommendations: what became of the previous period's ones, with the
        analyst's status and the named KPI then and now (empty when the previous period recorded none)."""
        from .decisions import review

        return review(self.reports_dir, self.period, memo, self.kpis(), self.lang, self.currency, self.params.language)

    def restated(self, memo: str, recs: list) -> list:
        """``recs`` with the previous period's amount beside a decision asked again for another amount
        (:func:`cmo_workbook.memos.decisions.restated`)."""
        from .decisions import restated

        return restated(recs, memo, self.reports_dir, self.period, self.lang, self.currency, self.params.language)

    @property
    def currency(self) -> str:
        return self.params.currency

    @property
    def period_label(self) -> str:
        return fmt.month(self.period.start, self.lang) if self.period.kind == "month" else fmt.quarter(self.period.start, self.lang)

    def header(self, title: str, title_en: str | None = None) -> Header:
        """The memo's header; ``title`` is a catalogue id (or, with ``title_en``, the German title)."""
        text = t(title, self.lang) if title_en is None else (title if self.lang == "de" else title_en)
        return Header(text, self.period_label, self.params.name, self.generated, self.lang)

    def data_note(self, tables: list[str], extra: list[str] | None = None, restated: bool = True,
                  optional: Sequence[str] = ()) -> DataNote:
        """Sources with row counts, the data range and gaps of the tables this memo used; with
        ``restated`` also the KPI values corrected since an earlier memo. ``optional``: tables the memo uses
        only when the company has them (touchpoints in the sync): no "has no rows" note for them."""
        lang = self.lang
        prof = self.ds.profile()
        lines = [f"{t('sources', lang)}: " + sources_text(self.ds.sources, tables, lang)]
        used = prof.loc[[x for x in tables if x in prof.index]]
        if len(used):
            first, last = used["first"].min(), used["last"].max()
            lines.append(f"{t('data_range', lang)}: {fmt.date(first, lang)} – {fmt.date(last, lang)}")
            gaps = [f"{name}: {row['months_without_rows']}" for name, row in used.iterrows() if row["months_without_rows"]]
            if gaps:  # months without rows are worth a line; "no gaps" is not (the two-page memos are full)
                lines.append(f"{t('gaps', lang)}: " + "; ".join(gaps))
        lines += self.input_notes(tables, optional)
        extra = [x for x in extra or [] if x]  # a line a memo has nothing for (no forecast method) is left out
        return DataNote(t("data_note", lang), lines + extra + (self.restatements() if restated else []))

    def input_notes(self, tables: list[str], optional: Sequence[str] = ()) -> list[str]:
        """What loading and the plausibility review found in ``tables``, and tables without activity in
        the period: lines for the data note, in the memo language. An ``optional`` table without rows is not
        used by the memo and gets no freshness note (one with rows but no activity in the period does)."""
        checked = [x for x in tables if x not in optional or self.ds.has(x)]
        found = [*self.ds.findings, *review(self.ds), *self.ds.freshness(self.period, checked),
                 *self.late_starts(checked)]
        seen: dict[str, None] = {}
        for f in found:
            if f.table in tables and f.severity == "note":
                seen.setdefault(f.text(self.lang), None)
        return list(seen)


    def late_starts(self, tables: Sequence[str]) -> list[Finding]:
        """A note per table whose export begins after the period's first month: the period's values that need it
        are empty ("–", :meth:`cmo_workbook.metrics.store._Calc.inputs_cover`), and the reader learns why."""
        first = self.period.month_periods()[0]
        first = pd.Period(str(first), freq="M")
        out = []
        for name, start in table_starts(self.ds).items():
            if name in tables and start > first:
                # the source in words, the months in words: file names and raw period ids stay out of the memo (#11)
                out.append(Finding.note(name, "note_table_starts_in_period", table=name,
                                        source=t(f"source_{name}", self.lang),
                                        start=MonthSpan(str(start), str(start)), period=self.period_label))
        return out


def sources_text(sources: Sequence[Any], tables: Sequence[str], lang: str) -> str:
    """The sources a memo used, in words with their rows, in the order of ``tables`` ("Kontakte aus dem CRM
    (10.241 Zeilen); Marketingkosten (3 Quellen, 6.115 Zeilen)"). ``sources``: the dataset's
    :class:`~cmo_workbook.inputs.loaders.SourceInfo` list; a source's params ``label:`` names it in the company's
    words. File names stay in the analyst detail (the profile)
    and the controlling workbook's sources sheet: a CEO cannot place ``hubspot_contacts.csv`` (#11)."""
    parts = []
    for table in tables:
        mine = [s for s in sources if s.table == table]
        # a source with a params ``label:`` keeps the company's own words; the others go by the table's
        for s in (s for s in mine if getattr(s, "label", None)):
            parts.append(tn("source_rows", 1, lang, label=s.label, rows=fmt.number(s.rows, lang), n="1"))
        rest = [s for s in mine if not getattr(s, "label", None)]
        if rest:
            parts.append(tn("source_rows", len(rest), lang, label=t(f"source_{table}", lang),
                            rows=fmt.number(sum(s.rows for s in rest), lang), n=fmt.number(len(rest), lang)))
    return "; ".join(parts)


def open_workbook(params_file: str | Path, period: str, lang: str = "", *, kind: str = "month",
                  tables: list[str] | None = None, reports_dir: str | Path = "../reports") -> Workbook:
    """Load params and data for ``period``; ``lang`` empty means the company's language.

    ``reports_dir`` holds the period's KPI store (written by the runner before the notebooks).
    """
    matplotlib.use("Agg")  # memo charts are PNGs; no GUI backend in scheduled runs
    params = load_params(params_file)
    set_overrides(params.raw.get("messages"))  # the company's own wording of single messages
    p = Period.parse(period)
    if p.kind != kind:
        raise ValueError(f"this notebook reports a {kind}; period {period!r} is a {p.kind}")
    ds = load_dataset(params, tables)
    return Workbook(params, ds, p, lang or params.language, run_date(), Path(reports_dir))
