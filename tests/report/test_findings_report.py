"""The findings reports: CSV and JSON for tools, HTML for data managers; same inputs, same bytes."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.errors import FINDING_COLUMNS, InputError, Report
from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.raw.validate import validate_raw
from cdisc_pipe.report import build_findings_context, render_findings_html, templates_dir, write_findings

DM = {
    "SUBJECT": ["01-001", "01-002"], "SITENUMBER": ["01", "01"], "FOLDER": ["SCRN", "SCRN"],
    "INITIALS": ["ABC", None], "BRTHDAT": ["12 JUN 1970", "UN MAR 1965"], "SEX": ["1", "2"],
    "ETHNIC": ["2", "2"], "RACE": ["1", "1"],
}
IC = {
    "SUBJECT": ["01-001", "01-002"], "SITENUMBER": ["01", "01"], "FOLDER": ["SCRN", "SCRN"],
    "ICDAT": ["04 MAR 2019", "10 MAR 2019"], "ICVERS": ["2.0", "2.0"],
}


@pytest.fixture(scope="module")
def two_forms(study):
    return dataclasses.replace(study, forms=(study.form("DM"), study.form("IC")))


def export_of(study, dm: dict, ic: dict | None = IC) -> RawExport:
    forms = {}
    for form_id, columns in (("DM", dm), ("IC", ic)):
        if columns is None:
            continue
        frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
        frame[ROW] = range(1, len(frame) + 1)
        forms[form_id] = RawForm(study.form(form_id), frame, study.form(form_id).file)
    return RawExport(source=Path("/data/exports/hucmsc-2023-10-01"), format="csv", forms=forms)


def with_dm(**changes) -> dict:
    return {k: list(changes.get(k, v)) for k, v in DM.items()}


def test_writes_the_three_files(tmp_path, two_forms):
    export = export_of(two_forms, with_dm(SEX=["9", "2"], INITIALS=["ABCDEFG", None]))
    report = validate_raw(export, two_forms)
    files = write_findings(report, tmp_path / "reports", study=two_forms, export=export)
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "raw-findings.csv", "raw-findings.json", "raw-validation.html"
    ]
    with files.csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == FINDING_COLUMNS
    assert [(r["rule"], r["file"], r["row"], r["variable"], r["value"]) for r in rows] == [
        ("RAW-LENGTH", "dm.csv", "1", "INITIALS", "ABCDEFG"),
        ("RAW-CODELIST", "dm.csv", "1", "SEX", "9"),
    ]
    assert files.json.read_text(encoding="utf-8") == report.to_json()
    assert Report.from_json(files.json).findings == report.findings
    assert json.loads(files.json.read_text(encoding="utf-8"))["counts"] == {"Error": 2, "Warning": 0, "Notice": 0}


def test_same_inputs_give_the_same_bytes(tmp_path, two_forms):
    export = export_of(two_forms, with_dm(SEX=["9", "2"]))
    report = validate_raw(export, two_forms)
    first = write_findings(report, tmp_path / "a", study=two_forms, export=export)
    second = write_findings(report, tmp_path / "b", study=two_forms, export=export)
    for a, b in zip(dataclasses.astuple(first), dataclasses.astuple(second), strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert b"\r\n" not in first.csv.read_bytes()


def test_a_time_is_shown_only_when_passed_in(two_forms):
    export = export_of(two_forms, DM)
    report = validate_raw(export, two_forms)
    assert "Generated" not in render_findings_html(report, study=two_forms, export=export)
    stamped = render_findings_html(report, study=two_forms, export=export, generated_at="2023-10-02 09:00 UTC")
    assert "Generated 2023-10-02 09:00 UTC." in stamped


def test_a_clean_export_says_so_and_shows_what_was_checked(two_forms):
    export = export_of(two_forms, DM)
    report = validate_raw(export, two_forms)
    assert report.findings == []
    html = render_findings_html(report, study=two_forms, export=export)
    assert "No findings: every form passed every check listed below." in html
    assert "2 of 2 forms, 4 records checked" in html
    assert "<code>hucmsc-2023-10-01</code> (csv)" in html  # the export's name, not a machine-specific path
    assert "/data/exports" not in html
    for rule in ("RAW-REQUIRED", "RAW-DATE-INVALID", "RAW-BEFORE-CONSENT", "RAW-SITE-INCONSISTENT"):
        assert f"<code>{rule}</code>" in html
    assert "<h2>Details</h2>" not in html


def test_summary_per_severity_form_and_rule(two_forms):
    export = export_of(two_forms, with_dm(SEX=["9", "7"], INITIALS=["ABCDEFG", None]), ic=None)
    report = validate_raw(export, two_forms)
    context = build_findings_context(report, study=two_forms, export=export)
    assert context["counts"] == {"Error": 4, "Warning": 0, "Notice": 0} and context["total"] == 4
    dm, ic = context["forms"]
    assert (dm.id, dm.present, dm.records, dm.columns, dm.counts["Error"]) == ("DM", True, 2, 8, 3)
    assert (ic.id, ic.present, ic.records, ic.counts["Error"]) == ("IC", False, 0, 1)
    assert [(r["id"], r["count"]) for r in context["rules"]] == [
        ("RAW-CODELIST", 2), ("RAW-FORM-MISSING", 1), ("RAW-LENGTH", 1)
    ]
    html = render_findings_html(report, study=two_forms, export=export)
    assert "4 error(s) and 0 warning(s)" in html
    assert '<code>ic.csv</code> <span class="Error">(missing)</span>' in html
    assert "`DM.SEX` must be one of &#39;1&#39;, &#39;2&#39; (codelist SEX) (got &#39;7&#39;)" in html


def test_values_are_escaped(two_forms):
    export = export_of(two_forms, with_dm(INITIALS=["<b>", None], SEX=["<script>alert(1)</script>", "2"]))
    html = render_findings_html(validate_raw(export, two_forms), study=two_forms, export=export)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_details_are_capped_per_form_with_a_pointer_to_the_csv(two_forms):
    n = 30
    dm = {k: (v * n)[:n] for k, v in DM.items()}
    dm["SUBJECT"] = [f"01-{i:03d}" for i in range(n)]
    dm["SEX"] = ["9"] * n
    export = export_of(two_forms, dm, ic={k: [] for k in IC})
    report = validate_raw(export, two_forms)
    html = render_findings_html(report, study=two_forms, export=export, max_details_per_form=5)
    dm_count = sum(1 for f in report.findings if f.dataset == "DM")
    assert f"&hellip; and {dm_count - 5} more finding(s) for DM; see <code>raw-findings.csv</code>." in html


def test_templates_are_found_in_the_checkout():
    folder = templates_dir()
    assert (folder / "findings.html.j2").is_file()
    assert folder == Path(__file__).resolve().parents[2] / "templates"


def test_a_missing_template_is_an_input_error_naming_where_it_looked():
    expected = r"template 'no-such.html.j2' must exist in a templates folder \(got none in '"
    with pytest.raises(InputError, match=expected):
        templates_dir("no-such.html.j2")


def test_templates_follow_cdisc_pipe_home(tmp_path, monkeypatch, two_forms):
    (tmp_path / "specs").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "findings.html.j2").write_text("{{ total }} finding(s) for {{ study.studyid }}\n",
                                                             encoding="utf-8")
    monkeypatch.setenv("CDISC_PIPE_HOME", str(tmp_path))
    assert templates_dir() == tmp_path / "templates"
    export = export_of(two_forms, DM)
    assert render_findings_html(validate_raw(export, two_forms), study=two_forms, export=export) == (
        "0 finding(s) for HUCMSC-DLC\n"
    )


def test_an_explicit_templates_folder_wins(tmp_path, two_forms):
    (tmp_path / "findings.html.j2").write_text("custom {{ has_errors }}\n", encoding="utf-8")
    export = export_of(two_forms, DM)
    html = render_findings_html(Report(), study=two_forms, export=export, templates=tmp_path)
    assert html == "custom False\n"
