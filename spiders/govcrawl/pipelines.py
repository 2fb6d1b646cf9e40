"""Item pipeline: every item is a dict naming its raw table (``_table``); rows are spooled to disk in
COPY format while the crawl runs and bulk-loaded (``COPY … FROM STDIN``) when the spider closes, in
one transaction that first deletes this run's rows of the shard's sites (idempotent per run).

Database settings come from the crawler (``GOVMON_DATABASE_URL`` in the environment, as every
govmon process). After a successful load the pipeline writes ``GOVCRAWL_RESULT_FILE`` (JSON: rows
per table, pages, seconds) so the runner knows the shard is in the database.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)


class CopyLoadPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.spool = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        from govmon.crawl.load import RawSpool

        spool_dir = self.crawler.settings.get("GOVCRAWL_SPOOL_DIR")
        self.spool = RawSpool(spool_dir or None)
        self.started = time.monotonic()

    def process_item(self, item):
        table = item.pop("_table")
        spider = self.crawler.spider
        item.setdefault("crawl_run_id", spider.run_id)
        self.spool.add(table, item)
        return item

    def close_spider(self):
        from govmon import db

        spider = self.crawler.spider
        for table, row in spider.final_rows():
            row.setdefault("crawl_run_id", spider.run_id)
            self.spool.add(table, row)
        site_ids = {s.site_id for s in spider.sites}
        conn = db.connect(os.environ.get("GOVMON_DATABASE_URL") or None)
        try:
            t0 = time.monotonic()
            counts = self.spool.load(conn, spider.run_id, site_ids)
            load_s = time.monotonic() - t0
        finally:
            conn.close()
            self.spool.cleanup()
        stats = self.crawler.stats
        result = {
            "crawl_run_id": spider.run_id,
            "shard": spider.shard,
            "sites": len(site_ids),
            "rows": counts,
            "responses": stats.get_value("downloader/response_count", 0),
            "requests": stats.get_value("downloader/request_count", 0),
            "pages_fetched": sum(s.pages_fetched for s in spider.sites),
            "links_checked": sum(s.links_checked for s in spider.sites),
            "seconds": round(time.monotonic() - self.started, 3),
            "load_seconds": round(load_s, 3),
        }
        log.info("loaded crawl run %s shard %s: %s", spider.run_id, spider.shard, result)
        out = self.crawler.settings.get("GOVCRAWL_RESULT_FILE")
        if out:
            Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
