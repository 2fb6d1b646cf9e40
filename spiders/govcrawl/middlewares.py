"""Downloader middlewares.

``NetworkPolicyMiddleware``: when ``GOVCRAWL_ALLOWED_NETWORKS`` is set (tests, the demo and the
benchmarks set ``127.0.0.0/8``), a request to a literal address outside those networks, or to a
host name at all, is refused with ``IgnoreRequest("network policy")`` before anything is sent;
the spider records it as a ``policy`` fault.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest


class NetworkPolicyMiddleware:
    def __init__(self, networks: str):
        self.networks = [ipaddress.ip_network(n.strip()) for n in networks.split(",") if n.strip()]

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("GOVCRAWL_ALLOWED_NETWORKS", ""))

    def allowed(self, url: str) -> bool:
        if not self.networks:
            return True
        host = urlsplit(url).hostname or ""
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(ip in n for n in self.networks)

    def process_request(self, request, spider=None):
        if not self.allowed(request.url):
            raise IgnoreRequest(f"network policy: {urlsplit(request.url).hostname} is outside "
                                f"{','.join(map(str, self.networks))}")
        return None


class SiteTimeBudgetMiddleware:
    """Per-site time budget, enforced when a request is about to be sent (requests already queued
    when the budget runs out are dropped too): ``IgnoreRequest("budget: time")``, counted by the
    spider and reported as one ``budget`` fault per site. The robots.txt and homepage requests are
    always sent."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = self.crawler.spider
        site = request.meta.get("site")
        if site is None or request.meta.get("kind") in ("home", "robots"):
            return None
        st = getattr(spider, "_by_id", {}).get(site)
        if st is not None and not st.time_left():
            raise IgnoreRequest("budget: time")
        return None
