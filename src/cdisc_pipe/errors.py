"""Errors and findings.

Two kinds of trouble, kept apart:

* **Data problems** are never raised. Each becomes a :class:`Finding` (a record with a stable rule id,
  the file, row, variable and value it concerns) collected into a :class:`Report`. A stage runs to its end;
  the runner then stops before the next stage if the report holds any error-severity finding.
* **Misuse and unusable configuration** raise at once. The tree::

    CdiscPipeError                 base of everything this package raises
    ├── SpecError                  the study spec is invalid (file, key, expectation, closest match)
    ├── InputError                 an input cannot be read at all (missing file, hostile XML, bad encoding)
    ├── AdamError                  an ADaM derivation verb was called with what it cannot use (missing variables)
    ├── ExportError                a dataset cannot be written as a submission file without changing it
    └── StageFailed                a stage finished with error-severity findings; carries the Report

Messages follow one shape: "`<what>` must be <expectation> (got <value>)".
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

__all__ = [
    "CdiscPipeError",
    "SpecError",
    "InputError",
    "AdamError",
    "ExportError",
    "StageFailed",
    "Severity",
    "Finding",
    "Report",
    "FINDING_COLUMNS",
]


class CdiscPipeError(Exception):
    """Base class of every exception cdisc_pipe raises on purpose."""


class SpecError(CdiscPipeError):
    """The study spec cannot be used. The message names file, key, expectation and closest match."""


class InputError(CdiscPipeError):
    """An input cannot be read at all (as opposed to data problems, which become findings)."""


class AdamError(CdiscPipeError):
    """An ADaM verb was given a dataset or argument it cannot use; the message names the argument and the
    missing or offending variables. Raised at once: it is a spec or programming error, not a data problem."""


class ExportError(CdiscPipeError):
    """A dataset cannot be written to a transport format without changing it (a name, label or value the
    format cannot hold). The message names dataset, variable, row and value; nothing is truncated. The
    same facts are attributes, so a stage can turn the error into a :class:`Finding`."""

    def __init__(self, message: str, *, dataset: str | None = None, variable: str | None = None,
                 row: int | None = None, value: str | None = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.dataset, self.variable, self.row, self.value, self.expected = dataset, variable, row, value, expected


class StageFailed(CdiscPipeError):
    """A stage produced error-severity findings; later stages must not run."""

    def __init__(self, stage: str, report: "Report") -> None:
        self.stage = stage
        self.report = report
        n = report.count(Severity.ERROR)
        super().__init__(f"stage '{stage}' found {n} error(s); nothing after it was run")


class Severity(str, enum.Enum):
    """How much a finding matters. ERROR stops the pipeline; WARNING and NOTICE are reported only."""

    ERROR = "Error"
    WARNING = "Warning"
    NOTICE = "Notice"


@dataclass(frozen=True)
class Finding:
    """One data problem, pointing at the exact place it was found.

    ``row`` is the 1-based data row of the raw file (the header is row 0), so a data manager can open the
    file and go to it. ``rule`` is a stable identifier documented in ``docs/errors.md``.
    """

    stage: str
    rule: str
    severity: Severity
    message: str
    dataset: str | None = None
    file: str | None = None
    row: int | None = None
    variable: str | None = None
    subject: str | None = None
    value: str | None = None
    expected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["severity"] = self.severity.value
        return out


FINDING_COLUMNS = [f.name for f in fields(Finding)]


@dataclass
class Report:
    """The findings of one or more stages, in the order they were found."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def merge(self, other: "Report") -> "Report":
        return Report(self.findings + other.findings)

    def count(self, severity: Severity | None = None) -> int:
        if severity is None:
            return len(self.findings)
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def to_frame(self) -> pd.DataFrame:
        """The findings as a table with one column per :class:`Finding` field."""
        rows = [f.as_dict() for f in self.findings]
        frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
        return frame.astype({"row": "Int64"})

    def by_rule(self) -> pd.DataFrame:
        """Counts per rule and severity, most frequent first."""
        frame = self.to_frame()
        if frame.empty:
            return pd.DataFrame(columns=["rule", "severity", "count"])
        counts = frame.groupby(["rule", "severity"], sort=True).size().reset_index(name="count")
        return counts.sort_values(["count", "rule"], ascending=[False, True], kind="stable")

    def to_json(self) -> str:
        payload = {
            "counts": {s.value: self.count(s) for s in Severity},
            "findings": [f.as_dict() for f in self.findings],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, path: Path) -> "Report":
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        findings = [
            Finding(**{**item, "severity": Severity(item["severity"])}) for item in payload["findings"]
        ]
        return cls(findings)
