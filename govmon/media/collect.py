"""Which URL to read for an account, reading it, and a run over many accounts.

The collector sees only the registry (平台, 账号标识, 采集地址, 账号名称) and the network:

1. the account's 采集地址 when it has one (a feed, a bridge, a platform page or API response);
2. else the platform's own endpoint built from the base URL setting and 账号标识: Weibo
   ``getIndex?type=uid&value=<uid>``; WeChat the 公众平台 publish list when an operator's session
   is configured (GOVMON_WECHAT_COOKIE + GOVMON_WECHAT_TOKEN), else the account-history page;
   Douyin / Toutiao (and any platform given a route) the RSS bridge's route for the id;
3. else nothing: the account is ``unconfigured`` — 未配置采集地址 — and health shows it.

Whatever is fetched, the kind of endpoint is recognised from the response.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from govmon import clock
from govmon.media.adapters import Adapter, ReadContext, has_vanished_words, strip_tags
from govmon.media.csvimport import CsvAdapter
from govmon.media.feeds import FeedAdapter
from govmon.media.http import BLOCK_STATUSES, FetchError, Fetcher, HostStopped
from govmon.media.model import Account, Observation
from govmon.media.settings import MediaSettings, host_key
from govmon.media.wechat import WeChatAdapter, profile_url, publish_url
from govmon.media.weibo import WeiboAdapter, weibo_start_url

ADAPTERS: tuple[Adapter, ...] = (WeiboAdapter(), WeChatAdapter(), FeedAdapter(), CsvAdapter())

PLATFORM_HINTS = {
    "微博": "可配置 GOVMON_WEIBO_COOKIE（本单位账号登录后的 Cookie）或为该账号填写 RSS 桥接的采集地址",
    "微信": "可为该账号填写 RSS 桥接的采集地址，或配置 GOVMON_WECHAT_COOKIE 与 GOVMON_WECHAT_TOKEN",
}


def start_url(account: Account, settings: MediaSettings) -> tuple[str | None, str]:
    """(url, how) — how: 采集地址 | 平台接口 | RSS 桥接 | the reason there is none."""
    if account.feed_url:
        return account.feed_url.strip(), "采集地址"
    ident = (account.platform_account_id or "").strip()
    if account.platform == "微博":
        if ident.isdigit() and settings.weibo_base:
            return weibo_start_url(settings.weibo_base, ident), "平台接口"
        if ident:
            return None, "账号标识不是微博 uid（纯数字），且未填写采集地址"
    elif account.platform == "微信":
        if ident and settings.wechat_base:
            if settings.wechat_cookie and settings.wechat_token:
                return publish_url(settings.wechat_base, ident, settings.wechat_token), "平台接口"
            return profile_url(settings.wechat_base, ident), "平台接口"
    route = settings.rss_routes.get(account.platform)
    if ident and settings.rss_base and route:
        return settings.rss_base + route.replace("{id}", quote(ident, safe="")), "RSS 桥接"
    if not ident:
        return None, "未填写账号标识和采集地址"
    if not settings.rss_base and account.platform not in ("微博", "微信"):
        return None, "未填写采集地址，也未配置 RSS 桥接（GOVMON_RSS_BASE_URL）"
    return None, f"未填写采集地址，RSS 桥接没有{account.platform}的路由（GOVMON_RSS_ROUTES）"


def blocked_reason(status: int, platform: str) -> str:
    what = {418: "疑似触发反爬", 432: "需要验证或登录", 403: "禁止访问", 429: "请求过于频繁"}.get(status, "拒绝访问")
    hint = PLATFORM_HINTS.get(platform)
    return f"平台拒绝访问（HTTP {status}，{what}），未取得数据" + (f"；{hint}" if hint else "")


async def observe(account: Account, fetcher: Fetcher | None, settings: MediaSettings) -> Observation:
    """Read one account. Never raises for anything the network or the platform does."""
    t0 = time.monotonic()
    now = clock.now()
    obs = Observation(account_id=account.account_id, platform=account.platform, status="error", fetched_at=now,
                      reference_at=now)
    url, how = start_url(account, settings)
    if url is None:
        obs.status, obs.reason = "unconfigured", f"未配置采集地址（{how}）"
        return obs
    obs.source_url = url
    obs.evidence["via"] = how
    ctx = ReadContext(fetcher, settings, account, obs)
    try:
        try:
            doc = await fetcher.get(url, counter=ctx.counter)
        except HostStopped as exc:
            obs.status = "blocked"
            obs.reason = (f"平台连续拒绝访问（HTTP {exc.status}），本轮已停止访问 {exc.host}，未取得数据"
                          "（以免加重封禁）")
            return obs
        except FetchError as exc:
            obs.status, obs.reason = "error", f"采集地址无法访问：{exc.message}"
            return obs
        except ValueError as exc:
            obs.status, obs.reason = "error", f"采集地址无效：{exc}"
            return obs
        obs.http_status = doc.status
        obs.fetched_at = doc.fetched_at
        obs.server_date = doc.server_date
        obs.reference_at = doc.reference_at
        if doc.url != url:
            obs.evidence["final_url"] = doc.url
        if doc.status in BLOCK_STATUSES:
            obs.status, obs.reason = "blocked", blocked_reason(doc.status, account.platform)
            return obs
        if doc.status >= 500:
            obs.status, obs.reason = "error", f"采集地址返回 HTTP {doc.status}（服务不可用），未取得数据"
            return obs
        for adapter in ADAPTERS:
            if adapter.recognizes(doc):
                obs.adapter = adapter.kind
                await adapter.read(doc, ctx)
                if obs.status == "error" and not obs.reason:
                    obs.reason = f"采集地址的响应无法解析（{obs.adapter}）"
                break
        else:
            text = doc.text if doc.body else ""
            word = has_vanished_words(text[:4000])
            if doc.status in (404, 410) and word:
                obs.status, obs.account_exists = "vanished", False
                obs.reason = f"采集地址返回 HTTP {doc.status}：“{strip_tags(text, 60)}”"
            elif doc.status >= 400:
                obs.status = "error"
                obs.reason = f"采集地址返回 HTTP {doc.status}（地址失效或账号不存在，需人工核查）"
            elif not doc.body.strip():
                obs.status, obs.reason = "error", "采集地址返回空响应"
            else:
                ctype = doc.content_type or "未知类型"
                obs.status = "error"
                obs.reason = f"无法识别采集地址的响应格式（{ctype}）"
        return obs
    finally:
        obs.requests = ctx.counter.get("requests", 0)
        obs.errors = ctx.counter.get("errors", 0)
        obs.finish_posts()
        obs.elapsed_ms = int((time.monotonic() - t0) * 1000)


@dataclass
class RunStats:
    accounts: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_platform_status: Counter = field(default_factory=Counter)   # (platform, status)
    requests_by_host: dict = field(default_factory=dict)
    refusals_by_host: dict = field(default_factory=dict)
    stopped_hosts: dict = field(default_factory=dict)
    posts: int = 0
    seconds: float = 0.0
    rates: dict = field(default_factory=dict)                       # host -> rps used

    @property
    def requests(self) -> int:
        return sum(self.requests_by_host.values())


async def observe_all(accounts: list[Account], settings: MediaSettings, progress=None) -> tuple[list[Observation], RunStats]:
    """Read many accounts concurrently; per-host limits keep each platform at its pace."""
    stats = RunStats(accounts=len(accounts))
    t0 = time.monotonic()
    sem = asyncio.Semaphore(max(1, settings.concurrency))
    async with Fetcher(settings) as fetcher:
        async def one(a: Account) -> Observation:
            async with sem:
                obs = await observe(a, fetcher, settings)
            if progress:
                progress(obs)
            return obs

        results = await asyncio.gather(*(one(a) for a in accounts))
        limiter = fetcher.limiter
        stats.requests_by_host = dict(limiter.requests)
        stats.refusals_by_host = dict(limiter.refusals)
        stats.stopped_hosts = dict(limiter.stopped)
        stats.rates = {h: settings.rps_for(h) for h in limiter.requests}
    for obs in results:
        stats.by_status[obs.status] += 1
        stats.by_platform_status[(obs.platform, obs.status)] += 1
        stats.posts += len(obs.posts)
    stats.seconds = time.monotonic() - t0
    return list(results), stats


def observe_sync(accounts: list[Account], settings: MediaSettings, progress=None) -> tuple[list[Observation], RunStats]:
    return asyncio.run(observe_all(accounts, settings, progress))


def family_of(account: Account, settings: MediaSettings) -> str:
    """The host family an account's first request goes to (how the DAG shards): weibo | wechat | feeds."""
    url, _ = start_url(account, settings)
    if url is None:
        return "feeds"
    try:
        fam = settings.family_of_host(host_key(url))
    except ValueError:
        return "feeds"
    return fam if fam in ("weibo", "wechat") else "feeds"
