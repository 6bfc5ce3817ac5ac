"""LB on the simulated default export: five lab forms melted to one record per test per sample, CDISC test
codes and units, SI results, reference ranges and LBNRIND, LBSTAT, LBLOBXFL, timing, keys and lineage.

Until the engine melts several forms (``source.form`` optional for a melt whose tests name their form), the
LB spec is staged at ``specs/<study>/lab/lb.yaml`` and built here the way ``build_sdtm`` builds a domain:
:func:`melt_forms`, then phase 1, phase 2 and the lineage split.
"""

from __future__ import annotations

import pandas as pd
import pytest
from findings_checks import assert_findings_structure, assert_lineage_points_at_raw, ct_terms

from cdisc_pipe.sdtm.algorithms_findings import melt_forms
from cdisc_pipe.sdtm.build import apply_phase1, apply_phase2, split_lineage
from cdisc_pipe.sdtm.context import MapContext
from cdisc_pipe.sdtm.registry import assert_algorithm_args
from cdisc_pipe.spec.problems import read_yaml, schema_problems
from cdisc_pipe.spec.sdtm_load import _build, load_sdtm_spec

FORMS = ["LBLIV", "LBCOAG", "LBCHEM", "LBHEM", "LBCYT"]
#: Units printed on the CRF that CDISC UNIT lists as a synonym of another submission value.
CT_UNIT = {"sec": "s", "pg/mL": "ng/L"}


@pytest.fixture(scope="module")
def export(default_export):
    return default_export


@pytest.fixture(scope="module")
def result(default_sdtm):
    return default_sdtm


@pytest.fixture(scope="module")
def domain(study):
    spec = load_sdtm_spec(study)
    if "LB" in spec:
        return spec["LB"]
    document = read_yaml(study.root / "lab" / "lb.yaml")
    assert schema_problems("lab/lb.yaml", document, "sdtm-domain") == []
    return _build("lab/lb.yaml", document)


@pytest.fixture(scope="module")
def built(result, export, study, domain):
    """(LB, its lineage rows, the findings met while mapping it)."""
    if "LB" in result.domains:
        lineage = result.lineage[result.lineage["DOMAIN"] == "LB"]
        return result.domains["LB"], lineage, [f for f in result.report.findings if f.dataset == "LB"]
    context = MapContext(study=study, domain=domain, export=export)
    records = melt_forms(export, study, domain.source.tests, where=domain.source.where,
                         drop_missing=domain.source.drop_missing)
    finished = apply_phase2(apply_phase1(records, context), domain, dm=result.domains["DM"], se=result.domains["SE"])
    lb, lineage = split_lineage(finished, domain)
    return lb, lineage, context.findings


@pytest.fixture(scope="module")
def lb(built):
    return built[0]


def test_the_test_table_matches_the_crf(study, domain):
    tests = pd.DataFrame(list(domain.source.tests))
    assert tests["form"].drop_duplicates().tolist() == FORMS
    for test in domain.source.tests:
        field = study.form(test["form"]).field(test["field"])
        assert test["ORRESU"] == CT_UNIT.get(field.unit, field.unit), test["field"]
        assert test["factor"] == 1 and test["STRESU"] == test["ORRESU"], test["field"]
        assert test["STNRLO"] == float(test["ORNRLO"]) * test["factor"], test["field"]
        assert test["STNRHI"] == float(test["ORNRHI"]) * test["factor"], test["field"]
    crf_fields = {(f, x.name) for f in FORMS for x in study.form(f).fields if x.type == "float"}
    assert set(zip(tests["form"], tests["field"])) == crf_fields
    assert not tests.duplicated(["TESTCD"]).any()
    for i, variable in enumerate(domain.variables):
        assert assert_algorithm_args(variable, where=f"variables[{i}]") == []


def test_one_record_per_test_per_sample(built, export, lb):
    _, _, findings = built
    assert findings == []
    assert len(lb) == 3294 == sum(export.forms[f].n_records * (len(export.forms[f].frame.columns) - 5) for f in FORMS)
    assert lb.groupby("LBCAT").size().to_dict() == {"CHEMISTRY": 1201, "COAGULATION": 596, "HEMATOLOGY": 755,
                                                    "IMMUNOLOGY": 742}


def test_records_per_arm(result, lb):
    arms = lb.merge(result.domains["DM"][["USUBJID", "ARMCD"]], on="USUBJID", validate="many_to_one")
    assert arms["ARMCD"].fillna("SCREEN FAILURE").value_counts().to_dict() == {
        "HIGH": 1089, "LOW": 1064, "MEDIUM": 886, "SCREEN FAILURE": 255}


def test_every_raw_lab_record_lands_and_lineage_points_at_it(built, export, domain, study):
    lb, lineage, _ = built
    joined = assert_lineage_points_at_raw(lineage, export, FORMS)
    joined = joined.merge(lb, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "LBSEQ"], validate="one_to_one")
    assert len(joined) == len(lb)
    for test in domain.source.tests:
        rows = joined[(joined["RAW_FORM"] == test["form"]) & (joined["LBTESTCD"] == test["TESTCD"])]
        raw = rows[test["field"]].mask(rows[test["field"]] == "")
        assert (raw.fillna("<blank>") == rows["LBORRES"].fillna("<blank>")).all(), test["field"]
        assert (rows["FOLDER"].map({v.folder: v.visit for v in study.visits}) == rows["VISIT"]).all()


def test_keys_sequence_and_study_days(lb):
    assert_findings_structure(lb, prefix="LB", keys=["STUDYID", "USUBJID", "LBCAT", "LBTESTCD", "VISITNUM"])
    screen_failures = lb["LBDY"].isna() & lb["VISIT"].eq("SCREENING")
    assert lb.loc[lb["LBDY"].isna()].index.equals(lb.loc[screen_failures].index)


def test_a_subjects_day_1_sample(lb):
    day1 = lb[(lb["USUBJID"] == "HUCMSC-DLC-01-002") & (lb["VISIT"] == "DAY 1")].set_index("LBTESTCD")
    assert day1.loc["ALB", ["LBSEQ", "LBORRES", "LBORRESU", "LBSTRESC", "LBSTRESN", "LBSTRESU", "LBNRIND",
                            "LBLOBXFL", "LBDTC", "LBDY", "EPOCH", "VISITNUM", "VISITDY"]].tolist() == [
        18, "33.4", "g/L", "33.4", 33.4, "g/L", "LOW", "Y", "2019-03-05", 1, "TREATMENT", 2.0, 1.0]
    assert day1.loc["PTACT", ["LBORRES", "LBSTRESC", "LBORRESU", "LBSPEC", "LBCAT", "LBNRIND"]].tolist() == [
        "56.0", "56", "%", "PLASMA", "COAGULATION", "LOW"]
    cytokine = ["LBTEST", "LBORRES", "LBORRESU", "LBSCAT", "LBSTNRLO", "LBSTNRHI", "LBNRIND"]
    assert day1.loc["INTLK8", cytokine].tolist() == [
        "Interleukin 8", "18.36", "ng/L", "CYTOKINES", 0.0, 20.6, "NORMAL"]
    assert pd.isna(day1.loc["INR", "LBORRESU"]) and day1.loc["INR", "LBNRIND"] == "HIGH"


def test_nrind_compares_the_standard_result_with_the_standard_range(lb):
    done = lb[lb["LBSTRESN"].notna()]
    expected = pd.Series("NORMAL", index=done.index).mask(done["LBSTRESN"] < done["LBSTNRLO"], "LOW").mask(
        done["LBSTRESN"] > done["LBSTNRHI"], "HIGH")
    assert (done["LBNRIND"] == expected).all()
    assert lb["LBNRIND"].value_counts().to_dict() == {"NORMAL": 1478, "LOW": 965, "HIGH": 843}


def test_blank_planned_results_are_not_done(lb):
    not_done = lb[lb["LBSTAT"].notna()]
    assert set(not_done["LBSTAT"]) == {"NOT DONE"}
    assert not_done["LBTESTCD"].value_counts().to_dict() == {"ANTHRMAG": 3, "INTLK17": 3, "INTLK8": 2}
    assert not_done[["LBORRES", "LBSTRESC", "LBSTRESN", "LBNRIND", "LBLOBXFL"]].isna().all().all()
    assert lb.loc[lb["LBSTAT"].isna(), "LBORRES"].notna().all()


def test_lobxfl_is_the_last_result_on_or_before_first_infusion(result, lb):
    dm = result.domains["DM"]
    treated = set(dm.loc[dm["RFXSTDTC"].notna(), "USUBJID"])
    flagged = lb[lb["LBLOBXFL"] == "Y"]
    assert set(lb["LBLOBXFL"].dropna()) == {"Y"}
    counts = flagged.groupby(["USUBJID", "LBTESTCD"]).size()
    assert (counts == 1).all() and len(counts) == len(treated) * 24 == 576
    assert set(flagged["USUBJID"]) == treated and set(flagged["VISIT"]) == {"DAY 1"}
    ref = flagged.merge(dm[["USUBJID", "RFXSTDTC"]], on="USUBJID")
    assert (ref["LBDTC"] <= ref["RFXSTDTC"].str.slice(0, 10)).all()


def test_timing_variables(study, lb):
    visits = {v.visit: (v.visitnum, v.day) for v in study.visits}
    assert all(visits[v] == (n, d) for v, n, d in zip(lb["VISIT"], lb["VISITNUM"], lb["VISITDY"]))
    assert set(lb.loc[lb["VISIT"] == "SCREENING", "EPOCH"]) == {"SCREENING"}
    assert set(lb["EPOCH"]) <= {e.name for e in study.epochs}
    assert lb["LBDTC"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


@pytest.mark.reference
def test_codes_names_and_units_are_cdisc_ct(reference_dir, domain, lb):
    testcd, test = ct_terms(reference_dir, "LBTESTCD"), ct_terms(reference_dir, "LBTEST")
    sponsor = {"PTACT"}  # prothrombin time activity (Quick %): no CDISC term; LBTESTCD is extensible
    pairs = lb[["LBTESTCD", "LBTEST"]].drop_duplicates()
    for code, name in zip(pairs["LBTESTCD"], pairs["LBTEST"]):
        if code in sponsor:
            assert code not in testcd and name not in test
        else:
            assert testcd[code] == test[name], (code, name)
    units = ct_terms(reference_dir, "UNIT")
    assert set(lb["LBORRESU"].dropna()) | set(lb["LBSTRESU"].dropna()) <= set(units)
    assert set(lb["LBSPEC"]) <= set(ct_terms(reference_dir, "SPECTYPE"))
    assert set(lb["LBNRIND"].dropna()) <= set(ct_terms(reference_dir, "NRIND"))
    assert set(lb["LBSTAT"].dropna()) <= set(ct_terms(reference_dir, "ND"))
    assert set(lb["EPOCH"]) <= set(ct_terms(reference_dir, "EPOCH"))
