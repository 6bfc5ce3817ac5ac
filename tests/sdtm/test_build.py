"""The generic domain builder on literal raw records: form and melt sources, CT recoding, provenance."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.sdtm.build import apply_phase1, apply_phase2, source_records, split_lineage
from cdisc_pipe.sdtm.context import MapContext
from cdisc_pipe.spec.sdtm_model import Domain, SdtmVariable, Source


def V(name, algorithm, type="Char", **args):
    return SdtmVariable(name=name, label=name, type=type, algorithm=algorithm, args=args)


AE = Domain(
    name="AE", label="Adverse Events", domain_class="EVENTS", structure="One record per adverse event per subject",
    keys=("STUDYID", "USUBJID", "AESEQ"), order=("USUBJID", "AESTDTC"), source=Source(kind="form", form="AE"),
    variables=(
        V("STUDYID", "studyid"), V("DOMAIN", "domain"), V("USUBJID", "usubjid"),
        V("AESEQ", "seq", "Num", order=["AESTDTC", "AETERM"]),
        V("AETERM", "assign", field="AETERM"), V("AESER", "assign_ct", field="AESER"),
        V("AESTDTC", "iso_datetime", date="AESTDAT"), V("AESTDY", "study_day", "Num", dtc="AESTDTC"),
    ),
)


def _export(frame: pd.DataFrame, form: str, file: str, study) -> RawExport:
    raw = RawForm(form=study.form(form), frame=frame.assign(**{ROW: range(1, len(frame) + 1)}), file=file)
    return RawExport(source=Path("."), format="csv", forms={form: raw})


def test_form_source_maps_recodes_and_keeps_provenance(study):
    frame = pd.DataFrame({"SUBJECT": ["01-002", "01-001", "01-001"], "AETERM": ["Fever", "Ascites", "Nausea"],
                          "AESER": ["0", "1", "7"], "AESTDAT": ["03 MAR 2020", "UN MAR 2020", "05 MAR 2020"]},
                         dtype="string")
    export = _export(frame, "AE", "ae.csv", study)
    context = MapContext(study=study, domain=AE, export=export)
    phase1 = apply_phase1(source_records(AE, export, study), context)
    dm = pd.DataFrame({"USUBJID": ["HUCMSC-DLC-01-001", "HUCMSC-DLC-01-002"], "RFSTDTC": ["2020-03-01"] * 2})
    ae, lineage = split_lineage(apply_phase2(phase1, AE, dm=dm, se=None), AE)

    assert ae.columns.tolist() == ["STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AESER", "AESTDTC", "AESTDY"]
    assert ae.values.tolist() == [
        # ISO 8601 text order: the partial "2020-03" sorts before "2020-03-05"
        ["HUCMSC-DLC", "AE", "HUCMSC-DLC-01-001", 1, "Ascites", "Y", "2020-03", pd.NA],
        ["HUCMSC-DLC", "AE", "HUCMSC-DLC-01-001", 2, "Nausea", pd.NA, "2020-03-05", 5],
        ["HUCMSC-DLC", "AE", "HUCMSC-DLC-01-002", 1, "Fever", "N", "2020-03-03", 3],
    ]
    assert lineage[["SEQ", "RAW_FILE", "RAW_ROW"]].values.tolist() == [[1, "ae.csv", 2], [2, "ae.csv", 3],
                                                                         [1, "ae.csv", 1]]
    [finding] = context.findings
    assert (finding.rule, finding.file, finding.row, finding.variable, finding.value) == (
        "SDTM-CT-UNMAPPED", "ae.csv", 3, "AESER", "7")
    assert finding.message == "`AE.AESER` must come from a code of codelist NY (got '7' in AESER)"


LB = Domain(
    name="LB", label="Laboratory Test Results", domain_class="FINDINGS", structure="...",
    keys=("USUBJID", "LBTESTCD", "VISITNUM"), order=("USUBJID",),
    source=Source(kind="melt", form="LBCHEM", tests=(
        {"field": "CREAT", "TESTCD": "CREAT", "ORRESU": "umol/L", "STRESU": "mg/dL", "factor": 1 / 88.4,
         "decimals": 2},
    )),
    variables=(
        V("USUBJID", "usubjid"), V("LBTESTCD", "test_attribute", key="TESTCD"),
        V("LBORRES", "result", **{"as": "original"}), V("LBORRESU", "test_attribute", key="ORRESU"),
        V("LBSTRESC", "result", **{"as": "standard_text"}),
        V("LBSTRESN", "result", "Num", **{"as": "standard_number"}),
        V("VISITNUM", "visit", "Num", attribute="visitnum"), V("VISIT", "visit"),
    ),
)


def test_melt_source_converts_units_and_drops_empty_results(study):
    frame = pd.DataFrame({"SUBJECT": ["01-001", "01-001", "01-002"], "FOLDER": ["D001", "D029", "D001"],
                          "CREAT": ["70.7", "", "88.4"]}, dtype="string")
    export = _export(frame, "LBCHEM", "lb_chem.csv", study)
    context = MapContext(study=study, domain=LB, export=export)
    lb = apply_phase1(source_records(LB, export, study), context)
    assert lb[["LBTESTCD", "LBORRES", "LBSTRESC", "LBSTRESN", "VISITNUM", "VISIT", ROW]].values.tolist() == [
        ["CREAT", "70.7", "0.8", 0.8, 2.0, "DAY 1", 1],
        ["CREAT", "88.4", "1", 1.0, 2.0, "DAY 1", 3],
    ]
    assert context.findings == []


def test_raw_field_stays_readable_after_a_variable_takes_its_name(study):
    domain = Domain(
        name="AE", label="Adverse Events", domain_class="EVENTS", structure="...", keys=("USUBJID",), order=(),
        source=Source(kind="form", form="AE"),
        variables=(V("AEREL", "hardcode", value="RELATED"), V("AERELTRL", "assign_ct", field="AEREL")),
    )
    frame = pd.DataFrame({"SUBJECT": ["01-001", "01-001"], "AEREL": ["2", "4"]}, dtype="string")
    export = _export(frame, "AE", "ae.csv", study)
    out = apply_phase1(source_records(domain, export, study), MapContext(study=study, domain=domain, export=export))
    assert out["AEREL"].tolist() == ["RELATED", "RELATED"]
    assert out["AERELTRL"].tolist() == ["POSSIBLY RELEVANT", "ABSOLUTELY IRRELEVANT"]
