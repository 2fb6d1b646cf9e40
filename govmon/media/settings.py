"""Collector settings, all from ``GOVMON_*`` environment variables (the README lists them).

Base URLs follow CONTRACT.md §2: the platform's real address by default, so a proxy, a mirror, an
RSS bridge or the sandbox can stand in. Rate limits are per host; Weibo is capped at one request
per second on any host outside 127.0.0.0/8 whatever the setting says (the platform's rule for a
single process), so only a loopback test world can be read faster.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govmon import config

WEIBO_REAL_MAX_RPS = 1.0

# RSS-bridge routes for platforms read only through a bridge, when an account has no 采集地址:
# RSSHub's routes (lib/routes/douyin/user.ts, lib/routes/toutiao/user.ts). Override with
# GOVMON_RSS_ROUTES, e.g. "抖音=/douyin/user/{id};今日头条=/toutiao/user/token/{id};快手=/ks/{id}".
DEFAULT_RSS_ROUTES = {"抖音": "/douyin/user/{id}", "今日头条": "/toutiao/user/token/{id}"}

PLATFORM_FAMILY = {"微博": "weibo", "微信": "wechat"}  # everything else: read through a feed


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} 应为数字，实为“{raw}”") from None
    if value <= 0:
        raise ValueError(f"{name} 应大于 0，实为“{raw}”")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return int(_float(env, name, default))


def parse_routes(raw: str) -> dict[str, str]:
    routes: dict[str, str] = {}
    for part in raw.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        platform, sep, route = part.partition("=")
        if not sep or "{id}" not in route:
            raise ValueError(f"GOVMON_RSS_ROUTES: “{part.strip()}”应写成 平台=/路径/{{id}}")
        routes[platform.strip()] = route.strip()
    return routes


def is_loopback_host(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost (literal names only: no DNS lookup)."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_key(url: str) -> str:
    """``scheme://host:port``: the unit rate limits apply to."""
    u = urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    return f"{u.scheme}://{(u.hostname or '').lower()}:{port}"


@dataclass(frozen=True)
class MediaSettings:
    weibo_base: str = "https://m.weibo.cn"
    wechat_base: str = "https://mp.weixin.qq.com"
    rss_base: str = ""
    weibo_rps: float = 1.0
    wechat_rps: float = 0.5
    rss_rps: float = 2.0
    other_rps: float = 1.0
    timeout_seconds: float = 20.0
    retry_delay_seconds: float = 2.0
    backoff_seconds: float = 60.0
    backoff_max_seconds: float = 900.0
    breaker_blocks: int = 5
    lookback_days: int = 100
    max_pages: int = 5
    concurrency: int = 32
    batch_size: int = 100
    user_agent: str = "Mozilla/5.0 (compatible; govmon/0.1; +政务新媒体监测, low-volume)"
    weibo_cookie: str = ""
    wechat_cookie: str = ""
    wechat_token: str = ""
    rss_routes: dict = field(default_factory=lambda: dict(DEFAULT_RSS_ROUTES))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "MediaSettings":
        """Read the environment (``env`` entries win over ``os.environ``); ``overrides`` win over both."""
        merged = dict(os.environ)
        merged.update(env or {})

        def base(platform: str) -> str:
            name, default = config.PLATFORM_BASE_URLS[platform]
            return (merged.get(name) or default).strip().rstrip("/")

        routes = dict(DEFAULT_RSS_ROUTES)
        if merged.get("GOVMON_RSS_ROUTES", "").strip():
            routes.update(parse_routes(merged["GOVMON_RSS_ROUTES"]))
        values = dict(
            weibo_base=base("weibo"),
            wechat_base=base("wechat"),
            rss_base=base("rss"),
            weibo_rps=_float(merged, "GOVMON_WEIBO_MAX_RPS", 1.0),
            wechat_rps=_float(merged, "GOVMON_WECHAT_MAX_RPS", 0.5),
            rss_rps=_float(merged, "GOVMON_RSS_MAX_RPS", 2.0),
            other_rps=_float(merged, "GOVMON_MEDIA_MAX_RPS", 1.0),
            timeout_seconds=_float(merged, "GOVMON_MEDIA_TIMEOUT_SECONDS", 20.0),
            retry_delay_seconds=_float(merged, "GOVMON_MEDIA_RETRY_DELAY_SECONDS", 2.0),
            backoff_seconds=_float(merged, "GOVMON_MEDIA_BACKOFF_SECONDS", 60.0),
            breaker_blocks=_int(merged, "GOVMON_MEDIA_BREAKER_BLOCKS", 5),
            lookback_days=_int(merged, "GOVMON_MEDIA_LOOKBACK_DAYS", 100),
            max_pages=_int(merged, "GOVMON_MEDIA_MAX_PAGES", 5),
            concurrency=_int(merged, "GOVMON_MEDIA_CONCURRENCY", 32),
            batch_size=_int(merged, "GOVMON_MEDIA_BATCH_SIZE", 100),
            user_agent=merged.get("GOVMON_MEDIA_USER_AGENT", "").strip() or cls.user_agent,
            weibo_cookie=merged.get("GOVMON_WEIBO_COOKIE", "").strip(),
            wechat_cookie=merged.get("GOVMON_WECHAT_COOKIE", "").strip(),
            wechat_token=merged.get("GOVMON_WECHAT_TOKEN", "").strip(),
            rss_routes=routes,
        )
        values.update(overrides)
        return cls(**values)

    # ---- per host ----------------------------------------------------------------------------
    def family_of_host(self, key: str) -> str:
        """weibo | wechat | rss | other, for a ``host_key``."""
        host = urlsplit(key).hostname or ""
        if self.weibo_base and key == host_key(self.weibo_base) or host.endswith(("weibo.cn", "weibo.com")):
            return "weibo"
        if self.wechat_base and key == host_key(self.wechat_base) or host.endswith("weixin.qq.com"):
            return "wechat"
        if self.rss_base and key == host_key(self.rss_base):
            return "rss"
        return "other"

    def rps_for(self, key: str) -> float:
        family = self.family_of_host(key)
        rps = {"weibo": self.weibo_rps, "wechat": self.wechat_rps, "rss": self.rss_rps}.get(family, self.other_rps)
        if family == "weibo" and not is_loopback_host(urlsplit(key).hostname):
            rps = min(rps, WEIBO_REAL_MAX_RPS)  # the platform's rule; no setting lifts it
        return rps

    def cookie_for(self, key: str) -> str:
        """A cookie is only ever sent to the platform host it belongs to."""
        family = self.family_of_host(key)
        if family == "weibo":
            return self.weibo_cookie
        if family == "wechat":
            return self.wechat_cookie
        return ""

    def describe_rates(self) -> list[str]:
        lines = []
        for label, base, family in (("微博", self.weibo_base, "weibo"), ("微信", self.wechat_base, "wechat"),
                                    ("RSS 桥接", self.rss_base, "rss")):
            if base:
                lines.append(f"{label} {base}：每秒不超过 {self.rps_for(host_key(base)):g} 次请求")
        lines.append(f"其他采集地址：每个主机每秒不超过 {self.other_rps:g} 次请求")
        return lines
