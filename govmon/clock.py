"""The pipeline's clock: the time collectors stamp on what they observe.

It is the real clock, unless ``GOVMON_CLOCK_OFFSET_SECONDS`` shifts it. That is for a simulated
world whose "now" is not ours — the demo of a sandbox scenario anchored in the past (a quarter
rebuilt from a published 通报) sets it so that crawls, probe rounds and new-media collection
days fall where they would have fallen on that day. Production leaves it unset.
"""

from __future__ import annotations

import datetime as dt
import os

ENV = "GOVMON_CLOCK_OFFSET_SECONDS"


def offset() -> dt.timedelta:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return dt.timedelta(0)
    try:
        return dt.timedelta(seconds=float(value))
    except ValueError:
        raise ValueError(f"{ENV} 应为秒数（可为负数），而不是 {value!r}") from None


def now(tz: dt.tzinfo | None = dt.timezone.utc) -> dt.datetime:
    """The current time on the pipeline's clock, timezone-aware (UTC unless ``tz`` is given)."""
    return dt.datetime.now(tz) + offset()
