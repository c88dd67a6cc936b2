"""The project's Jupyter kernel: one named kernel for JupyterLab and scheduled runs alike."""
from __future__ import annotations

import json
import sys
from pathlib import Path

NAME = "cmo-workbook"
DISPLAY = "Python (cmo-workbook)"


def install(prefix: str | None = None) -> Path:
    """Register this environment's Python as kernel ``cmo-workbook`` (in the env's prefix) and return its folder.

    The kernel logs only errors: ipykernel >= 7.3 warns "running over TCP without
    encryption" on every start, which is noise in cron logs on a single machine.
    """
    from ipykernel.kernelspec import install as ipk_install

    path = Path(ipk_install(kernel_name=NAME, display_name=DISPLAY, prefix=prefix or sys.prefix))
    spec_file = path / "kernel.json"
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    flag = "--IPKernelApp.log_level=ERROR"
    if flag not in spec["argv"]:
        spec["argv"].append(flag)
    spec_file.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return path
