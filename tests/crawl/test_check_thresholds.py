"""The website checks on both sides of every threshold, on hand-made crawl rows (real Postgres,
real SQL, govmon.verdicts.checks.run_check). As-of: 2026-09-30 10:00 +08:00."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from tests.crawl.synth import AS_OF, World, ago, run


@pytest.fixture
def w(db_url):
    world = World(db_url)
    yield world
    world.close()


# ---- W-V3 首页不更新 -----------------------------------------------------------------------------

def test_w_v3_homepage_window_13_vs_14_days(w):
    fresh, stale, undated, future, failed, never = (w.site() for _ in range(6))
    for site, dates in ((fresh, [ago(13), ago(20)]), (stale, [ago(14), ago(30)]), (undated, [None, None, None]),
                        (future, [AS_OF.date() + dt.timedelta(days=1), ago(20)])):
        r = w.crawl(site)
        for i, d in enumerate(dates):
            w.homepage_item(r, site, i, d)
    w.crawl(failed, outcome="failed", fail_class="http_5xx")
    res = run(w.url, "w_v3__site__homepage_not_updated")
    assert res[fresh].status == "pass" and res[fresh].evidence["age_days"] == 13
    assert (res[stale].status, res[stale].problem, res[stale].evidence["age_days"]) == ("fail", "首页不更新", 14)
    assert res[undated].status == "fail" and "未注明发布时间" in res[undated].evidence["note"]
    assert res[future].status == "fail" and res[future].evidence["age_days"] == 20   # a date after as_of is ignored
    assert res[failed].status == "unknown" and "http_5xx" in res[failed].reason
    assert res[never].status == "unknown" and "无网站采集记录" in res[never].reason


def test_w_v3_navigation_only_homepage(w):
    ok, stale, unread = w.site(), w.site(), w.site()
    for site, age in ((ok, 13), (stale, 14)):
        r = w.crawl(site, navigation_only=True)
        w.column(r, site, "工作动态", "dynamic_news", latest=age)
        w.column(r, site, "机构职能", "other", latest=age + 100)
    r = w.crawl(unread, navigation_only=True)
    w.column(r, unread, "工作动态", "dynamic_news", fail_class="timeout")
    res = run(w.url, "w_v3__site__homepage_not_updated")
    assert res[ok].status == "pass" and res[ok].evidence["second_level_age_days"] == 13
    assert (res[stale].status, res[stale].problem) == ("review", "首页不更新")
    assert "导航" in res[stale].reason
    assert res[unread].status == "unknown"


def test_which_crawl_is_used(w):
    before_only, both, too_far, after = w.site(), w.site(), w.site(), w.site()
    r = w.crawl(before_only, at=AS_OF - dt.timedelta(days=3))           # within the 3-day gap
    w.homepage_item(r, before_only, 0, ago(1))
    r_old = w.crawl(both, at=AS_OF - dt.timedelta(days=1))
    w.homepage_item(r_old, both, 0, ago(1))
    r_new = w.crawl(both, at=AS_OF + dt.timedelta(hours=3))             # on as_of's date: preferred
    w.homepage_item(r_new, both, 0, ago(40))
    r = w.crawl(too_far, at=AS_OF - dt.timedelta(days=4))
    w.homepage_item(r, too_far, 0, ago(1))
    r = w.crawl(after, at=AS_OF + dt.timedelta(days=2))                 # after: its items up to as_of count
    w.homepage_item(r, after, 0, AS_OF.date() + dt.timedelta(days=1))
    w.homepage_item(r, after, 1, ago(2))
    res = run(w.url, "w_v3__site__homepage_not_updated")
    assert res[before_only].status == "pass"
    assert res[both].status == "fail" and res[both].evidence["crawl_run_id"] == r_new
    assert res[too_far].status == "unknown"
    assert res[after].status == "pass" and res[after].evidence["age_days"] == 2


def test_closed_sites_get_no_row(w):
    open_site, closed = w.site(), w.site(status="关停")
    res = run(w.url, "w_v3__site__homepage_not_updated")
    assert set(res) == {open_site}


# ---- W-V4 栏目不更新 -----------------------------------------------------------------------------

def build_columns(w, spec: list[tuple]) -> int:
    site = w.site()
    r = w.crawl(site)
    for i, (typ, kw) in enumerate(spec):
        w.column(r, site, f"栏目{i}", typ, **kw)
    return site


def test_w_v4_a_four_vs_five_stale(w):
    four = build_columns(w, [("dynamic_news", {"latest": 14})] * 4 + [("dynamic_news", {"latest": 13})] * 3)
    five = build_columns(w, [("dynamic_news", {"latest": 14})] * 3 + [("notice", {"latest": 183}),
                                                                      ("policy", {"latest": 200})])
    res = run(w.url, "w_v4__site__columns_not_updated")
    assert res[four].status == "pass" and res[four].evidence["stale_dynamic_notice_policy"]["count"] == 4
    assert (res[five].status, res[five].problem) == ("fail", "多个栏目更新不及时")
    assert res[five].evidence["stale_dynamic_notice_policy"]["count"] == 5
    # each stale column names its newest item (item 0 of each synthetic column is the newest)
    stale = [c for c in res[five].evidence["columns"] if c["finding"] == "stale_a"]
    assert len(stale) == 5 and all(c["latest_item_url"] == c["url"] + "0.html" for c in stale)


def test_w_v4_a_notice_policy_only_first_level_and_182_vs_183(w):
    site = build_columns(w, [("dynamic_news", {"latest": 30})] * 4 + [("notice", {"latest": 182}),
                                                                      ("policy", {"latest": 300, "level": 2}),
                                                                      ("notice", {"latest": 400, "level": 2})])
    edge = build_columns(w, [("dynamic_news", {"latest": 30})] * 4 + [("notice", {"latest": 183})])
    res = run(w.url, "w_v4__site__columns_not_updated")
    assert res[site].status == "pass" and res[site].evidence["stale_dynamic_notice_policy"]["count"] == 4
    assert res[edge].status == "fail"


def test_w_v4_b_long_term_nine_vs_ten(w):
    nine = build_columns(w, [("personnel", {"latest": 365})] * 5 + [("plan", {"latest": 400})] * 4
                         + [("plan", {"latest": 364})] * 3)
    ten = build_columns(w, [("personnel", {"latest": 365})] * 5 + [("plan", {"latest": 400})] * 5)
    res = run(w.url, "w_v4__site__columns_not_updated")
    assert res[nine].status == "pass" and res[nine].evidence["stale_long_term"]["count"] == 9
    assert (res[ten].status, res[ten].problem) == ("fail", "多个栏目更新不及时")


def test_w_v4_c_blank_four_vs_five_and_both_clauses(w):
    four = build_columns(w, [("other", {"blank": True})] * 4 + [("dynamic_news", {"latest": 1})])
    five = build_columns(w, [("dynamic_news", {"blank": True})] * 5 + [("dynamic_news", {"latest": 1})])
    both = build_columns(w, [("other", {"blank": True})] * 5 + [("dynamic_news", {"latest": 20})] * 5)
    res = run(w.url, "w_v4__site__columns_not_updated")
    assert res[four].status == "pass"
    # blank columns count for (c) only, never as stale
    assert (res[five].status, res[five].problem) == ("fail", "空白栏目超过5个")
    assert res[five].evidence["stale_dynamic_notice_policy"]["count"] == 0
    assert (res[both].status, res[both].problem) == ("fail", "多个栏目更新不及时；空白栏目超过5个")
    assert len(res[both].evidence["columns"]) == 10


def test_w_v4_blank_wording_follows_the_profile(w, tmp_path):
    three = build_columns(w, [("other", {"blank": True})] * 3)
    prof = tmp_path / "strict.yaml"
    prof.write_text(yaml.safe_dump({"name": "strict", "base": "national-2019", "columns": {"blank_veto_count": 3}}))
    from govmon.profiles import load_profile

    res = run(w.url, "w_v4__site__columns_not_updated", profile=load_profile(str(prof)))
    assert (res[three].status, res[three].problem) == ("fail", "空白栏目超过3个")


def test_w_v4_undated_items_are_not_updated(w):
    site = build_columns(w, [("dynamic_news", {"undated": True})] * 5)
    res = run(w.url, "w_v4__site__columns_not_updated")
    assert res[site].status == "fail"
    assert all(c["problem"].startswith("栏目信息均未注明发布时间") for c in res[site].evidence["columns"])


def test_w_v4_article_pubdate_and_year_correction(w):
    site = w.site()
    r = w.crawl(site)
    # the list printed 月-日 only: "09-20" was read as this year; the article says last year
    url = w.column(r, site, "工作动态", "dynamic_news", latest=10, items=1, year_shown=False)
    w.article(r, site, f"{url}0.html", ago(10) - dt.timedelta(days=365))
    url2 = w.column(r, site, "部门动态", "dynamic_news", latest=10, items=1)
    w.article(r, site, f"{url2}0.html", ago(10), source="text")   # a dated list wins over visible text
    res = run(w.url, "w_v4__site__columns_not_updated")
    cols = {c["name"]: c for c in res[site].evidence["columns"]}
    assert set(cols) == {"工作动态"} and cols["工作动态"]["age_days"] == 375


def test_w_v4_unmeasured_columns(w):
    could = build_columns(w, [("dynamic_news", {"latest": 20})] * 4 + [("dynamic_news", {"fail_class": "timeout"})])
    decided = build_columns(w, [("dynamic_news", {"latest": 20})] * 5 + [("dynamic_news", {"fail_class": "timeout"})])
    cannot = build_columns(w, [("dynamic_news", {"latest": 1})] * 4 + [("other", {"fail_class": "http_5xx"})])
    none = w.site()
    w.crawl(none)
    res = run(w.url, "w_v4__site__columns_not_updated")
    assert res[could].status == "unknown" and "未能读取" in res[could].reason
    assert res[decided].status == "fail"
    assert res[cannot].status == "pass"
    assert res[none].status == "unknown" and "未从首页导航识别出栏目" in res[none].reason


# ---- W-V5 互动回应差 -----------------------------------------------------------------------------

def letters_site(w, letters, **kw):
    site = w.site()
    r = w.crawl(site, **kw)
    w.column(r, site, "领导信箱", "interaction", kind="letters")
    for i, (asked, replied, status) in enumerate(letters):
        w.letter(r, site, asked, replied, status, n=i)
    return site


def test_w_v5_reply_time_90_vs_91_days(w):
    d90 = letters_site(w, [(ago(90), None, "办理中"), (ago(200), ago(110), "已回复")])
    d91 = letters_site(w, [(ago(91), None, "办理中")])
    r91 = letters_site(w, [(ago(200), ago(109), "已回复")])
    late = letters_site(w, [(ago(100), AS_OF.date() + dt.timedelta(days=1), "已回复")])  # replied after as_of
    res = run(w.url, "w_v5__site__interaction_poor")
    assert res[d90].status == "pass" and res[d90].evidence["longest_wait_days"] == 90
    assert (res[d91].status, res[d91].problem) == ("fail", "互动回应差")
    assert res[d91].evidence["overdue_letters"][0]["waited_days"] == 91
    assert res[r91].status == "fail"
    assert res[late].status == "fail"


def test_w_v5_lookback_365_vs_366(w):
    inside = letters_site(w, [(ago(365), None, None)])
    outside = letters_site(w, [(ago(366), None, None), (ago(10), ago(5), "已回复")])
    res = run(w.url, "w_v5__site__interaction_poor")
    assert res[inside].status == "fail"
    assert res[outside].status == "pass" and res[outside].evidence["letters_in_window"] == 1


def test_w_v5_answered_without_a_reply_time_is_not_overdue(w):
    site = letters_site(w, [(ago(200), None, "已办结")])
    assert run(w.url, "w_v5__site__interaction_poor")[site].status == "pass"


def test_w_v5_channel_missing_unreadable_or_unfinished(w):
    missing = w.site()
    w.crawl(missing, letters_status="not_found")
    unreadable = w.site()
    w.crawl(unreadable, letters_status="unreadable")
    unfinished = w.site()
    r = w.crawl(unfinished)
    w.column(r, unfinished, "领导信箱", "interaction", kind="letters", stop_reason="budget")
    w.letter(r, unfinished, ago(10), None)
    res = run(w.url, "w_v5__site__interaction_poor")
    assert (res[missing].status, res[missing].problem) == ("review", "未提供有效咨询建言渠道")
    assert res[unreadable].status == "unknown"
    assert res[unfinished].status == "unknown" and "未读完" in res[unfinished].reason


# ---- W-D15 错链断链多 ----------------------------------------------------------------------------

def links_site(w, links, **kw):
    site = w.site()
    r = w.crawl(site, **kw)
    for i, (home, status, error) in enumerate(links):
        w.link(r, site, f"http://127.10.9.{site}:1/l{i}.html", home, status, error)
    w.link(r, site, f"http://127.10.9.{site}:1/ok.html", True, 200, None)
    return site


def test_w_d15_four_vs_five_and_points(w):
    four = links_site(w, [(True, 404, "http_4xx"), (True, None, "connect"), (False, 500, "http_5xx"),
                          (False, None, "timeout"), (True, None, "robots_disallowed"), (False, None, "too_large"),
                          (False, None, "budget"), (False, None, "policy")])
    five = links_site(w, [(True, 404, "http_4xx")] * 2 + [(False, None, "redirect_loop")] * 3)
    res = run(w.url, "w_d15__site__broken_links")
    assert res[four].status == "pass"
    ev = res[four].evidence
    assert (ev["homepage_broken"], ev["other_broken"], float(ev["deduction_points"])) == (2, 2, 2.2)
    assert (res[five].status, res[five].problem) == ("fail", "错链断链多")
    assert float(res[five].evidence["deduction_points"]) == 2.3


def test_w_d15_threshold_and_points_come_from_the_profile(w, tmp_path):
    three = links_site(w, [(True, 404, "http_4xx")] * 3)
    prof = tmp_path / "p.yaml"
    prof.write_text(yaml.safe_dump({"name": "p", "base": "national-2019",
                                    "links": {"problem_min_broken": 3, "homepage_broken_link_points": 0.5}}))
    from govmon.profiles import load_profile

    assert run(w.url, "w_d15__site__broken_links")[three].status == "pass"
    res = run(w.url, "w_d15__site__broken_links", profile=load_profile(str(prof)))
    assert res[three].status == "fail" and float(res[three].evidence["deduction_points"]) == 1.5


def test_w_d15_unfinished_link_checks(w):
    few = links_site(w, [(True, 404, "http_4xx")] * 2, budget_hit=["links"])
    many = links_site(w, [(True, 404, "http_4xx")] * 5, budget_hit=["time"])
    failed = w.site()
    w.crawl(failed, outcome="failed", fail_class="connect")
    res = run(w.url, "w_d15__site__broken_links")
    assert res[few].status == "unknown" and "预算" in res[few].reason
    assert res[many].status == "fail"
    assert res[failed].status == "unknown"


# ---- G-F1 网站标识码 ------------------------------------------------------------------------------

def test_g_f1_identity(w):
    same, footer_other, meta_other, none, failed = (w.site() for _ in range(5))
    for site, footer, meta in ((same, "own", "own"), (footer_other, "3699005001", "own"),
                               (meta_other, "own", "3699005002"), (none, None, None)):
        r = w.crawl(site)
        own = w.code(site)
        w.identity(r, site, own if footer == "own" else footer, own if meta == "own" else meta)
    w.crawl(failed, outcome="failed")
    res = run(w.url, "g_f1__site__identity")
    assert res[same].status == "pass"
    assert (res[footer_other].status, res[footer_other].problem) == ("review", "网站标识码与系统不一致")
    assert res[footer_other].evidence["footer_site_code"] == "3699005001"
    assert res[meta_other].status == "review"
    assert (res[none].status, res[none].problem) == ("review", "未标注网站标识码")
    assert res[failed].status == "unknown"
