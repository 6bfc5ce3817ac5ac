"""derive_param_scale_score and compute_range_score on small literal frames with hand-computed scores.

The tables are a cut-down RAND-36 (three scales, seven items) so that each expected value can be checked by
hand in the comment beside it; the full RAND tables are tested against the spec in test_adqs.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.adam.verbs_rand36 import compute_range_score, derive_param_scale_score
from cdisc_pipe.errors import AdamError

RECODE = pd.DataFrame(
    [("FWD3", 1, 0), ("FWD3", 2, 50), ("FWD3", 3, 100),
     ("REV5", 1, 100), ("REV5", 2, 75), ("REV5", 3, 50), ("REV5", 4, 25), ("REV5", 5, 0),
     ("REV6", 1, 100), ("REV6", 2, 80), ("REV6", 3, 60), ("REV6", 4, 40), ("REV6", 5, 20), ("REV6", 6, 0),
     ("FWD6", 1, 0), ("FWD6", 2, 20), ("FWD6", 3, 40), ("FWD6", 4, 60), ("FWD6", 5, 80), ("FWD6", 6, 100)],
    columns=["RECODE", "RESPONSE", "SCORE"],
)
ITEMS = pd.DataFrame(
    [("Q03", "PF", "FWD3"), ("Q04", "PF", "FWD3"), ("Q05", "PF", "FWD3"),
     ("Q21", "BP", "REV6"), ("Q22", "BP", "REV5"),
     ("Q23", "VT", "REV6"), ("Q29", "VT", "FWD6")],
    columns=["ITEMCD", "PARAMCD", "RECODE"],
)
SCALES = pd.DataFrame(
    [("PF", "Physical Functioning"), ("BP", "Bodily Pain"), ("VT", "Vitality")], columns=["PARAMCD", "PARAM"]
)
NA = np.nan


def _items() -> pd.DataFrame:
    rows = [
        # subject A, visit 1: every item answered; Q02 belongs to no scale
        ("A", 1, "Q02", 3, 11), ("A", 1, "Q03", 3, 12), ("A", 1, "Q04", 2, 13), ("A", 1, "Q05", 1, 14),
        ("A", 1, "Q21", 2, 15), ("A", 1, "Q22", 2, 16), ("A", 1, "Q23", 4, 17), ("A", 1, "Q29", 3, 18),
        # subject A, visit 2: Q04 blank (record with missing AVAL), Q22 has no record at all
        ("A", 2, "Q03", 3, 21), ("A", 2, "Q04", NA, 22), ("A", 2, "Q05", 3, 23),
        ("A", 2, "Q21", 6, 24), ("A", 2, "Q23", 1, 25), ("A", 2, "Q29", 6, 26),
        # subject B, visit 1: the whole PF scale blank
        ("B", 1, "Q03", NA, 31), ("B", 1, "Q04", NA, 32), ("B", 1, "Q05", NA, 33),
        ("B", 1, "Q21", 1, 34), ("B", 1, "Q22", 5, 35), ("B", 1, "Q23", 6, 36), ("B", 1, "Q29", 1, 37),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "AVISITN", "PARAMCD", "AVAL", "SRCSEQ"])
    frame["PARAM"] = "item " + frame["PARAMCD"]
    return frame.astype({"AVISITN": "float64", "AVAL": "float64", "SRCSEQ": "float64"})


def _scales(result: pd.DataFrame) -> pd.DataFrame:
    """The added scale records as (USUBJID, AVISITN, PARAMCD) -> AVAL, sorted."""
    new = result.loc[result["PARAMCD"].isin(SCALES["PARAMCD"])]
    return new.set_index(["USUBJID", "AVISITN", "PARAMCD"])["AVAL"].sort_index()


def _derive(dataset: pd.DataFrame, **kwargs) -> pd.DataFrame:
    args = {"dataset_items": ITEMS, "dataset_recode": RECODE, "dataset_scales": SCALES,
            "by_vars": ["USUBJID", "AVISITN"]}
    return derive_param_scale_score(dataset, **{**args, **kwargs})


def test_scale_is_mean_of_recoded_answered_items():
    result = _derive(_items())
    expected = pd.Series(
        {
            ("A", 1.0, "BP"): 77.5,         # Q21=2 -> 80, Q22=2 -> 75: (80 + 75) / 2
            ("A", 1.0, "PF"): 50.0,         # 3 -> 100, 2 -> 50, 1 -> 0: 150 / 3
            ("A", 1.0, "VT"): 40.0,         # Q23=4 -> 40 (reversed), Q29=3 -> 40 (forward)
            ("A", 2.0, "BP"): 0.0,          # Q21=6 -> 0; Q22 has no record: mean of the one answered
            ("A", 2.0, "PF"): 100.0,        # Q04 blank is left out: (100 + 100) / 2, not 200 / 3
            ("A", 2.0, "VT"): 100.0,        # Q23=1 -> 100 (reversed), Q29=6 -> 100
            ("B", 1.0, "BP"): 50.0,         # Q21=1 -> 100, Q22=5 -> 0
            ("B", 1.0, "VT"): 0.0,          # Q23=6 -> 0, Q29=1 -> 0; (B, 1, PF) absent: nothing answered
        },
        name="AVAL",
    ).rename_axis(["USUBJID", "AVISITN", "PARAMCD"]).sort_index()
    pd.testing.assert_series_equal(_scales(result), expected)


def test_reverse_and_forward_coded_items_point_the_same_way():
    # the same precoded answer 1 scores 100 on the reversed Q23 ("full of pep: all of the time") and
    # 0 on the forward Q29 ("worn out: all of the time")
    frame = pd.DataFrame({"USUBJID": ["A", "A"], "AVISITN": [1.0, 1.0], "PARAMCD": ["Q23", "Q29"],
                          "AVAL": [1.0, 1.0]})
    one = ITEMS.loc[ITEMS["PARAMCD"] == "VT"]
    for item, score in (("Q23", 100.0), ("Q29", 0.0)):
        result = _derive(frame.loc[frame["PARAMCD"] == item], dataset_items=one,
                         dataset_scales=SCALES.loc[SCALES["PARAMCD"] == "VT"])
        assert result["AVAL"].iloc[-1] == score


def test_item_records_unchanged_and_new_records_carry_only_keys_and_scale_columns():
    dataset = _items()
    before = dataset.copy()
    result = _derive(dataset)
    pd.testing.assert_frame_equal(dataset, before)  # input not mutated
    pd.testing.assert_frame_equal(result.iloc[: len(dataset)], before)
    new = result.iloc[len(dataset):]
    assert len(new) == 8
    assert new["SRCSEQ"].isna().all()  # derived records point to no QS record
    assert dict(zip(new["PARAMCD"], new["PARAM"])) == {"PF": "Physical Functioning", "BP": "Bodily Pain",
                                                       "VT": "Vitality"}


def test_min_items_drops_scales_with_too_few_answers():
    result = _derive(_items(), min_items=2)
    scales = _scales(result)
    assert ("A", 2.0, "BP") not in scales.index  # one item of two answered
    assert scales[("A", 2.0, "PF")] == 100.0  # two of three answered is enough


def test_filter_restricts_the_item_records():
    result = _derive(_items(), filter="USUBJID == 'B'")
    assert set(_scales(result).index.get_level_values("USUBJID")) == {"B"}


def test_item_var_and_source_var_name_other_columns():
    frame = _items().rename(columns={"PARAMCD": "QSTESTCD", "AVAL": "QSSTRESN"})
    result = _derive(frame, item_var="QSTESTCD", source_var="QSSTRESN", new_var="AVAL")
    new = result.loc[result["PARAMCD"].notna()]
    assert new.set_index(["USUBJID", "AVISITN", "PARAMCD"]).loc[("A", 1.0, "PF"), "AVAL"] == 50.0


def test_response_missing_from_recode_table_is_an_error():
    frame = pd.DataFrame({"USUBJID": ["A", "A"], "AVISITN": [1.0, 1.0], "PARAMCD": ["Q03", "Q21"],
                          "AVAL": [4.0, 7.0]})
    with pytest.raises(AdamError) as err:
        _derive(frame)
    assert str(err.value) == (
        "'dataset_recode' must give a SCORE for every response in 'AVAL' (got responses without one: "
        "[{'ITEM': 'Q03', 'RECODE': 'FWD3', 'RESPONSE': 4.0}, {'ITEM': 'Q21', 'RECODE': 'REV6', 'RESPONSE': 7.0}])"
    )


def test_missing_variable_is_named():
    with pytest.raises(AdamError, match=r"'dataset' must contain the variables \['AVISITN'\]"):
        _derive(_items().drop(columns="AVISITN"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset_items": ITEMS.assign(RECODE="NOPE")},
         r"'dataset_items' RECODE must be a family of 'dataset_recode' .* \(got \['NOPE'\]\)"),
        ({"dataset_scales": SCALES.iloc[:2]},
         r"must name the same scales \(got only in items: \['VT'\], only in scales: \[\]\)"),
        ({"dataset_recode": pd.concat([RECODE, RECODE.iloc[:1]])},
         r"'dataset_recode' must have at most one record per \['RECODE', 'RESPONSE'\]"),
        ({"dataset_scales": SCALES.assign(USUBJID="X")},
         r"'dataset_scales' must not set 'by_vars' or 'new_var' \(got columns \['USUBJID'\]\)"),
        ({"min_items": 0}, r"'min_items' must be a whole number of at least 1 \(got 0\)"),
    ],
)
def test_spec_table_errors(kwargs, message):
    with pytest.raises(AdamError, match=message):
        _derive(_items(), **kwargs)


def test_scale_code_already_a_parameter_is_an_error():
    frame = _items()
    frame.loc[0, "PARAMCD"] = "PF"
    with pytest.raises(AdamError, match=r"must not already be parameters of 'dataset' \(got \['PF'\]\)"):
        _derive(frame)


def test_compute_range_score_forward_reverse_and_missing():
    raw = pd.Series([1.0, 2.0, 3.0, NA])
    pd.testing.assert_series_equal(compute_range_score(raw, minimum=1, maximum=3),
                                   pd.Series([0.0, 50.0, 100.0, NA]))
    pd.testing.assert_series_equal(compute_range_score(raw, minimum=1, maximum=5, reverse=True),
                                   pd.Series([100.0, 75.0, 50.0, NA]))
    # per-record ranges: a 6-level reversed item beside a 2-level forward item
    both = compute_range_score(pd.Series([2.0, 2.0]), minimum=1, maximum=pd.Series([6, 2]),
                               reverse=pd.Series([True, False]))
    pd.testing.assert_series_equal(both, pd.Series([80.0, 100.0]))
    with pytest.raises(AdamError, match=r"'maximum' must be greater than 'minimum' \(got 1.0 <= 1.0\)"):
        compute_range_score(raw, minimum=1, maximum=1)


def test_paper_formula_equals_mean_of_recodes_when_items_share_a_range():
    # PF, subject A visit 1: forward raw 3, 2, 1 on 1..3 -> sum 6, range 3..9: (6 - 3) / (9 - 3) * 100 = 50,
    # the same as the mean of the recodes (100 + 50 + 0) / 3
    assert (6 - 3) / (9 - 3) * 100 == 50.0 == _scales(_derive(_items()))[("A", 1.0, "PF")]


def test_paper_formula_differs_for_bodily_pain_whose_items_have_unequal_ranges():
    # item 21 (6 levels) answered 1 "none" and item 22 (5 levels) answered 2 "slightly", both pointed so
    # higher = better: 6 on 1..6 and 4 on 1..5. Pooled: (10 - 2) / (11 - 2) * 100 = 88.9; RAND: (100 + 75) / 2
    frame = pd.DataFrame({"USUBJID": ["A", "A"], "AVISITN": [1.0, 1.0], "PARAMCD": ["Q21", "Q22"],
                          "AVAL": [1.0, 2.0]})
    rand = _scales(_derive(frame))[("A", 1.0, "BP")]
    assert rand == 87.5
    assert math.isclose((6 + 4 - 2) / (11 - 2) * 100, 88.888888, rel_tol=1e-6)
