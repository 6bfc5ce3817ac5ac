"""The conformance report as data, laid out like a Pinnacle 21 Community report:

* **Dataset Summary** — one row per dataset: label, class, records, issues by severity;
* **Issue Summary** — one row per dataset and rule: severity, message, how many records;
* **Details** — one row per issue: dataset, record, USUBJID, --SEQ, the variables and their values;
* **Rules** — every rule: id, CORE id, standard and section, severity, message, where it ran, issues.

Issues are a table (pandera-style failure cases), never a list of objects per record. JSON is written by
:meth:`ConformanceReport.to_json`; HTML by :mod:`.report_html`. The same data gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from cdisc_pipe.conformance.model import CheckSeverity, Rule, Study
from cdisc_pipe.errors import Finding, Report, Severity

__all__ = ["ISSUE_COLUMNS", "Execution", "ConformanceReport"]

ISSUE_COLUMNS = ["rule", "severity", "dataset", "record", "usubjid", "seq", "variables", "values", "expected",
                 "message"]
SEVERITIES = [s.value for s in CheckSeverity]


class Execution(NamedTuple):
    """How one rule went on one dataset: ``checked`` (with its issue count) or ``not applicable`` (why)."""

    rule: str
    dataset: str
    status: str
    reason: str
    issues: int


def _sorted(issues: pd.DataFrame) -> pd.DataFrame:
    rank = issues["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    order = issues.assign(_rank=rank, _record=issues["record"].fillna(0))
    order = order.sort_values(["dataset", "_rank", "rule", "_record", "variables"], kind="stable")
    return order.drop(columns=["_rank", "_record"]).reset_index(drop=True)


@dataclass
class ConformanceReport:
    """Everything one conformance run found, and what it checked."""

    issues: pd.DataFrame
    study: Study
    rules: tuple[Rule, ...]
    executions: tuple[Execution, ...]

    def __post_init__(self) -> None:
        self.issues = _sorted(self.issues.astype({"record": "Int64"}))

    # -- counts ------------------------------------------------------------------------------------------
    def count(self, severity: CheckSeverity | None = None) -> int:
        if severity is None:
            return len(self.issues)
        return int((self.issues["severity"] == severity.value).sum())

    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in CheckSeverity}

    @property
    def has_errors(self) -> bool:
        """True when any Reject or Error issue was found (``cdisc-pipe check`` then exits 1)."""
        return self.count(CheckSeverity.REJECT) + self.count(CheckSeverity.ERROR) > 0

    def summary(self) -> str:
        """One line for a terminal: datasets, records and issues by severity."""
        counts = ", ".join(f"{n} {s.lower()}" for s, n in self.counts().items())
        records = sum(d.records for d in self.study.datasets.values())
        return (f"{len(self.study.datasets)} datasets, {records} records, {len(self.rules)} rules: {counts}")

    # -- the four sheets -----------------------------------------------------------------------------------
    def dataset_summary(self) -> pd.DataFrame:
        rows = []
        by = self.issues.groupby(["dataset", "severity"]).size() if len(self.issues) else pd.Series(dtype=int)
        names = list(self.study.datasets) + sorted(set(self.issues["dataset"]) - set(self.study.datasets))
        for name in names:
            ds = self.study.datasets.get(name)
            row = {"dataset": name, "label": ds.label if ds else "", "standard": ds.standard if ds else "",
                   "class": ds.cls if ds else "", "records": ds.records if ds else 0,
                   "file": ds.file if ds else ""}
            row.update({s: int(by.get((name, s), 0)) for s in SEVERITIES})
            rows.append(row)
        return pd.DataFrame(rows, columns=["dataset", "label", "standard", "class", "records", "file", *SEVERITIES])

    def issue_summary(self) -> pd.DataFrame:
        columns = ["dataset", "rule", "severity", "message", "count"]
        if self.issues.empty:
            return pd.DataFrame(columns=columns)
        grouped = self.issues.groupby(["dataset", "rule", "severity", "message"], sort=False).size()
        return grouped.reset_index(name="count")[columns]

    def rules_table(self) -> pd.DataFrame:
        runs = pd.DataFrame(self.executions, columns=list(Execution._fields))
        rows = []
        for rule in self.rules:
            mine = runs[runs["rule"] == rule.id]
            checked = mine[mine["status"] == "checked"]
            skipped = mine[mine["status"] != "checked"]
            rows.append({
                "rule": rule.id, "core": "; ".join(rule.core), "authorities": "; ".join(rule.authorities),
                "standard": rule.standard, "section": rule.section, "severity": rule.severity.value,
                "title": rule.title, "message": rule.message,
                "checked": ", ".join(checked["dataset"]), "issues": int(checked["issues"].sum()),
                "not_applicable": "; ".join(f"{d}: {r}" for d, r in zip(skipped["dataset"], skipped["reason"])),
            })
        return pd.DataFrame(rows)

    # -- outputs -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            clean = frame.astype(object).where(frame.notna(), None)
            return clean.to_dict("records")

        return {
            "tool": "cdisc-pipe check",
            "source": str(self.study.root) if self.study.root is not None else None,
            "defines": [str(p) for p in self.study.defines],
            "counts": self.counts(),
            "dataset_summary": records(self.dataset_summary()),
            "issue_summary": records(self.issue_summary()),
            "details": records(self.issues),
            "rules": records(self.rules_table()),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=_plain) + "\n"

    def to_report(self) -> Report:
        """The issues as the pipeline's :class:`~cdisc_pipe.errors.Report` (stage ``check``); Reject and
        Error both become :attr:`Severity.ERROR`, the rule id keeps the difference visible."""
        mapping = {"Reject": Severity.ERROR, "Error": Severity.ERROR, "Warning": Severity.WARNING,
                   "Notice": Severity.NOTICE}
        clean = self.issues.astype(object).where(self.issues.notna(), None)
        files = {n: d.file for n, d in self.study.datasets.items()}
        findings = [
            Finding(stage="check", rule=r["rule"], severity=mapping[r["severity"]], message=r["message"],
                    dataset=r["dataset"], file=files.get(r["dataset"]),
                    row=None if r["record"] is None else int(r["record"]), variable=r["variables"],
                    subject=r["usubjid"], value=r["values"], expected=r["expected"])
            for r in clean.to_dict("records")
        ]
        return Report(findings)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)
