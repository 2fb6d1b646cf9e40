"""The roll-up precedence, review, publication and export, against a real Postgres.

The real checks are tested beside their indicators; here stand-in checks (SQL files in a temp
folder, following the same contract) read their results from a test table, so every combination
of check outcomes can be set up exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import psycopg2
import pytest

from govmon.profiles import load_profile
from govmon.quarters import TZ, Quarter
from govmon.registry import import_registry
from govmon.verdicts import export, review
from govmon.verdicts.compute import ROLLUP_SQL, compute

AS_OF = dt.datetime(2026, 9, 30, 23, 59, tzinfo=TZ)
Q = Quarter(2026, 3)

SITES = ("网站名称,网站标识码,首页网址,主办单位,行政区划代码,网站类型\n"
         + "".join(f"站点{i},36060000{i:02d},http://127.10.0.{i}:1/,单位{i},360600,部门网站\n" for i in range(1, 13)))
ACCOUNTS = ("账号名称,平台,账号标识,填报单位,行政区划代码\n"
            "鹰潭发布,微信,biz1,宣传部,360600\n鹰潭交警,微博,1001,交警支队,360600\n")

INDICATORS = {"W-V2": "site", "W-V3": "site", "W-D15": "site", "T-D1": "site", "G-F1": "site", "W-V5": "site",
              "M-V2": "account", "N-7": "account", "M-V3": "account"}


def _check_sql(indicator: str, entity: str) -> str:
    table, key = ("registry.inspected_sites", "site_id") if entity == "site" else ("registry.inspected_accounts", "account_id")
    return f"""-- indicator: {indicator}
-- entity: {entity}
-- grain: one row per inspected {entity} (test stand-in)
select '{entity}'::text as entity_type, e.{key} as entity_id, '{indicator}'::text as indicator,
       coalesce(f.status, 'pass') as status, f.problem, f.reason, coalesce(f.evidence, '{{}}'::jsonb) as evidence
from {table} e
left join public.fake_results f on f.entity_type = '{entity}' and f.entity_id = e.{key} and f.indicator = '{indicator}'
"""


@pytest.fixture
def world(db_url, tmp_path):
    (tmp_path / "sites.csv").write_text(SITES, encoding="utf-8")
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    import_registry(sites=tmp_path / "sites.csv", accounts=tmp_path / "accounts.csv", url=db_url)
    checks = tmp_path / "checks"
    checks.mkdir()
    for ind, entity in INDICATORS.items():
        (checks / f"{ind.lower().replace('-', '_')}__{entity}__fake.sql").write_text(_check_sql(ind, entity))
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        # an uncapped deduction indicator, so the score boundary can be reached with one finding
        cur.execute("insert into verdicts.indicators values ('T-D1', 'site', 'deduction', '测试扣分项', null, 'A', 'D')")
        cur.execute("create table public.fake_results (entity_type text, entity_id bigint, indicator text, "
                    "status text, problem text, reason text, evidence jsonb)")
        cur.execute("select site_code, site_id from registry.sites")
        sites = dict(cur.fetchall())
        cur.execute("select platform_account_id, account_id from registry.accounts")
        accounts = dict(cur.fetchall())
    return {"url": db_url, "checks": checks, "site": lambda i: sites[f"36060000{i:02d}"], "account": accounts}


def fake(url, entity_type, entity_id, indicator, status, problem=None, reason=None, evidence=None):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("insert into public.fake_results values (%s, %s, %s, %s, %s, %s, %s)",
                    (entity_type, entity_id, indicator, status, problem, reason, json.dumps(evidence or {})))


def verdicts(url, quarter="2026Q3"):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select entity_type, entity_id, verdict, score, problems, vetoes, unknown_reasons, pending_review "
                    "from verdicts.fct_quarterly_verdicts where quarter = %s", (quarter,))
        return {(r[0], r[1]): r[2:] for r in cur.fetchall()}


def run(world, **kw):
    return compute(Q, as_of=AS_OF, profile=kw.pop("profile", None), url=world["url"], checks_dir=world["checks"], **kw)


def test_precedence(world):
    url, s = world["url"], world["site"]
    fake(url, "site", s(1), "W-V2", "fail", "监测时间点无法访问")
    fake(url, "site", s(2), "W-V3", "unknown", reason="未采集到首页")
    fake(url, "site", s(3), "W-V2", "fail", "监测时间点无法访问")  # fail beats unknown
    fake(url, "site", s(3), "W-V3", "unknown", reason="未采集到首页")
    fake(url, "site", s(4), "T-D1", "fail", "错链断链多", evidence={"deduction_points": 40})
    fake(url, "site", s(5), "T-D1", "fail", "错链断链多", evidence={"deduction_points": 40.5})
    fake(url, "site", s(6), "W-V5", "review", "互动回应差")
    fake(url, "site", s(7), "G-F1", "fail", "网站标识码与系统不一致")  # a flag: shown, no effect
    fake(url, "site", s(8), "W-V5", "review", "互动回应差")  # review + veto unknown → 无法判定
    fake(url, "site", s(8), "W-V2", "unknown", reason="无探测数据")
    result = run(world)
    assert result.published
    v = verdicts(url)
    assert v[("site", s(1))][:4] == ("不合格", 100, ["监测时间点无法访问"], ["W-V2"])
    assert v[("site", s(2))][0] == "无法判定" and v[("site", s(2))][4] == ["W-V3：未采集到首页"]
    assert v[("site", s(3))][0] == "不合格"
    assert v[("site", s(4))][:3] == ("合格", 60, ["错链断链多"])      # 60 is 合格 (only < 60 fails)
    assert v[("site", s(5))][:2] == ("不合格", pytest.approx(59.5))  # the score rule
    assert v[("site", s(5))][3] == []                                # a deduction is not a veto
    assert v[("site", s(6))][0] == "待审核" and v[("site", s(6))][5] == ["W-V5：互动回应差"]
    assert v[("site", s(7))][:3] == ("合格", 100, ["网站标识码与系统不一致"])
    assert v[("site", s(8))][0] == "无法判定"
    assert v[("site", s(10))][:4] == ("合格", 100, [], [])
    assert result.counts["site"] == {"合格": 6, "不合格": 3, "无法判定": 2, "待审核": 1}


def test_capped_deduction(world):
    url, s = world["url"], world["site"]
    fake(url, "site", s(9), "W-D15", "fail", "错链断链多", evidence={"deduction_points": 30})
    run(world)
    assert verdicts(url)[("site", s(9))][:2] == ("合格", 79)  # W-D15 is capped at its 21 points


def test_accounts_have_no_score_and_registry_mismatch_fails(world):
    url, a = world["url"], world["account"]
    fake(url, "account", a["biz1"], "N-7", "fail", "已改名（鹰潭发布厅）系统中未改名")
    run(world)
    v = verdicts(url)
    assert v[("account", a["biz1"])][:4] == ("不合格", None, ["已改名（鹰潭发布厅）系统中未改名"], [])  # not a veto id
    assert v[("account", a["1001"])][:2] == ("合格", None)


def test_nothing_checked_is_never_silently_passed(world, tmp_path):
    empty = tmp_path / "no_checks"
    empty.mkdir()
    compute(Q, as_of=AS_OF, url=world["url"], checks_dir=empty)
    v = verdicts(world["url"])
    assert {r[0] for r in v.values()} == {"无法判定"}
    assert all(r[4] == ["无检查数据"] for r in v.values())


def test_an_entity_no_veto_check_judged_is_never_silently_passed(world, tmp_path):
    """A veto-kind check that judged only some entities: the others had no veto input (无法判定),
    found from the rows, as run_checks records that the check did not cover every entity."""
    partial = tmp_path / "partial_checks"
    partial.mkdir()
    (partial / "w_v2__site__even.sql").write_text(_check_sql("W-V2", "site") + "where mod(e.site_id, 2) = 0\n")
    (partial / "g_f1__site__all.sql").write_text(_check_sql("G-F1", "site"))  # a flag: not a veto input
    (partial / "n_7__account__all.sql").write_text(_check_sql("N-7", "account"))  # covers every account
    result = compute(Q, as_of=AS_OF, url=world["url"], checks_dir=partial)
    v = verdicts(world["url"])
    sites = [k for k in v if k[0] == "site"]
    assert len(sites) == 12
    for key in sites:
        expected = ("合格", []) if key[1] % 2 == 0 else ("无法判定", ["无检查数据"])
        assert (v[key][0], v[key][4]) == expected, key
    assert {v[k][0] for k in v if k[0] == "account"} == {"合格"}
    with psycopg2.connect(world["url"]) as conn, conn.cursor() as cur:
        cur.execute("select check_name, rows, covers_all from verdicts.run_checks where run_id = %s order by 1",
                    (result.run_id,))
        assert cur.fetchall() == [("g_f1__site__all", 12, True), ("n_7__account__all", 2, True),
                                  ("w_v2__site__even", 6, False)]


def _verdict_rows(url, run_id):
    """The run's verdicts as written (defaults beside the checks, then the findings over them), and as
    the roll-up gives them over everything at once (its 'all' phase), in a transaction rolled back."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select * from verdicts.run_verdicts where run_id = %s order by entity_type, entity_id", (run_id,))
        written = cur.fetchall()
        cur.execute("select profile -> 'scoring' ->> 'pass_score' from verdicts.runs where run_id = %s", (run_id,))
        pass_score = float(cur.fetchone()[0])
        cur.execute(f"select * from ({ROLLUP_SQL.read_text(encoding='utf-8')}) as v order by entity_type, entity_id",
                    {"run_id": run_id, "pass_score": pass_score, "phase": "all"})
        whole = cur.fetchall()
    return written, whole


def test_verdicts_written_in_two_phases_equal_the_roll_up_over_everything(world, tmp_path):
    """The worker writes every entity's verdict as if nothing were found; after the checks only the
    entities with a finding, or of a kind no veto check judged in full, are rolled up again over
    them. The result equals the roll-up over everything: with every status, deductions, reviewers'
    decisions (a confirmed suspicion, a dismissed fail, a manual finding), partial veto coverage
    and no checks at all."""
    url, s, a = world["url"], world["site"], world["account"]
    fake(url, "site", s(1), "W-V2", "fail", "监测时间点无法访问")
    fake(url, "site", s(2), "W-V3", "unknown", reason="未采集到首页")
    fake(url, "site", s(4), "T-D1", "fail", "错链断链多", evidence={"deduction_points": 40.5})
    fake(url, "site", s(5), "W-D15", "fail", "错链断链多", evidence={"deduction_points": 30})
    fake(url, "site", s(6), "W-V5", "review", "互动回应差")
    fake(url, "site", s(7), "W-V5", "review", "互动回应差")
    fake(url, "site", s(8), "G-F1", "fail", "网站标识码与系统不一致")
    fake(url, "account", a["biz1"], "N-7", "fail", "搜索不到")
    first = run(world)
    written, whole = _verdict_rows(url, first.run_id)
    assert written == whole and len(written) == 14
    assert {r[3] for r in written} == {"合格", "不合格", "无法判定", "待审核"}

    items = {(i.code, i.indicator): i for i in review.list_items("2026Q3", url=url)}
    review.decide(items[("3606000006", "W-V5")].item_id, "确认", "张三", "留言112天未答复", url=url)
    review.decide(items[("3606000007", "W-V5")].item_id, "排除", "张三", "属于信访渠道", url=url)
    manual = tmp_path / "review.csv"
    manual.write_text("标识,指标,突出问题,结论,审核人,证据,说明\n"
                      "3606000003,W-V1,严重表述错误,确认,王五,http://x/a.html,领导姓名错误\n", encoding="utf-8")
    review.import_file(manual, "2026Q3", url=url)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("insert into verdicts.review_items (quarter, entity_type, entity_id, indicator, problem, source) "
                    "values ('2026Q3', 'site', %s, 'W-V2', '监测时间点无法访问', 'machine') returning item_id", (s(1),))
        dismissed = cur.fetchone()[0]
    review.decide(dismissed, "排除", "李四", "监测点网络故障", url=url)
    again = run(world)  # computed again with the decisions in place
    written, whole = _verdict_rows(url, again.run_id)
    assert written == whole
    by_site = {r[2]: r[3] for r in written if r[1] == "site"}
    assert (by_site[s(1)], by_site[s(3)], by_site[s(6)], by_site[s(7)]) == ("合格", "不合格", "不合格", "合格")

    partial = tmp_path / "partial_checks"
    partial.mkdir()
    (partial / "w_v2__site__even.sql").write_text(_check_sql("W-V2", "site") + "where mod(e.site_id, 2) = 0\n")
    (partial / "n_7__account__all.sql").write_text(_check_sql("N-7", "account"))
    empty = tmp_path / "no_checks"
    empty.mkdir()
    for n, checks in enumerate((partial, empty), start=1):
        result = compute(Q, as_of=AS_OF + dt.timedelta(days=n), url=url, checks_dir=checks, kind="recheck",
                         publish=False)
        written, whole = _verdict_rows(url, result.run_id)
        assert written == whole and {r[3] for r in written} >= {"无法判定"}, checks.name


def test_review_confirm_dismiss_and_history(world):
    url, s = world["url"], world["site"]
    fake(url, "site", s(6), "W-V5", "review", "互动回应差")
    fake(url, "site", s(7), "W-V5", "review", "互动回应差")
    fake(url, "site", s(1), "W-V2", "fail", "监测时间点无法访问")
    run(world)
    items = {(i.code, i.indicator): i for i in review.list_items("2026Q3", url=url)}
    assert set(items) == {("3606000006", "W-V5"), ("3606000007", "W-V5")}

    review.decide(items[("3606000006", "W-V5")].item_id, "确认", "张三", "留言112天未答复", url=url)
    review.decide(items[("3606000007", "W-V5")].item_id, "排除", "张三", "属于信访渠道", url=url)
    v = verdicts(url)  # re-rolled immediately
    assert v[("site", s(6))][:4] == ("不合格", 100, ["互动回应差"], ["W-V5"])
    assert v[("site", s(7))][0] == "合格"
    assert review.list_items("2026Q3", url=url) == []

    # recomputing keeps the decisions; a dismissed finding never counts again that quarter
    run(world)
    v = verdicts(url)
    assert v[("site", s(6))][0] == "不合格" and v[("site", s(7))][0] == "合格"
    # a reviewer may also dismiss a machine fail
    fail_item = None
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("insert into verdicts.review_items (quarter, entity_type, entity_id, indicator, problem, source) "
                    "values ('2026Q3', 'site', %s, 'W-V2', '监测时间点无法访问', 'machine') returning item_id", (s(1),))
        fail_item = cur.fetchone()[0]
    review.decide(fail_item, "排除", "李四", "监测点网络故障", url=url)
    assert verdicts(url)[("site", s(1))][0] == "合格"
    # history: every decision kept
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from verdicts.review_decisions")
        assert cur.fetchone()[0] == 3


def test_review_import_manual_findings_all_or_nothing_and_idempotent(world, tmp_path):
    url, s, a = world["url"], world["site"], world["account"]
    run(world)
    good = tmp_path / "review.csv"
    good.write_text("标识,指标,突出问题,结论,审核人,证据,说明\n"
                    "3606000003,W-V1,严重表述错误,确认,王五,http://x/a.html,领导姓名错误\n"
                    "微信:biz1,M-V3,未提供有效互动功能,确认,王五,截图1.png,留言功能关闭\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("标识,指标,突出问题,结论,审核人,证据,说明\n"
                   "3606000003,W-V1,严重表述错误,确认,王五,,\n"
                   "9999999999,W-V1,严重表述错误,确认,王五,,\n"
                   "3606000004,M-V3,x,确认,王五,,\n"
                   "3606000005,W-V1,,同意,,,\n", encoding="utf-8")
    with pytest.raises(review.ReviewError) as err:
        review.import_file(bad, "2026Q3", url=url)
    problems = [p.replace(str(tmp_path) + "/", "") for p in err.value.problems]
    assert "bad.csv:3: 标识: 名录中没有“9999999999”（网站填网站标识码，账号填 平台:账号标识）" in problems
    assert "bad.csv:4: 指标: M-V3 不适用于网站" in problems
    assert "bad.csv:5: 结论: 应为 确认 或 排除，实为“同意”" in problems
    assert "bad.csv:5: 审核人: 必填项为空" in problems
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from verdicts.review_items")
        assert cur.fetchone()[0] == 0  # nothing written

    assert review.import_file(good, "2026Q3", url=url) == (2, 2)
    v = verdicts(url)
    assert v[("site", s(3))][:4] == ("不合格", 100, ["严重表述错误"], ["W-V1"])
    assert v[("account", a["biz1"])][:3] == ("不合格", None, ["未提供有效互动功能"])
    assert review.import_file(good, "2026Q3", url=url) == (2, 0)  # the same file again changes nothing
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from verdicts.review_decisions")
        assert cur.fetchone()[0] == 2
        cur.execute("select count(*) from verdicts.review_imports")
        assert cur.fetchone()[0] == 2  # both imports are kept as history


def test_recompute_is_idempotent_and_recheck_is_kept(world):
    url, s = world["url"], world["site"]
    fake(url, "site", s(1), "W-V2", "fail", "监测时间点无法访问")
    first = run(world)

    def snapshot():
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("select * from verdicts.entity_verdicts order by run_id, entity_type, entity_id")
            ev = cur.fetchall()
            cur.execute("select run_id, check_name, entity_id, status from verdicts.check_results order by 1, 2, 3")
            return ev, cur.fetchall()

    def partitions(run_id):
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("select partition::text, level from verdicts.run_partitions(%s) order by 1", (run_id,))
            return cur.fetchall()

    before = snapshot()
    first_parts = partitions(first.run_id)
    assert [level for _, level in first_parts] == [1] + [2] * len(INDICATORS)  # the run's, and a leaf per check
    again = run(world)
    assert again.run_id == first.run_id
    assert snapshot() == before
    # the results were swapped whole: the earlier partitions are gone, not left beside the new ones
    again_parts = partitions(first.run_id)
    assert len(again_parts) == len(first_parts) and not set(again_parts) & set(first_parts)

    # after rectification the site answers; a 复核 run is kept beside the published one
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("delete from public.fake_results")
    recheck = compute(Q, as_of=AS_OF + dt.timedelta(days=20), url=url, checks_dir=world["checks"],
                      kind="recheck", publish=False)
    assert recheck.run_id != first.run_id
    assert verdicts(url)[("site", s(1))][0] == "不合格"  # the published quarter is unchanged
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select verdict from verdicts.entity_verdicts where run_id = %s and entity_id = %s",
                    (recheck.run_id, s(1)))
        assert cur.fetchone()[0] == "合格"


def test_attached_partitions_are_autovacuumed_again(world):
    """The workers build their tables with autovacuum off (so that it does not run beside the other
    checks); attached, every one of the run's tables has it on again."""
    first = run(world)
    with psycopg2.connect(world["url"]) as conn, conn.cursor() as cur:
        cur.execute("select c.oid::regclass::text, c.reloptions from pg_class c "
                    "where c.relnamespace = 'verdicts_parts'::regnamespace and c.relkind = 'r' "
                    "and c.relname like %s", (f"cr{first.run_id}\\_%",))
        tables = cur.fetchall()
    assert len(tables) == len(INDICATORS) + 2  # a leaf per check, the registry snapshot and the verdicts
    assert [t for t in tables if t[1]] == []


def test_deleting_a_run_deletes_its_rows_and_only_its_rows(world):
    url, s = world["url"], world["site"]
    fake(url, "site", s(1), "W-V2", "fail", "监测时间点无法访问")
    kept = run(world)
    gone = compute(Q, as_of=AS_OF + dt.timedelta(days=20), url=url, checks_dir=world["checks"], kind="recheck",
                   publish=False)

    def rows(run_id):
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            return [cur.execute(f"select count(*) from verdicts.{t} where run_id = %s", (run_id,)) or cur.fetchone()[0]
                    for t in ("run_entities", "check_results", "run_verdicts")]

    before = rows(kept.run_id)
    assert all(before) and all(rows(gone.run_id))
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("delete from verdicts.runs where run_id = %s", (gone.run_id,))
    assert rows(gone.run_id) == [0, 0, 0]
    assert rows(kept.run_id) == before
    with psycopg2.connect(url) as conn, conn.cursor() as cur:  # its partitions are dropped, the kept run's stay
        cur.execute("select count(*) from pg_tables where schemaname = 'verdicts_parts' and tablename like %s",
                    (f"cr{gone.run_id}\\_%",))
        assert cur.fetchone()[0] == 0
        cur.execute("select count(*) from verdicts.run_partitions(%s)", (kept.run_id,))
        assert cur.fetchone()[0] == 1 + len(INDICATORS)
        cur.execute("select count(*) from verdicts.run_checks where run_id = %s", (gone.run_id,))
        assert cur.fetchone()[0] == 0


def test_export_matches_the_contract(world):
    url, s = world["url"], world["site"]
    fake(url, "site", s(1), "W-V2", "fail", "监测时间点无法访问")
    fake(url, "site", s(1), "W-V3", "fail", "首页不更新")
    fake(url, "account", world["account"]["1001"], "M-V2", "fail", "14天未更新")
    run(world)
    text = export.render("2026Q3", "csv", url=url)
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames[:11] == ["季度", "对象类型", "名称", "标识", "行政区划代码", "主办单位", "平台", "检查结果",
                                      "得分", "突出问题", "单项否决"]
    rows = {r["标识"]: r for r in reader}
    assert len(rows) == 14
    r = rows["3606000001"]
    assert (r["季度"], r["对象类型"], r["检查结果"], r["得分"], r["单项否决"]) == ("2026Q3", "网站", "不合格", "100", "W-V2；W-V3")
    assert set(r["突出问题"].split("；")) == {"监测时间点无法访问", "首页不更新"}
    acc = rows["微博:1001"]
    assert (acc["对象类型"], acc["平台"], acc["检查结果"], acc["得分"], acc["突出问题"]) == ("政务新媒体", "微博", "不合格", "", "14天未更新")
    data = json.loads(export.render("2026Q3", "json", url=url))
    assert len(data) == 14 and data[0]["季度"] == "2026Q3"


def test_profile_changes_the_pass_score(world, tmp_path):
    url, s = world["url"], world["site"]
    fake(url, "site", s(4), "T-D1", "fail", "错链断链多", evidence={"deduction_points": 15})
    strict = tmp_path / "strict.yaml"
    strict.write_text("name: strict\nbase: national-2019\nscoring: {pass_score: 90}\n", encoding="utf-8")
    run(world, profile=load_profile(str(strict)))
    assert verdicts(url)[("site", s(4))][:2] == ("不合格", 85)


def test_a_check_breaking_the_contract_is_refused_and_nothing_is_written(world, tmp_path):
    from govmon.verdicts.checks import CheckError

    bad = tmp_path / "bad_checks"
    bad.mkdir()
    (bad / "g_f1__site__fine.sql").write_text(_check_sql("G-F1", "site"))  # runs beside the bad one
    (bad / "w_v2__site__dup.sql").write_text(
        "-- indicator: W-V2\n-- entity: site\n"
        "select 'site'::text as entity_type, s.site_id as entity_id, 'W-V2'::text as indicator, 'fail'::text as status,\n"
        "       null::text as problem, null::text as reason, '{}'::jsonb as evidence\n"
        "from registry.inspected_sites s")
    with pytest.raises(CheckError, match="without a problem text"):
        compute(Q, as_of=AS_OF, url=world["url"], checks_dir=bad)
    with psycopg2.connect(world["url"]) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from verdicts.runs")
        assert cur.fetchone()[0] == 0
        cur.execute("select count(*) from pg_tables where schemaname = 'verdicts_scratch'")
        assert cur.fetchone()[0] == 0  # the scratch tables of the good checks that ran beside it are gone


def test_checks_on_one_worker_or_several_give_the_same_tables(world):
    url, s = world["url"], world["site"]
    fake(url, "site", s(1), "W-V2", "fail", "监测时间点无法访问")
    fake(url, "site", s(2), "W-V3", "unknown", reason="无采集记录")

    def tables():
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("select entity_type, entity_id, verdict, problems, unknown_reasons from verdicts.entity_verdicts "
                        "order by 1, 2")
            ev = cur.fetchall()
            cur.execute("select check_name, entity_id, status, problem, reason, evidence from verdicts.check_results "
                        "order by 1, 2")
            return ev, cur.fetchall()

    one = run(world, workers=1)
    first = tables()
    several = run(world, workers=4)
    assert several.run_id == one.run_id and tables() == first
    assert len(first[1]) == 12 * 6 + 2 * 3  # every check's row for every site and account
