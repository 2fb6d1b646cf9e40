"""The 复核 report: the published run of a quarter against its latest recheck run (after
rectification). For every entity that failed: which problems were fixed and which remain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from govmon import db
from govmon.quarters import TZ, Quarter
from govmon.report.data import ReportError, Settings, problem_type
from govmon.report.document import Block, _cn_date


@dataclass
class RecheckRow:
    entity_type: str
    name: str
    code: str
    before: list[str]
    after: list[str]
    verdict_after: str

    @property
    def fixed(self) -> list[str]:
        after = {problem_type(p) for p in self.after}
        return [p for p in self.before if problem_type(p) not in after]

    @property
    def remaining(self) -> list[str]:
        before = {problem_type(p) for p in self.before}
        return [p for p in self.after if problem_type(p) in before]

    @property
    def new(self) -> list[str]:
        before = {problem_type(p) for p in self.before}
        return [p for p in self.after if problem_type(p) not in before]


@dataclass
class Recheck:
    quarter: Quarter
    first_run: int
    recheck_run: int
    first_as_of: dt.datetime
    recheck_as_of: dt.datetime
    rows: list[RecheckRow]


def compare(quarter: Quarter | str, region: str | None = None, url: str | None = None) -> Recheck:
    quarter = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    with db.transaction(url) as cur:
        cur.execute("select p.run_id, r.as_of from verdicts.published p join verdicts.runs r using (run_id) "
                    "where p.quarter = %s", (str(quarter),))
        first = cur.fetchone()
        cur.execute("select run_id, as_of from verdicts.runs where quarter = %s and kind = 'recheck' "
                    "and status <> 'computing' order by as_of desc, run_id desc limit 1", (str(quarter),))
        second = cur.fetchone()
        if first is None or second is None:
            raise ReportError(f"{quarter} 需要一次已发布的检查和一次复核（govmon verdicts compute --quarter {quarter} --recheck --as-of …）")
        scope = "" if region is None else (
            "and a.region_code = %(region)s" if not region.endswith("00")
            else "and substr(a.region_code, 1, 4) || '00' = %(region)s")
        cur.execute(
            f"""
            select a.entity_type, a.name, a.code, a.problems, coalesce(b.problems, '{{}}'), coalesce(b.verdict, '无法判定')
            from verdicts.entity_verdicts a
            left join verdicts.entity_verdicts b on b.run_id = %(second)s and b.entity_type = a.entity_type
                and b.entity_id = a.entity_id
            where a.run_id = %(first)s and a.verdict = '不合格' {scope}
            order by a.entity_type desc, a.region_code, a.code
            """,
            {"first": first[0], "second": second[0], "region": region},
        )
        rows = [RecheckRow(*r) for r in cur.fetchall()]
    return Recheck(quarter, first[0], second[0], first[1].astimezone(TZ), second[1].astimezone(TZ), rows)


def build(rc: Recheck, settings: Settings, issue_date: dt.date) -> list[Block]:
    q = rc.quarter.label
    done = [r for r in rc.rows if not r.remaining and not r.new]
    blocks = [
        Block("title", f"{settings.issuer}关于{q}政府网站和政务新媒体问题整改复核情况的通报"),
        Block("addressee", f"{settings.addressees}："),
        Block("para", (f"{settings.issuer}于{_cn_date(rc.recheck_as_of.date().isoformat())}对{q}检查"
                       f"（监测时间点{_cn_date(rc.first_as_of.date().isoformat())}）中不合格的{len(rc.rows)}个政府网站和"
                       f"政务新媒体进行了复核：整改到位{len(done)}个，仍存在问题{len(rc.rows) - len(done)}个。")),
        Block("h1", "一、仍存在问题的对象"),
    ]
    left = [r for r in rc.rows if r.remaining or r.new]
    if not left:
        blocks.append(Block("para", "所有被通报的问题均已整改到位。"))
    for i, r in enumerate(left, 1):
        blocks.append(Block("para", f"{i}.{r.name}：{'；'.join(r.remaining + r.new)}。"))
    blocks.append(Block("signature", settings.issuer, lines=[_cn_date(issue_date.isoformat())]))
    blocks.append(Block("annex", f"{q}整改复核情况表", number=1,
                        headers=["序号", "名称", "标识", "原突出问题", "已整改", "仍存在的问题", "复核结论"],
                        rows=[[str(i), r.name, r.code, "；".join(r.before), "；".join(r.fixed) or "—",
                               "；".join(r.remaining + r.new) or "—", r.verdict_after]
                              for i, r in enumerate(rc.rows, 1)]))
    return blocks


@dataclass
class RecheckWritten:
    docx: Path
    markdown: Path
    recheck: Recheck


def write_recheck(quarter, out_dir, *, region=None, settings: Settings | None = None, url=None,
                  issue_date: dt.date | None = None) -> RecheckWritten:
    from govmon.report.render import to_docx, to_markdown

    rc = compare(quarter, region=region, url=url)
    blocks = build(rc, settings or Settings.load(), issue_date or dt.datetime.now(TZ).date())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"复核-{rc.quarter}{'-' + region if region else ''}"
    md = out / f"{stem}.md"
    md.write_text(to_markdown(blocks), encoding="utf-8")
    return RecheckWritten(to_docx(blocks, out / f"{stem}.docx"), md, rc)
