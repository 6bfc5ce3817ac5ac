"""ISO 8601 as SDTM writes it, study days, and comparing partial dates (conformance.dates)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdisc_pipe.conformance.dates import date_prefix_compare, is_iso_datetime, is_iso_duration
from cdisc_pipe.conformance.ops_refs import study_day

VALID = ["2003", "2003-12", "2003-12-15", "2003-12-15T13", "2003-12-15T13:15", "2003-12-15T13:15:17",
         "2003-12-15T13:15:17.123", "2003---15", "--12-15", "-----T07:15", "2003-12-15T-:15", "2003-12-15T13:-:17",
         "2020-02-29", "2003-12-15T10:00/2003-12-15T10:30", "2003-12-15T13:15Z", "2003-12-15T13:15+01:00"]
INVALID = ["200", "2003-20", "2003-11-31", "2019-02-29", "15DEC2003", "2003-12-15 13:15", "2003-12--", "2003-1-5",
           "2003-12-15T24:00", "2003-12-15T", "-", "2003/12/15", " 2003-12-15"]


@pytest.mark.parametrize("value", VALID)
def test_valid_iso_datetimes(value: str) -> None:
    assert is_iso_datetime(pd.Series([value])).tolist() == [True]


@pytest.mark.parametrize("value", INVALID)
def test_invalid_iso_datetimes(value: str) -> None:
    assert is_iso_datetime(pd.Series([value])).tolist() == [False]


def test_missing_values_are_not_judged() -> None:
    assert is_iso_datetime(pd.Series(["", "  ", None], dtype="str")).isna().all()
    assert is_iso_datetime(pd.Series([], dtype="str")).empty


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),
       st.sampled_from([4, 7, 10, 13, 16, 19]))
def test_every_real_datetime_at_any_precision_is_valid(moment: datetime, length: int) -> None:
    assert is_iso_datetime(pd.Series([moment.strftime("%Y-%m-%dT%H:%M:%S")[:length]])).tolist() == [True]


@pytest.mark.parametrize(("value", "ok"), [("P2D", True), ("PT1H30M", True), ("P1W", True), ("-P2D", True),
                                           ("P1.5Y", True), ("P", False), ("PT", False), ("2 days", False),
                                           ("P1H", False), ("P1W2D", False)])
def test_iso_durations(value: str, ok: bool) -> None:
    assert is_iso_duration(pd.Series([value])).tolist() == [ok]


@pytest.mark.parametrize(("left", "right", "sign"), [
    ("2020-03-11", "2020-03-10", 1), ("2020-03-10", "2020-03-10T08:00", 0), ("2021", "2020-06-14", 1),
    ("2020-03", "2020-03-01", 0), ("2020-02", "2020-03-01", -1), ("2020-03-10T10:00", "2020-03-10T09:59", 1),
    (" 2020-07", "2020-06", 1),
])
def test_partial_dates_compare_at_their_common_precision(left: str, right: str, sign: int) -> None:
    assert date_prefix_compare(pd.Series([left]), pd.Series([right])).tolist() == [sign]


@pytest.mark.parametrize(("left", "right"), [("", "2020"), ("2003---15", "2003-12-15"), ("2020-02-30", "2020")])
def test_dates_that_cannot_be_compared_give_na(left: str, right: str) -> None:
    assert date_prefix_compare(pd.Series([left]), pd.Series([right])).isna().all()


@pytest.mark.parametrize(("date", "reference", "day"), [
    ("2020-03-10", "2020-03-10", 1), ("2020-03-09", "2020-03-10", -1), ("2020-04-09T10:00", "2020-03-10", 31),
    ("2020-03", "2020-03-10", None), ("2020-03-10", "2020", None),
])
def test_study_day_has_no_day_zero(date: str, reference: str, day: int | None) -> None:
    got = study_day(pd.Series([date]), pd.Series([reference])).tolist()[0]
    assert (None if got != got else got) == day
