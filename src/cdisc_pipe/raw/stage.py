"""The ``validate-raw`` stage: read the raw export, validate it, write the findings reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdisc_pipe.errors import Report
from cdisc_pipe.raw.read import read_raw
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
    write_findings(report, context.reports_dir(), study=context.study, export=export)
    context.results["raw"] = export
    return report

