"""Who sees which rows: Superset roles, row-level security clauses and viewer logins per region.

Pure planning from ``registry.regions`` rows (standard library only; applied inside Superset by
:mod:`govmon.dashboards.superset_tasks`). The model:

- one **level role** per 行政区划 level (省级查看, 地市查看, 区县查看): read access to the
  dashboards and their datasets, the same permissions at every level;
- one **region role** per region (``区划 369921 东湖县``) that carries nothing but a row-level
  security filter on every govmon dataset: a county sees ``region_code = '369921'``, a prefecture
  ``prefecture_code = '369900'`` (itself and all its counties), a province every code starting
  with its two digits. Every dataset therefore has ``region_code`` and ``prefecture_code``;
- a **base filter** ``1 = 0`` on every govmon dataset for everyone except Admin and the region
  roles: a user given a level role but no region sees no rows (fail closed);
- one **viewer login** per region, ``viewer_<code>``, with its level role and region role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVEL_ROLES = {"province": "省级查看", "prefecture": "地市查看", "county": "区县查看"}
LEVEL_LABELS = {"province": "省级", "prefecture": "地市", "county": "区县"}
RLS_GROUP_KEY = "govmon_region"
BASE_FILTER_NAME = "govmon 未分配区划不可见"
BASE_FILTER_CLAUSE = "1 = 0"
# roles that see every row besides the region roles (Superset's Admin)
UNFILTERED_ROLES = ("Admin",)
# on top of Gamma's: drill to detail (samples) and filter values, which the RLS filters apply to too
VIEWER_EXTRA_PERMISSIONS = (("can_samples", "Datasource"), ("can_get_column_values", "Datasource"),
                            ("can_get_drill_info", "Dataset"))
# the columns every govmon dataset must have for the clauses below
RLS_COLUMNS = ("region_code", "prefecture_code")

_CODE = re.compile(r"^[0-9]{6}$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str              # province | prefecture | county
    parent_code: str | None = None


@dataclass(frozen=True)
class RegionAccess:
    region: Region
    role: str               # the region role, holding only the RLS filter
    level_role: str         # the level role, holding the permissions
    clause: str             # the RLS clause on every govmon dataset
    filter_name: str
    username: str

    @property
    def description(self) -> str:
        return f"{self.region.name}（{self.region.code}，{LEVEL_LABELS[self.region.level]}）只看本区划的行"


def level_of(code: str) -> str:
    """As registry.regions computes it: PP0000 province, PPCC00 prefecture, else county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def clause_for(code: str, level: str | None = None) -> str:
    if not _CODE.match(code):
        raise ValueError(f"行政区划代码应为6位数字，实为“{code}”")
    level = level or level_of(code)
    if level == "county":
        return f"region_code = '{code}'"
    if level == "prefecture":
        return f"prefecture_code = '{code}'"
    if level == "province":
        return f"region_code like '{code[:2]}%'"
    raise ValueError(f"未知的区划级别：{level}")


def plan(regions: list[Region] | list[tuple]) -> list[RegionAccess]:
    """Roles, RLS clauses and logins for every region, ordered by code."""
    out = []
    for r in sorted((r if isinstance(r, Region) else Region(*r) for r in regions), key=lambda r: r.code):
        level = r.level or level_of(r.code)
        region = Region(r.code, r.name, level, r.parent_code)
        out.append(RegionAccess(
            region=region,
            role=f"区划 {r.code} {r.name}",
            level_role=LEVEL_ROLES[level],
            clause=clause_for(r.code, level),
            filter_name=f"区划 {r.code} {r.name}",
            username=f"viewer_{r.code}",
        ))
    return out


def visible(code: str, viewer_code: str) -> bool:
    """Would the viewer of ``viewer_code`` see a row of region ``code``? (What the clauses say.)"""
    level = level_of(viewer_code)
    if level == "county":
        return code == viewer_code
    if level == "prefecture":
        return code[:4] == viewer_code[:4]
    return code[:2] == viewer_code[:2]
