"""Website crawling (issue 4): plan a crawl run, run the Scrapy spiders in fresh processes (one per
shard), bulk-load what they saw into the ``raw.gov_site__*`` tables.

- :mod:`govmon.crawl.tables`    raw tables and their column order (the COPY contract)
- :mod:`govmon.crawl.load`      spool rows to disk, COPY them per (run, site), idempotently
- :mod:`govmon.crawl.overrides` per-site overrides operators set (config/site_overrides.yaml)
- :mod:`govmon.crawl.runner`    crawl runs, shards, the Scrapy subprocess
- :mod:`govmon.crawl.commands`  ``govmon crawl sites``
- :mod:`govmon.crawl.demo`      the demo step
"""
