"""`govmon demo` end to end on the small scenario: Postgres, migrate, sandbox, registry import."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

import psycopg2
import pytest

from govmon import config
from govmon.sandbox import load_scenario

SMALL = config.PROJECT_ROOT / "scenarios" / "small.yaml"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo(db_url, tmp_path, port):
    env = {**os.environ, "GOVMON_DATABASE_URL": db_url, "GOVMON_STATE_DIR": str(tmp_path / "state"),
           "GOVMON_SANDBOX_PORT": str(port)}
    return subprocess.run([sys.executable, "-m", "govmon", "demo", "--scenario", str(SMALL)],
                          capture_output=True, text=True, env=env, timeout=900)


@pytest.mark.integration
def test_demo_imports_the_sandbox_registry(db_url, tmp_path):
    port = _free_port()
    proc = _demo(db_url, tmp_path, port)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for step in ("[1] 数据库", "[2] 迁移", "[3] 沙盒世界", "[4] 名录导入", "[5] 名录概况"):
        assert step in proc.stdout
    # the small world is anchored on 2026-09-30: the collectors stamp that world's clock, the
    # 监测时间点 is its clock, and every verdict is the one the scenario intends
    assert "采集记录按沙盒时钟记时" in proc.stdout and "2026Q3（监测时间点 2026-09-30" in proc.stdout
    agree = dict(re.findall(r"与场景预期一致的(网站|政务新媒体)结论：(\d+/\d+)", proc.stdout))
    scenario = load_scenario(SMALL)
    n_sites = sum(1 for x in scenario.sites if x.expect and x.status == "运行")
    n_accounts = sum(1 for x in scenario.accounts if x.expect and x.status == "运行")
    assert agree == {"网站": f"{n_sites}/{n_sites}", "政务新媒体": f"{n_accounts}/{n_accounts}"}, proc.stdout[-3000:]

    scenario = load_scenario(SMALL)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select site_code, name, url, kind from registry.sites order by site_code")
        sites = cur.fetchall()
        cur.execute("select name, platform from registry.accounts order by name")
        accounts = cur.fetchall()
    assert sorted((s.site_code, s.name, s.kind) for s in scenario.sites) == [(c, n, k) for c, n, _, k in sites]
    hosts = [urlsplit(u).hostname for _, _, u, _ in sites]
    assert len(set(hosts)) == len(hosts)  # each site is its own host
    assert all(h.startswith("127.") and h != "127.0.0.1" for h in hosts)
    # the registry holds the registered names, not the live (renamed) ones
    assert sorted((a.name, a.platform) for a in scenario.accounts) == accounts

    again = _demo(db_url, tmp_path, port)  # same port, same registry files: nothing changes
    assert again.returncode == 0, again.stderr
    n_sites, n_accounts = len(scenario.sites), len(scenario.accounts)
    assert f"{n_sites} 行，新增 0，更新 0，未变 {n_sites}，移除 0" in again.stdout
    assert f"{n_accounts} 行，新增 0，更新 0，未变 {n_accounts}，移除 0" in again.stdout
