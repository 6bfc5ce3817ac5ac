"""Value-level metadata: one def:ValueListDef per variable whose values differ by record kind.

* SDTM findings collected wide on a CRF (``melt`` sources: LB, VS, QS, CP, ...): ``--ORRES`` and ``--STRESN``
  per ``--TESTCD``, from the spec's test table (test name, units, the CRF field's codelist);
* SUPP--: ``QVAL`` per ``QNAM``, from the parent domain's ``supp: true`` variables;
* ADaM BDS: ``AVAL`` and ``AVALC`` per ``PARAMCD``, from the data (``PARAM`` is the description).

Only values present in the data get an entry (define.xml describes the datasets as written); data type,
length and significant digits come from the records of that value alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd

from cdisc_pipe.export.define_model import ItemDef, ItemRef, Origin, RangeCheck, ValueList, WhereClause
from cdisc_pipe.export.define_values import iso_data_type, numeric_data_type, significant_digits, text_length
from cdisc_pipe.export.oids import it_oid, vl_oid, wc_oid

__all__ = ["Slice", "ValueLevel", "build_value_level", "melt_tests", "first_values"]


@dataclass(frozen=True)
class Slice:
    """One value-level entry: the records where ``by`` equals ``value``."""

    value: str
    label: str | None
    origin: Origin | None
    codelist_oid: str | None = None
    method_oid: str | None = None
    comment_oid: str | None = None
    mandatory: bool = False
    iso: bool = False


@dataclass(frozen=True)
class ValueLevel:
    variable: str
    value_list: ValueList
    items: tuple[ItemDef, ...]
    where_clauses: tuple[WhereClause, ...]


def _data_type(values: pd.Series, *, numeric_column: bool, iso: bool) -> tuple[str, int | None, int | None]:
    """(DataType, Length, SignificantDigits) of one slice of a column."""
    if numeric_column:
        data_type = numeric_data_type(values)
        return data_type, 8, significant_digits(values) if data_type == "float" else None
    if iso:
        data_type = iso_data_type(values)
        if data_type != "text":
            return data_type, None, None
    text = values.astype("string")
    text = text[text.notna() & (text.str.len() > 0)]
    numbers = pd.to_numeric(text, errors="coerce")
    if len(text) and numbers.notna().all():
        data_type = numeric_data_type(numbers)
        return data_type, text_length(text), significant_digits(numbers) if data_type == "float" else None
    return "text", text_length(text), None


def build_value_level(dataset: str, *, variable: str, by: str, frame: pd.DataFrame, numeric: bool,
                      slices: Sequence[Slice]) -> ValueLevel | None:
    """The value list of ``dataset.variable`` split by ``by``; None when no slice has data."""
    keys = frame[by].astype("string")
    column = frame[variable]
    items: list[ItemDef] = []
    refs: list[ItemRef] = []
    clauses: list[WhereClause] = []
    for piece in slices:
        values = column[(keys == piece.value).fillna(False).to_numpy()]
        if numeric:
            values = values.dropna()
        else:
            values = values.astype("string")
            values = values[values.notna() & (values.str.len() > 0)]
        if values.empty:
            continue
        data_type, length, digits = _data_type(values, numeric_column=numeric, iso=piece.iso)
        clause = WhereClause(wc_oid(dataset, by, piece.value),
                             (RangeCheck("EQ", it_oid(dataset, by), (piece.value,)),))
        items.append(ItemDef(oid=it_oid(dataset, variable, piece.value), name=variable, data_type=data_type,
                             label=piece.label, length=length, significant_digits=digits,
                             codelist_oid=piece.codelist_oid, origin=piece.origin, comment_oid=piece.comment_oid))
        refs.append(ItemRef(item_oid=items[-1].oid, order=len(refs) + 1, mandatory=piece.mandatory,
                            method_oid=piece.method_oid, where_clause_oid=clause.oid))
        clauses.append(clause)
    if not refs:
        return None
    return ValueLevel(variable, ValueList(vl_oid(dataset, variable), tuple(refs)), tuple(items), tuple(clauses))


def melt_tests(domain) -> list[Mapping]:
    """The test table of a ``melt`` domain, or of every ``melt`` part of a ``stack`` domain, in spec order."""
    sources = [part.source for part in domain.source.parts] if domain.source.kind == "stack" else [domain.source]
    return [test for source in sources if source.kind == "melt" for test in source.tests]


def first_values(frame: pd.DataFrame, key: str, value: str | None = None) -> dict[str, str]:
    """``key`` value -> the first non-empty ``value`` of its records (``key`` itself when ``value`` is None),
    in order of first appearance."""
    keys = frame[key].astype("string")
    keys = keys[keys.notna() & (keys.str.len() > 0)]
    if value is None or value == key:
        return {k: k for k in keys.drop_duplicates()}
    values = frame.loc[keys.index, value].astype("string")
    present = values.notna() & (values.str.len() > 0)
    found = dict(zip(keys[present].drop_duplicates(), values[present][~keys[present].duplicated()]))
    return {k: found.get(k, "") for k in keys.drop_duplicates()}
