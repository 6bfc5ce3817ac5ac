"""SDTM and ADaM frames made ready for the submission writers, with their metadata.

:func:`prepare_datasets` takes the datasets a run built and their specs and returns, per dataset, the frame
as it will be written and its :class:`~cdisc_pipe.export.metadata.DatasetMetadata`:

* Char columns hold ``str`` with missing values as ``""`` (XPT cannot tell them apart); Num columns hold
  float64 with NaN for missing; ADaM dates and datetimes stay datetime64 (the writers turn them into SAS
  days or seconds since 1960-01-01);
* Char length = the longest value present, in bytes, at least 1 (FDA Technical Conformance Guide); Num
  length 8;
* labels, types and formats from the spec; key sequence from the spec's keys; the Dataset-JSON / define
  data type: ``integer`` when every value of a Num variable is whole, ``double`` otherwise, ``date``/
  ``datetime`` for ADaM date variables (target ``integer``), ``string`` for Char.

Nothing is truncated or recoded here: the writers refuse what their format cannot hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.spec.adam_model import AdamDataset
from cdisc_pipe.spec.sdtm_model import Domain

__all__ = ["ExportDataset", "prepare_datasets", "prepare_frame", "SUPP_VARIABLES"]

#: SUPP-- variables and labels (SDTMIG 3.4 section 8.4.1).
SUPP_VARIABLES = (
    ("STUDYID", "Study Identifier"), ("RDOMAIN", "Related Domain Abbreviation"),
    ("USUBJID", "Unique Subject Identifier"), ("IDVAR", "Identifying Variable"),
    ("IDVARVAL", "Identifying Variable Value"), ("QNAM", "Qualifier Variable Name"),
    ("QLABEL", "Qualifier Variable Label"), ("QVAL", "Data Value"), ("QORIG", "Origin"),
    ("QEVAL", "Evaluator"),
)
SUPP_KEYS = ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM")


@dataclass(frozen=True)
class ExportDataset:
    """One dataset as the writers receive it: ``model`` is "SDTM" or "ADAM"; ``spec`` the SDTM Domain
    (None for SUPP--), or the AdamDataset."""

    name: str
    model: str
    frame: pd.DataFrame
    metadata: DatasetMetadata
    spec: Domain | AdamDataset | None


def _char(column: pd.Series) -> pd.Series:
    return column.astype("string").fillna("").astype(object)


def _byte_length(column: pd.Series) -> int:
    """The longest value in UTF-8 bytes (at least 1): what the transport files must hold."""
    if len(column) == 0:
        return 1
    lengths = pc.binary_length(pa.array(column.to_numpy(dtype=object), type=pa.string()))
    return max(int(pc.max(lengths).as_py() or 0), 1)


def _numeric_type(column: pd.Series) -> str:
    values = column.dropna().to_numpy(dtype=float)
    if len(values) and np.all(np.isfinite(values)) and np.all(values == np.round(values)) and \
            np.all(np.abs(values) < 2**53):
        return "integer"
    return "double"


def prepare_frame(frame: pd.DataFrame, variables: list[tuple[str, str, str, str | None]], *, name: str,
                  label: str, keys: tuple[str, ...], timestamp: datetime) -> tuple[pd.DataFrame, DatasetMetadata]:
    """``frame`` restricted to ``variables`` ((name, label, "Char"|"Num", format) in order), typed for the
    writers, and its metadata."""
    columns: dict[str, pd.Series] = {}
    meta: list[VariableMetadata] = []
    for var, var_label, kind, fmt in variables:
        column = frame[var]
        key = keys.index(var) + 1 if var in keys else None
        if kind == "Char":
            text = _char(column)
            columns[var] = text
            meta.append(VariableMetadata(var, var_label, "Char", _byte_length(text), data_type="string",
                                         key_sequence=key))
        elif pd.api.types.is_datetime64_any_dtype(column):
            is_datetime = (fmt or "").upper().startswith(("DATETIME", "E8601DT"))
            columns[var] = column.astype("datetime64[s]")
            meta.append(VariableMetadata(var, var_label, "Num", 8, format=fmt,
                                         data_type="datetime" if is_datetime else "date",
                                         target_data_type="integer", key_sequence=key))
        else:
            number = pd.to_numeric(column, errors="raise").astype("float64")
            columns[var] = number
            meta.append(VariableMetadata(var, var_label, "Num", 8, format=fmt, data_type=_numeric_type(number),
                                         key_sequence=key))
    out = pd.DataFrame(columns, index=frame.index).reset_index(drop=True)
    return out, DatasetMetadata(name=name, label=label, variables=tuple(meta), created=timestamp, modified=timestamp)


def prepare_datasets(*, sdtm: Mapping[str, pd.DataFrame], sdtm_spec: Mapping[str, Domain],
                     adam: Mapping[str, pd.DataFrame], adam_spec: Mapping[str, AdamDataset],
                     timestamp: datetime) -> dict[str, ExportDataset]:
    """Every SDTM domain (SUPP-- included) and ADaM dataset, ready to write, keyed by name."""
    out: dict[str, ExportDataset] = {}
    for name, frame in sdtm.items():
        if name.startswith("SUPP") and name not in sdtm_spec:
            parent = name[4:]
            label = f"Supplemental Qualifiers for {parent}"
            prepared, meta = prepare_frame(frame, [(v, lbl, "Char", None) for v, lbl in SUPP_VARIABLES], name=name,
                                           label=label, keys=SUPP_KEYS, timestamp=timestamp)
            out[name] = ExportDataset(name, "SDTM", prepared, meta, None)
            continue
        domain = sdtm_spec[name]
        variables = [(v.name, v.label, v.type, None) for v in domain.main_variables]
        prepared, meta = prepare_frame(frame, variables, name=name, label=domain.label, keys=domain.keys,
                                       timestamp=timestamp)
        out[name] = ExportDataset(name, "SDTM", prepared, meta, domain)
    for name, frame in adam.items():
        dataset = adam_spec[name]
        variables = [(v.name, v.label, v.type, v.format) for v in dataset.variables]
        prepared, meta = prepare_frame(frame, variables, name=name, label=dataset.label, keys=dataset.keys,
                                       timestamp=timestamp)
        out[name] = ExportDataset(name, "ADAM", prepared, meta, dataset)
    return out
