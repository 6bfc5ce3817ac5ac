"""Define-XML data types, lengths and significant digits read off the data."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from cdisc_pipe.export.define_values import (
    coded_text,
    iso_data_type,
    iso_matches,
    is_iso_variable,
    numeric_data_type,
    significant_digits,
    text_length,
)


@pytest.mark.parametrize(("values", "expected"), [
    (["2019-03-05", "2020-12-31", ""], "date"),
    (["2019-03-05T09:30:00", "2019-03-05T23:59:59.5"], "datetime"),
    (["2019", "2019-03", "2019-03-05"], "partialDate"),
    (["2019-03-05T09:30", "2019-03-05", "2019"], "partialDatetime"),
    (["2019---05", "2019-03-05"], "incompleteDatetime"),
    (["P3D", "-P1M", "PT2H30M", "P1Y2M3DT4H5M6.5S"], "durationDatetime"),
    (["2019-03-05", "05MAR2019"], "text"),
    (["P", "PT"], "text"),
    ([None, ""], "datetime"),
])
def test_iso_data_type_is_the_narrowest_that_holds_every_value(values, expected):
    assert iso_data_type(pd.Series(values, dtype="object")) == expected


def test_iso_matches_counts_narrower_values_as_wider_ones():
    values = pd.Series(["2019-03-05", "2019-03-05T09:30:00", "2019-03", "x"])
    assert iso_matches(values, "partialDatetime").tolist() == [True, True, True, False]
    assert iso_matches(values, "date").tolist() == [True, False, False, False]


@pytest.mark.parametrize(("name", "expected"), [("AESTDTC", True), ("RFSTDTC", True), ("AEDUR", True),
                                                ("QSEVLINT", True), ("AESTDY", False), ("DTC", True), ("VISIT", False)])
def test_iso_variables_by_their_ig_name_ending(name, expected):
    assert is_iso_variable(name) is expected


def test_numeric_type_digits_and_length():
    assert numeric_data_type(pd.Series([1.0, 2.0, None])) == "integer"
    assert numeric_data_type(pd.Series([1.0, 2.5])) == "float"
    assert numeric_data_type(pd.Series([2.0**60])) == "float"
    assert significant_digits(pd.Series([36.6, 37.0, 120.25, None])) == 2
    assert significant_digits(pd.Series([1 / 3])) == 16
    assert text_length(pd.Series(["a", "âge", None, ""])) == 4  # bytes, as the transport file holds them
    assert text_length(pd.Series([], dtype="object")) == 1


def test_coded_text_writes_whole_numbers_without_decimals():
    assert coded_text(pd.Series([1.0, 2.5, None])).tolist() == ["1", "2.5"]
    assert coded_text(pd.Series(["Y", "", None])).tolist() == ["Y"]


@given(st.lists(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31)), min_size=1,
                max_size=20),
       st.sampled_from([("%Y-%m-%d", "date"), ("%Y-%m-%dT%H:%M:%S", "datetime"), ("%Y-%m", "partialDate"),
                        ("%Y-%m-%dT%H:%M", "partialDatetime")]))
def test_formatted_datetimes_get_the_type_of_their_format(moments, form):
    fmt, expected = form
    values = pd.Series([m.strftime(fmt) for m in moments])
    assert iso_data_type(values) == expected


@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9999)), min_size=1, max_size=10))
def test_iso_durations_are_duration_datetime(spans):
    values = pd.Series([f"P{s.days}DT{s.seconds // 3600}H{s.seconds % 3600 // 60}M" for s in spans])
    assert iso_data_type(values) == "durationDatetime"
