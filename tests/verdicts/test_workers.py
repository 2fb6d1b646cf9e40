"""GOVMON_VERDICT_WORKERS: how many connections a verdict computation runs its checks on."""

from __future__ import annotations

import pytest

from govmon.verdicts.compute import _workers


@pytest.mark.parametrize("value, expected", [(None, 2), ("", 2), ("1", 1), (" 4 ", 4)])
def test_worker_count(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("GOVMON_VERDICT_WORKERS", raising=False)
    else:
        monkeypatch.setenv("GOVMON_VERDICT_WORKERS", value)
    assert _workers() == expected


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_worker_count_that_is_not_a_positive_integer_is_refused(monkeypatch, value):
    monkeypatch.setenv("GOVMON_VERDICT_WORKERS", value)
    with pytest.raises(ValueError, match="GOVMON_VERDICT_WORKERS 应为正整数"):
        _workers()
