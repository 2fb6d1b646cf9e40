"""Collector health: last good fetch per account and adapter, failures, what is not configured.

The numbers come from ``marts.fct_media_collector_health`` (the view dashboards read); this module
prints them for operators (``govmon media health``) and the DAG log.
"""

from __future__ import annotations

from govmon import db


def health_rows(url: str | None = None, problems_only: bool = True) -> list[dict]:
    with db.transaction(url) as cur:
        cur.execute(
            """
            select account_id, platform, name, platform_account_id, adapter, last_status, last_status_label,
                   last_reason, last_fetch_date, last_good_fetch_date, days_since_good_fetch, failed_7d,
                   failed_30d, requests_7d
            from marts.fct_media_collector_health
            where not %(problems)s or last_status <> 'ok'
            order by last_status, platform, account_id
            """, {"problems": problems_only})
        cols = [d.name for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def health_summary(url: str | None = None) -> list[str]:
    with db.transaction(url) as cur:
        cur.execute(
            """
            select platform, last_status_label, count(*) from marts.fct_media_collector_health
            group by 1, 2 order by 1, 3 desc
            """)
        by_platform: dict[str, list[str]] = {}
        for platform, label, n in cur.fetchall():
            by_platform.setdefault(platform, []).append(f"{label} {n}")
        cur.execute("select max(collect_date) from raw.media__fetches")
        last = cur.fetchone()[0]
    lines = [f"最近采集日：{last or '尚未采集'}"]
    lines += [f"{p}：" + "，".join(parts) for p, parts in by_platform.items()]
    return lines


def format_rows(rows: list[dict], limit: int | None = None) -> list[str]:
    out = []
    for r in rows[:limit] if limit else rows:
        good = r["last_good_fetch_date"] or "从未"
        out.append(f"{r['account_id']:>6}  {r['platform']}  {r['name']}  [{r['last_status_label']}]  "
                   f"最近成功：{good}  近7天失败 {r['failed_7d']} 次  {r['last_reason'] or ''}")
    return out
