"""Mapping algorithms of the subject-status domains: DS, IE, SV, SS, DD (see :mod:`cdisc_pipe.sdtm.registry`).

* ``criterion`` — IETEST, IECAT, IEORRES/IESTRESC of an eligibility criterion not met, from the criteria of
  ``study.yaml`` (the same ones TI lists), keyed by the raw criterion code.
* ``verbatim_or_ct`` — DSTERM: the verbatim reason where the CRF has one, else the submission value of the
  coded status (a completed subject has no verbatim; DSTERM is required).

Both are vectorised (dictionary lookups over whole columns) and never modify the working frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cdisc_pipe.errors import Finding, Severity
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.sdtm.algorithms import FILE, Algorithm, source_column
from cdisc_pipe.spec.sdtm_model import SdtmVariable

if TYPE_CHECKING:
    from cdisc_pipe.sdtm.context import MapContext

__all__ = ["STATUS_ALGORITHMS", "NOT_MET_RESULT", "map_criterion", "map_verbatim_or_ct"]

#: IEORRES/IESTRESC of a criterion not met (SDTMIG 3.4 IE; CDISC CORE-000001): an inclusion criterion not met
#: is answered "N", an exclusion criterion met (so the subject is excluded) "Y".
NOT_MET_RESULT = {"INCLUSION": "N", "EXCLUSION": "Y"}

CRITERION_ATTRIBUTES = ("text", "category", "result")


def map_criterion(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """An attribute of the eligibility criterion whose code is in raw ``field`` (e.g. IE.IECRIT), from
    ``study.yaml`` ``criteria``: ``attribute: text`` (IETEST), ``category`` (IECAT: INCLUSION/EXCLUSION) or
    ``result`` (IEORRES/IESTRESC of a criterion not met: "N" for an inclusion, "Y" for an exclusion).

    A code that names no criterion gives null and a finding (SDTM-CRITERION-UNKNOWN).
    """
    attribute = variable.arg("attribute", "text")
    if attribute not in CRITERION_ATTRIBUTES:
        raise ValueError(f"`{context.domain.name}.{variable.name}` args.attribute must be one of "
                         f"{list(CRITERION_ATTRIBUTES)} (got {attribute!r})")
    name = variable.arg("field")
    codes = source_column(dataset, name, context, variable)
    criteria = context.study.criteria
    if attribute == "text":
        lookup = {c.id: c.text for c in criteria}
    elif attribute == "category":
        lookup = {c.id: c.category for c in criteria}
    else:
        lookup = {c.id: NOT_MET_RESULT[c.category] for c in criteria}
    values = codes.map(lookup).astype("string")
    unknown = codes.notna() & values.isna()
    if unknown.any():
        _problem_unknown_criterion(dataset, variable, context, name, unknown)
    return values


def _problem_unknown_criterion(dataset: pd.DataFrame, variable: SdtmVariable, context: "MapContext", name: str,
                               mask: pd.Series) -> None:
    known = ", ".join(c.id for c in context.study.criteria)
    rows = dataset.loc[mask]
    none = pd.Series(None, index=rows.index, dtype="object")
    subject = context.study.raw.subject
    for file, row, subj, value in zip(rows.get(FILE, none), rows.get(ROW, none), rows.get(subject, none), rows[name]):
        context.findings.append(Finding(
            stage="sdtm", rule="SDTM-CRITERION-UNKNOWN", severity=Severity.ERROR, dataset=context.domain.name,
            file=file, row=None if pd.isna(row) else int(row), variable=variable.name, subject=subj, value=value,
            expected=f"a criterion of study.yaml criteria: {known}",
            message=(f"`{context.domain.name}.{variable.name}` must come from a criterion of study.yaml "
                     f"`criteria` (got '{value}' in {name})"),
        ))


def map_verbatim_or_ct(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The verbatim text of raw ``field`` where entered, else the CDISC submission value of the coded raw
    ``code_field`` (its own codelist, or ``codelist``); e.g. DSTERM = DS.DSTERM, or "COMPLETED".

    A code outside the codelist on a record without a verbatim is a finding (SDTM-CT-UNMAPPED) and null.
    """
    verbatim = source_column(dataset, variable.arg("field"), context, variable)
    code_field = variable.arg("code_field")
    codes = source_column(dataset, code_field, context, variable)
    codelist_id = variable.arg("codelist") or context.field_codelist(code_field)
    decoded = codes.map(context.study.codelist(codelist_id).decode_map()).astype("string")
    unmapped = verbatim.isna() & codes.notna() & decoded.isna()
    if unmapped.any():
        context.problem_unmapped(dataset, variable, code_field, codelist_id, unmapped)
    return verbatim.fillna(decoded)


STATUS_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("criterion", map_criterion, frozenset({"field"}), frozenset({"attribute"})),
    Algorithm("verbatim_or_ct", map_verbatim_or_ct, frozenset({"field", "code_field"}), frozenset({"codelist"})),
)
