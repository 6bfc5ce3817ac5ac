"""Checks across forms, hung on the study's anchors (``Study.anchors``), vectorised with joins and ``isin``.

* ``RAW-SUBJECT-NOT-SCREENED`` - a record's subject has no record on the screening form (DM).
* ``RAW-CONSENT-MISSING`` - a screened subject has no record on the consent form.
* ``RAW-BEFORE-CONSENT`` - a record's date (``Form.date_field``) is certainly before the subject's consent
  date: its latest possible day (for a partial date, the end of its month or year) is before the earliest
  possible day of the consent. Nothing is imputed; an uncertain partial date is not flagged.
* ``RAW-NOT-ENROLLED`` - a record of a form marked ``enrolled_only`` (infusions, disposition, survival,
  death) for a screened subject with no record on the enrolment form.
* ``RAW-SITE-INCONSISTENT`` - a record's site differs from the subject's site on the screening form.

A check whose anchor form or column is absent is skipped: the absence is already an error of its own
(``RAW-FORM-MISSING`` / ``RAW-COL-MISSING``). Empty subjects or sites are left to ``RAW-REQUIRED``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.raw.formchecks import DateBounds
from cdisc_pipe.raw.hits import empty_hits, got_text, make_hits
from cdisc_pipe.raw.model import ROW, RawForm
from cdisc_pipe.raw.values import as_arrow, is_in_set, is_missing
from cdisc_pipe.spec.model import Study

__all__ = ["check_cross_form"]


def check_cross_form(raw_forms: dict[str, RawForm], *, study: Study, bounds: DateBounds) -> pd.DataFrame:
    """Hit table of every cross-form rule (see module doc) over the forms present."""
    tables = [
        *_not_screened(raw_forms, study),
        _consent_missing(raw_forms, study),
        *_before_consent(raw_forms, study, bounds),
        *_not_enrolled(raw_forms, study),
        *_site_inconsistent(raw_forms, study),
    ]
    tables = [t for t in tables if not t.empty]
    return pd.concat(tables, ignore_index=True) if tables else empty_hits()


def _present_subjects(raw: RawForm | None, study: Study) -> pd.Series | None:
    """The form's subject column, or None when the form or the column is absent."""
    if raw is None or study.raw.subject not in raw.frame.columns:
        return None
    return raw.frame[study.raw.subject]


def _subject_set(raw: RawForm | None, study: Study) -> tuple[str, ...] | None:
    subjects = _present_subjects(raw, study)
    if subjects is None:
        return None
    return tuple(subjects[~is_missing(subjects)].unique())


def _hits(
    raw: RawForm,
    rule: str,
    positions: np.ndarray,
    *,
    variable: str,
    study: Study,
    expected: str | pd.Series,
    message: pd.Series,
) -> pd.DataFrame:
    """Hit table for the records at ``positions``; ``value`` is the cell of ``variable``, as entered."""
    frame = raw.frame
    subject = study.raw.subject
    return make_hits(
        rule=rule,
        dataset=raw.form.id,
        file=raw.file,
        row=frame[ROW].to_numpy()[positions],
        variable=variable,
        subject=frame[subject].iloc[positions] if subject in frame.columns else None,
        value=frame[variable].iloc[positions],
        expected=expected,
        message=message,
    )


def _positions(keys: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each key in ``index`` (unique string keys), -1 where absent: one Arrow hash lookup."""
    value_set = as_arrow(pd.Series(index.to_numpy(dtype=object), dtype="str"))
    found = pc.index_in(as_arrow(keys), value_set=value_set)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _lookup(keys: pd.Series, table: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``table`` values at ``keys`` (``table`` is indexed by unique subjects): (values, found). Values
    are junk where not found; use them only under ``found``."""
    positions = _positions(keys, table.index)
    found = positions >= 0
    table_values = table.to_numpy()
    if not len(table_values):
        return np.zeros(len(keys), dtype=table_values.dtype), found
    return table_values[np.where(found, positions, 0)], found


def _not_screened(raw_forms: dict[str, RawForm], study: Study) -> list[pd.DataFrame]:
    screening = study.anchors.screening_form
    screened = _subject_set(raw_forms.get(screening), study)
    if screened is None:
        return []
    tables = []
    for form_id, raw in raw_forms.items():
        subjects = _present_subjects(raw, study)
        if form_id == screening or subjects is None:
            continue
        positions = np.flatnonzero(~is_missing(subjects) & ~is_in_set(subjects, screened))
        if len(positions):
            values = subjects.iloc[positions]
            message = (
                f"`{form_id}.{study.raw.subject}` must be a subject of the screening form {screening} (got "
                + got_text(values) + ")"
            )
            tables.append(
                _hits(raw, "RAW-SUBJECT-NOT-SCREENED", positions, variable=study.raw.subject, study=study,
                      expected=f"a subject in {screening}", message=message)
            )
    return tables


def _consent_missing(raw_forms: dict[str, RawForm], study: Study) -> pd.DataFrame:
    screening, (consent_form, _) = study.anchors.screening_form, study.anchors.consent
    dm = raw_forms.get(screening)
    subjects = _present_subjects(dm, study)
    consented = _subject_set(raw_forms.get(consent_form), study)
    if subjects is None or consented is None or dm is None:
        return empty_hits()
    positions = np.flatnonzero(~is_missing(subjects) & ~is_in_set(subjects, consented))
    if not len(positions):
        return empty_hits()
    values = subjects.iloc[positions]
    message = (
        f"`{screening}.{study.raw.subject}` must have an informed-consent record in {consent_form} (got "
        + got_text(values) + ", which has none)"
    )
    return _hits(dm, "RAW-CONSENT-MISSING", positions, variable=study.raw.subject, study=study,
                 expected=f"a record in {consent_form}", message=message)


def _consent_dates(raw_forms: dict[str, RawForm], study: Study, bounds: DateBounds) -> pd.DataFrame | None:
    """Per subject: the earliest possible day of consent and the consent date as entered."""
    consent_form, consent_field = study.anchors.consent
    raw = raw_forms.get(consent_form)
    parsed = bounds.get((consent_form, consent_field))
    if raw is None or parsed is None or study.raw.subject not in raw.frame.columns:
        return None
    table = pd.DataFrame(
        {
            "subject": raw.frame[study.raw.subject].to_numpy(),
            "earliest": parsed["earliest"].to_numpy(),
            "entered": raw.frame[consent_field].to_numpy(),
        }
    ).dropna(subset=["subject", "earliest"])
    table = table.sort_values("earliest", kind="stable").drop_duplicates("subject", keep="first")
    return table.set_index("subject")


def _before_consent(raw_forms: dict[str, RawForm], study: Study, bounds: DateBounds) -> list[pd.DataFrame]:
    consent = _consent_dates(raw_forms, study, bounds)
    if consent is None:
        return []
    consent_form, consent_field = study.anchors.consent
    tables = []
    for form_id, raw in raw_forms.items():
        field = raw.form.date_field
        subjects = _present_subjects(raw, study)
        parsed = bounds.get((form_id, field)) if field else None
        if form_id == consent_form or parsed is None or subjects is None:
            continue
        consent_day, found = _lookup(subjects, consent["earliest"])
        latest = parsed["latest"].to_numpy()
        before = found & (latest < consent_day)  # NaT compares False: unparsable dates are never "before"
        positions = np.flatnonzero(before)
        if not len(positions):
            continue
        values = raw.frame[field].iloc[positions]
        entered, _ = _lookup(subjects.iloc[positions], consent["entered"])
        consented = pd.Series(entered, index=values.index, dtype="str")
        side = f"{consent_form}.{consent_field} "
        message = (
            f"`{form_id}.{field}` must be on or after the subject's informed consent ({side}'" + consented
            + "') (got " + got_text(values) + ")"
        )
        tables.append(
            _hits(raw, "RAW-BEFORE-CONSENT", positions, variable=field, study=study,
                  expected="on or after " + consented, message=message)
        )
    return tables


def _not_enrolled(raw_forms: dict[str, RawForm], study: Study) -> list[pd.DataFrame]:
    enrolment_form, _ = study.anchors.enrolment
    enrolled = _subject_set(raw_forms.get(enrolment_form), study)
    screened = _subject_set(raw_forms.get(study.anchors.screening_form), study)
    if enrolled is None:
        return []
    tables = []
    for form_id, raw in raw_forms.items():
        subjects = _present_subjects(raw, study)
        if not raw.form.enrolled_only or subjects is None:
            continue
        # A subject who was never screened is reported as such, not a second time as not enrolled.
        known = is_in_set(subjects, screened) if screened is not None else ~is_missing(subjects)
        positions = np.flatnonzero(known & ~is_in_set(subjects, enrolled))
        if len(positions):
            values = subjects.iloc[positions]
            message = (
                f"`{form_id}.{study.raw.subject}` must be an enrolled subject (with a record in {enrolment_form}) "
                f"for {form_id} (got " + got_text(values) + ")"
            )
            tables.append(
                _hits(raw, "RAW-NOT-ENROLLED", positions, variable=study.raw.subject, study=study,
                      expected=f"a subject in {enrolment_form}", message=message)
            )
    return tables


def _site_inconsistent(raw_forms: dict[str, RawForm], study: Study) -> list[pd.DataFrame]:
    screening = study.anchors.screening_form
    dm = raw_forms.get(screening)
    site, subject = study.raw.site, study.raw.subject
    if dm is None or site not in dm.frame.columns or subject not in dm.frame.columns:
        return []
    reference = dm.frame[[subject, site, ROW]].dropna(subset=[subject, site]).drop_duplicates(subject)
    reference = reference.set_index(subject)
    if reference.empty:
        return []
    tables = []
    for form_id, raw in raw_forms.items():
        frame = raw.frame
        if form_id == screening or site not in frame.columns or subject not in frame.columns:
            continue
        at = _positions(frame[subject], reference.index)
        found = at >= 0
        expected_site = pc.take(as_arrow(reference[site]), pa.array(np.where(found, at, 0)))
        same = pc.fill_null(pc.equal(as_arrow(frame[site]), expected_site), True).to_numpy(zero_copy_only=False)
        positions = np.flatnonzero(found & ~is_missing(frame[site]) & ~same)
        if not len(positions):
            continue
        values = frame[site].iloc[positions]
        dm_site = pd.Series(expected_site.take(pa.array(positions)), index=values.index, dtype="str")
        dm_rows, _ = _lookup(frame[subject].iloc[positions], reference[ROW])
        dm_row = pd.Series(dm_rows, index=values.index).astype("int64").astype("str")
        message = (
            f"`{form_id}.{site}` must be the subject's site on {screening} ('" + dm_site + f"', {dm.file} row "
            + dm_row + ") (got " + got_text(values) + ")"
        )
        tables.append(
            _hits(raw, "RAW-SITE-INCONSISTENT", positions, variable=site, study=study,
                  expected="'" + dm_site + "'", message=message)
        )
    return tables
