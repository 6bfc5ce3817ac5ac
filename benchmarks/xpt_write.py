"""Case 1: XPT v5 write of the LB-like frame, ``cdisc_pipe.write_xpt`` vs ``pyreadstat.write_xport``.

Both write the same Arrow-backed frame to a file in the work folder, taking turns. pyreadstat also writes a
copy of the frame whose Char columns are Python ``object`` strings (the copy is made outside the timing):
it writes those about twice as fast as Arrow-backed ones, so that is its best case and the fairer floor for
the ratio. Throughput is the file's bytes over the wall time of the call (no fsync for anyone: the page cache
absorbs the write, so this is the writers' speed, not the disk's). Besides the speed, the record blocks of
the files are compared byte for byte: with the same variable lengths they must be identical (the headers
differ: timestamps, host names).
"""

from __future__ import annotations

import hashlib
import mmap
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat

from benchmarks.measure import interleaved, load, ratio, throughput
from benchmarks.profiles import profile_call
from cdisc_pipe import DatasetMetadata, write_xpt

__all__ = ["measure_write", "write_files", "OURS", "PYREADSTAT", "PYREADSTAT_OBJECT"]

OURS = "cdisc_pipe"
PYREADSTAT = "pyreadstat"
PYREADSTAT_OBJECT = "pyreadstat, object str"
_OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"


def write_files(frame: pd.DataFrame, meta: DatasetMetadata, folder: Path) -> dict[str, Path]:
    """The two files, written once (used by case 2 when case 1 did not run)."""
    paths = _paths(folder, len(frame))
    _write_ours(frame, meta, paths[OURS])
    _write_pyreadstat(frame, meta, paths[PYREADSTAT])
    return paths


def measure_write(frame: pd.DataFrame, meta: DatasetMetadata, folder: Path, *, repeat: int,
                  profile_dir: Path | None = None) -> tuple[dict[str, Any], dict[str, Path]]:
    """Time the writers ``repeat`` times each; return the result and the paths of the files left behind
    (ours and pyreadstat's from the Arrow-backed frame; the object-string one is deleted)."""
    paths = _paths(folder, len(frame))
    paths[PYREADSTAT_OBJECT] = folder / f"lb-{len(frame)}-pyreadstat-object.xpt"
    objects = frame.astype({name: object for name in frame.columns if not pd.api.types.is_numeric_dtype(frame[name])})
    before = load()
    runs = interleaved({
        OURS: lambda: _write_ours(frame, meta, paths[OURS]),
        PYREADSTAT: lambda: _write_pyreadstat(frame, meta, paths[PYREADSTAT]),
        PYREADSTAT_OBJECT: lambda: _write_pyreadstat(objects, meta, paths[PYREADSTAT_OBJECT]),
    }, repeat)
    after = load()
    del objects
    contenders = {}
    for name, path in paths.items():
        size = path.stat().st_size
        contenders[name] = {**runs[name].as_dict(), "bytes": size,
                            "mb_per_s": throughput(size / 1e6, runs[name])}
    result: dict[str, Any] = {
        "case": 1,
        "name": "XPT v5 write",
        "rows": len(frame),
        "columns": frame.shape[1],
        "contenders": contenders,
        "ratio": {"of": f"{PYREADSTAT} wall / {OURS} wall", **ratio(runs[PYREADSTAT], runs[OURS])},
        "ratio_object": {"of": f"{PYREADSTAT_OBJECT} wall / {OURS} wall",
                         **ratio(runs[PYREADSTAT_OBJECT], runs[OURS])},
        "records_identical": len({_records_digest(path) for path in paths.values()}) == 1,
        "load_before": before,
        "load_after": after,
    }
    paths.pop(PYREADSTAT_OBJECT).unlink(missing_ok=True)
    if profile_dir is not None:
        result["profile"] = profile_call(lambda: _write_ours(frame, meta, paths[OURS]),
                                         profile_dir / f"case1-write_xpt-{len(frame)}.prof")
    return result, paths


def _paths(folder: Path, rows: int) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {OURS: folder / f"lb-{rows}-ours.xpt", PYREADSTAT: folder / f"lb-{rows}-pyreadstat.xpt"}


def _write_ours(frame: pd.DataFrame, meta: DatasetMetadata, path: Path) -> None:
    write_xpt(frame, path, meta)


def _write_pyreadstat(frame: pd.DataFrame, meta: DatasetMetadata, path: Path) -> None:
    pyreadstat.write_xport(frame, str(path), file_label=meta.label, table_name=meta.name,
                           column_labels=[v.label for v in meta.variables], file_format_version=5)


def _records_digest(path: Path) -> str:
    """SHA-256 of everything after the OBS header record: the observations and the final padding."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as raw:
        start = raw.find(_OBS_HEADER)
        if start < 0:
            return f"no OBS header in {path.name}"
        digest = hashlib.sha256()
        step = 64 << 20
        for offset in range(start + 80, len(raw), step):
            digest.update(raw[offset:offset + step])
        return digest.hexdigest()
