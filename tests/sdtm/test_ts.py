"""TS from the spec and the data: derived parameters, and coded values checked against the CT file."""

from __future__ import annotations

import tarfile

import pandas as pd
import pytest

from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import build_sdtm


@pytest.fixture(scope="module")
def sdtm(study):
    return build_sdtm(read_raw(study.root / "raw", study), study).domains


def _value(ts: pd.DataFrame, parmcd: str) -> str:
    [value] = ts.loc[ts["TSPARMCD"] == parmcd, "TSVAL"].tolist()
    return value


def test_derived_parameters_come_from_dm(sdtm, study):
    ts, dm = sdtm["TS"], sdtm["DM"]
    enrolled = dm[dm["ARMCD"].notna()]
    assert _value(ts, "SSTDTC") == enrolled["RFICDTC"].str.slice(0, 10).min() == "2019-02-24"
    assert dm["RFICDTC"].min() < "2019-02-24"  # a screen failure consented earlier and does not count
    assert _value(ts, "ACTSUB") == str(dm["ARMCD"].notna().sum()) == "24"
    assert _value(ts, "DCUTDTC") == study.data_cutoff
    assert _value(ts, "REGID") == "NCT05442437"


def test_one_record_per_parameter_value(sdtm):
    ts = sdtm["TS"]
    assert not ts.duplicated(["TSPARMCD", "TSSEQ"]).any()
    assert ts.loc[ts["TSVCDREF"] == "CDISC CT", "TSVCDVER"].eq("2025-03-28").all()
    assert ts.loc[ts["TSVCDREF"] != "CDISC CT", "TSVCDVER"].isna().all()


def test_cdisc_ct_codes_are_those_of_the_ct_release(sdtm, reference_dir):
    archive = reference_dir / "ct" / "sdtm" / "SDTM_Terminology_2025-03-28.txt.tar.xz"
    with tarfile.open(archive) as tar:
        ct = pd.read_csv(tar.extractfile(tar.getmembers()[0]), sep="\t", dtype=str)
    codes = set(zip(ct["CDISC Submission Value"], ct["Code"]))
    ts = sdtm["TS"]
    coded = ts[ts["TSVCDREF"] == "CDISC CT"]
    assert len(coded) >= 10
    assert all((value, code) in codes for value, code in zip(coded["TSVAL"], coded["TSVALCD"]))
    parmcds = set(ct.loc[ct["Codelist Code"] == "C66738", "CDISC Submission Value"])
    assert set(ts["TSPARMCD"]) <= parmcds
