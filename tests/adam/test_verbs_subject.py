"""derive_var_extreme_dt on literal frames: the latest (or earliest) complete date per subject among several
sources, partial dates ignored, ADaM datetime columns by their day, each source with its own filter."""

from __future__ import annotations

import pandas as pd
import pytest

from cdisc_pipe.adam.verbs_subject import derive_var_extreme_dt
from cdisc_pipe.errors import AdamError


def _adsl() -> pd.DataFrame:
    return pd.DataFrame({"STUDYID": ["S", "S", "S"], "USUBJID": ["1", "2", "3"], "LSTALVDT": [1, 2, 3]},
                        index=[7, 8, 9])


AE = pd.DataFrame({"STUDYID": ["S"] * 4, "USUBJID": ["1", "1", "2", "2"],
                   "AESTDTC": ["2019-05-01", "2019-06", "2019-04-02T10:00", "2020"]})
EX = pd.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["1", "2"],
                   "EXSTDTM": pd.to_datetime(["2019-05-03 09:15", "2019-04-30 08:00"]).astype("datetime64[s]"),
                   "EXDOSE": [25, 0]})
DS = pd.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["1", "3"], "DSDECOD": ["DEATH", "COMPLETED"],
                   "DSSTDTC": ["2019-07-01", "2019-02-01"]})
SOURCES = {"AE": AE, "EX": EX, "DS": DS}


def _dates(values) -> list:
    return [pd.NaT if v is None else pd.Timestamp(v) for v in values]


def test_last_complete_date_among_sources_with_filters():
    out = derive_var_extreme_dt(_adsl(), new_var="LSTALVDT", sources=SOURCES, source_datasets=[
        {"dataset_name": "AE", "date": "AESTDTC"},
        {"dataset_name": "EX", "date": "EXSTDTM", "filter": "EXDOSE > 0"},
        {"dataset_name": "DS", "date": "DSSTDTC", "filter": "DSDECOD != 'DEATH'"},
    ])
    # 1: AE 05-01 (the partial 2019-06 is ignored), EX 05-03 09:15 -> 05-03 (DS is a death: excluded);
    # 2: AE 04-02T10:00 -> 04-02 (partial "2020" ignored; EX without dose excluded); 3: DS 02-01.
    assert out["LSTALVDT"].tolist() == _dates(["2019-05-03", "2019-04-02", "2019-02-01"])
    assert out["LSTALVDT"].dtype == "datetime64[s]"
    assert list(out.columns) == ["STUDYID", "USUBJID", "LSTALVDT"]     # an old column is replaced in place
    assert list(out.index) == [7, 8, 9]


def test_first_date_and_a_subject_without_any_date():
    out = derive_var_extreme_dt(_adsl(), new_var="FSTDT", mode="first", sources=SOURCES, source_datasets=[
        {"dataset_name": "AE", "date": "AESTDTC"}, {"dataset_name": "EX", "date": "EXSTDTM"}])
    assert out["FSTDT"].tolist() == _dates(["2019-05-01", "2019-04-02", None])


def test_a_filter_that_keeps_nothing_gives_missing_dates_of_date_type():
    out = derive_var_extreme_dt(_adsl(), new_var="X", sources=SOURCES, source_datasets=[
        {"dataset_name": "AE", "date": "AESTDTC", "filter": "USUBJID == '9'"}])
    assert out["X"].isna().all() and out["X"].dtype == "datetime64[s]"


def test_an_unknown_source_and_a_missing_date_variable_are_named():
    with pytest.raises(AdamError, match=r"'source_datasets\[1\].dataset_name' must name an available dataset "
                                        r"\(got 'SV'; available \['AE', 'DS', 'EX'\]\)"):
        derive_var_extreme_dt(_adsl(), new_var="X", sources=SOURCES, source_datasets=[
            {"dataset_name": "AE", "date": "AESTDTC"}, {"dataset_name": "SV", "date": "SVSTDTC"}])
    with pytest.raises(AdamError, match=r"^'source_datasets\[0\] \(AE\)' must contain the variables \['AEENDTC'\]"):
        derive_var_extreme_dt(_adsl(), new_var="X", sources=SOURCES,
                              source_datasets=[{"dataset_name": "AE", "date": "AEENDTC"}])
    with pytest.raises(AdamError, match=r"'source_datasets' must name at least one source \(got none\)"):
        derive_var_extreme_dt(_adsl(), new_var="X", sources=SOURCES, source_datasets=[])
    with pytest.raises(AdamError, match=r"'mode' must be one of \['first', 'last'\]"):
        derive_var_extreme_dt(_adsl(), new_var="X", mode="max", sources=SOURCES,
                              source_datasets=[{"dataset_name": "AE", "date": "AESTDTC"}])
