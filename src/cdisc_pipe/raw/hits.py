"""Findings as a table while they are being collected, and their conversion to :class:`Finding` records.

Checks produce *hit tables* (one row per problem, columns :data:`HIT_COLUMNS`) with vectorised pandas
operations; :func:`hits_to_findings` turns the sorted, combined table into findings at the very end. Message
text is built here, vectorised, in the one house shape::

    `<FORM>.<FIELD>` must be <expectation> (got '<value as entered>')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cdisc_pipe.errors import Finding
from cdisc_pipe.raw.rules import RULES
from cdisc_pipe.raw.values import is_missing
from cdisc_pipe.spec.model import Study

__all__ = ["HIT_COLUMNS", "empty_hits", "make_hits", "got_text", "must_messages", "sort_hits", "hits_to_findings"]

HIT_COLUMNS = ["rule", "dataset", "file", "row", "variable", "subject", "value", "expected", "message"]

#: Values longer than this are shortened in messages (never in the ``value`` column).
_SHOWN = 60


_EMPTY = pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "object") for c in HIT_COLUMNS})


def empty_hits() -> pd.DataFrame:
    """A hit table with no rows."""
    return _EMPTY.copy(deep=False)


def make_hits(**columns: Any) -> pd.DataFrame:
    """A hit table from columns (Series/arrays, all the same length) and scalars (broadcast)."""
    lengths = {len(v) for v in columns.values() if isinstance(v, (pd.Series, np.ndarray, list))}
    if len(lengths) > 1:
        raise ValueError(f"hit columns must have one length (got lengths {sorted(lengths)})")
    n = lengths.pop() if lengths else 1
    data: dict[str, Any] = {}
    for name in HIT_COLUMNS:
        value = columns.get(name)
        if isinstance(value, pd.Series):
            value = value.to_numpy(dtype=object, na_value=None) if name != "row" else value.to_numpy()
        elif value is None or np.isscalar(value):
            value = [value] * n
        data[name] = value
    table = pd.DataFrame(data)
    table["row"] = pd.array(table["row"].to_numpy(), dtype="Int64") if n else pd.array([], dtype="Int64")
    return table


def got_text(values: pd.Series) -> pd.Series:
    """How a value reads in a message: ``'x'``, ``an empty value``, or ``'first 60…' (N characters)``."""
    text = values.astype("str")
    missing = is_missing(values)
    lengths = text.str.len().fillna(0).astype("int64")
    long = lengths > _SHOWN
    shown = text.where(~long, text.str.slice(0, _SHOWN) + "…")
    quoted = "'" + shown.fillna("") + "'"
    quoted = quoted.where(~long, quoted + " (" + lengths.astype("str") + " characters)")
    return quoted.where(~missing, "an empty value")


def must_messages(
    dataset: str, variable: str | pd.Series, phrase: str | pd.Series, values: pd.Series
) -> pd.Series:
    """"`DATASET.VARIABLE` must be PHRASE (got VALUE)" for every value, vectorised."""

    def text(part: str | pd.Series) -> str | pd.Series:
        return part if isinstance(part, str) else pd.Series(part.to_numpy(), index=values.index, dtype="str")

    return "`" + dataset + "." + text(variable) + "` must be " + text(phrase) + " (got " + got_text(values) + ")"


def sort_hits(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Stable report order: form order of the spec, then source row, then field order, then rule order."""
    if table.empty:
        return table.reset_index(drop=True)
    form_order = {f.id: i for i, f in enumerate(study.forms)}
    field_order = {f"{f.id}.{fld.name}": i for f in study.forms for i, fld in enumerate(f.fields)}
    rule_order = {r: i for i, r in enumerate(RULES)}
    keys = pd.DataFrame(
        {
            "form": table["dataset"].map(form_order).fillna(len(form_order)),
            "row": table["row"].fillna(0).astype("int64"),
            "field": (table["dataset"].astype("str") + "." + table["variable"].astype("str"))
            .map(field_order)
            .fillna(len(field_order)),
            "variable": table["variable"].fillna("").astype("str"),
            "rule": table["rule"].map(rule_order),
        }
    )
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return table.loc[order].reset_index(drop=True)


def hits_to_findings(table: pd.DataFrame, *, stage: str = "raw") -> list[Finding]:
    """One :class:`Finding` per hit, severity from :data:`~cdisc_pipe.raw.rules.RULES`."""
    unknown = set(table["rule"]) - set(RULES)
    if unknown:
        raise ValueError(f"hit rules must be ids of RULES (got {sorted(unknown)})")
    columns = {name: table[name].to_numpy(dtype=object, na_value=None) for name in HIT_COLUMNS}
    rows = [None if r is None else int(r) for r in columns["row"]]
    return [
        Finding(
            stage=stage,
            rule=rule,
            severity=RULES[rule].severity,
            message=message,
            dataset=dataset,
            file=file,
            row=row,
            variable=variable,
            subject=subject,
            value=value,
            expected=expected,
        )
        for rule, dataset, file, row, variable, subject, value, expected, message in zip(
            columns["rule"],
            columns["dataset"],
            columns["file"],
            rows,
            columns["variable"],
            columns["subject"],
            columns["value"],
            columns["expected"],
            columns["message"],
            strict=True,
        )
    ]
