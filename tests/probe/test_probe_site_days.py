"""staging.stg_probe__site_days, the per site, day and class counts W-V2 reads: kept by triggers
through every way probes and rounds change, and W-V2 on it equal to W-V2 worked out probe by probe.

The oracle for the second is written here in Python from the rule as INDICATORS.md states it, not
from the check's SQL: random probes crowd the timeout (14 999 / 15 000 ms), lack latencies, come from
rounds whose control failed, are blocked, or give up early. With a timeout of 15 s every row is read
whole (the bands are 5 s); with 14.5 s, rows of the 10–15 s band straddle it and W-V2 reads those
days' probes.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import psycopg2
import pytest
import yaml
from probe_helpers import TZ, import_sites, wv2

from govmon.probe.prober import ProbeResult
from govmon.probe.store import RoundRow, load_round

SITES = [(f"鹰川市{i}局", f"36990002{i:02d}", f"http://127.10.2.{i}:18080/") for i in range(1, 7)]
AS_OF = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
WINDOW = [dt.date(2026, 9, 23) + dt.timedelta(days=i) for i in range(7)]
ERRORS = ["dns", "connect", "tls", "timeout", "http_5xx", "empty_body", "blocked", "other"]


def _table(cur) -> list[tuple]:
    cur.execute("select * from staging.stg_probe__site_days order by probe_day, site_id, outcome_class, latency_band")
    return cur.fetchall()


def _rebuilt(cur) -> list[tuple]:
    """What the table holds when computed again from every probe, in a transaction rolled back."""
    cur.execute("savepoint rebuild")
    cur.execute("select staging.rebuild_probe_site_days()")
    rows = _table(cur)
    cur.execute("rollback to savepoint rebuild")
    return rows


def _probe(site_id: int, at: dt.datetime, rng: random.Random) -> ProbeResult:
    kind = rng.random()
    latency = rng.choice([120, 14_400, 14_999, 15_000, 15_001, 30_000, 5_000, None])
    if kind < 0.7:
        return ProbeResult(site_id, "http://x/", at, True, 200, latency, 100, None, 0, None, None, None)
    error = rng.choice(ERRORS)
    return ProbeResult(site_id, "http://x/", at, False, 503 if error == "http_5xx" else None, latency, None, None, 0,
                       error, "x", None)


def _round(cur, n: int, ids: list[int], day: dt.date, rng: random.Random, control_ok) -> str:
    started = dt.datetime.combine(day, dt.time(0, 0), TZ) + dt.timedelta(minutes=9 * (n // 7) + rng.randrange(5))
    round_id = f"probe:test{n}"
    results = [_probe(site_id, started + dt.timedelta(seconds=i), rng) for i, site_id in enumerate(ids)]
    load_round(cur, RoundRow(round_id=round_id, source="probe", started_at=started, finished_at=started,
                             control_ok=control_ok), results)
    return round_id


def test_the_table_follows_every_change_to_probes_and_rounds(db_url, tmp_path):
    ids = list(import_sites(db_url, tmp_path, SITES).values())
    rng = random.Random(7)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        rounds = [_round(cur, n, ids, WINDOW[n % 7], rng, rng.choice([True, True, False, None])) for n in range(40)]
        assert _table(cur) == _rebuilt(cur) and len(_table(cur)) > 40
        # a round stored again (the same round id re-run): its probes deleted and copied anew
        _round(cur, 3, ids, WINDOW[3], rng, False)
        assert _table(cur) == _rebuilt(cur)
        # a round's control result changed on its own, then the round deleted
        cur.execute("update raw.probe__rounds set control_ok = not coalesce(control_ok, true) where round_id = any(%s)",
                    (rounds[5:9],))
        assert _table(cur) == _rebuilt(cur)
        cur.execute("delete from raw.probe__rounds where round_id = %s", (rounds[6],))
        assert _table(cur) == _rebuilt(cur)
        # probes moved to another day and made slow; some deleted
        cur.execute("update raw.probe__probes set probed_at = probed_at + interval '1 day', latency_ms = 15000 "
                    "where round_id = %s", (rounds[10],))
        assert _table(cur) == _rebuilt(cur)
        cur.execute("delete from raw.probe__probes where site_id = %s", (ids[0],))
        assert _table(cur) == _rebuilt(cur)
        assert not any(r[1] == ids[0] for r in _table(cur))
        cur.execute("truncate raw.probe__probes")
        assert _table(cur) == []


def _oracle(probes: list[tuple], control_failed: set[str], timeout_ms: int) -> dict[int, dict]:
    """W-V2's counts per site, probe by probe, from INDICATORS.md's rule."""
    out: dict[int, dict] = {}
    for round_id, site_id, at, ok, latency, error in probes:
        if at.astimezone(TZ).date() not in WINDOW:
            continue
        s = out.setdefault(site_id, {"probes": 0, "failures": 0, "blocked": 0, "control_failed": 0,
                                     "short_timeout": 0, "first": None, "last": None})
        if round_id in control_failed:
            s["control_failed"] += 1
            continue
        if error == "blocked":
            s["blocked"] += 1
            continue
        if error == "timeout" and latency is not None and latency < timeout_ms:
            s["short_timeout"] += 1  # a monitor that gave up before the rule's timeout proves nothing
            continue
        s["probes"] += 1
        if not ok or (latency is not None and latency >= timeout_ms):
            s["failures"] += 1
            s["first"] = min(s["first"] or at, at)
            s["last"] = max(s["last"] or at, at)
    return out


@pytest.mark.parametrize("timeout_s", [15, 14.5])
def test_wv2_on_the_table_equals_wv2_probe_by_probe(db_url, tmp_path, timeout_s):
    ids = list(import_sites(db_url, tmp_path, SITES).values())
    rng = random.Random(11)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        for n in range(7 * 22):
            _round(cur, n, ids, WINDOW[n % 7], rng, rng.choice([True] * 8 + [False, None]))
        cur.execute("select round_id from raw.probe__rounds where control_ok is false")
        control_failed = {r[0] for r in cur.fetchall()}
        cur.execute("select round_id, site_id, probed_at, ok, latency_ms, error_class from raw.probe__probes")
        probes = cur.fetchall()
        cur.execute("select count(*) from staging.stg_probe__site_days where outcome_class in ('ok', 'timeout') "
                    "and min_latency_ms < %(t)s and max_latency_ms >= %(t)s", {"t": math.ceil(timeout_s * 1000)})
        straddling = cur.fetchone()[0]
    # 15 s: no row straddles the timeout; 14.5 s: some do, and their days are read probe by probe
    assert (straddling > 5) if timeout_s == 14.5 else (straddling == 0)
    profile = tmp_path / "t.yaml"
    profile.write_text(yaml.safe_dump({"name": "t", "base": "national-2019",
                                       "availability": {"timeout_seconds": timeout_s}}))
    expected = _oracle(probes, control_failed, math.ceil(timeout_s * 1000))
    got = wv2(db_url, AS_OF, str(profile))
    assert set(got) == set(ids)
    for site_id in ids:
        e, ev = expected[site_id], got[site_id].evidence
        assert (ev["probes"], ev["failures"]) == (e["probes"], e["failures"]), site_id
        assert ev["not_counted"] == {k: e[k] for k in ("blocked", "control_failed", "short_timeout")}, site_id
        assert ev["first_failure_at"] == e["first"].astimezone(TZ).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        assert ev["last_failure_at"] == e["last"].astimezone(TZ).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        assert sum(ev["failures_by_class"].values()) == e["failures"]
        assert sum(d["probes"] for d in ev["daily"]) == e["probes"]
        if got[site_id].status != "pass":  # every failed probe listed, whether it opened too late or not at all
            assert len(ev["failed_probes"]) == e["failures"], site_id


def test_a_rebuild_writes_the_rows_in_day_order(db_url, tmp_path):
    """W-V2 reads a week of a quarter's rows: after a rebuild (a restore, or the migration that made
    the table) a day's rows lie together, in key order, as the rounds of a day leave them."""
    ids = list(import_sites(db_url, tmp_path, SITES).values())
    rng = random.Random(5)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        for n in range(60):  # rounds of the week's days, in no order
            _round(cur, n, ids, rng.choice(WINDOW), rng, True)
        cur.execute("select staging.rebuild_probe_site_days()")
        cur.execute("select probe_day, site_id, outcome_class, latency_band from staging.stg_probe__site_days "
                    "order by ctid")
        physical = cur.fetchall()
    assert len({r[0] for r in physical}) == 7 and physical == sorted(physical)
