"""Record-level checks within one form, vectorised over the form's frame.

* ``RAW-KEY-DUPLICATE`` - two records share the form's key (``Form.keys``); every record after the first
  is reported, naming the row of the first. Skipped when a key column is absent (``RAW-COL-MISSING``);
  records with an empty key part are left to ``RAW-REQUIRED``.
* ``RAW-RECORDS-EXCEEDED`` - a subject has more records than ``Form.max_records_per_subject``; the records
  past the limit (in file order) are reported.
* ``RAW-REQUIRED`` (per folder) - a required field collected only at some folders (``FormField.visits``)
  is empty at one of those folders.
* ``RAW-FIELD-NOT-SCHEDULED`` (warning) - a field collected only at some folders holds a value at another
  folder (e.g. height recorded at day 29 when it is collected at screening only).
* ``RAW-DATE-AFTER-CUTOFF`` (warning) - a date that is certainly after the study's data cut-off (for a
  partial date: its earliest possible day is after it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdisc_pipe.raw.dates import compute_date_bounds
from cdisc_pipe.raw.fieldcheck import list_values
from cdisc_pipe.raw.hits import empty_hits, got_text, make_hits, must_messages
from cdisc_pipe.raw.model import ROW, RawForm
from cdisc_pipe.raw.values import is_in_set, is_missing
from cdisc_pipe.spec.model import Study

__all__ = ["DateBounds", "date_bounds", "check_form_records"]

#: (form id, field name) -> frame with ``earliest``/``latest`` per record (see ``compute_date_bounds``).
DateBounds = dict[tuple[str, str], pd.DataFrame]


def date_bounds(raw_forms: dict[str, RawForm], study: Study) -> DateBounds:
    """Parse every date column present once; shared by the cut-off and the consent checks."""
    bounds: DateBounds = {}
    for form_id, raw in raw_forms.items():
        for field in raw.form.fields:
            if field.type == "date" and field.name in raw.frame.columns:
                bounds[(form_id, field.name)] = compute_date_bounds(raw.frame[field.name], conventions=study.raw)
    return bounds


def check_form_records(raw: RawForm, *, study: Study, bounds: DateBounds) -> pd.DataFrame:
    """Hit table of the record-level rules of this module for one form."""
    tables = [
        _key_duplicates(raw, study),
        _records_exceeded(raw, study),
        *_field_schedule(raw, study),
        _after_cutoff(raw, study, bounds),
    ]
    tables = [t for t in tables if not t.empty]
    return pd.concat(tables, ignore_index=True) if tables else empty_hits()


def _subjects(raw: RawForm, study: Study, positions: np.ndarray) -> np.ndarray | None:
    column = study.raw.subject
    if column not in raw.frame.columns:
        return None
    return raw.frame[column].to_numpy(dtype=object, na_value=None)[positions]


def _key_duplicates(raw: RawForm, study: Study) -> pd.DataFrame:
    keys = list(raw.form.keys)
    frame = raw.frame
    if not keys or any(k not in frame.columns for k in keys):
        return empty_hits()
    complete = ~np.logical_or.reduce([is_missing(frame[k]) for k in keys])
    repeated = frame.duplicated(subset=keys, keep="first").to_numpy() & complete
    if not repeated.any():
        return empty_hits()
    first_row = frame.groupby(keys, sort=False, dropna=False)[ROW].transform("first").to_numpy()
    positions = np.flatnonzero(repeated)
    key_values = frame[keys[0]].astype("str").iloc[positions]
    for k in keys[1:]:
        key_values = key_values + ", " + frame[k].astype("str").iloc[positions]
    variable = ", ".join(keys)
    firsts = pd.Series(first_row[positions], index=key_values.index).astype("str")
    message = (
        f"`{raw.form.id}` key ({variable}) must be unique (got "
        + got_text(key_values) + ", also at row " + firsts + ")"
    )
    return make_hits(
        rule="RAW-KEY-DUPLICATE",
        dataset=raw.form.id,
        file=raw.file,
        row=frame[ROW].to_numpy()[positions],
        variable=variable,
        subject=_subjects(raw, study, positions),
        value=key_values,
        expected=f"a unique {variable}",
        message=message,
    )


def _records_exceeded(raw: RawForm, study: Study) -> pd.DataFrame:
    limit = raw.form.max_records_per_subject
    subject = study.raw.subject
    if limit is None or subject not in raw.frame.columns:
        return empty_hits()
    subjects = raw.frame[subject]
    ordinal = subjects.groupby(subjects, sort=False, dropna=True).cumcount().reindex(subjects.index)
    positions = np.flatnonzero((ordinal >= limit).to_numpy(dtype=bool, na_value=False))
    if not len(positions):
        return empty_hits()
    values = subjects.iloc[positions]
    counts = (ordinal.iloc[positions] + 1).astype("int64").astype("str")
    message = (
        f"`{raw.form.id}` must hold at most {limit} records per subject (got record " + counts + " for subject "
        + got_text(values) + ")"
    )
    return make_hits(
        rule="RAW-RECORDS-EXCEEDED",
        dataset=raw.form.id,
        file=raw.file,
        row=raw.frame[ROW].to_numpy()[positions],
        variable=subject,
        subject=values,
        value=values,
        expected=f"at most {limit} records per subject",
        message=message,
    )


def _field_schedule(raw: RawForm, study: Study) -> list[pd.DataFrame]:
    frame, folder = raw.frame, study.raw.folder
    if folder not in frame.columns:
        return []
    folder_known = ~is_missing(frame[folder])
    tables = []
    for field in raw.form.fields:
        if field.visits is None or field.name not in frame.columns:
            continue
        scheduled = is_in_set(frame[folder], field.visits)
        missing = is_missing(frame[field.name])
        where = list_values(field.visits)
        if field.required:
            positions = np.flatnonzero(missing & scheduled)
            values = frame[field.name].iloc[positions]
            tables.append(
                make_hits(
                    rule="RAW-REQUIRED",
                    dataset=raw.form.id,
                    file=raw.file,
                    row=frame[ROW].to_numpy()[positions],
                    variable=field.name,
                    subject=_subjects(raw, study, positions),
                    value=values,
                    expected=f"a value at folder {where}",
                    message=must_messages(raw.form.id, field.name, f"entered at folder {where}", values),
                )
            )
        positions = np.flatnonzero(~missing & folder_known & ~scheduled)
        values = frame[field.name].iloc[positions]
        at = frame[folder].iloc[positions].astype("str")
        message = (
            f"`{raw.form.id}.{field.name}` must be empty outside folder {where} (got "
            + got_text(values) + " at folder '" + at + "')"
        )
        tables.append(
            make_hits(
                rule="RAW-FIELD-NOT-SCHEDULED",
                dataset=raw.form.id,
                file=raw.file,
                row=frame[ROW].to_numpy()[positions],
                variable=field.name,
                subject=_subjects(raw, study, positions),
                value=values,
                expected=f"empty outside folder {where}",
                message=message,
            )
        )
    return [t for t in tables if not t.empty]


def _after_cutoff(raw: RawForm, study: Study, bounds: DateBounds) -> pd.DataFrame:
    if study.data_cutoff is None:
        return empty_hits()
    cutoff = np.datetime64(study.data_cutoff, "s")
    tables = []
    for field in raw.form.fields:
        parsed = bounds.get((raw.form.id, field.name))
        if parsed is None:
            continue
        positions = np.flatnonzero((parsed["earliest"] > cutoff).to_numpy())
        if not len(positions):
            continue
        values = raw.frame[field.name].iloc[positions]
        phrase = f"on or before the data cut-off {study.data_cutoff}"
        tables.append(
            make_hits(
                rule="RAW-DATE-AFTER-CUTOFF",
                dataset=raw.form.id,
                file=raw.file,
                row=raw.frame[ROW].to_numpy()[positions],
                variable=field.name,
                subject=_subjects(raw, study, positions),
                value=values,
                expected=phrase,
                message=must_messages(raw.form.id, field.name, phrase, values),
            )
        )
    return pd.concat(tables, ignore_index=True) if tables else empty_hits()
