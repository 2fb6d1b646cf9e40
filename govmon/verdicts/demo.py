"""Demo step: the quality gate, then this quarter's verdicts on what the collectors loaded."""

from __future__ import annotations


def demo_step(ctx) -> None:
    from govmon.profiles import load_profile
    from govmon.quality import run_gate
    from govmon.quarters import Quarter
    from govmon.verdicts.compute import compute
    from govmon.verdicts.export import render

    now = ctx.clock()  # the sandbox world's clock: now, or the date of a scenario anchored in the past
    quarter = Quarter.containing(now)
    profile = load_profile()
    gate = run_gate(as_of=now, profile=profile, url=ctx.url, docs_dir=ctx.out_dir / "data_docs")
    for line in gate.summary():
        ctx.say(line)
    if not gate.success:
        ctx.say("质量闸门未通过：不计算、不发布结论。")
        return
    result = compute(quarter, as_of=now, profile=profile, url=ctx.url)
    for line in result.summary():
        ctx.say(line)
    out = ctx.out_dir / f"verdicts-{quarter}.csv"
    out.write_text(render(str(quarter), "csv", url=ctx.url), encoding="utf-8-sig")
    ctx.say(f"结论导出：{out}")
    for line in _compare_with_scenario(ctx, str(quarter)):
        ctx.say(line)


def _compare_with_scenario(ctx, quarter: str) -> list[str]:
    """The demo (not the pipeline) may read the scenario: how many verdicts match its intent."""
    from govmon import db
    from govmon.sandbox import load_scenario

    scenario = load_scenario(ctx.scenario)
    intended = {
        "site": {s.site_code: s.expect.verdict for s in scenario.sites if s.expect and s.status == "运行"},
        "account": {f"{a.platform}:{a.account_id or a.name}": a.expect.verdict
                    for a in scenario.accounts if a.expect and a.status == "运行"},
    }
    with db.transaction(ctx.url) as cur:
        cur.execute("select entity_type, code, verdict from verdicts.fct_quarterly_verdicts where quarter = %s",
                    (quarter,))
        got: dict[str, dict[str, str]] = {}
        for et, code, verdict in cur.fetchall():
            got.setdefault(et, {})[code] = verdict
    lines = []
    for et, label in (("site", "网站"), ("account", "政务新媒体")):
        want = intended[et]
        same = sum(1 for code, v in want.items() if got.get(et, {}).get(code) == v)
        lines.append(f"与场景预期一致的{label}结论：{same}/{len(want)}")
    return lines
