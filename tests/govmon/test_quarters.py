import datetime as dt

import pytest

from govmon.quarters import TZ, Quarter, QuarterError, closed_quarter, parse_as_of


def test_parse_and_bounds():
    q = Quarter.parse("2024Q1")
    assert str(q) == "2024Q1" and q.label == "2024年第一季度"
    assert q.start == dt.datetime(2024, 1, 1, tzinfo=TZ)
    assert q.end == dt.datetime(2024, 4, 1, tzinfo=TZ)
    assert Quarter.parse("2024q4").next() == Quarter(2025, 1)
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    with pytest.raises(QuarterError):
        Quarter.parse("2024-1")


def test_default_as_of_is_end_of_quarter_or_now():
    q = Quarter(2024, 1)
    assert q.default_as_of(dt.datetime(2026, 1, 1, tzinfo=TZ)) == dt.datetime(2024, 3, 31, 23, 59, 59, 999999, tzinfo=TZ)
    now = dt.datetime(2024, 2, 10, 8, 0, tzinfo=TZ)
    assert q.default_as_of(now) == now


def test_closed_quarter_from_trigger_time():
    # a run triggered on 1 April (Shanghai) is for Q1, even though 1 April 00:30 CST is 31 March UTC
    assert closed_quarter(dt.datetime(2024, 3, 31, 16, 30, tzinfo=dt.timezone.utc)) == Quarter(2024, 1)
    assert closed_quarter(dt.datetime(2024, 1, 2, tzinfo=TZ)) == Quarter(2023, 4)


def test_parse_as_of():
    q = Quarter(2024, 1)
    assert parse_as_of("2024-03-15T10:00:00", q) == dt.datetime(2024, 3, 15, 10, tzinfo=TZ)
    with pytest.raises(QuarterError):
        parse_as_of("yesterday", q)
