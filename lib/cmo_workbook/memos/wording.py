"""Catalogue messages whose placeholders are memo figures: ``rich(id, lang, leads=fig)`` is a :class:`Rich`.

:func:`cmo_workbook.render.i18n.t` fills placeholders with text; a memo sentence that carries KPI
values (:class:`~cmo_workbook.render.blocks.Fig`, rendered as ``<span data-metric=...>``) needs the
figures kept as parts, so the HTML still proves each value against the KPI store.
"""
from __future__ import annotations

import string

from ..render.blocks import Fig, Rich
from ..render.i18n import t


def rich(key: str, lang: str, **fields: object) -> Rich:
    """The message ``key`` with :class:`Fig`/:class:`Rich` placeholders kept as figures, others as text."""
    template = t(key, lang, **{k: "{" + k + "}" for k in fields})  # the (overridable) text, placeholders intact
    parts: list[str | Fig] = []
    for literal, name, spec, conv in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        value = fields[name]
        if isinstance(value, Rich):
            parts.extend(value.parts)
        elif isinstance(value, Fig):
            parts.append(value)
        else:
            parts.append(format(value, spec or ""))
    return Rich(*parts)
