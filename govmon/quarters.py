"""Quarters: ``2024Q1`` ↔ dates, the 监测时间点 (as-of), and the quarter an Airflow run is for.

Times are Asia/Shanghai. A quarter runs from its first day 00:00 to the first day of the next
quarter 00:00 (exclusive); its default 监测时间点 is the last instant of the quarter, or now if that
is still in the future (CONTRACT.md §2 ``--as-of``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
_Q = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")


class QuarterError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        m = _Q.match(text.strip())
        if not m:
            raise QuarterError(f"季度格式应为 2024Q1，实为“{text}”")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def containing(cls, when: dt.datetime | dt.date) -> "Quarter":
        if isinstance(when, dt.datetime):
            when = when.astimezone(TZ).date() if when.tzinfo else when.date()
        return cls(when.year, (when.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label(self) -> str:
        """As a 通报 writes it: 2024年第一季度."""
        return f"{self.year}年第{'一二三四'[self.q - 1]}季度"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, 3 * self.q - 2, 1, tzinfo=TZ)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: the first instant of the next quarter."""
        return self.next().start

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.q == 4), self.q % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.q == 1), (self.q - 2) % 4 + 1)

    def default_as_of(self, now: dt.datetime | None = None) -> dt.datetime:
        now = now or dt.datetime.now(TZ)
        last = self.end - dt.timedelta(microseconds=1)
        return min(last, now.astimezone(TZ))


def closed_quarter(logical_date: dt.datetime) -> Quarter:
    """The quarter that had just closed when a run triggered at ``logical_date`` (Airflow 3's cron
    timetable makes the logical date the trigger time, so this is derived explicitly)."""
    return Quarter.containing(logical_date).previous()


def parse_as_of(text: str | None, quarter: Quarter, now: dt.datetime | None = None) -> dt.datetime:
    if not text:
        return quarter.default_as_of(now)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise QuarterError(f"--as-of 应为 ISO 时间（如 2024-03-31T23:59:59+08:00），实为“{text}”") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value
