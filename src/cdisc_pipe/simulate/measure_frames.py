"""Records of the measurement forms: which (subject, folder) pairs have one, and values as reported text.

Slots of a record: ``-1`` screening, ``0..K-1`` the analysis visits (baseline first), ``K``, ``K+1`` the
infusion days D008 and D015 (vital signs only). Numbers are formatted once per distinct value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.simulate.measure_design import EXTRA_FOLDERS, Design
from cdisc_pipe.spec.model import Form, Study

__all__ = ["SCREENING_SLOT", "Records", "assemble", "form_records", "format_units", "text_column", "text_of"]

SCREENING_SLOT = -1


@dataclass(frozen=True, eq=False)
class Records:
    """Records of one form: enrolled subject index (or screen-failure index) and slot, in output order."""

    subject: np.ndarray        # index into the enrolled subjects, -1 for screen failures
    failure: np.ndarray        # index into the screen failures, -1 for enrolled subjects
    slot: np.ndarray
    folder: np.ndarray
    date: np.ndarray


def form_records(form: Form, study: Study, design: Design, screening: str) -> Records:
    """Every record ``form`` has: enrolled subjects at the folders they attended and the form lists (minus
    records declared absent), screen failures at screening; sorted by subject, then folder order."""
    n_visits = len(design.visits)
    parts = []
    folders = [f for f in form.visits]
    for folder in folders:
        if folder == screening:
            dates = design.other_dates.get(screening)
            if dates is not None:
                rows = np.flatnonzero(~np.isnat(dates))
                parts.append((rows, np.full(len(rows), -1), SCREENING_SLOT, folder, dates[rows]))
            rows = np.arange(len(design.sf_subject))
            parts.append((np.full(len(rows), -1), rows, SCREENING_SLOT, folder, design.sf_date))
        elif folder in design.visits:
            k = design.visits.index(folder)
            keep = design.attended[:, k] & ~design.record_absent[form.id][:, k]
            rows = np.flatnonzero(keep)
            parts.append((rows, np.full(len(rows), -1), k, folder, design.dates[rows, k]))
        elif folder in EXTRA_FOLDERS and folder in design.other_dates:
            dates = design.other_dates[folder]
            rows = np.flatnonzero(~np.isnat(dates))
            parts.append((rows, np.full(len(rows), -1), n_visits + EXTRA_FOLDERS.index(folder), folder, dates[rows]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Records(empty, empty, empty, np.zeros(0, dtype=object), np.zeros(0, dtype="datetime64[s]"))
    subject = np.concatenate([p[0] for p in parts]).astype(np.int64)
    failure = np.concatenate([p[1] for p in parts]).astype(np.int64)
    slot = np.concatenate([np.full(len(p[0]), p[2]) for p in parts]).astype(np.int64)
    folder = np.concatenate([np.full(len(p[0]), p[3], dtype=object) for p in parts])
    date = np.concatenate([np.asarray(p[4]).astype("datetime64[s]") for p in parts])
    n_enrolled = len(design.subject)
    rank = np.where(subject >= 0, design.order[np.maximum(subject, 0)],
                    design.order[np.minimum(n_enrolled + np.maximum(failure, 0), len(design.order) - 1)])
    order_of = {f: i for i, f in enumerate(study.folders)}
    folder_rank = np.concatenate([np.full(len(p[0]), order_of.get(p[3], len(order_of))) for p in parts])
    order = np.lexsort((folder_rank, rank))
    return Records(subject[order], failure[order], slot[order], folder[order], date[order])


def format_units(units: np.ndarray, decimals: int, present: np.ndarray) -> pa.Array:
    """Whole units of 10^-decimals -> fixed-decimal text (Arrow; null where not ``present``).

    Each distinct value is formatted once, then spread with an Arrow ``take``.
    """
    units = np.asarray(units, dtype=np.int64)
    codes, uniques = pd.factorize(units)
    scale = 10**decimals
    if decimals == 0:
        text = [str(u) for u in uniques.tolist()]
    else:
        text = [f"{'-' if u < 0 else ''}{abs(u) // scale}.{abs(u) % scale:0{decimals}d}" for u in uniques.tolist()]
    index = pa.array(codes, mask=~np.asarray(present, dtype=bool), type=pa.int64())
    return pc.take(pa.array(text, type=pa.large_string()), index)


def text_of(values) -> pa.Array:
    """Text (object array with None for missing, or an Arrow array) -> Arrow, formatting each value once."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    codes, uniques = pd.factorize(np.where(missing, "", values))
    index = pa.array(codes, mask=missing, type=pa.int64())
    return pc.take(pa.array([str(u) for u in uniques], type=pa.large_string()), index)


def text_column(values) -> pd.Series:
    """Text -> a pandas string column (Arrow-backed, missing as NA)."""
    return pd.Series(pd.array(text_of(values), dtype="str"))


def assemble(form: Form, design: Design, records: Records, columns: dict) -> pd.DataFrame:
    """The form's frame: system columns, the date field (datetime64) and the given value columns."""
    who = np.where(records.subject >= 0, records.subject, len(design.subject) + np.maximum(records.failure, 0))
    index = pa.array(who, type=pa.int64())
    data = {
        "SUBJECT": text_column(pc.take(design.id_text, index)),
        "SITENUMBER": text_column(pc.take(design.site_text, index)),
        "FOLDER": text_column(records.folder),
        form.date_field: pd.Series(records.date.astype("datetime64[s]")),
    }
    empty = np.full(len(records.slot), None, dtype=object)
    for name in form.field_names:
        if name not in data:
            data[name] = text_column(columns.get(name, empty))
    return pd.DataFrame(data)[list(form.field_names)]
