"""The dates platforms and feeds print: a table per source (pure units)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govmon.media.dates import TZ, from_timestamp, parse_feed_time, parse_weibo_time

REF = datetime(2026, 9, 30, 10, 0, 0, tzinfo=TZ)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("text, expected, precision", [
    ("刚刚", REF, "minute"),
    ("30秒前", REF - timedelta(seconds=30), "second"),
    ("5分钟前", REF - timedelta(minutes=5), "minute"),
    ("3小时前", REF - timedelta(hours=3), "hour"),
    ("20小时前", local(2026, 9, 29, 14, 0), "hour"),            # the day before, not "today"
    ("今天 08:15", local(2026, 9, 30, 8, 15), "minute"),
    ("昨天 10:20", local(2026, 9, 29, 10, 20), "minute"),
    ("昨天 23:59", local(2026, 9, 29, 23, 59), "minute"),
    ("前天 00:01", local(2026, 9, 28, 0, 1), "minute"),
    ("09-10", local(2026, 9, 10), "day"),                       # MM-DD: this year
    ("10-05", local(2025, 10, 5), "day"),                       # a later MM-DD than now is last year's
    ("2025-08-26", local(2025, 8, 26), "day"),
    ("2015-04-11 20:07", local(2015, 4, 11, 20, 7), "minute"),
    ("Sat Feb 19 10:20:00 +0800 2022", local(2022, 2, 19, 10, 20), "second"),
    ("Sat Feb 19 02:20:00 +0000 2022", local(2022, 2, 19, 10, 20), "second"),
    ("06月17日 18:12", local(2026, 6, 17, 18, 12), "minute"),   # weibo.cn lite
    ("06月17日 18:12\u00a0来自绿洲APP", local(2026, 6, 17, 18, 12), "minute"),
])
def test_weibo_created_at(text, expected, precision):
    w = parse_weibo_time(text, REF)
    assert w is not None, text
    assert w.at == expected
    assert w.precision == precision


def test_weibo_relative_dates_follow_the_reference_not_the_clock():
    # the response's HTTP Date is "now" for what it printed
    ref = datetime(2030, 1, 1, 0, 30, tzinfo=timezone.utc)  # 08:30 in Beijing
    assert parse_weibo_time("昨天 10:20", ref).at == local(2029, 12, 31, 10, 20)
    assert parse_weibo_time("12-31", ref).at == local(2029, 12, 31)


def test_weibo_new_year_mm_dd_is_last_year():
    ref = local(2027, 1, 2, 9, 0)
    assert parse_weibo_time("12-30", ref).at == local(2026, 12, 30)
    assert parse_weibo_time("01-01", ref).at == local(2027, 1, 1)


@pytest.mark.parametrize("text", [None, "", "很久以前", "13-45", "2026-02-30", "Mon Foo 99 10:20:00 +0800 2022"])
def test_weibo_unreadable(text):
    assert parse_weibo_time(text, REF) is None


@pytest.mark.parametrize("text, expected, precision", [
    ("Sat, 31 Dec 2005 06:15:55+0900", datetime(2005, 12, 31, 6, 15, 55, tzinfo=timezone(timedelta(hours=9))),
     "second"),                                                  # no space before the offset (real feed)
    ("Mon, 28 Sep 2026 10:20:00 +0800", local(2026, 9, 28, 10, 20), "second"),
    ("28 Sep 2026 02:20 GMT", local(2026, 9, 28, 10, 20), "minute"),   # no weekday, no seconds
    ("Mon, 28 Sep 26 10:20:00 +0800", local(2026, 9, 28, 10, 20), "second"),  # two-digit year
    ("Mon, 28 Sep 2026 10:20:00 CST", local(2026, 9, 28, 10, 20), "second"),  # CST = China Standard Time
    ("Tue, 14 Apr 2026 00:00:00 +0000", local(2026, 4, 14), "day"),    # date only, mislabelled UTC
    ("Tue, 14 Apr 2026 00:00:00 GMT", local(2026, 4, 14), "day"),
    ("Tue, 14 Apr 2026 00:00:00 +0800", local(2026, 4, 14), "day"),
    ("2005-5-28 16:05:36", local(2005, 5, 28, 16, 5, 36), "second"),   # non-RFC-822, no zone: Beijing
    ("2026-9-28 9:05:36", local(2026, 9, 28, 9, 5, 36), "second"),
    ("2026-09-28T10:20:36+08:00", local(2026, 9, 28, 10, 20, 36), "second"),
    ("2026-09-28T02:20:36Z", local(2026, 9, 28, 10, 20, 36), "second"),
    ("2026-09-28T02:20:36.123+00:00", local(2026, 9, 28, 10, 20, 36), "second"),
    ("2026-09-28", local(2026, 9, 28), "day"),
    ("2026/09/28 10:20", local(2026, 9, 28, 10, 20), "minute"),
    ("2026年9月28日", local(2026, 9, 28), "day"),
    ("2026年9月28日 10:20", local(2026, 9, 28, 10, 20), "minute"),
    ("1521515999", local(2018, 3, 20, 11, 19, 59), "second"),
    ("1521515999000", local(2018, 3, 20, 11, 19, 59), "second"),
])
def test_feed_dates(text, expected, precision):
    w = parse_feed_time(text)
    assert w is not None, text
    assert w.at == expected
    assert w.precision == precision


def test_date_only_keeps_the_printed_calendar_day():
    w = parse_feed_time("Tue, 14 Apr 2026 00:00:00 +0000")
    assert w.local_date.isoformat() == "2026-04-14"  # read literally it would be 08:00 on the 14th


@pytest.mark.parametrize("text", [None, "", "yesterday", "2026-13-01", "32 Jan 2026 10:00:00 +0800"])
def test_feed_unreadable(text):
    assert parse_feed_time(text) is None


def test_timestamps():
    assert from_timestamp(1500872686).at == local(2017, 7, 24, 13, 4, 46)
    assert from_timestamp("0") is None and from_timestamp(None) is None and from_timestamp("x") is None
