"""Subject-level mapping algorithms: values taken from other forms, one per subject.

These fill DM's reference dates, arm, age and flags, but any domain may use them. Each computes one value per
subject over a whole form (vectorised) and joins it onto the working frame by the raw subject column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.errors import Finding, Severity
from cdisc_pipe.raw.dates import parse_edc_dates, parse_edc_times
from cdisc_pipe.sdtm.algorithms import Algorithm, text_column
from cdisc_pipe.sdtm.derivations import compute_iso_date
from cdisc_pipe.spec.sdtm_model import SdtmVariable

if TYPE_CHECKING:
    from cdisc_pipe.sdtm.context import MapContext

__all__ = ["SUBJECT_ALGORITHMS", "compute_age"]


def _form_frame(context: "MapContext", form_id: str) -> pd.DataFrame | None:
    export = context.export
    if export is None or form_id not in export.forms:
        return None
    return export.forms[form_id].frame


def _iso(frame: pd.DataFrame, source: Mapping[str, Any], context: "MapContext") -> pd.Series:
    """Complete ISO dates (with time when given and valid) of ``source['date']`` in ``frame``; else null."""
    conventions = context.study.raw
    parsed = parse_edc_dates(text_column(frame[source["date"]]), conventions=conventions, allow_partial=True)
    iso = parsed["iso"].astype("string")
    iso = iso.where(iso.str.len() == 10)
    if source.get("time"):
        times = parse_edc_times(text_column(frame[source["time"]]), conventions=conventions)["iso"].astype("string")
        iso = iso.where(times.isna() | iso.isna(), iso + "T" + times)
    return iso


def _per_subject(dataset: pd.DataFrame, context: "MapContext", values: pd.Series) -> pd.Series:
    """Join a Series indexed by raw subject onto the working frame's records."""
    subject = text_column(dataset[context.study.raw.subject])
    return subject.map(values).astype(values.dtype if len(values) else "string")


def _extreme_date(dataset: pd.DataFrame, variable: SdtmVariable, context: "MapContext", *, last: bool) -> pd.Series:
    sources: Iterable[Mapping[str, Any]] = variable.arg("sources")
    subject_col = context.study.raw.subject
    pieces = []
    for source in sources:
        frame = _form_frame(context, source["form"])
        if frame is None or len(frame) == 0:
            continue
        pieces.append(pd.DataFrame({"subject": text_column(frame[subject_col]), "iso": _iso(frame, source, context)}))
    if not pieces:
        return pd.Series(pd.NA, index=dataset.index, dtype="string")
    both = pd.concat(pieces, ignore_index=True).dropna(subset=["iso"])
    # ISO 8601 text of complete dates orders chronologically; a date-time sorts after its own date
    both = both.sort_values(["subject", "iso"], kind="stable")
    picked = both.drop_duplicates("subject", keep="last" if last else "first").set_index("subject")["iso"]
    return _per_subject(dataset, context, picked.astype("string"))


def map_first_date(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The subject's earliest complete date (with time where given) over ``sources`` ([{form, date, time}]);
    e.g. RFSTDTC/RFXSTDTC = first infusion."""
    return _extreme_date(dataset, variable, context, last=False)


def map_last_date(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The subject's latest complete date over ``sources``; e.g. RFXENDTC = last infusion, RFPENDTC = the
    last date of any contact."""
    return _extreme_date(dataset, variable, context, last=True)


def map_lookup(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """A value from another form with at most one record per subject (``form``, ``field``), mapped by
    ``as``: ``text`` (as entered), ``code`` (recoded with the field's codelist) or ``date`` (ISO 8601)."""
    frame = _form_frame(context, variable.arg("form"))
    if frame is None:
        return pd.Series(pd.NA, index=dataset.index, dtype="string")
    subject = text_column(frame[context.study.raw.subject])
    kind = variable.arg("as", "text")
    field = variable.arg("field")
    if kind == "date":
        parsed = parse_edc_dates(text_column(frame[field]), conventions=context.study.raw, allow_partial=True)
        values = parsed["iso"].astype("string")
    elif kind == "code":
        codelist = context.study.form(variable.arg("form")).field(field).codelist
        values = text_column(frame[field]).map(context.study.codelist(codelist).decode_map()).astype("string")
    else:
        values = text_column(frame[field])
    table = pd.Series(values.to_numpy(), index=subject.to_numpy()).astype("string")
    table = table[~table.index.duplicated(keep="first")]
    return _per_subject(dataset, context, table)


def map_arm(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """ARMCD (``attribute: armcd``) or ARM (``arm``) of the arm the enrolment form assigned; subjects never
    assigned get ``unassigned``, or null when that argument is absent (SDTMIG 3.4: null, with ARMNRS).

    With ``treated_form`` (e.g. EX) the value is the *actual* arm (ACTARMCD/ACTARM): only subjects with a
    record in that form get it; an open-label study treats subjects with the dose of their assigned arm."""
    form_id, field = context.study.anchors.enrolment
    frame = _form_frame(context, form_id)
    attribute = variable.arg("attribute", "armcd")
    by_code = {arm.code: getattr(arm, attribute) for arm in context.study.arms}
    if frame is None:
        assigned = pd.Series(dtype="string")
    else:
        codes = text_column(frame[field])
        assigned = pd.Series(codes.map(by_code).to_numpy(),
                             index=text_column(frame[context.study.raw.subject]).to_numpy()).astype("string")
        assigned = assigned[~assigned.index.duplicated(keep="first")]
    values = _per_subject(dataset, context, assigned)
    treated_form = variable.arg("treated_form")
    if treated_form is not None:
        treated = _form_frame(context, treated_form)
        treated_subjects = set() if treated is None else set(text_column(treated[context.study.raw.subject]).dropna())
        values = values.where(text_column(dataset[context.study.raw.subject]).isin(treated_subjects))
    unassigned = variable.arg("unassigned")
    return values.fillna(unassigned) if unassigned is not None else values


def map_flag_exists(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """``value`` (default "Y") for subjects with a record in ``form``, else ``otherwise`` (default null);
    e.g. DTHFL from the death report."""
    frame = _form_frame(context, variable.arg("form"))
    present = set() if frame is None else set(text_column(frame[context.study.raw.subject]).dropna())
    subject = text_column(dataset[context.study.raw.subject])
    flag = pd.Series(np.where(subject.isin(present), variable.arg("value", "Y"), None), index=dataset.index)
    otherwise = variable.arg("otherwise")
    return flag.astype("string").where(subject.isin(present), otherwise)


def compute_age(birth_earliest: pd.Series, birth_latest: pd.Series, reference: pd.Series) -> pd.Series:
    """Completed years from birth to ``reference``; null when the earliest and latest possible birth dates
    (a partial birth date) give different ages, or either date is missing."""

    def years(birth: pd.Series) -> pd.Series:
        b, r = birth, reference
        had_birthday = (r.dt.month > b.dt.month) | ((r.dt.month == b.dt.month) & (r.dt.day >= b.dt.day))
        return (r.dt.year - b.dt.year - (~had_birthday).astype("int64")).astype("Int64")

    low, high = years(birth_latest), years(birth_earliest)
    return low.where(low == high)


def map_age(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """AGE in completed years at the ISO date in working variable ``reference`` (e.g. RFICDTC), from the raw
    birth date ``field``. A partial birth date gives an age only when every possible birth date agrees; when
    they do not, AGE is null and a warning says why (never a guessed day)."""
    parsed = parse_edc_dates(text_column(dataset[variable.arg("field")]), conventions=context.study.raw,
                             allow_partial=True)
    earliest = pd.to_datetime(parsed["earliest"], errors="coerce")
    latest = pd.to_datetime(parsed["latest"], errors="coerce")
    reference = pd.to_datetime(compute_iso_date(dataset[variable.arg("reference")]))
    age = compute_age(earliest.set_axis(dataset.index), latest.set_axis(dataset.index),
                      reference.set_axis(dataset.index))
    undetermined = age.isna() & earliest.notna().to_numpy() & reference.notna()
    for index in dataset.index[undetermined.to_numpy()]:
        context.findings.append(Finding(
            stage="sdtm", rule="SDTM-AGE-UNDETERMINED", severity=Severity.WARNING, dataset=context.domain.name,
            variable=variable.name, subject=str(dataset.at[index, context.study.raw.subject]),
            value=str(dataset.at[index, variable.arg("field")]),
            message=f"`{context.domain.name}.{variable.name}` must be determined by the birth date (got a partial "
                    f"date whose possible days give different ages)",
        ))
    return age.astype("float64")


SUBJECT_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("first_date", map_first_date, frozenset({"sources"})),
    Algorithm("last_date", map_last_date, frozenset({"sources"})),
    Algorithm("lookup", map_lookup, frozenset({"form", "field"}), frozenset({"as"})),
    Algorithm("arm", map_arm, frozenset(), frozenset({"attribute", "unassigned", "treated_form"})),
    Algorithm("flag_exists", map_flag_exists, frozenset({"form"}), frozenset({"value", "otherwise"})),
    Algorithm("age", map_age, frozenset({"field", "reference"})),
)
