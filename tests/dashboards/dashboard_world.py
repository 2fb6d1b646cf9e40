"""Demo data for the dashboard tests: the small sandbox world, two published quarters, a 复核.

- Registry: the registry files the sandbox writes for ``scenarios/small.yaml`` (鹰川市 369900 with
  three counties), plus a neighbouring prefecture (邻州市 368800, 北岸县 368821) so a prefecture
  viewer's rows can be seen to stop at its border. Imported with the real registry import.
- Verdicts: the real ``compute`` with stand-in checks (SQL files in a temp folder following the check
  contract, as in tests/verdicts/test_rollup.py) that read ``public.fake_results``. 2026Q3 gives
  every entity the verdict and problems its scenario ``expect`` names; 2026Q2 half of those
  failures (so 合格率 changes between quarters); a recheck of 2026Q3 finds half the problems fixed;
  one review item is confirmed, one left open.
- Collector facts (probes, crawl, new-media fetches) as their raw tables hold them, for the 网站 and
  政务新媒体 dashboards: 92 days × 20 probes per site, one crawl with columns, broken links and
  letters, 14 days of new-media fetches.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.extras

from govmon import config
from govmon.quarters import TZ, Quarter
from govmon.registry import import_registry
from govmon.sandbox import load_scenario
from govmon.sandbox.registry import write_registry

SMALL = config.PROJECT_ROOT / "scenarios" / "small.yaml"
Q2, Q3 = Quarter(2026, 2), Quarter(2026, 3)
AS_OF = {Q2: dt.datetime(2026, 6, 30, 23, 59, tzinfo=TZ), Q3: dt.datetime(2026, 9, 30, 23, 59, tzinfo=TZ)}
RECHECK_AS_OF = dt.datetime(2026, 10, 20, 12, 0, tzinfo=TZ)

PREFECTURE, COUNTY, NEIGHBOUR = "369900", "369921", "368800"

NEIGHBOUR_REGIONS = [("368800", "邻州市"), ("368821", "北岸县")]
NEIGHBOUR_SITES = [
    # 网站名称, 网站标识码, 首页网址, 主办单位, 行政区划代码, 网站类型, 运行状态
    ("邻州市人民政府", "3688000001", "http://127.10.9.1:18080/", "邻州市人民政府办公室", "368800", "政府门户网站", "运行"),
    ("北岸县人民政府", "3688210001", "http://127.10.9.2:18080/", "北岸县人民政府办公室", "368821", "政府门户网站", "运行"),
]
NEIGHBOUR_ACCOUNTS = [
    # 账号名称, 平台, 账号类型, 账号标识, 采集地址, 填报单位, 行政区划代码, 运行状态
    ("邻州发布", "微信", "订阅号", "MzAwMDAwMDA5MQ==", "", "邻州市委宣传部", "368800", "运行"),
    ("北岸发布", "微博", "新浪微博", "6019999991", "", "北岸县委宣传部", "368821", "运行"),
]
NEIGHBOUR_EXPECT = {"3688000001": ("不合格", ["首页不更新"]), "3688210001": ("合格", []),
                    "微信:MzAwMDAwMDA5MQ==": ("不合格", ["14天未更新"]), "微博:6019999991": ("合格", [])}

SITE_INDICATORS = {"空白栏目超过5个": "W-V4", "多个栏目更新不及时": "W-V4", "监测时间点无法访问": "W-V2",
                   "首页不更新": "W-V3", "互动回应差": "W-V5", "错链断链多": "W-D15"}
CHECKS = {"W-V2": "site", "W-V3": "site", "W-V4": "site", "W-V5": "site", "W-D15": "site",
          "M-V2": "account", "M-V3": "account", "N-7": "account"}


def _account_indicator(problem: str) -> str:
    if problem.endswith("天未更新"):
        return "M-V2"
    if problem == "未提供有效互动功能":
        return "M-V3"
    return "N-7"  # 已改名（…）系统中未改名, 搜索不到


def _check_sql(indicator: str, entity: str) -> str:
    table, key = (("registry.inspected_sites", "site_id") if entity == "site"
                  else ("registry.inspected_accounts", "account_id"))
    code = "e.site_code" if entity == "site" else "e.platform || ':' || coalesce(e.platform_account_id, e.name)"
    return f"""-- indicator: {indicator}
-- entity: {entity}
-- grain: one row per inspected {entity} (test stand-in reading public.fake_results)
select '{entity}'::text as entity_type, e.{key} as entity_id, '{indicator}'::text as indicator,
       coalesce(f.status, 'pass') as status, f.problem, f.reason,
       coalesce(f.evidence, '{{}}'::jsonb) as evidence
from {table} e
left join public.fake_results f
    on f.code = {code} and f.indicator = '{indicator}'
   and f.as_of_date = (%(as_of)s::timestamptz at time zone %(tz)s)::date
"""


@dataclass
class World:
    url: str
    checks_dir: Path
    registry_dir: Path
    expected: dict[str, tuple[str, list[str]]]   # code → (Q3 verdict, problems)
    regions: dict[str, str]                       # region_code → name


def build(url: str, workdir: Path) -> World:
    from govmon.verdicts import review
    from govmon.verdicts.compute import compute

    scenario = load_scenario(SMALL)
    registry_dir = workdir / "registry"
    write_registry(scenario, 18080, registry_dir)
    _append(registry_dir / "regions.csv", [list(r) for r in NEIGHBOUR_REGIONS])
    _append(registry_dir / "sites.csv", [list(s) for s in NEIGHBOUR_SITES])
    _append(registry_dir / "accounts.csv", [list(a) for a in NEIGHBOUR_ACCOUNTS])
    import_registry(sites=registry_dir / "sites.csv", accounts=registry_dir / "accounts.csv",
                    regions=registry_dir / "regions.csv", url=url)

    expected: dict[str, tuple[str, list[str]]] = {}
    for s in scenario.sites:
        if s.expect and s.status == "运行":
            expected[s.site_code] = (s.expect.verdict, list(s.expect.problems))
    for a in scenario.accounts:
        if a.expect and a.status == "运行":
            expected[f"{a.platform}:{a.account_id}"] = (a.expect.verdict, list(a.expect.problems))
    expected.update(NEIGHBOUR_EXPECT)

    checks = workdir / "checks"
    checks.mkdir(parents=True, exist_ok=True)
    for ind, entity in CHECKS.items():
        (checks / f"{ind.lower().replace('-', '_')}__{entity}__stand_in.sql").write_text(_check_sql(ind, entity))

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("create table public.fake_results (as_of_date date, code text, indicator text, status text, "
                    "problem text, reason text, evidence jsonb)")
        cur.execute("select site_code from registry.inspected_sites union all "
                    "select platform || ':' || coalesce(platform_account_id, name) from registry.inspected_accounts")
        inspected = {r[0] for r in cur.fetchall()}
        failing = sorted(c for c, (v, p) in expected.items() if p and c in inspected)
        rows = []
        for quarter in (Q2, Q3):
            day = AS_OF[quarter].date()
            for i, code in enumerate(sorted(c for c in expected if c in inspected)):
                verdict, problems = expected[code]
                if quarter == Q2 and code in failing and failing.index(code) % 2 == 1:
                    verdict, problems = "合格", []  # half of the failures are new this quarter
                rows += _fake_rows(day, code, verdict, problems, i)
        # the 复核 three weeks after Q3: every other problem fixed
        recheck_day = RECHECK_AS_OF.date()
        for i, code in enumerate(sorted(c for c in expected if c in inspected)):
            verdict, problems = expected[code]
            if code in failing and failing.index(code) % 2 == 0:
                verdict, problems = "合格", []
            rows += _fake_rows(recheck_day, code, verdict, problems, i)
        psycopg2.extras.execute_values(cur, "insert into public.fake_results values %s",
                                       [(d, c, ind, st, pr, rs, json.dumps(ev, ensure_ascii=False))
                                        for d, c, ind, st, pr, rs, ev in rows])

    for quarter in (Q2, Q3):
        compute(quarter, as_of=AS_OF[quarter], url=url, checks_dir=checks)
    compute(Q3, as_of=RECHECK_AS_OF, url=url, checks_dir=checks, kind="recheck", publish=False)

    items = review.list_items(str(Q2), url=url)
    for item in items:
        review.decide(item.item_id, "确认", "张芬芳", "留言功能已关闭", url=url)

    _collector_facts(url)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select region_code, name from registry.regions")
        regions = dict(cur.fetchall())
    return World(url, checks, registry_dir, {c: v for c, v in expected.items() if c in inspected}, regions)


def _append(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        for row in rows:
            fh.write(",".join(row) + "\n")


def _fake_rows(day: dt.date, code: str, verdict: str, problems: list[str], i: int):
    is_site = ":" not in code
    rows = []
    if verdict == "待审核" and not problems:  # what the scenario leaves to a reviewer
        problems = ["互动回应差"] if is_site else ["未提供有效互动功能"]
    if verdict == "无法判定":
        rows.append((day, code, "M-V2" if not is_site else "W-V2", "unknown", None,
                     "采集被拒绝（HTTP 418），未取得数据" if not is_site else "探测次数不足", {}))
    for problem in problems:
        if is_site:
            ind = SITE_INDICATORS.get(problem, "W-V4")
            ev = {"deduction_points": 12} if ind == "W-D15" else {}
            rows.append((day, code, ind, "review" if verdict == "待审核" else "fail", problem, None, ev))
        else:
            ind = _account_indicator(problem)
            status = "review" if verdict == "待审核" else "fail"
            ev = {"max_days": 14, "days_since_post": 15 + (i * 7) % 40} if ind == "M-V2" else {}
            rows.append((day, code, ind, status, problem, None, ev))
    if not is_site and not any(r[2] == "M-V2" for r in rows):
        rows.append((day, code, "M-V2", "pass", None, None, {"max_days": 14, "days_since_post": (i * 3) % 13}))
    return rows


def _collector_facts(url: str) -> None:
    """Probe rounds, a crawl and new-media fetches, as the collectors' raw tables hold them."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        # probes: 20 rounds a day from July to September; the W-V2 sites fail often in the last week
        cur.execute("select raw.ensure_probe_partitions('2026-07-01 00:00+08', '2026-09-30 23:59+08')")
        cur.execute("""
            insert into raw.probe__rounds (round_id, source, started_at, finished_at, host, sites, control_ok)
            select 'probe:' || to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI'), 'probe', t, t + interval '1 minute',
                   'test', (select count(*) from registry.inspected_sites), true
            from generate_series('2026-07-01 00:00+08'::timestamptz, '2026-09-30 23:59+08', interval '72 minutes') t
        """)
        cur.execute("""
            insert into raw.probe__probes (round_id, site_id, probed_at, url, ok, status_code, latency_ms, error_class)
            select r.round_id, s.site_id, r.started_at + make_interval(secs => s.site_id % 50), s.url,
                   f.ok, case when f.ok then 200 else 503 end,
                   120 + abs(hashtext(r.round_id || s.site_code)) % 380,
                   case when f.ok then null else 'http_5xx' end
            from raw.probe__rounds r
            cross join registry.inspected_sites s
            cross join lateral (
                select abs(hashtext(r.round_id || s.site_code)) % 1000 >=
                       case when s.site_code in ('3699000004', '3699000005', '3699000006', '3699000007', '3699220001')
                                 and r.started_at >= '2026-09-23 00:00+08' then 120
                            when s.site_code = '3699220001' then 50
                            else 4 end as ok
            ) f
        """)

        # one crawl on 2026-09-29: columns (blank, stale, fresh), broken links, letters
        cur.execute("insert into raw.gov_site__runs (started_at, finished_at, status, trigger) "
                    "values ('2026-09-29 02:00+08', '2026-09-29 03:10+08', 'done', 'test') returning crawl_run_id")
        run = cur.fetchone()[0]
        cur.execute("select site_id, site_code, url from registry.inspected_sites order by site_code")
        sites = cur.fetchall()
        crawl_day = dt.date(2026, 9, 29)
        site_rows, col_rows, item_rows, link_rows, letter_rows = [], [], [], [], []
        for n, (site_id, code, home) in enumerate(sites):
            site_rows.append((run, site_id, home, "2026-09-29 02:00+08", "2026-09-29 02:20+08", "ok"))
            cols = [("要闻动态", "dynamic_news", 3), ("通知公告", "notice", 20), ("政策文件", "policy", 40),
                    ("人事信息", "personnel", 90), ("规划计划", "plan", 200)]
            if code == "3699210001":  # donghu: five blank columns
                cols += [(f"专题栏目{i}", "other", None) for i in range(1, 6)]
            if code == "3699000003":  # finance: 多个栏目更新不及时
                cols += [(f"工作动态{i}", "dynamic_news", 20 + i * 5) for i in range(1, 6)]
            if code == "3699230001":  # nanling: a stale notice column
                cols += [("公示公告", "notice", 240)]
            for i, (name, ctype, age) in enumerate(cols):
                col_url = f"{home}col/{i}/"
                col_rows.append((run, site_id, col_url, name, "column", 1, ctype, "name", age is None))
                if age is not None:
                    item_rows.append((run, site_id, col_url, f"{col_url}art1.html", col_url, 1, 1, f"{name}信息",
                                      crawl_day - dt.timedelta(days=age)))
            broken = 8 if code == "3699000002" else (1 if n % 3 == 0 else 0)
            for i in range(broken):
                link_rows.append((run, site_id, f"{home}dead/{i}.html", home, i < 3, "page" if i % 3 else "attachment",
                                  False, 404, None))
            letters = [(10, 2), (40, 5), (100, 20)]
            if code == "3699000003":  # finance: overdue letters: unanswered > 3 months, answered after 100 days
                letters += [(150, None), (200, 100), (130, None)]
            for i, (asked, took) in enumerate(letters):
                asked_date = crawl_day - dt.timedelta(days=asked)
                replied = asked_date + dt.timedelta(days=took) if took is not None else None
                letter_rows.append((run, site_id, f"{home}letters/", 1, i + 1, f"{home}letters/{i}.html",
                                    f"关于第{i + 1}件事的咨询", asked_date, replied))
        psycopg2.extras.execute_values(cur, "insert into raw.gov_site__site_crawls (crawl_run_id, site_id, homepage_url, "
                                       "started_at, finished_at, outcome) values %s", site_rows)
        psycopg2.extras.execute_values(cur, "insert into raw.gov_site__columns (crawl_run_id, site_id, column_url, name, "
                                       "kind, level, column_type, type_source, is_blank) values %s", col_rows)
        psycopg2.extras.execute_values(cur, "insert into raw.gov_site__list_items (crawl_run_id, site_id, column_url, "
                                       "item_url, list_url, page_no, position, title, list_date) values %s", item_rows)
        psycopg2.extras.execute_values(cur, "insert into raw.gov_site__links (crawl_run_id, site_id, url, parent_url, "
                                       "on_homepage, link_kind, is_outbound, status, error_class) values %s", link_rows)
        psycopg2.extras.execute_values(cur, "insert into raw.gov_site__letters (crawl_run_id, site_id, list_url, page_no, "
                                       "position, letter_url, title, asked_date, replied_date) values %s", letter_rows)

        # new-media fetches: 14 days; vanished and blocked accounts as the scenario has them
        cur.execute("select account_id, platform, platform_account_id from registry.inspected_accounts")
        fetch_rows = []
        for account_id, platform, pid in cur.fetchall():
            for d in range(14):
                day = dt.date(2026, 9, 17) + dt.timedelta(days=d)
                status = {"MzAwMDAwMDAwNg==": "vanished", "6012345680": "blocked"}.get(pid, "ok")
                if status == "ok" and (account_id + d) % 9 == 0:
                    status = "error"
                at = dt.datetime.combine(day, dt.time(6, 0), TZ)
                fetch_rows.append((day, account_id, "crawl", platform, "feed" if platform != "微博" else "weibo_getindex",
                                   status, None if status == "ok" else "采集失败", at, at, 10 if status == "ok" else 0,
                                   3, 0 if status == "ok" else 1))
        psycopg2.extras.execute_values(cur, "insert into raw.media__fetches (collect_date, account_id, channel, platform, "
                                       "adapter, status, reason, fetched_at, reference_at, post_count, requests, errors) "
                                       "values %s", fetch_rows)


if __name__ == "__main__":  # build into a database by hand: python tests/dashboards/dashboard_world.py URL DIR
    import sys

    w = build(sys.argv[1], Path(sys.argv[2]))
    print(json.dumps({"regions": w.regions, "entities": len(w.expected)}, ensure_ascii=False))
