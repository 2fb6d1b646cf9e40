"""Hand-made crawl data for the check tests: registry sites and raw crawl rows, inserted directly."""

from __future__ import annotations

import datetime as dt
import itertools

import psycopg2

TZ = dt.timezone(dt.timedelta(hours=8))
AS_OF = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
DAY = AS_OF.date()


def ago(days: int) -> dt.date:
    return DAY - dt.timedelta(days=days)


class World:
    def __init__(self, url: str):
        self.url = url
        self.conn = psycopg2.connect(url)
        self.conn.autocommit = True
        self.cur = self.conn.cursor()
        self.cur.execute("insert into registry.imports (kind, file_name, file_sha256, row_count) "
                         "values ('sites', 'sites.csv', 'x', 0) returning import_id")
        self.import_id = self.cur.fetchone()[0]
        self._n = itertools.count(1)

    def close(self):
        self.conn.close()

    def site(self, status: str = "运行") -> int:
        n = next(self._n)
        code = f"369900{n:04d}"
        self.cur.execute(
            "insert into registry.sites (site_code, name, url, organizer, region_code, kind, status, first_import_id,"
            " last_import_id) values (%s, %s, %s, %s, '369900', '部门网站', %s, %s, %s) returning site_id",
            (code, f"测试网站{n}", f"http://127.10.9.{n}:1/", f"测试单位{n}", status, self.import_id, self.import_id))
        return self.cur.fetchone()[0]

    def code(self, site_id: int) -> str:
        self.cur.execute("select site_code from registry.sites where site_id = %s", (site_id,))
        return self.cur.fetchone()[0]

    def crawl(self, site_id: int, at: dt.datetime = AS_OF - dt.timedelta(hours=2), outcome: str = "ok", **kw) -> int:
        self.cur.execute("insert into raw.gov_site__runs (started_at, status) values (%s, 'done') "
                         "returning crawl_run_id", (at,))
        run = self.cur.fetchone()[0]
        row = {"crawl_run_id": run, "site_id": site_id, "homepage_url": f"http://127.10.9.{site_id}:1/",
               "started_at": at, "finished_at": at + dt.timedelta(minutes=1), "outcome": outcome,
               "fail_class": None if outcome == "ok" else kw.pop("fail_class", "timeout"),
               "navigation_only": False, "letters_status": "read", "budget_hit": []}
        row.update(kw)
        cols = ", ".join(row)
        self.cur.execute(f"insert into raw.gov_site__site_crawls ({cols}) values ({', '.join(['%s'] * len(row))})",
                         list(row.values()))
        return run

    def _insert(self, table: str, row: dict):
        cols = ", ".join(row)
        self.cur.execute(f"insert into raw.{table} ({cols}) values ({', '.join(['%s'] * len(row))})", list(row.values()))

    def column(self, run: int, site: int, name: str, typ: str, *, latest: int | None = None, level: int = 1,
               blank: bool = False, fail_class: str | None = None, kind: str = "column", undated: bool = False,
               items: int = 3, year_shown: bool = True, stop_reason: str = "last_page") -> str:
        url = f"http://127.10.9.{site}:1/col/{name}/"
        self._insert("gov_site__columns", {
            "crawl_run_id": run, "site_id": site, "column_url": url, "name": name, "kind": kind, "level": level,
            "column_type": typ, "type_source": "name", "is_blank": blank, "fail_class": fail_class,
            "list_status": 200 if fail_class is None else None, "stop_reason": stop_reason})
        if not blank and fail_class is None and (latest is not None or undated):
            for i in range(items):
                date = None if undated else ago(latest + 7 * i)
                self.item(run, site, url, f"{url}{i}.html", date, year_shown)
        return url

    def item(self, run, site, column_url, item_url, date, year_shown=True):
        self._insert("gov_site__list_items", {
            "crawl_run_id": run, "site_id": site, "column_url": column_url, "item_url": item_url,
            "list_url": column_url, "page_no": 0, "position": 0, "title": "标题", "list_date": date,
            "year_shown": None if date is None else year_shown})

    def article(self, run, site, url, date, source="meta:pubdate"):
        self._insert("gov_site__articles", {"crawl_run_id": run, "site_id": site, "url": url, "pub_date": date,
                                             "date_source": source, "fetched_at": AS_OF})

    def homepage_item(self, run, site, n: int, date):
        self._insert("gov_site__homepage_items", {
            "crawl_run_id": run, "site_id": site, "item_url": f"http://127.10.9.{site}:1/a/{run}-{n}.html",
            "position": n, "title": "首页信息", "list_date": date, "year_shown": None if date is None else True})

    def letter(self, run, site, asked: dt.date, replied: dt.date | None, status: str | None = None, n: int = 0):
        self._insert("gov_site__letters", {
            "crawl_run_id": run, "site_id": site, "list_url": "l", "page_no": 0, "position": n,
            "letter_url": f"http://127.10.9.{site}:1/ldxx/{asked}-{n}.html", "title": "留言", "asked_date": asked,
            "replied_date": replied, "status_text": status})

    def link(self, run, site, url, on_homepage=True, status=None, error=None):
        self._insert("gov_site__links", {
            "crawl_run_id": run, "site_id": site, "url": url, "parent_url": f"http://127.10.9.{site}:1/",
            "on_homepage": on_homepage, "link_kind": "page", "status": status, "error_class": error})

    def identity(self, run, site, footer=None, meta=None):
        self._insert("gov_site__identity", {"crawl_run_id": run, "site_id": site, "page_url": "p",
                                             "footer_site_code": footer, "meta_site_code": meta})


def run(url: str, name: str, as_of: dt.datetime = AS_OF, profile=None) -> dict:
    """{site_id: CheckResult} of one check."""
    from govmon.profiles import load_profile
    from govmon.verdicts.checks import checks_dir, load_check, run_check

    chk = load_check(checks_dir() / f"{name}.sql")
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        return {r.entity_id: r for r in run_check(cur, chk, profile=profile or load_profile(), as_of=as_of)}
