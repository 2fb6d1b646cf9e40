"""One collection run: read the registry, read the accounts, load what was seen. The CLI, the DAG
and the demo all call :func:`collect_accounts`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from govmon import clock, db
from govmon.media.collect import RunStats, family_of, observe_sync
from govmon.media.dates import TZ
from govmon.media.load import load_observations, read_accounts
from govmon.media.model import Account
from govmon.media.settings import MediaSettings

STATUS_LABELS = {"ok": "正常", "empty": "无内容", "vanished": "搜索不到", "blocked": "被拒绝", "error": "出错",
                 "unconfigured": "未配置采集地址"}
FAMILY_LABELS = {"weibo": "微博", "wechat": "微信", "feeds": "订阅源及其他"}


def today() -> dt.date:
    return clock.now(TZ).date()


@dataclass
class RunResult:
    collect_date: dt.date
    stats: RunStats
    loaded: dict
    observations: list

    def summary_lines(self) -> list[str]:
        s = self.stats
        lines = [f"采集日 {self.collect_date}：{s.accounts} 个账号，{s.requests} 次请求，{s.posts} 条发布，"
                 f"用时 {s.seconds:.1f} 秒"]
        parts = [f"{STATUS_LABELS.get(k, k)} {n}" for k, n in sorted(s.by_status.items(), key=lambda kv: -kv[1])]
        lines.append("结果：" + "，".join(parts))
        platforms = sorted({p for p, _ in s.by_platform_status})
        for p in platforms:
            row = {st: n for (pp, st), n in s.by_platform_status.items() if pp == p}
            lines.append(f"  {p}：" + "，".join(f"{STATUS_LABELS.get(k, k)} {n}" for k, n in sorted(row.items())))
        for host, n in sorted(s.requests_by_host.items()):
            extra = f"，被拒绝 {s.refusals_by_host[host]} 次" if s.refusals_by_host.get(host) else ""
            stop = "，已熔断停止访问" if host in s.stopped_hosts else ""
            lines.append(f"  {host}：{n} 次请求（限速每秒 {s.rates.get(host, 0):g} 次{extra}{stop}）")
        lines.append(f"已写入 raw.media__fetches {self.loaded.get('fetches', 0)} 行、"
                     f"raw.media__posts {self.loaded.get('posts', 0)} 行（同一采集日重跑会替换，不会重复）")
        return lines


def collect_accounts(url: str | None = None, *, accounts: list[Account] | None = None, account_ids=None,
                     settings: MediaSettings | None = None, collect_date: dt.date | None = None,
                     run_id: str | None = None, progress=None) -> RunResult:
    """Read the given accounts (default: every inspected account) and load the results."""
    settings = settings or MediaSettings.from_env()
    collect_date = collect_date or today()
    if accounts is None:
        with db.transaction(url) as cur:
            accounts = read_accounts(cur, account_ids=account_ids)
    observations, stats = observe_sync(accounts, settings, progress)
    with db.transaction(url) as cur:
        loaded = load_observations(cur, observations, collect_date, channel="crawl", run_id=run_id)
    return RunResult(collect_date, stats, loaded, observations)


def plan_shards(url: str | None = None, settings: MediaSettings | None = None) -> dict[str, list[list[int]]]:
    """Inspected account ids by host family (weibo / wechat / feeds), in batches of ``batch_size``."""
    settings = settings or MediaSettings.from_env()
    with db.transaction(url) as cur:
        accounts = read_accounts(cur)
    groups: dict[str, list[int]] = {"weibo": [], "wechat": [], "feeds": []}
    for a in accounts:
        groups[family_of(a, settings)].append(a.account_id)
    size = max(1, settings.batch_size)
    return {fam: [ids[i:i + size] for i in range(0, len(ids), size)] for fam, ids in groups.items()}
