"""The dates platforms and feeds print, read into aware datetimes with their precision.

- Weibo ``created_at``: 刚刚, N秒前, N分钟前, N小时前, 今天 HH:MM, 昨天 HH:MM, 前天 HH:MM, MM-DD (this
  year), MM月DD日 HH:MM (weibo.cn), YYYY-MM-DD[ HH:MM[:SS]], and the API's
  ``Sat Feb 19 10:20:00 +0800 2024``. Relative forms resolve against ``ref``: the HTTP ``Date`` of
  the response that printed them, else the collector's clock.
- Feeds: RFC 822 and its variants (no weekday, two-digit years, ``+0900`` glued to the time, ``GMT``,
  ``CST`` = China Standard Time), ISO 8601 (Atom, JSON Feed), ``2005-5-28 16:05:36``,
  ``2026年9月28日``, unix timestamps.
- A time without a zone is Beijing time (every source here is Chinese).
- Date-only values are ``day`` precision at 00:00 Beijing time. A time of exactly 00:00:00 marked
  UTC (or +08:00) is how bridges print a date they only know the day of ("Tue, 14 Apr 2026 00:00:00
  +0000"): it is read as that calendar day in Beijing, not as 08:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo

    TZ = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover - no tzdata; China has had no DST since 1991
    TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

PRECISIONS = ("second", "minute", "hour", "day")


@dataclass(frozen=True)
class When:
    at: datetime          # aware
    precision: str        # second | minute | hour | day

    @property
    def local_date(self) -> date:
        return self.at.astimezone(TZ).date()


def _local(ref: datetime) -> datetime:
    if ref.tzinfo is None:
        ref = ref.replace(tzinfo=TZ)
    return ref.astimezone(TZ)


def day(y: int, m: int, d: int) -> When:
    return When(datetime(y, m, d, tzinfo=TZ), "day")


def _safe(fn):
    try:
        return fn()
    except (ValueError, OverflowError):
        return None


# ---- Weibo ------------------------------------------------------------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"))}
_WB_API = re.compile(r"^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([+-]\d{4})\s+(\d{4})$")
_AGO = re.compile(r"^(\d+)\s*(秒|分钟|小时)前$")
_DAY_HM = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_MD = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_MD_CN = re.compile(r"^(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2}):(\d{2}))?$")


def _this_year(ref_local: datetime, month: int, dom: int, hm: tuple[int, int] | None) -> When | None:
    """A date printed without a year is this year's (a later one would be in the future: last year's)."""
    for year in (ref_local.year, ref_local.year - 1):
        if hm is None:
            w = _safe(lambda: day(year, month, dom))
        else:
            w = _safe(lambda: When(datetime(year, month, dom, hm[0], hm[1], tzinfo=TZ), "minute"))
        if w is not None and w.at.date() <= ref_local.date():
            return w
    return None


def _offset(text: str) -> timezone:
    sign = 1 if text[0] == "+" else -1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[3:5])))


def parse_weibo_time(text: str | None, ref: datetime) -> When | None:
    """``created_at`` as m.weibo.cn / weibo.cn print it (None when unreadable)."""
    if text is None:
        return None
    s = re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip()
    s = re.sub(r"\s*来自.*$", "", s)  # weibo.cn: "06月17日 18:12 来自绿洲APP"
    now = _local(ref)
    if not s:
        return None
    if s == "刚刚":
        return When(now.replace(microsecond=0), "minute")
    m = _AGO.match(s)
    if m:
        n = int(m.group(1))
        delta = {"秒": timedelta(seconds=n), "分钟": timedelta(minutes=n), "小时": timedelta(hours=n)}[m.group(2)]
        return When((now - delta).replace(microsecond=0), {"秒": "second", "分钟": "minute", "小时": "hour"}[m.group(2)])
    m = _DAY_HM.match(s)
    if m:
        back = {"今天": 0, "昨天": 1, "前天": 2}[m.group(1)]
        d = now.date() - timedelta(days=back)
        return _safe(lambda: When(datetime(d.year, d.month, d.day, int(m.group(2)), int(m.group(3)), tzinfo=TZ),
                                  "minute"))
    m = _MD.match(s)
    if m:
        return _this_year(now, int(m.group(1)), int(m.group(2)), None)
    m = _MD_CN.match(s)
    if m:
        hm = (int(m.group(3)), int(m.group(4))) if m.group(3) else None
        return _this_year(now, int(m.group(1)), int(m.group(2)), hm)
    m = _WB_API.match(s)
    if m and m.group(1).lower() in _MONTHS:
        return _safe(lambda: When(datetime(int(m.group(7)), _MONTHS[m.group(1).lower()], int(m.group(2)),
                                           int(m.group(3)), int(m.group(4)), int(m.group(5)),
                                           tzinfo=_offset(m.group(6))), "second"))
    return parse_feed_time(s)


# ---- feeds and everything else ----------------------------------------------------------------

_RFC822 = re.compile(
    r"^(?:[A-Za-z]{3,9},?\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{2,4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")
_ZONES = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "cst": 8 * 60, "bjt": 8 * 60, "hkt": 8 * 60, "jst": 9 * 60,
          "est": -5 * 60, "edt": -4 * 60, "pst": -8 * 60, "pdt": -7 * 60}


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    t = text.strip()
    if t[0] in "+-":
        digits = t[1:].replace(":", "")
        if len(digits) != 4 or not digits.isdigit():
            return None
        return _offset(t[0] + digits)
    minutes = _ZONES.get(t.lower())
    return None if minutes is None else timezone(timedelta(minutes=minutes))


def _build(y, mo, d, hh, mm, ss, zone_text) -> When | None:
    year = int(y)
    if year < 100:
        year += 2000 if year < 70 else 1900
    if hh is None:
        return _safe(lambda: day(year, int(mo), int(d)))
    tz = _zone(zone_text) if zone_text else TZ
    if tz is None:
        tz = TZ
    sec = int(ss) if ss is not None else 0
    at = _safe(lambda: datetime(year, int(mo), int(d), int(hh), int(mm), sec, tzinfo=tz))
    if at is None:
        return None
    offset = at.utcoffset() or timedelta(0)
    if (at.hour, at.minute, at.second) == (0, 0, 0) and zone_text and offset in (timedelta(0), timedelta(hours=8)):
        # a date the source only knows the day of, printed as midnight (often mislabelled as UTC)
        return _safe(lambda: day(year, int(mo), int(d)))
    return When(at, "second" if ss is not None else "minute")


def parse_feed_time(text: str | None) -> When | None:
    """A publish time as feeds and pages print it (None when unreadable)."""
    if text is None:
        return None
    s = re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip()
    if not s:
        return None
    if re.fullmatch(r"\d{10}(\d{3})?", s):
        ts = int(s[:10])
        return When(datetime.fromtimestamp(ts, TZ), "second")
    m = _ISO.match(s)
    if m:
        return _build(*m.groups())
    m = _RFC822.match(s)
    if m and m.group(2)[:3].lower() in _MONTHS:
        d, mon, y, hh, mm, ss, zone = m.groups()
        return _build(y, _MONTHS[mon[:3].lower()], d, hh, mm, ss, zone)
    m = _SLASH.match(s)
    if m:
        return _build(*m.groups(), None)
    m = _CN.match(s)
    if m:
        return _build(*m.groups(), None)
    return None


def from_timestamp(value) -> When | None:
    try:
        ts = int(value)
    except (TypeError, ValueError):
        return None
    if ts <= 0:
        return None
    if ts > 10**12:
        ts //= 1000
    return _safe(lambda: When(datetime.fromtimestamp(ts, TZ), "second"))
