"""Look at memos as their reader will: PNG screenshots and A4 PDFs via headless Chromium."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import SettingsError

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
          "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    raise SettingsError("Chromium not found; install it with `apt-get install chromium` (Debian/Ubuntu) to preview memos")


def _run(args: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="cmo-chromium-") as profile:
        subprocess.run([chromium(), *_FLAGS, f"--user-data-dir={profile}", *args],
                       check=True, capture_output=True, timeout=120)


#: the tallest page a screenshot takes (Chromium's window); the PNG is cut to the memo's own length below
MAX_HEIGHT = 16000


def screenshot(html: Path, png: Path, *, width: int = 700, height: int = MAX_HEIGHT) -> Path:
    """The whole memo at e-mail width: Chromium cannot size its window to the page, so it renders a tall window and
    the empty background below the memo is cut off (a fixed height cut long memos in the middle)."""
    _run([f"--window-size={width},{height}", f"--screenshot={png}", html.resolve().as_uri()])
    trim_bottom(png)
    return png


def trim_bottom(png: Path, *, margin: int = 16) -> Path:
    """Cut the rows below the content: every row at the bottom that is one colour, the page's background."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as im:
        rgb = np.asarray(im.convert("RGB"))
    background = rgb[-1, 0]
    filled = np.flatnonzero((rgb != background).any(axis=(1, 2)))
    if len(filled):
        bottom = min(len(rgb), int(filled[-1]) + 1 + margin)
        if bottom < len(rgb):
            Image.fromarray(rgb[:bottom]).save(png)
    return png


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print to PDF (A4 as Chromium's default paper in a German locale is set via CSS @page if present)."""
    _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri()])
    return pdf


def pdf_pages(pdf: Path) -> int:
    """Number of pages in a PDF written by Chromium."""
    data = pdf.read_bytes()
    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def preview_all(paths: list[Path], *, say: Callable[[str], None] = print) -> int:
    from .runner import project_dir

    if not paths:
        paths = sorted((project_dir() / "reports").glob("*/*.html"))
    if not paths:
        say("no memos found under reports/; run `make demo` first")
        return 1
    for html in paths:
        png = html.with_suffix(".png")
        screenshot(html, png)
        say(f"preview  {png}")
    return 0
