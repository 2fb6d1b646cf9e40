"""The 通报: every table row against the verdicts, every figure against the roll-ups."""

from __future__ import annotations

import datetime as dt
import json
import re

import docx
import psycopg2
import pytest

from govmon.quarters import TZ, Quarter
from govmon.registry import import_registry
from govmon.report import Settings, write_report
from govmon.report.recheck import write_recheck
from govmon.verdicts.compute import compute

REGIONS = "行政区划代码,名称\n360000,江西省\n360600,鹰潭市\n360602,月湖区\n360681,贵溪市\n"
SITES = ("网站名称,网站标识码,首页网址,主办单位,行政区划代码,网站类型\n"
         "鹰潭市人民政府,3606000001,http://127.10.0.1:1/,鹰潭市人民政府办公室,360600,政府门户网站\n"
         "鹰潭市教育局,3606000002,http://127.10.0.2:1/,鹰潭市教育局,360600,部门网站\n"
         "鹰潭市体育局,3606000003,http://127.10.0.3:1/,鹰潭市体育局,360600,部门网站\n"
         "月湖区人民政府,3606020001,http://127.10.0.4:1/,月湖区人民政府办公室,360602,政府门户网站\n"
         "贵溪市人民政府,3606810001,http://127.10.0.5:1/,贵溪市人民政府办公室,360681,政府门户网站\n"
         "贵溪市财政局,3606810002,http://127.10.0.6:1/,贵溪市财政局,360681,部门网站\n")
ACCOUNTS = ("账号名称,平台,账号类型,账号标识,填报单位,行政区划代码\n"
            "鹰潭发布,微信,订阅号,biz1,中共鹰潭市委宣传部,360600\n"
            "余江林业,微信,订阅号,biz2,余江区林业局,360602\n"
            "鹰潭交警,微博,新浪微博,1001,鹰潭市公安局交通警察支队,360600\n"
            "贵溪发布,抖音,抖音短视频,dy1,贵溪市融媒体中心,360681\n")
CHECKS = {"W-V2": "site", "W-V3": "site", "W-V4": "site", "W-V5": "site", "M-V2": "account", "N-7": "account"}


@pytest.fixture
def world(db_url, tmp_path):
    for name, text in (("regions.csv", REGIONS), ("sites.csv", SITES), ("accounts.csv", ACCOUNTS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    import_registry(regions=tmp_path / "regions.csv", sites=tmp_path / "sites.csv",
                    accounts=tmp_path / "accounts.csv", url=db_url)
    checks = tmp_path / "checks"
    checks.mkdir()
    for ind, entity in CHECKS.items():
        table, key = (("registry.inspected_sites", "site_id") if entity == "site"
                      else ("registry.inspected_accounts", "account_id"))
        (checks / f"{ind.lower().replace('-', '_')}__{entity}__fake.sql").write_text(f"""-- indicator: {ind}
-- entity: {entity}
select '{entity}'::text as entity_type, e.{key} as entity_id, '{ind}'::text as indicator,
       coalesce(f.status, 'pass') as status, f.problem, f.reason, coalesce(f.evidence, '{{}}'::jsonb) as evidence
from {table} e left join public.fake f on f.code = coalesce(e.{'site_code' if entity == 'site' else 'platform_account_id'}, '') and f.indicator = '{ind}'
""")
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("create table public.fake (code text, indicator text, status text, problem text, reason text, "
                    "evidence jsonb)")
    return db_url, checks


def fake(url, rows):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("delete from public.fake")
        for code, ind, status, problem, evidence in rows:
            cur.execute("insert into public.fake values (%s, %s, %s, %s, %s, %s)",
                        (code, ind, status, problem, "无数据" if status == "unknown" else None,
                         json.dumps(evidence or {})))


Q2_ROWS = [("3606000002", "W-V3", "fail", "首页不更新", None)]
Q3_ROWS = [
    ("3606000002", "W-V3", "fail", "首页不更新", None),
    ("3606000003", "W-V4", "fail", "多个栏目更新不及时",
     {"columns": [{"path": "首页>信息公开>工作动态", "unit": "鹰潭市体育局", "problem": "监测时间点前2周内栏目无信息更新"},
                  {"path": "首页>通知公告", "problem": "空白栏目"}]}),
    ("3606810001", "W-V5", "fail", "互动回应差",
     {"overdue_letters": [{"unit": "贵溪市住建局"}, {"unit": "贵溪市住建局"}, {"unit": "贵溪市交通局"}]}),
    ("3606810002", "W-V2", "unknown", None, None),
    ("biz2", "M-V2", "fail", "14天未更新", None),
    ("dy1", "N-7", "fail", "已改名（贵溪融媒）系统中未改名", None),
]


def _compute(url, checks, quarter, rows, **kw):
    fake(url, rows)
    q = Quarter.parse(quarter)
    return compute(q, as_of=q.end - dt.timedelta(seconds=1), url=url, checks_dir=checks, **kw)


def _tables(document):
    out = []
    for t in document.tables:
        out.append([[c.text for c in row.cells] for row in t.rows])
    return out


def _rollup(url, quarter, level, code, entity_type, category="全部"):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select total, passed, failed, undecided, pending, pass_rate, pass_rate_change "
                    "from marts.fct_quarterly_rollup where quarter=%s and scope_level=%s and scope_code=%s "
                    "and entity_type=%s and category=%s", (quarter, level, code, entity_type, category))
        return cur.fetchone()


SETTINGS = Settings(issuer="鹰潭市人民政府办公室", addressees="各区（市）人民政府，市政府各部门", deadline="2026-10-31",
                    contact="张三，0701-1234567")


def test_report_figures_and_tables_match_the_verdicts(world, tmp_path):
    url, checks = world
    _compute(url, checks, "2026Q2", Q2_ROWS)
    _compute(url, checks, "2026Q3", Q3_ROWS)
    w = write_report("2026Q3", tmp_path / "out", settings=SETTINGS, issue_date=dt.date(2026, 10, 10), url=url)
    assert w.docx.exists() and w.markdown.exists()
    d = docx.Document(str(w.docx))
    paras = [p.text for p in d.paragraphs]
    text = "\n".join(paras)
    assert paras[0] == "鹰潭市人民政府办公室关于2026年第三季度鹰潭市政府网站和政务新媒体检查情况的通报"
    assert paras[1] == "各区（市）人民政府，市政府各部门："

    total, passed, failed, undecided, pending, rate, change = _rollup(url, "2026Q3", "prefecture", "360600", "site")
    assert (total, passed, failed, undecided) == (6, 2, 3, 1)
    prev = _rollup(url, "2026Q2", "prefecture", "360600", "site")
    assert float(change) == pytest.approx(float(rate) - float(prev[5]))
    site_para = next(p for p in paras if p.startswith("（一）政府网站检查情况"))
    assert (f"在运行政府网站{total}个（政府门户网站3个，部门网站3个），检查合格{passed}个，不合格{failed}个，"
            f"无法判定{undecided}个，合格率{float(rate):.1f}%，较上季度下降{-float(change):.1f}个百分点。") in site_para
    a = _rollup(url, "2026Q3", "prefecture", "360600", "account")
    acc_para = next(p for p in paras if p.startswith("（二）政务新媒体检查情况"))
    assert f"纳入常态化监管的政务新媒体{a[0]}个（微信2个，微博1个，抖音1个），发现不合格{a[2]}个，合格率{float(a[5]):.1f}%" in acc_para

    # 主要问题: grouped by problem type with the named examples
    def numbered(suffix):
        return [p for p in paras if re.fullmatch(r"\d\." + re.escape(suffix), p)]

    assert numbered("首页不更新（1个）：鹰潭市教育局。")
    assert numbered("多个栏目更新不及时（1个）：鹰潭市体育局。")
    assert numbered("14天未更新（1个）：余江林业。")
    assert numbered("已改名系统中未改名（1个）：贵溪发布。")  # grouped by type, without the new name
    assert "2026年10月31日前" in text and "张三，0701-1234567" in text

    t1, t2, t3, t4, t5 = _tables(d)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select name, code, url, verdict, problems from marts.fct_entity_verdicts "
                    "where quarter='2026Q3' and entity_type='site' and verdict='不合格' "
                    "order by case kind when '政府门户网站' then 0 else 1 end, region_code, code")
        failing_sites = cur.fetchall()
        cur.execute("select organizer, account_type, name, verdict, problems from marts.fct_entity_verdicts "
                    "where quarter='2026Q3' and entity_type='account' and verdict='不合格' order by region_code, code")
        failing_accounts = cur.fetchall()
    assert t1[0] == ["序号", "网站名称", "网站标识码", "首页网址", "检查结果", "突出问题"]
    assert t1[1:] == [[str(i), n, c, u, v, "；".join(p)] for i, (n, c, u, v, p) in enumerate(failing_sites, 1)]
    assert t2[0] == ["序号", "责任单位", "栏目路径", "问题描述"]
    assert t2[1:] == [["1", "鹰潭市体育局", "首页>信息公开>工作动态", "监测时间点前2周内栏目无信息更新"],
                      ["2", "鹰潭市体育局", "首页>通知公告", "空白栏目"]]
    assert t3[0] == ["序号", "填报单位", "账号类型", "账号名称", "检查结果", "突出问题"]
    assert t3[1:] == [[str(i), o, t, n, v, "；".join(p)] for i, (o, t, n, v, p) in enumerate(failing_accounts, 1)]
    assert t4[1:] == [["1", "贵溪市住建局", "2"], ["2", "贵溪市交通局", "1"]]
    method = dict((r[0], r[1]) for r in t5[1:])
    assert method["检查方案"] == "national-2019 v1"
    assert "贵溪市财政局" in method["无法判定的对象"]
    assert "W-V2 站点无法访问：5/6" in method["数据覆盖（已判定/应检查）"]

    # the same content in Markdown
    md = w.markdown.read_text(encoding="utf-8")
    for row in t1[1:] + t3[1:]:
        assert "| " + " | ".join(row) + " |" in md
    assert site_para in md


def test_layout_a4_styles_annex_pages_and_page_numbers(world, tmp_path):
    url, checks = world
    _compute(url, checks, "2026Q3", Q3_ROWS)
    w = write_report("2026Q3", tmp_path / "out", settings=SETTINGS, url=url)
    d = docx.Document(str(w.docx))
    sec = d.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    title = d.paragraphs[0]
    assert title.style.name == "公文标题"
    rfonts = title.style.element.rPr.rFonts
    assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "方正小标宋简体"
    marks = [p for p in d.paragraphs if re.fullmatch(r"附件\d", p.text)]
    assert [m.text for m in marks] == ["附件1", "附件2", "附件3", "附件4", "附件5"]
    assert all(m.paragraph_format.page_break_before for m in marks)
    assert all(t.style.name == "Table Grid" for t in d.tables)
    footer_xml = sec.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml
    font_table = next(r.target_part for r in d.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    assert 'w:name="仿宋_GB2312"' in font_table and 'w:altName w:val="仿宋"' in font_table


def test_county_scope_has_only_its_county(world, tmp_path):
    url, checks = world
    _compute(url, checks, "2026Q3", Q3_ROWS)
    w = write_report("2026Q3", tmp_path / "out", region="360681", settings=SETTINGS, url=url)
    d = docx.Document(str(w.docx))
    total, passed, failed, undecided, *_ = _rollup(url, "2026Q3", "county", "360681", "site")
    site_para = next(p.text for p in d.paragraphs if p.text.startswith("（一）政府网站检查情况"))
    assert f"贵溪市在运行政府网站{total}个" in site_para and f"不合格{failed}个" in site_para
    t1, _, t3, t4, _ = _tables(d)
    assert [r[1] for r in t1[1:]] == ["贵溪市人民政府"]
    assert [r[3] for r in t3[1:]] == ["贵溪发布"]
    assert t4[1:] == [["1", "贵溪市住建局", "2"], ["2", "贵溪市交通局", "1"]]


def test_recheck_report_lists_fixed_and_remaining(world, tmp_path):
    url, checks = world
    _compute(url, checks, "2026Q3", Q3_ROWS)
    after = [r for r in Q3_ROWS if r[0] not in ("3606000002", "dy1")]  # two fixed
    _compute(url, checks, "2026Q3", after, kind="recheck", publish=False)
    w = write_recheck("2026Q3", tmp_path / "out", settings=SETTINGS, url=url, issue_date=dt.date(2026, 11, 1))
    rows = {r.code: r for r in w.recheck.rows}
    assert rows["3606000002"].fixed == ["首页不更新"] and rows["3606000002"].remaining == []
    assert rows["3606000003"].remaining == ["多个栏目更新不及时"]
    d = docx.Document(str(w.docx))
    table = _tables(d)[0]
    by_code = {r[2]: r for r in table[1:]}
    assert by_code["3606000002"][4:] == ["首页不更新", "—", "合格"]
    assert by_code["微信:biz2"][5] == "14天未更新"
    assert "整改到位2个，仍存在问题3个" in "\n".join(p.text for p in d.paragraphs)


def test_report_refuses_an_unpublished_quarter(db_url, tmp_path):
    from govmon.report import ReportError

    with pytest.raises(ReportError, match="还没有已发布的结论"):
        write_report("2020Q1", tmp_path, url=db_url)
