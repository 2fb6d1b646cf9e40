"""Dates as CMSes print them; years inferred for 月-日 dates; which date an article carries."""

from __future__ import annotations

import datetime as dt

import pytest

from govmon.parsing.dates import article_date, find_date, parse_list_date, resolve_sequence

REF = dt.date(2026, 9, 30)


@pytest.mark.parametrize("text,want", [
    ("2024-02-19", dt.date(2024, 2, 19)),
    ("2024-2-9", dt.date(2024, 2, 9)),
    ("[02-19]", dt.date(2026, 2, 19)),
    ("【02-19】", dt.date(2026, 2, 19)),
    ("(2024-02-19)", dt.date(2024, 2, 19)),
    ("（2024.02.19）", dt.date(2024, 2, 19)),
    ("2024年2月19日", dt.date(2024, 2, 19)),
    ("2024 年 2 月 19 日", dt.date(2024, 2, 19)),
    ("2024/02/19 20:23", dt.date(2024, 2, 19)),
    ("2024-02-19 20:23:05", dt.date(2024, 2, 19)),
    ("02-19", dt.date(2026, 2, 19)),
    ("9-30", dt.date(2026, 9, 30)),
    ("10-01", dt.date(2026, 10, 1)),        # two days of slack: still this year
    ("10-03", dt.date(2025, 10, 3)),        # after the reference: last year
    ("12月28日", dt.date(2025, 12, 28)),
    ("发布时间：2026-9-3 9:05", dt.date(2026, 9, 3)),
    ("日期：2024.02.19", dt.date(2024, 2, 19)),
])
def test_list_dates(text, want):
    d = parse_list_date(text)
    assert d is not None, text
    assert d.resolve(REF) == want


@pytest.mark.parametrize("text", [
    "1-10月德清县固定资产投资结构趋稳趋优",    # a title: digits but not a date
    "关于2024年2月19日召开会议的通知",           # a title with a date inside
    "13-45", "02-30", "2024-13-01", "共3页", "", "2024",
])
def test_not_list_dates(text):
    assert parse_list_date(text) is None


def test_times_are_kept():
    d = parse_list_date("2024/02/19 20:23")
    assert (d.hour, d.minute) == (20, 23)
    assert find_date("2007-08-20-23:59:59").second == 59


def test_sequence_places_years_on_a_sorted_list():
    dates = [parse_list_date(t) for t in ("[09-28]", "[03-14]", "[12-25]", "[02-27]", None, "2024-12-01")]
    dates[4] = None
    got = resolve_sequence(dates, REF)
    assert got == [dt.date(2026, 9, 28), dt.date(2026, 3, 14), dt.date(2025, 12, 25), dt.date(2025, 2, 27), None,
                   dt.date(2024, 12, 1)]
    # carried over from the previous page
    assert resolve_sequence([parse_list_date("[11-30]")], REF, dt.date(2025, 1, 10)) == [dt.date(2024, 11, 30)]


def test_feb_29_without_a_year():
    assert parse_list_date("02-29").resolve(dt.date(2026, 9, 30)) == dt.date(2024, 2, 29)


@pytest.mark.parametrize("metas,text,want,source", [
    ({"pubdate": "2016-11-22 09:53"}, "", dt.date(2016, 11, 22), "meta:pubdate"),
    ({"firstpublishedtime": "2007-08-20-23:59:59"}, "", dt.date(2007, 8, 20), "meta:firstpublishedtime"),
    ({"others": "页面生成时间 2023-10-11 14:34:31"}, "发布时间：2023-08-16", dt.date(2023, 8, 16), "text"),
    ({"maketime": "2026-09-30 10:00:00", "pubdate": "2026-09-01 08:00"}, "", dt.date(2026, 9, 1), "meta:pubdate"),
    ({"pubdate": ""}, "来源：某局 发布日期：2026-09-03 浏览次数：", dt.date(2026, 9, 3), "text"),
])
def test_article_dates(metas, text, want, source):
    got = article_date(metas, text)
    assert got is not None and got.date == want and got.source == source


def test_a_page_generation_time_is_not_a_publication_date():
    assert article_date({"others": "页面生成时间 2023-10-11 14:34:31", "maketime": "2023-10-11"}, "正文") is None
