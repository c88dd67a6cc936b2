"""Voice of customer: the monthly synthesis of customer feedback (German and English).

Deterministic and offline: same input, same output. Personal data is pseudonymised before any
text is classified, quoted or stored. Entry point: :func:`analyse`.
"""
from __future__ import annotations

from .language import detect_language, detect_languages, tokenize
from .pipeline import VocResult, analyse
from .privacy import pseudonymise, pseudonymise_many
from .scores import nps
from .signals import SIGNAL_TYPES, classify, detect_signals
from .themes import DEFAULT_TAXONOMY, load_taxonomy, match_themes
from .trends import compare_shares, emerging_terms, theme_trends

__all__ = [
    "DEFAULT_TAXONOMY", "SIGNAL_TYPES", "VocResult", "analyse", "classify", "compare_shares", "detect_language",
    "detect_languages", "detect_signals", "emerging_terms", "load_taxonomy", "match_themes", "nps",
    "pseudonymise", "pseudonymise_many", "theme_trends", "tokenize",
]
