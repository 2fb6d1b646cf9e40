"""Spiders, one per kind of work: ``gov_site`` (full site crawl: columns, articles, letters, links),
``letters`` (领导信箱 lists only), ``link_check`` (re-check links without crawling)."""
