"""The site spider on a CMS it has never seen (generic navigation, list, date and pager heuristics),
with every hazard recorded and classified, and an operator's per-site override applied."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest

from govmon.parsing.links import canonical
from tests.spiders.unseen_site import HOST, ORGANIZER, SITE_CODE, UnseenSite

pytestmark = pytest.mark.integration

SETTINGS = {"DOWNLOAD_TIMEOUT": 2, "GOVCRAWL_ALLOWED_NETWORKS": "127.0.0.0/8", "RETRY_TIMES": 0}


@pytest.fixture(scope="module")
def unseen():
    site = UnseenSite().start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def crawled(unseen, tmp_path_factory, pg_server, template_db):
    from govmon.crawl.runner import crawl_sites
    from govmon.registry import import_registry
    from tests.crawl.conftest import session_db

    url, name, admin = session_db(pg_server, template_db)
    tmp = tmp_path_factory.mktemp("unseen")
    (tmp / "sites.csv").write_text("网站名称,网站标识码,首页网址,主办单位,行政区划代码\n"
                                   f"鹰川市统计局,{SITE_CODE},{unseen.url},{ORGANIZER},369900\n", encoding="utf-8")
    overrides = tmp / "overrides.yaml"
    overrides.write_text(f'sites:\n  "{SITE_CODE}":\n    columns:\n      - {{name: 往期专题, type: plan}}\n',
                         encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("GOVMON_SITE_OVERRIDES", str(overrides))
    try:
        import_registry(sites=tmp / "sites.csv", url=url)
        summary = crawl_sites(url=url, trigger="test", settings=SETTINGS, timeout=180)
        assert not summary.failed_shards, summary.failed_shards[0].error
        conn = psycopg2.connect(url)
        yield conn, summary.crawl_run_id
        conn.close()
    finally:
        mp.undo()
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def q(crawled, sql, params=()):
    conn, run = crawled
    with conn.cursor() as cur:
        cur.execute(sql, (run, *params))
        return cur.fetchall()


def test_columns_of_an_unseen_cms(unseen, crawled):
    rows = q(crawled, "select name, column_type, type_source, level, latest_date, is_blank, fail_class "
                      "from marts.fct_gov_site__columns where crawl_run_id = %s and kind = 'column'")
    got = {r[0]: r[1:] for r in rows}
    truth = unseen.truth()
    for name, (typ, level, latest, blank) in truth.items():
        if name == "数据下载":
            assert got[name][5] == "too_large" and got[name][3] is None        # unreadable: unmeasured
        elif name == "往期专题":
            assert got[name][:2] == ("plan", "override")                        # the operator's override
            assert got[name][2:5] == (level, latest, blank)
        else:
            assert (got[name][0], got[name][2], got[name][3], got[name][4]) == (typ, level, latest, blank), name
    # a column robots.txt disallows is never fetched, and stays unmeasured (never "blank")
    assert got.pop("内部通知") == ("other", "default", 1, None, False, "robots_disallowed")
    assert unseen.hits.get("/private/notice.jsp") is None
    assert set(got) == set(truth)
    assert q(crawled, "select name, kind from raw.gov_site__columns where crawl_run_id = %s and kind <> 'column' "
                      "order by kind") == [("活动日历", "calendar"), ("公众留言", "letters")]


def test_pagination_and_items(unseen, crawled):
    rows = q(crawled, """select col.name, col.pages_crawled, col.stop_reason, count(li.item_url), count(li.list_date)
                         from raw.gov_site__columns col left join raw.gov_site__list_items li
                           using (crawl_run_id, site_id, column_url)
                         where col.crawl_run_id = %s group by 1, 2, 3""")
    got = {r[0]: r[1:] for r in rows}
    assert got["本局新闻"] == (3, "last_page", 25, 25)       # table rows, "下一页" via list.jsp?id=11&page=N
    assert got["通知通告"] == (1, "last_page", 5, 5)        # (MM-DD) before titles, GBK bytes declared UTF-8
    assert got["人事任免"] == (1, "last_page", 4, 0)        # undated: dated by the articles' PubDate
    assert got["往期专题"][:2] == (2, "trap")
    assert got["专题活动"] == (1, "last_page", 0, 0)


def test_homepage_items_and_identity(unseen, crawled):
    (newest, dated, nav_only), = q(crawled, "select newest_date, dated_items, navigation_only "
                                            "from marts.fct_gov_site__homepage where crawl_run_id = %s")
    assert (newest, dated, nav_only) == (unseen.items(11)[0][1], 10, False)
    assert q(crawled, "select footer_site_code, footer_icp, footer_police, footer_organizer "
                      "from raw.gov_site__identity where crawl_run_id = %s") == [
        (SITE_CODE, "赣ICP备12345678号-3", "赣公网安备36990002000123号", ORGANIZER)]


def test_hazards_are_recorded_and_classified(unseen, crawled):
    base = f"http://{HOST}:{unseen.port}"
    broken = dict((r[0], r[1]) for r in q(crawled, "select url, error_class from marts.fct_gov_site__broken_links "
                                                    "where crawl_run_id = %s"))
    assert broken == {canonical(base + "/slow.jsp"): "timeout", canonical(base + "/error.jsp"): "http_5xx",
                      canonical(base + "/loop/a"): "redirect_loop",
                      canonical(f"http://127.30.0.9:{unseen.port}/"): "connect"}
    links = dict((r[0], r[1:]) for r in q(crawled, "select url, status, error_class from raw.gov_site__links "
                                                   "where crawl_run_id = %s"))
    assert links[canonical(base + "/private/secret.html")] == (None, "robots_disallowed")
    assert links[canonical(base + "/huge.pdf")][0] == 200     # HEAD: a big attachment is not a broken link
    assert unseen.hits.get("/private/secret.html") is None    # robots.txt obeyed
    faults = {(r[0], r[1]) for r in q(crawled, "select request_kind, fault_class from raw.gov_site__faults "
                                                "where crawl_run_id = %s")}
    assert {("column", "too_large"), ("column", "trap")} <= faults
    # the calendar is read once; its next-month link is checked (HEAD), never followed
    assert q(crawled, "select count(*) from raw.gov_site__pages where crawl_run_id = %s and kind = 'calendar'") == [(1,)]
    assert unseen.hits.get("/channel/calendar.jsp", 0) == 2


def test_letters_and_malformed_articles(unseen, crawled):
    letters = q(crawled, "select asked_date, replied_date, status_text from raw.gov_site__letters "
                         "where crawl_run_id = %s order by asked_date")
    assert letters == [(unseen.d(120), None, "处理中"), (unseen.d(40), unseen.d(30), "已答复"),
                       (unseen.d(5), None, "处理中")]
    arts = q(crawled, "select url, pub_date, date_source from raw.gov_site__articles where crawl_run_id = %s")
    assert arts and all(src == "meta:pubdate" and d is not None for _, d, src in arts)


def test_checks_on_the_unseen_site(crawled):
    from govmon.profiles import load_profile
    from govmon.verdicts.checks import checks_dir, load_check, run_check

    conn, _ = crawled
    as_of = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    res = {}
    with conn.cursor() as cur:
        for name in ("w_v5__site__interaction_poor", "w_v4__site__columns_not_updated", "g_f1__site__identity"):
            (r,) = run_check(cur, load_check(checks_dir() / f"{name}.sql"), profile=load_profile(), as_of=as_of)
            res[r.indicator] = r
    assert (res["W-V5"].status, res["W-V5"].problem) == ("fail", "互动回应差")      # 120 days unanswered
    assert res["W-V4"].status == "pass"
    assert sorted(c["fail_class"] for c in res["W-V4"].evidence["unmeasured"]) == ["robots_disallowed", "too_large"]
    assert res["G-F1"].status == "pass"
