"""The intended verdict of a site or account, computed from its faults and content settings with
the national-2019 thresholds (INDICATORS.md §2, §5; CONTRACT.md §3 ``national-2019``).

Every threshold the sandbox uses lives in :data:`THRESHOLDS`; nothing else in the sandbox holds a
verdict rule. The generator writes these expectations into the scenario; the tests check that the
hand-written expectations of ``scenarios/small.yaml`` agree with them.

Conventions (the sandbox's reading of the rules, stated once):
- ages are whole days before the anchor; an item N days old is strictly older than N×24 h, so a
  window of 14 days is missed at N = 14 and met at N = 13 (``age >= max_days`` → stale);
- W-V2 share: ``down``, ``timeout``, ``http_5xx``, a homepage ``redirect_loop`` and ``slow_ms``
  at or above the 15 s probe timeout fail every probe; ``fail_ratio`` fails that share;
- W-V4: extra blank columns (``blank_columns``, ``blank: true``) count only for (c), never (a)/(b);
- 错链断链多 is a notice wording, not a veto: listed when a site has at least
  ``broken_links_problem`` dead links on the homepage (a sandbox choice; no national number);
- an account that cannot be read (blocked, feed down) is 无法判定 with no problems;
- a renamed account: 不合格 with ``已改名（<live name>）系统中未改名`` and no veto id;
- a vanished account: 不合格 with 搜索不到 and no veto id;
- no interaction offered (comments closed and no menu): 待审核 with 未提供有效互动功能 (M-V3 is a
  reviewer-confirmed finding), unless another finding already makes the account 不合格; so is an
  account whose interaction the collector cannot see (:func:`interaction_seen`: a Douyin or Toutiao
  feed shows none; a WeChat or Weibo feed shows the comment switch of its newest item's page);
- 3个月无原创 is a local rule ([L]); with national-2019 (max_days_without_original null) it is never
  listed.
"""

from __future__ import annotations

from govmon.sandbox.content import is_original
from govmon.sandbox.faults import failure_share
from govmon.sandbox.scenario import AccountSpec, Expect, Scenario, SiteSpec
from govmon.sandbox.templates.base import SiteView

THRESHOLDS = {
    # availability (W-V2)
    "probe_timeout_seconds": 15,
    "max_fail_ratio": 0.05,
    # homepage (W-V3)
    "homepage_max_days_without_update": 14,
    # columns (W-V4)
    "dynamic_max_days": 14,
    "notice_policy_max_days": 183,
    "long_term_max_days": 365,
    "stale_veto_count": 5,
    "long_term_veto_count": 10,
    "blank_veto_count": 5,
    # interaction (W-V5)
    "max_reply_days": 90,
    "lookback_days": 365,
    # new media (M-V2)
    "newmedia_max_days_without_update": 14,
    "newmedia_max_days_without_original": None,  # national: no rule; 90 in a local profile
    # wording only (not a veto)
    "broken_links_problem": 5,
}

VERDICT_ORDER = ("不合格", "无法判定", "待审核", "合格")


def _stale(age: float | None, max_days: float) -> bool:
    return age is None or age >= max_days


def column_findings(site: SiteSpec, faults: dict, t=THRESHOLDS) -> dict:
    """Counts behind W-V4 (on the columns the site serves, fault columns included)."""
    view = SiteView(site, faults, anchor=None, port=0)  # anchor unused for counting
    stale_a = stale_b = blank = 0
    for col in view.columns:
        if col.blank or col.item_count == 0:
            blank += 1
            continue
        if col.trap:
            continue
        age = col.last_days_ago
        if col.type == "dynamic_news" and _stale(age, t["dynamic_max_days"]):
            stale_a += 1
        elif col.type in ("notice", "policy") and col.level == 1 and _stale(age, t["notice_policy_max_days"]):
            stale_a += 1
        elif col.type in ("personnel", "plan") and _stale(age, t["long_term_max_days"]):
            stale_b += 1
    return {"stale_dynamic_notice_policy": stale_a, "stale_long_term": stale_b, "blank": blank}


def homepage_newest_age(site: SiteSpec, faults: dict) -> float | None:
    """Age in days of the newest dated item the homepage shows (None: no dated item)."""
    view = SiteView(site, faults, anchor=None, port=0)
    hp = site.homepage
    ages = []
    for col in view.homepage_columns():
        if col.item_count == 0 or col.undated:
            continue
        age = col.last_days_ago
        if hp.last_update_days_ago is not None and hp.last_update_days_ago > age:
            # the homepage shows only items at least that old: the first such item
            import math

            k = max(0, math.ceil((hp.last_update_days_ago - age) / col.interval_days - 1e-9))
            if k >= col.item_count:
                continue
            age = age + k * col.interval_days
        ages.append(age)
    return min(ages) if ages else None


def overdue_letters(site: SiteSpec, t=THRESHOLDS) -> int:
    """Letters within the lookback that waited (or still wait) longer than max_reply_days."""
    n = 0
    for lt in site.letters.all():
        if lt.asked_days_ago > t["lookback_days"]:
            continue
        r = lt.reply_after_days
        waited = lt.asked_days_ago if r is None or r > lt.asked_days_ago else r
        if waited > t["max_reply_days"]:
            n += 1
    return n


def site_expect(site: SiteSpec, faults: dict | None = None, t=THRESHOLDS) -> Expect:
    """The intended verdict before review. What a machine can only suspect waits for a reviewer
    (待审核) unless a veto already decides: a navigation-only homepage whose second-level pages are
    stale (deciding "navigation-only" is automation S), and a footer 网站标识码 that differs from
    the registry (G-F1)."""
    faults = site.faults if faults is None else faults
    vetoes, problems, pending = [], [], []
    if failure_share(faults, t["probe_timeout_seconds"]) >= t["max_fail_ratio"]:
        vetoes.append("W-V2")
        problems.append("监测时间点无法访问")
        # nothing else can be measured reliably; the veto decides
        return Expect("不合格", vetoes, problems)
    view_faults = faults
    if site.homepage.navigation_only:
        # W-V3 on second-level pages: any column updated within the window saves the site
        view = SiteView(site, view_faults, anchor=None, port=0)
        ages = [c.last_days_ago for c in view.columns if c.item_count and not c.trap and not c.undated]
        newest = min(ages) if ages else None
    else:
        newest = homepage_newest_age(site, view_faults)
    if _stale(newest, t["homepage_max_days_without_update"]):
        if site.homepage.navigation_only:
            pending.append("W-V3")
        else:
            vetoes.append("W-V3")
            problems.append("首页不更新")
    if faults.get("identity_mismatch"):
        pending.append("G-F1")
    cols = column_findings(site, view_faults, t)
    if cols["blank"] >= t["blank_veto_count"]:
        problems.append("空白栏目超过5个")
    if (cols["stale_dynamic_notice_policy"] >= t["stale_veto_count"]
            or cols["stale_long_term"] >= t["long_term_veto_count"]):
        problems.append("多个栏目更新不及时")
    if "空白栏目超过5个" in problems or "多个栏目更新不及时" in problems:
        vetoes.append("W-V4")
    if overdue_letters(site, t) > 0:
        vetoes.append("W-V5")
        problems.append("互动回应差")
    dead = int(faults.get("broken_links", 0)) + int(faults.get("broken_outbound", 0)) \
        + (1 if isinstance(faults.get("redirect_loop"), str) else 0)
    if dead >= t["broken_links_problem"]:
        problems.append("错链断链多")
    verdict = "不合格" if vetoes else ("待审核" if pending else "合格")
    return Expect(verdict, vetoes, problems)


# Endpoints whose responses show an account's whole interaction capability (comment switch and menu):
# the WeChat history page (its menu, plus the newest article's comment switch) and the JSON Feed
# extension (comments_open, menu).
INTERACTION_SHOWN = ("wechat_profile", "json")
# Endpoints that show only the comment switch, not the menu: Weibo (comment permission, and its 聊天
# entry exactly when comments are open) and WeChat's appmsgpublish (the newest article's comment_id).
COMMENTS_SHOWN = ("weibo", "wechat_publish")
# An RSS or Atom feed shows no interaction itself, but the collector reads the page of the newest item
# when it is the platform's own page (a WeChat article, a Weibo status), and that page shows the
# comment switch. Douyin / Toutiao / Kuaishou items link to pages that show neither: M-V3 waits for a
# reviewer there (automation S).
ITEM_PAGE_SHOWS_COMMENTS = ("微信", "微博")


def interaction_seen(acct: AccountSpec) -> bool:
    """Whether what the collector reads shows a way to interact, so that M-V3 passes by machine; when
    it shows none (comments closed, or an endpoint that shows nothing), a reviewer decides."""
    if acct.endpoint in INTERACTION_SHOWN:
        return acct.interaction_offered
    if acct.endpoint in COMMENTS_SHOWN or acct.platform in ITEM_PAGE_SHOWS_COMMENTS:
        return acct.comments_open
    return False


def account_expect(acct: AccountSpec, faults: dict | None = None, t=THRESHOLDS) -> Expect:
    """The intended verdict before review: a suspected M-V3 finding is pending (待审核), not a
    problem, until a reviewer confirms it; an account failing on other grounds is 不合格 anyway."""
    faults = acct.faults if faults is None else faults
    if faults.get("blocked") or faults.get("feed_down"):
        return Expect("无法判定", [], [])
    if faults.get("vanished") and faults["vanished"] != "empty":
        return Expect("不合格", [], ["搜索不到"])
    vetoes, problems = [], []
    newest = None if faults.get("vanished") == "empty" else acct.posts.newest_age()
    if _stale(newest, t["newmedia_max_days_without_update"]):
        vetoes.append("M-V2")
        problems.append("14天未更新")
    limit = t["newmedia_max_days_without_original"]
    if limit is not None:
        ages = acct.posts.age_list()
        orig = [a for i, a in enumerate(ages) if is_original(acct.posts.original, i)]
        if not orig or min(orig) >= limit:
            problems.append("3个月无原创")
    if acct.renamed:
        problems.append(f"已改名（{acct.live_name}）系统中未改名")
    if vetoes or problems:
        return Expect("不合格", vetoes, problems)
    if not interaction_seen(acct):
        return Expect("待审核", [], [])
    return Expect("合格", [], [])


def scenario_expectations(scenario: Scenario) -> dict[str, dict[str, Expect]]:
    return {"sites": {s.key: site_expect(s) for s in scenario.sites},
            "accounts": {a.key: account_expect(a) for a in scenario.accounts}}


def mismatches(scenario: Scenario) -> list[str]:
    """Where a scenario's written ``expect`` differs from the computed one (order-insensitive)."""
    out = []
    for kind, items, fn in (("sites", scenario.sites, site_expect), ("accounts", scenario.accounts, account_expect)):
        for it in items:
            if it.expect is None:
                out.append(f"{kind}.{it.key}: no expect")
                continue
            want = fn(it)
            got = it.expect
            if (got.verdict, sorted(got.vetoes), sorted(got.problems)) != \
                    (want.verdict, sorted(want.vetoes), sorted(want.problems)):
                out.append(f"{kind}.{it.key}: written {got.to_dict()} but computed {want.to_dict()}")
    return out
