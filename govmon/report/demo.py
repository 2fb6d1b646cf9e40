"""Demo step: write the quarter's 通报 (docx and md) and print where it is."""

from __future__ import annotations


def demo_step(ctx) -> None:
    from govmon import db
    from govmon.quarters import Quarter
    from govmon.report import write_report

    quarter = Quarter.containing(ctx.clock())  # the quarter the verdicts step published
    with db.transaction(ctx.url) as cur:
        cur.execute("select 1 from verdicts.published where quarter = %s", (str(quarter),))
        if cur.fetchone() is None:
            ctx.say(f"{quarter} 没有已发布的结论，不生成通报。")
            return
    written = write_report(quarter, ctx.out_dir / "reports", url=ctx.url)
    d = written.data
    ctx.say(f"通报（Word）：{written.docx}")
    ctx.say(f"通报（Markdown）：{written.markdown}")
    ctx.say(f"附件：不合格网站 {len(d.failing_sites)} 个，问题栏目 {len(d.problem_columns)} 个，"
            f"不合格政务新媒体 {len(d.failing_accounts)} 个，信件超期单位 {len(d.overdue_letters)} 个")
