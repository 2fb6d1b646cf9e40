"""Postgres side of the probes: what to probe, and loading results (COPY) idempotently.

A round's rows are replaced as a whole: the round row is upserted, its probes deleted and copied
again, in the caller's transaction, after the month partitions they fall in exist.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from govmon.probe.prober import ProbeResult, Target

PROBE_COLUMNS = ("round_id", "site_id", "probed_at", "url", "ok", "status_code", "latency_ms", "bytes", "final_url",
                 "redirects", "error_class", "error_detail", "body_sha256")


@dataclass
class RoundRow:
    round_id: str
    source: str                      # 'probe' | 'import'
    started_at: dt.datetime
    finished_at: dt.datetime | None
    host: str | None = None
    profile: str | None = None
    timeout_seconds: float | None = None
    concurrency: int | None = None
    sites: int = 0
    ok_count: int = 0
    fail_count: int = 0
    blocked_count: int = 0
    control_url: str | None = None
    control_ok: bool | None = None
    control: list[dict] = field(default_factory=list)
    file_name: str | None = None


def inspected_targets(cur) -> list[Target]:
    """Every inspected site (运行, listed in the latest registry file), in registry order."""
    cur.execute("select site_id, url, site_code, name from registry.inspected_sites order by site_id")
    return [Target(site_id=r[0], url=r[1], site_code=r[2], name=r[3]) for r in cur.fetchall()]


def previous_latencies(cur) -> dict[int, int]:
    """Latency (ms) of each site in the latest round we probed ourselves (timeouts: the timeout)."""
    cur.execute(
        """
        select p.site_id, coalesce(p.latency_ms, 0)
        from raw.probe__probes as p
        where p.round_id = (select round_id from raw.probe__rounds where source = 'probe'
                            order by started_at desc limit 1)
        """
    )
    return dict(cur.fetchall())


def order_targets(targets: Iterable[Target], previous: dict[int, int]) -> list[Target]:
    """Slowest first (longest-processing-time order): sites never probed, then by the previous
    round's latency, descending. A site that hung last time starts its timeout clock at once
    instead of at the end of the round, so the round ends close to one timeout after it starts."""
    targets = list(targets)
    return sorted(targets, key=lambda t: (t.site_id in previous, -previous.get(t.site_id, 0)))


def ensure_partitions(cur, timestamps: Iterable[dt.datetime]) -> None:
    ts = [t for t in timestamps if t is not None]
    if ts:
        cur.execute("select raw.ensure_probe_partitions(%s, %s)", (min(ts), max(ts)))


def _csv_value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, str) and v == "":
        return None
    return v


def probes_csv(round_id: str, results: Iterable[ProbeResult]) -> io.StringIO:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in results:
        w.writerow([_csv_value(v) for v in (
            round_id, r.site_id, r.probed_at, r.url, r.ok, r.status_code, r.latency_ms, r.bytes, r.final_url,
            r.redirects, r.error_class, r.error_detail, r.body_sha256)])
    buf.seek(0)
    return buf


def copy_probes(cur, table: str, buf: io.StringIO) -> None:
    cur.copy_expert(f"copy {table} ({', '.join(PROBE_COLUMNS)}) from stdin with (format csv)", buf)


def upsert_round(cur, row: RoundRow) -> None:
    cur.execute(
        """
        insert into raw.probe__rounds (round_id, source, started_at, finished_at, host, profile, timeout_seconds,
            concurrency, sites, ok_count, fail_count, blocked_count, control_url, control_ok, control, file_name)
        values (%(round_id)s, %(source)s, %(started_at)s, %(finished_at)s, %(host)s, %(profile)s, %(timeout_seconds)s,
            %(concurrency)s, %(sites)s, %(ok_count)s, %(fail_count)s, %(blocked_count)s, %(control_url)s,
            %(control_ok)s, %(control)s, %(file_name)s)
        on conflict (round_id) do update set
            source = excluded.source, started_at = excluded.started_at, finished_at = excluded.finished_at,
            host = excluded.host, profile = excluded.profile, timeout_seconds = excluded.timeout_seconds,
            concurrency = excluded.concurrency, sites = excluded.sites, ok_count = excluded.ok_count,
            fail_count = excluded.fail_count, blocked_count = excluded.blocked_count,
            control_url = excluded.control_url, control_ok = excluded.control_ok, control = excluded.control,
            file_name = excluded.file_name, loaded_at = now()
        """,
        {**row.__dict__, "control": json.dumps(row.control, ensure_ascii=False)},
    )


def load_round(cur, row: RoundRow, results: list[ProbeResult]) -> None:
    """Replace the round's rows: upsert the round, delete its probes, COPY the new ones."""
    ensure_partitions(cur, [r.probed_at for r in results])
    upsert_round(cur, row)
    cur.execute("delete from raw.probe__probes where round_id = %s", (row.round_id,))
    copy_probes(cur, "raw.probe__probes", probes_csv(row.round_id, results))
