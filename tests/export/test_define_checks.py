"""Each define.xml check, failing: a valid literal define (test_define_literal.py) broken one way at a time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cdisc_pipe.errors import Severity
from cdisc_pipe.export import define_checks
from cdisc_pipe.export.define import (
    validate_define,
    validate_define_content,
    validate_define_data,
    validate_define_oids,
    validate_define_schema,
)
from test_define_literal import frames, literal_datasets, literal_define, needs_schema


@pytest.fixture(scope="module")
def sdtm_xml(study) -> str:
    return literal_define(study, "SDTM")


def rules(report) -> list[tuple[str, str | None, str | None]]:
    return sorted((f.rule, f.variable, f.value) for f in report.findings)


def _frames_with(name: str, **columns) -> dict:
    """The SDTM frames with some values of dataset ``name`` replaced (column -> {row: value})."""
    out = frames("SDTM")
    frame, meta = out[name]
    frame = frame.copy()
    for column, values in columns.items():
        for row, value in values.items():
            frame.loc[row, column] = value
    out[name] = (frame, meta)
    return out


# ---------------------------------------------------------------- schema

@needs_schema
def test_schema_error_is_reported_with_its_place(sdtm_xml):
    broken = sdtm_xml.replace('DataType="partialDate"', 'DataType="fuzzyDate"', 1)
    report = validate_define_schema(broken)
    assert [f.rule for f in report.findings] == ["DEFINE-SCHEMA"]
    assert "fuzzyDate" in report.findings[0].message and "ItemDef" in report.findings[0].message
    assert report.findings[0].severity is Severity.ERROR


@needs_schema
def test_a_missing_required_attribute_is_a_schema_error(sdtm_xml):
    report = validate_define_schema(sdtm_xml.replace(' def:Context="Submission"', ""))
    assert [f.rule for f in report.findings] == ["DEFINE-SCHEMA"]


def test_schema_unavailable_is_a_warning_not_a_pass(sdtm_xml, monkeypatch):
    monkeypatch.setattr(define_checks, "define_schema_path", lambda: None)
    report = validate_define_schema(sdtm_xml)
    assert [(f.rule, f.severity) for f in report.findings] == [("DEFINE-SCHEMA-UNAVAILABLE", Severity.WARNING)]


def test_malformed_xml_is_one_finding(sdtm_xml):
    report = validate_define(sdtm_xml.replace("</ODM>", ""))
    assert [f.rule for f in report.findings] == ["DEFINE-SCHEMA"]
    assert report.findings[0].message.startswith("define.xml must be well-formed XML (got: ")


# ---------------------------------------------------------------- OIDs

def test_dangling_oid_is_an_error_and_its_target_unused(sdtm_xml):
    report = validate_define_oids(sdtm_xml.replace('CodeListOID="CL.SEX"', 'CodeListOID="CL.NOPE"'))
    assert rules(report) == [("DEFINE-OID-UNDEFINED", None, "CL.NOPE"), ("DEFINE-OID-UNUSED", None, "CL.SEX")]
    undefined = next(f for f in report.findings if f.rule == "DEFINE-OID-UNDEFINED")
    assert undefined.message == "CodeListRef/@CodeListOID must name a defined CodeList (got 'CL.NOPE', which no " \
                                "CodeList defines)"
    assert undefined.severity is Severity.ERROR


def test_every_kind_of_reference_is_followed(sdtm_xml):
    broken = (sdtm_xml.replace('MethodOID="MT.DM.AGE"', 'MethodOID="MT.GONE"')
              .replace('WhereClauseOID="WC.VS.VSTESTCD.TEMP"', 'WhereClauseOID="WC.GONE"', 1)
              .replace('def:ArchiveLocationID="LF.VS"', 'def:ArchiveLocationID="LF.GONE"')
              .replace('def:ItemOID="IT.VS.VSTESTCD"', 'def:ItemOID="IT.GONE"', 1))
    undefined = sorted(f.value for f in validate_define_oids(broken).findings if f.rule == "DEFINE-OID-UNDEFINED")
    assert undefined == ["IT.GONE", "LF.GONE", "MT.GONE", "WC.GONE"]


def test_duplicate_definition_is_an_error(sdtm_xml):
    start = sdtm_xml.index('      <MethodDef OID="MT.DM.AGE"')
    end = sdtm_xml.index("</MethodDef>", start) + len("</MethodDef>\n")
    broken = sdtm_xml[:end] + sdtm_xml[start:end] + sdtm_xml[end:]
    assert rules(validate_define_oids(broken)) == [("DEFINE-OID-DUPLICATE", None, "MT.DM.AGE")]


# ---------------------------------------------------------------- content

def test_derived_item_without_method_is_a_warning(sdtm_xml):
    report = validate_define_content(sdtm_xml.replace(' MethodOID="MT.DM.AGE"', ""))
    assert rules(report) == [("DEFINE-METHOD-MISSING", "AGE", None)]
    assert report.findings[0].severity is Severity.WARNING


def test_codelist_of_another_data_type_is_an_error(sdtm_xml):
    report = validate_define_content(sdtm_xml.replace('<CodeList OID="CL.SEX" Name="Sex" DataType="text"',
                                                      '<CodeList OID="CL.SEX" Name="Sex" DataType="integer"'))
    assert rules(report) == [("DEFINE-CODELIST-TYPE", "SEX", "integer")]


def test_unmarked_sponsor_term_in_cdisc_codelist_is_a_warning(sdtm_xml):
    report = validate_define_content(sdtm_xml.replace(' def:ExtendedValue="Yes"', ""))
    assert rules(report) == [("DEFINE-CT-EXTENDED-UNMARKED", None, "PAIN")]


# ---------------------------------------------------------------- define vs data

def test_length_mismatch_with_the_written_metadata(sdtm_xml):
    datasets = frames("SDTM")
    frame, meta = datasets["DM"]
    meta = replace(meta, variables=tuple(v.with_length(2) if v.name == "SEX" else v for v in meta.variables))
    datasets["DM"] = (frame, meta)
    report = validate_define_data(sdtm_xml, datasets)
    assert [(f.rule, f.variable, f.message) for f in report.findings] == [
        ("DEFINE-DATA-LENGTH", "SEX", "DM.SEX Length must be the written length 2 (got 1)")]


def test_value_longer_than_the_define_length(sdtm_xml):
    report = validate_define_data(sdtm_xml.replace('"IT.SUPPDM.QVAL.RACEOTH" Name="QVAL" DataType="text" Length="5"',
                                                   '"IT.SUPPDM.QVAL.RACEOTH" Name="QVAL" DataType="text" Length="3"'),
                                  frames("SDTM"))
    assert [(f.rule, f.dataset, f.variable, f.value) for f in report.findings] == [
        ("DEFINE-DATA-LENGTH", "SUPPDM", "QVAL", "5")]


def test_value_outside_its_codelist(sdtm_xml):
    report = validate_define_data(sdtm_xml, _frames_with("DM", SEX={1: "U"}))
    assert [(f.rule, f.row, f.value, f.message) for f in report.findings] == [
        ("DEFINE-DATA-CODELIST", 2, "U",
         "DM.SEX values must be in codelist CL.SEX (got 'U'; 1 record(s), first at row 2)")]


def test_value_outside_an_extensible_codelist_is_still_an_error(sdtm_xml):
    datasets = _frames_with("VS", VSTESTCD={4: "HR"})
    found = [(f.rule, f.variable, f.value) for f in validate_define_data(sdtm_xml, datasets).findings]
    assert ("DEFINE-DATA-CODELIST", "VSTESTCD", "HR") in found


def test_value_level_values_are_checked_against_their_own_data_type(sdtm_xml):
    report = validate_define_data(sdtm_xml, _frames_with("VS", VSORRES={3: "hi"}))
    assert [(f.rule, f.variable, f.row, f.value, f.expected) for f in report.findings] == [
        ("DEFINE-DATA-TYPE", "VSORRES", 4, "hi", "integer")]


def test_iso_values_must_fit_the_data_type(sdtm_xml):
    report = validate_define_data(sdtm_xml, _frames_with("DM", BRTHDTC={0: "02/01/1970"}))
    assert [(f.rule, f.variable, f.row, f.value) for f in report.findings] == [
        ("DEFINE-DATA-TYPE", "BRTHDTC", 1, "02/01/1970")]


def test_mandatory_variable_with_a_missing_value(sdtm_xml):
    report = validate_define_data(sdtm_xml, _frames_with("DM", SEX={0: ""}))
    assert [(f.rule, f.variable, f.row) for f in report.findings] == [("DEFINE-DATA-MANDATORY", "SEX", 1)]


def test_mandatory_value_level_item_with_a_missing_value(sdtm_xml):
    report = validate_define_data(sdtm_xml, _frames_with("SUPPDM", QVAL={0: ""}))
    assert [(f.rule, f.dataset, f.variable, f.row) for f in report.findings] == [
        ("DEFINE-DATA-MANDATORY", "SUPPDM", "QVAL", 1), ("DEFINE-DATA-MANDATORY", "SUPPDM", "QVAL", 1)]
    assert "where WC.SUPPDM.QNAM.RACEOTH" in report.findings[1].message


def test_dataset_in_one_but_not_the_other(sdtm_xml):
    datasets = frames("SDTM")
    vs = datasets.pop("VS")
    datasets["EX"] = vs
    assert rules(validate_define_data(sdtm_xml, datasets)) == [("DEFINE-DATA-DATASET", None, None)] * 2
    assert sorted(f.dataset for f in validate_define_data(sdtm_xml, datasets).findings) == ["EX", "VS"]


def test_variable_in_one_but_not_the_other_and_order(sdtm_xml):
    datasets = frames("SDTM")
    frame, meta = datasets["DM"]
    variables = [v for v in meta.variables if v.name != "AGE"]
    variables[2], variables[3] = variables[3], variables[2]  # BRTHDTC after SEX
    datasets["DM"] = (frame.drop(columns="AGE"), replace(meta, variables=tuple(variables)))
    assert rules(validate_define_data(sdtm_xml, datasets)) == [
        ("DEFINE-DATA-ORDER", None, None), ("DEFINE-DATA-VARIABLE", "AGE", None)]


def test_label_and_type_must_be_the_written_ones(sdtm_xml):
    datasets = frames("SDTM")
    frame, meta = datasets["DM"]
    meta = replace(meta, variables=tuple(
        replace(v, label="Sex of Subject") if v.name == "SEX" else replace(v, type="Num") if v.name == "BRTHDTC" else v
        for v in meta.variables))
    datasets["DM"] = (frame, meta)
    assert rules(validate_define_data(sdtm_xml, datasets)) == [
        ("DEFINE-DATA-LABEL", "SEX", "Sex"), ("DEFINE-DATA-TYPE", "BRTHDTC", "partialDate")]


def test_numbers_declared_integer_must_be_whole(sdtm_xml):
    report = validate_define_data(sdtm_xml, _frames_with("DM", AGE={1: 41.5}))
    assert [(f.rule, f.variable, f.value) for f in report.findings] == [("DEFINE-DATA-TYPE", "AGE", "41.5")]


def test_where_clause_the_check_cannot_evaluate_is_a_warning(sdtm_xml):
    broken = sdtm_xml.replace('<RangeCheck Comparator="EQ" SoftHard="Soft" def:ItemOID="IT.VS.VSTESTCD">',
                              '<RangeCheck Comparator="LT" SoftHard="Soft" def:ItemOID="IT.VS.VSTESTCD">', 1)
    report = validate_define_data(broken, frames("SDTM"))
    assert [(f.rule, f.severity) for f in report.findings] == [("DEFINE-DATA-WHERE", Severity.WARNING)]


def test_offending_values_are_listed_ten_at_most(study):
    datasets = literal_datasets()
    xml = literal_define(study, "SDTM")
    frame, meta = datasets["VS"].frame.copy(), datasets["VS"].metadata
    frame = frame.loc[frame.index.repeat(3)].reset_index(drop=True)
    frame["VSTESTCD"] = [f"T{i:02d}" for i in range(len(frame))]
    report = validate_define_data(xml, {**frames("SDTM"), "VS": (frame, meta)})
    codelist = next(f for f in report.findings if f.rule == "DEFINE-DATA-CODELIST")
    assert codelist.message.endswith("'T09' … and 5 more; see report; 15 record(s), first at row 1)")
