"""``validate_raw``: every check of a raw export against the study spec, as one :class:`Report`.

Order of work, per form in spec order:

1. ``RAW-FORM-MISSING`` when the form has no file;
2. the form's pandera schema (:mod:`cdisc_pipe.raw.schema`), validated lazily: column presence
   (``RAW-COL-MISSING``, ``RAW-COL-EXTRA``) and every value rule of every column
   (:mod:`cdisc_pipe.raw.fieldcheck`), read back from pandera's failure-case table;
3. record-level rules within the form (:mod:`cdisc_pipe.raw.formchecks`);

then the rules across forms (:mod:`cdisc_pipe.raw.crossform`). Findings are sorted by form, source row,
field and rule, so the same export always gives the same report. Rule ids and messages: ``docs/errors.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdisc_pipe.errors import Report
from cdisc_pipe.raw.crossform import check_cross_form
from cdisc_pipe.raw.formchecks import check_form_records, date_bounds
from cdisc_pipe.raw.hits import empty_hits, hits_to_findings, make_hits, must_messages, sort_hits
from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.raw.schema import FormSchema, build_form_schema, validate_frame
from cdisc_pipe.spec.model import Form, Study

__all__ = ["validate_raw"]


def validate_raw(export: RawExport, study: Study) -> Report:
    """Validate ``export`` against ``study``; every problem becomes a finding, nothing is raised for bad data.

    Raises ``ValueError`` only for misuse: a form frame without the :data:`~cdisc_pipe.raw.model.ROW`
    column or with empty source rows, or a form id the study does not declare.
    """
    _assert_export(export, study)
    present = {form.id: export.forms[form.id] for form in study.forms if form.id in export.forms}
    bounds = date_bounds(present, study)
    tables = []
    for form in study.forms:
        raw = present.get(form.id)
        if raw is None:
            tables.append(_form_missing(form))
            continue
        tables.append(_schema_hits(raw, build_form_schema(form, study=study), study))
        tables.append(check_form_records(raw, study=study, bounds=bounds))
    tables.append(check_cross_form(present, study=study, bounds=bounds))
    tables.extend(_unclaimed(name) for name in export.unclaimed_files)
    tables = [t for t in tables if not t.empty]
    table = pd.concat(tables, ignore_index=True) if tables else empty_hits()
    return Report(hits_to_findings(sort_hits(table, study)))


def _assert_export(export: RawExport, study: Study) -> None:
    known = {form.id for form in study.forms}
    unknown = sorted(set(export.forms) - known)
    if unknown:
        raise ValueError(f"`export.forms` must be keyed by form ids of study '{study.studyid}' (got {unknown})")
    for form_id, raw in export.forms.items():
        if ROW not in raw.frame.columns or raw.frame[ROW].isna().any():
            raise ValueError(f"`export.forms['{form_id}'].frame` must hold a complete '{ROW}' column")


def _form_missing(form: Form) -> pd.DataFrame:
    return make_hits(
        rule="RAW-FORM-MISSING",
        dataset=form.id,
        file=form.file,
        expected=f"a file {form.file}",
        message=f"`{form.id}` must be present in the export as {form.file} (got no such file)",
    )


def _unclaimed(name: str) -> pd.DataFrame:
    return make_hits(
        rule="RAW-FILE-UNCLAIMED",
        file=name,
        value=name,
        expected="a file named by a form of the spec",
        message=f"`{name}` must be claimed by a form of the spec (got a file no form reads)",
    )


def _schema_hits(raw: RawForm, form_schema: FormSchema, study: Study) -> pd.DataFrame:
    """Findings from pandera's failure cases: missing and extra columns, then every failing value."""
    cases = validate_frame(raw.frame, form_schema)
    if cases.empty:
        return empty_hits()
    form_id = raw.form.id
    tables = []
    missing = cases.loc[cases["check"] == "column_in_dataframe", "failure_case"].astype("str")
    missing = pd.Series(sorted(set(missing) | set(raw.missing_columns)), dtype="str")
    if len(missing):
        tables.append(
            make_hits(
                rule="RAW-COL-MISSING",
                dataset=form_id,
                file=raw.file,
                variable=missing,
                expected="a column " + missing,
                message="`" + form_id + "." + missing + f"` must be a column of {raw.file} (got no such column)",
            )
        )
    extra = cases.loc[cases["check"] == "column_in_schema", "failure_case"].astype("str")
    if len(extra):
        extra = extra.reset_index(drop=True)
        tables.append(
            make_hits(
                rule="RAW-COL-EXTRA",
                dataset=form_id,
                file=raw.file,
                variable=extra,
                expected="only the columns of the form spec",
                message=f"`{form_id}` columns must be declared in the form spec (got undeclared column '"
                + extra + "')",
            )
        )
    values = cases[(cases["schema_context"] == "Column") & cases["index"].notna()]
    for column, group in values.groupby("column", sort=False):
        tables.append(_value_hits(raw, form_schema, str(column), group["index"].astype("int64").to_numpy(), study))
    return pd.concat(tables, ignore_index=True) if tables else empty_hits()


def _value_hits(
    raw: RawForm, form_schema: FormSchema, column: str, positions: np.ndarray, study: Study
) -> pd.DataFrame:
    check = form_schema.field_checks[column]
    positions = np.sort(positions)
    values = raw.frame[column].iloc[positions]
    rules = pd.Series(check.rules_broken(values), index=values.index)
    expected = rules.map({e.rule: e.expected for e in check.expectations})
    phrases = rules.map({e.rule: e.phrase for e in check.expectations})
    subject = study.raw.subject
    return make_hits(
        rule=rules,
        dataset=raw.form.id,
        file=raw.file,
        row=raw.frame[ROW].to_numpy()[positions],
        variable=column,
        subject=raw.frame[subject].iloc[positions] if subject in raw.frame.columns else None,
        value=values,
        expected=expected,
        message=must_messages(raw.form.id, column, phrases, values),
    )
