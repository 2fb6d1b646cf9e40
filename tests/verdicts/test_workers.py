"""GOVMON_VERDICT_WORKERS: how many connections a verdict computation runs its checks on, and the order
the checks start in."""

from __future__ import annotations

from pathlib import Path

import pytest

from govmon.verdicts.checks import Check
from govmon.verdicts.compute import _longest_first, _workers


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


def _checks(*names):
    return [Check(Path(f"{n}.sql"), "X", "site" if n.startswith("w") else "account") for n in names]


def test_checks_start_longest_first_by_their_last_timings():
    checks = _checks("m_a", "w_b", "w_c", "m_d")
    order = _longest_first(checks, {"m_a": 3.0, "w_b": 0.5, "w_c": 1.2, "m_d": 3.0})
    assert [c.name for _, c in order] == ["m_a", "m_d", "w_c", "w_b"]  # ties by name
    assert [i for i, _ in order] == [0, 3, 2, 1]  # each keeps its index (its leaf's name)


def test_a_check_never_timed_goes_first_and_without_history_site_checks_lead():
    checks = _checks("m_a", "w_b", "w_c", "m_d")
    assert [c.name for _, c in _longest_first(checks, {"m_a": 3.0, "w_b": 0.5, "m_d": 1.0})] == \
        ["w_c", "m_a", "m_d", "w_b"]
    assert [c.name for _, c in _longest_first(checks, {})] == ["w_b", "w_c", "m_a", "m_d"]
