"""Time handling for the sandbox world: the anchor, item timestamps and the date formats real
sites and platforms print.

All content dates are "anchor minus N days" in Asia/Shanghai. An item N whole days old lies on
the calendar date ``anchor.date() - N days``, a few seconds to three hours earlier in the day than
the anchor's time of day, so it is strictly more than N days old and still on that date (unless
the anchor is exactly midnight).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

try:  # tzdata may be missing on minimal systems; China has had no DST since 1991.
    from zoneinfo import ZoneInfo

    TZ = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover
    TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

UTC = timezone.utc

# List-page / homepage date styles: canonical name -> aliases.
DATE_FORMATS = {
    "YYYY-MM-DD": ("ymd", "iso"),
    "[MM-DD]": ("bracket_md",),
    "YYYY年M月D日": ("cn", "chinese"),
    "YYYY/MM/DD HH:mm": ("slash_ymd_hm", "slash"),
    "MM-DD": ("md",),
}
_DATE_ALIASES = {alias: name for name, aliases in DATE_FORMATS.items() for alias in (name, *aliases)}

FEED_DATE_FORMATS = ("rfc822", "date_only_utc", "cn")
WEIBO_DATE_STYLES = ("relative", "rfc2822")

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_DURATION_UNITS = {"s": 1 / 86400, "m": 1 / 1440, "h": 1 / 24, "d": 1.0, "": 1.0}


def canonical_date_format(value: str) -> str | None:
    return _DATE_ALIASES.get(str(value).strip())


def parse_age_days(value) -> float:
    """An age: a number of days, or a string like "30s", "5m", "3h", "2d". Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("expected a number of days or a duration like '3h'")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("must not be negative")
        return float(value)
    m = _DURATION_RE.match(str(value))
    if not m:
        raise ValueError(f"bad duration {value!r} (use days, or e.g. '30s', '5m', '3h', '2d')")
    return float(m.group(1)) * _DURATION_UNITS[m.group(2)]


def parse_anchor(value) -> datetime | None:
    """None for ``now``; else an aware datetime in Asia/Shanghai. Raises ValueError."""
    if isinstance(value, str) and value.strip().lower() == "now":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day, 10, 0)
    elif isinstance(value, str):
        dt = datetime.fromisoformat(value.strip())
    else:
        raise ValueError("anchor must be an ISO 8601 timestamp or 'now'")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=TZ)
    return dt.astimezone(TZ).replace(microsecond=0)


def now_anchor() -> datetime:
    return datetime.now(TZ).replace(microsecond=0)


def item_time(anchor: datetime, age_days: float, jitter: int) -> datetime:
    """The timestamp of an item ``age_days`` old; ``jitter`` is any stable non-negative int."""
    base = (anchor - timedelta(days=age_days)).replace(microsecond=0)
    if age_days * 86400 < 60:
        return base  # "刚刚"
    since_midnight = base.hour * 3600 + base.minute * 60 + base.second
    # fresh items ("5分钟前", "3小时前") keep their age to the minute
    limit = min(59 if age_days < 1 else 3 * 3600, since_midnight)
    offset = 1 + jitter % limit if limit >= 1 else 0
    return base - timedelta(seconds=offset)


def fmt_list_date(dt: datetime, style: str) -> str:
    if style == "YYYY-MM-DD":
        return f"{dt:%Y-%m-%d}"
    if style == "[MM-DD]":
        return f"[{dt:%m-%d}]"
    if style == "YYYY年M月D日":
        return f"{dt.year}年{dt.month}月{dt.day}日"
    if style == "YYYY/MM/DD HH:mm":
        return f"{dt:%Y/%m/%d %H:%M}"
    if style == "MM-DD":
        return f"{dt:%m-%d}"
    raise ValueError(style)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc822(dt: datetime) -> str:
    """``Mon, 19 Feb 2024 10:20:00 +0800`` (in the datetime's own offset)."""
    off = dt.utcoffset() or timedelta(0)
    sign = "+" if off >= timedelta(0) else "-"
    minutes = abs(int(off.total_seconds())) // 60
    return (f"{_WEEKDAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year} "
            f"{dt:%H:%M:%S} {sign}{minutes // 60:02d}{minutes % 60:02d}")


def weibo_rfc2822(dt: datetime) -> str:
    """``Sat Feb 19 10:20:00 +0800 2024`` as the Weibo APIs print it."""
    return f"{_WEEKDAYS[dt.weekday()]} {_MONTHS[dt.month - 1]} {dt.day:02d} {dt:%H:%M:%S} +0800 {dt.year}"


def feed_date(dt: datetime, style: str) -> str:
    local = dt.astimezone(TZ)
    if style == "rfc822":
        return rfc822(local)
    if style == "date_only_utc":
        # real bridges: the local date at midnight, mislabelled as UTC
        return rfc822(datetime(local.year, local.month, local.day, tzinfo=UTC))
    if style == "cn":
        return f"{local.year}-{local.month}-{local.day} {local.hour}:{local:%M:%S}"
    raise ValueError(style)


def weibo_created_at(dt: datetime, anchor: datetime, style: str = "relative") -> str:
    """``created_at`` as m.weibo.cn prints it, relative to the anchor (the sandbox's "now")."""
    if style == "rfc2822":
        return weibo_rfc2822(dt.astimezone(TZ))
    dt = dt.astimezone(TZ)
    delta = (anchor - dt).total_seconds()
    if delta < 60:
        return "刚刚"
    if delta < 3600:
        return f"{int(delta // 60)}分钟前"
    if delta < 86400:
        return f"{int(delta // 3600)}小时前"
    if dt.date() == anchor.date() - timedelta(days=1):
        return f"昨天 {dt:%H:%M}"
    if dt.year == anchor.year:
        return f"{dt:%m-%d}"
    return f"{dt:%Y-%m-%d}"


def iso(dt: datetime) -> str:
    return dt.isoformat()
