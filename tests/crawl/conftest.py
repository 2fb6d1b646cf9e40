"""One real crawl of the small sandbox world per session, into its own database.

The sandbox runs with its anchor an hour from now (content dates are "anchor − N days"), the crawl
runs now (2 shards, 2 Scrapy processes), and checks are evaluated at the anchor: the tests compare
what was stored with the scenario's truth.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from govmon.sandbox import load_scenario
from govmon.sandbox.runner import SandboxProcess

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "small.yaml"
CRAWL_SETTINGS = {"DOWNLOAD_TIMEOUT": 3, "GOVCRAWL_ALLOWED_NETWORKS": "127.0.0.0/8", "LOGSTATS_INTERVAL": 60}


@dataclass
class Crawled:
    url: str
    run_id: int
    summary: object
    scenario: object
    sandbox: SandboxProcess
    anchor: dt.datetime
    site_ids: dict          # scenario key -> registry site_id
    port: int

    def query(self, sql: str, params=()):
        with psycopg2.connect(self.url) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


def session_db(pg_server, template_db):
    from tests.conftest import _admin, _with_db

    name = f"govmon_test_crawl_{uuid.uuid4().hex[:8]}"
    admin = _admin(pg_server)
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}" template "{template_db}"')
    return _with_db(pg_server, name), name, admin


@pytest.fixture(scope="session")
def small_crawl(pg_server, template_db, tmp_path_factory):
    from govmon.crawl.runner import crawl_sites
    from govmon.registry import import_registry

    url, name, admin = session_db(pg_server, template_db)
    tz = dt.timezone(dt.timedelta(hours=8))
    anchor = (dt.datetime.now(tz) + dt.timedelta(hours=1)).replace(microsecond=0)
    scenario = load_scenario(SMALL)
    out = tmp_path_factory.mktemp("crawl-sandbox")
    sb = SandboxProcess(SMALL, out_dir=out, hang_cap=10, anchor=anchor.isoformat(), start_timeout=30)
    sb.start()
    try:
        reg = sb.registry_dir
        import_registry(sites=reg / "sites.csv", regions=reg / "regions.csv", url=url)
        summary = crawl_sites(url=url, shards=2, jobs=2, trigger="test", settings=CRAWL_SETTINGS, timeout=240)
        assert not summary.failed_shards, [r.error for r in summary.failed_shards]
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("select site_code, site_id from registry.sites")
            by_code = dict(cur.fetchall())
        ids = {s.key: by_code[s.site_code] for s in scenario.sites}
        yield Crawled(url, summary.crawl_run_id, summary, scenario, sb, anchor, ids, sb.state["port"])
    finally:
        sb.cleanup()
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()
