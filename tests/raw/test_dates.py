"""EDC date and time parsing: literal tables of hand-checked values, then layouts and edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.dates import (
    DATE_PROBLEMS,
    compute_date_bounds,
    compute_date_problems,
    format_edc_dates,
    parse_edc_dates,
    parse_edc_times,
)
from cdisc_pipe.spec.model import RawConventions

EDC = RawConventions()

# entered, iso, partial, problem (None: valid or missing)
DATE_TABLE = [
    ("05 MAR 2019", "2019-03-05", False, None),
    ("31 DEC 1999", "1999-12-31", False, None),
    ("29 FEB 2020", "2020-02-29", False, None),  # leap year
    ("29 FEB 2000", "2000-02-29", False, None),  # divisible by 400: leap
    ("UN MAR 2019", "2019-03", True, None),
    ("UN UNK 2019", "2019", True, None),
    ("UN FEB 2019", "2019-02", True, None),
    ("29 FEB 2019", None, False, "not a calendar date"),
    ("29 FEB 1900", None, False, "not a calendar date"),  # divisible by 100, not 400: not leap
    ("30 FEB 2022", None, False, "not a calendar date"),
    ("31 APR 2019", None, False, "not a calendar date"),
    ("00 JAN 2019", None, False, "not a calendar date"),
    ("01 JAN 0000", None, False, "not a calendar date"),
    ("05 UNK 2019", None, False, "day given without month"),
    ("05 mar 2019", None, False, "not in the date layout"),  # month names are upper-case, as EDCs write them
    ("5 MAR 2019", None, False, "not in the date layout"),
    ("05 MAR 19", None, False, "not in the date layout"),
    ("05-MAR-2019", None, False, "not in the date layout"),
    (" 05 MAR 2019", None, False, "not in the date layout"),
    ("05 MAR 2019 ", None, False, "not in the date layout"),
    ("2019-03-05", None, False, "not in the date layout"),
    ("05 XYZ 2019", None, False, "not in the date layout"),
    ("UN UN 2019", None, False, "not in the date layout"),
    ("UN UNK UNKN", None, False, "not in the date layout"),
    ("05 MÄR 2019", None, False, "not in the date layout"),
]


def test_date_table():
    entered = pd.Series([row[0] for row in DATE_TABLE], index=range(100, 100 + len(DATE_TABLE)), dtype="str")
    parsed = parse_edc_dates(entered, conventions=EDC, allow_partial=True)
    assert list(parsed.index) == list(entered.index)
    for (value, iso, partial, problem), (_, got) in zip(DATE_TABLE, parsed.iterrows(), strict=True):
        assert (None if pd.isna(got["iso"]) else got["iso"]) == iso, value
        assert bool(got["valid"]) == (iso is not None), value
        assert bool(got["partial"]) == partial, value
        assert (None if pd.isna(got["problem"]) else got["problem"]) == problem, value
        assert not got["missing"], value


def test_partial_dates_not_allowed_are_reported_as_such():
    parsed = parse_edc_dates(pd.Series(["UN MAR 2019", "UN UNK 2019", "05 MAR 2019"]), allow_partial=False)
    assert parsed["valid"].tolist() == [False, False, True]
    assert parsed["partial"].tolist() == [True, True, False]
    assert parsed["iso"].isna().tolist() == [True, True, False]
    assert parsed["problem"].tolist()[:2] == ["partial date not allowed"] * 2


@pytest.mark.parametrize("missing", [None, np.nan, "", "   "])
def test_missing_is_neither_valid_nor_a_problem(missing):
    parsed = parse_edc_dates(pd.Series(["05 MAR 2019", missing], dtype=object))
    assert parsed["missing"].tolist() == [False, True]
    assert parsed["valid"].tolist() == [True, False]
    assert pd.isna(parsed["problem"].iloc[1]) and pd.isna(parsed["iso"].iloc[1])


def test_parts_and_bounds():
    parsed = parse_edc_dates(pd.Series(["05 MAR 2019", "UN FEB 2020", "UN UNK 2019", "bad"]))
    assert parsed["year"].tolist()[:3] == [2019, 2020, 2019] and pd.isna(parsed["year"].iloc[3])
    assert parsed["month"].iloc[0] == 3 and parsed["month"].iloc[1] == 2 and pd.isna(parsed["month"].iloc[2])
    assert parsed["day"].iloc[0] == 5 and pd.isna(parsed["day"].iloc[1])
    assert parsed["earliest"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2019-03-05", "2020-02-01", "2019-01-01"]
    assert parsed["latest"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2019-03-05", "2020-02-29", "2019-12-31"]
    assert pd.isna(parsed["earliest"].iloc[3]) and pd.isna(parsed["latest"].iloc[3])


def test_input_is_not_modified_and_index_is_kept():
    values = pd.Series(["05 MAR 2019", "bad"], index=["a", "b"], dtype="str")
    before = values.copy()
    parsed = parse_edc_dates(values)
    pd.testing.assert_series_equal(values, before)
    assert list(parsed.index) == ["a", "b"]


def test_object_and_arrow_strings_give_the_same_result():
    values = ["05 MAR 2019", None, "UN MAR 2019", "x"]
    arrow = parse_edc_dates(pd.Series(values, dtype="str"))
    plain = parse_edc_dates(pd.Series(values, dtype=object))
    pd.testing.assert_frame_equal(arrow, plain)


def test_empty_and_all_missing_columns():
    assert parse_edc_dates(pd.Series([], dtype="str")).empty
    parsed = parse_edc_dates(pd.Series([None, None], dtype=object))
    assert parsed["missing"].all() and not parsed["valid"].any()


def test_non_string_values_are_refused():
    with pytest.raises(TypeError, match="must hold strings"):
        parse_edc_dates(pd.Series([20190305, 20190306]))


def test_compute_date_problems_matches_parse():
    values = pd.Series([row[0] for row in DATE_TABLE] + [None])
    for allow in (True, False):
        problems = compute_date_problems(values, allow_partial=allow)
        assert list(problems.cat.categories) == list(DATE_PROBLEMS)
        pd.testing.assert_series_equal(
            problems, parse_edc_dates(values, allow_partial=allow)["problem"], check_names=False
        )


def test_other_layouts():
    iso_layout = RawConventions(date_format="YYYY-MM-DD", unknown_day="UN", unknown_month="UN")
    parsed = parse_edc_dates(pd.Series(["2019-03-05", "2019-03-UN", "2019-UN-UN", "2019-13-01", "2019-UN-05"]),
                             conventions=iso_layout)
    assert parsed["iso"].tolist()[:3] == ["2019-03-05", "2019-03", "2019"]
    assert parsed["problem"].tolist()[3:] == ["not a calendar date", "day given without month"]
    slash = RawConventions(date_format="DD/MON/YYYY", unknown_day="NK", unknown_month="NKN")
    parsed = parse_edc_dates(pd.Series(["05/MAR/2019", "NK/NKN/2019", "05 MAR 2019"]), conventions=slash)
    assert parsed["iso"].tolist()[:2] == ["2019-03-05", "2019"] and not parsed["valid"].iloc[2]


@pytest.mark.parametrize(
    ("conventions", "match"),
    [
        (RawConventions(date_format="DD MON"), "must hold DD, YYYY"),
        (RawConventions(date_format="DD MON MM YYYY"), "must hold DD, YYYY"),
        (RawConventions(date_format="DD MON YYYY YYYY"), "at most once"),
        (RawConventions(unknown_day="U"), "as wide as"),
        (RawConventions(unknown_month="UK"), "as wide as"),
    ],
)
def test_unusable_layouts_are_spec_errors(conventions, match):
    with pytest.raises(SpecError, match=match):
        parse_edc_dates(pd.Series(["05 MAR 2019"]), conventions=conventions)


TIME_TABLE = [
    ("00:00", "00:00"),
    ("23:59", "23:59"),
    ("09:05", "09:05"),
    ("24:00", None),
    ("25:61", None),
    ("12:60", None),
    ("9:30", None),
    ("09:30:00", None),
    ("0930", None),
    ("09.30", None),
    ("ab:cd", None),
]


def test_time_table():
    parsed = parse_edc_times(pd.Series([t for t, _ in TIME_TABLE] + [None]))
    got = [None if pd.isna(v) else v for v in parsed["iso"]]
    assert got == [iso for _, iso in TIME_TABLE] + [None]
    assert parsed["valid"].tolist() == [iso is not None for _, iso in TIME_TABLE] + [False]
    assert parsed["missing"].tolist() == [False] * len(TIME_TABLE) + [True]


def test_times_with_seconds():
    parsed = parse_edc_times(pd.Series(["09:30:15", "09:30:60", "09:30"]),
                             conventions=RawConventions(time_format="HH:MM:SS"))
    assert parsed["iso"].iloc[0] == "09:30:15" and parsed["valid"].tolist() == [True, False, False]


def test_time_layout_without_minutes_is_a_spec_error():
    with pytest.raises(SpecError, match="must hold HH and MM"):
        parse_edc_times(pd.Series(["09"]), conventions=RawConventions(time_format="HH"))


def test_format_edc_dates():
    iso = pd.Series(["2019-03-05", "2019-03", "2019", None], index=[3, 2, 1, 0])
    formatted = format_edc_dates(iso)
    assert formatted.tolist()[:3] == ["05 MAR 2019", "UN MAR 2019", "UN UNK 2019"]
    assert pd.isna(formatted.iloc[3]) and list(formatted.index) == [3, 2, 1, 0]
    iso_layout = RawConventions(date_format="YYYY-MM-DD", unknown_day="UN", unknown_month="UN")
    assert format_edc_dates(iso, conventions=iso_layout).tolist()[:3] == ["2019-03-05", "2019-03-UN", "2019-UN-UN"]


@pytest.mark.parametrize("bad", ["2019-3-5", "05 MAR 2019", "2019-13", "2019-03-5"])
def test_format_edc_dates_refuses_non_iso(bad):
    with pytest.raises(ValueError, match="ISO 8601"):
        format_edc_dates(pd.Series([bad]))


def test_compute_date_bounds_matches_parse():
    values = pd.Series([row[0] for row in DATE_TABLE] + [None], index=range(7, 8 + len(DATE_TABLE)))
    bounds = compute_date_bounds(values)
    pd.testing.assert_frame_equal(bounds, parse_edc_dates(values)[["earliest", "latest"]])
