"""Dates as government CMSes print them, and which date an article carries.

List and homepage dates come in many shapes: ``2024-02-19``, ``[02-19]``, ``2024年2月19日``,
``2024/02/19 20:23``, ``02-19``, ``2024.02.19``, ``(2024-02-19)``, ``发布时间：2024-2-19 9:05``. Those
without a year get one from a reference date (the fetch time): the latest such date not after the
reference (two days of slack for clocks and time zones), and, on a list sorted newest first, not
after the item before it (:func:`resolve_sequence`), so ``[12-28]`` after ``[01-03]`` is the year before.

Article pages: ``<meta name="PubDate">`` is authoritative (《政府网站发展指引》 网页标签); then
``firstpublishedtime`` and the other publication metas; then a labelled date in the text
(发布时间：…). A page-generation time (``<meta name="others" content="页面生成时间 …">``,
``<meta name="Maketime">``) is never a publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

try:
    from zoneinfo import ZoneInfo

    TZ = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover - no tzdata: China has had no DST since 1991
    TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

FUTURE_SLACK_DAYS = 2

_FULL = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)(?:\s*日)?"
    r"(?:\s*(?:T|-)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?")
_MD_ONLY = re.compile(
    r"^[\[【(（]?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+(\d{1,2})\s*[:：]\s*(\d{2}))?\s*[\]】)）]?$")
_LABEL = re.compile(r"^(?:发布|更新|上传|成文|发文|印发|留言|回复|答复|提问|来信|受理|办结|创建)?"
                    r"(?:时间|日期|于)?\s*[:：]?\s*")
_TEXT_LABELLED = re.compile(r"(?:发布时间|发布日期|发文日期|发布于|信息时间|时间|日期)\s*[:：]\s*")

PUBLICATION_METAS = ("pubdate", "publishdate", "article:published_time", "firstpublishedtime", "publish_time",
                     "publishtime", "dc.date.issued", "dcterms.issued", "releasedate")
NOT_PUBLICATION_METAS = ("others", "maketime", "lastmodifiedtime", "generator")


@dataclass(frozen=True)
class DateText:
    """A date as printed: the year may be missing (``[02-19]``)."""

    year: int | None
    month: int
    day: int
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    text: str = ""

    def on(self, year: int) -> dt.date | None:
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return None

    def resolve(self, ref: dt.date, not_after: dt.date | None = None) -> dt.date | None:
        """The calendar date; a missing year is the latest that is not after ``ref`` (+ slack) or
        ``not_after``."""
        if self.year is not None:
            return self.on(self.year)
        limit = ref + dt.timedelta(days=FUTURE_SLACK_DAYS)
        if not_after is not None and not_after < limit:
            limit = not_after
        for year in range(limit.year, limit.year - 9, -1):  # Feb 29 needs up to 8 years back
            d = self.on(year)
            if d is not None and d <= limit:
                return d
        return None

    def timestamp(self, ref: dt.date) -> dt.datetime | None:
        d = self.resolve(ref)
        if d is None or self.hour is None:
            return None
        try:
            return dt.datetime(d.year, d.month, d.day, self.hour, self.minute or 0, self.second or 0, tzinfo=TZ)
        except ValueError:
            return None


def _valid(y: int | None, m: int, d: int) -> bool:
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return False
    if y is None:
        return m != 2 or d <= 29
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def _full(m: re.Match) -> DateText | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not _valid(y, mo, d):
        return None
    h = int(m.group(4)) if m.group(4) else None
    mi = int(m.group(5)) if m.group(5) else None
    s = int(m.group(6)) if m.group(6) else None
    if h is not None and not (0 <= h <= 23 and 0 <= (mi or 0) <= 59 and 0 <= (s or 0) <= 59):
        h = mi = s = None
    return DateText(y, mo, d, h, mi, s, m.group(0).strip())


def find_date(text: str) -> DateText | None:
    """The first full date (with a year) anywhere in ``text``."""
    for m in _FULL.finditer(text or ""):
        got = _full(m)
        if got is not None:
            return got
    return None


def parse_list_date(text: str) -> DateText | None:
    """A date printed beside a list item: the text must be (almost) only the date.

    Titles contain digits ("1-10月…", "2024年工作要点"), so a date is accepted only from a short text
    that is a date, optionally with a label (发布时间：) and brackets.
    """
    if not text:
        return None
    t = " ".join(text.split())
    if len(t) > 48:
        return None
    t = _LABEL.sub("", t, count=1).strip()
    t = t.strip("[]【】()（）").strip()
    if not t:
        return None
    m = _FULL.search(t)
    if m and len(m.group(0).strip()) >= len(t) - 2:
        return _full(m)
    m = _MD_ONLY.match(t)
    if m:
        mo, d = int(m.group(1)), int(m.group(2))
        if not _valid(None, mo, d):
            return None
        h = int(m.group(3)) if m.group(3) else None
        mi = int(m.group(4)) if m.group(4) else None
        return DateText(None, mo, d, h, mi, None, t)
    return None


def resolve_sequence(dates: list[DateText | None], ref: dt.date, start_after: dt.date | None = None) -> list[dt.date | None]:
    """Resolve the dates of a list sorted newest first: a date without a year is placed on or before
    the previous item's date. ``start_after`` carries the last date of the previous page."""
    out: list[dt.date | None] = []
    prev = start_after
    for d in dates:
        if d is None:
            out.append(None)
            continue
        got = d.resolve(ref, prev if d.year is None else None)
        out.append(got)
        if got is not None and (prev is None or got <= prev or d.year is not None):
            prev = got
    return out


@dataclass(frozen=True)
class ArticleDate:
    date: dt.date
    at: dt.datetime | None   # with a time of day when one was printed
    source: str              # 'meta:pubdate', 'meta:firstpublishedtime', …, 'text'
    text: str


def article_date(metas: dict[str, str], text: str = "") -> ArticleDate | None:
    """The publication date of an article page: publication metas first, then a labelled date."""
    for name in PUBLICATION_METAS:
        value = metas.get(name)
        if value:
            d = find_date(value)
            if d is not None:
                day = d.on(d.year)
                return ArticleDate(day, d.timestamp(day), f"meta:{name}", value.strip())
    for m in _TEXT_LABELLED.finditer(text or ""):
        d = find_date(text[m.end():m.end() + 40])
        if d is not None and text[m.end():m.end() + 40].lstrip().startswith(d.text[:4]):
            day = d.on(d.year)
            return ArticleDate(day, d.timestamp(day), "text", d.text)
    return None


def local_date(ts: dt.datetime) -> dt.date:
    """The calendar date in Asia/Shanghai of an aware timestamp."""
    return ts.astimezone(TZ).date()
