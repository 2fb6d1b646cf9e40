"""staging.stg_gov_site__column_newest, each column's newest item date that W-V4 reads: kept by
triggers through every way list items and article pages change, equal each time to the aggregate
of staging.stg_gov_site__column_items it stands for; and W-V4 on it, for a crawl made after the
监测时间点, ignoring the items dated after it as before."""

from __future__ import annotations

import datetime as dt
import random

import psycopg2
import pytest

from govmon.crawl.load import RawSpool
from tests.crawl.synth import AS_OF, DAY, World, ago
from tests.crawl.synth import run as run_check

W_V4 = "w_v4__site__columns_not_updated"


def _table(cur) -> list[tuple]:
    cur.execute("select crawl_run_id, site_id, column_url, items, dated_items, latest_date "
                "from staging.stg_gov_site__column_newest order by 1, 2, 3")
    return cur.fetchall()


def _oracle(cur) -> list[tuple]:
    """What the table stands for: the view's items aggregated per column, now."""
    cur.execute("select crawl_run_id, site_id, column_url, count(*)::int, count(item_date)::int, max(item_date) "
                "from staging.stg_gov_site__column_items group by 1, 2, 3 order by 1, 2, 3")
    return cur.fetchall()


def _rebuilt(cur) -> list[tuple]:
    """The table computed again from every list item, in a transaction rolled back."""
    cur.execute("begin")
    cur.execute("select staging.rebuild_column_newest()")
    rows = _table(cur)
    cur.execute("rollback")
    return rows


def _crawl_rows(rng: random.Random, run: int, site: int) -> dict[str, list[dict]]:
    """A site's list items and article pages: dated lists, lists printing 月-日 only whose articles
    correct the year, undated lists whose articles carry the date, and articles with visible-text dates."""
    items, articles = [], []
    for c in range(rng.randrange(2, 6)):
        column = f"http://127.10.7.{site}:1/col/{c}/"
        year_shown = rng.random() < 0.6
        for i in range(rng.randrange(1, 6)):
            url = f"{column}{i}.html"
            listed = None if rng.random() < 0.2 else ago(rng.randrange(-3, 400))
            items.append({"crawl_run_id": run, "site_id": site, "column_url": column, "item_url": url,
                          "list_url": column, "page_no": 0, "position": i, "title": "标题", "list_date": listed,
                          "year_shown": None if listed is None else year_shown})
            if rng.random() < 0.5:
                if listed is not None and not year_shown and rng.random() < 0.5:
                    pub = listed - dt.timedelta(days=365)  # the article's year: the list's was inferred wrong
                else:
                    pub = ago(rng.randrange(0, 500))
                articles.append({"crawl_run_id": run, "site_id": site, "url": url, "column_url": column,
                                 "pub_date": pub, "date_source": rng.choice(["meta:pubdate", "text"]),
                                 "fetched_at": AS_OF})
    return {"gov_site__list_items": items, "gov_site__articles": articles}


def _load(url: str, run: int, sites: dict[int, dict[str, list[dict]]]) -> None:
    """The crawl loader's way: delete the (run, site) pairs' rows, then COPY, in one transaction."""
    spool = RawSpool()
    try:
        for rows in sites.values():
            for table, table_rows in rows.items():
                for row in table_rows:
                    spool.add(table, row)
        conn = psycopg2.connect(url)
        try:
            spool.load(conn, run, set(sites))
        finally:
            conn.close()
    finally:
        spool.cleanup()


@pytest.fixture
def w(db_url):
    world = World(db_url)
    yield world
    world.close()


def test_kept_equal_to_the_items_through_every_change(w):
    rng = random.Random(20261121)
    sites = [w.site() for _ in range(6)]
    runs = [w.crawl(s) for s in sites[:2]]  # two crawl runs (the World makes one per crawl)
    cur = w.cur

    # 1. loaded by the crawl loader: both runs, every site
    for run in runs:
        _load(w.url, run, {s: _crawl_rows(rng, run, s) for s in sites})
    assert _table(cur) == _oracle(cur) == _rebuilt(cur)
    assert len(_table(cur)) > 20
    assert any(row[4] < row[3] for row in _table(cur))  # undated items are counted apart

    # 2. a shard loaded again: its sites' rows replaced, others kept
    _load(w.url, runs[0], {s: _crawl_rows(rng, runs[0], s) for s in sites[:3]})
    assert _table(cur) == _oracle(cur)

    # 3. an article page whose date moves the column's newest date (its own item, or the list's year)
    cur.execute("""
        select a.crawl_run_id, a.site_id, a.url from raw.gov_site__articles a
        join raw.gov_site__list_items li
          on li.crawl_run_id = a.crawl_run_id and li.site_id = a.site_id and li.item_url = a.url
        where a.date_source like 'meta:%%' order by 1, 2, 3 limit 3""")
    moved = cur.fetchall()
    assert moved
    for run, site, url in moved:
        cur.execute("update raw.gov_site__articles set pub_date = %s where crawl_run_id = %s and site_id = %s "
                    "and url = %s", (DAY, run, site, url))
    assert _table(cur) == _oracle(cur)

    # 4. items and pages deleted, an item moved to another column
    cur.execute("delete from raw.gov_site__articles where site_id = %s", (sites[3],))
    assert _table(cur) == _oracle(cur)
    cur.execute("delete from raw.gov_site__list_items where site_id = %s and position = 0", (sites[4],))
    assert _table(cur) == _oracle(cur)
    cur.execute("update raw.gov_site__list_items set column_url = column_url || 'moved/' "
                "where site_id = %s and position = 1", (sites[5],))
    assert _table(cur) == _oracle(cur)

    # 5. truncates: the article pages (the lists' dates stay), then the items
    cur.execute("truncate raw.gov_site__articles")
    assert _table(cur) == _oracle(cur) and _table(cur)
    cur.execute("truncate raw.gov_site__list_items")
    assert _table(cur) == [] == _oracle(cur)


def test_a_load_rolled_back_leaves_the_table_as_it_was(w):
    rng = random.Random(7)
    site = w.site()
    run = w.crawl(site)
    _load(w.url, run, {site: _crawl_rows(rng, run, site)})
    before = _table(w.cur)
    conn = psycopg2.connect(w.url)
    try:
        with conn.cursor() as cur:
            cur.execute("delete from raw.gov_site__list_items where site_id = %s", (site,))
            assert _table(cur) == []
        conn.rollback()
    finally:
        conn.close()
    assert _table(w.cur) == before


def test_w_v4_a_crawl_after_the_as_of_ignores_the_items_dated_after_it(w):
    """The crawl a day after the 监测时间点 is the one judged. Its newest items are dated that day, after
    as_of, so the kept newest date is not the answer: the items before it are, 14 days old (stale)
    in five columns, 13 days old in the sixth."""
    site = w.site()
    run = w.crawl(site, at=AS_OF + dt.timedelta(days=1))
    for i in range(6):
        url = w.column(run, site, f"动态{i}", "dynamic_news", latest=14 if i < 5 else 13, items=2)
        w.item(run, site, url, f"{url}new.html", DAY + dt.timedelta(days=1))
    w.cur.execute("select count(*) from staging.stg_gov_site__column_newest where site_id = %s and latest_date = %s",
                  (site, DAY + dt.timedelta(days=1)))
    assert w.cur.fetchone()[0] == 6
    res = run_check(w.url, W_V4)[site]
    assert (res.status, res.problem) == ("fail", "多个栏目更新不及时")
    stale = [c for c in res.evidence["columns"] if c["finding"] == "stale_a"]
    assert len(stale) == 5
    assert {(c["latest_date"], c["age_days"], c["latest_item_url"]) for c in stale} == {
        (ago(14).isoformat(), 14, c["url"] + "0.html") for c in stale}
    # judged a day later, the same crawl's newest items count: every column is up to date
    later = run_check(w.url, W_V4, as_of=AS_OF + dt.timedelta(days=1))[site]
    assert later.status == "pass" and later.evidence["stale_dynamic_notice_policy"]["count"] == 0
