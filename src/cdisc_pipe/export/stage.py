"""The ``export`` stage: the submission tree a reviewer receives, its checks, and the manifest.

Written into the run's staging folder (so nothing is visible unless every stage succeeded)::

    m5/datasets/<study>/tabulations/sdtm/      <domain>.xpt, define.xml, define2-1.xsl, define.html
    m5/datasets/<study>/analysis/adam/datasets/ <dataset>.xpt, define.xml, define2-1.xsl, define.html
    dataset-json/sdtm/, dataset-json/adam/      <name>.json and <name>.ndjson (Dataset-JSON 1.1)
    manifest.json                               SHA-256 of every input and output; tool and standard versions
    reports/export-findings.json                findings of the writers' and define checks and the pre-flight

A dataset that a transport format cannot hold without changing it (a value too long, not ASCII...) is an
error finding naming dataset, variable, row and value; nothing is truncated.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from cdisc_pipe.errors import ExportError, Finding, Report, Severity, SpecError
from cdisc_pipe.export.manifest import build_manifest, file_hashes, write_manifest
from cdisc_pipe.export.prepare import ExportDataset, prepare_datasets
from cdisc_pipe.export.preflight import preflight

if TYPE_CHECKING:
    from cdisc_pipe.pipeline import RunContext
    from cdisc_pipe.spec import Study

__all__ = ["export_stage", "submission_timestamp", "tree_paths"]


def submission_timestamp(study: "Study") -> datetime:
    """SOURCE_DATE_EPOCH (reproducible-builds convention, UTC) when set, else the study's
    ``submission_timestamp``; never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).replace(tzinfo=None)
        except ValueError as err:
            raise SpecError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (got {epoch!r})") from err
    if study.submission_timestamp is None:
        raise SpecError("study.yaml: study.submission_timestamp must be set (or SOURCE_DATE_EPOCH) so that the "
                        "submission files carry a fixed creation time (got neither)")
    return datetime.fromisoformat(study.submission_timestamp)


def tree_paths(root: Path, studyid: str) -> dict[str, Path]:
    """The folders of the eCTD module-5 style tree under ``root``."""
    study = root / "m5" / "datasets" / studyid.lower()
    return {
        "SDTM": study / "tabulations" / "sdtm",
        "ADAM": study / "analysis" / "adam" / "datasets",
        "JSON-SDTM": root / "dataset-json" / "sdtm",
        "JSON-ADAM": root / "dataset-json" / "adam",
    }


def _export_error(err: ExportError, dataset: ExportDataset, file: Path) -> Finding:
    return Finding(stage="export", rule="EXPORT-UNWRITABLE", severity=Severity.ERROR, message=str(err),
                   dataset=dataset.name, file=str(file), row=getattr(err, "row", None),
                   variable=getattr(err, "variable", None), value=getattr(err, "value", None),
                   expected=getattr(err, "expected", None))


def export_stage(context: "RunContext") -> Report:
    from cdisc_pipe.export.dataset_json import write_dataset_json
    from cdisc_pipe.export.define import write_define
    from cdisc_pipe.export.oids import mdv_oid, study_oid
    from cdisc_pipe.export.xpt import write_xpt

    study = context.study
    timestamp = submission_timestamp(study)
    sdtm, adam = context.results["sdtm"], context.results["adam"]
    datasets = prepare_datasets(sdtm=sdtm.domains, sdtm_spec=sdtm.spec, adam=adam.datasets, adam_spec=adam.spec,
                                timestamp=timestamp)
    root = context.staging.path
    folders = tree_paths(root, study.studyid)
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    report = Report()
    for dataset in datasets.values():
        xpt = folders[dataset.model] / f"{dataset.name.lower()}.xpt"
        try:
            write_xpt(dataset.frame, xpt, dataset.metadata)
        except ExportError as err:
            report.add(_export_error(err, dataset, xpt))
            continue
        json_folder = folders[f"JSON-{dataset.model}"]
        for ndjson in (False, True):
            target = json_folder / f"{dataset.name.lower()}.{'ndjson' if ndjson else 'json'}"
            write_dataset_json(dataset.frame, target, dataset.metadata, study_oid=study_oid(study.studyid),
                               metadata_version_oid=mdv_oid(study.studyid, dataset.model), created=timestamp,
                               originator=study.sponsor, source_system=("cdisc_pipe", _version()),
                               define_href=Path(os.path.relpath(folders[dataset.model] / "define.xml",
                                                                json_folder)).as_posix(),
                               ndjson=ndjson)
    if report.has_errors:
        (context.reports_dir() / "export-findings.json").write_text(report.to_json(), encoding="utf-8")
        return report
    for model in ("SDTM", "ADAM"):
        chosen = {n: d for n, d in datasets.items() if d.model == model}
        report.extend(write_define(chosen, folders[model], model=model, study=study, timestamp=timestamp).findings)
    frames = {name: d.frame for name, d in datasets.items()}
    report.extend(preflight(folders["SDTM"], folders["ADAM"], frames, study.studyid).findings)
    (context.reports_dir() / "export-findings.json").write_text(report.to_json(), encoding="utf-8")
    outputs = file_hashes(root, [p for p in root.rglob("*") if p.is_file() and "reports" not in p.parts])
    inputs = {"raw export": file_hashes(context.raw if context.raw.is_dir() else context.raw.parent,
                                        [context.raw] if context.raw.is_file() else None),
              "study spec": file_hashes(study.root, [p for p in study.root.rglob("*")
                                                     if p.is_file() and context.raw not in p.parents])}
    write_manifest(build_manifest(studyid=study.studyid, timestamp=timestamp, ct_version=study.ct_version,
                                  inputs=inputs, outputs=outputs), root / "manifest.json")
    context.results["export"] = datasets
    return report


def _version() -> str:
    from cdisc_pipe import __version__

    return __version__
