"""CLI: ``govmon crawl media``, ``govmon media import-posts``, ``govmon media health``.

``crawl`` is shared with ``govmon crawl sites`` (govmon/crawl/commands.py): whichever module
registers first creates the parent and its sub-parsers (kept as ``_govmon_sub``), the other adds
its command to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys


def _crawl_parent(sub):
    p = sub.choices.get("crawl") if hasattr(sub, "choices") else None
    if p is None:
        p = sub.add_parser("crawl", help="collection: crawl sites (Scrapy), read new-media timelines")
        p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
        p._govmon_sub = p.add_subparsers(dest="crawl_command")
    return p


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD，实为“{value}”") from None


def register(sub) -> None:
    crawl = _crawl_parent(sub)
    p = crawl._govmon_sub.add_parser(
        "media", help="read new-media timelines (Weibo, WeChat, RSS/Atom/JSON Feed) and load the results",
        description="读取政务新媒体账号（微博、微信公众号、RSS/Atom/JSON Feed 订阅源）的发布情况并入库。"
                    "被拒绝、采集失败或未配置采集地址的账号记为“无法判定”及原因，不会记为未更新。")
    p.add_argument("--account", action="append", metavar="ID", default=[],
                   help="only these accounts: account_id, 平台:账号标识 or 账号标识 (repeatable)")
    p.add_argument("--platform", action="append", default=[], help="only this platform (微博, 微信, 抖音 …)")
    p.add_argument("--date", type=_date, default=None, help="collection day (YYYY-MM-DD, default today, Beijing)")
    p.add_argument("--verbose", "-v", action="store_true", help="one line per account")
    p.set_defaults(func=_cmd_crawl_media)

    media = sub.add_parser("media", help="new media: import posts from an export, collector health")
    msub = media.add_subparsers(dest="media_command", required=True)
    imp = msub.add_parser("import-posts", help="load posts from a CSV/XLSX export (platforms without a readable feed)",
                          description="从导出文件（CSV 或 XLSX）导入政务新媒体发布记录。表头：平台, 账号标识, 账号名称, "
                                      "当前名称, 发布时间, 标题, 链接, 是否原创, 作品标识。全部成功才写入。")
    imp.add_argument("file")
    imp.add_argument("--exported-at", default=None,
                     help="when the export was made (default now); a date means the end of that day")
    imp.add_argument("--since", default=None,
                     help="the export lists every post from this date on (default: its oldest post per account)")
    imp.add_argument("--date", type=_date, default=None, help="collection day to file it under (default: today)")
    imp.set_defaults(func=_cmd_import_posts)
    health = msub.add_parser("health", help="collector health: accounts whose last fetch was not ok")
    health.add_argument("--all", action="store_true", help="every account, not only the problems")
    health.set_defaults(func=_cmd_health)


def _cmd_crawl_media(args) -> int:
    from govmon import db
    from govmon.media.load import read_accounts, resolve_refs
    from govmon.media.run import collect_accounts
    from govmon.media.settings import MediaSettings

    try:
        settings = MediaSettings.from_env()
    except ValueError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    with db.transaction() as cur:
        accounts = read_accounts(cur, platforms=args.platform or None)
    if args.account:
        accounts, problems = resolve_refs(accounts, args.account)
        if problems:
            for line in problems:
                print(line, file=sys.stderr)
            return 2
    if not accounts:
        print("没有要采集的受检账号（名录为空，或筛选条件没有匹配）", file=sys.stderr)
        return 1
    for line in settings.describe_rates():
        print(f"限速：{line}")

    def progress(obs):
        if args.verbose:
            print(f"  {obs.account_id:>6} {obs.platform} {obs.status:<12} {len(obs.posts):>3} 条  {obs.reason or ''}")

    result = collect_accounts(accounts=accounts, settings=settings, collect_date=args.date,
                              run_id=f"cli-{dt.datetime.now():%Y%m%dT%H%M%S}", progress=progress)
    for line in result.summary_lines():
        print(line)
    read = sum(n for status, n in result.stats.by_status.items() if status in ("ok", "empty", "vanished"))
    if read == 0:
        print("没有一个账号读取成功（见上面的原因）：请检查网络、采集地址和平台配置", file=sys.stderr)
        return 1
    return 0


def _cmd_import_posts(args) -> int:
    from govmon import db
    from govmon.media.csvimport import PostsImportError, observations_from_file
    from govmon.media.load import load_observations, read_accounts
    from govmon.media.run import today

    with db.transaction() as cur:
        accounts = read_accounts(cur)
    try:
        observations = observations_from_file(args.file, accounts, exported_at=args.exported_at, since=args.since)
    except PostsImportError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"导入失败：共 {len(exc.problems)} 处错误，未写入任何数据。", file=sys.stderr)
        return 2
    collect_date = args.date or today()
    with db.transaction() as cur:
        loaded = load_observations(cur, observations, collect_date, channel="import", run_id=f"import:{args.file}")
    posts = sum(len(o.posts) for o in observations)
    print(f"已导入 {len(observations)} 个账号的 {posts} 条发布（采集日 {collect_date}，"
          f"写入 {loaded['fetches']} 条采集记录；同一文件重复导入不会重复）")
    return 0


def _cmd_health(args) -> int:
    from govmon.media.health import format_rows, health_rows, health_summary

    for line in health_summary():
        print(line)
    rows = health_rows(problems_only=not args.all)
    if rows:
        print("需要关注的账号：" if not args.all else "全部账号：")
        for line in format_rows(rows):
            print("  " + line)
    return 0
