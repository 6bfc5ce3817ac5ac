"""One test per raw-validation rule, failing and passing case, on small literal exports.

The clean export below is valid for every rule; each case changes one value and names the one finding it
must give (file, row, variable, value), and a second value that must give none.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.errors import Severity
from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.raw.validate import validate_raw

N = None
CLEAN: dict[str, dict[str, list]] = {
    "DM": {
        "SUBJECT": ["01-001", "01-002"], "SITENUMBER": ["01", "01"], "FOLDER": ["SCRN", "SCRN"],
        "INITIALS": ["ABC", N], "BRTHDAT": ["12 JUN 1970", "UN MAR 1965"], "SEX": ["1", "2"],
        "ETHNIC": ["2", "2"], "RACE": ["1", "1"],
    },
    "IC": {
        "SUBJECT": ["01-001", "01-002"], "SITENUMBER": ["01", "01"], "FOLDER": ["SCRN", "SCRN"],
        "ICDAT": ["04 MAR 2019", "10 MAR 2019"], "ICVERS": ["2.0", "2.0"],
    },
    "ENR": {
        "SUBJECT": ["01-001"], "SITENUMBER": ["01"], "FOLDER": ["SCRN"], "ENRDAT": ["11 MAR 2019"],
        "DOSEGRP": ["1"],
    },
    "EX": {
        "SUBJECT": ["01-001"], "SITENUMBER": ["01"], "FOLDER": ["D001"], "EXSTDAT": ["18 MAR 2019"],
        "EXSTTIM": ["09:30"], "EXENTIM": ["10:15"], "EXDOSE": ["2.5E7"], "EXVOL": ["100"], "EXROUTE": ["IV"],
    },
    "VS": {
        "SUBJECT": ["01-001", "01-001"], "SITENUMBER": ["01", "01"], "FOLDER": ["SCRN", "D001"],
        "VSDAT": ["05 MAR 2019", "18 MAR 2019"], "SYSBP": ["120", "118"], "DIABP": ["80", "76"],
        "PULSE": ["72", "70"], "TEMP": ["36.6", "36.8"], "RESP": ["16", "16"], "WEIGHT": ["61.5", "61.0"],
        "HEIGHT": ["170", N],
    },
    "AE": {
        "SUBJECT": ["01-001"], "SITENUMBER": ["01"], "RECORDPOSITION": ["1"], "AETERM": ["Fever"],
        "AESTDAT": ["UN MAR 2019"], "AEENDAT": ["20 MAR 2019"], "AEONGO": ["0"], "AEGRADE": ["1"],
        "AESER": ["0"], "AESDTH": [N], "AESLIFE": [N], "AESHOSP": [N], "AESDISAB": [N], "AESCONG": [N],
        "AESMIE": [N], "AEREL": ["3"], "AEACN": ["5"], "AEOUT": ["1"],
    },
}
FILES = {"DM": "dm.csv", "IC": "ic.csv", "ENR": "enr.csv", "EX": "ex.csv", "VS": "vs.csv", "AE": "ae.csv"}


@pytest.fixture(scope="module")
def small_study(study):
    """The default study restricted to the forms of :data:`CLEAN`."""
    return dataclasses.replace(study, forms=tuple(f for f in study.forms if f.id in CLEAN))


def frame_of(columns: dict[str, list]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(values, dtype="str") for name, values in columns.items()})
    frame[ROW] = range(1, len(frame) + 1)
    return frame


def export_of(study, data: dict[str, dict[str, list]]) -> RawExport:
    forms = {}
    for form in study.forms:
        if form.id in data:
            frame = frame_of(data[form.id])
            missing = tuple(n for n in form.field_names if n not in frame.columns)
            extra = tuple(c for c in frame.columns if c != ROW and c not in form.field_names)
            forms[form.id] = RawForm(form, frame, form.file, missing_columns=missing, extra_columns=extra)
    missing_forms = tuple(f.id for f in study.forms if f.id not in data)
    return RawExport(source=__import__("pathlib").Path("literal"), format="csv", forms=forms,
                     missing_forms=missing_forms)


def changed(form: str, row: int, column: str, value) -> dict[str, dict[str, list]]:
    """A copy of CLEAN with one cell (1-based row) replaced; CLEAN itself is never modified."""
    data = {f: {c: list(v) for c, v in cols.items()} for f, cols in CLEAN.items()}
    data[form][column][row - 1] = value
    return data


def hits(report, rule: str | None = None) -> list[tuple]:
    return [(f.rule, f.file, f.row, f.variable, f.value) for f in report.findings if rule in (None, f.rule)]


def test_the_clean_export_has_no_findings(small_study):
    report = validate_raw(export_of(small_study, CLEAN), small_study)
    assert report.findings == []


VALUE_CASES = [
    # rule, form, row, column, bad value, good value
    ("RAW-REQUIRED", "DM", 1, "SEX", N, "1"),
    ("RAW-REQUIRED", "DM", 1, "SEX", "  ", "2"),
    ("RAW-TYPE-INTEGER", "VS", 1, "SYSBP", "12O", "+120"),
    ("RAW-TYPE-INTEGER", "VS", 2, "PULSE", "70.0", "70"),
    ("RAW-TYPE-FLOAT", "EX", 1, "EXVOL", "1,5", "1.5"),
    ("RAW-TYPE-FLOAT", "VS", 1, "TEMP", "nan", ".37E2"),
    ("RAW-RANGE", "AE", 1, "AEGRADE", "6", "5"),
    ("RAW-RANGE", "VS", 1, "TEMP", "43.01", "43"),
    ("RAW-RANGE", "EX", 1, "EXDOSE", "1E10", "1E9"),
    ("RAW-CODELIST", "DM", 1, "SEX", "M", "2"),
    ("RAW-CODELIST", "EX", 1, "EXROUTE", "iv", "PO"),
    ("RAW-DATE-INVALID", "AE", 1, "AEENDAT", "30 FEB 2020", "29 FEB 2020"),
    ("RAW-DATE-INVALID", "AE", 1, "AEENDAT", "05 UNK 2019", "UN UNK 2019"),
    ("RAW-DATE-INVALID", "DM", 2, "BRTHDAT", "05 mar 1965", "05 MAR 1965"),
    ("RAW-DATE-PARTIAL-NOT-ALLOWED", "EX", 1, "EXSTDAT", "UN MAR 2019", "31 MAR 2019"),
    ("RAW-TIME-INVALID", "EX", 1, "EXSTTIM", "25:61", "23:59"),
    ("RAW-TIME-INVALID", "EX", 1, "EXENTIM", "24:00", "00:00"),
    ("RAW-LENGTH", "DM", 1, "INITIALS", "ABCDE", "ABCD"),
    ("RAW-VISIT-UNKNOWN", "EX", 1, "FOLDER", "D029", "D008"),
    ("RAW-VISIT-UNKNOWN", "VS", 2, "FOLDER", "D999", "D169"),
    ("RAW-FIELD-NOT-SCHEDULED", "VS", 2, "HEIGHT", "171", N),
    ("RAW-DATE-AFTER-CUTOFF", "AE", 1, "AEENDAT", "01 OCT 2023", "30 SEP 2023"),
    ("RAW-DATE-AFTER-CUTOFF", "AE", 1, "AEENDAT", "UN OCT 2023", "UN SEP 2023"),
    ("RAW-SUBJECT-NOT-SCREENED", "AE", 1, "SUBJECT", "01-099", "01-001"),
    ("RAW-BEFORE-CONSENT", "AE", 1, "AESTDAT", "03 MAR 2019", "04 MAR 2019"),
    ("RAW-BEFORE-CONSENT", "AE", 1, "AESTDAT", "UN FEB 2019", "UN MAR 2019"),
    ("RAW-BEFORE-CONSENT", "AE", 1, "AESTDAT", "UN UNK 2018", "UN UNK 2019"),
    ("RAW-NOT-ENROLLED", "EX", 1, "SUBJECT", "01-002", "01-001"),
    ("RAW-SITE-INCONSISTENT", "AE", 1, "SITENUMBER", "02", "01"),
    ("RAW-KEY-DUPLICATE", "VS", 2, "FOLDER", "SCRN", "D008"),
]


@pytest.mark.parametrize(("rule", "form", "row", "column", "bad", "good"), VALUE_CASES,
                         ids=[f"{c[0]}-{c[3]}-{c[4]!r}" for c in VALUE_CASES])
def test_value_rule(small_study, rule, form, row, column, bad, good):
    failing = validate_raw(export_of(small_study, changed(form, row, column, bad)), small_study)
    variable = "SUBJECT, FOLDER" if rule == "RAW-KEY-DUPLICATE" else column
    value = "01-001, SCRN" if rule == "RAW-KEY-DUPLICATE" else bad
    assert hits(failing) == [(rule, FILES[form], row, variable, value)]
    passing = validate_raw(export_of(small_study, changed(form, row, column, good)), small_study)
    assert hits(passing) == []


def test_form_missing(small_study):
    data = {f: cols for f, cols in CLEAN.items() if f != "VS"}
    assert hits(validate_raw(export_of(small_study, data), small_study)) == [
        ("RAW-FORM-MISSING", "vs.csv", None, None, None)
    ]


def test_unclaimed_file_is_a_warning(small_study):
    import dataclasses

    export = dataclasses.replace(export_of(small_study, changed("EX", 1, "EXVOL", "100")),
                                 unclaimed_files=("lb_urine.csv",))
    report = validate_raw(export, small_study)
    assert hits(report) == [("RAW-FILE-UNCLAIMED", "lb_urine.csv", None, None, "lb_urine.csv")]
    assert report.findings[0].severity.value == "Warning"


def test_column_missing(small_study):
    data = changed("EX", 1, "EXVOL", "1")
    del data["EX"]["EXVOL"]
    assert hits(validate_raw(export_of(small_study, data), small_study)) == [
        ("RAW-COL-MISSING", "ex.csv", None, "EXVOL", None)
    ]


def test_column_extra_is_a_warning(small_study):
    data = changed("AE", 1, "AETERM", "Fever")
    data["AE"]["AETERM_CODED"] = ["10016558"]
    report = validate_raw(export_of(small_study, data), small_study)
    assert hits(report) == [("RAW-COL-EXTRA", "ae.csv", None, "AETERM_CODED", None)]
    assert report.findings[0].severity is Severity.WARNING and not report.has_errors


def test_missing_key_column_skips_the_key_check(small_study):
    data = changed("VS", 2, "FOLDER", "SCRN")
    del data["VS"]["FOLDER"]
    assert [h[0] for h in hits(validate_raw(export_of(small_study, data), small_study))] == ["RAW-COL-MISSING"]


def test_records_exceeded(small_study):
    forms = tuple(dataclasses.replace(f, max_records_per_subject=1) if f.id == "AE" else f for f in small_study.forms)
    limited = dataclasses.replace(small_study, forms=forms)
    data = changed("AE", 1, "AETERM", "Fever")
    for column in data["AE"]:
        data["AE"][column] = data["AE"][column] * 2
    data["AE"]["RECORDPOSITION"] = ["1", "2"]
    assert hits(validate_raw(export_of(limited, data), limited)) == [
        ("RAW-RECORDS-EXCEEDED", "ae.csv", 2, "SUBJECT", "01-001")
    ]
    data["AE"]["SUBJECT"] = ["01-001", "01-002"]
    assert hits(validate_raw(export_of(limited, data), limited)) == []


def test_required_only_at_the_fields_own_folders(small_study):
    def with_height_required(form):
        if form.id != "VS":
            return form
        fields = tuple(dataclasses.replace(f, required=True) if f.name == "HEIGHT" else f for f in form.fields)
        return dataclasses.replace(form, fields=fields)

    strict = dataclasses.replace(small_study, forms=tuple(with_height_required(f) for f in small_study.forms))
    assert hits(validate_raw(export_of(strict, CLEAN), strict)) == []  # empty at D001: not collected there
    report = validate_raw(export_of(strict, changed("VS", 1, "HEIGHT", N)), strict)
    assert hits(report) == [("RAW-REQUIRED", "vs.csv", 1, "HEIGHT", None)]


def test_consent_missing(small_study):
    data = changed("IC", 2, "SUBJECT", "01-001")
    for column in data["IC"]:
        data["IC"][column] = data["IC"][column][:1]
    assert hits(validate_raw(export_of(small_study, data), small_study)) == [
        ("RAW-CONSENT-MISSING", "dm.csv", 2, "SUBJECT", "01-002")
    ]


def test_an_empty_column_read_as_numbers_is_still_checked(small_study):
    export = export_of(small_study, CLEAN)
    dm = export.forms["DM"]
    frame = dm.frame.assign(SEX=np.nan, INITIALS=np.nan)  # float columns with nothing in them
    export = dataclasses.replace(export, forms={**export.forms, "DM": dataclasses.replace(dm, frame=frame)})
    assert hits(validate_raw(export, small_study)) == [
        ("RAW-REQUIRED", "dm.csv", 1, "SEX", None), ("RAW-REQUIRED", "dm.csv", 2, "SEX", None)
    ]


def test_misuse_raises_at_once(small_study):
    export = export_of(small_study, CLEAN)
    dm = export.forms["DM"]
    without_rows = dataclasses.replace(dm, frame=dm.frame.drop(columns=[ROW]))
    with pytest.raises(ValueError, match="must hold a complete '_ROW_' column"):
        validate_raw(dataclasses.replace(export, forms={**export.forms, "DM": without_rows}), small_study)
    with pytest.raises(ValueError, match=r"must be keyed by form ids of study 'HUCMSC-DLC' \(got \['XX'\]\)"):
        validate_raw(dataclasses.replace(export, forms={**export.forms, "XX": dm}), small_study)


def test_every_rule_has_a_failing_case_here():
    from cdisc_pipe.raw.rules import RULES

    covered = {c[0] for c in VALUE_CASES} | {
        "RAW-FORM-MISSING", "RAW-COL-MISSING", "RAW-COL-EXTRA", "RAW-RECORDS-EXCEEDED", "RAW-CONSENT-MISSING",
        "RAW-FILE-UNCLAIMED",
    }
    assert covered == set(RULES)


MESSAGES = [
    (("DM", 1, "SEX", N), "`DM.SEX` must be entered, the field is required (got an empty value)"),
    (("AE", 1, "AEGRADE", "6"), "`AE.AEGRADE` must be a whole number from 1 to 5 (got '6')"),
    (("VS", 1, "TEMP", "43.01"), "`VS.TEMP` must be a number from 33 to 43 C (got '43.01')"),
    (("EX", 1, "EXDOSE", "1E10"), "`EX.EXDOSE` must be a number from 1000000 to 1000000000 cells (got '1E10')"),
    (("VS", 1, "SYSBP", "12O"), "`VS.SYSBP` must be a whole number (got '12O')"),
    (("DM", 1, "SEX", "M"), "`DM.SEX` must be one of '1', '2' (codelist SEX) (got 'M')"),
    (("AE", 1, "AEENDAT", "30 FEB 2020"),
     "`AE.AEENDAT` must be a real calendar date written DD MON YYYY, UN MON YYYY or UN UNK YYYY "
     "(got '30 FEB 2020')"),
    (("EX", 1, "EXSTDAT", "UN MAR 2019"),
     "`EX.EXSTDAT` must be a complete date DD MON YYYY, partial dates are not allowed here (got 'UN MAR 2019')"),
    (("EX", 1, "EXSTTIM", "25:61"), "`EX.EXSTTIM` must be a time of day HH:MM from 00:00 to 23:59 (got '25:61')"),
    (("DM", 1, "INITIALS", "ABCDE"), "`DM.INITIALS` must be at most 4 characters long (got 'ABCDE')"),
    (("EX", 1, "FOLDER", "D029"), "`EX.FOLDER` must be a folder scheduled for EX: 'D001', 'D008', 'D015' (got 'D029')"),
    (("VS", 2, "HEIGHT", "171"), "`VS.HEIGHT` must be empty outside folder 'SCRN' (got '171' at folder 'D001')"),
    (("AE", 1, "SUBJECT", "01-099"), "`AE.SUBJECT` must be a subject of the screening form DM (got '01-099')"),
    (("AE", 1, "AESTDAT", "UN FEB 2019"),
     "`AE.AESTDAT` must be on or after the subject's informed consent (IC.ICDAT '04 MAR 2019') (got 'UN FEB 2019')"),
    (("EX", 1, "SUBJECT", "01-002"),
     "`EX.SUBJECT` must be an enrolled subject (with a record in ENR) for EX (got '01-002')"),
    (("AE", 1, "SITENUMBER", "02"), "`AE.SITENUMBER` must be the subject's site on DM ('01', dm.csv row 1) (got '02')"),
    (("VS", 2, "FOLDER", "SCRN"), "`VS` key (SUBJECT, FOLDER) must be unique (got '01-001, SCRN', also at row 1)"),
    (("AE", 1, "AEENDAT", "01 OCT 2023"),
     "`AE.AEENDAT` must be on or before the data cut-off 2023-09-30 (got '01 OCT 2023')"),
    (("AE", 1, "AETERM", "Nausea " * 10),
     "`AE.AETERM` must be at most 60 characters long "
     "(got 'Nausea Nausea Nausea Nausea Nausea Nausea Nausea Nausea Naus…' (70 characters))"),
]


@pytest.mark.parametrize(("change", "message"), MESSAGES, ids=[m[0][2] + "-" + str(m[0][3]) for m in MESSAGES])
def test_message_text(small_study, change, message):
    study = small_study
    if change[2] == "AETERM":  # a shorter limit than the spec's, to show how long values are quoted
        forms = []
        for form in study.forms:
            fields = tuple(dataclasses.replace(f, max_length=60) if f.name == "AETERM" else f for f in form.fields)
            forms.append(dataclasses.replace(form, fields=fields))
        study = dataclasses.replace(study, forms=tuple(forms))
    report = validate_raw(export_of(study, changed(*change)), study)
    assert [f.message for f in report.findings] == [message]


def test_file_level_message_text(small_study):
    data = {f: {c: list(v) for c, v in cols.items()} for f, cols in CLEAN.items() if f != "VS"}
    del data["EX"]["EXVOL"]
    data["AE"]["AETERM_CODED"] = ["10016558"]
    data["IC"] = {c: v[:1] for c, v in data["IC"].items()}
    report = validate_raw(export_of(small_study, data), small_study)
    assert [f.message for f in report.findings] == [
        "`DM.SUBJECT` must have an informed-consent record in IC (got '01-002', which has none)",
        "`EX.EXVOL` must be a column of ex.csv (got no such column)",
        "`VS` must be present in the export as vs.csv (got no such file)",
        "`AE` columns must be declared in the form spec (got undeclared column 'AETERM_CODED')",
    ]
