"""Demo step: live probe rounds now, the previous week's history imported, W-V2 as of now.

W-V2 needs a week of probes (≥ 20 a day); the demo cannot wait a week. So it runs two real rounds
against the sandbox now (they count in the windows of the coming days) and, for the previous seven
days, imports a monitoring log the way an operator brings one from another monitor: the sandbox
plays an external vendor and exports it (``/__sandbox/probe-log.csv``); the pipeline reads it only
through ``govmon probe import``. The output labels the imported history as such.
"""

from __future__ import annotations

import dataclasses
import urllib.request

LIVE_ROUNDS = 2
HISTORY_DAYS = 7
HISTORY_PER_DAY = 40  # the vendor polls every 36 minutes


def demo_step(ctx) -> None:
    from govmon.probe.availability import wv2_results
    from govmon.probe.classify import ERROR_LABELS
    from govmon.probe.importer import import_probe_log
    from govmon.probe.rounds import run_rounds
    from govmon.probe.settings import settings_from_env
    from govmon.profiles import load_profile

    profile = load_profile()
    control_base = ctx.env.get("GOVMON_SANDBOX_CONTROL_URL") or ctx.sandbox.control_url
    settings = settings_from_env()
    if not settings.control_url:
        settings = dataclasses.replace(settings, control_url=f"{control_base}/health")
    timeout = profile.get("availability.timeout_seconds")

    ctx.say(f"实时探测：每轮对每个受检网站访问首页一次（超时 {timeout} 秒，不重试），"
            f"对照探测 {settings.control_url}")
    rounds = run_rounds(LIVE_ROUNDS, 0, ctx.url, profile=profile, settings=settings,
                        on_round=lambda i, r: ctx.say(r.summary(i, LIVE_ROUNDS)))
    last = rounds[-1]
    names = _site_names(ctx.url)
    shown = set()
    for r in sorted(last.results, key=lambda r: r.error_class or ""):
        if r.ok or r.error_class in shown:
            continue
        shown.add(r.error_class)
        status = f"HTTP {r.status_code}，" if r.status_code else ""
        ctx.say(f"  例：{names.get(r.site_id, r.site_id)} {r.url} {ERROR_LABELS[r.error_class]}"
                f"（{status}{r.latency_ms} 毫秒；{r.error_detail}）")

    path = ctx.out_dir / "probe-log-history.csv"
    with urllib.request.urlopen(f"{control_base}/probe-log.csv?days={HISTORY_DAYS}&per_day={HISTORY_PER_DAY}",
                                timeout=60) as resp:
        path.write_bytes(resp.read())
    ctx.say(f"历史监测记录（导入，非本机探测）：外部监测服务商导出的前 {HISTORY_DAYS} 天日志，"
            f"每天 {HISTORY_PER_DAY} 次 → govmon probe import {path}")
    ctx.say("  " + import_probe_log(path, url=ctx.url).summary())

    # the 监测时间点 is the sandbox world's clock (its anchor plus the time it has run): "now" for a
    # world anchored now, the scenario's date for a fixed one; the history is for the days before it
    as_of = ctx.clock()
    results = wv2_results(ctx.url, profile=profile, as_of=as_of)
    if not results:
        return
    w = results[0].evidence.get("window", {})
    counts = {s: sum(1 for r in results if r.status == s) for s in ("fail", "unknown", "pass")}
    ctx.say(f"W-V2 站点无法访问（监测时间点 = 沙盒时钟 {as_of:%Y-%m-%d %H:%M}，窗口为此前已结束的 {w.get('days')} 个"
            f"自然日 {w.get('from')} 至 {w.get('to')}；今天的实时探测计入此后的窗口）：")
    ctx.say(f"  {len(results)} 个网站：不合格 {counts['fail']}，无法判定 {counts['unknown']}，正常 {counts['pass']}")
    for r in results:
        if r.status != "pass":
            ctx.say("  " + r.line())


def _site_names(url: str) -> dict[int, str]:
    from govmon import db

    with db.transaction(url) as cur:
        cur.execute("select site_id, name from registry.sites")
        return dict(cur.fetchall())
