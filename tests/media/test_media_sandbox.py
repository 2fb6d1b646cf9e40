"""Collection against the sandbox's platform endpoints (scenarios/small.yaml, real HTTP on
loopback), loaded into a real Postgres, judged by the checks — compared with the scenario's truth.

The collector sees only the registry the sandbox wrote and the network; these tests read the
scenario to know what the right answer is.
"""

from __future__ import annotations

import datetime as dt

import pytest
from media_helpers import ANCHOR, FAST, account_ids, import_registry_files, query, run_checks

from govmon.media.run import collect_accounts
from govmon.media.settings import MediaSettings

DAY = dt.date(2026, 9, 30)


def collect(db_url, sandbox, day=DAY, **overrides):
    settings = MediaSettings.from_env(sandbox.env, **{**FAST, **overrides})
    return collect_accounts(db_url, settings=settings, collect_date=day, run_id="test")


def by_key(result, ids):
    inv = {v: k for k, v in ids.items()}
    return {inv[o.account_id]: o for o in result.observations}


def test_small_world_matches_the_scenario_truth(small_db, sandbox, small):
    result = collect(small_db, sandbox)
    ids = account_ids(small_db, sandbox)
    seen = by_key(result, ids)
    r = run_checks(small_db, ANCHOR)
    checks = {name: {k: rows[ids[k]] for k in ids} for name, rows in r.items()}

    for acct in small.accounts:
        problems = set(acct.expect.problems)
        k = acct.key
        m_v2, gone, renamed = (checks["m_v2__account__not_updated"][k], checks["n_7__account__not_found"][k],
                               checks["n_7__account__renamed"][k])
        if acct.expect.verdict == "无法判定":      # blocked, feed down: unknown, with the reason, never failed
            assert m_v2.status == gone.status == renamed.status == "unknown", k
            assert seen[k].status in ("blocked", "error") and m_v2.reason == seen[k].reason
            continue
        assert (m_v2.status == "fail") == ("14天未更新" in problems), (k, m_v2)
        if "14天未更新" in problems:
            assert m_v2.problem == "14天未更新"
        assert (gone.status == "fail") == ("搜索不到" in problems), (k, gone)
        renames = [p for p in problems if p.startswith("已改名")]
        assert ([renamed.problem] if renamed.status == "fail" else []) == renames, k
        review = checks["m_v3__account__interaction"][k]
        if "未提供有效互动功能" in problems:
            assert (review.status, review.problem) == ("review", "未提供有效互动功能")
            assert "评论/留言已关闭" in review.reason

    # the thresholds' two sides, by name
    assert checks["m_v2__account__not_updated"]["wx_stale14"].evidence["days_since_post"] == 14
    assert checks["m_v2__account__not_updated"]["wx_stale13"].status == "pass"
    assert checks["m_v2__account__not_updated"]["wx_stale13"].evidence["days_since_post"] == 13
    # reasons name what happened
    assert "418" in seen["wb_blocked"].reason and "432" in seen["dy_blocked"].reason
    assert "503" in seen["tt_json"].reason
    assert seen["wx_vanished"].status == seen["wb_vanished"].status == "vanished"
    # every endpoint format was recognised from the response
    assert {o.adapter for o in seen.values() if o.status == "ok"} >= {
        "weibo", "wechat_profile", "wechat_publish", "rss", "atom"}
    assert seen["wx_renamed"].live_name == "东湖乡村振兴"


def test_originality_under_the_local_profile(small_db, sandbox):
    collect(small_db, sandbox)
    ids = account_ids(small_db, sandbox)
    r = run_checks(small_db, ANCHOR, "shaanxi-2025")["m_l1__account__no_original"]
    assert (r[ids["wb_rfc"]].status, r[ids["wb_rfc"]].problem) == ("fail", "3个月无原创")  # repost only
    assert r[ids["wx_publish"]].status == "pass"                                           # original only
    assert r[ids["wb_fresh"]].status == "pass"
    assert r[ids["wb_blocked"]].status == "unknown"
    national = run_checks(small_db, ANCHOR)["m_l1__account__no_original"]
    assert {x.status for x in national.values()} == {"pass"}


def test_weibo_relative_dates_resolve_against_the_platform_clock(small_db, sandbox, small):
    from govmon.sandbox.content import account_posts

    result = collect(small_db, sandbox)
    ids = account_ids(small_db, sandbox)
    wb = by_key(result, ids)["wb_fresh"]
    anchor = dt.datetime.fromisoformat(sandbox.state["anchor"])
    # the sandbox's Date header is its clock (anchor + uptime), not the real one
    assert wb.server_date is not None and abs((wb.server_date - anchor).total_seconds()) < 600
    truth = {str(p.mid): p for p in account_posts(small.account("wb_fresh"), anchor)}
    raws = []
    for post in wb.posts:
        real = truth[post.key]
        raws.append(post.published_raw)
        slack = {"second": 1, "minute": 600, "hour": 3600 + 600, "day": 86400}[post.precision]
        assert abs((post.published_at - real.dt).total_seconds()) <= slack, (post.published_raw, real.dt)
        assert post.published_at.date() == real.dt.date() or post.precision == "hour"
        assert post.original is real.original
    assert raws[:3] == ["刚刚", "5分钟前", "3小时前"] and raws[3].startswith("昨天 ")
    assert raws[4:] == ["09-10", "2025-08-26"]
    assert wb.complete  # 6 posts: one page, the end reached


def test_rfc2822_dates_and_gb2312_feed(small_db, sandbox, small):
    from govmon.sandbox.content import account_posts

    result = collect(small_db, sandbox)
    seen = by_key(result, account_ids(small_db, sandbox))
    anchor = dt.datetime.fromisoformat(sandbox.state["anchor"])
    for key in ("wb_rfc", "tt_cn", "wx_fresh", "wx_publish"):
        truth = [p.dt for p in account_posts(small.account(key), anchor)]
        newest = seen[key].newest_post_at
        assert abs((newest - truth[0]).total_seconds()) < 1, key
    # date-only pubDates mislabelled UTC keep their calendar day
    dy = seen["dy_fresh"]
    truth = account_posts(small.account("dy_fresh"), anchor)[0].dt
    assert dy.posts[0].precision == "day" and dy.posts[0].published_at.date() == truth.date()
    assert seen["tt_cn"].posts[0].title and "\ufffd" not in seen["tt_cn"].posts[0].title


def test_collecting_the_same_day_twice_changes_nothing(small_db, sandbox):
    collect(small_db, sandbox)
    counts = query(small_db, "select (select count(*) from raw.media__fetches), (select count(*) from raw.media__posts),"
                             " (select count(*) from staging.stg_media__posts)")[0]
    collect(small_db, sandbox)
    assert query(small_db, "select (select count(*) from raw.media__fetches), (select count(*) from raw.media__posts),"
                           " (select count(*) from staging.stg_media__posts)")[0] == counts
    assert counts[0] == 17


def test_stale_switch_at_runtime(small_db, sandbox):
    """The same account on both sides of the 14-day line, changed on the live sandbox."""
    ids = account_ids(small_db, sandbox)
    sandbox.set_content("wx_stale13", {"posts": {"last_days_ago": 14}}, kind="accounts")
    try:
        collect(small_db, sandbox)
    finally:
        sandbox.set_content("wx_stale13", {"posts": {"last_days_ago": 13}}, kind="accounts")
    r = run_checks(small_db, ANCHOR, names=("m_v2__account__not_updated",))["m_v2__account__not_updated"]
    assert r[ids["wx_stale13"]].status == "fail"


def test_blocked_then_readable(db_url, sandbox, tmp_path):
    """A blocked account is unknown; read again the next day it is judged on what it shows."""
    import_registry_files(db_url, sandbox.registry_dir)
    ids = account_ids(db_url, sandbox)
    sandbox.set_faults("accounts", "wx_stale14", {"blocked": 432})
    try:
        collect(db_url, sandbox, day=DAY)
    finally:
        sandbox.set_faults("accounts", "wx_stale14", {"blocked": None})
    r = run_checks(db_url, ANCHOR, names=("m_v2__account__not_updated",))["m_v2__account__not_updated"]
    assert r[ids["wx_stale14"]].status == "unknown" and "432" in r[ids["wx_stale14"]].reason
    collect(db_url, sandbox, day=DAY + dt.timedelta(days=1))
    r = run_checks(db_url, ANCHOR, names=("m_v2__account__not_updated",))["m_v2__account__not_updated"]
    assert r[ids["wx_stale14"]].status == "fail"
    health = dict(query(db_url, "select name, last_status from marts.fct_media_collector_health"))
    assert health["鹰川财政"] == "ok"


def test_accounts_without_a_feed_url(db_url, sandbox, tmp_path):
    """No 采集地址: the platform's own URL is built from the base URL and 账号标识; a platform with
    neither is 未配置采集地址, and health shows it."""
    import csv

    src = sandbox.registry_dir / "accounts.csv"
    rows = list(csv.reader(src.read_text(encoding="utf-8-sig").splitlines()))
    header, body = rows[0], rows[1:]
    col = header.index("采集地址")
    for r in body:
        r[col] = ""
    out = tmp_path / "accounts.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header] + body)
    import_registry_files(db_url, sandbox.registry_dir, accounts=out)
    ids = account_ids(db_url, sandbox)
    result = collect(db_url, sandbox, rss_base="")
    seen = by_key(result, ids)
    assert seen["wb_fresh"].status == "ok" and seen["wb_fresh"].adapter == "weibo"
    assert "getIndex?type=uid&value=6012345678" in seen["wb_fresh"].source_url
    assert seen["wx_fresh"].status == "ok" and seen["wx_fresh"].adapter == "wechat_profile"
    assert seen["wx_vanished"].status == "vanished"
    for key in ("dy_fresh", "tt_cn"):
        assert seen[key].status == "unconfigured" and "未配置采集地址" in seen[key].reason
    # nothing was fetched, so there is no platform clock: the record carries the collector's (real) time
    r = run_checks(db_url, dt.datetime.now(dt.timezone.utc))
    assert r["m_v2__account__not_updated"][ids["dy_fresh"]].status == "unknown"
    assert "未配置采集地址" in r["m_v2__account__not_updated"][ids["dy_fresh"]].reason
    health = {row[0]: row[1:] for row in query(
        db_url, "select account_id, last_status, last_status_label, last_reason from marts.fct_media_collector_health")}
    assert health[ids["dy_fresh"]][:2] == ("unconfigured", "未配置采集地址")


def test_weibo_rate_limit_is_per_host(small_db, sandbox):
    """Weibo at 2 requests a second: 3 readable accounts × 2 requests + 2 refused/vanished ≥ 3.5 s
    on that host, while WeChat and the bridge go at their own pace meanwhile."""
    result = collect(small_db, sandbox, weibo_rps=2.0)
    weibo = next(h for h in result.stats.requests_by_host if h.startswith(sandbox.platform_url("weibo")))
    n = result.stats.requests_by_host[weibo]
    assert n >= 8
    assert result.stats.seconds >= (n - 1) / 2.0 - 0.05
    assert result.stats.rates[weibo] == 2.0


@pytest.mark.parametrize("fault, status", [({"blocked": 418}, "blocked"), ({"feed_down": 502}, "error"),
                                           ({"vanished": "deleted"}, "vanished"), ({"vanished": "banned"}, "vanished"),
                                           ({"vanished": "empty"}, "ok")])
def test_wechat_faults(small_db, sandbox, fault, status):
    ids = account_ids(small_db, sandbox)
    sandbox.set_faults("accounts", "wx_fresh", fault)
    try:
        result = collect(small_db, sandbox)
    finally:
        sandbox.set_faults("accounts", "wx_fresh", {k: None for k in fault})
    o = by_key(result, ids)["wx_fresh"]
    assert o.status == status, o
    if fault.get("vanished") == "empty":  # the history page itself says there is nothing: not updated
        assert o.complete and not o.posts
        r = run_checks(small_db, ANCHOR, names=("m_v2__account__not_updated",))["m_v2__account__not_updated"]
        assert r[ids["wx_fresh"]].status == "fail"
