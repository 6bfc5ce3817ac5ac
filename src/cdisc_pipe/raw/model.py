"""The raw export as read: one frame of strings per form, each record carrying where it came from.

Every reader (CSV, SAS, ODM-XML) returns a :class:`RawExport`. Values are kept exactly as entered, as
strings (``<NA>`` where the EDC left the field empty), so that validation can quote the value a data manager
sees in the file and nothing is converted before it has been checked. Typed values are derived later from
these strings, never instead of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cdisc_pipe.spec.model import Form

__all__ = ["ROW", "RawForm", "RawExport"]

#: Name of the column holding the 1-based source row of each record (header = row 0 in a CSV; for ODM the
#: ordinal of the record among the form's records in document order; for SAS the observation number).
ROW = "_ROW_"


@dataclass(frozen=True)
class RawForm:
    """One form's records.

    ``frame`` holds one string column per column found in the file (spec fields first, in spec order, then
    any extra columns in file order) plus :data:`ROW`. Fields the spec declares but the file lacks are
    listed in ``missing_columns`` and are not added to the frame.
    """

    form: Form
    frame: pd.DataFrame
    file: str
    missing_columns: tuple[str, ...] = ()
    extra_columns: tuple[str, ...] = ()

    @property
    def n_records(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class RawExport:
    """All forms of one raw export. ``forms`` is keyed by form id; absent files are in ``missing_forms``;
    files of the export folder that no form reads are in ``unclaimed_files``."""

    source: Path
    format: str
    forms: dict[str, RawForm] = field(default_factory=dict)
    missing_forms: tuple[str, ...] = ()
    unclaimed_files: tuple[str, ...] = ()

    def frame(self, form_id: str) -> pd.DataFrame:
        return self.forms[form_id].frame
