"""`cdisc-pipe run` end to end on the shipped default export, and on a corrupted copy of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cdisc_pipe.cli import main
from cdisc_pipe.paths import default_raw_dir


@pytest.fixture(scope="module")
def shipped_raw(study_dir) -> Path:
    raw = default_raw_dir(study_dir)
    if not (raw / "dm.csv").is_file():
        pytest.fail(f"the default study's raw export must be shipped in {raw}")
    return raw


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_run_on_default_study_exits_0_and_writes_reports(tmp_path, shipped_raw, capsys):
    out = tmp_path / "out"
    assert main(["run", "--out", str(out)]) == 0
    reports = out / "reports"
    assert {p.name for p in reports.iterdir()} >= {"raw-validation.html", "raw-findings.csv", "raw-findings.json"}
    payload = json.loads((reports / "raw-findings.json").read_text(encoding="utf-8"))
    assert payload["counts"]["Error"] == 0
    err = capsys.readouterr().err
    assert "cdisc-pipe: validate-raw: ok in" in err  # plain log lines when not a terminal
    assert f"cdisc-pipe: done; outputs in {out}" in err


def test_reruns_give_identical_bytes(tmp_path, shipped_raw):
    assert main(["run", "--out", str(tmp_path / "a")]) == 0
    assert main(["run", "--out", str(tmp_path / "b")]) == 0
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_corrupted_export_exits_1_and_keeps_earlier_outputs(tmp_path, shipped_raw, capsys):
    out = tmp_path / "out"
    assert main(["run", "--out", str(out)]) == 0
    (out / "keep.txt").write_text("an earlier output\n", encoding="utf-8")
    before = _tree(out)

    raw = tmp_path / "raw"
    shutil.copytree(shipped_raw, raw)
    lines = (raw / "ex.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[1].rstrip("\n").split(",")
    original = cells[header.index("EXSTDAT")]
    cells[header.index("EXSTDAT")] = "30 FEB 2020"
    lines[1] = ",".join(cells) + "\n"
    (raw / "ex.csv").write_text("".join(lines), encoding="utf-8")

    assert main(["run", "--raw", str(raw), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stage 'validate-raw' found" in err
    assert "ex.csv:1" in err and "EXSTDAT" in err and "30 FEB 2020" in err
    after = _tree(out)
    assert after["keep.txt"] == before["keep.txt"]
    findings = json.loads(after["reports/raw-findings.json"])
    hit = [f for f in findings["findings"] if f["file"] == "ex.csv" and f["variable"] == "EXSTDAT"]
    assert hit and hit[0]["row"] == 1 and hit[0]["value"] == "30 FEB 2020", original


def test_unclaimed_file_is_a_warning_not_silence(tmp_path, shipped_raw):
    raw = tmp_path / "raw"
    shutil.copytree(shipped_raw, raw)
    (raw / "lb_urine.csv").write_text("SUBJECT,UROBIL\n01-002,3\n", encoding="utf-8")
    assert main(["validate-raw", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    findings = json.loads((tmp_path / "out" / "reports" / "raw-findings.json").read_text(encoding="utf-8"))
    [hit] = [f for f in findings["findings"] if f["rule"] == "RAW-FILE-UNCLAIMED"]
    assert (hit["severity"], hit["file"]) == ("Warning", "lb_urine.csv")


def test_unreadable_input_exits_1_and_leaves_no_trace(tmp_path, shipped_raw, capsys):
    out = tmp_path / "out"
    assert main(["validate-raw", "--out", str(out)]) == 0
    before = _tree(out)
    raw = tmp_path / "raw"
    shutil.copytree(shipped_raw, raw)
    (raw / "ae.csv").write_bytes(b"SUBJECT,SITENUMBER\n01-002,01,extra\n")  # a row with too many fields
    assert main(["run", "--raw", str(raw), "--out", str(out)]) == 1
    assert "cdisc-pipe: input error:" in capsys.readouterr().err
    assert _tree(out) == before
    assert not list(out.glob(".staging-*"))
