"""Memo building blocks, displayed from notebook cells tagged ``memo``.

Each block renders three ways: email-safe HTML (tables, classes that the memo
exporter inlines), plain text (the email's text alternative) and a small JSON record
(``application/vnd.cmo-memo+json``) the runner reads for the subject line and the
jargon check. All text is HTML-escaped here, so data (customer quotes, competitor
summaries) can never inject markup into a memo.
"""
from __future__ import annotations

import base64
import textwrap
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Sequence

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape

MIME = "application/vnd.cmo-memo+json"

_env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _fill(text: str, width: int = 78, **kw: Any) -> str:
    """Wrap plain text without breaking words at hyphens ("data-driven" stays whole)."""
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False, **kw)


def _render(template: str, **ctx: Any) -> str:
    return _env.from_string(template).render(**ctx)


@dataclass(frozen=True)
class Fig:
    """A KPI value in a memo: the formatted text plus its catalogue id, window and raw value.

    Renders as ``<span data-metric="qualified_leads" data-window="2026-10" data-value="211">211</span>``
    so any check can prove that one (metric, window) has one value across memos and equals the
    KPI store; in plain text it is just the formatted value.
    """

    text: str
    metric: str
    window: str
    value: float
    segment: str = ""

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        seg = f' data-segment="{escape(self.segment)}"' if self.segment else ""
        raw = "" if self.value != self.value else f"{self.value:.10g}"
        return Markup(f'<span data-metric="{escape(self.metric)}" data-window="{escape(self.window)}" '
                      f'data-value="{escape(raw)}"{seg}>{escape(self.text)}</span>')


class Rich(str):
    """Text with embedded :class:`Fig` values: a ``str`` (plain text) that renders its figures as spans.

    ``Rich("Marketing lieferte ", fig, " Anfragen")``; all text parts are escaped in HTML.
    """

    def __new__(cls, *parts: "str | Fig") -> "Rich":
        obj = super().__new__(cls, "".join(str(p) for p in parts))
        obj.parts = tuple(parts)
        return obj

    def __html__(self) -> str:
        return Markup("".join(p.__html__() if isinstance(p, (Fig, Rich)) else str(escape(p)) for p in self.parts))

    def __add__(self, other: object) -> "Rich":
        return Rich(*self.parts, *(other.parts if isinstance(other, Rich) else (other,)))

    def __radd__(self, other: object) -> "Rich":
        return Rich(*((other.parts if isinstance(other, Rich) else (other,)) + self.parts))


class Block:
    """Base class: subclasses set ``kind`` and implement ``html`` and ``text``."""

    kind = "block"

    def html(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def text(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def record(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text()}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {"text/html": self.html(), "text/plain": self.text(), MIME: self.record()}


@dataclass
class Header(Block):
    """Memo title line: memo name, period, company, generation date."""

    title: str
    period_label: str
    company: str
    generated: date
    lang: str = "de"
    kind = "header"

    def _generated_text(self) -> str:
        from . import fmt

        return f"{fmt.t('generated_on', self.lang)} {fmt.date(self.generated, self.lang)}"

    def html(self) -> str:
        return _render(
            '<table class="hdr" role="presentation" width="100%"><tr>'
            '<td class="hdr-l"><div class="hdr-co">{{ company }}</div><div class="hdr-t">{{ title }}</div></td>'
            '<td class="hdr-r">{{ period }}<br><span class="muted">{{ gen }}</span></td></tr></table>',
            company=self.company, title=self.title, period=self.period_label, gen=self._generated_text(),
        )

    def text(self) -> str:
        return f"{self.company}\n{self.title} - {self.period_label}\n{self._generated_text()}"

    def record(self) -> dict[str, Any]:
        return {**super().record(), "title": self.title, "period": self.period_label}


@dataclass
class Headline(Block):
    """The answer first: one sentence that states the conclusion."""

    sentence: str
    kind = "headline"

    def html(self) -> str:
        return _render('<p class="headline">{{ s }}</p>', s=self.sentence)

    def text(self) -> str:
        return self.sentence


@dataclass
class Comparison:
    """One comparison under a KPI: label, formatted delta and whether it is good news."""

    label: str
    delta: str
    good: bool | None = None


@dataclass
class Tile:
    """A KPI: name, formatted value, comparisons and the "so what" sentence."""

    label: str
    value: "str | Fig"
    comparisons: Sequence[Comparison] = ()
    so_what: str = ""
    status: str = ""  # optional badge: on track / at risk


@dataclass
class KpiTiles(Block):
    tiles: Sequence[Tile]
    columns: int = 3
    kind = "kpis"

    def html(self) -> str:
        rows = [self.tiles[i:i + self.columns] for i in range(0, len(self.tiles), self.columns)]
        width = f"{100 // self.columns}%"
        return _render(
            '<table class="tiles" role="presentation" width="100%">'
            "{% for row in rows %}<tr>{% for t in row %}"
            '<td class="tile" width="{{ width }}" valign="top">'
            '<div class="tile-l">{{ t.label }}</div><div class="tile-v">{{ t.value }}</div>'
            "{% for c in t.comparisons %}"
            '<div class="cmp"><span class="{{ "good" if c.good else ("bad" if c.good is false else "neutral") }}">'
            "{{ c.delta }}</span> {{ c.label }}</div>"
            "{% endfor %}"
            '{% if t.status %}<div class="badge">{{ t.status }}</div>{% endif %}'
            '{% if t.so_what %}<div class="sowhat">{{ t.so_what }}</div>{% endif %}'
            "</td>{% endfor %}"
            "{% for _ in range(columns - row|length) %}<td></td>{% endfor %}"
            "</tr>{% endfor %}</table>",
            rows=rows, width=width, columns=self.columns,
        )

    def text(self) -> str:
        lines = []
        for t in self.tiles:
            cmp = "; ".join(f"{c.delta} {c.label}" for c in t.comparisons)
            lines.append(f"- {t.label}: {t.value}" + (f" ({cmp})" if cmp else "") + (f" [{t.status}]" if t.status else ""))
            if t.so_what:
                lines.append(f"  {t.so_what}")
        return "\n".join(lines)

    def record(self) -> dict[str, Any]:
        return {**super().record(), "tiles": [
            {"label": t.label, "value": str(t.value), "so_what": str(t.so_what),
             "comparisons": [c.delta + " " + c.label for c in t.comparisons]} for t in self.tiles]}


@dataclass
class Section(Block):
    """A short heading inside the memo."""

    title: str
    kind = "section"

    def html(self) -> str:
        return _render('<h2 class="sec">{{ t }}</h2>', t=self.title)

    def text(self) -> str:
        return f"\n{self.title.upper()}"


@dataclass
class Paragraph(Block):
    body: str
    kind = "paragraph"

    def html(self) -> str:
        return _render('<p class="p">{{ b }}</p>', b=self.body)

    def text(self) -> str:
        return _fill(self.body, 78)


@dataclass
class Bullets(Block):
    items: Sequence[str]
    kind = "bullets"

    def html(self) -> str:
        return _render(
            '<table class="bul" role="presentation" width="100%">{% for i in items %}'
            '<tr><td class="dot" valign="top">&#8226;</td><td class="bi">{{ i }}</td></tr>{% endfor %}</table>',
            items=list(self.items),
        )

    def text(self) -> str:
        return "\n".join(_fill(i, 78, initial_indent="- ", subsequent_indent="  ") for i in self.items)


@dataclass
class Recommendation:
    """An action with its owner, due date, evidence and expected effect."""

    action: str
    owner: str = ""
    evidence: str = ""
    due: str = ""
    effect: str = ""
    stakeholder: str = ""
    #: what the recommendation is about (a rule and its subject, e.g. "price_pressure.hartmann"): its stable id
    #: in the decision log; empty: derived from the KPI it names or its words
    key: str = ""
    #: the euros the decision asks for (a channel shift's amount): the same decision id carries the same amount
    #: in every memo of a period (checked by memos.consistency); NaN: no amount
    amount: float = float("nan")
    #: False: the decision log infers no store KPI from the words (a VoC theme's effect is measured on the feedback;
    #: its "Auftragseingang" is the customers' at stake, not the marketing KPI of that name)
    infer_kpi: bool = True

    def figures(self) -> list[Fig]:
        """The KPI values the recommendation names (in its action, evidence and effect), in that order."""
        return [p for text in (self.action, self.evidence, self.effect) for p in _figs(text)]


def _figs(text: object) -> list[Fig]:
    if isinstance(text, Fig):
        return [text]
    return [f for p in getattr(text, "parts", ()) for f in _figs(p)]


@dataclass
class Recommendations(Block):
    items: Sequence[Recommendation]
    #: owner/due/evidence/effect/stakeholder labels; default the English catalogue's (see recommendation_labels)
    labels: dict[str, str] = field(default_factory=lambda: recommendation_labels("en"))
    kind = "recommendations"

    def html(self) -> str:
        return _render(
            '<table class="recs" role="presentation" width="100%">{% for r in items %}<tr>'
            '<td class="rec-n" valign="top">{{ loop.index }}</td><td class="rec">'
            '<div class="rec-a">{{ r.action }}</div>'
            '<div class="rec-m">{% if r.owner %}{{ L.owner }}: {{ r.owner }}{% endif %}'
            '{% if r.due %} &middot; {{ L.due }}: {{ r.due }}{% endif %}'
            '{% if r.stakeholder %} &middot; {{ L.stakeholder }}: {{ r.stakeholder }}{% endif %}</div>'
            '{% if r.evidence %}<div class="rec-e">{{ L.evidence }}: {{ r.evidence }}</div>{% endif %}'
            '{% if r.effect %}<div class="rec-e">{{ L.effect }}: {{ r.effect }}</div>{% endif %}'
            "</td></tr>{% endfor %}</table>",
            items=list(self.items), L=self.labels,
        )

    def record(self) -> dict[str, Any]:
        """Also each item's action, owner, due date and named KPI values (for the decision log)."""
        items = [{"key": r.key, "amount": None if r.amount != r.amount else float(r.amount), "infer_kpi": r.infer_kpi,
                  "action": str(r.action), "owner": str(r.owner), "due": str(r.due),
                  "evidence": str(r.evidence), "effect": str(r.effect), "figures": [{"metric": f.metric, "window": f.window, "segment": f.segment, "value": None if f.value != f.value else float(f.value),
                               "text": f.text} for f in r.figures()]} for r in self.items]
        return {**super().record(), "items": items}

    def text(self) -> str:
        out = []
        for i, r in enumerate(self.items, 1):
            meta = ", ".join(x for x in (f"{self.labels['owner']}: {r.owner}" if r.owner else "",
                                         f"{self.labels['due']}: {r.due}" if r.due else "") if x)
            out.append(_fill(f"{i}. {r.action}" + (f" ({meta})" if meta else ""), 78, subsequent_indent="   "))
            if r.evidence:
                out.append(_fill(f"{self.labels['evidence']}: {r.evidence}", 78, initial_indent="   ",
                                         subsequent_indent="   "))
            if r.effect:
                out.append(_fill(f"{self.labels['effect']}: {r.effect}", 78, initial_indent="   ",
                                         subsequent_indent="   "))
        return "\n".join(out)


def recommendation_labels(lang: str, *, evidence: str = "rec_evidence", effect: str = "rec_effect",
                          stakeholder: str | None = "rec_stakeholder") -> dict[str, str]:
    """The labels of a :class:`Recommendations` block in ``lang`` from the catalogue.

    ``evidence``/``effect``/``stakeholder`` name the message ids a memo words differently (the competitor
    briefing: "Why it matters", "What we do"); ``stakeholder=None`` leaves that label empty.
    """
    from .i18n import t

    return {"owner": t("rec_owner", lang), "due": t("rec_due", lang), "evidence": t(evidence, lang),
            "effect": t(effect, lang), "stakeholder": t(stakeholder, lang) if stakeholder else ""}


@dataclass
class Table(Block):
    """A small table of already formatted strings (numbers formatted with :mod:`fmt`)."""

    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    align: Sequence[str] = ()  # "l" or "r" per column
    kind = "table"

    @classmethod
    def from_frame(cls, df, align: Sequence[str] = ()) -> "Table":
        return cls([str(c) for c in df.columns], [[("" if v is None else str(v)) for v in r] for r in df.itertuples(index=False)],
                   align)

    def html(self) -> str:
        al = list(self.align) or ["l"] + ["r"] * (len(self.header) - 1)
        return _render(
            '<table class="tbl" width="100%" cellpadding="0" cellspacing="0"><tr>'
            '{% for h in header %}<th class="{{ "r" if al[loop.index0] == "r" else "l" }}">{{ h }}</th>{% endfor %}</tr>'
            "{% for row in rows %}<tr>{% for v in row %}"
            '<td class="{{ "r" if al[loop.index0] == "r" else "l" }}">{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>',
            header=list(self.header), rows=[list(r) for r in self.rows], al=al,
        )

    def text(self) -> str:
        cols = [list(map(str, self.header))] + [[str(v) for v in r] for r in self.rows]
        widths = [max(len(r[i]) for r in cols) for i in range(len(self.header))]
        return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cols)


@dataclass
class Chart(Block):
    """A chart as PNG. ``alt`` is the chart's message in words (alt text and text part)."""

    png: bytes
    alt: str
    width: int = 600
    kind = "chart"

    @classmethod
    def from_figure(cls, fig, alt: str, *, dpi: int = 110) -> "Chart":
        from .charts import to_png

        return cls(to_png(fig, dpi=dpi), alt)

    def html(self) -> str:
        # Only for JupyterLab; the memo exporter renders the image/png output itself.
        b64 = base64.b64encode(self.png).decode()
        return _render('<img src="data:image/png;base64,{{ b }}" alt="{{ a }}" width="{{ w }}">', b=b64, a=self.alt, w=self.width)

    def text(self) -> str:
        return f"[{self.alt}]"

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"image/png": base64.b64encode(self.png).decode(), "text/plain": self.text(),
                MIME: {**self.record(), "alt": self.alt}}
        return data, {"image/png": {"width": self.width, "alt": self.alt}}


@dataclass
class DataNote(Block):
    """Sources, row counts and data gaps, in small print at the end."""

    title: str
    lines: Sequence[str]
    kind = "data_note"

    def html(self) -> str:
        return _render(
            # one run-on paragraph: small print should not cost the memo its page limit
            '<div class="note"><span class="note-t">{{ t }}:</span> {{ lines | join(" \u00b7 ") }}</div>',
            t=self.title, lines=list(self.lines),
        )

    def text(self) -> str:
        return f"{self.title}\n" + "\n".join(_fill(l, 78) for l in self.lines)


def show(*blocks: Block) -> None:
    """Display blocks in order (use in a cell tagged ``memo``)."""
    from IPython.display import display

    for b in blocks:
        display(b)


def records(blocks: Iterable[Block]) -> list[dict[str, Any]]:
    return [b.record() for b in blocks]
