"""derive_vars_merged and derive_var_merged_exist_flag on small literal frames with hand-written expected
values (admiral semantics: a left join on by_vars; several records per key need order + mode)."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from cdisc_pipe.adam.verbs_merge import derive_var_merged_exist_flag, derive_vars_merged, sort_records
from cdisc_pipe.errors import AdamError

BY = ["STUDYID", "USUBJID"]


def _values(series: pd.Series) -> list:
    """The values of ``series`` with every kind of missing value written as None."""
    return [None if pd.isna(v) else v for v in series]


def _adsl() -> pd.DataFrame:
    # A non-default index: the verbs must keep it.
    return pd.DataFrame({"STUDYID": ["S", "S", "S"], "USUBJID": ["S-1", "S-2", "S-3"]}, index=[10, 11, 12])


DM = pd.DataFrame({"STUDYID": ["S", "S", "S"], "USUBJID": ["S-1", "S-2", "S-4"],
                   "ARM": ["Low", "High", "Low"], "AGE": [40, 61, 70]})

EX = pd.DataFrame({
    "STUDYID": ["S"] * 6,
    "USUBJID": ["S-1", "S-1", "S-1", "S-2", "S-2", "S-4"],
    "EXSEQ": [1, 2, 3, 1, 2, 1],
    "EXSTDTC": ["2019-03-12", "2019-03-05", "2019-03-19", "2019-04-02", "2019-04-09", "2019-01-01"],
    "EXDOSE": [25, 25, 0, 0, 50, 25],
})


# --- derive_vars_merged ----------------------------------------------------------------------------------


def test_a_list_of_new_vars_keeps_their_names_and_unmatched_records_stay_missing():
    out = derive_vars_merged(_adsl(), dataset_add=DM, by_vars=BY, new_vars=["ARM", "AGE"])
    expected = pd.DataFrame({"STUDYID": ["S", "S", "S"], "USUBJID": ["S-1", "S-2", "S-3"],
                             "ARM": ["Low", "High", None], "AGE": [40.0, 61.0, None]}, index=[10, 11, 12])
    assert_frame_equal(out, expected, check_dtype=False)


def test_a_mapping_renames_new_from_source():
    out = derive_vars_merged(_adsl(), dataset_add=DM, by_vars=BY, new_vars={"TRT01P": "ARM", "TRT01A": "ARM"})
    assert list(out.columns) == ["STUDYID", "USUBJID", "TRT01P", "TRT01A"]
    assert _values(out["TRT01P"]) == ["Low", "High", None]
    assert _values(out["TRT01A"]) == ["Low", "High", None]
    assert "ARM" not in out.columns


def test_without_new_vars_every_variable_but_the_keys_is_added():
    out = derive_vars_merged(_adsl(), dataset_add=DM, by_vars=BY)
    assert list(out.columns) == ["STUDYID", "USUBJID", "ARM", "AGE"]


def test_filter_add_restricts_dataset_add_before_the_join():
    out = derive_vars_merged(_adsl(), dataset_add=DM, by_vars=BY, new_vars=["ARM"], filter_add="AGE > 50")
    assert _values(out["ARM"]) == [None, "High", None]


def test_order_and_mode_first_pick_the_earliest_record_per_key():
    out = derive_vars_merged(_adsl(), dataset_add=EX, by_vars=BY, new_vars={"TRTSDTC": "EXSTDTC"},
                             filter_add="EXDOSE > 0", order=["EXSTDTC"], mode="first")
    # S-1: doses on 03-12 and 03-05 (03-19 had no dose) -> 03-05; S-2: only 04-09 had a dose; S-3: no EX.
    assert _values(out["TRTSDTC"]) == ["2019-03-05", "2019-04-09", None]


def test_order_and_mode_last_pick_the_latest_record_per_key():
    out = derive_vars_merged(_adsl(), dataset_add=EX, by_vars=BY, new_vars={"TRTEDTC": "EXSTDTC"},
                             order=["EXSTDTC"], mode="last")
    assert _values(out["TRTEDTC"]) == ["2019-03-19", "2019-04-09", None]


def test_an_order_entry_ending_in_desc_sorts_descending():
    out = derive_vars_merged(_adsl(), dataset_add=EX, by_vars=BY, new_vars={"MAXSEQ": "EXSEQ"},
                             order=["EXSEQ desc"], mode="first")
    assert _values(out["MAXSEQ"]) == [3, 2, None]


def test_mode_without_order_keeps_the_input_order_of_dataset_add():
    out = derive_vars_merged(_adsl(), dataset_add=EX, by_vars=BY, new_vars={"FIRSTDTC": "EXSTDTC"}, mode="first")
    assert _values(out["FIRSTDTC"]) == ["2019-03-12", "2019-04-02", None]


def test_several_records_per_key_without_mode_is_an_error_naming_dataset_add():
    with pytest.raises(AdamError) as caught:
        derive_vars_merged(_adsl(), dataset_add=EX, by_vars=BY, new_vars=["EXSTDTC"])
    # Snapshot of the user-facing message.
    assert str(caught.value) == (
        "'dataset_add' must have at most one record per ['STUDYID', 'USUBJID'] (got duplicates, e.g. "
        "[{'STUDYID': 'S', 'USUBJID': 'S-1'}, {'STUDYID': 'S', 'USUBJID': 'S-2'}]); "
        "give 'order' and 'mode' to pick one")


def test_missing_values_fill_only_records_without_a_match():
    dm = DM.assign(ARM=["Low", None, "Low"])          # S-2 matches but its ARM is missing
    out = derive_vars_merged(_adsl(), dataset_add=dm, by_vars=BY, new_vars={"TRT01P": "ARM"},
                             missing_values={"TRT01P": "NOT ASSIGNED"})
    assert _values(out["TRT01P"]) == ["Low", None, "NOT ASSIGNED"]


def test_missing_values_must_name_a_new_variable():
    with pytest.raises(AdamError, match=r"'missing_values' must name variables of 'new_vars' \(got 'ARM'\)"):
        derive_vars_merged(_adsl(), dataset_add=DM, by_vars=BY, new_vars={"TRT01P": "ARM"},
                           missing_values={"ARM": "X"})


def test_a_new_variable_already_in_dataset_is_an_error():
    adsl = _adsl().assign(ARM="x")
    with pytest.raises(AdamError, match=r"'new_vars' must not name variables already in 'dataset' \(got \['ARM'\]\)"):
        derive_vars_merged(adsl, dataset_add=DM, by_vars=BY, new_vars=["ARM", "AGE"])


def test_missing_variables_are_named_with_the_argument_they_belong_to():
    with pytest.raises(AdamError, match=r"^'dataset' must contain the variables \['STUDYID'\]"):
        derive_vars_merged(_adsl().drop(columns="STUDYID"), dataset_add=DM, by_vars=BY, new_vars=["ARM"])
    with pytest.raises(AdamError, match=r"^'dataset_add' must contain the variables \['ARMCD'\]"):
        derive_vars_merged(_adsl(), dataset_add=DM, by_vars=BY, new_vars=["ARMCD"])
    with pytest.raises(AdamError, match=r"^'dataset_add' must contain the variables \['EXENDTC'\]"):
        derive_vars_merged(_adsl(), dataset_add=EX, by_vars=BY, new_vars=["EXSTDTC"], order=["EXENDTC"],
                           mode="first")


def test_mode_must_be_first_or_last():
    with pytest.raises(AdamError, match=r"'mode' must be one of \['first', 'last'\] \(got 'max'\)"):
        derive_vars_merged(_adsl(), dataset_add=EX, by_vars=BY, new_vars=["EXSTDTC"], order=["EXSTDTC"],
                           mode="max")


def test_a_literal_lookup_table_by_a_non_subject_key():
    adsl = _adsl().assign(ARMCD=["LOW", "HIGH", None])
    table = pd.DataFrame([{"ARMCD": "LOW", "TRT01PN": 1}, {"ARMCD": "HIGH", "TRT01PN": 3}])
    out = derive_vars_merged(adsl, dataset_add=table, by_vars=["ARMCD"])
    assert _values(out["TRT01PN"]) == [1, 3, None]


def test_the_input_frames_are_not_changed():
    adsl, ex = _adsl(), EX.copy()
    derive_vars_merged(adsl, dataset_add=ex, by_vars=BY, new_vars={"TRTSDTC": "EXSTDTC"}, order=["EXSTDTC"],
                       mode="first")
    assert_frame_equal(adsl, _adsl())
    assert_frame_equal(ex, EX)


def test_sort_records_puts_missing_values_last_and_keeps_ties_in_input_order():
    frame = pd.DataFrame({"K": ["a", "a", "a", "a"], "V": [2.0, None, 1.0, 1.0], "ID": [1, 2, 3, 4]})
    assert sort_records(frame, ["K"], ["V"])["ID"].tolist() == [3, 4, 1, 2]
    assert sort_records(frame, ["K"], ["V desc"])["ID"].tolist() == [1, 3, 4, 2]


# --- derive_var_merged_exist_flag -----------------------------------------------------------------------


def test_exist_flag_true_false_and_missing_values():
    out = derive_var_merged_exist_flag(_adsl(), dataset_add=EX, by_vars=BY, new_var="DOSEFL",
                                       condition="EXDOSE >= 50", true_value="Y", false_value="N",
                                       missing_value="U")
    # S-1 has EX records but none with 50; S-2 has one; S-3 has no EX record.
    assert _values(out["DOSEFL"]) == ["N", "Y", "U"]
    assert out["DOSEFL"].dtype == "string"
    assert list(out.index) == [10, 11, 12]


def test_exist_flag_defaults_leave_false_and_absent_missing():
    out = derive_var_merged_exist_flag(_adsl(), dataset_add=EX, by_vars=BY, new_var="DOSEFL",
                                       condition="EXDOSE >= 50")
    assert _values(out["DOSEFL"]) == [None, "Y", None]


def test_exist_flag_a_missing_outcome_of_the_condition_counts_as_false():
    ds = pd.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["S-1", "S-2"], "DSDECOD": [None, "COMPLETED"]})
    out = derive_var_merged_exist_flag(_adsl(), dataset_add=ds, by_vars=BY, new_var="COMPLFL",
                                       condition="DSDECOD == 'COMPLETED'", false_value="N", missing_value="N")
    assert _values(out["COMPLFL"]) == ["N", "Y", "N"]


def test_exist_flag_must_not_overwrite_a_variable():
    with pytest.raises(AdamError, match=r"'new_var' must not already be in 'dataset' \(got 'USUBJID'\)"):
        derive_var_merged_exist_flag(_adsl(), dataset_add=EX, by_vars=BY, new_var="USUBJID", condition="EXDOSE > 0")


def test_exist_flag_names_a_bad_condition():
    with pytest.raises(AdamError, match=r"^'condition' must be a pandas expression"):
        derive_var_merged_exist_flag(_adsl(), dataset_add=EX, by_vars=BY, new_var="F", condition="EXDOSX > 0")
