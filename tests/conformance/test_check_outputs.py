"""``check_folder`` on real folders: the default study's export, the CDISC pilot and the MSG samples
(../shared, skipped where absent); and the report files it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cdisc_pipe
from cdisc_pipe.conformance import check_folder, write_report

@pytest.fixture(scope="module")
def study_out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("check") / "out"
    result = cdisc_pipe.run(out=folder, until="export")
    assert result.ok
    return folder


@pytest.fixture(scope="module")
def study_report(study_out: Path):
    return check_folder(study_out / "m5")


@pytest.mark.slow
def test_default_study_checks_both_standards_without_rejects(study_report) -> None:
    assert study_report.count(cdisc_pipe.conformance.CheckSeverity.REJECT) == 0
    assert {d.standard for d in study_report.study.datasets.values()} == {"SDTM", "ADaM"}
    assert len(study_report.study.defines) == 2


@pytest.mark.slow
def test_default_study_has_no_reject_or_error(study_report) -> None:
    errors = study_report.issues[study_report.issues["severity"].isin(["Reject", "Error"])]
    assert errors.empty, errors.head(10).to_string()
    assert not study_report.has_errors


@pytest.mark.slow
def test_report_files_are_written_the_same_twice(study_report, tmp_path: Path) -> None:
    first = write_report(study_report, tmp_path / "a")
    second = write_report(study_report, tmp_path / "b")
    assert first.json.read_bytes() == second.json.read_bytes()
    assert first.html.read_bytes() == second.html.read_bytes()
    payload = json.loads(first.json.read_text(encoding="utf-8"))
    assert set(payload) == {"tool", "source", "defines", "counts", "dataset_summary", "issue_summary", "details",
                            "rules"}
    assert payload["counts"] == study_report.counts()
    assert len(payload["details"]) == len(study_report.issues)
    html = first.html.read_text(encoding="utf-8")
    for heading in ("Dataset Summary", "Issue Summary", "Details", "Rules"):
        assert f">{heading}</h2>" in html


def _summary(report) -> dict[str, int]:
    return {rule: int(n) for rule, n in report.issues.groupby("rule").size().items()}


@pytest.mark.reference
def test_cdisc_pilot_findings(reference_dir: Path) -> None:
    """What docs/conformance.md reports for the pilot (SDTMIG 3.1.2, 2012): kept in step with it."""
    report = check_folder(reference_dir / "cdiscpilot01")
    assert _summary(report) == {
        "AD-CT-DEFINE": 28, "SD-ACTARMCD-ACTARM-PAIR": 52, "SD-ACTARMCD-TA": 52, "SD-ARM-TA": 52,
        "SD-ARMCD-ARM-PAIR": 52, "SD-ARMCD-TA": 52, "SD-STDY-CALC": 1, "SD-TS-PARAMS": 13, "SD-TS-SSTDTC": 1,
        "XP-ASCII": 3, "XP-DATASET-LABEL": 22, "XP-LENGTH-FIT": 87,
    }


@pytest.mark.reference
def test_msg_sample_findings(reference_dir: Path) -> None:
    sdtm = check_folder(reference_dir / "msg-samples" / "sdtm-msg-v2.0")
    assert _summary(sdtm) == {"SD-CT-DEFINE": 26, "SD-REQ-NULL-DOMAIN": 74, "XP-LENGTH-FIT": 78}
    adam = check_folder(reference_dir / "msg-samples" / "adam-msg-v1.0")
    assert _summary(adam) == {"XP-DATASET-LABEL": 3, "XP-LENGTH-FIT": 7}
