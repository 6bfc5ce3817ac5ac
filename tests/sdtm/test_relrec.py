"""RELREC: the rules on literal AE/DS/DD frames, then on the simulated default export."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.sdtm.relrec import RELREC_COLUMNS, build_relrec, relate_fatal_ae_death, relate_sae_disposition
from cdisc_pipe.simulate import run_simulation
from cdisc_pipe.spec import load_spec

S1, S2, S3 = "STUDY-001", "STUDY-002", "STUDY-003"

AE = pd.DataFrame({
    "USUBJID": [S1, S1, S2, S2, S3],
    "AESEQ": [1, 2, 1, 2, 1],
    "AETERM": ["Fever", "Hepatocellular carcinoma", "GI haemorrhage", "Hepatic encephalopathy", "Rash"],
    "AESER": ["N", "Y", "Y", "Y", "Y"],
    "AESTDTC": ["2019-04-01", "2019-06-11", "2020-05-15", "2022-03", "2020-01-10"],
    "AEENDTC": ["2019-04-03", "2019-07-17", "2020-05-26", pd.NA, "2020-01-12"],
    "AEOUT": ["RECOVERED/RESOLVED", "RECOVERED/RESOLVED", "RECOVERED/RESOLVED", "FATAL", "RECOVERED/RESOLVED"],
}).astype({"AESTDTC": "string", "AEENDTC": "string"})

DS = pd.DataFrame({
    "USUBJID": [S1, S1, S1, S1, S2, S2, S3],
    "DSSEQ": [1, 2, 3, 4, 1, 2, 1],
    "DSCAT": ["PROTOCOL MILESTONE", "PROTOCOL MILESTONE", "DISPOSITION EVENT", "DISPOSITION EVENT",
              "DISPOSITION EVENT", "DISPOSITION EVENT", "DISPOSITION EVENT"],
    "DSDECOD": ["INFORMED CONSENT OBTAINED", "ENTERED INTO TRIAL", "WITHDRAWAL BY SUBJECT", "WITHDRAWAL BY SUBJECT",
                "COMPLETED", "DEATH", "LOST TO FOLLOW-UP"],
    "DSSTDTC": ["2019-02-26", "2019-02-28", "2019-06-11", "2019-06-11", "2020-06-01", "2022-05-27", "2020-03-01"],
})

DD = pd.DataFrame({"USUBJID": [S2], "DDSEQ": [1], "DDTESTCD": ["PRCDTH"]})


class FakeStudy:
    studyid = "STUDY"


def test_a_serious_ae_relates_to_the_withdrawals_dated_while_it_lasted():
    pairs = relate_sae_disposition(AE, DS)
    # S2's SAE is followed by a completion and a death only; S3's SAE ended before the subject was lost
    assert pairs.values.tolist() == [[S1, 2, "DS", 3], [S1, 2, "DS", 4]]


def test_a_withdrawal_during_an_ongoing_serious_ae_is_related():
    ae = AE.assign(AEENDTC=AE["AEENDTC"].mask(AE["USUBJID"] == S3))
    assert relate_sae_disposition(ae, DS)["USUBJID"].tolist() == [S1, S1, S3]


def test_a_fatal_ae_relates_to_the_death_details():
    assert relate_fatal_ae_death(AE, DD).values.tolist() == [[S2, 2, "DD", 1]]


def test_build_relrec_groups_each_ae_with_its_related_records():
    relrec = build_relrec({"AE": AE, "DS": DS, "DD": DD}, FakeStudy())
    assert list(relrec.columns) == RELREC_COLUMNS
    assert relrec.drop(columns=["STUDYID", "RELTYPE"]).values.tolist() == [
        ["AE", S1, "AESEQ", "2", "AEDS1"], ["DS", S1, "DSSEQ", "3", "AEDS1"], ["DS", S1, "DSSEQ", "4", "AEDS1"],
        ["AE", S2, "AESEQ", "2", "AEDD1"], ["DD", S2, "DDSEQ", "1", "AEDD1"],
    ]
    assert (relrec["STUDYID"] == "STUDY").all() and relrec["RELTYPE"].isna().all()


def test_build_relrec_numbers_relationships_per_subject_and_never_modifies_its_input():
    ae = pd.concat([AE, AE.iloc[[1]].assign(AESEQ=3, AESTDTC="2019-06-01")], ignore_index=True)
    before = ae.copy()
    relrec = build_relrec({"AE": ae, "DS": DS, "DD": DD}, FakeStudy())
    assert relrec.loc[relrec["USUBJID"] == S1, ["IDVAR", "IDVARVAL", "RELID"]].values.tolist() == [
        ["AESEQ", "2", "AEDS1"], ["DSSEQ", "3", "AEDS1"], ["DSSEQ", "4", "AEDS1"],
        ["AESEQ", "3", "AEDS2"], ["DSSEQ", "3", "AEDS2"], ["DSSEQ", "4", "AEDS2"]]
    pd.testing.assert_frame_equal(ae, before)


def test_build_relrec_without_the_domains_is_empty():
    relrec = build_relrec({"DS": DS}, FakeStudy())
    assert list(relrec.columns) == RELREC_COLUMNS and len(relrec) == 0


def test_build_relrec_names_missing_columns():
    with pytest.raises(ValueError, match=r"`ds` must contain columns .* \(missing \['DSSTDTC'\]\)"):
        build_relrec({"AE": AE, "DS": DS.drop(columns="DSSTDTC"), "DD": DD}, FakeStudy())


@pytest.fixture(scope="module")
def built(study_dir, tmp_path_factory):
    """The default export and the SDTM of DM, SE, AE, DS, DD and RELREC (AE from its own spec file)."""
    names = ("dm", "se", "ae", "ds", "dd", "relrec")
    absent = [f"sdtm/{n}.yaml" for n in names if not (study_dir / "sdtm" / f"{n}.yaml").is_file()]
    if absent:
        pytest.skip(f"the study has no {', '.join(absent)} yet")
    spec = tmp_path_factory.mktemp("spec") / "study"
    shutil.copytree(study_dir, spec, ignore=shutil.ignore_patterns("raw", "sdtm"))
    (spec / "sdtm").mkdir()
    for name in names:
        shutil.copy(study_dir / "sdtm" / f"{name}.yaml", spec / "sdtm")
    study = load_spec(spec)
    raw = tmp_path_factory.mktemp("raw")
    run_simulation(study_dir, raw)
    return build_sdtm(read_raw(raw, study), study)


def test_the_default_study_relates_the_withdrawal_sae_and_the_fatal_ae(built):
    relrec = built.domains["RELREC"]
    records = relrec.merge(built.domains["AE"][["USUBJID", "AESEQ", "AETERM", "AESER", "AEOUT"]].astype(
        {"AESEQ": "string"}), left_on=["USUBJID", "IDVARVAL"], right_on=["USUBJID", "AESEQ"], how="left")
    ae = records[records["RDOMAIN"] == "AE"]
    assert ae[["USUBJID", "RELID", "AETERM"]].values.tolist() == [
        ["HUCMSC-DLC-01-003", "AEDS1", "Newly diagnosed hepatocellular carcinoma"],
        ["HUCMSC-DLC-01-031", "AEDD1", "Hepatic encephalopathy"]]
    ds = built.domains["DS"].astype({"DSSEQ": "string"})
    related = relrec[relrec["RDOMAIN"] == "DS"].merge(ds, left_on=["USUBJID", "IDVARVAL"],
                                                       right_on=["USUBJID", "DSSEQ"], validate="one_to_one")
    assert related[["DSDECOD", "DSSCAT", "DSSTDY"]].values.tolist() == [
        ["WITHDRAWAL BY SUBJECT", "24-WEEK FOLLOW-UP", 85], ["WITHDRAWAL BY SUBJECT", "STUDY PARTICIPATION", 85]]
    dd = relrec[relrec["RDOMAIN"] == "DD"]
    assert dd[["USUBJID", "IDVAR", "IDVARVAL", "RELID"]].values.tolist() == [
        ["HUCMSC-DLC-01-031", "DDSEQ", "1", "AEDD1"]]
    assert not relrec.duplicated(list(built.spec["RELREC"].keys)).any()
    assert relrec["RELTYPE"].isna().all() and list(relrec.columns) == RELREC_COLUMNS
