"""The new-media checks on both sides of every threshold, through the real loader and
govmon.verdicts.checks.run_check on a real Postgres.

Each test files a few accounts in the registry, loads observations built here (what a fetch
would have seen) with govmon.media.load, and reads the checks' rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from media_helpers import run_checks

from govmon import db
from govmon.media.dates import TZ
from govmon.media.load import load_observations
from govmon.media.model import Observation, Post

AS_OF = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
DAY = AS_OF.date()
HEADER = "账号名称,平台,账号类型,账号标识,采集地址,填报单位,行政区划代码,运行状态\n"


def setup_accounts(db_url, tmp_path, names: list[str], platform="微信") -> list[int]:
    from govmon.registry import import_registry

    rows = "".join(f"{n},{platform},订阅号,ID{i:04d},,鹰川市人民政府办公室,369900,运行\n" for i, n in enumerate(names))
    (tmp_path / "accounts.csv").write_text(HEADER + rows, encoding="utf-8-sig")
    (tmp_path / "regions.csv").write_text("行政区划代码,名称\n369900,鹰川市\n", encoding="utf-8-sig")
    import_registry(accounts=tmp_path / "accounts.csv", regions=tmp_path / "regions.csv", url=db_url)
    with db.transaction(db_url) as cur:
        cur.execute("select platform_account_id, account_id from registry.accounts")
        ids = dict(cur.fetchall())
    return [ids[f"ID{i:04d}"] for i in range(len(names))]


def at(days_before: int, hour=9, minute=0) -> dt.datetime:
    d = DAY - dt.timedelta(days=days_before)
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


def obs(account_id, *, status="ok", posts=(), ref=AS_OF, complete=False, covers_from=None, live_name="x",
        name_source="profile", comments_open=None, menu=None, reason=None, adapter="wechat_profile") -> Observation:
    o = Observation(account_id=account_id, platform="微信", status=status, reason=reason, adapter=adapter,
                    source_url=f"http://127.0.0.1/{account_id}", fetched_at=ref, reference_at=ref,
                    live_name=live_name if status in ("ok", "empty") else None, name_source=name_source,
                    posts=list(posts), complete=complete, comments_open=comments_open, menu=menu)
    o.finish_posts()
    if covers_from is not None:
        o.covers_from = covers_from
    return o


def post(key, when, original=True, **kw) -> Post:
    return Post(key=key, published_at=when, precision="minute", original=original, **kw)


def load(db_url, observations, day=DAY, channel="crawl"):
    with db.transaction(db_url) as cur:
        return load_observations(cur, observations, day, channel=channel)


# ---- M-V2 ----------------------------------------------------------------------------------------

def test_m_v2_boundary_13_vs_14_days(db_url, tmp_path):
    a13, a14, a13_late, a14_early = setup_accounts(db_url, tmp_path, ["十三天", "十四天", "十三天晚", "十四天早"])
    load(db_url, [
        obs(a13, posts=[post("p", at(13)), post("old", at(40))]),
        obs(a14, posts=[post("p", at(14)), post("old", at(40))]),
        # calendar days: 00:01 thirteen days back is still 13 days (elapsed 13 d 9 h 59 min)
        obs(a13_late, posts=[post("p", at(13, 0, 1)), post("old", at(40))]),
        # 23:59 fourteen days back is 14 days, though only 13 d 10 h have elapsed at 10:00
        obs(a14_early, posts=[post("p", at(14, 23, 59)), post("old", at(40))]),
    ])
    r = run_checks(db_url, AS_OF)["m_v2__account__not_updated"]
    assert (r[a13].status, r[a13].problem) == ("pass", None)
    assert r[a13].evidence["days_since_post"] == 13
    assert (r[a14].status, r[a14].problem) == ("fail", "14天未更新")
    assert r[a14].evidence["days_since_post"] == 14 and r[a14].evidence["covering_fetch"]
    assert r[a13_late].status == "pass"
    assert r[a14_early].status == "fail"


def test_m_v2_takes_the_window_from_the_profile(db_url, tmp_path):
    a9, a10 = setup_accounts(db_url, tmp_path, ["九天", "十天"])
    load(db_url, [obs(a9, posts=[post("p", at(9)), post("o", at(30))]),
                  obs(a10, posts=[post("p", at(10)), post("o", at(30))])])
    national = run_checks(db_url, AS_OF)["m_v2__account__not_updated"]
    assert national[a9].status == national[a10].status == "pass"
    county = run_checks(db_url, AS_OF, "county-10d")["m_v2__account__not_updated"]
    assert county[a9].status == "pass"
    assert (county[a10].status, county[a10].problem) == ("fail", "10天未更新")


def test_m_v2_missing_data_is_unknown_never_not_updated(db_url, tmp_path):
    ids = setup_accounts(db_url, tmp_path, ["被拒", "桥接宕机", "未配置", "空订阅源", "从未采集", "已注销",
                                            "采集过早", "回溯不足"])
    blocked, down, unconf, empty, never, gone, early, shallow = ids
    load(db_url, [
        obs(blocked, status="blocked", reason="平台拒绝访问（HTTP 418，疑似触发反爬），未取得数据"),
        obs(down, status="error", reason="采集地址返回 HTTP 503（服务不可用），未取得数据"),
        obs(unconf, status="unconfigured", reason="未配置采集地址（未填写账号标识和采集地址）"),
        obs(empty, status="empty", reason="订阅源没有任何条目（可能是桥接服务未取到内容），无法判断是否更新"),
        obs(gone, status="vanished", reason="微信显示“该公众号已迁移”"),
        # the last good fetch was two days before as_of: posts since then are unknown
        obs(early, posts=[post("p", at(30))], ref=AS_OF - dt.timedelta(days=2)),
        # a fetch after as_of that only reaches back to after it
        obs(shallow, posts=[post("p", at(-1))], ref=AS_OF + dt.timedelta(days=2)),
    ])
    r = run_checks(db_url, AS_OF)["m_v2__account__not_updated"]
    for aid in ids:
        assert r[aid].status == "unknown", (aid, r[aid])
        assert r[aid].problem is None and r[aid].reason
    assert "418" in r[blocked].reason and "503" in r[down].reason and "未配置采集地址" in r[unconf].reason
    assert "订阅源没有任何条目" in r[empty].reason
    assert r[never].reason == "尚未采集该账号（没有采集记录）"
    assert "搜索不到" in r[gone].reason
    assert "早于监测时间点当日" in r[early].reason
    assert "未覆盖监测时间点前 14 天" in r[shallow].reason


def test_m_v2_confirmed_empty_timeline_is_not_updated(db_url, tmp_path):
    (aid,) = setup_accounts(db_url, tmp_path, ["零发布"])
    load(db_url, [obs(aid, posts=[], complete=True)])  # the platform shows the whole (empty) history
    r = run_checks(db_url, AS_OF)["m_v2__account__not_updated"]
    assert (r[aid].status, r[aid].problem) == ("fail", "14天未更新")


def test_m_v2_ignores_future_deleted_and_hidden_posts(db_url, tmp_path):
    fut, deleted, hidden = setup_accounts(db_url, tmp_path, ["未来", "删除", "隐藏"])
    load(db_url, [
        obs(fut, posts=[post("new", at(-1)), post("old", at(20))], ref=AS_OF + dt.timedelta(days=1)),
        obs(deleted, posts=[post("d", at(1), deleted=True), post("old", at(20))]),
        obs(hidden, posts=[post("h", at(1), hidden=True), post("old", at(20))]),
    ])
    r = run_checks(db_url, AS_OF)["m_v2__account__not_updated"]
    assert r[fut].status == "fail" and r[fut].evidence["days_since_post"] == 20
    assert r[deleted].status == "fail" and r[hidden].status == "fail"


def test_m_v2_posts_seen_on_an_earlier_day_still_count(db_url, tmp_path):
    (aid,) = setup_accounts(db_url, tmp_path, ["今日被拒"])
    load(db_url, [obs(aid, posts=[post("p", at(3))], ref=AS_OF - dt.timedelta(days=2))],
         day=DAY - dt.timedelta(days=2))
    load(db_url, [obs(aid, status="blocked", reason="平台拒绝访问（HTTP 432）")])
    r = run_checks(db_url, AS_OF)
    assert r["m_v2__account__not_updated"][aid].status == "pass"  # the post exists, whatever today's fetch did
    assert r["n_7__account__not_found"][aid].status == "unknown"  # today's fetch decides existence


def test_m_v2_day_precision_posts(db_url, tmp_path):
    a13, a14 = setup_accounts(db_url, tmp_path, ["日期十三", "日期十四"])
    d13 = dt.datetime.combine(DAY - dt.timedelta(days=13), dt.time(0), tzinfo=TZ)
    d14 = dt.datetime.combine(DAY - dt.timedelta(days=14), dt.time(0), tzinfo=TZ)
    load(db_url, [obs(a13, posts=[Post("p", d13, "day"), Post("o", at(30), "day")]),
                  obs(a14, posts=[Post("p", d14, "day"), Post("o", at(30), "day")])])
    r = run_checks(db_url, AS_OF)["m_v2__account__not_updated"]
    assert r[a13].status == "pass" and r[a14].status == "fail"


def test_loading_a_day_twice_changes_nothing(db_url, tmp_path):
    (aid,) = setup_accounts(db_url, tmp_path, ["重跑"])
    batch = [obs(aid, posts=[post("a", at(1)), post("b", at(2))])]
    load(db_url, batch)
    load(db_url, batch)
    with db.transaction(db_url) as cur:
        cur.execute("select (select count(*) from raw.media__fetches), (select count(*) from raw.media__posts),"
                    " (select count(*) from staging.stg_media__posts)")
        assert cur.fetchone() == (1, 2, 2)
    load(db_url, batch, day=DAY + dt.timedelta(days=1))
    with db.transaction(db_url) as cur:
        cur.execute("select (select count(*) from raw.media__fetches), (select count(*) from raw.media__posts),"
                    " (select count(*) from staging.stg_media__posts),"
                    " (select min(first_seen_date) || '/' || max(last_seen_date) from staging.stg_media__posts)")
        assert cur.fetchone() == (2, 4, 2, f"{DAY}/{DAY + dt.timedelta(days=1)}")


def test_finest_publish_time_wins_across_days(db_url, tmp_path):
    (aid,) = setup_accounts(db_url, tmp_path, ["精度"])
    exact = at(1, 10, 20)
    load(db_url, [obs(aid, posts=[Post("p", exact, "minute", "昨天 10:20")])])
    # seen again later as "09-29" (a day): the minute stays
    load(db_url, [obs(aid, posts=[Post("p", dt.datetime.combine(exact.date(), dt.time(0), tzinfo=TZ), "day",
                                       "09-29")])], day=DAY + dt.timedelta(days=3))
    with db.transaction(db_url) as cur:
        cur.execute("select published_at, precision, published_raw from staging.stg_media__posts")
        assert cur.fetchone() == (exact, "minute", "昨天 10:20")


# ---- M-L1 ----------------------------------------------------------------------------------------

def custom_profile(tmp_path, days: int):
    path = tmp_path / f"original-{days}.yaml"
    path.write_text(f"name: original-{days}\nversion: 1\nbase: national-2019\n"
                    f"newmedia:\n  max_days_without_original: {days}\n", encoding="utf-8")
    return str(path)


def test_m_l1_boundary_and_words(db_url, tmp_path):
    a89, a90, reposts, unflagged = setup_accounts(db_url, tmp_path, ["八十九天", "九十天", "只转发", "未标注"])
    load(db_url, [
        obs(a89, posts=[post("r", at(1), original=False), post("o", at(89)), post("x", at(200), False)]),
        obs(a90, posts=[post("r", at(1), original=False), post("o", at(90)), post("x", at(200), False)]),
        obs(reposts, posts=[post(f"r{i}", at(i * 10), original=False) for i in range(12)]),
        obs(unflagged, posts=[post("u", at(5), original=None), post("x", at(200), False)]),
    ])
    national = run_checks(db_url, AS_OF)["m_l1__account__no_original"]
    assert {r.status for r in national.values()} == {"pass"}  # the key is null: no rule
    r = run_checks(db_url, AS_OF, "shaanxi-2025")["m_l1__account__no_original"]
    assert r[a89].status == "pass" and r[a89].evidence["days_since_original"] == 89
    assert (r[a90].status, r[a90].problem) == ("fail", "3个月无原创")
    assert (r[reposts].status, r[reposts].problem) == ("fail", "3个月无原创")
    assert r[unflagged].status == "unknown" and "未标注是否原创" in r[unflagged].reason
    r30 = run_checks(db_url, AS_OF, custom_profile(tmp_path, 30))["m_l1__account__no_original"]
    assert r30[a89].problem == "1个月无原创"
    r45 = run_checks(db_url, AS_OF, custom_profile(tmp_path, 45))["m_l1__account__no_original"]
    assert r45[a89].problem == "45天无原创"


def test_m_l1_unknown_when_the_window_is_not_covered(db_url, tmp_path):
    shallow, blocked = setup_accounts(db_url, tmp_path, ["回溯不足", "被拒"])
    load(db_url, [obs(shallow, posts=[post(f"r{i}", at(i), original=False) for i in range(10)]),  # 10 days back
                  obs(blocked, status="blocked", reason="平台拒绝访问（HTTP 432）")])
    r = run_checks(db_url, AS_OF, "shaanxi-2025")["m_l1__account__no_original"]
    assert r[shallow].status == "unknown" and "未覆盖监测时间点前 90 天" in r[shallow].reason
    assert r[blocked].status == "unknown" and "432" in r[blocked].reason


# ---- N-7 -----------------------------------------------------------------------------------------

def test_n_7_renamed(db_url, tmp_path):
    same, renamed, width, title_ok, title_diff, nameless, gone = setup_accounts(
        db_url, tmp_path, ["鹰川发布", "东湖县农业农村局", "鹰川ABC", "鹰川融媒", "西山文旅", "无名", "已注销"])
    load(db_url, [
        obs(same, live_name="鹰川发布"),
        obs(renamed, live_name="东湖乡村振兴"),
        obs(width, live_name="鹰川ＡＢＣ "),                                  # full-width letters, a space
        obs(title_ok, live_name="鹰川融媒 - 抖音号", name_source="title"),      # a bridge's decorated title
        obs(title_diff, live_name="西山旅游", name_source="title"),
        obs(nameless, live_name=None),
        obs(gone, status="vanished", reason="此帐号已自主注销，内容无法查看"),
    ])
    r = run_checks(db_url, AS_OF)["n_7__account__renamed"]
    assert r[same].status == "pass"
    assert (r[renamed].status, r[renamed].problem) == ("fail", "已改名（东湖乡村振兴）系统中未改名")
    assert r[width].status == "pass"
    assert r[title_ok].status == "pass"
    assert (r[title_diff].status, r[title_diff].problem) == ("review", "已改名（西山旅游）系统中未改名")
    assert "订阅源标题" in r[title_diff].reason
    assert r[nameless].status == "unknown" and r[nameless].reason == "平台响应中没有账号名称"
    assert r[gone].status == "unknown"


def test_n_7_not_found(db_url, tmp_path):
    ok, gone, blocked, never = setup_accounts(db_url, tmp_path, ["正常", "注销", "被拒", "未采集"])
    load(db_url, [obs(ok), obs(gone, status="vanished", reason="该公众号已迁移"),
                  obs(blocked, status="blocked", reason="平台拒绝访问（HTTP 418）")])
    r = run_checks(db_url, AS_OF)["n_7__account__not_found"]
    assert r[ok].status == "pass"
    assert (r[gone].status, r[gone].problem) == ("fail", "搜索不到")
    assert r[gone].evidence["platform_says"] == "该公众号已迁移"
    assert r[blocked].status == "unknown" and "418" in r[blocked].reason  # a refusal is not a disappearance
    assert r[never].status == "unknown"


def test_fetches_further_than_the_gap_are_not_used(db_url, tmp_path):
    """collection.max_media_fetch_gap_days (3): a fetch 4 days from as_of says nothing about it."""
    near, far, before = setup_accounts(db_url, tmp_path, ["三天后", "四天后", "四天前"])
    load(db_url, [obs(near, status="vanished", reason="该公众号已迁移", ref=AS_OF + dt.timedelta(days=3)),
                  obs(far, status="vanished", reason="该公众号已迁移", ref=AS_OF + dt.timedelta(days=4))],
         day=DAY + dt.timedelta(days=3))
    load(db_url, [obs(before, posts=[post("p", at(30))], complete=True, ref=AS_OF - dt.timedelta(days=4))],
         day=DAY - dt.timedelta(days=4))
    r = run_checks(db_url, AS_OF)
    assert r["n_7__account__not_found"][near].status == "fail"
    for aid in (far, before):
        for name in ("n_7__account__not_found", "n_7__account__renamed", "m_v3__account__interaction",
                     "m_v2__account__not_updated"):
            assert r[name][aid].status == "unknown", (name, aid)
            assert "监测时间点前后 3 天内没有采集记录" in r[name][aid].reason
            # the closest fetch at any distance, named for the accounts with none near enough
            assert "最近的一次在 " + ("2026-10-04" if aid == far else "2026-09-26") in r[name][aid].reason


def test_of_two_fetches_as_far_from_as_of_the_later_is_named(db_url, tmp_path):
    (aid,) = setup_accounts(db_url, tmp_path, ["前后各五天"])
    load(db_url, [obs(aid, ref=AS_OF - dt.timedelta(days=5))], day=DAY - dt.timedelta(days=5))
    load(db_url, [obs(aid, ref=AS_OF + dt.timedelta(days=5))], day=DAY + dt.timedelta(days=5))
    r = run_checks(db_url, AS_OF)
    assert r["n_7__account__not_found"][aid].reason == "监测时间点前后 3 天内没有采集记录（最近的一次在 2026-10-05）"


def test_n_7_uses_the_fetch_nearest_to_as_of(db_url, tmp_path):
    (aid,) = setup_accounts(db_url, tmp_path, ["后来注销"])
    load(db_url, [obs(aid)])
    later = DAY + dt.timedelta(days=20)
    load(db_url, [obs(aid, status="vanished", reason="此帐号已自主注销", ref=AS_OF + dt.timedelta(days=20))],
         day=later)
    assert run_checks(db_url, AS_OF)["n_7__account__not_found"][aid].status == "pass"
    assert run_checks(db_url, AS_OF + dt.timedelta(days=20))["n_7__account__not_found"][aid].status == "fail"


# ---- M-V3 ----------------------------------------------------------------------------------------

def test_m_v3_interaction(db_url, tmp_path):
    open_, closed, menu_only, nothing, other_menu, blocked = setup_accounts(
        db_url, tmp_path, ["评论开", "评论关", "有菜单", "不显示", "无互动菜单", "被拒"])
    load(db_url, [
        obs(open_, comments_open=True, menu=[]),
        obs(closed, comments_open=False, menu=[]),
        obs(menu_only, comments_open=False, menu=["政务服务", "互动留言"]),
        obs(nothing, adapter="rss"),
        obs(other_menu, menu=["政务服务", "关于我们"]),
        obs(blocked, status="blocked", reason="平台拒绝访问（HTTP 418）"),
    ])
    r = run_checks(db_url, AS_OF)["m_v3__account__interaction"]
    assert r[open_].status == "pass"
    assert (r[closed].status, r[closed].problem) == ("review", "未提供有效互动功能")
    assert "评论/留言已关闭" in r[closed].reason and "需人工确认" in r[closed].reason
    assert r[menu_only].status == "pass" and r[menu_only].evidence["interaction_channels"] == ["互动留言"]
    assert (r[nothing].status, r[nothing].problem) == ("review", "未提供有效互动功能")
    assert "rss" in r[nothing].reason and "需人工核查" in r[nothing].reason
    assert r[other_menu].status == "review" and "政务服务、关于我们" in r[other_menu].reason
    assert r[blocked].status == "unknown"


def test_every_check_returns_one_row_per_inspected_account(db_url, tmp_path):
    ids = setup_accounts(db_url, tmp_path, ["甲", "乙", "丙"])
    load(db_url, [obs(ids[0], posts=[post("p", at(1))])])
    for name, rows in run_checks(db_url, AS_OF, "shaanxi-2025").items():
        assert sorted(rows) == sorted(ids), name


@pytest.mark.parametrize("profile", ["national-2019", "shaanxi-2025", "county-10d"])
def test_checks_run_on_an_empty_database(db_url, profile):
    for name, rows in run_checks(db_url, AS_OF, profile).items():
        assert rows == {}, name
