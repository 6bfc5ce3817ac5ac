"""ADTTE of the default study, built by the engine from the spec, checked against SDTM it comes from.

One record per treated subject per parameter; CNSR 0 exactly for events; every pointer (SRCDOM, SRCVAR,
SRCSEQ) names the record and variable ADT was read from; AVAL follows the +1 day convention.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cdisc_pipe.adam.checks import unresolved_pointers
from cdisc_pipe.adam.engine import build_adam
from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.spec.adam_load import load_adam_spec

PARAMS = ["OS", "TTSAE"]


def _date(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.astype("string").str.slice(0, 10), format="%Y-%m-%d", errors="coerce")


@pytest.fixture(scope="module")
def built(study):
    """SDTM of the shipped export, then ADTTE and the datasets it reads (ADSL)."""
    spec = load_adam_spec(study)
    sdtm = build_sdtm(read_raw(study.root / "raw", study), study).domains
    needed, todo = set(), ["ADTTE"]
    while todo:
        name = todo.pop()
        if name in needed or name not in spec:
            continue
        needed.add(name)
        todo += sorted(spec[name].references() | spec[name].references(final=True))
    return build_adam(sdtm, study, {n: d for n, d in spec.items() if n in needed}), sdtm


@pytest.fixture(scope="module")
def adtte(built) -> pd.DataFrame:
    return built[0].datasets["ADTTE"]


@pytest.fixture(scope="module")
def treated(built) -> pd.DataFrame:
    """DM records of the subjects with at least one infusion (EX with a dose)."""
    sdtm = built[1]
    dosed = sdtm["EX"].loc[sdtm["EX"]["EXDOSE"] > 0, "USUBJID"].unique()
    return sdtm["DM"].loc[sdtm["DM"]["USUBJID"].isin(dosed)].reset_index(drop=True)


def test_no_findings_for_adtte(built):
    assert [f for f in built[0].report.findings if f.dataset == "ADTTE"] == []


def test_one_record_per_treated_subject_and_parameter(adtte, treated):
    assert len(treated) == 24
    assert not adtte.duplicated(["USUBJID", "PARAMCD"]).any()
    expected = {(s, p) for s in treated["USUBJID"] for p in PARAMS}
    assert set(zip(adtte["USUBJID"], adtte["PARAMCD"])) == expected
    assert (adtte["PARAMN"] == adtte["PARAMCD"].map({"OS": 1, "TTSAE": 2})).all()


def test_cnsr_is_zero_or_one_and_aval_is_adt_minus_startdt_plus_one(adtte, treated):
    assert set(adtte["CNSR"]) <= {0.0, 1.0}
    first_infusion = _date(treated.set_index("USUBJID")["RFXSTDTC"])
    assert (adtte["STARTDT"] == adtte["USUBJID"].map(first_infusion)).all()
    assert (adtte["AVAL"] == (adtte["ADT"] - adtte["STARTDT"]).dt.days + 1).all()
    assert (adtte["AVAL"] > 0).all() and (adtte["AVALU"] == "DAYS").all()


def test_os_events_are_the_deaths_of_dm_on_the_death_date(adtte, treated):
    os_ = adtte.loc[adtte["PARAMCD"] == "OS"].set_index("USUBJID")
    dead = treated.loc[treated["DTHFL"].eq("Y").fillna(False)].set_index("USUBJID")
    assert len(dead) == 3
    assert set(os_.index[os_["CNSR"] == 0]) == set(dead.index)
    assert (os_.loc[dead.index, "ADT"] == _date(dead["DTHDTC"])).all()


def test_os_deaths_match_the_papers_disposition(adtte):
    """Paper (Figure 1): LOW (1) - deaths 11 and 23 months after the first infusion; HIGH (3) - one at about 7."""
    deaths = adtte.loc[(adtte["PARAMCD"] == "OS") & (adtte["CNSR"] == 0)]
    months = (deaths["AVAL"] / (365.25 / 12)).round().astype(int)
    assert sorted(zip(deaths["TRT01PN"], months)) == [(1.0, 11), (1.0, 23), (3.0, 7)]


def test_os_censoring_is_the_date_last_known_alive(adtte, built):
    adsl = built[0].datasets["ADSL"].set_index("USUBJID")
    censored = adtte.loc[(adtte["PARAMCD"] == "OS") & (adtte["CNSR"] == 1)]
    assert (censored["ADT"] == censored["USUBJID"].map(adsl["LSTALVDT"])).all()
    assert (censored["ADT"] <= censored["USUBJID"].map(adsl["DCUTDT"])).all()


def test_ttsae_events_are_the_first_serious_ae_on_or_after_first_infusion(adtte, built, treated):
    ae = built[1]["AE"]
    sae = ae.loc[ae["AESER"].eq("Y") & ae["USUBJID"].isin(treated["USUBJID"])]
    # guard: a partial onset date would silently drop an SAE (no imputation in ADTTE); none has one
    assert _date(sae["AESTDTC"]).notna().all() and (sae["AESTDTC"].str.len() >= 10).all()
    on_treatment = sae.loc[sae["AESTDY"] >= 1]
    first = _date(on_treatment["AESTDTC"]).groupby(on_treatment["USUBJID"]).min()
    ttsae = adtte.loc[adtte["PARAMCD"] == "TTSAE"].set_index("USUBJID")
    assert set(ttsae.index[ttsae["CNSR"] == 0]) == set(first.index)
    assert len(first) == 3
    assert (ttsae.loc[first.index, "ADT"] == first).all()


def test_ttsae_censoring_is_the_end_of_the_24_week_follow_up(adtte, built):
    ds = built[1]["DS"]
    end = ds.loc[ds["DSSCAT"] == "24-WEEK FOLLOW-UP"].set_index("USUBJID")["DSSTDTC"]
    censored = adtte.loc[(adtte["PARAMCD"] == "TTSAE") & (adtte["CNSR"] == 1)]
    assert (censored["ADT"] == _date(censored["USUBJID"].map(end))).all()
    # AEs are collected up to that date only: no AE starts after it
    ae = built[1]["AE"]
    assert (_date(ae["AESTDTC"]) <= _date(ae["USUBJID"].map(end))).where(ae["AESTDTC"].str.len() >= 10, True).all()


def test_no_subject_falls_back_to_censoring_at_first_infusion(adtte):
    assert not (adtte["EVNTDESC"] == "FIRST INFUSION").any()


def test_cnsr_zero_means_event(adtte):
    event = adtte["CNSR"] == 0
    assert (event == adtte["EVNTDESC"].isin(["DEATH", "SERIOUS ADVERSE EVENT"])).all()
    assert (event == adtte["CNSDTDSC"].isna()).all()
    assert (adtte.loc[event & (adtte["PARAMCD"] == "OS"), "SRCDOM"].isin(["DS", "DM"])).all()
    assert (adtte.loc[event & (adtte["PARAMCD"] == "TTSAE"), "SRCDOM"] == "AE").all()


def test_every_pointer_names_the_record_and_variable_adt_came_from(adtte, built):
    result, sdtm = built
    assert not unresolved_pointers(adtte, sdtm).any()
    frames = {**sdtm, "ADSL": result.datasets["ADSL"]}
    for (domain, variable), group in adtte.groupby(["SRCDOM", "SRCVAR"]):
        frame = frames[domain]
        seq = f"{domain}SEQ"
        if group["SRCSEQ"].notna().all():
            keys = ["USUBJID", seq]
            probe = group[["USUBJID", "SRCSEQ", "ADT"]].rename(columns={"SRCSEQ": seq})
            probe[seq] = probe[seq].astype("int64")
        else:
            assert group["SRCSEQ"].isna().all() and seq not in frame.columns, (domain, variable)
            keys = ["USUBJID"]
            probe = group[["USUBJID", "ADT"]]
        target = frame[[*keys, variable]].astype({"USUBJID": "string"})
        merged = probe.astype({"USUBJID": "string"}).merge(target, on=keys, how="left", validate="one_to_one")
        value = merged[variable]
        value = value.dt.normalize() if pd.api.types.is_datetime64_any_dtype(value) else _date(value)
        assert (value.to_numpy() == merged["ADT"].to_numpy()).all(), (domain, variable)
