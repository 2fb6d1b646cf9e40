"""``govmon crawl sites`` (CONTRACT.md §2): exit 0 loaded, 2 bad input, 1 a shard not loaded."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg2


def govmon(args, db_url, **env):
    e = {**os.environ, "GOVMON_DATABASE_URL": db_url, "GOVMON_CRAWL_ALLOWED_NETWORKS": "127.0.0.0/8",
         "GOVMON_CRAWL_TIMEOUT": "3", **env}
    return subprocess.run([sys.executable, "-m", "govmon", *args], capture_output=True, text=True, env=e, timeout=300)


def test_crawl_sites_command_on_the_sandbox(small_crawl, db_url):
    from govmon.registry import import_registry

    reg = small_crawl.sandbox.registry_dir
    import_registry(sites=reg / "sites.csv", regions=reg / "regions.csv", url=db_url)
    housing = small_crawl.scenario.site("housing").site_code
    p = govmon(["crawl", "sites", "--site", housing], db_url)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "采集网站 1 个：首页可读 1 个" in p.stdout and "完成" in p.stdout
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select r.trigger, r.status, c.outcome, c.navigation_only from raw.gov_site__runs r "
                    "join raw.gov_site__site_crawls c using (crawl_run_id)")
        assert cur.fetchall() == [("cli", "done", "ok", True)]


def test_bad_input_exits_2(db_url, tmp_path):
    p = govmon(["crawl", "sites", "--site", "3699999999"], db_url)
    assert p.returncode == 2 and "名录中没有该网站标识码" in p.stderr
    bad = tmp_path / "o.yaml"
    bad.write_text("sites: {x: 1}\n", encoding="utf-8")
    p = govmon(["crawl", "sites"], db_url, GOVMON_SITE_OVERRIDES=str(bad))
    assert p.returncode == 2 and "网站标识码应为10位数字" in p.stderr
    p = govmon(["crawl"], db_url)
    assert p.returncode == 2 and "sites" in p.stdout
    p = govmon(["crawl", "sites"], db_url)     # an empty registry: nothing to crawl
    assert p.returncode == 2 and "名录中没有受检网站" in p.stderr
