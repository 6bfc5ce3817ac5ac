"""SS on the simulated default export: survival status at each contact; the contact phone never reaches SDTM."""

from __future__ import annotations


import pytest

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.spec import load_spec
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec
from sdtm_helpers import build_subset, spec_copy

DOMAINS = ("dm", "se", "ss", "sv")


@pytest.fixture(scope="module")
def built(default_export, study):
    """The default export and the SDTM of the spec's DM, SE, SS and SV only (other domains cannot disturb it)."""
    return default_export, build_subset(default_export, study, DOMAINS)


@pytest.fixture(scope="module")
def ss(built):
    _, result = built
    return result.domains["SS"].merge(result.domains["DM"][["USUBJID", "ARMCD"]], on="USUBJID", validate="many_to_one")


def test_one_survival_status_per_contact(built, ss):
    export, result = built
    assert len(ss) == export.forms["SURV"].n_records == 50
    assert [f for f in result.report.findings if f.dataset == "SS"] == []
    assert ss[["SSTESTCD", "SSTEST"]].drop_duplicates().values.tolist() == [["SURVSTAT", "Survival Status"]]
    assert (ss["SSORRES"] == ss["SSSTRESC"]).all()
    assert {k: int(v) for k, v in ss.groupby(["VISIT", "SSSTRESC"]).size().items()} == {
        ("MONTH 12 CONTACT", "ALIVE"): 18, ("MONTH 12 CONTACT", "DEAD"): 2,
        ("MONTH 18 CONTACT", "ALIVE"): 18, ("MONTH 24 CONTACT", "ALIVE"): 11, ("MONTH 24 CONTACT", "DEAD"): 1}
    # the deaths the contacts found are the subjects with a death report
    dead = set(ss.loc[ss["SSSTRESC"] == "DEAD", "USUBJID"])
    dm = result.domains["DM"]
    assert dead == set(dm.loc[dm["DTHFL"] == "Y", "USUBJID"])


def test_values_are_in_their_codelists_and_timing_is_long_term_follow_up(ss, study):
    allowed = {t.submission for t in study.codelist("SURVSTAT").terms}
    assert set(ss["SSSTRESC"]) <= allowed == {"ALIVE", "DEAD", "UNKNOWN"}
    assert {t.submission for t in study.codelist("SSTESTCD").terms} >= set(ss["SSTESTCD"])
    assert set(ss["EPOCH"]) == {"LONG-TERM FOLLOW-UP"}
    assert (ss["SSDY"] > 169).all()
    row = ss[(ss["USUBJID"] == "HUCMSC-DLC-01-002") & (ss["VISITNUM"] == 9)].iloc[0]
    assert (row["SSDTC"], row["SSDY"], row["VISIT"], row["VISITDY"]) == ("2020-03-24", 386, "MONTH 12 CONTACT", 365)


def test_keys_sequence_and_lineage(built, ss):
    export, result = built
    assert not ss.duplicated(list(result.spec["SS"].keys)).any()
    assert ss.groupby("USUBJID")["SSSEQ"].apply(lambda s: s.tolist() == list(range(1, len(s) + 1))).all()
    lineage = result.lineage[result.lineage["DOMAIN"] == "SS"]
    assert sorted(lineage["RAW_ROW"].astype(int)) == sorted(export.forms["SURV"].frame[ROW].astype(int))


def test_the_contact_phone_number_never_reaches_sdtm(built):
    export, result = built
    phones = set(export.forms["SURV"].frame["PHONE"].dropna())
    assert len(phones) == 24 - 4  # a number planted for every subject with a contact
    for name, frame in result.domains.items():
        assert "PHONE" not in frame.columns, name
        cells = set(frame.astype("string").stack().dropna())
        assert not cells & phones, name


def test_a_spec_that_maps_the_phone_is_refused(study_dir, tmp_path):
    spec = spec_copy(study_dir, tmp_path, ("ss",))
    ss = spec / "sdtm" / "ss.yaml"
    ss.write_text(ss.read_text(encoding="utf-8").replace("args: {date: CONTDAT}", "args: {date: PHONE}"),
                  encoding="utf-8")
    with pytest.raises(SpecError, match=r"'SURV.PHONE' is a direct identifier and must never reach SDTM "
                                        r"\(got it as the source of SSDTC\)"):
        load_sdtm_spec(load_spec(spec))
