"""The ``validate-raw`` stage: read the raw export, validate it, write the findings reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdisc_pipe.errors import Finding, Report
from cdisc_pipe.raw.read import read_raw, unclaimed_files
from cdisc_pipe.raw.rules import rule
from cdisc_pipe.raw.validate import validate_raw
from cdisc_pipe.report import write_findings

if TYPE_CHECKING:
    from cdisc_pipe.pipeline import RunContext

__all__ = ["validate_raw_stage"]


def validate_raw_stage(context: "RunContext") -> Report:
    """Read ``context.raw``, validate it against the study spec, and stage the reports.

    The export is kept in ``context.results["raw"]`` for the stages that follow.
    """
    export = read_raw(context.raw, context.study)
    report = validate_raw(export, context.study)
    report.extend(_unclaimed(export.format, context))
    write_findings(report, context.reports_dir(), study=context.study, export=export)
    context.results["raw"] = export
    return report


def _unclaimed(format: str, context: "RunContext") -> list[Finding]:
    """RAW-FILE-UNCLAIMED for every file of the export folder that no form reads."""
    if not context.raw.is_dir():
        return []
    found = rule("RAW-FILE-UNCLAIMED")
    return [
        Finding(stage="raw", rule=found.id, severity=found.severity, file=name, value=name,
                expected="a file named by a form of the spec",
                message=f"`{name}` must be claimed by a form of the spec (got a file no form reads)")
        for name in unclaimed_files(context.raw, context.study, format=format)
    ]
