"""Whole-study invariants of the default study's ADaM: what the issue requires of every dataset.

CHG is exactly AVAL − BASE, ABLFL is unique per subject and parameter, every SRCDOM/SRCSEQ resolves to
an SDTM record of the same subject, keys are unique, the checks report nothing, and every BDS record
carries the ADSL treatment of its subject.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cdisc_pipe.adam.checks import unresolved_pointers

BDS = ["ADLB", "ADVS", "ADQS", "ADLIVER", "ADCE"]


def _bds(default_adam):
    return {n: f for n, f in default_adam.datasets.items()
            if default_adam.spec[n].adam_class == "BASIC DATA STRUCTURE"}


def test_the_checks_report_nothing(default_adam):
    assert default_adam.report.findings == []


def test_adsl_is_one_record_per_screened_subject(default_adam, adam_sdtm):
    adsl = default_adam.datasets["ADSL"]
    dm = adam_sdtm.domains["DM"]
    enrolled = set(dm.loc[dm["ARMCD"].notna(), "USUBJID"])
    assert adsl["USUBJID"].is_unique
    assert set(adsl["USUBJID"]) == set(dm["USUBJID"])
    assert set(adsl.loc[adsl["ENRLFL"] == "Y", "USUBJID"]) == enrolled
    assert (len(adsl), len(enrolled)) == (39, 24)
    assert adsl[adsl["ENRLFL"] == "Y"].groupby("TRT01P").size().tolist() == [8, 8, 8]
    failures = adsl[adsl["ENRLFL"] == "N"]
    assert (failures[["ITTFL", "SAFFL", "FASFL", "COMPLFL"]] == "N").all().all()
    assert failures["TRT01P"].isna().all() and (failures["DCSREAS"] == "SCREEN FAILURE").all()


def test_every_bds_dataset_is_checked(default_adam):
    assert set(_bds(default_adam)) >= {"ADLB", "ADVS"}


@pytest.mark.parametrize("name", BDS)
def test_chg_is_exactly_aval_minus_base(default_adam, name):
    frame = _bds(default_adam).get(name)
    if frame is None or "CHG" not in frame:
        pytest.skip(f"{name} has no CHG")
    expected = frame["AVAL"] - frame["BASE"]
    both_missing = frame["CHG"].isna() & expected.isna()
    assert ((frame["CHG"] == expected) | both_missing).all()
    assert frame["CHG"].notna().sum() > 0


@pytest.mark.parametrize("name", BDS)
def test_ablfl_is_unique_per_subject_and_parameter(default_adam, name):
    frame = _bds(default_adam).get(name)
    if frame is None:
        pytest.skip(f"{name} not in the spec")
    flagged = frame[frame["ABLFL"] == "Y"]
    assert not flagged.duplicated(["USUBJID", "PARAMCD"]).any()
    assert len(flagged) > 0
    # BASE is the AVAL of that record on every record of the subject and parameter
    base = flagged.set_index(["USUBJID", "PARAMCD"])["AVAL"]
    joined = frame.join(base.rename("_B"), on=["USUBJID", "PARAMCD"])
    assert ((joined["BASE"] == joined["_B"]) | (joined["BASE"].isna() & joined["_B"].isna())).all()


def test_every_source_pointer_resolves(default_adam, adam_sdtm):
    checked = 0
    for name, frame in default_adam.datasets.items():
        if not {"SRCDOM", "SRCSEQ"} <= set(frame.columns):
            continue
        assert not unresolved_pointers(frame, adam_sdtm.domains).any(), name
        checked += int((frame["SRCDOM"].notna() & frame["SRCSEQ"].notna()).sum())
    assert checked > 4000


def test_a_pointer_resolves_to_the_same_value(default_adam, adam_sdtm):
    """ADLB AVAL equals the standard result of the LB or CP record its pointer names."""
    adlb = default_adam.datasets["ADLB"]
    for domain in ("LB", "CP"):
        target = adam_sdtm.domains[domain]
        rows = adlb[adlb["SRCDOM"] == domain]
        joined = rows.merge(target[["USUBJID", f"{domain}SEQ", f"{domain}STRESN"]],
                            left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", f"{domain}SEQ"], how="left")
        assert len(joined) == len(rows) > 0
        assert (joined["AVAL"] == joined[f"{domain}STRESN"]).all()


def test_keys_are_unique(default_adam):
    for name, frame in default_adam.datasets.items():
        keys = list(default_adam.spec[name].keys)
        assert not frame.duplicated(keys).any(), name


def test_bds_records_carry_their_subjects_treatment(default_adam):
    adsl = default_adam.datasets["ADSL"].set_index("USUBJID")
    for name, frame in _bds(default_adam).items():
        if "TRT01P" not in frame:
            continue
        assert (frame["TRT01P"].to_numpy() == adsl.loc[frame["USUBJID"], "TRT01P"].to_numpy()).all(), name


def test_anl01fl_is_unique_per_analysis_visit(default_adam):
    for name in ("ADLB", "ADVS"):
        frame = default_adam.datasets[name]
        flagged = frame[frame["ANL01FL"] == "Y"]
        assert not flagged.duplicated(["USUBJID", "PARAMCD", "AVISITN"]).any()
        assert flagged["AVISITN"].notna().all()


def test_baseline_is_on_or_before_first_infusion(default_adam):
    for name in ("ADLB", "ADVS"):
        frame = default_adam.datasets[name]
        base = frame[frame["ABLFL"] == "Y"]
        assert (base["ADT"] <= base["TRTSDT"]).all()
        assert (base["ADY"] <= 1).all()


def test_adsl_dates_are_in_order(default_adam):
    adsl = default_adam.datasets["ADSL"]
    adsl = adsl[adsl["SAFFL"] == "Y"]
    assert (adsl["RFICDT"] <= adsl["TRTSDT"]).all()
    assert (adsl["TRTSDT"] <= adsl["TRTEDT"]).all()
    assert (adsl["TRTEDT"] <= adsl["LSTALVDT"]).all()
    dead = adsl[adsl["DTHFL"] == "Y"]
    assert len(dead) == 3
    assert (dead["LSTALVDT"] <= dead["DTHDT"]).all()
    assert pd.Series(adsl["LSTALVDT"] <= adsl["DCUTDT"]).all()


def test_adsl_populations_and_baseline_scores(default_adam):
    adsl = default_adam.datasets["ADSL"]
    adsl = adsl[adsl["ENRLFL"] == "Y"]
    assert (adsl["SAFFL"] == "Y").all() and (adsl["ITTFL"] == "Y").all()
    # completers of the 24-week follow-up per arm, as the disposition records say (LOW, MEDIUM, HIGH)
    assert adsl[adsl["COMPLFL"] == "Y"].groupby("TRT01PN").size().tolist() == [7, 6, 8]
    assert adsl["BCPSCORE"].between(5, 15).all()
    cls = adsl["BCPSCORE"].map(lambda s: "A" if s <= 6 else ("B" if s <= 9 else "C"))
    assert (adsl["BCPCLASS"] == cls).all()
    assert (adsl["BMELD"] >= 6.43).all()
    assert set(adsl["EOSSTT"]) <= {"COMPLETED", "DISCONTINUED", "ONGOING"}
    assert adsl.loc[adsl["EOSSTT"] == "DISCONTINUED", "DCSREAS"].notna().all()
    assert adsl.loc[adsl["EOSSTT"] != "DISCONTINUED", "DCSREAS"].isna().all()
