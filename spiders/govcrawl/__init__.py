"""govcrawl: the Scrapy project that crawls government websites. Spiders navigate; extraction lives
in ``govmon.parsing`` (no Scrapy there); pipelines spool items and bulk-load them (COPY)."""
