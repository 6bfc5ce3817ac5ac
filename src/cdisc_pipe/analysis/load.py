"""The ADaM datasets an analysis reads: from the written XPT files, never from frames held in memory.

A statistician receives the submission files; reading them back proves the analyses depend on nothing
else. Dates come back as datetime64 (Num variables with a DATE/DATETIME format), Char missing as "".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cdisc_pipe.errors import InputError
from cdisc_pipe.export.xpt import read_xpt

__all__ = ["read_adam", "adam_folder"]


def adam_folder(out: Path, studyid: str) -> Path:
    """Where the export stage writes the ADaM XPT files under the output folder ``out``."""
    return Path(out) / "m5" / "datasets" / studyid.lower() / "analysis" / "adam" / "datasets"


def read_adam(folder: Path, names: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Every ``<name>.xpt`` in ``folder`` (or the ``names`` asked for) keyed by upper-case dataset name."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.xpt")) if names is None else [folder / f"{n.lower()}.xpt" for n in names]
    missing = [p.name for p in paths if not p.is_file()]
    if missing or not paths:
        raise InputError(f"ADaM folder '{folder}' must hold the datasets to analyse (missing {missing or 'all'})")
    return {p.stem.upper(): read_xpt(p, dates="datetime").frame for p in paths}
