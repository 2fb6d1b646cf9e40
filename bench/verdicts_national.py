"""Verdicts for a national-scale synthetic quarter, against one sequential scan of the same inputs.

    .venv/bin/python bench/verdicts_national.py                     # the issue's scale (see --help)
    .venv/bin/python bench/verdicts_national.py --probe-days 14     # fewer probe days, quicker to build
    .venv/bin/python bench/verdicts_national.py --keep              # keep the database …
    .venv/bin/python bench/verdicts_national.py --reuse             # … and time again on it, without building

Builds, in a throw-away database ``govmon_bench`` on the project's Postgres (GOVMON_DATABASE_URL, or
the local cluster), a quarter of collected data in the tables the collectors fill: 14,000 sites,
140,000 accounts, 48 probes per site per day, 5 million posts, 2 million column observations (list
items), 3 million links, plus each site's crawl, columns, homepage items, letters and footer
identity. Then, in the same run:

- baseline: one sequential scan of every input table (``select count(*)`` with index scans off);
- verdicts: ``govmon.verdicts.compute`` with every real check in sql/verdicts/checks, the roll-up and
  publication.

It prints both times and their ratio (goal ≤ 3), then what keeping the per-day probe counts that W-V2
reads (staging.stg_probe__site_days, kept by triggers as probes land) costs a probe round's COPY, and
what keeping each column's newest date that W-V4 reads (staging.stg_gov_site__column_newest, kept by
triggers as crawls land) costs the COPY of a crawl shard's list items.
The data is made with set-based SQL (generate_series) so that building it does not dominate the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from govmon import db, pgcluster
from govmon.quarters import TZ, Quarter
from govmon.verdicts.compute import compute

INPUTS = [
    "raw.probe__probes", "raw.probe__rounds", "staging.stg_probe__site_days",
    "raw.media__fetches", "raw.media__posts", "staging.stg_media__posts",
    "raw.gov_site__site_crawls", "raw.gov_site__columns", "raw.gov_site__list_items",
    "staging.stg_gov_site__column_newest",
    "raw.gov_site__homepage_items", "raw.gov_site__links", "raw.gov_site__letters", "raw.gov_site__identity",
    "registry.sites", "registry.accounts",
]


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def build(url: str, a) -> None:
    as_of = a.as_of
    t0 = time.monotonic()

    def step(label: str, sql: str, params: dict | None = None) -> None:
        s = time.monotonic()
        conn = psycopg2.connect(url)
        conn.autocommit = True  # one implicit transaction per step's script; lets VACUUM run
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params or {})
        finally:
            conn.close()
        print(f"  {label:<34} {time.monotonic() - s:7.1f} s", flush=True)

    p = {"sites": a.sites, "accounts": a.accounts, "as_of": as_of, "days": a.probe_days, "per_day": a.probes_per_day,
         "posts": a.posts, "items": a.column_items, "links": a.links}
    step("registry", """
        insert into registry.imports (import_id, kind, file_name, file_sha256, row_count) values
            (1, 'sites', 'bench', 'bench', %(sites)s), (2, 'accounts', 'bench', 'bench', %(accounts)s);
        insert into registry.sites (site_id, site_code, name, url, organizer, region_code, kind, status,
                                    first_import_id, last_import_id)
        select i, (1100000000 + i)::text, '网站' || i, 'http://site' || i || '.gov.cn/', '单位' || i,
               substr((1100000000 + i)::text, 1, 6), case when i %% 10 = 0 then '政府门户网站' else '部门网站' end,
               '运行', 1, 1
        from generate_series(1, %(sites)s) i;
        insert into registry.accounts (account_id, identity_key, platform, name, account_type, platform_account_id,
                                       organizer, region_code, status, first_import_id, last_import_id)
        select i, (array['微信','微博','抖音','今日头条'])[1 + i %% 4] || ':id:a' || i,
               (array['微信','微博','抖音','今日头条'])[1 + i %% 4], '账号' || i, null, 'a' || i, '单位' || (i %% 14000),
               substr((1100000000 + i %% 14000)::text, 1, 6), '运行', 2, 2
        from generate_series(1, %(accounts)s) i;
    """, p)
    step("probes (rounds)", """
        insert into raw.probe__rounds (round_id, source, started_at, finished_at, sites, control_ok)
        select 'bench:' || s, 'probe', ts, ts + interval '20 seconds', %(sites)s, true
        from generate_series(1, %(days)s * %(per_day)s) s,
             lateral (select %(as_of)s::timestamptz - make_interval(mins => s * (1440 / %(per_day)s)) as ts) t;
        select raw.ensure_probe_partitions(%(as_of)s::timestamptz - make_interval(days => %(days)s + 1), %(as_of)s);
    """, p)
    # a day at a time, oldest first: the rows land in time order, as rounds do when they are loaded.
    # Latencies spread over 0.2–3.2 s; one probe in 1,000 opened the homepage only after the timeout
    # (an imported log's 15.5 s), a failure. The per-day counts (staging.stg_probe__site_days) are
    # built after the load in one pass, as migration 0015 does; what keeping them costs a round is
    # measured below (load_overhead).
    s = time.monotonic()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("alter table raw.probe__probes disable trigger probe_site_days_insert")
    for day in range(a.probe_days, -1, -1):
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("""
                insert into raw.probe__probes (round_id, site_id, probed_at, url, ok, status_code, latency_ms, bytes,
                                               error_class)
                select r.round_id, s.i, r.started_at + make_interval(secs => (s.i %% 20)),
                       'http://site' || s.i || '.gov.cn/',
                       f.ok, case when f.ok then 200 else 503 end,
                       case when f.ok and hashint4(s.i * 104729 # hashtext(r.round_id)) %% 1000 = 0 then 15500
                            else 200 + abs(hashint4(s.i # hashtext(r.round_id))) %% 3000 end,
                       30000,
                       case when f.ok then null else 'http_5xx' end
                from raw.probe__rounds r
                cross join generate_series(1, %(sites)s) s(i)
                cross join lateral (select (hashint4(s.i * 7919 + length(r.round_id)) %% 100) <> 0 as ok) f
                where r.started_at >= %(as_of)s::timestamptz - make_interval(days => %(day)s + 1)
                  and r.started_at < %(as_of)s::timestamptz - make_interval(days => %(day)s)
                order by r.started_at, s.i
            """, {**p, "day": day})
    print(f"  {'probes':<34} {time.monotonic() - s:7.1f} s", flush=True)
    step("probes per site and day", """
        alter table raw.probe__probes enable trigger probe_site_days_insert;
        select staging.rebuild_probe_site_days();
    """)
    step("media fetches", """
        insert into raw.media__fetches (collect_date, account_id, platform, adapter, status, fetched_at, server_date,
                                        reference_at, live_name, name_source, account_exists, post_count, complete,
                                        newest_post_at, comments_open, interaction_source, requests)
        select (%(as_of)s::timestamptz at time zone 'Asia/Shanghai')::date, a.account_id, a.platform, 'bench', 'ok',
               %(as_of)s, %(as_of)s, %(as_of)s, a.name, 'profile', true, 36, true,
               %(as_of)s::timestamptz - interval '1 day', true, 'bench', 2
        from registry.accounts a;
    """, p)
    step("posts (raw)", """
        insert into raw.media__posts (collect_date, account_id, post_key, published_at, precision, is_original)
        select (%(as_of)s::timestamptz at time zone 'Asia/Shanghai')::date, 1 + (n %% %(accounts)s), 'p' || n,
               %(as_of)s::timestamptz - make_interval(hours => (n / %(accounts)s) * 60 + hashint4(n) %% 40),
               'minute', n %% 3 <> 0
        from generate_series(0, %(posts)s - 1) n;
    """, p)
    step("posts (staging)", """
        insert into staging.stg_media__posts (account_id, post_key, published_at, precision, is_original,
                                              first_seen_date, last_seen_date)
        select account_id, post_key, published_at, precision, is_original, collect_date, collect_date
        from raw.media__posts;
    """, p)
    step("crawl: runs, sites, identity", """
        insert into raw.gov_site__runs (crawl_run_id, started_at, finished_at, status, site_count)
        values (1, %(as_of)s::timestamptz - interval '2 hours', %(as_of)s::timestamptz - interval '1 hour', 'done',
                %(sites)s);
        insert into raw.gov_site__site_crawls (crawl_run_id, site_id, homepage_url, started_at, finished_at, outcome,
                                               homepage_status, navigation_only, homepage_items, homepage_dated,
                                               columns_found, letters_status, pages_fetched, links_checked)
        select 1, i, 'http://site' || i || '.gov.cn/', %(as_of)s::timestamptz - interval '2 hours',
               %(as_of)s::timestamptz - interval '1 hour', 'ok', 200, false, 10, 10, 30, 'read', 200, 214
        from generate_series(1, %(sites)s) i;
        insert into raw.gov_site__identity (crawl_run_id, site_id, page_url, footer_site_code, footer_organizer,
                                            meta_site_code)
        select 1, i, 'http://site' || i || '.gov.cn/', (1100000000 + i)::text, '单位' || i, (1100000000 + i)::text
        from generate_series(1, %(sites)s) i;
    """, p)
    step("crawl: homepage items", """
        insert into raw.gov_site__homepage_items (crawl_run_id, site_id, item_url, position, title, date_text, list_date,
                                                  year_shown)
        select 1, i, 'http://site' || i || '.gov.cn/art/' || k || '.html', k, '标题', '',
               (%(as_of)s::timestamptz at time zone 'Asia/Shanghai')::date - (k * 2 + i %% 3), true
        from generate_series(1, %(sites)s) i, generate_series(1, 10) k;
    """, p)
    step("crawl: columns", """
        insert into raw.gov_site__columns (crawl_run_id, site_id, column_url, name, kind, level, column_type, type_source,
                                           list_status, list_fetched_at, pages_crawled, items_seen, dated_items,
                                           list_latest_date, is_blank)
        select 1, i, 'http://site' || i || '.gov.cn/col/' || c || '/', '栏目' || c, 'column', 1,
               (array['dynamic_news','notice','policy','personnel','plan','other'])[1 + c %% 6], 'name', 200,
               %(as_of)s::timestamptz - interval '90 minutes', 1, 5, 5,
               (%(as_of)s::timestamptz at time zone 'Asia/Shanghai')::date - (c %% 10), false
        from generate_series(1, %(sites)s) i, generate_series(1, 30) c;
    """, p)
    step("crawl: list items", """
        insert into raw.gov_site__list_items (crawl_run_id, site_id, column_url, item_url, list_url, page_no, position,
                                              title, date_text, list_date, year_shown)
        select 1, s, 'http://site' || s || '.gov.cn/col/' || c || '/',
               'http://site' || s || '.gov.cn/col/' || c || '/art' || n || '.html',
               'http://site' || s || '.gov.cn/col/' || c || '/', 1, n / %(sites)s, '标题', '',
               (%(as_of)s::timestamptz at time zone 'Asia/Shanghai')::date - (c %% 10) - (n / %(sites)s / 30), true
        from generate_series(0, %(items)s - 1) n,
             lateral (select 1 + n %% %(sites)s as s, 1 + (n / %(sites)s) %% 30 as c) x;
    """, p)
    step("crawl: links", """
        insert into raw.gov_site__links (crawl_run_id, site_id, url, parent_url, on_homepage, link_kind, is_outbound,
                                         method, status, checked_at, elapsed_ms)
        select 1, 1 + n %% %(sites)s, 'http://site' || (1 + n %% %(sites)s) || '.gov.cn/l/' || n,
               'http://site' || (1 + n %% %(sites)s) || '.gov.cn/', (n / %(sites)s) < 40, 'page', false, 'HEAD',
               case when hashint4(n) %% 200 = 0 then 404 else 200 end, %(as_of)s::timestamptz - interval '1 hour', 50
        from generate_series(0, %(links)s - 1) n;
    """, p)
    step("crawl: letters", """
        insert into raw.gov_site__letters (crawl_run_id, site_id, list_url, page_no, position, title, asked_text,
                                           asked_date, replied_text, replied_date, status_text)
        select 1, i, 'http://site' || i || '.gov.cn/xx/', 1, k, '留言', '', d - 10 * k, '', d - 10 * k + 5, '已回复'
        from generate_series(1, %(sites)s) i, generate_series(1, 5) k,
             lateral (select (%(as_of)s::timestamptz at time zone 'Asia/Shanghai')::date as d) x;
    """, p)
    # what autovacuum would have done over a quarter of inserts: statistics, the visibility map, and
    # every BRIN range summarized
    step("vacuum analyze", "vacuum analyze")
    print(f"  built in {time.monotonic() - t0:.0f} s", flush=True)


def scan_all(url: str) -> tuple[float, dict[str, int]]:
    counts = {}
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("set enable_indexscan = off; set enable_indexonlyscan = off; set enable_bitmapscan = off")
        start = time.monotonic()
        for table in INPUTS:
            cur.execute(f"select count(*) from {table}")
            counts[table] = cur.fetchone()[0]
        return time.monotonic() - start, counts


def _copy_overhead(url: str, source: str, params: dict, target: str, trigger: str,
                   repeats: int) -> tuple[int, float, float]:
    """The median seconds to COPY the rows of ``source`` (a query) into ``target`` (a table with its
    column list) with its insert ``trigger`` and without, each in a transaction rolled back. Returns
    (rows, with, without)."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            buf = io.StringIO()
            cur.copy_expert(cur.mogrify(f"copy ({source}) to stdout", params).decode(), buf)
            conn.rollback()
            rows = buf.getvalue().count("\n")
            table = target.split(" ", 1)[0]
            times: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(repeats):
                for enabled in (True, False):
                    if not enabled:
                        cur.execute(f"alter table {table} disable trigger {trigger}")
                    buf.seek(0)
                    start = time.monotonic()
                    cur.copy_expert(f"copy {target} from stdin", buf)
                    times[enabled].append(time.monotonic() - start)
                    conn.rollback()
            return rows, statistics.median(times[True]), statistics.median(times[False])
    finally:
        conn.close()


def load_overhead(url: str, a, repeats: int = 5) -> tuple[float, float]:
    """What keeping staging.stg_probe__site_days costs a probe round: the median seconds to COPY one
    round (a probe of every site, on the 监测时间点's day, so it adds to rows already there) with its
    trigger and without. Returns (with, without)."""
    _, with_trigger, without = _copy_overhead(
        url,
        """select 'bench:overhead', i, %(at)s::timestamptz - interval '30 minutes', 'http://site' || i || '.gov.cn/',
                  true, 200, 200 + abs(hashint4(i # hashtext('bench:overhead'))) %% 3000, 30000
           from generate_series(1, %(sites)s) i""",
        {"at": a.as_of, "sites": a.sites},
        "raw.probe__probes (round_id, site_id, probed_at, url, ok, status_code, latency_ms, bytes)",
        "probe_site_days_insert", repeats)
    return with_trigger, without


def crawl_load_overhead(url: str, a, sites: int = 1_000, repeats: int = 3) -> tuple[int, float, float]:
    """What keeping staging.stg_gov_site__column_newest costs a crawl's load: the median seconds to
    COPY the list items of a shard of ``sites`` sites (as many items per site as the benchmark's
    crawl), as a crawl run of their own, with the triggers and without. Returns (items, with, without)."""
    return _copy_overhead(
        url,
        """select 999999, s, 'http://site' || s || '.gov.cn/col/' || (1 + n %% 30) || '/',
                  'http://site' || s || '.gov.cn/col/' || (1 + n %% 30) || '/art' || n || '.html',
                  'http://site' || s || '.gov.cn/col/' || (1 + n %% 30) || '/', 1, n, '标题', '',
                  (%(as_of)s::timestamptz at time zone 'Asia/Shanghai')::date - (n %% 40), true
           from generate_series(1, %(sites)s) s, generate_series(1, %(per_site)s) n""",
        {"as_of": a.as_of, "sites": sites, "per_site": max(1, a.column_items // a.sites)},
        "raw.gov_site__list_items (crawl_run_id, site_id, column_url, item_url, list_url, page_no, position, title, "
        "date_text, list_date, year_shown)",
        "column_newest_insert", repeats)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=14_000)
    ap.add_argument("--accounts", type=int, default=140_000)
    ap.add_argument("--probes-per-day", type=int, default=48)
    ap.add_argument("--probe-days", type=int, default=91, help="days of probes (a quarter: 91)")
    ap.add_argument("--posts", type=int, default=5_000_000)
    ap.add_argument("--column-items", type=int, default=2_000_000)
    ap.add_argument("--links", type=int, default=3_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the govmon_bench database")
    ap.add_argument("--reuse", action="store_true",
                    help="time again on a database kept by an earlier --keep run (its runs are deleted first)")
    a = ap.parse_args()
    quarter = Quarter(2026, 3)
    a.as_of = dt.datetime(2026, 9, 30, 23, 0, tzinfo=TZ)

    server = pgcluster.resolve_url()
    admin = psycopg2.connect(_with_db(server, "postgres"))
    admin.autocommit = True
    url = _with_db(server, "govmon_bench")
    with admin.cursor() as cur:
        cur.execute("select 1 from pg_database where datname = 'govmon_bench'")
        reuse = a.reuse and cur.fetchone() is not None
        if not reuse:
            cur.execute("drop database if exists govmon_bench with (force)")
            cur.execute("create database govmon_bench")
    try:
        db.migrate(url)
        if reuse:  # the same quarter computed the first time again: no runs, no dead rows left by them
            print("reusing the kept govmon_bench database")
            conn = psycopg2.connect(url)
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("delete from verdicts.published; delete from verdicts.runs; delete from verdicts.review_items")
                cur.execute("vacuum verdicts.run_entities, verdicts.check_results, verdicts.run_verdicts, verdicts.runs")
            conn.close()
        else:
            print(f"building: {a.sites} sites, {a.accounts} accounts, {a.probes_per_day} probes/site/day × "
                  f"{a.probe_days} days, {a.posts} posts, {a.column_items} column items, {a.links} links")
            build(url, a)
        scan_s, counts = scan_all(url)
        rows = sum(counts.values())
        print(f"inputs: {rows:,} rows in {len(counts)} tables")
        start = time.monotonic()
        result = compute(quarter, as_of=a.as_of, url=url)
        compute_s = time.monotonic() - start
        scan2_s, _ = scan_all(url)  # a second scan: the baseline with a warm cache, like the compute saw
        baseline = min(scan_s, scan2_s)
        print(f"baseline: one sequential scan of the inputs   {baseline:8.1f} s")
        print(f"verdicts: {len(result.checks)} checks + roll-up + publish {compute_s:8.1f} s")
        print(f"ratio verdicts / scan: {compute_s / baseline:.2f} (goal ≤ 3)")
        print("where the time went (s):")
        for name, seconds in sorted(result.timings.items(), key=lambda kv: -kv[1]):
            if seconds >= 0.05:
                print(f"  {name:<40} {seconds:6.2f}")
        for line in result.summary():
            print(f"  {line}")
        with_trigger, without = load_overhead(url, a)
        print(f"a probe round's COPY ({a.sites} probes), median of 5: {with_trigger:.3f} s keeping the per-day "
              f"counts, {without:.3f} s without ({with_trigger / without:.2f}×)")
        items, with_trigger, without = crawl_load_overhead(url, a)
        print(f"a crawl shard's list items COPY (1000 sites, {items} items), median of 3: {with_trigger:.3f} s "
              f"keeping each column's newest date, {without:.3f} s without ({with_trigger / without:.2f}×)")
    finally:
        if not (a.keep or a.reuse):
            with admin.cursor() as cur:
                cur.execute("drop database if exists govmon_bench with (force)")
        admin.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
