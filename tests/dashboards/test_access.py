"""Roles, RLS clauses and logins planned from registry.regions."""

from __future__ import annotations

import pytest

from govmon.dashboards import access

REGIONS = [("360000", "江西省", "province", None), ("369900", "鹰川市", "prefecture", "360000"),
           ("369921", "东湖县", "county", "369900"), ("369922", "西山县", "county", "369900"),
           ("368800", "邻州市", "prefecture", "360000")]


def test_plan():
    plan = {p.region.code: p for p in access.plan(REGIONS)}
    assert list(plan) == sorted(plan)
    assert plan["369921"].clause == "region_code = '369921'"
    assert plan["369900"].clause == "prefecture_code = '369900'"
    assert plan["360000"].clause == "region_code like '36%'"
    assert (plan["369921"].level_role, plan["369900"].level_role, plan["360000"].level_role) == ("区县查看", "地市查看", "省级查看")
    assert plan["369921"].role == "区划 369921 东湖县"
    assert plan["369921"].username == "viewer_369921"
    assert len({p.role for p in plan.values()}) == len(plan)


@pytest.mark.parametrize("row, viewer, seen", [
    ("369921", "369921", True),
    ("369922", "369921", False),
    ("369900", "369921", False),   # the county does not see the prefecture's own (市直) rows
    ("369921", "369900", True),    # the prefecture sees its counties
    ("369900", "369900", True),
    ("368821", "369900", False),   # but not the neighbour's
    ("368821", "360000", True),
    ("440100", "360000", False),
])
def test_visible(row, viewer, seen):
    assert access.visible(row, viewer) is seen


@pytest.mark.parametrize("code", ["36992", "36992x", "369921'; drop table x; --"])
def test_a_malformed_code_never_becomes_a_clause(code):
    with pytest.raises(ValueError):
        access.clause_for(code)


def test_level_of_matches_the_registry():
    assert [access.level_of(c) for c in ("360000", "369900", "369921")] == ["province", "prefecture", "county"]
