"""Deterministic journeys in Parquet for the scale benchmarks (cached under bench/.data/, gitignored).

``ensure(n_journeys)`` writes ``touchpoints/part-*.parquet`` (``lead_id`` BIGINT, ``timestamp``,
``channel`` text, ``seq`` = the export order) and ``outcomes/part-*.parquet`` (``lead_id``,
``converted``, ``value``, ``conversion_date``, ``lead_created_date``, ``opportunity_date``) in
chunks of one million journeys from :func:`synthetic.generate` (seed = chunk number), 0.1 %
converted leads without a touch. The same ``n_journeys`` always gives the same files; a folder
with a ``done`` marker is reused.
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

DATA = Path(__file__).resolve().parent / ".data"
CHUNK = 1_000_000


def folder(n_journeys: int) -> Path:
    return DATA / f"journeys_{n_journeys}"


def ensure(n_journeys: int) -> Path:
    """The folder with the Parquet files for ``n_journeys`` (generated on first use)."""
    out = folder(n_journeys)
    if (out / "done").exists():
        return out
    for sub in ("touchpoints", "outcomes"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    offset, seq0 = 0, 0
    for chunk, start in enumerate(range(0, n_journeys, CHUNK)):
        n = min(CHUNK, n_journeys - start)
        tp, oc, _ = synthetic.generate(n, seed=1000 + chunk, untouched=0.001)
        n_leads = len(oc)
        tp = pd.DataFrame({"lead_id": tp["lead_id"].to_numpy() + offset, "timestamp": tp["timestamp"],
                           "channel": tp["channel"].astype(str),
                           "seq": np.arange(seq0, seq0 + len(tp), dtype=np.int64)})
        oc = oc.assign(lead_id=oc["lead_id"].to_numpy() + offset)
        for name, frame in (("touchpoints", tp), ("outcomes", oc)):
            con.register("frame", frame)
            con.execute(f"COPY (SELECT * FROM frame) TO '{out / name / f'part-{chunk:03d}.parquet'}' (FORMAT parquet)")
            con.unregister("frame")
        offset += n_leads
        seq0 += len(tp)
    (out / "done").write_text(f"{n_journeys}\n")
    return out


if __name__ == "__main__":
    print(ensure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000))
