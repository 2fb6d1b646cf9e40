"""Scrapy settings for govcrawl: polite to every site, bounded in pages, links, time and bytes.

Politeness is per site, not per host name: every request of a site carries the download slot
``site<site_id>`` (so a site answering on two host names still gets at most 2 concurrent requests),
AutoThrottle adapts the delay to the site's latency, and robots.txt is fetched first, recorded
and obeyed (a disallowed URL is a ``robots_disallowed`` fault, never a silent gap).

Operational knobs are environment variables (``GOVMON_CRAWL_*``) or ``-s NAME=value``; the per-site
ones can be overridden in config/site_overrides.yaml. Verdict thresholds are never here: the
crawl reads the profile only for how far back to page (columns.long_term_max_days).
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


BOT_NAME = "govcrawl"
SPIDER_MODULES = ["govcrawl.spiders"]
NEWSPIDER_MODULE = "govcrawl.spiders"
USER_AGENT = os.environ.get(
    "GOVMON_CRAWL_USER_AGENT",
    "Mozilla/5.0 (compatible; govmon-inspector/0.1; +https://github.com/govmon) 政府网站监测")

# --- politeness ---------------------------------------------------------------------------------
CONCURRENT_REQUESTS = _env_int("GOVMON_CRAWL_CONCURRENCY", 64)      # all sites together
CONCURRENT_REQUESTS_PER_DOMAIN = 2                                   # per download slot = per site
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = _env_float("GOVMON_CRAWL_THROTTLE_START", 0.25)
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
ROBOTSTXT_OBEY = False             # the spider fetches, records and applies robots.txt itself (GOVCRAWL_OBEY_ROBOTS)
GOVCRAWL_OBEY_ROBOTS = os.environ.get("GOVMON_CRAWL_OBEY_ROBOTS", "1") not in ("0", "false", "no")

# --- bounds -------------------------------------------------------------------------------------
GOVCRAWL_PAGE_BUDGET = _env_int("GOVMON_CRAWL_PAGE_BUDGET", 500)     # GET pages per site
GOVCRAWL_LINK_BUDGET = _env_int("GOVMON_CRAWL_LINK_BUDGET", 3000)    # link checks per site
GOVCRAWL_SITE_TIME_BUDGET = _env_float("GOVMON_CRAWL_SITE_SECONDS", 900)  # seconds per site
GOVCRAWL_MAX_PAGES_PER_COLUMN = _env_int("GOVMON_CRAWL_MAX_PAGES_PER_COLUMN", 40)
GOVCRAWL_MAX_LEVEL = 3                                               # 一级, 二级, 三级 columns
GOVCRAWL_ARTICLES_PER_COLUMN = 1                                     # newest item of a dated list
GOVCRAWL_ARTICLES_UNDATED = 3                                        # newest items of an undated list
GOVCRAWL_SNAPSHOTS_PER_SITE = 80
GOVCRAWL_LETTER_DETAILS = 30       # detail pages read when a letters list shows no reply time
# only these networks may be contacted (tests, the demo and benchmarks: 127.0.0.0/8); empty: any
GOVCRAWL_ALLOWED_NETWORKS = os.environ.get("GOVMON_CRAWL_ALLOWED_NETWORKS", "")

DOWNLOAD_TIMEOUT = _env_float("GOVMON_CRAWL_TIMEOUT", 15)            # the inspection's 15 s
DOWNLOAD_MAXSIZE = _env_int("GOVMON_CRAWL_MAX_BYTES", 10 * 1024 * 1024)
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = _env_int("GOVMON_CRAWL_RETRIES", 1)
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10            # a longer chain is a redirect loop
METAREFRESH_ENABLED = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False     # Scrapy 2.19's code-execution HTTP endpoint: never in an inspection crawler
HTTPCACHE_ENABLED = False

# The spider deduplicates per site itself and sends every request with dont_filter (a redirect loop
# through an already-seen URL must reach the errback, not vanish in a dupe filter).
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"   # many sites at once
DEPTH_PRIORITY = 0
REACTOR_THREADPOOL_MAXSIZE = 4

DOWNLOADER = "govcrawl.downloader.BudgetDownloader"   # the per-site time budget, at send time
DOWNLOADER_MIDDLEWARES = {
    "govcrawl.middlewares.NetworkPolicyMiddleware": 50,
    "govcrawl.middlewares.SiteTimeBudgetMiddleware": 60,
}
ITEM_PIPELINES = {
    "govcrawl.pipelines.CopyLoadPipeline": 500,
}

LOG_LEVEL = os.environ.get("GOVMON_CRAWL_LOG_LEVEL", "INFO")
LOGSTATS_INTERVAL = 30.0
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
