"""``govmon demo`` step: read every account of the sandbox world, load it, show what the checks say.

The sandbox's platforms live on loopback, so this run may go faster than the real platforms allow:
the per-host limits are raised for it and printed. On any host outside 127.0.0.0/8 Weibo stays at
one request per second whatever the setting (govmon.media.settings).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

SANDBOX_RATES = {"weibo_rps": 25.0, "wechat_rps": 60.0, "rss_rps": 60.0, "other_rps": 20.0,
                 "backoff_seconds": 0.5, "retry_delay_seconds": 0.2, "concurrency": 64}
CHECKS = ("m_v2__account__not_updated", "n_7__account__renamed", "n_7__account__not_found",
          "m_v3__account__interaction", "m_l1__account__no_original")
STATUS_WORDS = {"pass": "通过", "fail": "不通过", "unknown": "无法判定", "review": "待审核"}


def demo_step(ctx) -> None:
    from govmon import db
    from govmon.media.health import health_summary
    from govmon.media.run import collect_accounts
    from govmon.media.settings import MediaSettings

    settings = MediaSettings.from_env(ctx.env, **SANDBOX_RATES)
    ctx.say("沙盒平台在回环地址上，本次提高限速（真实平台：微博每秒 1 次、微信每秒 0.5 次、RSS 桥接每秒 2 次；"
            "回环地址以外的微博不论如何设置都不超过每秒 1 次）：")
    for line in settings.describe_rates():
        ctx.say("  " + line)
    result = collect_accounts(ctx.url, settings=settings, run_id="demo")
    for line in result.summary_lines():
        ctx.say(line)

    as_of = ctx.clock()
    ctx.say(f"检查（监测时间点 = 沙盒时钟 {as_of:%Y-%m-%d %H:%M}，national-2019；原创规则用 shaanxi-2025）：")
    results = _run_checks(ctx.url, as_of)
    for name in CHECKS:
        counts = Counter(r.status for r in results[name])
        problems = Counter(r.problem for r in results[name] if r.problem)
        shown = "，".join(f"{STATUS_WORDS[s]} {counts[s]}" for s in ("pass", "fail", "review", "unknown") if counts[s])
        top = "；".join(f"{p} {n}" for p, n in problems.most_common(2))
        ctx.say(f"  {name}：{shown}" + (f"（{top}）" if top else ""))
    agree, total, diffs = _compare_with_scenario(ctx, results)
    ctx.say(f"与场景写明的预期对照（14天未更新、搜索不到、已改名、无法判定）：{agree}/{total} 个账号一致")
    for line in diffs[:5]:
        ctx.say("  不一致：" + line)
    with db.transaction(ctx.url) as cur:
        cur.execute("select count(*) from staging.stg_media__posts")
        ctx.say(f"staging.stg_media__posts：{cur.fetchone()[0]} 条（跨采集日去重）")
    for line in health_summary(ctx.url):
        ctx.say("采集健康 " + line)


def _run_checks(url: str, as_of: dt.datetime) -> dict:
    from govmon import db
    from govmon.profiles import load_profile
    from govmon.verdicts.checks import checks_dir, load_check, run_check

    out = {}
    national, shaanxi = load_profile("national-2019"), load_profile("shaanxi-2025")
    with db.transaction(url) as cur:
        for name in CHECKS:
            check = load_check(checks_dir() / f"{name}.sql")
            profile = shaanxi if name.startswith("m_l1") else national
            out[name] = run_check(cur, check, profile=profile, as_of=as_of)
    return out


def _compare_with_scenario(ctx, results: dict) -> tuple[int, int, list[str]]:
    """The demo (not the pipeline) may read the scenario's truth: compare the machine's findings."""
    from govmon import db
    from govmon.sandbox import load_scenario

    scenario = load_scenario(ctx.scenario)
    with db.transaction(ctx.url) as cur:
        cur.execute("select account_id, platform, platform_account_id from registry.inspected_accounts")
        ids = {(p, i): a for a, p, i in cur.fetchall()}
    by_id = {name: {r.entity_id: r for r in rows} for name, rows in results.items()}
    agree = total = 0
    diffs = []
    for acct in scenario.accounts:
        aid = ids.get((acct.platform, acct.account_id))
        if aid is None or acct.expect is None:
            continue
        total += 1
        want = set(acct.expect.problems) & {"14天未更新", "搜索不到"} | \
            {p for p in acct.expect.problems if p.startswith("已改名")}
        got = {r.problem for name in ("m_v2__account__not_updated", "n_7__account__not_found",
                                      "n_7__account__renamed") if (r := by_id[name].get(aid)) and r.status == "fail"}
        want_unknown = acct.expect.verdict == "无法判定"
        got_unknown = by_id["m_v2__account__not_updated"][aid].status == "unknown" and \
            by_id["n_7__account__not_found"][aid].status == "unknown"
        if want == got and want_unknown == got_unknown:
            agree += 1
        else:
            diffs.append(f"{acct.key}：预期 {sorted(want) or '无'}{'（无法判定）' if want_unknown else ''}，"
                         f"检查得到 {sorted(got) or '无'}{'（无法判定）' if got_unknown else ''}")
    return agree, total, diffs
