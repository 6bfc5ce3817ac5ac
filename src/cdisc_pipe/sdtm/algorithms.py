"""Mapping algorithms: the names the spec's ``algorithm`` key uses, registered once.

Every algorithm takes the domain's working frame (raw records, one per future SDTM record, plus the
variables already derived) and returns one column. This module holds the record-level algorithms; the
subject-level ones (values from other forms) are in :mod:`cdisc_pipe.sdtm.algorithms_subject`, and
:mod:`cdisc_pipe.sdtm.registry` registers both under the names the spec uses.

Phase 1 algorithms read raw values; phase 2 algorithms (``seq``, ``study_day``, ``epoch``, ``lobxfl``) need
other domains (DM, SE) and run after every domain's phase 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from cdisc_pipe.raw.dates import parse_edc_dates, parse_edc_times
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.spec.sdtm_model import SdtmVariable

if TYPE_CHECKING:
    from cdisc_pipe.sdtm.context import MapContext

__all__ = ["Algorithm", "RECORD_ALGORITHMS", "FILE", "FORM", "text_column", "source_column", "raw_name"]

#: Working-frame columns that carry provenance (dropped from the SDTM output, kept in the lineage table).
FILE = "_FILE_"
FORM = "_FORM_"

MapFunc = Callable[..., pd.Series]


@dataclass(frozen=True)
class Algorithm:
    name: str
    func: MapFunc
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    phase: int = 1
    doc: str = field(default="")


def text_column(values: pd.Series) -> pd.Series:
    """Raw strings with empty values as missing."""
    text = values.astype("string")
    return text.mask(text.str.len() == 0)


def raw_name(name: str) -> str:
    """Where a raw field is kept once an SDTM variable of the same name (e.g. AEREL) has been derived."""
    return f"_RAW_{name}"


def source_column(dataset: pd.DataFrame, name: str, context: "MapContext", variable: SdtmVariable) -> pd.Series:
    """The raw field ``name`` as entered (empty -> null), even after a derived variable took its name."""
    if raw_name(name) in dataset.columns:
        return text_column(dataset[raw_name(name)])
    if name not in dataset.columns:
        context.problem_column_missing(dataset, variable, name)
        return pd.Series(pd.NA, index=dataset.index, dtype="string")
    return text_column(dataset[name])


def map_hardcode(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The same value on every record (``value``)."""
    return pd.Series(variable.arg("value"), index=dataset.index, dtype="string")


def map_studyid(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """STUDYID from the spec."""
    return pd.Series(context.study.studyid, index=dataset.index, dtype="string")


def map_domain(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """DOMAIN: the domain's two-letter code."""
    return pd.Series(context.domain.name, index=dataset.index, dtype="string")


def map_usubjid(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """USUBJID = STUDYID-<EDC subject number>: unique across every study of the sponsor."""
    subject = source_column(dataset, context.study.raw.subject, context, variable)
    return context.study.studyid + "-" + subject


def map_assign(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The raw ``field`` as entered (empty -> null)."""
    return source_column(dataset, variable.arg("field"), context, variable)


def map_assign_number(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The raw numeric ``field`` as a number (raw validation has already rejected non-numbers)."""
    text = source_column(dataset, variable.arg("field"), context, variable)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def map_assign_ct(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The raw coded ``field`` recoded to its codelist's CDISC submission value.

    The codelist is the field's own (forms spec) unless ``codelist`` names another. A code missing from the
    codelist is never passed through silently: it is a finding (SDTM-CT-UNMAPPED) and the value is null.
    """
    name = variable.arg("field")
    codes = source_column(dataset, name, context, variable)
    codelist_id = variable.arg("codelist") or context.field_codelist(name)
    mapping = context.study.codelist(codelist_id).decode_map()
    mapped = codes.map(mapping).astype("string")
    unmapped = codes.notna() & mapped.isna()
    if unmapped.any():
        context.problem_unmapped(dataset, variable, name, codelist_id, unmapped)
    return mapped


def map_iso_datetime(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """ISO 8601 from the raw ``date`` field and, when given and the date is complete, the ``time`` field.

    Partial dates keep their precision ("2019-03"); a time is appended only to a complete date.
    """
    conventions = context.study.raw
    dates = parse_edc_dates(source_column(dataset, variable.arg("date"), context, variable), conventions=conventions,
                            allow_partial=True)
    iso = dates["iso"].astype("string")
    time_field = variable.arg("time")
    if time_field:
        times = parse_edc_times(source_column(dataset, time_field, context, variable), conventions=conventions)
        t = times["iso"].astype("string")
        complete = iso.str.len() == 10
        iso = iso.where(~(complete & t.notna()), iso + "T" + t)
    return iso


def map_visit(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """VISIT (``attribute: visit``), VISITNUM (``visitnum``) or VISITDY (``day``) from the raw folder."""
    folder = source_column(dataset, context.study.raw.folder, context, variable)
    attribute = variable.arg("attribute", "visit")
    lookup = {v.folder: getattr(v, attribute) for v in context.study.visits}
    mapped = folder.map(lookup)
    return mapped.astype("float64") if variable.type == "Num" else mapped.astype("string")


def map_test_attribute(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """An attribute (``key``) of the test a melted record belongs to (e.g. LBTESTCD, LBORRESU)."""
    values = dataset[f"_TEST_{variable.arg('key')}"]
    return values.astype("float64") if variable.type == "Num" else text_column(values)


def map_result(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    """The melted raw result: as entered (``as: original``, for --ORRES), or converted to the standard unit
    (``as: standard_number`` = result x the test's ``factor``, rounded half away from zero to the test's
    ``decimals`` as SAS ROUND does, for --STRESN; ``as: standard_text``, its shortest text, for --STRESC).
    """
    raw = text_column(dataset["_VALUE_"])
    kind = variable.arg("as", "original")
    if kind == "original":
        return raw
    number = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64") * dataset["_TEST_factor"].to_numpy(
        dtype="float64")
    rounded = pd.Series(compute_round_half_away(number, dataset["_TEST_decimals"].to_numpy(dtype="float64")),
                        index=dataset.index)
    if kind == "standard_number":
        return rounded
    text = pa.array(rounded.to_numpy(), from_pandas=True).cast(pa.string())
    return pd.Series(text.to_pandas(types_mapper=pd.ArrowDtype), index=dataset.index).astype("string")


def compute_round_half_away(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Round to ``decimals`` places, halves away from zero (SAS ROUND); NaN decimals leave values as they are."""
    keep = np.isnan(decimals)
    scale = np.power(10.0, np.where(keep, 0, decimals))
    rounded = np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale
    return np.where(keep, values, rounded)


def _phase2(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    raise AssertionError("phase-2 algorithms are applied by cdisc_pipe.sdtm.build.apply_phase2")


def _by_builder(dataset: pd.DataFrame, *, variable: SdtmVariable, context: "MapContext") -> pd.Series:
    raise AssertionError("variables of 'builder' domains are set by the domain's builder")


RECORD_ALGORITHMS: tuple[Algorithm, ...] = (
    Algorithm("builder", _by_builder, frozenset(), phase=0),
    Algorithm("hardcode", map_hardcode, frozenset({"value"})),
    Algorithm("studyid", map_studyid),
    Algorithm("domain", map_domain),
    Algorithm("usubjid", map_usubjid),
    Algorithm("assign", map_assign, frozenset({"field"})),
    Algorithm("assign_number", map_assign_number, frozenset({"field"})),
    Algorithm("assign_ct", map_assign_ct, frozenset({"field"}), frozenset({"codelist"})),
    Algorithm("iso_datetime", map_iso_datetime, frozenset({"date"}), frozenset({"time"})),
    Algorithm("visit", map_visit, frozenset(), frozenset({"attribute"})),
    Algorithm("test_attribute", map_test_attribute, frozenset({"key"})),
    Algorithm("result", map_result, frozenset(), frozenset({"as"})),
    Algorithm("seq", _phase2, frozenset({"order"}), phase=2),
    Algorithm("study_day", _phase2, frozenset({"dtc"}), phase=2),
    Algorithm("epoch", _phase2, frozenset({"dtc"}), phase=2),
    Algorithm("lobxfl", _phase2, frozenset({"by", "dtc", "result"}), phase=2),
)
