"""The engine's parts on small literal inputs: writing a rule for a dataset, scoping, loading rules (and
refusing broken ones), what is skipped and why, reading a folder, the report shapes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.conformance import CheckSeverity, Scope, check_folder, check_study, load_rules, make_dataset
from cdisc_pipe.conformance.engine import expand, in_scope, select_variables
from cdisc_pipe.errors import Severity, SpecError

from conformance_literal import build_study

RULES = {rule.id: rule for rule in load_rules()}


def test_expand_writes_the_domain_prefix_variable_and_parent() -> None:
    assert expand("--SEQ", "AE") == "AESEQ"
    assert expand({"--TESTCD": ["--CAT", "USUBJID"]}, "LB") == {"LBTESTCD": ["LBCAT", "USUBJID"]}
    assert expand("SUPP--", "AE") == "SUPP--"
    assert expand("$VAR must be ISO", "AE", "AESTDTC") == "AESTDTC must be ISO"
    assert expand("$PARENT", "SUPPAE", name="SUPPAE") == "AE"
    assert expand("(AVAL - BASE) / BASE", "AD") == "(AVAL - BASE) / BASE"


def _dataset(name: str, columns: dict) -> object:
    study = build_study({"pass": {name: [columns]}}, "pass")
    return study.datasets[name]


@pytest.mark.parametrize(("scope", "name", "expected"), [
    (Scope(standards=("SDTM",)), "AE", True),
    (Scope(standards=("ADaM",)), "AE", False),
    (Scope(standards=("SDTM",), classes=("EVENTS",)), "AE", True),
    (Scope(standards=("SDTM",), classes=("FINDINGS",)), "AE", False),
    (Scope(standards=("SDTM",), exclude_classes=("EVENTS",)), "AE", False),
    (Scope(standards=("SDTM",), domains=("SUPP--",)), "SUPPAE", True),
    (Scope(standards=("SDTM",), domains=("SUPP--",)), "AE", False),
    (Scope(standards=("SDTM",), exclude_domains=("AE",)), "AE", False),
    (Scope(standards=("ADaM",), classes=("BASIC DATA STRUCTURE",)), "ADVS", True),
])
def test_in_scope(scope: Scope, name: str, expected: bool) -> None:
    columns = {"USUBJID": "1", "PARAMCD": "X"} if name.startswith("AD") else {"USUBJID": "1"}
    assert in_scope(scope, _dataset(name, columns)) is expected


def test_classes_come_from_define_then_the_table_then_the_variables() -> None:
    frame = pd.DataFrame({"DOMAIN": ["XY"], "XYTESTCD": ["A"]})
    table = pd.DataFrame({"name": ["DOMAIN", "XYTESTCD"], "label": "", "type": "Char", "length": 2,
                          "order": [1, 2], "format": None})
    assert make_dataset("XY", frame, table).cls == "FINDINGS"
    assert make_dataset("QSPH", frame.assign(DOMAIN="QS"), table).domain == "QS"
    assert make_dataset("QSPH", frame.assign(DOMAIN="QS"), table).cls == "FINDINGS"
    assert make_dataset("SUPPAE", frame, table).cls == "RELATIONSHIP"
    assert make_dataset("ADXX", frame, table).standard == "ADaM"


def test_for_each_selects_by_suffix_type_and_domain() -> None:
    ds = _dataset("AE", {"AESTDTC": "2020", "AEENDTC": "2020", "DTC": "x", "AESEQ": 1})
    assert select_variables({"suffix": "DTC"}, ds) == ["AESTDTC", "AEENDTC"]
    assert select_variables({"type": "Num"}, ds) == ["AESEQ"]
    assert select_variables({"by_domain": {"AE": ["AESEQ"], "CM": ["CMSEQ"]}}, ds) == ["AESEQ"]


def test_a_rule_naming_an_absent_variable_is_skipped_with_the_reason() -> None:
    study = build_study({"pass": {"AE": [{"USUBJID": "1"}], "DM": [{"USUBJID": "1"}]}}, "pass")
    report = check_study(study, [RULES["SD-SEQ-UNIQUE"], RULES["SD-VISITNUM-SV"]])
    runs = {(e.rule, e.dataset): (e.status, e.reason) for e in report.executions}
    assert runs[("SD-SEQ-UNIQUE", "AE")] == ("not applicable", "variables not in dataset: AESEQ")
    assert runs[("SD-VISITNUM-SV", "AE")] == ("not applicable", "variables not in dataset: VISITNUM")


def test_issues_name_record_subject_seq_variables_and_values() -> None:
    case = {"pass": {"AE": [{"USUBJID": "S-1", "AESEQ": 1}, {"USUBJID": "S-1", "AESEQ": 1}]}}
    report = check_study(build_study(case, "pass"), [RULES["SD-SEQ-UNIQUE"]])
    assert report.issues[["dataset", "record", "usubjid", "seq", "variables", "values", "message"]].astype(
        object).to_dict("records") == [
        {"dataset": "AE", "record": 1, "usubjid": "S-1", "seq": "1", "variables": "USUBJID, AESEQ",
         "values": "S-1, 1", "message": "AESEQ must be unique for each USUBJID"},
        {"dataset": "AE", "record": 2, "usubjid": "S-1", "seq": "1", "variables": "USUBJID, AESEQ",
         "values": "S-1, 1", "message": "AESEQ must be unique for each USUBJID"},
    ]


def test_study_day_issue_shows_the_expected_day() -> None:
    case = {"pass": {"DM": [{"USUBJID": "1", "RFSTDTC": "2020-03-10"}],
                     "VS": [{"USUBJID": "1", "VSSEQ": 1, "VSDTC": "2020-03-12", "VSDY": 2}]}}
    report = check_study(build_study(case, "pass"), [RULES["SD-DY-CALC"]])
    row = report.issues.iloc[0]
    assert (row["variables"], row["values"]) == ("VSDY, VSDTC, DM.RFSTDTC, expected VSDY", "2, 2020-03-12, 2020-03-10, 3")


def test_the_report_converts_to_pipeline_findings() -> None:
    case = {"pass": {"AE": [{"USUBJID": "1"}]}}
    report = check_study(build_study(case, "pass"), [RULES["SD-DM-PRESENT"], RULES["SD-TS-PRESENT"]])
    assert report.counts() == {"Reject": 2, "Error": 0, "Warning": 0, "Notice": 0}
    assert report.has_errors
    findings = report.to_report().findings
    assert {(f.rule, f.severity, f.value) for f in findings} == {
        ("SD-DM-PRESENT", Severity.ERROR, "DM"), ("SD-TS-PRESENT", Severity.ERROR, "TS")}
    summary = report.dataset_summary()
    assert summary.loc[summary["dataset"] == "(study)", "Reject"].item() == 2


def test_an_unreadable_transport_file_is_a_reject_issue(tmp_path: Path) -> None:
    (tmp_path / "ae.xpt").write_bytes(b"not a transport file")
    report = check_folder(tmp_path, [])
    assert report.issues[["rule", "severity", "dataset"]].to_dict("records") == [
        {"rule": "XP-READ", "severity": "Reject", "dataset": "AE"}]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


_RULE = """rules:
  - id: SD-X
    title: t
    standard: SDTMIG 3.4
    section: "1"
    severity: Error
    message: m
    scope: {standards: [SDTM]}
    check: %s
"""


@pytest.mark.parametrize(("check", "message"), [
    ("{op: not_nul, variable: X}", "op must be one of"),
    ("{op: not_nul, variable: X}", "closest match: 'not_null'"),
    ("{op: not_null, varible: X}", "argument 'varible' must be one that op 'not_null' takes"),
    ("{op: matches_regex, variable: X}", "op 'matches_regex' needs argument 'pattern'"),
    ("{not: {op: required_variables, variables: [X]}}", "dataset op 'required_variables' must be the whole check"),
    ("{op: value_compare, variable: X, operator: equals, value: 1}", "argument 'operator' must be one of"),
])
def test_broken_rules_are_refused_on_load(tmp_path: Path, check: str, message: str) -> None:
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_rules([_write(tmp_path, _RULE % check)])


def test_schema_problems_are_refused_on_load(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"severity: must be one of \['Reject', 'Error', 'Warning', 'Notice'\]"):
        load_rules([_write(tmp_path, (_RULE % "{op: not_null, variable: X}").replace("Error", "Fatal"))])


def test_rule_ids_are_unique_across_files(tmp_path: Path) -> None:
    one = _write(tmp_path, _RULE % "{op: not_null, variable: X}")
    other = tmp_path / "other.yaml"
    other.write_text(one.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SpecError, match="id must be unique"):
        load_rules([one, other])


def test_shipped_rules_cover_each_severity_and_cite_a_source() -> None:
    rules = list(RULES.values())
    assert {r.severity for r in rules} == set(CheckSeverity)
    assert all(r.standard and r.section for r in rules)
    assert len(rules) >= 100


def test_conditional_fails_only_where_if_holds_and_then_does_not(tmp_path: Path) -> None:
    rule = load_rules([_write(tmp_path, _RULE % (
        "{op: conditional, if: {op: value_compare, variable: AEOUT, operator: eq, value: FATAL},"
        " then: {all: [{op: not_null, variable: AESDTH}, {op: value_compare, variable: AESDTH, operator: eq, value: 'Y'}]}}"
    ))])[0]
    case = {"pass": {"AE": [{"USUBJID": "1", "AEOUT": "FATAL", "AESDTH": "Y"},
                            {"USUBJID": "1", "AEOUT": "FATAL", "AESDTH": ""},
                            {"USUBJID": "1", "AEOUT": "RECOVERED/RESOLVED", "AESDTH": ""}]}}
    report = check_study(build_study(case, "pass"), [rule])
    assert report.issues["record"].tolist() == [2]
    assert report.issues["variables"].tolist() == ["AEOUT, AESDTH"]


def test_arithmetic_accepts_only_variables_numbers_and_operators(tmp_path: Path) -> None:
    from cdisc_pipe.conformance.ops_values import arithmetic

    frame = pd.DataFrame({"AVAL": [3.0, 1.0], "BASE": [1.0, 0.0]})
    assert arithmetic("(AVAL - BASE) / BASE * 100", frame).tolist()[0] == 200.0
    assert arithmetic("(AVAL - BASE) / BASE * 100", frame).isna().tolist() == [False, True]
    with pytest.raises(ValueError, match="only variables, numbers"):
        arithmetic("__import__('os')", frame)
