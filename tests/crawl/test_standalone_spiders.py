"""The ``letters`` and ``link_check`` spiders on their own (the full crawl does both as part of a
site crawl), against the session's crawl of the small sandbox world."""

from __future__ import annotations

from govmon.crawl import runner
from tests.crawl.conftest import CRAWL_SETTINGS


def _run(c, spider, keys):
    sites = [{"site_id": c.site_ids[k], "site_code": c.scenario.site(k).site_code, "name": k,
              "url": c.sandbox.url(k), "organizer": ""} for k in keys]
    run_id = runner.start_run(c.url, trigger=f"test:{spider}", site_count=len(sites), shard_count=1)
    f = runner.write_sites_file(run_id, 0, sites, 365, 365, {})
    res = runner.run_shard(run_id, 0, f, url=c.url, settings=CRAWL_SETTINGS, spider=spider, timeout=120)
    assert res.loaded, res.error
    return run_id


def test_letters_spider_reads_the_letters_only(small_crawl):
    c = small_crawl
    run_id = _run(c, "letters", ["finance"])
    got = c.query("select asked_date, replied_date, status_text from raw.gov_site__letters where crawl_run_id = %s "
                  "order by 1, 2", (run_id,))
    full = c.query("select asked_date, replied_date, status_text from raw.gov_site__letters where crawl_run_id = %s "
                   "and site_id = %s order by 1, 2", (c.run_id, c.site_ids["finance"]))
    assert got == full and len(got) == 27
    assert c.query("select spider, letters_status from raw.gov_site__site_crawls where crawl_run_id = %s",
                   (run_id,)) == [("letters", "read")]
    assert c.query("select count(*) from raw.gov_site__columns where crawl_run_id = %s and kind = 'column'",
                   (run_id,)) == [(0,)]


def test_link_check_spider_confirms_broken_links(small_crawl):
    c = small_crawl
    run_id = _run(c, "link_check", ["edu", "housing", "portal"])
    got = c.query("select site_id, url, error_class from marts.fct_gov_site__broken_links where crawl_run_id = %s "
                  "order by 1, 2", (run_id,))
    before = c.query("select site_id, url, error_class from marts.fct_gov_site__broken_links where crawl_run_id = %s "
                     "and site_id = any(%s) order by 1, 2",
                     (c.run_id, [c.site_ids[k] for k in ("edu", "housing", "portal")]))
    assert got == before and len(got) == 9
    assert c.query("select count(*) from raw.gov_site__links where crawl_run_id = %s", (run_id,)) == [(9,)]


def test_time_budget_stops_a_slow_site_and_says_so(small_crawl, db_url):
    """edu answers every request 0.4 s late: with a 3 s budget the crawl stops early, the requests
    already queued are dropped without being sent, and the budget is reported."""
    from govmon.registry import import_registry

    c = small_crawl
    reg = c.sandbox.registry_dir
    import_registry(sites=reg / "sites.csv", regions=reg / "regions.csv", url=db_url)
    before = c.sandbox.counters("edu")["requests"]
    summary = runner.crawl_sites([c.scenario.site("edu").site_code], url=db_url, trigger="test",
                                 settings={**CRAWL_SETTINGS, "GOVCRAWL_SITE_TIME_BUDGET": 3}, timeout=120)
    sent = c.sandbox.counters("edu")["requests"] - before
    assert not summary.failed_shards
    import psycopg2

    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select outcome, budget_hit, links_checked from raw.gov_site__site_crawls")
        outcome, budget, links = cur.fetchone()
        cur.execute("select count(*) from raw.gov_site__links")
        (checked,) = cur.fetchone()
        cur.execute("select fault_class, request_kind from raw.gov_site__faults where fault_class = 'budget'")
        faults = cur.fetchall()
    assert outcome == "ok" and budget == ["time"] and faults == [("budget", "time")]
    assert checked < links          # link checks were dropped, and none of them became a "broken" row
    assert sent < 60 < links        # the full crawl of edu sends about 170 requests
