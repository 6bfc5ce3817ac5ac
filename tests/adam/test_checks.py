"""The ADaM checks (ADAM-* rules), each with a passing and a failing literal case; findings point at the
dataset, record, subject and value."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cdisc_pipe.adam.checks import MAX_PER_RULE, unresolved_pointers, validate_adam
from cdisc_pipe.errors import Severity
from cdisc_pipe.spec.adam_model import AdamDataset, AdamSource, AdamVariable

LB = pd.DataFrame({"USUBJID": ["1", "1", "2"], "LBSEQ": [1, 2, 1]})
VS = pd.DataFrame({"USUBJID": ["1"], "VSSEQ": [7]})
SDTM = {"LB": LB, "VS": VS}


def _spec(name="ADLB", keys=("USUBJID", "PARAMCD", "ADY")) -> dict[str, AdamDataset]:
    return {name: AdamDataset(
        name=name, label=name, adam_class="BASIC DATA STRUCTURE", structure="x", keys=keys, order=(),
        source=AdamSource("LB"), steps=(), final_steps=(),
        variables=(AdamVariable("USUBJID", "Unique Subject Identifier", "Char", "Predecessor", source="LB.USUBJID"),),
        file=f"adam/{name.lower()}.yaml")}


def _adlb(**changes) -> pd.DataFrame:
    frame = pd.DataFrame({
        "USUBJID": ["1", "1", "1", "2"],
        "PARAMCD": ["ALT", "ALT", "AST", "ALT"],
        "ADY": [-2.0, 29.0, -2.0, 1.0],
        "AVAL": [30.0, 45.0, 20.0, 10.0],
        "BASE": [30.0, 30.0, 20.0, np.nan],
        "CHG": [0.0, 15.0, 0.0, np.nan],
        "ABLFL": pd.Series(["Y", pd.NA, "Y", pd.NA], dtype="string"),
        "SRCDOM": pd.Series(["LB", "LB", "VS", "LB"], dtype="string"),
        "SRCSEQ": [1.0, 2.0, 7.0, 1.0],
    })
    for name, values in changes.items():
        frame[name] = pd.Series(values, dtype=frame[name].dtype)
    return frame


def _findings(frame: pd.DataFrame, spec=None, sdtm=SDTM):
    return validate_adam({"ADLB": frame}, spec or _spec(), sdtm).findings


def test_a_correct_dataset_has_no_findings():
    assert _findings(_adlb()) == []


# --- ADAM-KEY-DUP --------------------------------------------------------------------------------------------


def test_key_dup_reports_the_second_record_of_a_key():
    findings = _findings(_adlb(ADY=[-2.0, -2.0, -2.0, 1.0], ABLFL=["Y", pd.NA, "Y", pd.NA]))
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.rule, finding.severity, finding.stage) == ("ADAM-KEY-DUP", Severity.ERROR, "adam")
    assert (finding.dataset, finding.file, finding.row, finding.subject) == ("ADLB", "adam/adlb.csv", 2, "1")
    assert finding.variable == "USUBJID,PARAMCD,ADY"
    assert finding.value == "1|ALT|-2.0"
    assert finding.message == "`ADLB` keys ['USUBJID', 'PARAMCD', 'ADY'] must identify one record (got a duplicate)"


def test_key_dup_lists_at_most_max_per_rule_findings_and_says_how_many_more():
    frame = pd.DataFrame({"USUBJID": ["1"] * (MAX_PER_RULE + 11)})
    findings = validate_adam({"ADSL": frame}, _spec("ADSL", keys=("USUBJID",)), SDTM).findings
    assert len(findings) == MAX_PER_RULE
    assert findings[-1].message.endswith("(got a duplicate) (and 10 more records)")
    assert [f.row for f in findings[:2]] == [2, 3]


# --- ADAM-ABLFL-DUP ---------------------------------------------------------------------------------------------


def test_ablfl_dup_allows_one_baseline_per_subject_and_parameter():
    assert [f.rule for f in _findings(_adlb())] == []


def test_ablfl_dup_reports_a_second_baseline():
    findings = _findings(_adlb(ABLFL=["Y", "Y", "Y", pd.NA], CHG=[0.0, 15.0, 0.0, np.nan]))
    assert [(f.rule, f.row, f.subject, f.variable, f.value) for f in findings] == [
        ("ADAM-ABLFL-DUP", 2, "1", "ABLFL", "ALT")]
    assert findings[0].message == ("`ADLB.ABLFL` must be 'Y' on at most one record per USUBJID and PARAMCD "
                                   "(got a second one)")


# --- ADAM-CHG ----------------------------------------------------------------------------------------------------


def test_chg_must_equal_aval_minus_base_exactly_and_be_missing_with_them():
    findings = _findings(_adlb(CHG=[0.0, 15.000001, 0.0, 3.0]))
    assert [(f.rule, f.row, f.subject) for f in findings] == [("ADAM-CHG", 2, "1"), ("ADAM-CHG", 4, "2")]
    assert findings[0].value == "CHG=15.000001 AVAL=45.0 BASE=30.0"
    assert findings[1].value == "CHG=3.0 AVAL=10.0 BASE=nan"
    assert findings[0].message == "`ADLB.CHG` must be exactly AVAL - BASE (got another value)"


def test_chg_missing_where_aval_minus_base_is_not_is_reported():
    findings = _findings(_adlb(CHG=[np.nan, 15.0, 0.0, np.nan]))
    assert [(f.rule, f.row) for f in findings] == [("ADAM-CHG", 1)]


# --- ADAM-SRC-UNRESOLVED --------------------------------------------------------------------------------------------


def test_src_pointers_must_name_an_sdtm_record_of_the_same_subject():
    # row 2: LBSEQ 9 does not exist; row 3: VSSEQ 7 belongs to subject 1 (fine); row 4: LBSEQ 1 of subject 2 (fine)
    frame = _adlb(SRCSEQ=[1.0, 9.0, 7.0, 1.0])
    findings = _findings(frame)
    assert [(f.rule, f.row, f.subject, f.variable, f.value) for f in findings] == [
        ("ADAM-SRC-UNRESOLVED", 2, "1", "SRCSEQ", "LB 9.0")]
    assert findings[0].message == "`ADLB.SRCSEQ` must point at an existing record of SRCDOM for the subject (got none)"


def test_src_pointer_of_another_subject_an_unknown_domain_or_no_seq_column_is_unresolved():
    frame = _adlb(USUBJID=["1", "1", "2", "2"], ABLFL=["Y", pd.NA, "Y", pd.NA], SRCSEQ=[1.0, 2.0, 7.0, 1.0],
                  SRCDOM=["LB", "LB", "VS", "XX"])
    assert unresolved_pointers(frame, SDTM).tolist() == [False, False, True, True]
    no_seq = {"LB": LB.rename(columns={"LBSEQ": "SEQ"}), "VS": VS}
    assert unresolved_pointers(_adlb(), no_seq).tolist() == [True, True, False, True]


def test_records_without_a_pointer_are_not_judged():
    frame = _adlb(SRCDOM=[pd.NA, "LB", "VS", "LB"], SRCSEQ=[99.0, 2.0, 7.0, np.nan])
    assert unresolved_pointers(frame, SDTM).tolist() == [False, False, False, False]
    assert _findings(frame) == []


# --- docs/errors.md ---------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^### (ADAM-[A-Z0-9-]+)\n\*(\w+)\.\*", flags=re.MULTILINE)


def _documented() -> dict[str, tuple[str, list[str]]]:
    """Rule id -> (severity, example messages) of every ``### ADAM-...`` section of docs/errors.md."""
    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    sections = {}
    for block in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        match = SECTION.match("### " + block)
        if match:
            sections[match.group(1)] = (match.group(2), re.findall(r"^    (\S.*)$", block, flags=re.MULTILINE))
    return sections


def test_every_adam_rule_is_documented_with_messages_the_checks_write():
    code = (REPO / "src" / "cdisc_pipe" / "adam" / "checks.py").read_text(encoding="utf-8")
    in_code = set(re.findall(r"""rule\s*=\s*["'](ADAM-[A-Z0-9-]+)["']""", code))
    assert set(_documented()) == in_code == {"ADAM-KEY-DUP", "ADAM-ABLFL-DUP", "ADAM-CHG", "ADAM-SRC-UNRESOLVED"}
    findings = [
        *validate_adam({"ADSL": pd.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["1", "1"]})},
                       _spec("ADSL", keys=("STUDYID", "USUBJID")), SDTM).findings,
        *_findings(_adlb(ABLFL=["Y", "Y", "Y", pd.NA], CHG=[0.0, 15.5, 0.0, np.nan], SRCSEQ=[1.0, 9.0, 7.0, 1.0])),
    ]
    written = {(f.rule, f.severity.value, f.message) for f in findings}
    documented = {(rule, severity, example) for rule, (severity, examples) in _documented().items()
                  for example in examples}
    assert documented == written
