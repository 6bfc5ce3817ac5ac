"""SV on the simulated default export: clinic visits and survival contacts, one record per visit done."""

from __future__ import annotations


import pytest

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.spec import load_spec
from cdisc_pipe.spec.sdtm_load import load_sdtm_spec
from sdtm_helpers import build_subset, spec_copy

DOMAINS = ("dm", "se", "sv")


@pytest.fixture(scope="module")
def built(default_export, study):
    """The default export and the SDTM of the spec's DM, SE and SV only (other domains cannot disturb it)."""
    return default_export, build_subset(default_export, study, DOMAINS)


@pytest.fixture(scope="module")
def sv(built):
    return built[1].domains["SV"]


def test_one_record_per_clinic_visit_and_survival_contact(built, sv):
    export, result = built
    assert len(sv) == export.forms["VIS"].n_records + export.forms["SURV"].n_records == 199 + 50
    assert [f for f in result.report.findings if f.dataset == "SV"] == []
    assert list(sv.columns) == ["STUDYID", "DOMAIN", "USUBJID", "VISITNUM", "VISIT", "SVPRESP", "SVOCCUR", "SVCNTMOD",
                                "VISITDY", "SVSTDTC", "SVENDTC", "SVSTDY", "SVENDY"]
    counts = sv.groupby("VISIT").size().to_dict()
    assert counts["SCREENING"] == 39 and counts["DAY 1"] == 24 and "END OF STUDY" not in counts
    assert (counts["MONTH 12 CONTACT"], counts["MONTH 18 CONTACT"], counts["MONTH 24 CONTACT"]) == (20, 18, 12)
    assert set(sv["SVPRESP"]) == set(sv["SVOCCUR"]) == {"Y"}


def test_contact_mode_and_dates(sv, study):
    clinic = sv[sv["VISITNUM"] <= 8]
    contacts = sv[sv["VISITNUM"] > 8]
    assert set(clinic["SVCNTMOD"]) == {"IN PERSON"}
    assert set(contacts["SVCNTMOD"]) <= {t.submission for t in study.codelist("CNTMODE").terms}
    assert (sv["SVSTDTC"] == sv["SVENDTC"]).all() and sv["SVSTDTC"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert sv[sv["USUBJID"] == "HUCMSC-DLC-01-002"][["VISIT", "SVCNTMOD", "SVSTDTC", "SVSTDY"]].values.tolist()[-4:] == [
        ["DAY 169", "IN PERSON", "2019-08-15", 164], ["MONTH 12 CONTACT", "TELEPHONE CALL", "2020-03-24", 386],
        ["MONTH 18 CONTACT", "TELEPHONE CALL", "2020-09-15", 561], ["MONTH 24 CONTACT", "IN PERSON", "2021-03-19", 746]]
    first = sv[sv["VISIT"] == "DAY 1"]
    assert (first["SVSTDY"] == 1).all() and not (sv["SVSTDY"] == 0).any()
    failures = sv[sv["USUBJID"].isin(["HUCMSC-DLC-01-001", "HUCMSC-DLC-01-004"])]
    assert failures["VISIT"].tolist() == ["SCREENING", "SCREENING"] and failures["SVSTDY"].isna().all()


def test_keys_unique_sorted_and_lineage(built, sv):
    export, result = built
    assert not sv.duplicated(list(result.spec["SV"].keys)).any()
    assert sv[["USUBJID", "VISITNUM"]].equals(sv[["USUBJID", "VISITNUM"]].sort_values(["USUBJID", "VISITNUM"]))
    lineage = result.lineage[result.lineage["DOMAIN"] == "SV"]
    for form in ("VIS", "SURV"):
        rows = lineage.loc[lineage["RAW_FORM"] == form, "RAW_ROW"].astype(int)
        assert sorted(rows) == sorted(export.forms[form].frame[ROW].astype(int)), form


def test_a_part_that_maps_the_phone_is_refused(study_dir, tmp_path):
    spec = spec_copy(study_dir, tmp_path, ("sv",))
    sv = spec / "sdtm" / "sv.yaml"
    sv.write_text(sv.read_text(encoding="utf-8").replace("SVENDTC: {algorithm: iso_datetime, args: {date: CONTDAT}}",
                                                         "SVENDTC: {algorithm: assign, args: {field: PHONE}}"),
                  encoding="utf-8")
    with pytest.raises(SpecError, match=r"'SURV.PHONE' is a direct identifier and must never reach SDTM "
                                        r"\(got it as the source of SVENDTC\)"):
        load_sdtm_spec(load_spec(spec))
