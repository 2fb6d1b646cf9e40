"""The W-V2 check on exactly placed probes (loaded through ``govmon probe import``): the window's
edges, the ratio boundary, short days and the precedence of fail over 无法判定, what is not counted.

national-2019: 7 days, >= 20 probes a day, 15 s, fail at >= 5 %. as_of 2026-09-30 10:00 +08:00 →
window 2026-09-23 … 2026-09-29.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import psycopg2
import pytest
import yaml
from probe_helpers import TZ, import_sites, log_rows, write_log, wv2

from govmon import config
from govmon.probe.importer import import_probe_log

AS_OF = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
WINDOW = [dt.date(2026, 9, 23) + dt.timedelta(days=i) for i in range(7)]
SITES = [("鹰川市甲局", "3699000101", "http://127.10.1.1:18080/"), ("鹰川市乙局", "3699000102", "http://127.10.1.2:18080/"),
         ("鹰川市丙局", "3699000103", "http://127.10.1.3:18080/")]
A, B, C = (s[1] for s in SITES)


@pytest.fixture
def site_ids(db_url, tmp_path):
    return import_sites(db_url, tmp_path, SITES)


def _load(db_url, tmp_path, rows, name="log.csv"):
    return import_probe_log(write_log(tmp_path / name, rows), url=db_url)


def _week(code, per_day=20, failures_by_day=None, **kw):
    rows = []
    for i, day in enumerate(WINDOW):
        n = per_day[i] if isinstance(per_day, list) else per_day
        rows += log_rows(code, day, n, (failures_by_day or [0] * 7)[i], **kw)
    return rows


def test_exactly_five_percent_fails_and_just_below_passes(db_url, tmp_path, site_ids):
    rows = (_week(A, 20, [1, 1, 1, 1, 1, 1, 1])           # 7 of 140 = 5.00 % → fail (含 5 %)
            + _week(B, [20] * 6 + [21], [1] * 7)          # 7 of 141 = 4.96 % → pass
            + _week(C, 20, [0] * 7))
    _load(db_url, tmp_path, rows)
    r = wv2(db_url, AS_OF)
    a, b, c = r[site_ids[A]], r[site_ids[B]], r[site_ids[C]]
    assert (a.status, a.problem, a.evidence["probes"], a.evidence["failures"]) == ("fail", "监测时间点无法访问", 140, 7)
    assert a.evidence["window"] == {"from": "2026-09-23", "to": "2026-09-29", "days": 7}
    assert len(a.evidence["failed_probes"]) == 7
    assert all(f["error_class"] == "timeout" and f["latency_ms"] == 15000 for f in a.evidence["failed_probes"])
    assert a.evidence["first_failure_at"] == "2026-09-23T00:00:00+08:00"
    assert a.evidence["last_failure_at"] == "2026-09-29T00:00:00+08:00"
    assert [d["probes"] for d in a.evidence["daily"]] == [20] * 7
    assert (b.status, b.problem, b.reason, b.evidence["probes"]) == ("pass", None, None, 141)
    assert (c.status, c.evidence["fail_ratio"]) == ("pass", 0.0)


def test_the_window_is_the_seven_days_that_ended_before_as_of(db_url, tmp_path, site_ids):
    rows = _week(A, 20)
    edge = [[A, "2026-09-22T23:59:59+08:00", "0", "", "15000", "超时"],   # the day before: out
            [A, "2026-09-30T00:00:00+08:00", "0", "", "15000", "超时"],   # as_of's own day: out
            [A, "2026-09-23T00:00:00.5+08:00", "0", "", "15000", "超时"],  # first instant: in
            [A, "2026-09-29T23:59:59+08:00", "0", "503", "20", ""]]       # last second: in
    _load(db_url, tmp_path, rows + edge)
    a = wv2(db_url, AS_OF)[site_ids[A]]
    assert (a.evidence["probes"], a.evidence["failures"]) == (142, 2)
    assert a.status == "pass"  # 2 of 142
    # as_of at midnight: the window is the seven days before it, 09-24 … 09-30
    midnight = wv2(db_url, dt.datetime(2026, 10, 1, tzinfo=TZ))[site_ids[A]]
    assert midnight.evidence["window"] == {"from": "2026-09-24", "to": "2026-09-30", "days": 7}
    assert midnight.evidence["probes"] == 6 * 20 + 2 and midnight.status == "unknown"  # 09-29 23:59:59, 09-30 00:00
    assert midnight.reason == "2026-09-30 探测次数不足20次"
    # the same instant given in UTC: the same window (days are Beijing days)
    utc = wv2(db_url, AS_OF.astimezone(dt.timezone.utc))[site_ids[A]]
    assert utc.evidence == a.evidence


def test_short_days_unknown_unless_the_failures_already_decide(db_url, tmp_path, site_ids):
    # A: 09-24 has no probes and 09-25 only 19: too few to decide a site that failed 1 of 119
    rows = [r for i, day in enumerate(WINDOW) if i != 1 for r in log_rows(A, day, 19 if i == 2 else 20, 1 if i == 0 else 0)]
    # B: 6 days of 48 and one of 10, 16 failures: 16/298 = 5.37 %, but had the short day been as busy as
    #    the others (38 more, all fine) 16/336 = 4.76 % → cannot tell; C: 17 failures → 17/336 = 5.06 % → fail
    rows += _week(B, [48] * 6 + [10], [3, 2, 2, 2, 2, 2, 3])
    rows += _week(C, [48] * 6 + [10], [3, 2, 2, 2, 2, 2, 4])
    _load(db_url, tmp_path, rows)
    r = wv2(db_url, AS_OF)
    a, b, c = r[site_ids[A]], r[site_ids[B]], r[site_ids[C]]
    assert (a.status, a.problem) == ("unknown", None)
    assert a.reason == "2026-09-24、2026-09-25 探测次数不足20次"
    assert a.evidence["short_days"] == ["2026-09-24", "2026-09-25"]
    assert (b.status, b.reason) == ("unknown", "2026-09-29 探测次数不足20次")
    assert (b.evidence["probes"], b.evidence["failures"]) == (298, 16)
    assert (c.status, c.problem, c.reason) == ("fail", "监测时间点无法访问", None)
    assert c.evidence["decided_despite_short_days"] == {"top_up_probes": 38, "worst_case_ratio": 0.0506}


def test_sites_never_probed_and_not_inspected(db_url, tmp_path, site_ids):
    _load(db_url, tmp_path, _week(A, 20))
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:  # C closes: no longer inspected
        cur.execute("update registry.sites set status = '关停' where site_code = %s", (C,))
    r = wv2(db_url, AS_OF)
    assert set(r) == {site_ids[A], site_ids[B]}  # one row per inspected site
    b = r[site_ids[B]]
    assert (b.status, b.problem, b.reason) == ("unknown", None, "无探测数据（2026-09-23至2026-09-29）")
    assert r[site_ids[A]].status == "pass"


def test_what_does_not_count(db_url, tmp_path, site_ids):
    # A: 20 good probes a day plus, on 09-23, 5 firewall pages and 5 timeouts of a monitor that gave up
    #    after 5 s (shorter than the rule's 15 s): neither kind says the site was down
    extra = [[A, f"2026-09-23T12:0{i}:30+08:00", "0", "403", "30", "blocked by WAF"] for i in range(5)]
    extra += [[A, f"2026-09-23T13:0{i}:30+08:00", "0", "", "5000", "timeout"] for i in range(5)]
    # B: 18 good probes a day, plus one that answered only after 15 s (15000 ms counts: "超过（含）15秒")
    #    and one at 14999 ms (in time): 7 failures of 140
    rows_b = _week(B, 18)
    slow = [[B, f"2026-09-2{3 + i}T12:00:30+08:00", "1", "200", "15000", ""] for i in range(7)]
    fast = [[B, f"2026-09-2{3 + i}T12:00:40+08:00", "1", "200", "14999", ""] for i in range(7)]
    # C: blocked on every probe: nothing is known
    rows_c = [[C, f"{day}T{h:02d}:00:00+08:00", "0", "521", "40", "被防火墙拦截"] for day in WINDOW for h in range(24)]
    _load(db_url, tmp_path, _week(A, 20) + extra + rows_b + slow + fast + rows_c)
    r = wv2(db_url, AS_OF)
    a, b, c = r[site_ids[A]], r[site_ids[B]], r[site_ids[C]]
    assert (a.status, a.evidence["probes"], a.evidence["failures"]) == ("pass", 140, 0)
    assert a.evidence["not_counted"] == {"blocked": 5, "control_failed": 0, "short_timeout": 5}
    assert (b.status, b.evidence["probes"], b.evidence["failures"]) == ("fail", 140, 7)
    assert b.evidence["failures_by_class"] == {"timeout": 7}
    # the homepage opened, too late: listed as timeouts with their latency
    assert [(f["error_class"], f["latency_ms"], f["status"]) for f in b.evidence["failed_probes"]] == \
        [("timeout", 15000, 200)] * 7
    assert (c.status, c.evidence["probes"]) == ("unknown", 0)
    assert c.reason == ("无探测数据（2026-09-23至2026-09-29）：不计入的探测 168 次（被防火墙拦截 168，"
                        "对照探测失败 0，超时设置过短 0）")
    # a profile with a 5 s timeout counts those 5 timeouts of A as failures
    f = tmp_path / "t5.yaml"
    f.write_text(yaml.safe_dump({"name": "t5", "base": "national-2019", "availability": {"timeout_seconds": 5}}))
    a5 = wv2(db_url, AS_OF, str(f))[site_ids[A]]
    assert (a5.evidence["probes"], a5.evidence["failures"]) == (145, 5)


def test_cli_probe_status(db_url, tmp_path, site_ids):
    _load(db_url, tmp_path, _week(A, 20, [1] * 7) + _week(B, 20))

    def status(*args):
        return subprocess.run([sys.executable, "-m", "govmon", "probe", "status", *args], capture_output=True,
                              text=True, timeout=120, env={**os.environ, "GOVMON_DATABASE_URL": db_url},
                              cwd=config.PROJECT_ROOT)

    proc = status("--as-of", "2026-09-30T10:00:00+08:00")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ("W-V2 站点无法访问（national-2019 v1，监测时间点 2026-09-30T10:00:00+08:00，窗口 2026-09-23 至 "
                        "2026-09-29）：3 个网站，不合格 1，无法判定 1，正常 1")
    assert lines[1] == ("  鹰川市甲局（3699000101）监测时间点无法访问：失败 7/140（5.00%），超时 7；"
                        "首次 2026-09-23 00:00，末次 2026-09-29 00:00")
    assert lines[2] == "  鹰川市丙局（3699000103）无法判定：无探测数据（2026-09-23至2026-09-29）"
    assert len(lines) == 3  # passing sites only with --all
    assert len(status("--as-of", "2026-09-30", "--all").stdout.splitlines()) == 4
    assert status("--as-of", "yesterday").returncode == 2
