"""
### crawl_sites

Crawls every inspected government website (`registry.inspected_sites`) once a day with the Scrapy
site spider and bulk-loads what it saw into the `raw.gov_site__*` tables: homepage items and
dates, the column inventory (type, level, newest item, blank columns), sampled articles (meta
PubDate), 领导信箱 letters with 留言时间 and 回复时间, every link's status, footer identity, faults,
and compressed evidence snapshots.

- `plan_crawl` creates a crawl run and splits the sites into shards (param `shards`, default
  `GOVMON_CRAWL_SHARDS` or 4).
- `crawl_shard` is mapped over the shards (dynamic task mapping, so Celery workers spread them);
  each runs Scrapy in a fresh process (the Twisted reactor cannot restart inside one process) and
  loads its own rows with COPY, idempotently per (run, site): a retried shard replaces its rows.
- `finish_crawl` records the run's status from what was loaded and publishes the asset
  `govmon_site_crawl` only when every shard is in the database.

A site that cannot be reached is data (its crawl row says why), not a task failure.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, dag, task

SITE_CRAWL = Asset(name="govmon_site_crawl", uri="postgres://postgres:5432/govmon/raw/gov_site__site_crawls")


@dag(
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["crawl"],
    default_args={"owner": "govmon", "retries": 2, "retry_delay": pendulum.duration(minutes=5)},
    params={
        "shards": Param(None, type=["null", "integer"], minimum=1, description="number of shards (Scrapy processes)"),
        "site_codes": Param([], type="array", description="网站标识码 to crawl (empty: every inspected site)"),
        "profile": Param(None, type=["null", "string"], description="profile whose windows bound the crawl"),
    },
)
def crawl_sites():
    @task
    def plan_crawl(params=None) -> list[dict]:
        import os

        from govmon.crawl import runner

        params = params or {}
        shards = params.get("shards") or int(os.environ.get("GOVMON_CRAWL_SHARDS", "4"))
        run_id, specs = runner.plan_run(None, params.get("site_codes") or None, shards=shards,
                                        profile=params.get("profile"), trigger="airflow")
        print(f"crawl run {run_id}: {sum(len(s['sites']) for s in specs)} sites in {len(specs)} shards")
        return specs

    @task
    def crawl_shard(spec: dict) -> dict:
        from govmon.crawl import runner

        result = runner.run_shard_spec(spec)
        if not result.loaded:
            raise RuntimeError(f"shard {spec['shard']} of run {spec['crawl_run_id']} was not loaded "
                               f"(exit {result.returncode}, log {result.log_file}):\n{result.error[-2000:]}")
        print(f"shard {spec['shard']}: {len(result.site_ids)} sites in {result.seconds:.1f} s, {result.result}")
        return {"shard": spec["shard"], "sites": len(result.site_ids), "seconds": round(result.seconds, 1)}

    @task(outlets=[SITE_CRAWL], trigger_rule="all_done")
    def finish_crawl(specs: list[dict]) -> dict:
        from govmon.crawl import runner

        if not specs:
            raise RuntimeError("nothing was planned")
        run_id = specs[0]["crawl_run_id"]
        status, loaded, planned = runner.close_run(None, run_id)
        for line in runner.describe(runner.run_report(None, run_id)):
            print(line)
        if status != "done":
            raise RuntimeError(f"crawl run {run_id}: {loaded} of {planned} shards loaded ({status})")
        return {"crawl_run_id": run_id, "status": status, "shards": planned}

    specs = plan_crawl()
    shards = crawl_shard.expand(spec=specs)
    shards >> finish_crawl(specs)


crawl_sites()
