"""
### crawl_media

Reads the timelines of every inspected new-media account (政务新媒体) once a day and loads what
each platform showed: live name, existence, posts with publish time and 原创 flag, interaction
capability. Sharded by platform and account batch:

- `plan_media_shards` migrates the database and groups the inspected accounts by the host their
  first request goes to (Weibo, WeChat, feeds and everything else) in batches of
  `GOVMON_MEDIA_BATCH_SIZE` (100); `list_weibo_batches`, `list_wechat_batches` and
  `list_feed_batches` hand each platform its list;
- `collect_weibo_batch` and `collect_wechat_batch` run one batch at a time
  (`max_active_tis_per_dagrun=1`), so a platform never sees more than one collector process:
  Weibo stays at ≤ 1 request per second; `collect_feed_batch` runs up to four batches at once
  (feeds live on many hosts; each host keeps its own limit);
- each batch loads its results in bulk (COPY), replacing that collection day's rows of its accounts:
  re-running a day changes nothing;
- `report_media_health` prints collector health (marts.fct_media_collector_health) whatever
  the batches did.

A blocked, failed or unconfigured account is recorded with its reason (unknown freshness, never
"not updated"); it does not fail the task. A task fails only when the collector itself cannot
work (database down, bad settings). Settings: `GOVMON_*` (see README, 政务新媒体采集).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task

BATCH_LIMITS = {"weibo": 1, "wechat": 1, "feeds": 4}


def _collect(ids: list[int]) -> dict:
    from govmon.media.run import collect_accounts
    from govmon.media.settings import MediaSettings

    ctx = get_current_context()
    day = ctx["logical_date"].in_timezone("Asia/Shanghai").date() if ctx.get("logical_date") else None
    result = collect_accounts(account_ids=ids, settings=MediaSettings.from_env(), collect_date=day,
                              run_id=ctx["run_id"])
    for line in result.summary_lines():
        print(line)
    return {"accounts": result.stats.accounts, "requests": result.stats.requests, "posts": result.stats.posts,
            "status": dict(result.stats.by_status), "collect_date": str(result.collect_date)}


@dag(
    schedule="0 3 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["media", "crawl"],
    default_args={"owner": "govmon", "retries": 2, "retry_delay": pendulum.duration(minutes=10)},
)
def crawl_media():
    @task
    def plan_media_shards() -> dict:
        from govmon import db
        from govmon.media.run import plan_shards

        db.migrate()
        shards = plan_shards()
        for family, batches in shards.items():
            print(f"{family}: {sum(len(b) for b in batches)} 个账号，{len(batches)} 批")
        return shards

    @task(max_active_tis_per_dagrun=BATCH_LIMITS["weibo"])
    def collect_weibo_batch(ids: list[int]) -> dict:
        return _collect(ids)

    @task(max_active_tis_per_dagrun=BATCH_LIMITS["wechat"])
    def collect_wechat_batch(ids: list[int]) -> dict:
        return _collect(ids)

    @task(max_active_tis_per_dagrun=BATCH_LIMITS["feeds"])
    def collect_feed_batch(ids: list[int]) -> dict:
        return _collect(ids)

    @task(trigger_rule="all_done")
    def report_media_health() -> dict:
        from govmon.media.health import format_rows, health_rows, health_summary

        for line in health_summary():
            print(line)
        rows = health_rows(problems_only=True)
        for line in format_rows(rows, limit=200):
            print("  " + line)
        return {"problem_accounts": len(rows)}

    @task
    def list_batches(shards: dict, family: str) -> list[list[int]]:
        return shards[family]

    shards = plan_media_shards()
    batches = [
        collect_weibo_batch.expand(ids=list_batches.override(task_id="list_weibo_batches")(shards, "weibo")),
        collect_wechat_batch.expand(ids=list_batches.override(task_id="list_wechat_batches")(shards, "wechat")),
        collect_feed_batch.expand(ids=list_batches.override(task_id="list_feed_batches")(shards, "feeds")),
    ]
    batches >> report_media_health()


crawl_media()
