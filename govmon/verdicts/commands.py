"""``govmon verdicts …``, ``govmon review …`` and ``govmon validate`` (CONTRACT.md §2)."""

from __future__ import annotations

import sys


def _quarter(text: str):
    from govmon.quarters import Quarter

    return Quarter.parse(text)


def _cmd_compute(args) -> int:
    from govmon.profiles import ProfileError, load_profile
    from govmon.quarters import QuarterError, parse_as_of
    from govmon.verdicts.compute import compute

    try:
        quarter = _quarter(args.quarter)
        as_of = parse_as_of(args.as_of, quarter)
        profile = load_profile(args.profile)
    except (QuarterError, ProfileError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if not args.skip_gate:
        from govmon.quality import run_gate

        gate = run_gate(as_of=as_of, profile=profile)
        for line in gate.summary():
            print(line)
        if not gate.success:
            print("质量闸门未通过，未计算、未发布任何结论。", file=sys.stderr)
            return 1
    result = compute(quarter, as_of=as_of, profile=profile, kind="recheck" if args.recheck else "scheduled",
                     publish=not (args.no_publish or args.recheck))
    for line in result.summary():
        print(line)
    print("已发布。" if result.published else "已计算，未发布（复核或 --no-publish）。")
    return 0


def _cmd_export(args) -> int:
    from govmon.quarters import QuarterError
    from govmon.verdicts.export import render

    try:
        quarter = str(_quarter(args.quarter))
    except QuarterError as exc:
        print(exc, file=sys.stderr)
        return 2
    sys.stdout.write(render(quarter, args.format))
    return 0


def _cmd_review_list(args) -> int:
    from govmon.verdicts.review import list_items

    items = list_items(quarter=str(_quarter(args.quarter)) if args.quarter else None,
                       status="all" if args.all else "open")
    if not items:
        print("没有待审核事项。" if not args.all else "没有审核事项。")
        return 0
    for it in items:
        state = it.decision or "待审核"
        who = f"（{it.reviewer}）" if it.reviewer else ""
        print(f"{it.item_id}\t{it.quarter}\t{it.code}\t{it.name}\t{it.indicator}\t{it.problem}\t{state}{who}")
    return 0


def _decide(args, decision: str) -> int:
    from govmon.verdicts.review import ReviewError, decide

    try:
        quarter = decide(args.item, decision, args.reviewer, args.reason, args.evidence)
    except ReviewError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"审核事项 {args.item}：{decision}（{args.reviewer}）。{quarter} 的结论已按审核结果更新。")
    return 0


def _cmd_review_import(args) -> int:
    from govmon.verdicts.review import ReviewError, import_file

    try:
        quarter = str(_quarter(args.quarter)) if args.quarter else _latest_quarter()
        rows, applied = import_file(args.file, quarter)
    except ReviewError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"导入失败：共 {len(exc.problems)} 处错误，未写入任何数据。", file=sys.stderr)
        return 2
    print(f"{args.file}：{rows} 行，{applied} 条新的审核结论（{quarter}）。")
    return 0


def _latest_quarter() -> str:
    from govmon import db
    from govmon.verdicts.review import ReviewError

    with db.transaction() as cur:
        cur.execute("select max(quarter) from verdicts.published")
        q = cur.fetchone()[0]
    if not q:
        raise ReviewError(["还没有已发布的季度结论，请用 --quarter 指定季度"])
    return q


def _cmd_validate(args) -> int:
    from govmon.profiles import load_profile
    from govmon.quality import run_gate
    from govmon.quarters import Quarter, parse_as_of

    quarter = _quarter(args.quarter) if args.quarter else None
    as_of = parse_as_of(args.as_of, quarter) if quarter else parse_as_of(args.as_of, Quarter.containing(
        __import__("datetime").datetime.now()))
    gate = run_gate(as_of=as_of, profile=load_profile(args.profile), docs_dir=args.docs_dir)
    for line in gate.summary():
        print(line)
    return 0 if gate.success else 1


def register(sub) -> None:
    p = sub.add_parser("verdicts", help="quarterly verdicts: compute, export")
    vs = p.add_subparsers(dest="verdicts_command", required=True)
    c = vs.add_parser("compute", help="run every check, roll up, publish (after the quality gate)")
    c.add_argument("--quarter", required=True, help="e.g. 2024Q1")
    c.add_argument("--as-of", help="监测时间点 (ISO time; default: end of quarter, or now)")
    c.add_argument("--profile", help="profile name or YAML file (default national-2019)")
    c.add_argument("--recheck", action="store_true", help="a 复核 run: kept beside the published one")
    c.add_argument("--no-publish", action="store_true", help="compute without publishing")
    c.add_argument("--skip-gate", action="store_true", help="do not run the quality gate first")
    c.set_defaults(func=_cmd_compute)
    e = vs.add_parser("export", help="the published verdicts of a quarter, to stdout")
    e.add_argument("--quarter", required=True)
    e.add_argument("--format", choices=("csv", "json"), default="csv")
    e.set_defaults(func=_cmd_export)

    r = sub.add_parser("review", help="human review of findings")
    rs = r.add_subparsers(dest="review_command", required=True)
    ls = rs.add_parser("list", help="findings waiting for a reviewer")
    ls.add_argument("--quarter")
    ls.add_argument("--all", action="store_true", help="decided ones too")
    ls.set_defaults(func=_cmd_review_list)
    for name, decision in (("confirm", "确认"), ("dismiss", "排除")):
        d = rs.add_parser(name, help=f"{decision} a finding")
        d.add_argument("item", type=int, help="item id (from review list)")
        d.add_argument("--reviewer", required=True)
        d.add_argument("--reason")
        d.add_argument("--evidence")
        d.set_defaults(func=lambda a, _d=decision: _decide(a, _d))
    im = rs.add_parser("import", help="reviewers' findings (CSV or XLSX, CONTRACT.md §5)")
    im.add_argument("file")
    im.add_argument("--quarter", help="default: the latest published quarter")
    im.set_defaults(func=_cmd_review_import)

    v = sub.add_parser("validate", help="run the Great Expectations quality gate")
    v.add_argument("--quarter", help="the quarter whose window is checked (default: the current one)")
    v.add_argument("--as-of")
    v.add_argument("--profile")
    v.add_argument("--docs-dir", help="where to write Data Docs (default .govmon/data_docs)")
    v.set_defaults(func=_cmd_validate)
