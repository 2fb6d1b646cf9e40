"""Real probe rounds against sandbox sites that fail on known shares of rounds, and the W-V2 check
on what they loaded: both sides of the 5 % boundary, 无法判定, the control probe, idempotency."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import psycopg2
import pytest
from probe_helpers import TZ, import_sandbox_sites, wv2

from govmon import config
from govmon.probe.rounds import run_round, run_rounds
from govmon.probe.settings import ProbeSettings


def _settings(sandbox, control: str = "good") -> ProbeSettings:
    url = (sandbox.state["env"]["GOVMON_SANDBOX_CONTROL_URL"] + "/health" if control == "good"
           else f"http://127.30.0.9:{sandbox.state['port']}/")  # never bound: refused
    return ProbeSettings(control_url=url, concurrency=20)


def _probe_day(db_url) -> dt.date:
    """The one Beijing day the rounds ran on (a run across midnight is skipped, not misjudged)."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select distinct (probed_at at time zone 'Asia/Shanghai')::date from raw.probe__probes")
        days = [r[0] for r in cur.fetchall()]
    if len(days) != 1:
        pytest.skip(f"the rounds straddled midnight ({days}); the one-day window would split them")
    return days[0]


def _as_of_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TZ)  # the window is that one day


def test_wv2_on_both_sides_of_the_boundary_with_real_rounds(sandbox, db_url, tmp_path, profile_file):
    """xishan fails exactly its 20th homepage request (fail_ratio 0.05), hrss fails every one."""
    ids = import_sandbox_sites(db_url, tmp_path, sandbox, ["xishan", "portal", "hrss"])
    profile = profile_file(timeout_seconds=2, window_days=1)  # min_probes_per_day 20, max_fail_ratio 0.05
    sandbox.reset_counters("sites", "xishan")
    settings = _settings(sandbox)

    run_rounds(19, 0, db_url, profile=profile, settings=settings)
    as_of = _as_of_after(day := _probe_day(db_url))
    r = wv2(db_url, as_of, profile)
    # 19 probes on the day: too few to decide a site that never failed ...
    assert (r[ids["xishan"]].status, r[ids["xishan"]].reason) == ("unknown", f"{day:%Y-%m-%d} 探测次数不足20次")
    assert r[ids["portal"]].status == "unknown"
    # ... but 19 failures of 19 stay over 5 % whatever the 20th would have been
    hrss = r[ids["hrss"]]
    assert (hrss.status, hrss.problem) == ("fail", "监测时间点无法访问")
    assert hrss.evidence["short_days"] == [f"{day:%Y-%m-%d}"]
    assert hrss.evidence["decided_despite_short_days"] == {"top_up_probes": 1, "worst_case_ratio": 0.95}

    run_round(db_url, profile=profile, settings=settings)  # the 20th round: xishan's failure
    r = wv2(db_url, as_of, profile)
    x = r[ids["xishan"]]
    assert (x.status, x.problem, x.reason) == ("fail", "监测时间点无法访问", None)  # 1 of 20 = 5 %: 含 5 %
    assert (x.evidence["probes"], x.evidence["failures"], x.evidence["fail_ratio"]) == (20, 1, 0.05)
    (failed,) = x.evidence["failed_probes"]
    assert (failed["status"], failed["error_class"], failed["source"]) == (503, "http_5xx", "probe")
    assert failed["url"] == sandbox.url("xishan") and failed["latency_ms"] >= 0
    assert x.evidence["first_failure_at"] == x.evidence["last_failure_at"] == failed["at"]
    assert x.evidence["failures_by_class"] == {"http_5xx": 1}
    assert (r[ids["portal"]].status, r[ids["portal"]].evidence["probes"]) == ("pass", 20)
    assert r[ids["hrss"]].status == "fail" and r[ids["hrss"]].evidence["failures"] == 20

    run_round(db_url, profile=profile, settings=settings)  # the 21st: 1 of 21 = 4.76 % < 5 %
    r = wv2(db_url, as_of, profile)
    assert (r[ids["xishan"]].status, r[ids["xishan"]].evidence["probes"]) == ("pass", 21)
    assert r[ids["xishan"]].evidence["failures"] == 1
    # the day before the window and the national 7-day window see nothing of this
    assert wv2(db_url, as_of - dt.timedelta(days=1), profile)[ids["xishan"]].reason.startswith("无探测数据")


def test_a_round_whose_control_probe_fails_counts_against_no_site(sandbox, db_url, tmp_path, profile_file):
    """22 rounds. In rounds 5-6 our "network" is down (the control target is refused) and portal
    fails; in rounds 7-8 donghu fails with the control fine. portal: 0 of 20 counted; donghu 2 of 20."""
    ids = import_sandbox_sites(db_url, tmp_path, sandbox, ["portal", "donghu"])
    profile = profile_file(timeout_seconds=2, window_days=1)
    portal_before, donghu_before = sandbox.faults("sites", "portal"), sandbox.faults("sites", "donghu")
    try:
        for i in range(22):
            sandbox.set_faults("sites", "portal", {"http_5xx": 503 if i in (4, 5) else None})
            sandbox.set_faults("sites", "donghu", {"http_5xx": 502 if i in (6, 7) else None})
            res = run_round(db_url, profile=profile, settings=_settings(sandbox, "bad" if i in (4, 5) else "good"))
            assert res.control_ok is (i not in (4, 5))
    finally:
        sandbox.set_faults("sites", "portal", {"http_5xx": None, **portal_before})
        sandbox.set_faults("sites", "donghu", {"http_5xx": None, **donghu_before})
    r = wv2(db_url, _as_of_after(_probe_day(db_url)), profile)
    portal, donghu = r[ids["portal"]], r[ids["donghu"]]
    assert (portal.status, portal.evidence["probes"], portal.evidence["failures"]) == ("pass", 20, 0)
    assert portal.evidence["not_counted"] == {"blocked": 0, "control_failed": 2, "short_timeout": 0}
    assert (donghu.status, donghu.evidence["probes"], donghu.evidence["failures"]) == ("fail", 20, 2)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) filter (where control_ok), count(*) filter (where not control_ok), "
                    "min(control->0->>'error_class') filter (where not control_ok) from raw.probe__rounds")
        assert cur.fetchone() == (20, 2, "connect")
        # the failed probes of those rounds are kept as data, just not counted
        cur.execute("select count(*) from raw.probe__probes where site_id = %s and not ok", (ids["portal"],))
        assert cur.fetchone()[0] == 2
        cur.execute("select probes, failures, control_failed from marts.fct_site_availability_daily "
                    "where site_id = %s", (ids["portal"],))
        assert cur.fetchall() == [(20, 0, 2)]


def test_rerunning_a_round_id_replaces_its_probes(sandbox, db_url, tmp_path, profile_file):
    import_sandbox_sites(db_url, tmp_path, sandbox, ["portal", "hrss", "env"])
    profile = profile_file(timeout_seconds=2)
    for _ in range(2):
        run_round(db_url, profile=profile, settings=_settings(sandbox), round_id="airflow:probe_availability:x")
    run_round(db_url, profile=profile, settings=_settings(sandbox))
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select round_id, count(*) from raw.probe__probes group by 1 order by 1")
        rows = cur.fetchall()
        cur.execute("select count(*) from raw.probe__rounds")
        assert cur.fetchone()[0] == 2
    assert rows[0] == ("airflow:probe_availability:x", 3) and rows[1][1] == 3 and rows[1][0].startswith("probe:")


def test_rounds_start_interval_seconds_apart(sandbox, db_url, tmp_path, profile_file):
    import_sandbox_sites(db_url, tmp_path, sandbox, ["portal"])
    slept = []
    out = run_rounds(3, 100.0, db_url, profile=profile_file(timeout_seconds=2), settings=_settings(sandbox),
                     sleep=slept.append)
    assert len(out) == 3 and len(slept) == 2 and all(95 < s < 100 for s in slept)


def _govmon(*args, env=None):
    return subprocess.run([sys.executable, "-m", "govmon", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=config.PROJECT_ROOT)


def test_cli_probe_run(sandbox, db_url, tmp_path, profile_file):
    env = {"GOVMON_DATABASE_URL": db_url,
           "GOVMON_PROBE_CONTROL_URL": sandbox.state["env"]["GOVMON_SANDBOX_CONTROL_URL"] + "/health"}
    empty = _govmon("probe", "run", "--rounds", "1", env=env)
    assert empty.returncode == 1 and "没有受检网站" in empty.stderr
    import_sandbox_sites(db_url, tmp_path, sandbox, ["portal", "hrss", "transport"])
    proc = _govmon("probe", "run", "--rounds", "2", "--interval", "0", "--profile", profile_file(timeout_seconds=1),
                   env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert [line[:7] for line in lines] == ["第 1/2 轮", "第 2/2 轮"]
    assert all("探测 3 个网站：成功 1，失败 2（超时 1、HTTP 5xx 错误 1）" in line and "对照探测正常" in line
               for line in lines), lines
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select count(*), count(distinct round_id) from raw.probe__probes")
        assert cur.fetchone() == (6, 2)
    for bad in (["--rounds", "0"], ["--interval", "-1"], ["--profile", "no-such-profile"]):
        assert _govmon("probe", "run", *bad, env=env).returncode == 2, bad
    assert _govmon("probe", "run", env={**env, "GOVMON_PROBE_CONTROL_URL": "ftp://x/"}).returncode == 2
    assert _govmon("probe", "run", env={**env, "GOVMON_PROBE_CONCURRENCY": "many"}).returncode == 2
