"""The ``stack`` source: a domain fed by several forms, each part with its own variable overrides."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.model import ROW, RawExport, RawForm
from cdisc_pipe.sdtm.algorithms import FILE, FORM
from cdisc_pipe.sdtm.build import apply_phase2, apply_sources, split_lineage
from cdisc_pipe.spec import load_spec
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec
from cdisc_pipe.spec.sdtm_model import Domain, Part, SdtmVariable, Source


def V(name, algorithm, type="Char", **args):
    return SdtmVariable(name=name, label=name, type=type, algorithm=algorithm, args=args)


def O(algorithm, **args):
    return MappingProxyType({"algorithm": algorithm, "args": args})


DS = Domain(
    name="DS", label="Disposition", domain_class="EVENTS", structure="...", keys=("USUBJID", "DSDECOD"),
    order=("USUBJID", "DSSEQ"),
    source=Source(kind="stack", parts=(
        Part(Source(kind="form", form="IC"), MappingProxyType({
            "DSDECOD": O("hardcode", value="INFORMED CONSENT OBTAINED"), "DSSTDTC": O("iso_datetime", date="ICDAT")})),
        Part(Source(kind="form", form="DS", where=MappingProxyType({"FOLDER": "EOS"}))),
    )),
    variables=(V("USUBJID", "usubjid"), V("DSSEQ", "seq", "Num", order=["DSSTDTC"]),
               V("DSDECOD", "assign_ct", field="DSDECOD"), V("DSSTDTC", "iso_datetime", date="DSDAT")),
)


def _export(study, **frames) -> RawExport:
    forms = {form: RawForm(form=study.form(form), frame=frame.assign(**{ROW: range(1, len(frame) + 1)}).astype(
        {c: "string" for c in frame.columns}), file=f"{form.lower()}.csv") for form, frame in frames.items()}
    return RawExport(source=Path("."), format="csv", forms=forms)


def test_each_part_maps_its_own_form_and_records_are_stacked_with_provenance(study):
    export = _export(study,
                     IC=pd.DataFrame({"SUBJECT": ["01-002", "01-001"], "ICDAT": ["24 FEB 2019", "19 FEB 2019"]}),
                     DS=pd.DataFrame({"SUBJECT": ["01-002", "01-002", "01-001"], "FOLDER": ["D169", "EOS", "EOS"],
                                      "DSDAT": ["15 AUG 2019", "19 MAR 2021", "01 MAR 2019"],
                                      "DSDECOD": ["1", "1", "42"]}))
    working, findings = apply_sources(DS, export, study)
    assert working[["USUBJID", "DSDECOD", "DSSTDTC", FORM, FILE, ROW]].values.tolist() == [
        ["HUCMSC-DLC-01-002", "INFORMED CONSENT OBTAINED", "2019-02-24", "IC", "ic.csv", 1],
        ["HUCMSC-DLC-01-001", "INFORMED CONSENT OBTAINED", "2019-02-19", "IC", "ic.csv", 2],
        ["HUCMSC-DLC-01-002", "COMPLETED", "2021-03-19", "DS", "ds.csv", 2],
        ["HUCMSC-DLC-01-001", pd.NA, "2019-03-01", "DS", "ds.csv", 3],
    ]
    [finding] = findings  # the DS part recodes with the DS form's codelist
    assert (finding.rule, finding.file, finding.row, finding.value) == ("SDTM-CT-UNMAPPED", "ds.csv", 3, "42")
    ds, lineage = split_lineage(apply_phase2(working, DS, dm=None, se=None), DS)
    assert ds[["USUBJID", "DSSEQ"]].values.tolist() == [["HUCMSC-DLC-01-001", 1], ["HUCMSC-DLC-01-001", 2],
                                                       ["HUCMSC-DLC-01-002", 1], ["HUCMSC-DLC-01-002", 2]]
    assert lineage[["RAW_FORM", "RAW_ROW", "SEQ"]].values.tolist() == [["IC", 2, 1], ["DS", 3, 2], ["IC", 1, 1],
                                                                       ["DS", 2, 2]]


def test_a_stack_whose_forms_have_no_records_gives_an_empty_frame(study):
    export = _export(study, IC=pd.DataFrame({"SUBJECT": [], "ICDAT": []}),
                     DS=pd.DataFrame({"SUBJECT": [], "FOLDER": [], "DSDAT": [], "DSDECOD": []}))
    working, findings = apply_sources(DS, export, study)
    assert len(working) == 0 and findings == []
    assert {"USUBJID", "DSDECOD", "DSSTDTC"} <= set(working.columns)


def test_part_domains_apply_the_overrides():
    ic, ds = DS.part_domains()
    assert (ic.source.form, ic.variable("DSDECOD").algorithm, dict(ic.variable("DSSTDTC").args)) == (
        "IC", "hardcode", {"date": "ICDAT"})
    assert ds.variable("DSSTDTC").args["date"] == "DSDAT" and ds.source.where["FOLDER"] == "EOS"


def _spec_with(study_dir: Path, folder: Path, text: str) -> Path:
    spec = folder / "study"
    shutil.copytree(study_dir, spec, ignore=shutil.ignore_patterns("raw", "sdtm"))
    (spec / "sdtm").mkdir()
    (spec / "sdtm" / "xx.yaml").write_text(text, encoding="utf-8")
    return spec


STACK = """
domain: XX
label: Test
class: EVENTS
structure: One record per thing
keys: [USUBJID]
source:
  kind: stack
  parts:
    - {form: IC, variables: {XXDTC: {algorithm: iso_datetime, args: {date: ICDAT}}}}
    - {form: ENR, where: {ELIGYN: "1"}, variables: {XXNOPE: {algorithm: hardcode, args: {value: A}}}}
variables:
  - {name: USUBJID, label: Unique Subject Identifier, type: Char, algorithm: usubjid}
  - {name: XXDTC, label: Date, type: Char, algorithm: iso_datetime, args: {date: DSDAT}}
"""


def test_the_loader_checks_every_part_against_its_own_form(study_dir, tmp_path):
    with pytest.raises(SpecError) as error:
        load_sdtm_spec(load_spec(_spec_with(study_dir, tmp_path, STACK)))
    message = str(error.value)
    assert "sdtm/xx.yaml: source.parts[1].variables" in message and "XXNOPE" in message
    assert "sdtm/xx.yaml: source.parts[1].where" in message and "ELIGYN" in message
    assert "sdtm/xx.yaml: source.parts[1] (ENR): variables[1] (XXDTC).args.date" in message and "DSDAT" in message
    assert "source.parts[0]" not in message  # the IC part overrides XXDTC with a field of IC


def test_a_stack_source_must_have_parts(study_dir, tmp_path):
    text = STACK.split("  parts:")[0] + "variables:" + STACK.split("variables:")[-1]
    with pytest.raises(SpecError, match=r"key 'parts' must be present"):
        load_sdtm_spec(load_spec(_spec_with(study_dir, tmp_path, text)))


def test_parts_need_the_stack_kind(study_dir, tmp_path):
    text = STACK.replace("kind: stack", "kind: form\n  form: IC")
    with pytest.raises(SpecError, match=r"source.parts must only be given with kind 'stack' \(got kind 'form'\)"):
        load_sdtm_spec(load_spec(_spec_with(study_dir, tmp_path, text)))
