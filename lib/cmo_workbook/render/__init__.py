"""Rendering beside the memos: number formats, i18n, memo blocks, IBCS charts, jargon check and the nbconvert export."""
