"""Run the SQL checks in ``sql/verdicts/checks/``.

A check is one SQL file, one indicator over one kind of entity. Its header names both::

    -- indicator: W-V2
    -- entity: site            (site | account)
    -- grain: one row per inspected site

and its SELECT returns exactly these columns, one row per inspected entity
(``registry.inspected_sites`` / ``registry.inspected_accounts``):

    entity_type  text     'site' | 'account'
    entity_id    bigint   registry.sites.site_id / registry.accounts.account_id
    indicator    text     the indicator id, as in INDICATORS.md (e.g. 'W-V2')
    status       text     'pass' | 'fail' | 'unknown' | 'review'
    problem      text     the 通报 words when it fails or needs review (e.g. '监测时间点无法访问'), else null
    reason       text     why it is unknown (or what needs review), else null
    evidence     jsonb    the URLs, dates and counts behind it

Parameters (psycopg2 named style): ``%(as_of)s`` (timestamptz, the 监测时间点), ``%(tz)s``
('Asia/Shanghai'), and every profile key flattened as ``%(section__key)s`` (e.g.
``%(availability__window_days)s``). No ``now()`` inside a check: windows count back from as_of.
Missing data is 'unknown' with its reason, never 'fail' ("no data" is not "not updated").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.errors

from govmon import config
from govmon.profiles import Profile

STATUSES = ("pass", "fail", "unknown", "review")
COLUMNS = ("entity_type", "entity_id", "indicator", "status", "problem", "reason", "evidence")
TZ = "Asia/Shanghai"
_HEADER = re.compile(r"^--\s*(indicator|entity|grain):\s*(.+?)\s*$", re.M)


class CheckError(RuntimeError):
    pass


def checks_dir() -> Path:
    return config.sql_dir() / "verdicts" / "checks"


@dataclass(frozen=True)
class Check:
    path: Path
    indicator: str
    entity: str

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def sql(self) -> str:
        """The query without its whole-line comments (psycopg2 would read a '%' in prose as a parameter)."""
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return "\n".join(line for line in lines if not line.lstrip().startswith("--"))


@dataclass(frozen=True)
class CheckResult:
    entity_type: str
    entity_id: int
    indicator: str
    status: str
    problem: str | None
    reason: str | None
    evidence: dict


def load_check(path: Path) -> Check:
    head = dict(_HEADER.findall(path.read_text(encoding="utf-8")))
    if "indicator" not in head or head.get("entity") not in ("site", "account"):
        raise CheckError(f"{path.name}: header must name '-- indicator: …' and '-- entity: site|account'")
    return Check(path, head["indicator"], head["entity"])


def discover_checks(directory: Path | None = None) -> list[Check]:
    return [load_check(p) for p in sorted((directory or checks_dir()).glob("*.sql"))]


def check_params(profile: Profile, as_of: dt.datetime) -> dict:
    if as_of.tzinfo is None:
        raise CheckError("as_of must be timezone-aware")
    return {"as_of": as_of, "tz": TZ, **profile.flat()}


def run_check(cur, check: Check, *, profile: Profile, as_of: dt.datetime) -> list[CheckResult]:
    """Run one check on an open cursor and validate its rows against the contract above."""
    cur.execute(check.sql, check_params(profile, as_of))
    names = tuple(d.name for d in cur.description)
    if names != COLUMNS:
        raise CheckError(f"{check.name}: columns {names} != {COLUMNS}")
    results = [CheckResult(*row) for row in cur.fetchall()]
    seen: set[int] = set()
    for r in results:
        if r.entity_type != check.entity or r.indicator != check.indicator:
            raise CheckError(f"{check.name}: row for {r.entity_type}/{r.indicator}, header says "
                             f"{check.entity}/{check.indicator}")
        if r.status not in STATUSES:
            raise CheckError(f"{check.name}: status {r.status!r} not in {STATUSES}")
        if r.entity_id in seen:
            raise CheckError(f"{check.name}: entity {r.entity_id} appears twice")
        if r.status in ("fail", "review") and not r.problem:
            raise CheckError(f"{check.name}: entity {r.entity_id} is {r.status} without a problem text")
        if r.status == "unknown" and not r.reason:
            raise CheckError(f"{check.name}: entity {r.entity_id} is unknown without a reason")
        seen.add(r.entity_id)
    return results


@dataclass(frozen=True)
class LeafStats:
    rows: int
    covers_all: bool  # a row for every inspected entity of the check's kind


_INSPECTED = {"site": ("registry.inspected_sites", "site_id"), "account": ("registry.inspected_accounts", "account_id")}


def build_check_leaf(cur, check: Check, *, profile: Profile, as_of: dt.datetime, table: str, run_id: int) -> LeafStats:
    """Run one check inside Postgres into a new table shaped as a leaf partition of
    ``verdicts.check_results`` (``table``, schema-qualified, for ``run_id``), and validate the same
    contract as :func:`run_check` there, in SQL (no round trip of its rows through Python): rows,
    then the primary key in one sorted build, so that attaching it copies nothing, and an index of
    the results that are not passes (what the roll-up and the review queue read).
    Raises :class:`CheckError`."""
    params = check_params(profile, as_of)
    cur.execute(f"select * from ({check.sql}) as q limit 0", params)
    names = tuple(d.name for d in cur.description)
    if names != COLUMNS:
        raise CheckError(f"{check.name}: columns {names} != {COLUMNS}")
    key = {"run_id": run_id, "check_name": check.name}
    cur.execute(f"drop table if exists {table}")
    # not autovacuumed while the computation runs (see compute._attach, which turns it on again)
    cur.execute(f"create table {table} (like verdicts.check_results including defaults including constraints, "
                f"check (run_id = %(run_id)s and check_name = %(check_name)s)) with (autovacuum_enabled = false)",
                key)
    try:
        cur.execute("savepoint leaf")
        cur.execute(
            f"""
            insert into {table} (run_id, check_name, entity_type, entity_id, indicator, status, problem, reason,
                                 evidence)
            select %(run_id)s, %(check_name)s, q.entity_type, q.entity_id, q.indicator, q.status, q.problem, q.reason,
                   coalesce(q.evidence, '{{}}'::jsonb)
            from ({check.sql}) as q
            """,
            {**params, **key},
        )
    except (psycopg2.errors.NotNullViolation, psycopg2.errors.CheckViolation) as exc:
        cur.execute("rollback to savepoint leaf")
        column = getattr(exc.diag, "column_name", None) or "status"
        raise CheckError(f"{check.name}: rows with a null {column} or a status not in {STATUSES}") from None
    cur.execute(
        f"""
        select count(*),
               count(*) filter (where entity_type <> %(entity)s or indicator <> %(indicator)s),
               count(*) filter (where status in ('fail', 'review') and coalesce(problem, '') = ''),
               count(*) filter (where status = 'unknown' and coalesce(reason, '') = '')
        from {table}
        """,
        {"entity": check.entity, "indicator": check.indicator},
    )
    total, wrong, no_problem, no_reason = cur.fetchone()
    for n, what in ((wrong, f"rows not {check.entity}/{check.indicator}"),
                    (no_problem, "fail/review rows without a problem text"),
                    (no_reason, "unknown rows without a reason")):
        if n:
            raise CheckError(f"{check.name}: {n} {what}")
    try:
        cur.execute("savepoint leaf_key")
        cur.execute(f"alter table {table} add primary key (run_id, check_name, entity_type, entity_id)")
    except psycopg2.errors.UniqueViolation:
        cur.execute("rollback to savepoint leaf_key")
        cur.execute(f"select count(*) - count(distinct entity_id) from {table}")
        raise CheckError(f"{check.name}: {cur.fetchone()[0]} entities appear twice") from None
    # what the roll-up and the review queue read: the few results that are not passes
    cur.execute(f"create index on {table} (entity_type, entity_id) where status <> 'pass'")
    inspected, id_column = _INSPECTED[check.entity]
    cur.execute(f"select count(*) from {inspected} as i "
                f"where not exists (select from {table} as t where t.entity_id = i.{id_column})")
    missing = cur.fetchone()[0]
    return LeafStats(total, missing == 0)
