"""Excel files whose bytes depend only on their content (a rerun on the same data changes no file)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any


def stable_bytes(wb: Any, stamp: datetime) -> bytes:
    """The openpyxl workbook ``wb`` as .xlsx bytes with ``stamp`` as its created/modified time.

    openpyxl stamps ``docProps/core.xml`` and every zip entry with the current time; both are
    rewritten, so the same content gives the same bytes.
    """
    if not getattr(wb, "write_only", False):
        wb.properties.created = stamp
    buf = io.BytesIO()
    wb.save(buf)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + iso + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
    return out.getvalue()


def write_stable(wb: Any, path: Path, stamp: datetime) -> Path:
    """Write :func:`stable_bytes` to ``path`` atomically (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    try:
        tmp.write_bytes(stable_bytes(wb, stamp))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
