"""Fast unit tests: scenario validation (errors name the key path), defaults, addresses, the failure
schedule, date formats and the expectation rules."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
from sandbox_helpers import ANCHOR, SMALL

from govmon.sandbox import dates
from govmon.sandbox.expect import account_expect, mismatches, site_expect
from govmon.sandbox.faults import homepage_failure, merge_site_faults, scheduled_failure
from govmon.sandbox.scenario import ScenarioError, load_scenario, parse_scenario

BASE = {
    "anchor": "2026-09-30T10:00:00+08:00",
    "regions": [{"code": "369900", "name": "鹰川市"}],
    "sites": [{"key": "a", "name": "鹰川市人民政府", "site_code": "3699000001", "organizer": "鹰川市人民政府办公室",
               "region_code": "369900", "kind": "政府门户网站"}],
    "accounts": [{"key": "w", "name": "鹰川发布", "platform": "微博", "account_id": "6000000001",
                  "organizer": "鹰川市人民政府办公室", "region_code": "369900"}],
}


def scenario(**changes):
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        target = data
        parts = path.split("__")
        for p in parts[:-1]:
            target = target[int(p)] if p.isdigit() else target[p]
        target[parts[-1]] = value
    return data


def error_of(data) -> str:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(data)
    return str(e.value)


def test_minimal_scenario_gets_defaults():
    s = parse_scenario(copy.deepcopy(BASE))
    site = s.sites[0]
    assert site.template == "trs" and site.encoding == "utf-8" and site.status == "运行"
    assert site.address == "127.10.0.1"
    assert [c.key for c in site.columns][:4] == ["zwyw", "bmdt", "tzgg", "zcwj"]
    assert site.letters.enabled and site.letters.count > 0
    acct = s.accounts[0]
    assert acct.endpoint == "weibo" and acct.account_type == "新浪微博" and acct.live_name == acct.name
    assert s.platform_addresses == {"weibo": "127.20.0.1", "wechat": "127.20.0.2", "rss": "127.20.0.3"}


@pytest.mark.parametrize("changes, expected", [
    ({"anchor": "yesterday"}, "anchor:"),
    ({"sites__0__template": "wordpress"}, "sites[0].template: 'wordpress' is not one of trs, hanweb, jiangxi"),
    ({"sites__0__colour": "red"}, "sites[0].colour: unknown key"),
    ({"sites__0__site_code": "12345"}, "sites[0].site_code: '12345' does not match"),
    ({"sites__0__region_code": "369901"}, "sites[0].region_code: 369901 is not listed in regions"),
    ({"sites__0__faults": {"fail_ratio": 1.5}}, "sites[0].faults.fail_ratio: 1.5 is not between 0 and 1"),
    ({"sites__0__faults": {"fail_mode": "timeout"}}, "sites[0].faults.fail_mode: only meaningful with fail_ratio"),
    ({"sites__0__faults": {"fail_ratio": 0.1, "error_share": 0.1}}, "give only one of fail_ratio"),
    ({"sites__0__faults": {"explode": True}}, "sites[0].faults.explode: unknown fault"),
    ({"sites__0__faults": {"http_5xx": 404}}, "sites[0].faults.http_5xx: 404 out of range"),
    ({"sites__0__address": "127.0.0.1"}, "sites[0].address: 127.0.0.1 is reserved"),
    ({"sites__0__address": "10.0.0.1"}, "sites[0].address: 10.0.0.1 is not a loopback address"),
    ({"sites__0__address": "127.20.0.1"}, "sites[0].address: 127.20.0.1 is already used by platforms.weibo"),
    ({"sites__0__date_format": "DD/MM/YYYY"}, "sites[0].date_format: 'DD/MM/YYYY' is not one of"),
    ({"sites__0__encoding": "big5"}, "sites[0].encoding: 'big5' is not one of utf-8, gbk"),
    ({"sites__0__columns": [{"key": "Bad Key", "name": "x"}]}, "sites[0].columns[0].key: 'Bad Key' does not match"),
    ({"sites__0__columns": [{"key": "a", "name": "x"}, {"key": "a", "name": "y"}]},
     "sites[0].columns[1].key: duplicate column key 'a'"),
    ({"sites__0__columns": [{"key": "a", "name": "x", "last_days_ago": "soon"}]},
     "sites[0].columns[0].last_days_ago: bad duration 'soon'"),
    ({"sites__0__letters": {"items": [{"asked_days_ago": 100}]}},
     "sites[0].letters.items[0].reply_after_days: required (null = unanswered)"),
    ({"sites__0__expect": {"verdict": "优秀"}}, "sites[0].expect.verdict: '优秀' is not one of"),
    ({"sites__0__expect": {"verdict": "不合格", "problems": ["很差"]}},
     "sites[0].expect.problems[0]: '很差' is not a known problem wording"),
    ({"sites__0__name": None}, "sites[0].name: required"),
    ({"accounts__0__account_id": "abc"}, "accounts[0].account_id: a Weibo uid is numeric"),
    ({"accounts__0__endpoint": "wechat_profile"}, "accounts[0].endpoint: 'wechat_profile' is only for 微信"),
    ({"accounts__0__platform": "推特"}, "accounts[0].platform: '推特' is not one of"),
    ({"accounts__0__faults": {"blocked": 500}}, "accounts[0].faults.blocked: expected true/false, 418, 432"),
    ({"accounts__0__posts": {"original": 2}}, "accounts[0].posts.original: expected a share"),
    ({"platforms": {"weibo": "127.20.0.2"}}, "platforms: the weibo, wechat and rss addresses must differ"),
])
def test_validation_errors_name_the_key_path(changes, expected):
    assert expected in error_of(scenario(**changes))


def test_duplicates_are_reported_with_both_positions():
    data = copy.deepcopy(BASE)
    data["sites"].append(dict(data["sites"][0], key="b"))
    assert error_of(data) == "sites[1].site_code: duplicate '3699000001' (also sites[0])"


def test_load_scenario_reports_file_and_yaml_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("anchor: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(bad)
    bad.write_text("sites: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^bad.yaml: anchor: required$"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")


def test_addresses_are_deterministic_and_skip_explicit_ones():
    data = copy.deepcopy(BASE)
    tmpl = data["sites"][0]
    data["sites"] = [dict(tmpl, key=f"s{i}", site_code=f"36990000{i + 10}") for i in range(3)]
    data["sites"][2]["address"] = "127.10.0.1"
    s = parse_scenario(data)
    assert [x.address for x in s.sites] == ["127.10.0.2", "127.10.0.3", "127.10.0.1"]
    assert parse_scenario(data).sites[0].address == "127.10.0.2"


def test_site_address_space():
    from govmon.sandbox.scenario import site_address

    assert site_address(0) == "127.10.0.1"
    assert site_address(253) == "127.10.0.254"
    assert site_address(254) == "127.10.1.1"
    assert site_address(14_000).startswith("127.10.55.")


def test_anchor_now_is_resolved_late():
    s = parse_scenario(scenario(anchor="now"))
    assert s.anchor_spec is None
    fixed = datetime(2030, 1, 2, 3, 4, 5, tzinfo=dates.TZ)
    assert s.resolve_anchor(fixed) == fixed
    assert abs((s.resolve_anchor() - datetime.now(dates.TZ)).total_seconds()) < 5
    assert parse_scenario(copy.deepcopy(BASE)).resolve_anchor() == ANCHOR


def test_fail_ratio_schedule_is_exact():
    fails = [n for n in range(20) if scheduled_failure(0.05, n)]
    assert fails == [19]
    assert sum(scheduled_failure(0.05, n) for n in range(100)) == 5
    assert sum(scheduled_failure(0.1, n) for n in range(100)) == 10
    assert sum(scheduled_failure(0.29, n) for n in range(100)) == 29
    assert homepage_failure({"timeout": True}, 0) == "timeout"
    assert homepage_failure({"http_5xx": 503}, 0) == "5xx"
    assert homepage_failure({"fail_ratio": 0.5, "fail_mode": "reset"}, 1) == "reset"
    assert homepage_failure({"fail_ratio": 0.5, "fail_mode": "reset"}, 0) is None


def test_runtime_fault_merge():
    f = merge_site_faults({"slow_ms": 10, "fail_ratio": 0.1, "fail_mode": "reset"}, {"timeout_share": 0.2})
    assert f == {"slow_ms": 10, "fail_ratio": 0.2, "fail_mode": "timeout"}
    assert merge_site_faults(f, {"fail_ratio": None, "slow_ms": None}) == {}


def test_date_formats():
    dt = datetime(2024, 2, 19, 20, 23, 5, tzinfo=dates.TZ)
    assert [dates.fmt_list_date(dt, f) for f in dates.DATE_FORMATS] == \
        ["2024-02-19", "[02-19]", "2024年2月19日", "2024/02/19 20:23", "02-19"]
    assert dates.feed_date(dt, "rfc822") == "Mon, 19 Feb 2024 20:23:05 +0800"
    assert dates.feed_date(dt, "date_only_utc") == "Mon, 19 Feb 2024 00:00:00 +0000"
    assert dates.feed_date(dt, "cn") == "2024-2-19 20:23:05"
    assert dates.weibo_rfc2822(dt) == "Mon Feb 19 20:23:05 +0800 2024"


def test_weibo_relative_dates():
    a = ANCHOR
    rel = lambda **kw: dates.weibo_created_at(a - timedelta(**kw), a)  # noqa: E731
    assert rel(seconds=20) == "刚刚"
    assert rel(minutes=5, seconds=10) == "5分钟前"
    assert rel(hours=3, minutes=1) == "3小时前"
    assert rel(days=1, hours=1) == "昨天 09:00"
    assert rel(days=20) == "09-10"
    assert rel(days=400) == "2025-08-26"


def test_item_time_stays_on_its_date_and_is_strictly_older():
    for age in (0.5, 1, 13, 14, 183, 365):
        for jitter in (0, 1, 99999, 123456789):
            dt = dates.item_time(ANCHOR, age, jitter)
            assert ANCHOR - dt > timedelta(days=age)
            if age >= 1:
                assert dt.date() == (ANCHOR - timedelta(days=age)).date()
                assert ANCHOR - dt < timedelta(days=age, hours=3, seconds=1)


def test_small_scenario_expectations_match_the_rules():
    s = load_scenario(SMALL)
    assert mismatches(s) == []
    assert len(s.sites) >= 8 and len(s.accounts) >= 12


def test_expectation_boundaries():
    s = parse_scenario(copy.deepcopy(BASE))
    site = s.sites[0]
    assert site_expect(site).verdict == "合格"
    assert site_expect(site, {"fail_ratio": 0.049}).verdict == "合格"
    assert site_expect(site, {"fail_ratio": 0.05}).vetoes == ["W-V2"]
    assert site_expect(site, {"slow_ms": 14_999}).verdict == "合格"
    assert site_expect(site, {"slow_ms": 15_000}).vetoes == ["W-V2"]
    assert site_expect(site, {"blank_columns": 4}).verdict == "合格"
    assert site_expect(site, {"blank_columns": 5}).problems == ["空白栏目超过5个"]
    acct = s.accounts[0]
    acct.posts.last_days_ago = 13
    assert account_expect(acct).verdict == "合格"
    acct.posts.last_days_ago = 14
    assert account_expect(acct).to_dict() == {"verdict": "不合格", "vetoes": ["M-V2"], "problems": ["14天未更新"]}
    acct.posts.last_days_ago = 1
    acct.live_name = "新名字"
    assert account_expect(acct).problems == ["已改名（新名字）系统中未改名"]
    assert account_expect(acct, {"blocked": 418}).verdict == "无法判定"
    assert account_expect(acct, {"vanished": "deleted"}).problems == ["搜索不到"]
