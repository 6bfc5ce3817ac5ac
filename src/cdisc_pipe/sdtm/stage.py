"""The ``sdtm`` stage: build every domain, reconcile against the raw export, stage the outputs.

Outputs (staged, published only when the whole run succeeds):

* ``sdtm/<domain>.csv`` — each dataset in a readable interim form (the submission XPT files come with the
  export stage);
* ``sdtm/lineage.csv`` — raw form, file and row behind every SDTM record (USUBJID, --SEQ);
* ``reports/sdtm-reconciliation.csv`` — per raw form: records, mapped, declared not mapped, unaccounted;
* ``reports/sdtm-findings.json`` — the findings of the stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cdisc_pipe.errors import Report
from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.sdtm.reconcile import load_not_mapped, reconcile

if TYPE_CHECKING:
    from cdisc_pipe.pipeline import RunContext

__all__ = ["sdtm_stage", "write_csv"]


def write_csv(frame: pd.DataFrame, path) -> None:
    """A frame as UTF-8 CSV with "\\n" line ends and empty cells for nulls: the same bytes on every run."""
    frame.to_csv(path, index=False, lineterminator="\n", na_rep="", encoding="utf-8")


def sdtm_stage(context: "RunContext") -> Report:
    """Build SDTM from ``context.results["raw"]``; keep the result in ``context.results["sdtm"]``."""
    export = context.results["raw"]
    study = context.study
    result = build_sdtm(export, study)
    table, findings = reconcile(export, result.lineage, study, load_not_mapped(study))
    report = Report(list(result.report.findings))
    report.extend(findings)

    folder = context.staging.dir("sdtm")
    for name, frame in sorted(result.domains.items()):
        write_csv(frame, folder / f"{name.lower()}.csv")
    write_csv(result.lineage, folder / "lineage.csv")
    reports = context.reports_dir()
    write_csv(table, reports / "sdtm-reconciliation.csv")
    (reports / "sdtm-findings.json").write_text(report.to_json(), encoding="utf-8")
    context.results["sdtm"] = result
    context.results["sdtm_reconciliation"] = table
    return report
