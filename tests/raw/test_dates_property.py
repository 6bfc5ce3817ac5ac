"""Property tests of the EDC date parser against Python's own calendar."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cdisc_pipe.raw.dates import MONTHS, format_edc_dates, parse_edc_dates, parse_edc_times

dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


def _edc(day: dt.date) -> str:
    return f"{day.day:02d} {MONTHS[day.month - 1]} {day.year:04d}"


@given(st.lists(dates, min_size=1, max_size=50))
def test_every_real_date_written_by_the_edc_parses_back_to_itself(days):
    parsed = parse_edc_dates(pd.Series([_edc(d) for d in days]), allow_partial=False)
    assert parsed["valid"].all()
    assert parsed["iso"].tolist() == [d.isoformat() for d in days]
    assert parsed["earliest"].dt.date.tolist() == days
    assert parsed["latest"].dt.date.tolist() == days


@given(st.lists(dates, min_size=1, max_size=50))
def test_format_then_parse_is_the_identity_at_every_precision(days):
    iso = [d.isoformat() for d in days] + [d.isoformat()[:7] for d in days] + [d.isoformat()[:4] for d in days]
    formatted = format_edc_dates(pd.Series(iso))
    assert parse_edc_dates(formatted)["iso"].tolist() == iso


@given(st.integers(0, 40), st.integers(1, 12), st.integers(0, 9999))
def test_validity_agrees_with_the_calendar(day, month, year):
    try:
        dt.date(year, month, day)
        real = True
    except ValueError:
        real = False
    parsed = parse_edc_dates(pd.Series([f"{day:02d} {MONTHS[month - 1]} {year:04d}"]))
    assert bool(parsed["valid"].iloc[0]) == real


@given(st.integers(1, 9999), st.integers(1, 12))
def test_partial_dates_span_their_month_and_year(year, month):
    parsed = parse_edc_dates(pd.Series([f"UN {MONTHS[month - 1]} {year:04d}", f"UN UNK {year:04d}"]))
    last = calendar.monthrange(year, month)[1]
    assert parsed["iso"].tolist() == [f"{year:04d}-{month:02d}", f"{year:04d}"]
    assert parsed["earliest"].dt.date.tolist() == [dt.date(year, month, 1), dt.date(year, 1, 1)]
    assert parsed["latest"].dt.date.tolist() == [dt.date(year, month, last), dt.date(year, 12, 31)]


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="0123456789 ABCDEFGJKLMNOPRSTUVYabc-/", max_size=13), max_size=30))
def test_any_text_is_classified_and_what_is_valid_round_trips(texts):
    values = pd.Series(texts, dtype="str")
    parsed = parse_edc_dates(values)
    assert (parsed["valid"] | parsed["missing"] | parsed["problem"].notna()).all()
    valid = values[parsed["valid"].to_numpy()]
    assert format_edc_dates(parsed["iso"][parsed["valid"]]).tolist() == valid.tolist()


@given(st.integers(0, 99), st.integers(0, 99))
def test_times_are_valid_exactly_for_a_time_of_day(hour, minute):
    parsed = parse_edc_times(pd.Series([f"{hour:02d}:{minute:02d}"]))
    assert bool(parsed["valid"].iloc[0]) == (hour <= 23 and minute <= 59)
