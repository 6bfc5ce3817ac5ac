"""Values as the EDC writes them: dates, partial dates, times, numbers, CSV text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.simulate.edc import (
    FULL,
    NO_DAY,
    NO_MONTH,
    compute_edc_dates,
    compute_edc_integers,
    compute_edc_numbers,
    compute_edc_times,
    finish_frame,
)
from cdisc_pipe.simulate.export import compute_csv_text


def test_dates_and_partial_dates(study):
    dates = np.array(["2019-03-05", "2019-03-05", "1965-11-30", "NaT", "2020-02-29"], dtype="datetime64[D]")
    precision = np.array([FULL, NO_DAY, NO_MONTH, FULL, FULL])
    assert compute_edc_dates(study, dates, precision).to_pylist() == [
        "05 MAR 2019",
        "UN MAR 2019",
        "UN UNK 1965",
        "",
        "29 FEB 2020",
    ]


def test_times_numbers_integers(study):
    assert compute_edc_times(study, np.array([510, 0, 1439])).to_pylist() == ["08:30", "00:00", "23:59"]
    assert compute_edc_numbers(np.array([2.5e7, 0.5, np.nan, 300.0, 1e8])).to_pylist() == [
        "25000000",
        "0.5",
        "",
        "300",
        "100000000",
    ]
    assert compute_edc_numbers(np.array([1.23456]), decimals=2).to_pylist() == ["1.23"]
    assert compute_edc_integers(np.array([3, 10, 3])).to_pylist() == ["3", "10", "3"]


def test_finish_frame_orders_columns_and_formats_dates(study):
    form = study.form("DTH")
    frame = finish_frame(
        {
            "DTHREL": ["0"],
            "DTHCAUS": [None],
            "SITENUMBER": ["01"],
            "SUBJECT": ["01-001"],
            "DTHDAT": np.array(["2020-03-16"], dtype="datetime64[D]"),
        },
        form,
        study,
    )
    assert list(frame.columns) == ["SUBJECT", "SITENUMBER", "DTHDAT", "DTHCAUS", "DTHREL"]
    assert frame.iloc[0].tolist() == ["01-001", "01", "16 MAR 2020", "", "0"]
    assert all(str(t) == "str" for t in frame.dtypes)


def test_finish_frame_names_missing_and_extra_columns(study):
    with pytest.raises(
        ValueError,
        match=r"`DTH` frame must have exactly the form's columns \(got missing \['DTHREL'\], extra \['X'\]\)",
    ):
        finish_frame({"SUBJECT": [], "SITENUMBER": [], "DTHDAT": [], "DTHCAUS": [], "X": []}, study.form("DTH"), study)


def test_csv_text_quotes_only_what_needs_it():
    frame = pd.DataFrame(
        {
            "A": pd.Series(['say "hi"', "a,b", "", "plain", "two\nlines"], dtype="str"),
            "B": pd.Series(["é", "1", "", "2", "3"], dtype="str"),
        }
    )
    assert compute_csv_text(frame) == 'A,B\n"say ""hi""",é\n"a,b",1\n,\nplain,2\n"two\nlines",3\n'.encode("utf-8")
    assert compute_csv_text(frame.iloc[:0]) == b"A,B\n"
