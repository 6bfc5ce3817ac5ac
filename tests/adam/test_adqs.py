"""ADQS of the default study: the spec's RAND-36 tables, and the whole built dataset.

The spec tables are checked against RAND's published rules written out here independently (scale
membership, direction of each item) and against the paper's per-item formula (raw - min) / (max - min) x 100.
The built dataset is checked for its invariants and, for one questionnaire with blank items, against scores
worked out by hand from its QS answers.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cdisc_pipe.adam.checks import unresolved_pointers
from cdisc_pipe.adam.engine import build_adam
from cdisc_pipe.adam.verbs_rand36 import compute_range_score
from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.sdtm.assemble import build_sdtm
from cdisc_pipe.spec.adam_load import load_adam_spec

SCALES = ["R36PF", "R36RP", "R36RE", "R36VT", "R36MH", "R36SF", "R36BP", "R36GH"]

# RAND 36-Item Health Survey 1.0, Table 2 (items averaged per scale), by item number.
RAND_SCALES = {
    "R36PF": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    "R36RP": [13, 14, 15, 16],
    "R36RE": [17, 18, 19],
    "R36VT": [23, 27, 29, 31],
    "R36MH": [24, 25, 26, 28, 30],
    "R36SF": [20, 32],
    "R36BP": [21, 22],
    "R36GH": [1, 33, 34, 35, 36],
}
# RAND Table 1 by item number: (number of answer levels, reversed = answer 1 is the best health state).
RAND_ITEMS = {
    **{i: (5, True) for i in (1, 20, 22, 34, 36)},
    **{i: (3, False) for i in range(3, 13)},
    **{i: (2, False) for i in range(13, 20)},
    **{i: (6, True) for i in (21, 23, 26, 27, 30)},
    **{i: (6, False) for i in (24, 25, 28, 29, 31)},
    **{i: (5, False) for i in (32, 33, 35)},
}


def _step_args(spec) -> dict:
    (step,) = [s for s in spec["ADQS"].steps if s.verb == "derive_param_scale_score"]
    return dict(step.args)


@pytest.fixture(scope="module")
def adqs_spec(study):
    return load_adam_spec(study)


@pytest.fixture(scope="module")
def built(study, adqs_spec):
    """SDTM of the shipped export, then ADQS and the datasets it reads (ADSL ...)."""
    sdtm = build_sdtm(read_raw(study.root / "raw", study), study).domains
    needed, todo = set(), ["ADQS"]
    while todo:
        name = todo.pop()
        if name in needed or name not in adqs_spec:
            continue
        needed.add(name)
        todo += sorted(adqs_spec[name].references() | adqs_spec[name].references(final=True))
    spec = {name: dataset for name, dataset in adqs_spec.items() if name in needed}
    return build_adam(sdtm, study, spec), sdtm


@pytest.fixture(scope="module")
def adqs(built) -> pd.DataFrame:
    return built[0].datasets["ADQS"]


def test_spec_membership_is_rand_table_2(adqs_spec):
    items = pd.DataFrame(_step_args(adqs_spec)["dataset_items"])
    got = {scale: sorted(int(code[-2:]) for code in group["ITEMCD"]) for scale, group in items.groupby("PARAMCD")}
    assert got == {scale: sorted(numbers) for scale, numbers in RAND_SCALES.items()}


def test_spec_recode_table_is_the_paper_formula_per_item(adqs_spec):
    args = _step_args(adqs_spec)
    items = pd.DataFrame(args["dataset_items"])
    recode = pd.DataFrame(args["dataset_recode"])
    table = items.merge(recode, on="RECODE")
    number = table["ITEMCD"].str[-2:].astype(int)
    levels = number.map(lambda n: RAND_ITEMS[n][0])
    reverse = number.map(lambda n: RAND_ITEMS[n][1])
    # every level of every item is listed, and its score is (raw - 1) / (levels - 1) * 100, reversed if needed
    assert (table.groupby("ITEMCD")["RESPONSE"].max() == levels.groupby(table["ITEMCD"]).first()).all()
    expected = compute_range_score(table["RESPONSE"], minimum=1, maximum=levels, reverse=reverse)
    pd.testing.assert_series_equal(table["SCORE"].astype(float), expected, check_names=False)


def test_no_findings_for_adqs(built):
    result, _ = built
    assert [f for f in result.report.findings if f.dataset == "ADQS"] == []


def test_records_and_keys(adqs, built):
    _, sdtm = built
    qs = sdtm["QS"]
    items = adqs.loc[adqs["PARCAT2"] == "ITEM"]
    assert len(items) == int(qs["QSSTAT"].isna().sum()) == 997  # 1,008 QS records less 11 NOT DONE
    questionnaires = qs[["USUBJID", "VISITNUM"]].drop_duplicates()
    scales = adqs.loc[adqs["PARCAT2"] == "SCALE"]
    assert len(scales) == 8 * len(questionnaires) == 224  # every questionnaire answers >= 1 item per scale
    assert set(scales["PARAMCD"]) == set(SCALES)
    assert not adqs.duplicated(["STUDYID", "USUBJID", "PARAMCD", "AVISITN"]).any()


def test_scale_scores_lie_in_0_to_100(adqs):
    scales = adqs.loc[adqs["PARCAT2"] == "SCALE", "AVAL"]
    assert scales.notna().all()
    assert scales.between(0, 100).all()


def test_one_questionnaire_with_blank_items_by_hand(adqs):
    # HUCMSC-DLC-01-022, DAY 85: items 21 and 34 blank (QSSTAT = NOT DONE).
    record = adqs.loc[(adqs["USUBJID"] == "HUCMSC-DLC-01-022") & (adqs["AVISIT"] == "DAY 85")
                      & (adqs["PARCAT2"] == "SCALE")].set_index("PARAMCD")["AVAL"]
    expected = {
        "R36PF": 85.0,   # items 3-12 answered 3,3,3,3,2,2,2,3,3,3: (7 x 100 + 3 x 50) / 10
        "R36RP": 100.0,  # 13-16 all "No" (2 -> 100)
        "R36RE": 100.0,  # 17-19 all "No"
        "R36SF": 50.0,   # 20 = 2 -> 75 (reversed), 32 = 2 -> 25: (75 + 25) / 2
        "R36BP": 100.0,  # 21 blank; 22 = 1 "not at all" -> 100: the mean of the one answered item
        "R36GH": 68.75,  # 1 = 3 -> 50, 33 = 4 -> 75, 34 blank, 35 = 4 -> 75, 36 = 2 -> 75: 275 / 4
        "R36VT": 80.0,   # 23 = 2 -> 80, 27 = 1 -> 100 (reversed), 29 = 4 -> 60, 31 = 5 -> 80: 320 / 4
        "R36MH": 68.0,   # 24 = 5 -> 80, 25 = 6 -> 100, 26 = 4 -> 40, 28 = 4 -> 60, 30 = 3 -> 60: 340 / 5
    }
    assert record.to_dict() == expected


def test_item_aval_is_the_precoded_answer(adqs, built):
    _, sdtm = built
    items = adqs.loc[adqs["PARCAT2"] == "ITEM"]
    qs = sdtm["QS"][["USUBJID", "QSSEQ", "QSTESTCD", "QSSTRESN", "QSORRES"]].astype({"QSSEQ": "float64"})
    joined = items.merge(qs, left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", "QSSEQ"], how="left",
                         validate="one_to_one")
    assert (joined["PARAMCD"] == joined["QSTESTCD"]).all()
    assert (joined["AVAL"] == joined["QSSTRESN"]).all()
    assert (joined["AVALC"] == joined["QSORRES"]).all()


def test_pointers_on_items_only_and_all_resolve(adqs, built):
    _, sdtm = built
    item = adqs["PARCAT2"] == "ITEM"
    assert adqs.loc[item, ["SRCDOM", "SRCVAR", "SRCSEQ"]].notna().all().all()
    assert (adqs.loc[item, "SRCDOM"] == "QS").all()
    assert adqs.loc[~item, ["SRCDOM", "SRCVAR", "SRCSEQ"]].isna().all().all()
    assert not unresolved_pointers(adqs, sdtm).any()


def test_baseline_is_the_day_85_record_once_per_subject_and_parameter(adqs):
    flagged = adqs.loc[adqs["ABLFL"] == "Y"]
    assert not flagged.duplicated(["USUBJID", "PARAMCD"]).any()
    assert (flagged["AVISIT"] == "DAY 85").all()
    assert flagged["AVAL"].notna().all()
    # every subject/parameter with a day-85 value has its baseline
    day85 = adqs.loc[(adqs["AVISIT"] == "DAY 85") & adqs["AVAL"].notna()]
    assert len(flagged) == len(day85)


def test_base_and_chg(adqs):
    base = adqs.loc[adqs["ABLFL"] == "Y"].set_index(["USUBJID", "PARAMCD"])["AVAL"]
    expected_base = pd.Series(pd.MultiIndex.from_frame(adqs[["USUBJID", "PARAMCD"]]).map(base.get),
                              index=adqs.index, dtype="float64")
    pd.testing.assert_series_equal(adqs["BASE"], expected_base, check_names=False)
    changed = adqs["CHG"].notna()
    assert (adqs.loc[changed, "CHG"] == adqs.loc[changed, "AVAL"] - adqs.loc[changed, "BASE"]).all()
    assert (adqs["CHG"].isna() == (adqs["AVAL"].isna() | adqs["BASE"].isna())).all()
    assert (adqs.loc[adqs["ABLFL"] == "Y", "CHG"] == 0).all()


def test_dates_treatment_and_study_day(adqs):
    assert adqs[["ADT", "TRTSDT", "TRT01P", "TRT01PN"]].notna().all().all()
    days = (adqs["ADT"] - adqs["TRTSDT"]).dt.days + 1  # all questionnaires are after the first infusion
    assert (adqs["ADY"] == days).all()
    assert adqs.groupby("AVISIT")["AVISITN"].unique().map(list).to_dict() == {"DAY 85": [85.0],
                                                                                "DAY 169": [169.0]}


def test_nominal_visits_lie_inside_their_windows(adqs, study):
    # AVISIT is the nominal visit, not re-windowed: true to the study day only while every questionnaire
    # falls inside its visit's window (study.yaml), which this checks
    windows = {v.visit: (v.day - v.window[0], v.day + v.window[1]) for v in study.visits if v.visit in
               ("DAY 85", "DAY 169")}
    low = adqs["AVISIT"].map({visit: lo for visit, (lo, _) in windows.items()})
    high = adqs["AVISIT"].map({visit: hi for visit, (_, hi) in windows.items()})
    assert adqs["ADY"].between(low, high).all()
