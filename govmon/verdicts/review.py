"""Human review of findings (CONTRACT.md §5).

A machine finding of automation level S or M waits in ``verdicts.review_items`` until a reviewer
confirms (确认: it counts) or dismisses it (排除: it never counts for that quarter). Reviewers also
record manual findings (严重表述错误, a WeChat account whose interaction does not work) by importing
a file. Every decision is kept; the latest counts. After any decision the quarter's published
verdicts are rolled up again so they show it at once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from govmon import db
from govmon.registry.reader import FileProblem, read_table
from govmon.registry.schema import clean
from govmon.verdicts.compute import rollup_published

HEADERS = ("标识", "指标", "突出问题", "结论", "审核人", "证据", "说明")
ALIASES = {"标识": "id", "指标": "indicator", "突出问题": "problem", "结论": "decision",
           "审核人": "reviewer", "证据": "evidence", "说明": "note"}
DECISIONS = {"确认": "确认", "排除": "排除", "confirm": "确认", "dismiss": "排除"}


class ReviewError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ReviewRow:
    item_id: int
    quarter: str
    entity_type: str
    code: str
    name: str
    indicator: str
    problem: str
    source: str
    decision: str | None
    reviewer: str | None
    reason: str | None


def list_items(quarter: str | None = None, status: str = "open", url: str | None = None) -> list[ReviewRow]:
    where, params = [], []
    if quarter:
        where.append("c.quarter = %s")
        params.append(quarter)
    if status == "open":
        where.append("c.decision is null")
    with db.transaction(url) as cur:
        cur.execute(
            f"""
            select c.item_id, c.quarter, c.entity_type,
                   coalesce(s.site_code, a.platform || ':' || coalesce(a.platform_account_id, a.name)),
                   coalesce(s.name, a.name), c.indicator, c.problem, c.source, c.decision, c.reviewer, c.reason
            from verdicts.current_review c
            left join registry.sites s on c.entity_type = 'site' and s.site_id = c.entity_id
            left join registry.accounts a on c.entity_type = 'account' and a.account_id = c.entity_id
            {"where " + " and ".join(where) if where else ""}
            order by c.quarter, c.item_id
            """,
            params,
        )
        return [ReviewRow(*r) for r in cur.fetchall()]


def decide(item_id: int, decision: str, reviewer: str, reason: str | None = None, evidence: str | None = None,
           url: str | None = None) -> str:
    """Record a decision on one item; returns the quarter whose verdicts were rolled up again."""
    decision = DECISIONS.get(decision, decision)
    if decision not in ("确认", "排除"):
        raise ReviewError([f"结论应为 确认 或 排除，实为“{decision}”"])
    if not reviewer:
        raise ReviewError(["审核人不能为空"])
    with db.transaction(url) as cur:
        cur.execute("select quarter from verdicts.review_items where item_id = %s", (item_id,))
        row = cur.fetchone()
        if row is None:
            raise ReviewError([f"审核事项 {item_id} 不存在"])
        cur.execute("insert into verdicts.review_decisions (item_id, decision, reviewer, reason, evidence) "
                    "values (%s, %s, %s, %s, %s)", (item_id, decision, reviewer, reason, evidence))
        rollup_published(cur, row[0])
        return row[0]


def _entity(cur, code: str) -> tuple[str, int] | None:
    cur.execute("select site_id from registry.sites where site_code = %s", (code.lower(),))
    row = cur.fetchone()
    if row:
        return "site", row[0]
    platform, _, ident = code.partition(":")
    if ident:
        cur.execute("select account_id from registry.accounts where platform = %s "
                    "and (platform_account_id = %s or (platform_account_id is null and name = %s))",
                    (platform, ident, ident))
        row = cur.fetchone()
        if row:
            return "account", row[0]
    return None


def import_file(path: str | Path, quarter: str, url: str | None = None) -> tuple[int, int]:
    """Import reviewers' findings; all or nothing. Returns (rows, decisions applied)."""
    path = Path(path)
    try:
        table = read_table(path, "review")
    except FileProblem as exc:
        raise ReviewError([str(exc)]) from None
    idx = {}
    for i, h in enumerate(table.headers):
        h = clean(h)
        for cn, en in ALIASES.items():
            if h in (cn, en):
                idx[cn] = i
    missing = [h for h in ("标识", "指标", "结论", "审核人") if h not in idx]
    if missing:
        raise ReviewError([f"{path}:{table.header_row}: {h}: 缺少必填列" for h in missing])

    def cell(cells, name):
        i = idx.get(name)
        return clean(cells[i]) if i is not None and i < len(cells) else ""

    errors: list[str] = []
    rows = []
    with db.transaction(url) as cur:
        cur.execute("select indicator, entity_type from verdicts.indicators")
        indicators = dict(cur.fetchall())
        for rownum, cells in table.rows:
            code, ind, decision = cell(cells, "标识"), cell(cells, "指标").upper(), cell(cells, "结论")
            reviewer, problem = cell(cells, "审核人"), cell(cells, "突出问题")
            ent = _entity(cur, code) if code else None
            if not code:
                errors.append(f"{path}:{rownum}: 标识: 必填项为空")
            elif ent is None:
                errors.append(f"{path}:{rownum}: 标识: 名录中没有“{code}”（网站填网站标识码，账号填 平台:账号标识）")
            if ind not in indicators:
                errors.append(f"{path}:{rownum}: 指标: 未知的指标“{ind}”")
            elif ent is not None and indicators[ind] != ent[0]:
                errors.append(f"{path}:{rownum}: 指标: {ind} 不适用于{'网站' if ent[0] == 'site' else '政务新媒体'}")
            if DECISIONS.get(decision) is None:
                errors.append(f"{path}:{rownum}: 结论: 应为 确认 或 排除，实为“{decision}”")
            if not reviewer:
                errors.append(f"{path}:{rownum}: 审核人: 必填项为空")
            if DECISIONS.get(decision) == "确认" and not problem:
                cur.execute("select 1 from verdicts.review_items where quarter = %s and entity_type = %s "
                            "and entity_id = %s and indicator = %s", (quarter, *(ent or ("", 0)), ind))
                if cur.fetchone() is None:
                    errors.append(f"{path}:{rownum}: 突出问题: 新增的人工发现须写明突出问题")
            rows.append((ent, ind, DECISIONS.get(decision), reviewer, problem, cell(cells, "证据"), cell(cells, "说明")))
        if errors:
            raise ReviewError(errors)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        cur.execute("insert into verdicts.review_imports (file_name, file_sha256, quarter, row_count, applied) "
                    "values (%s, %s, %s, %s, 0) returning import_id", (str(path), digest, quarter, len(rows)))
        import_id = cur.fetchone()[0]
        applied = 0
        for (etype, eid), ind, decision, reviewer, problem, evidence, note in rows:
            cur.execute(
                """
                insert into verdicts.review_items (quarter, entity_type, entity_id, indicator, problem, source, evidence)
                values (%s, %s, %s, %s, %s, %s, %s)
                on conflict (quarter, entity_type, entity_id, indicator) do nothing
                """,
                (quarter, etype, eid, ind, problem or "（审核排除）", "manual" if decision == "确认" else "machine",
                 json.dumps({"证据": evidence, "说明": note}, ensure_ascii=False)),
            )
            cur.execute("select item_id, decision, reviewer, reason, decision_evidence from verdicts.current_review "
                        "where quarter = %s and entity_type = %s and entity_id = %s and indicator = %s",
                        (quarter, etype, eid, ind))
            item_id, *latest = cur.fetchone()
            if latest == [decision, reviewer, note or None, evidence or None]:
                continue  # the same decision again: importing the same file twice changes nothing
            cur.execute("insert into verdicts.review_decisions (item_id, decision, reviewer, reason, evidence, import_id) "
                        "values (%s, %s, %s, %s, %s, %s)",
                        (item_id, decision, reviewer, note or None, evidence or None, import_id))
            applied += 1
        cur.execute("update verdicts.review_imports set applied = %s where import_id = %s", (applied, import_id))
        if applied:
            rollup_published(cur, quarter)
    return len(rows), applied
