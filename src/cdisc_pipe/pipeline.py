"""The stage order, declared once, and the runner shared by the CLI and the Python API.

A stage takes the :class:`RunContext` (study, inputs, staging folder, results of earlier stages) and returns
a :class:`~cdisc_pipe.errors.Report`. The runner runs the stages in order; after each it stops if the report
holds an error-severity finding. Outputs become visible only when every stage requested succeeded
(:mod:`cdisc_pipe.output`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from cdisc_pipe.errors import Report, StageFailed
from cdisc_pipe.output import REPORTS, Staging
from cdisc_pipe.paths import default_raw_dir, default_study_dir
from cdisc_pipe.spec import Study, load_spec

__all__ = ["RunContext", "RunResult", "Stage", "STAGES", "run", "stage_names"]


@dataclass
class RunContext:
    """What stages share during one run. ``results`` holds each stage's products by name."""

    study: Study
    raw: Path
    staging: Staging
    results: dict[str, Any] = field(default_factory=dict)

    def reports_dir(self) -> Path:
        return self.staging.dir(REPORTS)


@dataclass(frozen=True)
class StageOutcome:
    name: str
    report: Report
    seconds: float


@dataclass(frozen=True)
class RunResult:
    """The outcome of a run: every stage's report, where outputs went, and whether it succeeded."""

    study: Study
    out: Path
    outcomes: tuple[StageOutcome, ...]
    failed_stage: str | None

    @property
    def ok(self) -> bool:
        return self.failed_stage is None

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def reports(self) -> dict[str, Report]:
        return {o.name: o.report for o in self.outcomes}

    def raise_for_errors(self) -> None:
        """Raise :class:`StageFailed` if a stage found errors (handy in notebooks and scripts)."""
        if self.failed_stage is not None:
            raise StageFailed(self.failed_stage, self.reports[self.failed_stage])

    def report(self) -> Report:
        """All findings of all stages that ran, in stage order."""
        merged = Report()
        for outcome in self.outcomes:
            merged = merged.merge(outcome.report)
        return merged


class Progress(Protocol):
    def start(self, stage: str) -> None: ...

    def finish(self, stage: str, report: Report, seconds: float) -> None: ...


class _Silent:
    def start(self, stage: str) -> None:
        pass

    def finish(self, stage: str, report: Report, seconds: float) -> None:
        pass


@dataclass(frozen=True)
class Stage:
    name: str
    description: str
    func: Callable[[RunContext], Report]


def _validate_raw_stage(context: RunContext) -> Report:
    from cdisc_pipe.raw.stage import validate_raw_stage

    return validate_raw_stage(context)


def _sdtm_stage(context: RunContext) -> Report:
    from cdisc_pipe.sdtm.stage import sdtm_stage

    return sdtm_stage(context)


def _adam_stage(context: RunContext) -> Report:
    from cdisc_pipe.adam.stage import adam_stage

    return adam_stage(context)


def _export_stage(context: RunContext) -> Report:
    from cdisc_pipe.export.stage import export_stage

    return export_stage(context)


def _analyze_stage(context: RunContext) -> Report:
    from cdisc_pipe.analysis.stage import analyze_stage

    return analyze_stage(context)


#: Every stage, in the order a full run executes them.
STAGES: tuple[Stage, ...] = (
    Stage("validate-raw", "read the raw export and validate it against the study spec", _validate_raw_stage),
    Stage("sdtm", "build the SDTM domains, their lineage and the raw-to-SDTM reconciliation", _sdtm_stage),
    Stage("adam", "derive the ADaM datasets from the SDTM and check them", _adam_stage),
    Stage("export", "write the XPT, Dataset-JSON and define.xml submission tree, check it, hash it", _export_stage),
    Stage("analyze", "the paper's analyses from the written ADaM files: results data, figures, report", _analyze_stage),
)


def stage_names() -> tuple[str, ...]:
    return tuple(s.name for s in STAGES)


def run(
    study: str | Path | Study | None = None,
    raw: str | Path | None = None,
    out: str | Path = "cdisc-out",
    *,
    until: str | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the pipeline on ``study`` (a spec folder or a loaded Study; default: the shipped study).

    ``raw`` defaults to the export shipped beside the study's spec; ``out`` receives the outputs.
    ``until`` stops after the named stage. Data problems never raise: they are in the result's reports,
    and ``result.ok`` is False when a stage found errors. A bad spec raises SpecError; an unreadable input
    raises InputError.
    """
    loaded = study if isinstance(study, Study) else load_spec(Path(study) if study else default_study_dir())
    raw_path = Path(raw) if raw is not None else default_raw_dir(loaded.root)
    if until is not None and until not in stage_names():
        raise ValueError(f"'until' must be one of {list(stage_names())} (got {until!r})")
    progress = progress or _Silent()
    staging = Staging(Path(out))
    context = RunContext(study=loaded, raw=raw_path, staging=staging)
    outcomes: list[StageOutcome] = []
    failed: str | None = None
    finished = False
    try:
        for stage in STAGES:
            progress.start(stage.name)
            began = time.perf_counter()
            report = stage.func(context)
            seconds = time.perf_counter() - began
            progress.finish(stage.name, report, seconds)
            outcomes.append(StageOutcome(stage.name, report, seconds))
            if report.has_errors:
                failed = stage.name
                break
            if stage.name == until:
                break
        finished = True
    finally:
        if not finished:  # an exception or an interrupt: nothing of this run is published
            staging.discard()
    if failed is None:
        staging.publish()
    else:
        staging.publish_reports()
    return RunResult(study=loaded, out=Path(out), outcomes=tuple(outcomes), failed_stage=failed)
