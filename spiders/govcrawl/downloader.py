"""A Scrapy downloader that enforces the per-site time budget when a request leaves its download
slot's queue, not only when it enters the downloader: with 2 requests per site in flight, a slow
site's queue can hold many requests that were accepted before its budget ran out, and AutoThrottle
would release them one delay apart. The first expired request purges every expired request of the
slot's queue at once; each is failed with ``IgnoreRequest("budget: time")`` (counted by the spider,
one ``budget`` fault per site).

It overrides ``Downloader._download`` (Scrapy 2.19, pinned); tests/crawl exercises it.
"""

from __future__ import annotations

from collections import deque

from scrapy.core.downloader import Downloader
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure


class BudgetDownloader(Downloader):
    async def _download(self, slot, request):
        allowed = getattr(self.crawler.spider, "download_allowed", None)
        if allowed is not None and not allowed(request):
            self._purge(slot, allowed)
            raise IgnoreRequest("budget: time")
        return await super()._download(slot, request)

    @staticmethod
    def _purge(slot, allowed) -> None:
        keep, dropped = deque(), []
        while slot.queue:
            item = slot.queue.popleft()
            (keep if allowed(item[0]) else dropped).append(item)
        slot.queue.extend(keep)
        for _request, dfd in dropped:
            dfd.errback(Failure(IgnoreRequest("budget: time")))
