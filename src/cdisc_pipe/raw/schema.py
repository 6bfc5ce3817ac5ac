"""pandera schemas built from the form specs - never written by hand per form.

:func:`build_form_schema` turns one :class:`~cdisc_pipe.spec.model.Form` into a
``pandera.DataFrameSchema`` over the raw frame of strings:

* one ``Column`` per spec field, ``required=True`` (a missing column is pandera's ``column_in_dataframe``
  failure, reported as ``RAW-COL-MISSING``), ``nullable=True`` (emptiness is a rule of its own,
  ``RAW-REQUIRED``), no dtype (raw values are strings as entered; their *content* is what is checked);
* on each column, one fused vectorised ``Check`` (:class:`~cdisc_pipe.raw.fieldcheck.FieldCheck`) named
  after the rules it enforces, e.g. ``RAW-TYPE-FLOAT/RAW-RANGE``;
* the source-row column :data:`~cdisc_pipe.raw.model.ROW`;
* ``strict=True``, so a column the spec does not declare is pandera's ``column_in_schema`` failure,
  reported as ``RAW-COL-EXTRA``.

The CDISC-side description of each field travels in ``Column.metadata``. Record-level rules (keys, per-field
schedules, record counts) are in :mod:`cdisc_pipe.raw.formchecks`; rules across forms in
:mod:`cdisc_pipe.raw.crossform`. Validate with :func:`validate_frame`, which is always lazy.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from cdisc_pipe.raw.fieldcheck import FieldCheck, build_field_check
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.spec.model import Form, Study

__all__ = ["FormSchema", "build_form_schema", "validate_frame"]

_FAILURE_COLUMNS = ["schema_context", "column", "check", "check_number", "failure_case", "index"]


@dataclass(frozen=True)
class FormSchema:
    """The pandera schema of one form and the :class:`FieldCheck` behind each column's check."""

    form: Form
    schema: pa.DataFrameSchema
    field_checks: dict[str, FieldCheck]


def build_form_schema(form: Form, *, study: Study) -> FormSchema:
    """The schema the spec implies for ``form``: columns, their checks, and strictness (see module doc)."""
    columns: dict[str, pa.Column] = {}
    field_checks: dict[str, FieldCheck] = {}
    for field in form.fields:
        field_check = build_field_check(form, field, study=study)
        field_checks[field.name] = field_check
        checks = []
        if field_check.expectations:
            checks.append(pa.Check(field_check.passes, name="/".join(field_check.rules), ignore_na=False))
        columns[field.name] = pa.Column(
            None,
            checks=checks,
            nullable=True,
            required=True,
            title=field.label,
            metadata={
                "form": form.id,
                "type": field.type,
                "required": field.required,
                "codelist": field.codelist,
                "unit": field.unit,
                "visits": field.visits,
                "identifier": field.identifier,
            },
        )
    columns[ROW] = pa.Column(None, nullable=False, required=True, title="Source row (1-based)")
    schema = pa.DataFrameSchema(
        columns,
        name=form.id,
        title=form.name,
        strict=True,
        ordered=False,
        metadata={"file": form.file, "keys": form.keys, "visits": form.visits},
    )
    return FormSchema(form=form, schema=schema, field_checks=field_checks)


def validate_frame(frame: pd.DataFrame, form_schema: FormSchema) -> pd.DataFrame:
    """Validate ``frame`` lazily; pandera's failure-case table (empty when the frame passes).

    ``index`` in the table is the 0-based position of the record in ``frame``. A check that could not run
    (which would be a defect here, not a data problem) raises ``RuntimeError`` rather than being reported as
    if the data were wrong.
    """
    positional = frame if _is_positional(frame.index) else frame.reset_index(drop=True)
    try:
        form_schema.schema.validate(positional, lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
    else:
        return pd.DataFrame(columns=_FAILURE_COLUMNS)
    broken = cases[(cases["schema_context"] == "Column") & cases["index"].isna()]
    if not broken.empty:
        first = broken.iloc[0]
        raise RuntimeError(
            f"check '{first['check']}' on `{form_schema.form.id}.{first['column']}` could not run "
            f"(got {first['failure_case']})"
        )
    return cases[_FAILURE_COLUMNS].reset_index(drop=True)


def _is_positional(index: pd.Index) -> bool:
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
