"""Compute a quarter's verdicts: run every check, queue what needs review, roll up, publish.

A run is identified by (quarter, kind, as_of, profile name, profile version): computing the same
again replaces that run's results in place (idempotent), while a 复核 (``kind='recheck'``) or a
different 监测时间点 makes a new run beside the earlier ones, kept for comparison. Publishing swaps
the quarter's pointer (``verdicts.published``) to a run in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path


from govmon import config, db, pgcluster
from govmon.profiles import Profile, load_profile
from govmon.quarters import TZ, Quarter
from govmon.verdicts.checks import Check, LeafStats, build_check_leaf, discover_checks

ROLLUP_SQL = config.sql_dir() / "verdicts" / "rollup_quarterly_verdicts.sql"
_LOCK_KEY = 0x60F3_0006

ENTITY_COLUMNS = ("run_id, entity_type, entity_id, name, code, region_code, organizer, kind, platform, "
                  "account_type, url")
VERDICT_COLUMNS = ("run_id, entity_type, entity_id, verdict, score, problems, vetoes, unknown_reasons, "
                   "pending_review, unverified")

# the registry as this run judges it
SNAPSHOT_ENTITIES_SQL = """
select %(run_id)s::bigint as run_id, 'site'::text as entity_type, site_id as entity_id, name, site_code as code,
       region_code, organizer, kind, null::text as platform, null::text as account_type, url
from registry.inspected_sites
union all
select %(run_id)s, 'account', account_id, name, platform || ':' || coalesce(platform_account_id, name),
       region_code, organizer, null, platform, account_type, feed_url
from registry.inspected_accounts
"""


@dataclass
class ComputeResult:
    run_id: int
    quarter: str
    as_of: dt.datetime
    profile: str
    checks: list[str]
    counts: dict[str, dict[str, int]]  # entity_type → verdict → count
    published: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # phase or check name → seconds

    def summary(self) -> list[str]:
        lines = [f"{self.quarter}（监测时间点 {self.as_of.astimezone(TZ).strftime('%Y-%m-%d %H:%M')}，"
                 f"检查方案 {self.profile}，{len(self.checks)} 项检查，运行号 {self.run_id}）"]
        for et, label in (("site", "网站"), ("account", "政务新媒体")):
            c = self.counts.get(et, {})
            total = sum(c.values())
            ok = c.get("合格", 0)
            rate = f"{100 * ok / total:.1f}%" if total else "—"
            lines.append(f"{label} {total} 个：合格 {ok}，不合格 {c.get('不合格', 0)}，无法判定 {c.get('无法判定', 0)}，"
                         f"待审核 {c.get('待审核', 0)}；合格率 {rate}")
        return lines


def compute(quarter: Quarter | str, *, as_of: dt.datetime, profile: Profile | str | None = None,
            kind: str = "scheduled", publish: bool = True, url: str | None = None,
            checks_dir: Path | None = None, workers: int | None = None) -> ComputeResult:
    """Compute (and by default publish) a quarter's verdicts.

    One transaction writes the run: it creates or resets the run, and exports its snapshot. The
    checks then run concurrently on ``workers`` connections (``GOVMON_VERDICT_WORKERS``, default 2)
    that all import that snapshot, so every check and the registry snapshot see the same data; each
    builds its results as a table shaped as a leaf partition of ``verdicts.check_results``,
    validated and indexed there (:func:`build_check_leaf`), the registry snapshot likewise for
    ``verdicts.run_entities``, and every entity's verdict as the roll-up gives it when nothing is
    found for ``verdicts.run_verdicts``. The transaction then attaches them as the run's partitions
    (dropping the run's earlier ones, if any: nothing is copied), queues what needs review, rolls up
    the entities with a finding over their verdicts (:func:`_rollup_findings`), publishes and
    commits: nothing of a failed computation is visible, and whatever the workers built for it is
    dropped."""
    quarter = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    checks = discover_checks(checks_dir)
    url = url or pgcluster.resolve_url()
    workers = max(1, workers or _workers())
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = now - clock
        clock = now

    conn = db.connect(url)
    run_id = None
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            _session_settings(cur)
            cur.execute(
                """
                insert into verdicts.runs (quarter, as_of, kind, profile_name, profile_version, profile, unverified, checks)
                values (%s, %s, %s, %s, %s, %s, %s, %s)
                on conflict (quarter, kind, as_of, profile_name, profile_version) do update
                    set profile = excluded.profile, unverified = excluded.unverified, checks = excluded.checks,
                        status = 'computing', computed_at = null
                returning run_id, txid_current()
                """,
                (str(quarter), as_of, kind, profile.name, profile.version, json.dumps(profile.values, ensure_ascii=False),
                 list(profile.unverified), [c.name for c in checks]),
            )
            run_id, attempt = cur.fetchone()
            expected = _expected_seconds(cur)  # before this run's own timings are cleared
            # (its earlier check results, registry snapshot and verdicts are partitions, replaced whole)
            cur.execute("delete from verdicts.run_checks where run_id = %s", (run_id,))
            _drop_scratch(cur, run_id)  # left by a computation of this run that was killed
            cur.execute("select pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            lap("start")
            name = f"cr{run_id}_{attempt}"
            pass_score = profile.get("scoring.pass_score")
            built = _build_concurrently(url, snapshot, run_id, name, checks, profile, as_of, workers, timings,
                                        expected, pass_score)
            lap("checks")
            _attach(cur, run_id, name, checks, built, timings)
            lap("attach")
            _queue_reviews(cur, run_id, str(quarter))
            lap("review queue")
            _rollup_findings(cur, run_id, name, pass_score)
            lap("roll-up")
            cur.execute("update verdicts.runs set status = 'computed', computed_at = now() where run_id = %s", (run_id,))
            if publish:
                _publish(cur, run_id)
            counts = _counts(cur, run_id)
            lap("publish")
        lap("commit")
    finally:
        conn.close()
        if run_id is not None:
            with db.transaction(url) as cur:  # after a failure: what the workers committed
                _drop_scratch(cur, run_id)
    return ComputeResult(run_id, str(quarter), as_of, profile.label, [c.name for c in checks], counts, publish,
                         timings)


def _workers() -> int:
    value = os.environ.get("GOVMON_VERDICT_WORKERS", "").strip()
    if not value:
        return 2
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"GOVMON_VERDICT_WORKERS 应为正整数，而不是 {value!r}")
    return int(value)


def _drop_scratch(cur, run_id: int) -> None:
    """Tables a computation of this run built in ``verdicts_scratch`` and did not attach."""
    cur.execute("select format('%%I.%%I', schemaname, tablename) from pg_tables "
                "where schemaname = 'verdicts_scratch' and starts_with(tablename, %s)", (f"cr{run_id}_",))
    for (table,) in cur.fetchall():
        cur.execute(f"drop table if exists {table}")


def _leaf(name: str, index: int) -> str:
    return f"{name}_{index:03d}"


def _build_concurrently(url: str, snapshot: str, run_id: int, name: str, checks: list[Check], profile: Profile,
                        as_of: dt.datetime, workers: int, timings: dict[str, float],
                        expected: dict[str, float], pass_score) -> dict[str, LeafStats]:
    """Every check as a leaf table ``verdicts_scratch.<name>_<nnn>``, the registry snapshot as
    ``verdicts_scratch.<name>_entities`` (:func:`_build_entities`) and the verdicts the roll-up gives
    when nothing is found as ``verdicts_scratch.<name>_verdicts`` (:func:`_build_verdict_defaults`),
    on ``workers`` connections sharing the exported snapshot: those two first, then the checks
    longest first by ``expected`` seconds. Returns each check's :class:`LeafStats`."""
    built: dict[str, LeafStats] = {}

    def entities(cur) -> None:
        _build_entities(cur, f"verdicts_scratch.{name}_entities", run_id)

    def verdict_defaults(cur) -> None:
        _build_verdict_defaults(cur, f"verdicts_scratch.{name}_verdicts", run_id, pass_score)

    def check_leaf(cur, index: int, check: Check) -> None:
        built[check.name] = build_check_leaf(cur, check, profile=profile, as_of=as_of, run_id=run_id,
                                             table=f"verdicts_scratch.{_leaf(name, index)}")

    def task(label: str, work) -> None:
        started = time.monotonic()
        conn = db.connect(url)
        try:
            conn.set_session(isolation_level="REPEATABLE READ")
            with conn, conn.cursor() as cur:
                cur.execute("set transaction snapshot %s", (snapshot,))
                _session_settings(cur)
                work(cur)
        finally:
            conn.close()
        timings[label] = time.monotonic() - started

    # the two quick ones first; then the checks longest first, so that the workers end together
    order = _longest_first(checks, expected)
    jobs = [("entities", entities), ("verdict defaults", verdict_defaults)]
    jobs += [(c.name, lambda cur, i=i, c=c: check_leaf(cur, i, c)) for i, c in order]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="govmon-check") as pool:
        futures = [pool.submit(task, label, work) for label, work in jobs]
        try:
            wait(futures, return_when=FIRST_EXCEPTION)
        finally:
            for future in futures:  # after a failure, start nothing more; what runs ends on its own
                future.cancel()
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()
    return built


def _build_entities(cur, table: str, run_id: int) -> None:
    """The registry as this run judges it, as a table shaped as the run's partition of
    ``verdicts.run_entities``: its rows, its keys built once, a constraint naming the run (so
    attaching it reads no row) and its statistics (the roll-up joins it; on a table the planner
    believes empty, its joins would loop row by row)."""
    cur.execute(f"drop table if exists {table}")
    cur.execute(f"create table {table} (like verdicts.run_entities including defaults including constraints, "
                f"check (run_id = %(run_id)s)) with (autovacuum_enabled = false)", {"run_id": run_id})
    cur.execute(f"insert into {table} ({ENTITY_COLUMNS}) {SNAPSHOT_ENTITIES_SQL}", {"run_id": run_id})
    cur.execute(f"alter table {table} add primary key (run_id, entity_type, entity_id)")
    cur.execute(f"create index on {table} (run_id, region_code)")
    cur.execute(f"analyze {table}")


def _build_verdict_defaults(cur, table: str, run_id: int, pass_score) -> None:
    """Every entity's verdict as the roll-up gives it when no check finds anything (its 'defaults'
    phase), as a table shaped as the run's partition of ``verdicts.run_verdicts``, with its key. After
    the checks, :func:`_rollup_findings` writes the entities with a finding over it."""
    cur.execute(f"drop table if exists {table}")
    cur.execute(f"create table {table} (like verdicts.run_verdicts including defaults including constraints, "
                f"check (run_id = %(run_id)s)) with (autovacuum_enabled = false)", {"run_id": run_id})
    cur.execute(_insert_verdicts(table), {"run_id": run_id, "pass_score": pass_score, "phase": "defaults"})
    cur.execute(f"alter table {table} add primary key (run_id, entity_type, entity_id)")


def _expected_seconds(cur) -> dict[str, float]:
    """How long each check took the last time it was computed (``verdicts.run_checks``)."""
    cur.execute("select distinct on (check_name) check_name, seconds from verdicts.run_checks "
                "where seconds is not null order by check_name, run_id desc")
    return {name: float(seconds) for name, seconds in cur.fetchall()}


def _longest_first(checks: list[Check], expected: dict[str, float]) -> list[tuple[int, Check]]:
    """The order to start the checks in: longest first (the classic schedule that lets parallel
    workers end together), by the seconds each took last time. A check never timed yet goes first, as
    it may be long; without any history, the site checks (the probes and list items they read are
    the largest inputs) before the account checks. Ties by name, so the order is stable."""
    return sorted(enumerate(checks), key=lambda ic: (-expected.get(ic[1].name, float("inf")),
                                                     ic[1].entity != "site", ic[1].name))


def _attach(cur, run_id: int, name: str, checks: list[Check], built: dict[str, LeafStats],
            timings: dict[str, float]) -> None:
    """The checks' leaves become the run's partition of ``verdicts.check_results``, and the registry
    snapshot its partition of ``verdicts.run_entities``, each in place of the run's earlier one.
    Every table carries a constraint naming its run (and check), so attaching reads no row; dropping
    an earlier partition locks its parent table until commit. The workers built the tables with
    autovacuum off: committed while other checks still ran, each would otherwise be vacuumed and
    analyzed beside them (a table of 140,000 fresh rows crosses autovacuum's insert threshold),
    taking a core from the checks. It is turned on here, so that it runs after the commit."""
    cur.execute(f"create table verdicts_parts.{name} (like verdicts.check_results including defaults "
                f"including constraints including indexes) partition by list (check_name)")
    for index, check in enumerate(checks):
        leaf = _leaf(name, index)
        cur.execute(f"alter table verdicts_scratch.{leaf} reset (autovacuum_enabled)")
        cur.execute(f"alter table verdicts_scratch.{leaf} set schema verdicts_parts")
        cur.execute(f"alter table verdicts_parts.{name} attach partition verdicts_parts.{leaf} for values in (%s)",
                    (check.name,))
    _swap_run_partition(cur, "verdicts.check_results", run_id, f"verdicts_parts.{name}")
    _attach_built(cur, "verdicts.run_entities", run_id, f"{name}_entities")
    cur.executemany(
        "insert into verdicts.run_checks (run_id, check_name, indicator, entity_type, rows, covers_all, seconds) "
        "values (%s, %s, %s, %s, %s, %s, %s)",
        [(run_id, c.name, c.indicator, c.entity, built[c.name].rows, built[c.name].covers_all,
          round(timings.get(c.name, 0), 3)) for c in checks])


def _attach_built(cur, parent: str, run_id: int, table: str) -> None:
    """A table a worker built (``verdicts_scratch.<table>``) becomes the run's partition of ``parent``:
    autovacuum on again, moved to ``verdicts_parts``, swapped in for the run's earlier one."""
    cur.execute(f"alter table verdicts_scratch.{table} reset (autovacuum_enabled)")
    cur.execute(f"alter table verdicts_scratch.{table} set schema verdicts_parts")
    _swap_run_partition(cur, parent, run_id, f"verdicts_parts.{table}")


def _swap_run_partition(cur, parent: str, run_id: int, table: str) -> None:
    """``table`` becomes the run's partition of ``parent`` (partitioned by run), in place of the
    run's earlier one, if any."""
    cur.execute("select partition::text from verdicts.run_partitions(%s, %s) where level = 1", (run_id, parent))
    for (earlier,) in cur.fetchall():
        cur.execute(f"drop table {earlier}")
    cur.execute(f"alter table {parent} attach partition {table} for values in (%s)", (run_id,))


def _session_settings(cur) -> None:
    """Settings for this transaction only (``set local``), for a few large aggregates over a quarter:
    memory enough to hash and sort them in memory (``GOVMON_VERDICT_WORK_MEM``, default 256MB; the
    server's default of 4MB sends them to disk), and no JIT, whose compile time costs more than it
    saves on these one-pass queries (measured with bench/verdicts_national.py)."""
    work_mem = os.environ.get("GOVMON_VERDICT_WORK_MEM", "256MB").strip() or "256MB"
    cur.execute("select set_config('work_mem', %s, true), set_config('jit', 'off', true)", (work_mem,))


def _insert_verdicts(table: str) -> str:
    """The roll-up's rows inserted into ``table`` (params: run_id, pass_score, phase)."""
    return f"insert into {table} ({VERDICT_COLUMNS}) {ROLLUP_SQL.read_text(encoding='utf-8')}"


def _rollup(cur, run_id: int, pass_score) -> None:
    """Every verdict of the run again, from its results and the review decisions."""
    cur.execute("delete from verdicts.run_verdicts where run_id = %s", (run_id,))
    cur.execute(_insert_verdicts("verdicts.run_verdicts"), {"run_id": run_id, "pass_score": pass_score, "phase": "all"})


def _rollup_findings(cur, run_id: int, name: str, pass_score) -> None:
    """The roll-up of the entities whose verdict the checks (or the reviewers) can have changed,
    written over their rows in the run's verdicts built beside the checks
    (``verdicts_scratch.<name>_verdicts``), which then become the run's partition of
    ``verdicts.run_verdicts`` in place of its earlier one."""
    cur.execute(
        _insert_verdicts(f"verdicts_scratch.{name}_verdicts") + """
        on conflict (run_id, entity_type, entity_id) do update set
            verdict = excluded.verdict, score = excluded.score, problems = excluded.problems,
            vetoes = excluded.vetoes, unknown_reasons = excluded.unknown_reasons,
            pending_review = excluded.pending_review, unverified = excluded.unverified
        """,
        {"run_id": run_id, "pass_score": pass_score, "phase": "findings"})
    _attach_built(cur, "verdicts.run_verdicts", run_id, f"{name}_verdicts")


def rollup_published(cur, quarter: str) -> int | None:
    """Re-apply the roll-up to a quarter's published run (after review decisions changed).
    The checks are not re-run; returns the run id, or None when nothing is published."""
    cur.execute("select p.run_id, r.profile -> 'scoring' ->> 'pass_score' from verdicts.published p "
                "join verdicts.runs r using (run_id) where p.quarter = %s", (quarter,))
    row = cur.fetchone()
    if row is None:
        return None
    _rollup(cur, row[0], float(row[1]))
    return row[0]


def _queue_reviews(cur, run_id: int, quarter: str) -> None:
    """Findings a machine can only suspect go to the review queue (once per entity and indicator)."""
    cur.execute(
        """
        insert into verdicts.review_items (quarter, entity_type, entity_id, indicator, problem, source, evidence)
        select distinct on (entity_type, entity_id, indicator)
               %s, entity_type, entity_id, indicator, problem, 'machine', evidence
        from verdicts.check_results
        where run_id = %s and status = 'review'
        order by entity_type, entity_id, indicator, check_name
        on conflict (quarter, entity_type, entity_id, indicator) do update
            set problem = excluded.problem, evidence = excluded.evidence
        """,
        (quarter, run_id),
    )


def _publish(cur, run_id: int) -> None:
    cur.execute(
        """
        insert into verdicts.published (quarter, run_id)
        select quarter, run_id from verdicts.runs where run_id = %s
        on conflict (quarter) do update set run_id = excluded.run_id, published_at = now()
        """,
        (run_id,),
    )
    cur.execute("update verdicts.runs set status = 'published', published_at = now() where run_id = %s", (run_id,))


def publish(run_id: int, url: str | None = None) -> None:
    with db.transaction(url) as cur:
        cur.execute("select status from verdicts.runs where run_id = %s", (run_id,))
        row = cur.fetchone()
        if row is None or row[0] == "computing":
            raise ValueError(f"运行 {run_id} 不存在或尚未计算完成，不能发布")
        _publish(cur, run_id)


def _counts(cur, run_id: int) -> dict[str, dict[str, int]]:
    cur.execute("select entity_type, verdict, count(*) from verdicts.run_verdicts where run_id = %s "
                "group by 1, 2", (run_id,))
    out: dict[str, dict[str, int]] = {}
    for et, verdict, n in cur.fetchall():
        out.setdefault(et, {})[verdict] = n
    return out
