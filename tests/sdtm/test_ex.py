"""EX on the simulated default export: three infusions per treated subject, the dose of the arm, dates
and times, study days, the assigned CT checked against the CDISC CT release, keys and lineage."""

from __future__ import annotations

import tarfile

import pandas as pd
import pytest

from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.simulate import run_simulation
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec


@pytest.fixture(scope="module")
def export(study, study_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    run_simulation(study_dir, out)
    return read_raw(out, study)


@pytest.fixture(scope="module")
def result(export, study):
    """DM and SE (for study days and EPOCH) and EX."""
    spec = {k: v for k, v in load_sdtm_spec(study).items() if k in ("DM", "SE", "EX")}
    return build_sdtm(export, study, spec)


@pytest.fixture(scope="module")
def ex(result):
    arms = result.domains["DM"][["USUBJID", "ARMCD", "RFXSTDTC", "RFXENDTC"]]
    return result.domains["EX"].merge(arms, on="USUBJID", how="left", validate="many_to_one")


def test_three_infusions_per_treated_subject(result, export, ex):
    assert len(ex) == export.forms["EX"].n_records == 72
    assert [f for f in result.report.findings if f.dataset == "EX"] == []
    assert ex.groupby("ARMCD")["USUBJID"].nunique().to_dict() == {"HIGH": 8, "LOW": 8, "MEDIUM": 8}
    assert ex.groupby("USUBJID")["EXSEQ"].agg(list).map(lambda v: v == [1, 2, 3]).all()
    assert ex[["VISITNUM", "VISIT", "EXSTDY", "EXENDY"]].drop_duplicates().values.tolist() == [
        [2.0, "DAY 1", 1, 1], [3.0, "DAY 8", 8, 8], [4.0, "DAY 15", 15, 15]]
    assert set(ex["EPOCH"]) == {"TREATMENT"}


def test_dose_is_the_arms_cell_count(ex, study):
    doses = {arm.armcd: arm.dose for arm in study.arms}
    assert (ex["EXDOSE"] == ex["ARMCD"].map(doses)).all()
    assert ex.groupby("ARMCD")["EXDOSE"].first().to_dict() == {"HIGH": 1.0e8, "LOW": 2.5e7, "MEDIUM": 5.0e7}
    assert ex[["EXDOSU", "EXDOSFRM", "EXDOSFRQ", "EXROUTE", "EXVAMT", "EXVAMTU"]].drop_duplicates().values.tolist() == [
        ["Therapeutic Cells", "SUSPENSION", "ONCE", "INTRAVENOUS", 100.0, "mL"]]


def test_treatment_name_is_the_trial_summary_treatment(ex, study):
    [trt] = [p.values for p in study.trial_summary if p.code == "TRT"]
    assert set(ex["EXTRT"]) == set(trt)


def test_dates_and_times(ex):
    assert ex["EXSTDTC"].str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}").all()
    assert ex["EXENDTC"].str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}").all()
    assert (ex["EXSTDTC"].str[:10] == ex["EXENDTC"].str[:10]).all() and (ex["EXSTDTC"] < ex["EXENDTC"]).all()
    first = ex[ex["EXSEQ"] == 1]
    last = ex[ex["EXSEQ"] == 3]
    assert (first["EXSTDTC"] == first["RFXSTDTC"]).all() and (last["EXENDTC"] == last["RFXENDTC"]).all()


def test_keys_and_lineage(result, export, ex):
    assert not ex.duplicated(["STUDYID", "USUBJID", "EXTRT", "EXSTDTC"]).any()
    lineage = result.lineage[result.lineage["DOMAIN"] == "EX"]
    raw = export.forms["EX"].frame
    assert sorted(lineage["RAW_ROW"]) == sorted(raw["_ROW_"]) and set(lineage["RAW_FILE"]) == {"ex.csv"}
    joined = lineage.merge(ex, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "EXSEQ"]).merge(
        raw, left_on="RAW_ROW", right_on="_ROW_", suffixes=("", "_RAW"))
    assert (joined["FOLDER"].map({"D001": "DAY 1", "D008": "DAY 8", "D015": "DAY 15"}) == joined["VISIT"]).all()
    assert (joined["EXSTDTC"].str[11:] == joined["EXSTTIM"]).all()


@pytest.mark.reference
def test_assigned_values_are_cdisc_ct(reference_dir, ex):
    path = reference_dir / "ct" / "sdtm" / "SDTM_Terminology_2025-03-28.txt.tar.xz"
    with tarfile.open(path) as archive:
        ct = pd.read_csv(archive.extractfile("SDTM Terminology.txt"), sep="\t", dtype=str)
    terms = set(zip(ct["Codelist Code"], ct["CDISC Submission Value"], ct["Code"]))
    expected = {("C71620", "Therapeutic Cells", "C187669"), ("C66726", "SUSPENSION", "C42994"),
                ("C71113", "ONCE", "C64576"), ("C66729", "INTRAVENOUS", "C38276"), ("C71620", "mL", "C28254")}
    assert expected <= terms
    used = set(ex["EXDOSU"]) | set(ex["EXDOSFRM"]) | set(ex["EXDOSFRQ"]) | set(ex["EXROUTE"]) | set(ex["EXVAMTU"])
    assert used == {value for _, value, _ in expected}
