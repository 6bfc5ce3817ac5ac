"""Dataset and variable metadata shared by the XPT, Dataset-JSON and Define-XML writers.

One model, so what :func:`cdisc_pipe.read_xpt` returns :func:`cdisc_pipe.write_xpt` accepts, and the same
lengths, labels and formats reach define.xml and Dataset-JSON. Frames carry values only; metadata travels
beside them (house style: data kept apart from its attributes).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

__all__ = ["VariableMetadata", "DatasetMetadata"]


@dataclass(frozen=True)
class VariableMetadata:
    """One variable as a transport file declares it.

    ``length``: bytes for Char (1–200 in XPT v5), 8 for Num (SAS allows 3–8; shorter numerics are
    truncated IBM doubles). ``format``/``informat``: SAS text such as ``"DATE9."`` or ``"8.2"`` (None: no
    format). A Num variable whose format is a SAS date (DATE, E8601DA, YYMMDD...) or datetime format
    (DATETIME, E8601DT) holds SAS dates (days since 1960-01-01) or datetimes (seconds since then) in the file.
    ``justification``: the XPT NAMESTR nfj field (0 left, 1 right), kept for byte-exact rewriting.
    ``data_type``/``target_data_type``: Dataset-JSON 1.1 (``string``, ``integer``, ``float``, ``double``,
    ``decimal``, ``date``, ``datetime``, ``time``, ``URI``, ``boolean``; target ``integer``/``decimal``).
    ``key_sequence``: position among the dataset's keys (define.xml KeySequence), None if not a key.
    """

    name: str
    label: str
    type: Literal["Char", "Num"]
    length: int
    format: str | None = None
    informat: str | None = None
    justification: int = 0
    data_type: str | None = None
    target_data_type: str | None = None
    key_sequence: int | None = None

    def with_length(self, length: int) -> "VariableMetadata":
        return replace(self, length=length)


@dataclass(frozen=True)
class DatasetMetadata:
    """One dataset (an XPT member): name, label, variables in order, and the header fields.

    ``created``/``modified`` are the header timestamps (naive, second precision); a writer never reads the
    clock: callers pass the study's fixed timestamp or SOURCE_DATE_EPOCH so two runs give the same bytes.
    ``sas_version``/``os_name`` fill the 8-byte release and host fields of the XPT headers as read from a
    file, so rewriting a SAS-made file reproduces it; our own files say who wrote them (see xpt writer).
    """

    name: str
    label: str
    variables: tuple[VariableMetadata, ...]
    created: datetime
    modified: datetime
    sas_version: str = ""
    os_name: str = ""
    dataset_type: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def variable(self, name: str) -> VariableMetadata:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"dataset '{self.name}' has no variable '{name}'")

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]
