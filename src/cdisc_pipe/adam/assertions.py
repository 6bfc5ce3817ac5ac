"""Preconditions every verb checks first (``assert_*`` raise :class:`~cdisc_pipe.errors.AdamError` at once)."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from cdisc_pipe.errors import AdamError

__all__ = ["assert_columns", "assert_one_of", "assert_unique_keys"]


def assert_columns(dataset: pd.DataFrame, columns: Iterable[str | None], *, arg: str = "dataset") -> None:
    """``dataset`` must hold every one of ``columns`` (``None`` entries are skipped)."""
    if not isinstance(dataset, pd.DataFrame):
        raise AdamError(f"'{arg}' must be a pandas DataFrame (got {type(dataset).__name__})")
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in dataset.columns]
    if missing:
        raise AdamError(f"'{arg}' must contain the variables {missing} (got columns {list(dataset.columns)})")


def assert_one_of(value: object, options: Iterable[object], *, arg: str) -> None:
    options = list(options)
    if value not in options:
        raise AdamError(f"'{arg}' must be one of {options} (got {value!r})")


def assert_unique_keys(dataset: pd.DataFrame, by_vars: list[str], *, arg: str) -> None:
    """At most one record of ``dataset`` per ``by_vars``; the message shows the first duplicated keys."""
    duplicated = dataset.duplicated(by_vars, keep=False)
    if duplicated.any():
        shown = dataset.loc[duplicated, by_vars].drop_duplicates().head(5).to_dict("records")
        raise AdamError(f"'{arg}' must have at most one record per {by_vars} (got duplicates, e.g. {shown}); "
                        f"give 'order' and 'mode' to pick one")
