"""The demo step: crawl every site of the sandbox world (2 shards, 2 at a time), then show what the
crawl found and what the website checks (W-V3, W-V4, W-V5, W-D15, G-F1) say about it.

The demo bounds each site's crawl (link checks and time) so that the world's deliberately slow
sites do not hold up the run; a bound that is hit is recorded (a ``budget`` fault) and the checks
that depend on it say 无法判定 rather than guess.
"""

from __future__ import annotations

import datetime as dt
import time

DEMO_SETTINGS = {
    "GOVCRAWL_ALLOWED_NETWORKS": "127.0.0.0/8",   # the sandbox world lives on loopback
    "GOVCRAWL_SITE_TIME_BUDGET": 60,
    "GOVCRAWL_LINK_BUDGET": 1500,
    "LOGSTATS_INTERVAL": 60,
}
CHECKS = ("w_v3__site__homepage_not_updated", "w_v4__site__columns_not_updated", "w_v5__site__interaction_poor",
          "w_d15__site__broken_links", "g_f1__site__identity")


def demo_step(ctx) -> None:
    from govmon.crawl.runner import crawl_sites, describe, run_report

    t0 = time.monotonic()
    summary = crawl_sites(url=ctx.url, shards=2, jobs=2, trigger="demo", settings=DEMO_SETTINGS,
                          progress=ctx.say)
    for line in describe(run_report(ctx.url, summary.crawl_run_id)):
        ctx.say(line)
    if summary.failed_shards:
        for r in summary.failed_shards:
            ctx.say(f"分片 {r.shard} 未能入库（日志 {r.log_file}）")
        return
    as_of = ctx.clock()
    ctx.say(f"采集批次 {summary.crawl_run_id} 已入库，用时 {time.monotonic() - t0:.1f} 秒；"
            f"各网站指标（监测时间点 = 沙盒时钟 {as_of:%Y-%m-%d %H:%M}）：")
    for line in check_lines(ctx.url, as_of):
        ctx.say("  " + line)


def check_lines(url: str, as_of: dt.datetime | None = None) -> list[str]:
    """One line per website check: how many sites pass, fail, need review or cannot be decided, and
    which sites fail (the first few)."""
    from govmon import db
    from govmon.parsing.dates import TZ
    from govmon.profiles import load_profile
    from govmon.verdicts.checks import discover_checks, run_check

    as_of = as_of or dt.datetime.now(TZ)
    profile = load_profile()
    lines = []
    with db.transaction(url) as cur:
        cur.execute("select site_id, name from registry.inspected_sites")
        names = dict(cur.fetchall())
        for check in discover_checks():
            if check.name not in CHECKS:
                continue
            results = run_check(cur, check, profile=profile, as_of=as_of)
            by = {s: [r for r in results if r.status == s] for s in ("pass", "fail", "review", "unknown")}
            head = (f"{check.indicator}：合格 {len(by['pass'])}，不合格 {len(by['fail'])}，"
                    f"待审核 {len(by['review'])}，无法判定 {len(by['unknown'])}")
            flagged = by["fail"] + by["review"]
            if flagged:
                shown = "；".join(f"{names.get(r.entity_id, r.entity_id)}（{r.problem}）" for r in flagged[:4])
                head += f" —— {shown}" + (" 等" if len(flagged) > 4 else "")
            lines.append(head)
    return lines
