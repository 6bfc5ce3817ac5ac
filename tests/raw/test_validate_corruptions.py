"""Distinct corruptions of a whole raw export, each caught at the exact file, row, column and value.

Each corruption edits the CSV files of a copy of the export (as a data manager would find them), reads
the copy back with ``read_raw`` and validates it. The findings *new* against the untouched export must be
exactly the ones named. The tests run on the shipped default export (``specs/hucmsc-dlc/raw``; skipped
with a reason while it is absent) and on a synthetic export built from the spec, so they also guard
the checks on any study.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from validate_synthetic import write_synthetic_csv

from cdisc_pipe.paths import default_raw_dir
from cdisc_pipe.raw.dates import format_edc_dates, parse_edc_dates
from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.raw.validate import validate_raw


@pytest.fixture(scope="module", params=["shipped", "synthetic"])
def source(request, study, tmp_path_factory) -> Path:
    if request.param == "synthetic":
        return write_synthetic_csv(study, 12, tmp_path_factory.mktemp("synthetic"))
    shipped = default_raw_dir(study.root)
    if not (shipped / study.form("DM").file).is_file():
        pytest.fail(f"the default export must be shipped in {shipped} (regenerate: `cdisc-pipe simulate --out {shipped}`)")
    return shipped


@pytest.fixture(scope="module")
def baseline(source, study):
    export = read_raw(source, study)
    return export, _keys(validate_raw(export, study))


def _keys(report) -> set[tuple]:
    return {(f.rule, f.file, f.row, f.variable, f.value) for f in report.findings}


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


class Corrupt:
    """A copy of the export in ``tmp_path`` to edit cell by cell (rows are 1-based data rows)."""

    def __init__(self, source: Path, tmp_path: Path) -> None:
        self.dir = tmp_path / "raw"
        shutil.copytree(source, self.dir)

    def set(self, file: str, row: int, column: str, value: str) -> Corrupt:
        header, rows = _read(self.dir / file)
        rows[row - 1][header.index(column)] = value
        _write(self.dir / file, header, rows)
        return self

    def drop_column(self, file: str, column: str) -> Corrupt:
        header, rows = _read(self.dir / file)
        at = header.index(column)
        _write(self.dir / file, header[:at] + header[at + 1:], [r[:at] + r[at + 1:] for r in rows])
        return self

    def add_column(self, file: str, column: str, value: str) -> Corrupt:
        header, rows = _read(self.dir / file)
        _write(self.dir / file, [*header, column], [[*r, value] for r in rows])
        return self

    def append_copy(self, file: str, row: int) -> int:
        header, rows = _read(self.dir / file)
        _write(self.dir / file, header, [*rows, rows[row - 1]])
        return len(rows) + 1

    def drop_rows(self, file: str, keep) -> Corrupt:
        header, rows = _read(self.dir / file)
        _write(self.dir / file, header, [r for r in rows if keep(dict(zip(header, r, strict=True)))])
        return self

    def delete(self, file: str) -> Corrupt:
        (self.dir / file).unlink()
        return self


@pytest.fixture()
def corrupt(source, tmp_path) -> Corrupt:
    return Corrupt(source, tmp_path)


def new_findings(corrupt: Corrupt, study, baseline) -> set[tuple]:
    return _keys(validate_raw(read_raw(corrupt.dir, study), study)) - baseline[1]


def cell(export, form_id: str, row: int, column: str) -> str:
    return export.forms[form_id].frame[column].iloc[row - 1]


def screen_failures(export, study) -> list[str]:
    enrolled = set(export.forms[study.anchors.enrolment[0]].frame[study.raw.subject])
    return [s for s in export.forms[study.anchors.screening_form].frame[study.raw.subject] if s not in enrolled]


def consent_of(export, study, subject: str) -> pd.Timestamp:
    form, field = study.anchors.consent
    frame = export.forms[form].frame
    entered = frame.loc[frame[study.raw.subject] == subject, field]
    return parse_edc_dates(entered)["earliest"].iloc[0]


def test_the_untouched_export_has_no_errors(baseline):
    errors = {k for k in baseline[1] if k[0] not in ("RAW-COL-EXTRA", "RAW-FIELD-NOT-SCHEDULED",
                                                      "RAW-DATE-AFTER-CUTOFF")}
    assert errors == set()


def test_impossible_date(corrupt, study, baseline):
    corrupt.set("ex.csv", 1, "EXSTDAT", "30 FEB 2020")
    assert new_findings(corrupt, study, baseline) == {("RAW-DATE-INVALID", "ex.csv", 1, "EXSTDAT", "30 FEB 2020")}


def test_partial_date_where_not_allowed(corrupt, study, baseline):
    corrupt.set("ex.csv", 2, "EXSTDAT", "UN MAR 2020")
    assert new_findings(corrupt, study, baseline) == {
        ("RAW-DATE-PARTIAL-NOT-ALLOWED", "ex.csv", 2, "EXSTDAT", "UN MAR 2020")
    }


def test_lower_case_month(corrupt, study, baseline):
    export = baseline[0]
    entered = cell(export, "DM", 1, "BRTHDAT")
    corrupt.set("dm.csv", 1, "BRTHDAT", entered.lower())
    assert new_findings(corrupt, study, baseline) == {("RAW-DATE-INVALID", "dm.csv", 1, "BRTHDAT", entered.lower())}


def test_day_without_month(corrupt, study, baseline):
    corrupt.set("ae.csv", 1, "AEENDAT", "05 UNK 2020")
    assert new_findings(corrupt, study, baseline) == {("RAW-DATE-INVALID", "ae.csv", 1, "AEENDAT", "05 UNK 2020")}


def test_out_of_range_lab_value(corrupt, study, baseline):
    corrupt.set("lb_liver.csv", 3, "ALT", "99999")
    assert new_findings(corrupt, study, baseline) == {("RAW-RANGE", "lb_liver.csv", 3, "ALT", "99999")}


def test_text_in_a_numeric_field(corrupt, study, baseline):
    corrupt.set("lb_hem.csv", 1, "HGB", "12O")
    assert new_findings(corrupt, study, baseline) == {("RAW-TYPE-FLOAT", "lb_hem.csv", 1, "HGB", "12O")}


def test_decimal_in_an_integer_field(corrupt, study, baseline):
    corrupt.set("vs.csv", 2, "SYSBP", "120.5")
    assert new_findings(corrupt, study, baseline) == {("RAW-TYPE-INTEGER", "vs.csv", 2, "SYSBP", "120.5")}


def test_unknown_coded_value(corrupt, study, baseline):
    corrupt.set("dm.csv", 2, "SEX", "3")
    assert new_findings(corrupt, study, baseline) == {("RAW-CODELIST", "dm.csv", 2, "SEX", "3")}


def test_missing_required_value(corrupt, study, baseline):
    corrupt.set("ae.csv", 1, "AETERM", "")
    assert new_findings(corrupt, study, baseline) == {("RAW-REQUIRED", "ae.csv", 1, "AETERM", None)}


def test_bad_time(corrupt, study, baseline):
    corrupt.set("ex.csv", 1, "EXSTTIM", "25:61")
    assert new_findings(corrupt, study, baseline) == {("RAW-TIME-INVALID", "ex.csv", 1, "EXSTTIM", "25:61")}


def test_over_long_text(corrupt, study, baseline):
    corrupt.set("ae.csv", 1, "AETERM", "X" * 201)
    assert new_findings(corrupt, study, baseline) == {("RAW-LENGTH", "ae.csv", 1, "AETERM", "X" * 201)}


def test_duplicate_record(corrupt, study, baseline):
    export = baseline[0]
    added = corrupt.append_copy("lb_hem.csv", 1)
    key = f"{cell(export, 'LBHEM', 1, 'SUBJECT')}, {cell(export, 'LBHEM', 1, 'FOLDER')}"
    assert new_findings(corrupt, study, baseline) == {
        ("RAW-KEY-DUPLICATE", "lb_hem.csv", added, "SUBJECT, FOLDER", key)
    }


def test_folder_not_scheduled_for_the_form(corrupt, study, baseline):
    corrupt.set("lb_liver.csv", 1, "FOLDER", "D008")
    assert new_findings(corrupt, study, baseline) == {("RAW-VISIT-UNKNOWN", "lb_liver.csv", 1, "FOLDER", "D008")}


def test_folder_not_in_the_study_schedule(corrupt, study, baseline):
    corrupt.set("vs.csv", 1, "FOLDER", "D999")
    found = new_findings(corrupt, study, baseline)
    assert ("RAW-VISIT-UNKNOWN", "vs.csv", 1, "FOLDER", "D999") in found
    assert {f[0] for f in found} <= {"RAW-VISIT-UNKNOWN", "RAW-FIELD-NOT-SCHEDULED"}  # height, if row 1 is SCRN


def test_subject_not_screened(corrupt, study, baseline):
    corrupt.set("ae.csv", 1, "SUBJECT", "99-999")
    assert new_findings(corrupt, study, baseline) == {("RAW-SUBJECT-NOT-SCREENED", "ae.csv", 1, "SUBJECT", "99-999")}


def test_adverse_event_before_consent(corrupt, study, baseline):
    export = baseline[0]
    consent = consent_of(export, study, cell(export, "AE", 1, "SUBJECT"))
    day_before = format_edc_dates(pd.Series([(consent - pd.Timedelta(days=1)).strftime("%Y-%m-%d")])).iloc[0]
    corrupt.set("ae.csv", 1, "AESTDAT", day_before)
    assert new_findings(corrupt, study, baseline) == {("RAW-BEFORE-CONSENT", "ae.csv", 1, "AESTDAT", day_before)}


def test_infusion_for_a_screen_failure(corrupt, study, baseline):
    export = baseline[0]
    failure = screen_failures(export, study)[0]
    consent = consent_of(export, study, failure)
    infusions = parse_edc_dates(export.forms["EX"].frame["EXSTDAT"])["earliest"]
    row = int((infusions >= consent).to_numpy().argmax()) + 1
    corrupt.set("ex.csv", row, "SUBJECT", failure)
    assert new_findings(corrupt, study, baseline) == {("RAW-NOT-ENROLLED", "ex.csv", row, "SUBJECT", failure)}


def test_site_mismatch(corrupt, study, baseline):
    other = cell(baseline[0], "DM", 1, "SITENUMBER") + "9"
    corrupt.set("ae.csv", 1, "SITENUMBER", other)
    assert new_findings(corrupt, study, baseline) == {("RAW-SITE-INCONSISTENT", "ae.csv", 1, "SITENUMBER", other)}


def test_height_outside_screening(corrupt, study, baseline):
    folders = baseline[0].forms["VS"].frame["FOLDER"]
    row = int((folders != "SCRN").to_numpy().argmax()) + 1
    corrupt.set("vs.csv", row, "HEIGHT", "170")
    assert new_findings(corrupt, study, baseline) == {("RAW-FIELD-NOT-SCHEDULED", "vs.csv", row, "HEIGHT", "170")}


def test_dropped_column(corrupt, study, baseline):
    corrupt.drop_column("ae.csv", "AEGRADE")
    assert new_findings(corrupt, study, baseline) == {("RAW-COL-MISSING", "ae.csv", None, "AEGRADE", None)}


def test_added_column(corrupt, study, baseline):
    corrupt.add_column("vs.csv", "COMMENTS", "checked")
    assert new_findings(corrupt, study, baseline) == {("RAW-COL-EXTRA", "vs.csv", None, "COMMENTS", None)}


def test_missing_form_file(corrupt, study, baseline):
    corrupt.delete("vs.csv")
    assert new_findings(corrupt, study, baseline) == {("RAW-FORM-MISSING", "vs.csv", None, None, None)}


def test_consent_record_missing(corrupt, study, baseline):
    export = baseline[0]
    subject = screen_failures(export, study)[0]
    row = int((export.forms["DM"].frame["SUBJECT"] == subject).to_numpy().argmax()) + 1
    corrupt.drop_rows("ic.csv", lambda record: record["SUBJECT"] != subject)
    assert new_findings(corrupt, study, baseline) == {("RAW-CONSENT-MISSING", "dm.csv", row, "SUBJECT", subject)}
