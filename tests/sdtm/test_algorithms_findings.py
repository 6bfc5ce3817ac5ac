"""The findings algorithms and the multi-form melt on literal frames with hand-written expected values."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.sdtm.algorithms import FILE, FORM
from cdisc_pipe.sdtm.algorithms_findings import (
    FINDINGS_ALGORITHMS, compute_nrind, map_nrind, map_not_done, map_result_decode, map_to_number, melt_forms,
)
from cdisc_pipe.sdtm.build import apply_phase1
from cdisc_pipe.sdtm.context import MapContext
from cdisc_pipe.sdtm.registry import ALGORITHMS
from cdisc_pipe.spec.model import Codelist, Term
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source


def V(name, algorithm, type="Char", **args):
    return SdtmVariable(name=name, label=name, type=type, algorithm=algorithm, args=args)


def _domain(*variables, tests=(), form="SF36"):
    return Domain(name="QS", label="Questionnaires", domain_class="FINDINGS", structure="...", keys=("USUBJID",),
                  order=(), source=Source(kind="melt", form=form, tests=tuple(tests)), variables=variables,
                  file="sdtm/qs.yaml")


def _raw(study, form, file, **columns):
    frame = pd.DataFrame(columns, dtype="string")
    return RawForm(form=study.form(form), frame=frame.assign(**{ROW: range(1, len(frame) + 1)}), file=file)


def _values(series):
    return [None if pd.isna(v) else v for v in series]


LAB_TESTS = (
    {"form": "LBLIV", "field": "ALB", "TESTCD": "ALB", "factor": 1},
    {"form": "LBCHEM", "field": "CREAT", "TESTCD": "CREAT", "factor": 1},
    {"form": "LBLIV", "field": "TBIL", "TESTCD": "BILI", "factor": 1},
)


@pytest.fixture()
def lab_export(study):
    liver = _raw(study, "LBLIV", "lb_liver.csv", SUBJECT=["01-001", "01-002"], FOLDER=["SCRN", "D001"],
                 LBDAT=["01 MAR 2019", "05 MAR 2019"], ALB=["31.1", ""], TBIL=["40.7", "22.0"])
    chem = _raw(study, "LBCHEM", "lb_chem.csv", SUBJECT=["01-001"], FOLDER=["SCRN"], LBDAT=["01 MAR 2019"],
                CREAT=["70.7"])
    return RawExport(source=Path("."), format="csv", forms={"LBLIV": liver, "LBCHEM": chem})


def test_melt_forms_one_record_per_test_with_provenance(study, lab_export):
    long = melt_forms(lab_export, study, LAB_TESTS)
    assert long[[FORM, FILE, ROW, "SUBJECT", "_VALUE_", "_FIELD_", "_TESTORDER_", "_TEST_TESTCD"]].values.tolist() == [
        ["LBLIV", "lb_liver.csv", 1, "01-001", "31.1", "ALB", 0, "ALB"],
        ["LBLIV", "lb_liver.csv", 1, "01-001", "40.7", "TBIL", 2, "BILI"],
        ["LBLIV", "lb_liver.csv", 2, "01-002", "22.0", "TBIL", 2, "BILI"],
        ["LBCHEM", "lb_chem.csv", 1, "01-001", "70.7", "CREAT", 1, "CREAT"],
    ]
    assert "ALB" not in long.columns and "LBDAT" in long.columns and "_TEST_form" in long.columns


def test_melt_forms_keeps_blank_planned_results_when_asked(study, lab_export):
    long = melt_forms(lab_export, study, LAB_TESTS, drop_missing=False)
    assert _values(long["_VALUE_"]) == ["31.1", "40.7", None, "22.0", "70.7"]
    assert long["_FIELD_"].tolist() == ["ALB", "TBIL", "ALB", "TBIL", "CREAT"]


def test_melt_forms_never_keeps_a_blank_where_the_field_is_not_planned(study):
    vs = _raw(study, "VS", "vs.csv", SUBJECT=["01-001", "01-001"], FOLDER=["SCRN", "D001"], WEIGHT=["70.1", ""],
              HEIGHT=["", ""])
    export = RawExport(source=Path("."), format="csv", forms={"VS": vs})
    tests = [{"form": "VS", "field": "WEIGHT"}, {"form": "VS", "field": "HEIGHT"}]
    long = melt_forms(export, study, tests, drop_missing=False)
    # HEIGHT is planned at SCRN only: its blank at D001 is no missed test
    assert long[["FOLDER", "_FIELD_"]].values.tolist() == [["SCRN", "WEIGHT"], ["SCRN", "HEIGHT"],
                                                            ["D001", "WEIGHT"]]
    assert _values(long["_VALUE_"]) == ["70.1", None, None]


def test_melt_forms_filters_with_where_and_skips_absent_forms(study, lab_export):
    tests = [*LAB_TESTS, {"form": "LBHEM", "field": "HGB", "TESTCD": "HGB"}]
    long = melt_forms(lab_export, study, tests, where={"FOLDER": "SCRN"})
    assert long["_FIELD_"].tolist() == ["ALB", "TBIL", "CREAT"]
    with pytest.raises(ValueError, match="`where` must name columns of every melted form"):
        melt_forms(lab_export, study, LAB_TESTS, where={"VSDAT": "x"})


def test_melt_forms_without_records_still_has_every_column(study):
    long = melt_forms(RawExport(source=Path("."), format="csv"), study, LAB_TESTS)
    assert len(long) == 0
    assert {"SUBJECT", "FOLDER", "LBDAT", FILE, FORM, ROW, "_VALUE_", "_TEST_TESTCD", "_TEST_factor"} <= set(long)
    assert "ALB" not in long.columns


def test_melt_forms_needs_a_form_and_a_field_per_test(study, lab_export):
    with pytest.raises(ValueError, match=r"`tests` must each name a 'form' and a 'field' \(got none in tests \[1\]\)"):
        melt_forms(lab_export, study, [LAB_TESTS[0], {"field": "CREAT"}])


def test_compute_nrind():
    result = pd.Series([3.0, 5.0, 10.0, 12.0, None, 7.0, 7.0, 0.0])
    low = pd.Series([5.0, 5.0, 5.0, 5.0, 5.0, None, None, None])
    high = pd.Series([10.0, 10.0, 10.0, 10.0, 10.0, 6.0, None, 21.4])
    assert _values(compute_nrind(result, low, high)) == ["LOW", "NORMAL", "NORMAL", "HIGH", None, "HIGH", None,
                                                         "NORMAL"]


def test_map_nrind_reads_the_variables_named_in_the_spec(study):
    variable = V("LBNRIND", "nrind", result="LBSTRESN", low="LBSTNRLO", high="LBSTNRHI")
    frame = pd.DataFrame({"LBSTRESN": [31.1, 46.0], "LBSTNRLO": [40.0, 40.0], "LBSTNRHI": [55.0, 55.0]})
    context = MapContext(study=study, domain=_domain(variable))
    assert map_nrind(frame, variable=variable, context=context).tolist() == ["LOW", "NORMAL"]
    wrong = V("LBNRIND", "nrind", result="LBSTRESX", low="LBSTNRLO", high="LBSTNRHI")
    with pytest.raises(SpecError, match="`QS.LBNRIND` must name a variable listed before it \\(got 'LBSTRESX'\\)"):
        map_nrind(frame, variable=wrong, context=context)


def test_map_not_done_flags_blank_results(study):
    variable = V("QSSTAT", "not_done")
    frame = pd.DataFrame({"_VALUE_": ["1", None, ""]}, dtype="string")
    context = MapContext(study=study, domain=_domain(variable))
    assert _values(map_not_done(frame, variable=variable, context=context)) == [None, "NOT DONE", "NOT DONE"]
    assert len(map_not_done(pd.DataFrame(), variable=variable, context=context)) == 0
    with pytest.raises(SpecError, match="must come from a 'melt' source"):
        map_not_done(pd.DataFrame({"X": ["1"]}), variable=variable, context=context)


def test_map_to_number(study):
    variable = V("QSSTRESN", "to_number", "Num", variable="QSSTRESC")
    frame = pd.DataFrame({"QSSTRESC": ["1", "4", None, "NOT A NUMBER"]}, dtype="string")
    got = map_to_number(frame, variable=variable, context=MapContext(study=study, domain=_domain(variable)))
    assert got.dtype == "float64" and _values(got) == [1.0, 4.0, None, None]


def _sf36_records(codes):
    return pd.DataFrame({"SUBJECT": ["01-002"] * len(codes), FILE: "sf36.csv", FORM: "SF36",
                         ROW: range(1, len(codes) + 1), "_FIELD_": ["SF01", "SF03", "SF13", "SF01"][:len(codes)],
                         "_VALUE_": codes}).astype({"_VALUE_": "string", "_FIELD_": "string"})


def test_map_result_decode_gives_the_crf_text_of_each_items_codelist(study):
    variable = V("QSORRES", "result_decode")
    context = MapContext(study=study, domain=_domain(variable))
    got = map_result_decode(_sf36_records(["1", "1", "2", None]), variable=variable, context=context)
    assert _values(got) == ["Excellent", "Yes, limited a lot", "No", None]
    assert context.findings == []


def test_map_result_decode_reports_an_unknown_code(study):
    variable = V("QSORRES", "result_decode")
    context = MapContext(study=study, domain=_domain(variable))
    got = map_result_decode(_sf36_records(["1", "7"]), variable=variable, context=context)
    assert _values(got) == ["Excellent", None]
    [finding] = context.findings
    assert (finding.rule, finding.file, finding.row, finding.subject, finding.value) == (
        "SDTM-CT-UNMAPPED", "sf36.csv", 2, "01-002", "7")
    assert finding.message == "`QS.QSORRES` must come from a code of codelist SF3LIM (got '7' in SF03)"


def test_map_result_decode_needs_decodes(study):
    terms = (Term(code="1", submission="1"),)
    codelists = {**study.codelists, "SF5GEN": Codelist(id="SF5GEN", name="x", terms=terms)}
    bare = dataclasses.replace(study, codelists=codelists)
    variable = V("QSORRES", "result_decode")
    context = MapContext(study=bare, domain=_domain(variable))
    with pytest.raises(SpecError, match=r"SF5GEN must give every term a decode .* \(got none for codes \['1'\]\)"):
        map_result_decode(_sf36_records(["1"]), variable=variable, context=context)


def test_phase1_runs_the_findings_algorithms_in_spec_order(study, lab_export):
    domain = Domain(
        name="LB", label="Laboratory Test Results", domain_class="FINDINGS", structure="...", keys=("USUBJID",),
        order=(), file="lab/lb.yaml",
        source=Source(kind="melt", tests=tuple({**t, "decimals": None, "STNRLO": 40, "STNRHI": 55} for t in LAB_TESTS),
                      drop_missing=False),
        variables=(V("LBTESTCD", "test_attribute", key="TESTCD"),
                   V("LBSTRESN", "result", "Num", **{"as": "standard_number"}),
                   V("LBSTNRLO", "test_attribute", "Num", key="STNRLO"),
                   V("LBSTNRHI", "test_attribute", "Num", key="STNRHI"),
                   V("LBNRIND", "nrind", result="LBSTRESN", low="LBSTNRLO", high="LBSTNRHI"), V("LBSTAT", "not_done")),
    )
    context = MapContext(study=study, domain=domain, export=lab_export)
    lb = apply_phase1(melt_forms(lab_export, study, domain.source.tests, drop_missing=False), context)
    got = lb[["LBTESTCD", "LBSTRESN", "LBNRIND", "LBSTAT"]].astype(object)
    assert got.where(got.notna(), None).values.tolist() == [
        ["ALB", 31.1, "LOW", None], ["BILI", 40.7, "NORMAL", None], ["ALB", None, None, "NOT DONE"],
        ["BILI", 22.0, "LOW", None], ["CREAT", 70.7, "HIGH", None],
    ]


def test_every_findings_algorithm_is_registered_once():
    for algorithm in FINDINGS_ALGORITHMS:
        assert ALGORITHMS[algorithm.name] is algorithm
