"""``govmon report`` (CONTRACT.md §2), plus --region, --recheck and --settings."""

from __future__ import annotations

import sys


def _cmd_report(args) -> int:
    from govmon.quarters import Quarter, QuarterError
    from govmon.report import ReportError, Settings, write_report

    try:
        quarter = Quarter.parse(args.quarter)
        settings = Settings.load(args.settings)
        if args.recheck:
            from govmon.report.recheck import write_recheck

            paths = write_recheck(quarter, args.out, region=args.region, settings=settings)
            print(f"复核报告：{paths.docx}\n          {paths.markdown}")
            return 0
        written = write_report(quarter, args.out, region=args.region, settings=settings)
    except (QuarterError, ReportError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"通报：{written.docx}\n      {written.markdown}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("report", help="the quarterly 通报 (docx and md) with its 附件")
    p.add_argument("--quarter", required=True, help="e.g. 2024Q1")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--region", help="行政区划代码: a prefecture (default) or one county")
    p.add_argument("--recheck", action="store_true", help="a 复核 report: the published run against the latest recheck")
    p.add_argument("--settings", help="report settings YAML (default config/report.yaml)")
    p.set_defaults(func=_cmd_report)
