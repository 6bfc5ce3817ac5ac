"""The export stage on the default study: the eCTD tree, the manifest, the checks, SOURCE_DATE_EPOCH, and a
value a transport file cannot hold (an error naming dataset, variable, row and value; nothing published)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import cdisc_pipe
from cdisc_pipe.export.manifest import sha256

STUDY = "hucmsc-dlc"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "out"
    result = cdisc_pipe.run(out=folder, until="export")
    assert result.ok, result.report().to_frame().head(10).to_string()
    return folder


def test_the_tree_holds_every_dataset_and_both_defines(out):
    sdtm = out / "m5" / "datasets" / STUDY / "tabulations" / "sdtm"
    adam = out / "m5" / "datasets" / STUDY / "analysis" / "adam" / "datasets"
    assert {"dm.xpt", "ts.xpt", "ae.xpt", "suppae.xpt", "relrec.xpt", "define.xml", "define.html"} <= {
        p.name for p in sdtm.iterdir()}
    assert {"adsl.xpt", "adlb.xpt", "adtte.xpt", "define.xml"} <= {p.name for p in adam.iterdir()}
    assert all(p.name == p.name.lower() for p in [*sdtm.iterdir(), *adam.iterdir()])
    for model, folder in (("sdtm", sdtm), ("adam", adam)):
        json_names = {p.stem for p in (out / "dataset-json" / model).glob("*.json")}
        ndjson_names = {p.stem for p in (out / "dataset-json" / model).glob("*.ndjson")}
        xpt_names = {p.stem for p in folder.glob("*.xpt")}
        assert json_names == ndjson_names == xpt_names


def test_the_manifest_hashes_every_output_and_input(out):
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs = manifest["outputs"]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                     if p.is_file() and p.name != "manifest.json" and "reports" not in p.parts)
    assert sorted(outputs) == written
    for relative, digest in outputs.items():
        assert sha256(out / relative) == digest, relative
    assert "dm.csv" in manifest["inputs"]["raw export"]
    assert "study.yaml" in manifest["inputs"]["study spec"]
    assert manifest["standards"]["Define-XML"] == "2.1"
    assert manifest["created"] == "2023-11-15T09:00:00"


def test_the_export_checks_find_no_error(out):
    findings = json.loads((out / "reports" / "export-findings.json").read_text(encoding="utf-8"))
    rows = findings["findings"] if isinstance(findings, dict) else findings
    assert [f for f in rows if f["severity"] == "Error"] == []
    assert not [f for f in rows if f["rule"].startswith(("FDA-", "PREFLIGHT-"))]


def test_xpt_headers_carry_the_study_timestamp_or_source_date_epoch(out, tmp_path, monkeypatch):
    _, meta = cdisc_pipe.read_xpt(out / "m5" / "datasets" / STUDY / "tabulations" / "sdtm" / "dm.xpt")
    assert str(meta.created) == "2023-11-15 09:00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    again = tmp_path / "again"
    assert cdisc_pipe.run(out=again, until="export").ok
    _, meta = cdisc_pipe.read_xpt(again / "m5" / "datasets" / STUDY / "tabulations" / "sdtm" / "dm.xpt")
    assert str(meta.created) == "2023-11-14 22:13:20"


def test_a_value_xpt_cannot_hold_is_an_error_and_nothing_is_published(tmp_path, study_dir):
    raw = tmp_path / "raw"
    shutil.copytree(study_dir / "raw", raw)
    path = raw / "cm.csv"
    text = path.read_text(encoding="utf-8").replace("Entecavir", "Entécavir", 1)
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = cdisc_pipe.run(raw=raw, out=out, until="export")
    assert not result.ok and result.failed_stage == "export"
    errors = [f for f in result.report().findings if f.rule == "EXPORT-UNWRITABLE"]
    assert errors and errors[0].dataset == "CM" and errors[0].variable == "CMTRT"
    assert "Entécavir" in errors[0].message and errors[0].row is not None
    assert not (out / "m5").exists() and not (out / "sdtm").exists()
    assert (out / "reports" / "export-findings.json").is_file()
