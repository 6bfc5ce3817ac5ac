"""ADAE of the default study, built by the engine from specs/hucmsc-dlc/adam/adae.yaml, checked against the
SDTM it comes from and against Table 1 of the paper (../shared/seed/published-results.yaml)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cdisc_pipe.adam.checks import unresolved_pointers

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "published-results.yaml"
GROUPS = {1.0: "LOW", 2.0: "MEDIUM", 3.0: "HIGH"}


@pytest.fixture(scope="module")
def adae(default_adam) -> pd.DataFrame:
    return default_adam.datasets["ADAE"]


@pytest.fixture(scope="module")
def ae(adam_sdtm, default_adam) -> pd.DataFrame:
    """SDTM AE records of the subjects in ADSL."""
    domain = adam_sdtm.domains["AE"]
    return domain[domain["USUBJID"].isin(default_adam.datasets["ADSL"]["USUBJID"])].reset_index(drop=True)


@pytest.fixture(scope="module")
def published() -> dict:
    if not SEED.is_file():
        pytest.skip(f"../shared/seed/published-results.yaml not present beside the checkout (looked in {SEED})")
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _day(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.astype("string"), format="%Y-%m-%d", errors="coerce")


def test_one_record_per_ae_record_of_an_enrolled_subject(adae, ae):
    assert len(adae) == len(ae) == 154
    got = set(zip(adae["USUBJID"], adae["AESEQ"].astype(int)))
    assert got == set(zip(ae["USUBJID"], ae["AESEQ"].astype(int)))


def test_every_pointer_resolves_to_its_own_ae_record(adae, ae, adam_sdtm):
    assert (adae["SRCDOM"] == "AE").all()
    assert (adae["SRCSEQ"] == adae["AESEQ"]).all()
    assert not unresolved_pointers(adae, adam_sdtm.domains).any()
    joined = adae.merge(ae[["USUBJID", "AESEQ", "AETERM"]].astype({"AESEQ": "float64"}),
                        left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", "AESEQ"], suffixes=("", "_AE"))
    assert len(joined) == len(adae)
    assert (joined["AETERM"] == joined["AETERM_AE"]).all()


def test_relationship_scale_comes_from_suppae(adae, adam_sdtm):
    supp = adam_sdtm.domains["SUPPAE"]
    supp = supp[supp["QNAM"] == "AERELTRL"].assign(AESEQ=lambda f: f["IDVARVAL"].astype("float64"))
    joined = adae.merge(supp[["USUBJID", "AESEQ", "QVAL"]], on=["USUBJID", "AESEQ"], how="left")
    assert (joined["AERELTRL"] == joined["QVAL"]).all()
    order = {"ABSOLUTELY RELEVANT": 1, "POSSIBLY RELEVANT": 2, "POSSIBLY IRRELEVANT": 3, "ABSOLUTELY IRRELEVANT": 4}
    assert (adae["ARELTRLN"] == adae["AERELTRL"].map(order).astype("float64")).all()
    # the sponsor's two-level AEREL agrees with the trial scale
    related = adae["AERELTRL"].isin(["ABSOLUTELY RELEVANT", "POSSIBLY RELEVANT"])
    assert (adae["AREL"].eq("RELATED") == related).all()


def test_complete_dates_are_taken_as_they_are(adae):
    complete = adae["AESTDTC"].str.len() == 10
    assert (adae.loc[complete, "ASTDT"] == _day(adae.loc[complete, "AESTDTC"])).all()
    assert adae.loc[complete, "ASTDTF"].isna().all()
    ended = adae["AEENDTC"].str.len() == 10
    assert (adae.loc[ended, "AENDT"] == _day(adae.loc[ended, "AEENDTC"])).all()
    assert adae.loc[ended, "AENDTF"].isna().all()
    assert adae.loc[adae["AEENDTC"].isna(), ["AENDT", "AENDTF", "ADURN", "ADURU"]].isna().all().all()


def test_partial_dates_are_imputed_and_flagged(adae):
    """Two start dates and two end dates of the default study are year-month only."""
    start = adae[adae["AESTDTC"].str.len() == 7]
    assert len(start) == 2
    first = pd.to_datetime(start["AESTDTC"] + "-01")
    # neither partial month contains the first infusion, so the 1st of the month stands
    assert ((start["TRTSDT"].dt.to_period("M") != first.dt.to_period("M"))).all()
    assert (start["ASTDT"] == first).all()
    assert (start["ASTDTF"] == "D").all()
    end = adae[adae["AEENDTC"].str.len() == 7]
    assert len(end) == 2
    last = pd.to_datetime(end["AEENDTC"] + "-01") + pd.offsets.MonthEnd(0)
    assert (end["AENDT"] == last).all()
    assert (end["AENDTF"] == "D").all()


def test_study_days_and_duration(adae):
    start = (adae["ASTDT"] - adae["TRTSDT"]).dt.days
    assert (adae["ASTDY"] == start.where(start < 0, start + 1)).all()
    has_end = adae["AENDT"].notna()
    days = (adae.loc[has_end, "AENDT"] - adae.loc[has_end, "ASTDT"]).dt.days + 1
    assert (adae.loc[has_end, "ADURN"] == days).all()
    assert (adae.loc[has_end, "ADURU"] == "DAYS").all()
    assert (adae["ADURN"].dropna() >= 1).all()


def test_treatment_emergent_flag(adae):
    """Onset on or after the first infusion; none of the default study's events start before it."""
    expected = (adae["ASTDT"] >= adae["TRTSDT"]) | (adae["ASTDT"].isna() & ~(adae["AENDT"] < adae["TRTSDT"]))
    assert (adae["TRTEMFL"].eq("Y").fillna(False) == expected).all()
    assert (adae["TRTEMFL"] == "Y").all()
    assert (adae["APERIOD"] == 1).all() and (adae["APERIODC"] == "PERIOD 01").all()
    assert (adae["TRTA"] == adae["TRT01A"]).all() and (adae["TRTAN"] == adae["TRT01AN"]).all()


def test_toxicity_grade_and_severity(adae):
    assert (adae["ATOXGR"] == adae["AETOXGR"]).all()
    assert (adae["ATOXGRN"] == adae["ATOXGR"].astype("float64")).all()
    severity = adae["ATOXGRN"].map({1: "MILD", 2: "MODERATE", 3: "SEVERE", 4: "SEVERE", 5: "SEVERE"})
    assert (adae["ASEV"] == severity).all()
    assert (adae["ASEVN"] == adae["ASEV"].map({"MILD": 1, "MODERATE": 2, "SEVERE": 3})).all()


def test_first_occurrence_flags(adae):
    teae = adae[adae["TRTEMFL"] == "Y"].sort_values(["USUBJID", "ASTDT", "AESEQ"])
    for flag, by in (("AOCCFL", ["USUBJID"]), ("AOCCSFL", ["USUBJID", "AEBODSYS"]),
                     ("AOCCPFL", ["USUBJID", "AEBODSYS", "AEDECOD"])):
        first = teae.drop_duplicates(by).index
        assert set(adae.index[adae[flag] == "Y"]) == set(first), flag
    worst = teae.sort_values(["USUBJID", "ATOXGRN", "ASTDT", "AESEQ"], ascending=[True, False, True, True])
    assert set(adae.index[adae["AOCCIFL"] == "Y"]) == set(worst.drop_duplicates("USUBJID").index)


def test_table_1_of_the_paper_is_reproduced(adae, published):
    """Non-serious AEs (the table excludes SAEs) by dose group: totals, CTCAE grade, trial relationship
    scale, and the led-to rows; then the SAEs."""
    table = published["adverse_events_table1"]
    nonserious = adae[adae["AESER"] == "N"].assign(GROUP=lambda f: f["TRTAN"].map(GROUPS))
    assert nonserious.groupby("GROUP").size().to_dict() == table["total"]
    by_grade = nonserious.groupby(["ATOXGRN", "GROUP"]).size()
    for grade, counts in table["severity_class"].items():
        for group, n in counts.items():
            assert by_grade.get((float(grade), group), 0) == n, (grade, group)
    by_rel = nonserious.groupby(["AERELTRL", "GROUP"]).size()
    for scale, counts in table["relationship"].items():
        for group, n in counts.items():
            assert by_rel.get((scale.upper(), group), 0) == n, (scale, group)
    led = {"led_to_dose_reduction": nonserious["AEACN"] == "DOSE REDUCED",
           "led_to_discontinuation": nonserious["AEACN"] == "DRUG WITHDRAWN",
           "led_to_death": (nonserious["AEOUT"] == "FATAL") | (nonserious["AESDTH"] == "Y")}
    for row, mask in led.items():
        counts = nonserious[mask].groupby("GROUP").size()
        assert {g: int(counts.get(g, 0)) for g in GROUPS.values()} == table[row], row
    serious = adae[adae["AESER"] == "Y"].assign(GROUP=lambda f: f["TRTAN"].map(GROUPS))
    assert len(serious) == published["serious_adverse_events"]["count"]
    assert sorted(serious["GROUP"]) == sorted(e["group"] for e in published["serious_adverse_events"]["events"])


def _spec_step(study, verb: str, **match):
    from cdisc_pipe.spec.adam_load import load_adam_spec

    steps = load_adam_spec(study)["ADAE"].steps
    return next(dict(s.args) for s in steps if s.verb == verb and all(s.args.get(k) == v for k, v in match.items()))


def test_spec_imputation_rules_on_literal_records(study):
    """The spec's ASTDT/AENDT steps on hand-written records: a start in the month of the first infusion is
    imputed to the infusion day, not before it; an end in the month of death to the death day."""
    from cdisc_pipe.adam.verbs_dates import derive_vars_dt

    data = pd.DataFrame({
        "AESTDTC": ["2019-03", "2019-04", "2019", "2019-03-02", None],
        "AEENDTC": ["2019-05", "2019-05", "2019", "2019-03-20", None],
        "TRTSDT": pd.to_datetime(["2019-03-05"] * 5),
        "DTHDT": pd.to_datetime(["2019-05-10", None, None, None, None]),
        "EOSDT": pd.to_datetime([None, "2019-12-02", "2019-12-02", None, None]),
    })
    out = derive_vars_dt(data, **_spec_step(study, "derive_vars_dt", dtc="AESTDTC"))
    out = derive_vars_dt(out, **_spec_step(study, "derive_vars_dt", dtc="AEENDTC"))
    assert out["ASTDT"].tolist() == list(pd.to_datetime(["2019-03-05", "2019-04-01", "2019-03-05", "2019-03-02", None]))
    assert out["ASTDTF"].tolist() == ["D", "D", "M", pd.NA, pd.NA]
    assert out["AENDT"].tolist() == list(pd.to_datetime(["2019-05-10", "2019-05-31", "2019-12-02", "2019-03-20", None]))
    assert out["AENDTF"].tolist() == ["D", "D", "M", pd.NA, pd.NA]
