"""The verdict export (CONTRACT.md §4): one row per inspected site or account and quarter.

The contract's columns come first, in order; two columns are added after them (extensions):
无法判定原因 and 待审核事项. 检查结果 is 合格, 不合格 or 无法判定 — or 待审核 while findings wait for a
reviewer (never silently 合格).
"""

from __future__ import annotations

import csv
import io
import json

from govmon import db

HEADERS = ("季度", "对象类型", "名称", "标识", "行政区划代码", "主办单位", "平台", "检查结果", "得分", "突出问题", "单项否决")
EXTRA_HEADERS = ("无法判定原因", "待审核事项")
SEP = "；"


def _score(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.1f}"


def rows(quarter: str, url: str | None = None) -> list[dict]:
    with db.transaction(url) as cur:
        cur.execute(
            """
            select quarter, entity_type, name, code, region_code, organizer, platform, verdict, score,
                   problems, vetoes, unknown_reasons, pending_review
            from verdicts.fct_quarterly_verdicts
            where quarter = %s
            order by entity_type desc, region_code, code
            """,
            (quarter,),
        )
        out = []
        for (q, et, name, code, region, organizer, platform, verdict, score, problems, vetoes, unknown,
             pending) in cur.fetchall():
            out.append({
                "季度": q,
                "对象类型": "网站" if et == "site" else "政务新媒体",
                "名称": name,
                "标识": code,
                "行政区划代码": region,
                "主办单位": organizer,
                "平台": platform or "",
                "检查结果": verdict,
                "得分": _score(score),
                "突出问题": SEP.join(problems),
                "单项否决": SEP.join(vetoes),
                "无法判定原因": SEP.join(unknown),
                "待审核事项": SEP.join(pending),
            })
        return out


def render(quarter: str, fmt: str = "csv", url: str | None = None) -> str:
    data = rows(quarter, url)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADERS + EXTRA_HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)
    return buf.getvalue()
