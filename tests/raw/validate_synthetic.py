"""A clean raw export of any size, built from the spec alone (vectorised), for validation tests.

Every value is valid for its field: the export validates with no findings. Subjects ``S00001``... are
enrolled except every third, who is a screen failure seen only at screening. Dates are one consent date and
one later date, both before the data cut-off. Used where the shipped export is not needed: the scale test,
and the corruption tests when the shipped export is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.spec.model import Form, FormField, Study

CONSENT = "02 JAN 2020"
LATER = "15 JUN 2020"
LOG_RECORDS = 3


def _value(study: Study, form: Form, field: FormField) -> str:
    if field.type == "date":
        return CONSENT if (form.id, field.name) == study.anchors.consent else LATER
    if field.type == "time":
        return "09:30"
    if field.type == "coded":
        return study.codelist(field.codelist).codes[0]
    if field.type in ("integer", "float"):
        low = field.min if field.min is not None else 0
        high = field.max if field.max is not None else low + 100
        middle = (low + high) / 2
        return str(int(middle)) if field.type == "integer" else f"{middle:g}"
    return "TEXT"[: field.max_length or 4]


def synthetic_frames(study: Study, n_subjects: int) -> dict[str, pd.DataFrame]:
    """One frame of strings per form (without the ROW column), in the file's column order."""
    raw = study.raw
    subjects = np.array([f"S{i:05d}" for i in range(1, n_subjects + 1)], dtype=object)
    enrolled = subjects[np.arange(n_subjects) % 3 != 2]
    failures = subjects[np.arange(n_subjects) % 3 == 2]
    frames = {}
    for form in study.forms:
        names = form.field_names
        scheduled_only = form.enrolled_only or form.id == study.anchors.enrolment[0] or not form.visits
        people = enrolled if scheduled_only else subjects
        if raw.record in form.keys:
            subject = np.repeat(people, LOG_RECORDS)
            record = np.tile(np.arange(1, LOG_RECORDS + 1).astype(str), len(people))
            folder = np.full(len(subject), (form.visits or study.folders)[0], dtype=object)
        elif raw.folder in form.keys:
            subject = np.repeat(enrolled, len(form.visits))
            folder = np.tile(np.array(form.visits, dtype=object), len(enrolled))
            if form.visits[0] == study.folders[0]:  # screen failures are seen at screening only
                subject = np.concatenate([subject, failures])
                folder = np.concatenate([folder, np.full(len(failures), form.visits[0], dtype=object)])
            record = np.full(len(subject), "1", dtype=object)
        else:
            subject = people
            folder = np.full(len(subject), (form.visits or study.folders)[0], dtype=object)
            record = np.full(len(subject), "1", dtype=object)
        columns: dict[str, object] = {}
        for field in form.fields:
            if field.name == raw.subject:
                column = subject
            elif field.name == raw.site:
                column = np.full(len(subject), "01", dtype=object)
            elif field.name == raw.folder:
                column = folder
            elif field.name == raw.record:
                column = record
            else:
                column = np.full(len(subject), _value(study, form, field), dtype=object)
                if field.visits is not None:
                    column = np.where(pd.Series(folder).isin(field.visits).to_numpy(), column, None)
            columns[field.name] = pd.Series(column, dtype="str")
        frames[form.id] = pd.DataFrame(columns)[list(names)]
    return frames


def synthetic_export(study: Study, n_subjects: int) -> RawExport:
    """The synthetic export as a :class:`RawExport`, without going through files."""
    forms = {}
    for form_id, frame in synthetic_frames(study, n_subjects).items():
        form = study.form(form_id)
        with_row = frame.assign(**{ROW: np.arange(1, len(frame) + 1, dtype=np.int64)})
        forms[form_id] = RawForm(form, with_row, form.file)
    return RawExport(source=Path("synthetic"), format="csv", forms=forms)


def write_synthetic_csv(study: Study, n_subjects: int, folder: Path) -> Path:
    """Write the synthetic export as one CSV per form into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for form_id, frame in synthetic_frames(study, n_subjects).items():
        frame.to_csv(folder / study.form(form_id).file, index=False, lineterminator="\n",
                     quoting=csv.QUOTE_MINIMAL)
    return folder
