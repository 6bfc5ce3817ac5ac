"""General verbs on small literal frames: constants, copies, expressions, categories, record filters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cdisc_pipe.adam.expressions import evaluate, filter_mask
from cdisc_pipe.adam.verbs_basic import (
    derive_var_expr,
    derive_vars_assign,
    derive_vars_cat,
    derive_vars_copy,
    filter_records,
)
from cdisc_pipe.errors import AdamError

NA = pd.NA


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def _dm() -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": ["1", "2", "3", "4"], "AGE": [30.0, 50.0, 49.0, np.nan],
                         "ARMCD": ["LOW", None, "HIGH", "LOW"], "DSDECOD": ["COMPLETED", "DEATH", None, None]},
                        index=[4, 5, 6, 7])


# --- derive_vars_cat ------------------------------------------------------------------------------------------

AGEGR = pd.DataFrame([
    {"condition": "AGE < 50", "AGEGR1": "<50", "AGEGR1N": 1},
    {"condition": "AGE >= 50", "AGEGR1": ">=50", "AGEGR1N": 2},
])


def test_categories_numeric_and_character_columns():
    out = derive_vars_cat(_dm(), definition=AGEGR)
    assert _values(out["AGEGR1"]) == ["<50", ">=50", "<50", None]       # missing AGE meets no condition
    assert _values(out["AGEGR1N"]) == [1.0, 2.0, 1.0, None]
    assert out["AGEGR1"].dtype == "string" and out["AGEGR1N"].dtype == "float64"
    assert list(out.index) == [4, 5, 6, 7]


def test_categories_the_first_matching_condition_wins():
    definition = pd.DataFrame([
        {"condition": "DSDECOD == 'COMPLETED'", "EOSSTT": "COMPLETED"},
        {"condition": "DSDECOD.notna()", "EOSSTT": "DISCONTINUED"},
        {"condition": "DSDECOD.isna()", "EOSSTT": "ONGOING"},
        {"condition": "USUBJID == '1'", "EOSSTT": "NEVER REACHED"},
    ])
    out = derive_vars_cat(_dm(), definition=definition)
    assert _values(out["EOSSTT"]) == ["COMPLETED", "DISCONTINUED", "ONGOING", "ONGOING"]


def test_categories_a_row_without_a_value_gives_missing():
    definition = pd.DataFrame([{"condition": "ARMCD.notna()", "ITTFL": "Y", "N": 1},
                               {"condition": "ARMCD.isna()", "ITTFL": "N"}])
    out = derive_vars_cat(_dm(), definition=definition)
    assert _values(out["ITTFL"]) == ["Y", "N", "Y", "Y"]
    assert _values(out["N"]) == [1.0, None, 1.0, 1.0]


def test_categories_need_a_condition_and_a_new_variable():
    with pytest.raises(AdamError, match=r"^'definition' must contain the variables \['condition'\]"):
        derive_vars_cat(_dm(), definition=pd.DataFrame([{"AGEGR1": "x"}]))
    with pytest.raises(AdamError, match=r"'definition' must have at least one column besides 'condition'"):
        derive_vars_cat(_dm(), definition=pd.DataFrame([{"condition": "AGE > 1"}]))


def test_categories_name_the_bad_condition_by_position():
    bad = pd.DataFrame([{"condition": "AGE < 50", "G": "a"}, {"condition": "AGEX >= 50", "G": "b"}])
    with pytest.raises(AdamError, match=r"^'definition.condition\[1\]' must be a pandas expression"):
        derive_vars_cat(_dm(), definition=bad)
    not_boolean = pd.DataFrame([{"condition": "AGE + 1", "G": "a"}])
    with pytest.raises(AdamError, match=r"'definition.condition\[0\]' must be a condition giving True/False "
                                        r"\(got 'AGE \+ 1' giving float64\)"):
        derive_vars_cat(_dm(), definition=not_boolean)


# --- derive_vars_assign / derive_vars_copy ---------------------------------------------------------------------


def test_assign_constants_to_new_and_existing_variables_within_a_filter():
    out = derive_vars_assign(_dm(), values={"PARAMCD": "SURV", "AVAL": 1, "ARMCD": "NONE"},
                             filter="AGE >= 49")
    assert _values(out["PARAMCD"]) == [None, "SURV", "SURV", None]
    assert _values(out["AVAL"]) == [None, 1.0, 1.0, None]
    assert _values(out["ARMCD"]) == ["LOW", "NONE", "NONE", "LOW"]
    assert out["PARAMCD"].dtype == "string" and out["AVAL"].dtype == "float64"


def test_assign_without_filter_sets_every_record():
    out = derive_vars_assign(_dm(), values={"DTYPE": "LOCF", "PARAMN": 3.5})
    assert _values(out["DTYPE"]) == ["LOCF"] * 4
    assert _values(out["PARAMN"]) == [3.5] * 4


def test_copy_under_new_names_leaves_the_old_ones():
    out = derive_vars_copy(_dm(), new_vars={"TRT01P": "ARMCD", "AVAL": "AGE"})
    assert _values(out["TRT01P"]) == ["LOW", None, "HIGH", "LOW"]
    assert _values(out["AVAL"]) == [30.0, 50.0, 49.0, None]
    assert "ARMCD" in out.columns
    with pytest.raises(AdamError, match=r"^'dataset' must contain the variables \['ARM'\]"):
        derive_vars_copy(_dm(), new_vars={"TRT01P": "ARM"})


# --- derive_var_expr ---------------------------------------------------------------------------------------------


def test_expr_computes_over_the_whole_frame():
    out = derive_var_expr(_dm(), new_var="AGEM", expr="AGE * 12")
    assert _values(out["AGEM"]) == [360.0, 600.0, 588.0, None]


def test_expr_outside_the_filter_is_missing_for_a_new_variable_and_kept_for_an_old_one():
    out = derive_var_expr(_dm(), new_var="DCSREAS", expr="DSDECOD", filter="DSDECOD != 'COMPLETED'")
    assert _values(out["DCSREAS"]) == [None, "DEATH", None, None]
    out = derive_var_expr(_dm(), new_var="AGE", expr="AGE + 1", filter="ARMCD == 'LOW'")
    assert _values(out["AGE"]) == [31.0, 50.0, 49.0, None]


def test_expr_names_a_bad_expression():
    with pytest.raises(AdamError, match=r"^'expr' must be a pandas expression over \['USUBJID', 'AGE', 'ARMCD', "
                                        r"'DSDECOD'\] \(got 'AGEX \* 2': "):
        derive_var_expr(_dm(), new_var="X", expr="AGEX * 2")


# --- filter_records and the expression helpers ----------------------------------------------------------------


def test_filter_records_keeps_matches_and_their_index():
    out = filter_records(_dm(), filter="ARMCD.notna() and AGE < 50")
    assert list(out.index) == [4, 6]
    assert_frame_equal(out, _dm().loc[[4, 6]])


def test_filter_mask_counts_missing_outcomes_as_false_and_none_as_all():
    frame = pd.DataFrame({"X": pd.Series([1.0, None, 3.0], dtype="Float64")})
    assert filter_mask(frame, "X > 1").tolist() == [False, False, True]
    assert filter_mask(frame, None).tolist() == [True, True, True]


def test_evaluate_broadcasts_a_constant():
    assert evaluate(pd.DataFrame({"X": [1, 2]}), "3", arg="expr").tolist() == [3, 3]
