"""``govmon demo``: the whole run, as far as it exists, on the sandbox world.

Today: start (or find) Postgres, migrate, serve the demo scenario on loopback, import the registry
the sandbox wrote, and report what is in the registry. Each later capability adds its step here.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from govmon import clock, config
from govmon.quarters import TZ

DEFAULT_SCENARIO = config.PROJECT_ROOT / "scenarios" / "demo.yaml"
DEFAULT_PORT = 18080


# Later capabilities add a step: a module with ``demo_step(ctx: DemoContext) -> None`` that prints
# what it did (ctx.say). They run in this order after the registry import; missing modules are skipped.
STEP_MODULES = (
    ("govmon.probe.demo", "可用性监测 availability probes"),
    ("govmon.crawl.demo", "网站采集 website crawl"),
    ("govmon.media.demo", "政务新媒体采集 new-media collection"),
    ("govmon.verdicts.demo", "质量闸门与季度结论 quality gate and verdicts"),
    ("govmon.report.demo", "通报 the quarterly report"),
    ("govmon.dashboards.demo", "看板 dashboards"),
)


@dataclass
class DemoContext:
    url: str                 # the database
    sandbox: object          # govmon.sandbox.runner.SandboxProcess (state, env, url(key) …)
    scenario: Path
    registry_dir: Path
    out_dir: Path            # .govmon/demo: where steps write their outputs
    env: dict = field(default_factory=dict)  # settings the pipeline needs (platform base URLs …)

    def say(self, line: str = "") -> None:
        print(f"    {line}", flush=True)

    def clock(self) -> dt.datetime:
        """The 监测时间点 of every step: the sandbox world's clock, i.e. now for a world anchored now,
        the scenario's date for one anchored in the past."""
        return _world_now(self.sandbox)


def _step(n: int, text: str) -> None:
    print(f"\n[{n}] {text}", flush=True)


def run_demo(scenario: str | Path | None = None, keep_serving: bool = False) -> int:
    from govmon import db, pgcluster
    from govmon.registry import RegistryImportError, import_registry
    from govmon.sandbox.runner import SandboxProcess

    scenario = Path(scenario or DEFAULT_SCENARIO)
    out = config.state_dir() / "demo"
    registry_dir = out / "registry"
    registry_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"govmon demo — 场景 scenario: {scenario}")

    _step(1, "数据库 PostgreSQL")
    url = pgcluster.resolve_url(autostart=True)
    where = "GOVMON_DATABASE_URL" if config.database_url() else f"本地集群 {pgcluster.local_cluster().root}"
    print(f"    {url}  ({where})")

    _step(2, "迁移 migrations (sql/migrations)")
    applied = db.migrate(url)
    print(f"    已应用 {', '.join(applied)}" if applied else "    已是最新，无待应用迁移")

    _step(3, "沙盒世界 sandbox world on loopback")
    # a stable port keeps the registry's 首页网址 the same from one demo run to the next
    port = int(os.environ.get("GOVMON_SANDBOX_PORT", DEFAULT_PORT))
    if not pgcluster.port_free(port):
        port = 0
    sandbox = SandboxProcess(scenario, port=port, out_dir=registry_dir, start_timeout=120)
    sandbox.start()
    clock_before = os.environ.get(clock.ENV)
    try:
        state = sandbox.state
        _follow_world_clock(sandbox)
        sites, accounts = state.get("sites", {}), state.get("accounts", {})
        print(f"    {len(sites)} 个网站，各占一个回环地址，端口 {state['port']}；{len(accounts)} 个政务新媒体账号")
        for key, info in list(sites.items())[:3]:
            print(f"    例：{key:<12} {info['url'] if isinstance(info, dict) else info}")
        for name, value in sorted(state.get("env", {}).items()):
            print(f"    {name}={value}")
        print(f"    名录文件 registry files: {registry_dir}")

        _step(4, "名录导入 registry import")
        files = {k: registry_dir / f"{k}.csv" for k in ("regions", "sites", "accounts")}
        try:
            result = import_registry(**{k: p for k, p in files.items() if p.exists()}, url=url)
        except RegistryImportError as exc:
            for line in exc.problems:
                print(f"    {line}")
            return 2
        for r in result.results:
            print(f"    {r.summary()}")

        _step(5, "名录概况 what is under inspection")
        for line in _registry_overview(url):
            print(f"    {line}")

        ctx = DemoContext(url=url, sandbox=sandbox, scenario=scenario, registry_dir=registry_dir, out_dir=out,
                          env=dict(state.get("env", {})))
        n = 5
        for module_name, title in STEP_MODULES:
            module = config.optional_module(module_name)
            if module is None:
                continue  # not built yet
            n += 1
            _step(n, title)
            module.demo_step(ctx)

        print(f"\n完成 done in {time.monotonic() - started:.1f} s.")
        if keep_serving:
            print(f"沙盒仍在运行（控制地址 {state.get('control_url')}），按 Ctrl-C 停止。")
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
        return 0
    finally:
        sandbox.stop()
        if clock_before is None:
            os.environ.pop(clock.ENV, None)
        else:
            os.environ[clock.ENV] = clock_before


def _world_now(sandbox) -> dt.datetime:
    """The sandbox world's clock: its anchor plus the time it has run."""
    live = sandbox.live_state()
    return (dt.datetime.fromisoformat(live["anchor"]) + dt.timedelta(seconds=live["uptime_seconds"])).astimezone(TZ)


def _follow_world_clock(sandbox) -> None:
    """A world anchored in the past (a quarter rebuilt from a published 通报) has its own "now": the
    collectors stamp their observations on that clock (govmon.clock), so that crawls, probe rounds
    and collection days fall on the world's dates, and the 监测时间点 is the world's clock too."""
    world = _world_now(sandbox)
    shift = (world - dt.datetime.now(dt.timezone.utc)).total_seconds()
    if abs(shift) < 60:
        os.environ.pop(clock.ENV, None)
        return
    os.environ[clock.ENV] = f"{shift:.3f}"
    print(f"    沙盒时钟 {world.astimezone(TZ):%Y-%m-%d %H:%M}（场景锚定的日期）：采集记录按沙盒时钟记时 "
          f"{clock.ENV}={shift:.0f}")


def _registry_overview(url: str) -> list[str]:
    from govmon import db

    lines = []
    with db.transaction(url) as cur:
        cur.execute("select kind, count(*) from registry.inspected_sites group by kind order by kind desc")
        lines.append("受检网站：" + "，".join(f"{k} {n} 个" for k, n in cur.fetchall()))
        cur.execute("select platform, count(*) from registry.inspected_accounts group by platform order by 2 desc")
        lines.append("受检政务新媒体：" + "，".join(f"{k} {n} 个" for k, n in cur.fetchall()))
        cur.execute(
            """
            select coalesce(r.name, s.region_code), count(*)
            from registry.inspected_sites s left join registry.regions r using (region_code)
            group by 1 order by 2 desc limit 5
            """
        )
        lines.append("网站最多的区划：" + "，".join(f"{k} {n}" for k, n in cur.fetchall()))
        cur.execute("select count(*) from registry.sites where removed_at is null and status <> '运行'")
        lines.append(f"关停或临时关停（不检查）的网站：{cur.fetchone()[0]} 个")
    return lines
