"""Message lookups beyond :func:`~cmo_workbook.render.i18n.t`: channel names, sentences with figures, labels.

* :func:`channel_label`: the display name of a channel key (catalogue id ``channel_<key>``), so a
  company can rename "Messen" with the params key ``messages`` like any other memo text;
* :func:`rich`: a catalogue sentence whose placeholders may be :class:`~cmo_workbook.render.blocks.Fig`
  values (KPI figures that must keep their ``data-metric`` span in the HTML memo);
* :func:`recommendation_labels`: the field names of a recommendations block in the memo language.

Lives in render (every layer may use it) because metrics/budget.py names channels in its sentences too.
"""
from __future__ import annotations

from .blocks import Fig, Rich, recommendation_labels  # noqa: F401  (re-exported for notebooks)
from .i18n import t

_MARK = "\x00"  # cannot occur in a catalogue text: splits a filled sentence at its figures


def channel_label(key: str, lang: str = "de") -> str:
    """Display name of a channel key in ``lang``; a key without catalogue entry (a company's own
    channel such as ``field_events``) is shown title-cased."""
    try:
        return t(f"channel_{key}", lang)
    except KeyError:
        return str(key).replace("_", " ").title()


def channel_names() -> dict[str, dict[str, str]]:
    """Every known channel's display name per complete language: ``{"trade_fairs": {"de": "Messe", "en": ...}}``.

    For finding channels named in a sentence (decision log, consistency check), in either language.
    """
    from .i18n import COMPLETE, catalogue

    keys = [k.removeprefix("channel_") for k in catalogue("en").messages if k.startswith("channel_")]
    return {key: {lang: channel_label(key, lang) for lang in COMPLETE} for key in keys}


def rich(key: str, lang: str, **fields: object) -> Rich:
    """The message ``key`` as :class:`Rich` text: ``Fig``/``Rich`` fields stay figures, the rest is filled as by t()."""
    figs = {k: v for k, v in fields.items() if isinstance(v, (Fig, Rich))}
    text = t(key, lang, **{k: (f"{_MARK}{k}{_MARK}" if k in figs else v) for k, v in fields.items()})
    parts: list[str | Fig] = []
    for i, piece in enumerate(text.split(_MARK)):
        if i % 2:
            value = figs[piece]
            parts.extend(value.parts if isinstance(value, Rich) else [value])  # type: ignore[list-item]
        elif piece:
            parts.append(piece)
    return Rich(*parts)
