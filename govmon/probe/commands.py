"""``govmon probe …`` (CONTRACT.md §2)::

    govmon probe run [--rounds N] [--interval SECONDS] [--profile P] [--concurrency C]
    govmon probe import FILE
    govmon probe status [--as-of TS] [--profile P] [--all]      (W-V2 as of a 监测时间点)

Exit status: 0 done, 2 bad input (every bad row as ``file:row: field: reason``), 1 anything else.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys


def _positive_int(v: str) -> int:
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，实为“{v}”") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，实为“{v}”")
    return n


def _seconds(v: str) -> float:
    try:
        n = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为秒数，实为“{v}”") from None
    if n < 0 or n != n:
        raise argparse.ArgumentTypeError(f"应为不小于 0 的秒数，实为“{v}”")
    return n


def _cmd_run(args: argparse.Namespace) -> int:
    from govmon.probe.rounds import NoSitesToProbe, run_rounds
    from govmon.probe.settings import settings_from_env
    from govmon.profiles import ProfileError, load_profile

    try:
        profile = load_profile(args.profile)
        settings = settings_from_env()
    except (ProfileError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.concurrency:
        settings = dataclasses.replace(settings, concurrency=args.concurrency)

    def report(i, res):
        print(res.summary(i, args.rounds), flush=True)

    try:
        run_rounds(args.rounds, args.interval, profile=profile, settings=settings, on_round=report)
    except NoSitesToProbe as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from govmon.probe.importer import ProbeImportError, import_probe_log

    try:
        result = import_probe_log(args.file)
    except ProbeImportError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"导入失败：共 {len(exc.problems)} 处错误，未写入任何数据。", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from govmon.probe.availability import parse_as_of, wv2_results
    from govmon.profiles import ProfileError, load_profile

    try:
        profile = load_profile(args.profile)
        as_of = parse_as_of(args.as_of)
    except (ProfileError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    results = wv2_results(profile=profile, as_of=as_of)
    if not results:
        print("名录中没有受检网站")
        return 0
    window = results[0].evidence.get("window", {})
    counts = {s: sum(1 for r in results if r.status == s) for s in ("fail", "unknown", "pass")}
    print(f"W-V2 站点无法访问（{profile.label}，监测时间点 {as_of.isoformat(timespec='seconds')}，"
          f"窗口 {window.get('from')} 至 {window.get('to')}）：{len(results)} 个网站，"
          f"不合格 {counts['fail']}，无法判定 {counts['unknown']}，正常 {counts['pass']}")
    for r in results:
        if args.all or r.status != "pass":
            print("  " + r.line())
    return 0


def register(sub) -> None:
    p = sub.add_parser("probe", help="availability probes (W-V2 站点无法访问)")
    ps = p.add_subparsers(dest="probe_command", required=True)

    run = ps.add_parser("run", help="one probe round (or N) over every inspected site, now")
    run.add_argument("--rounds", type=_positive_int, default=1, metavar="N", help="rounds to run (default 1)")
    run.add_argument("--interval", type=_seconds, default=1800.0, metavar="SECONDS",
                     help="seconds between round starts (default 1800, as the DAG)")
    run.add_argument("--profile", default=None, metavar="NAME_OR_FILE",
                     help="profile whose availability.timeout_seconds is used (default national-2019)")
    run.add_argument("--concurrency", type=_positive_int, default=None, metavar="C",
                     help="probes in flight at once (default GOVMON_PROBE_CONCURRENCY or 1000)")
    run.set_defaults(func=_cmd_run)

    imp = ps.add_parser("import", help="probe log from elsewhere (CSV/XLSX: url or site_code, ts, ok, status, "
                                       "latency_ms, error)")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(func=_cmd_import)

    st = ps.add_parser("status", help="W-V2 as of a 监测时间点: failing and undecidable sites")
    st.add_argument("--as-of", default=None, metavar="TIMESTAMP", help="监测时间点 (default now)")
    st.add_argument("--profile", default=None, metavar="NAME_OR_FILE")
    st.add_argument("--all", action="store_true", help="list passing sites too")
    st.set_defaults(func=_cmd_status)
