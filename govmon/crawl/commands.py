"""``govmon crawl sites [--site CODE ...]`` (CONTRACT.md §2): crawl the inspected sites with Scrapy
and load what was seen. Exit status: 0 the run is loaded (a site that cannot be reached is data, not
an error), 2 bad input (unknown 网站标识码, a bad overrides file), 1 a shard failed to load.

The ``crawl`` parent parser is shared with ``govmon crawl media`` (govmon/media/commands.py): whichever
module registers first creates it and exposes its subparsers as ``_govmon_sub``.
"""

from __future__ import annotations

import argparse
import sys


def crawl_parent(sub):
    """The shared ``crawl`` parser: created once, its subparsers at ``p._govmon_sub``."""
    p = sub.choices.get("crawl")
    if p is None:
        p = sub.add_parser("crawl", help="collection: crawl sites (Scrapy) | read new-media timelines")
        p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
        p._govmon_sub = p.add_subparsers(dest="crawl_command")
    return p


def register(sub) -> None:
    p = crawl_parent(sub)
    s = p._govmon_sub.add_parser("sites", help="crawl the inspected sites (Scrapy) and load the results",
                                 description="采集受检网站（Scrapy），结果批量入库")
    s.add_argument("--site", dest="sites", action="append", metavar="CODE", default=[],
                   help="网站标识码 (repeatable; default: every inspected site)")
    s.add_argument("--shards", type=int, default=None,
                   help="split the sites into N shards, one Scrapy process each (default: 1 per 200 sites)")
    s.add_argument("--jobs", type=int, default=1, help="shards run at the same time (default 1)")
    s.add_argument("--profile", default=None, help="profile whose windows bound the crawl (default national-2019)")
    s.set_defaults(func=_cmd_crawl_sites)


def _cmd_crawl_sites(args: argparse.Namespace) -> int:
    from govmon.crawl.runner import CrawlInputError, crawl_sites, describe, run_report
    from govmon.profiles import ProfileError

    codes = [c.strip() for c in args.sites if c.strip()]
    if args.shards is not None and args.shards < 1 or args.jobs < 1:
        print("--shards 和 --jobs 应为正整数", file=sys.stderr)
        return 2
    shards = args.shards
    if shards is None:
        from govmon.crawl.runner import select_sites

        try:
            n = len(select_sites(None, codes or None))
        except CrawlInputError as exc:
            for line in exc.problems:
                print(line, file=sys.stderr)
            return 2
        shards = max(1, -(-n // 200))
    try:
        summary = crawl_sites(codes or None, shards=shards, jobs=args.jobs, profile=args.profile,
                              trigger="cli", progress=print)
    except CrawlInputError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"采集未开始：共 {len(exc.problems)} 处错误。", file=sys.stderr)
        return 2
    except ProfileError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for line in describe(run_report(None, summary.crawl_run_id)):
        print(line)
    if summary.failed_shards:
        for r in summary.failed_shards:
            print(f"分片 {r.shard} 未能入库（日志 {r.log_file}）：{r.error[-500:]}", file=sys.stderr)
        print(f"采集批次 {summary.crawl_run_id}：{len(summary.failed_shards)} 个分片失败。", file=sys.stderr)
        return 1
    print(f"采集批次 {summary.crawl_run_id} 完成，用时 {summary.seconds:.1f} 秒。")
    return 0
