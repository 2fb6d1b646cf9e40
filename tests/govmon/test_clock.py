"""The pipeline's clock: the real one, or shifted for a simulated world."""

from __future__ import annotations

import datetime as dt

import pytest

from govmon import clock


def test_real_clock_by_default(monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    before = dt.datetime.now(dt.timezone.utc)
    assert before <= clock.now() <= dt.datetime.now(dt.timezone.utc)


def test_shifted_clock_for_a_world_anchored_in_the_past(monkeypatch):
    monkeypatch.setenv(clock.ENV, str(-86400 * 52.5))
    shifted = clock.now(dt.timezone(dt.timedelta(hours=8)))
    expected = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=52.5)
    assert abs((shifted - expected).total_seconds()) < 5 and shifted.utcoffset() == dt.timedelta(hours=8)


def test_a_bad_offset_is_named(monkeypatch):
    monkeypatch.setenv(clock.ENV, "yesterday")
    with pytest.raises(ValueError, match="GOVMON_CLOCK_OFFSET_SECONDS"):
        clock.now()
