"""Case 2: XPT v5 read of case 1's files: ``cdisc_pipe.read_xpt`` vs ``pyreadstat.read_xport`` vs
``pandas.read_sas``.

The three readers take turns on the file our writer wrote (its records are byte-identical to pyreadstat's,
case 1 checks that). Each reader's first result is compared with the frame that was written, outside the
timing: same columns, Char values equal once missing is read as "" and trailing blanks are dropped (what
XPT stores), Num values equal bit for bit (NaN = NaN). Our reader also reads the pyreadstat-written file
once, compared the same way. The file is in the page cache (it was just written), so this is the readers'
speed, not the disk's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyreadstat

from benchmarks.measure import interleaved, load, ratio, throughput
from benchmarks.profiles import profile_call
from benchmarks.xpt_write import OURS, PYREADSTAT
from cdisc_pipe import read_xpt

__all__ = ["measure_read", "compare_frames", "PANDAS"]

PANDAS = "pandas"


def _readers(path: Path) -> dict[str, Callable[[], pd.DataFrame]]:
    return {
        OURS: lambda: read_xpt(path).frame,
        PYREADSTAT: lambda: pyreadstat.read_xport(str(path))[0],
        PANDAS: lambda: pd.read_sas(path, format="xport", encoding="ascii"),
    }


def measure_read(frame: pd.DataFrame, paths: dict[str, Path], *, repeat: int,
                 profile_dir: Path | None = None) -> dict[str, Any]:
    """Time the three readers on ``paths[OURS]`` ``repeat`` times each; check what each one read."""
    path = paths[OURS]
    size = path.stat().st_size
    checks: dict[str, dict[str, Any]] = {}

    def check(name: str, got: pd.DataFrame) -> None:
        if name not in checks:
            checks[name] = compare_frames(frame, got)

    before = load()
    runs = interleaved(_readers(path), repeat, after=check)
    after = load()
    checks[f"{OURS} reading the {PYREADSTAT} file"] = compare_frames(frame, read_xpt(paths[PYREADSTAT]).frame)
    result: dict[str, Any] = {
        "case": 2,
        "name": "XPT v5 read",
        "rows": len(frame),
        "columns": frame.shape[1],
        "bytes": size,
        "contenders": {name: {**r.as_dict(), "mb_per_s": throughput(size / 1e6, r)} for name, r in runs.items()},
        "ratio": {"of": f"{PYREADSTAT} wall / {OURS} wall", **ratio(runs[PYREADSTAT], runs[OURS])},
        "ratio_pandas": {"of": f"{PANDAS} wall / {OURS} wall", **ratio(runs[PANDAS], runs[OURS])},
        "values_identical": {name: c["identical"] for name, c in checks.items()},
        "differences": {name: c["differences"] for name, c in checks.items() if not c["identical"]},
        "load_before": before,
        "load_after": after,
    }
    if profile_dir is not None:
        result["profile"] = profile_call(lambda: read_xpt(path), profile_dir / f"case2-read_xpt-{len(frame)}.prof")
    return result


def compare_frames(expected: pd.DataFrame, got: pd.DataFrame) -> dict[str, Any]:
    """Whether ``got`` holds the values of ``expected`` as XPT stores them; at most 10 differences named."""
    differences: list[str] = []
    if list(got.columns) != list(expected.columns):
        differences.append(f"columns must be {list(expected.columns)} (got {list(got.columns)})")
    elif len(got) != len(expected):
        differences.append(f"rows must be {len(expected)} (got {len(got)})")
    else:
        for name in expected.columns:
            problem = _compare_column(expected[name], got[name])
            if problem:
                differences.append(f"{name}: {problem}")
    return {"identical": not differences, "differences": differences[:10]}


def _compare_column(expected: pd.Series, got: pd.Series) -> str | None:
    if pd.api.types.is_numeric_dtype(expected.dtype):
        if not pd.api.types.is_numeric_dtype(got.dtype):
            return f"must be numeric (got dtype {got.dtype})"
        left, right = expected.to_numpy(dtype="float64"), got.to_numpy(dtype="float64")
        same = (left == right) | (np.isnan(left) & np.isnan(right))
    else:
        left, right = _as_stored(expected), _as_stored(got)
        same = (left == right).to_numpy(dtype=bool)
    if same.all():
        return None
    first = int(np.flatnonzero(~same)[0])
    return (f"{int((~same).sum())} values differ; row {first + 1} must be {expected.iloc[first]!r} "
            f"(got {got.iloc[first]!r})")


def _as_stored(series: pd.Series) -> pd.Series:
    """Text as an XPT file holds it: missing is blank, trailing blanks are not data."""
    text = series.astype(pd.StringDtype("pyarrow", na_value=np.nan)).fillna("")
    return text.str.rstrip(" ").reset_index(drop=True)
