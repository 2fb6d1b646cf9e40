"""The ``govmon`` command (CONTRACT.md §2). DAG tasks call the same functions.

Exit status: 0 success, 2 bad input (every problem printed as ``file:row: field: reason``),
1 anything else (a message saying what is missing or what failed).
"""

from __future__ import annotations

import argparse
import sys

from govmon import __version__


def _cmd_db_migrate(args: argparse.Namespace) -> int:
    from govmon import db

    applied = db.migrate()
    if applied:
        print(f"已应用迁移 applied migrations: {', '.join(applied)}")
    else:
        print("数据库结构已是最新 (no pending migrations)")
    return 0


def _cmd_db_start(args: argparse.Namespace) -> int:
    from govmon import config, pgcluster

    if config.database_url():
        print("GOVMON_DATABASE_URL 已设置，使用外部数据库，不启动本地集群")
        return 0
    print(pgcluster.start())
    return 0


def _cmd_db_stop(args: argparse.Namespace) -> int:
    from govmon import pgcluster

    print("本地 PostgreSQL 已停止" if pgcluster.stop() else "本地 PostgreSQL 未在运行")
    return 0


def _cmd_db_url(args: argparse.Namespace) -> int:
    from govmon import pgcluster

    print(pgcluster.resolve_url(autostart=not args.no_start))
    return 0


def _cmd_registry_import(args: argparse.Namespace) -> int:
    from govmon.registry import RegistryImportError, import_registry

    try:
        result = import_registry(sites=args.sites, accounts=args.accounts, regions=args.regions)
    except RegistryImportError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"导入失败：共 {len(exc.problems)} 处错误，未写入任何数据。", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from govmon.demo import run_demo

    return run_demo(scenario=args.scenario, keep_serving=args.keep_serving)


# Subsystems that add their own subcommands: each module has ``register(sub)`` taking the top-level
# subparsers object. A module that does not exist yet is skipped.
COMMAND_MODULES = (
    "govmon.probe.commands",
    "govmon.crawl.commands",
    "govmon.media.commands",
    "govmon.verdicts.commands",
    "govmon.report.commands",
    "govmon.dashboards.commands",
)


def _register_subsystems(sub) -> None:
    from govmon.config import optional_module

    for name in COMMAND_MODULES:
        module = optional_module(name)
        if module is not None:
            module.register(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govmon", description="政府网站与政务新媒体监测 (government website and new-media inspection)")
    parser.add_argument("--version", action="version", version=f"govmon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p_db = sub.add_parser("db", help="database: migrate, start/stop the local cluster")
    db_sub = p_db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("migrate", help="apply sql/migrations (idempotent)").set_defaults(func=_cmd_db_migrate)
    db_sub.add_parser("start", help="start the project-local Postgres cluster").set_defaults(func=_cmd_db_start)
    db_sub.add_parser("stop", help="stop the project-local Postgres cluster").set_defaults(func=_cmd_db_stop)
    p_url = db_sub.add_parser("url", help="print the database URL in use")
    p_url.add_argument("--no-start", action="store_true", help="do not start the local cluster")
    p_url.set_defaults(func=_cmd_db_url)

    p_reg = sub.add_parser("registry", help="the registry of inspected sites and accounts")
    reg_sub = p_reg.add_subparsers(dest="registry_command", required=True)
    p_imp = reg_sub.add_parser("import", help="import registry files (CSV or XLSX), all or nothing")
    p_imp.add_argument("--sites", metavar="F")
    p_imp.add_argument("--accounts", metavar="F")
    p_imp.add_argument("--regions", metavar="F")
    p_imp.set_defaults(func=_cmd_registry_import)

    # dispatched in main() to govmon.sandbox.cli; listed here for --help
    sub.add_parser("sandbox", help="the sandbox world: serve | registry | generate | check", add_help=False)

    _register_subsystems(sub)

    p_demo = sub.add_parser("demo", help="the whole run on the sandbox world")
    p_demo.add_argument("--scenario", default=None, help="scenario file (default scenarios/demo.yaml)")
    p_demo.add_argument("--keep-serving", action="store_true", help="leave the sandbox running at the end")
    p_demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:  # its own parser, including its --help
        from govmon.sandbox.cli import main as sandbox_main

        return sandbox_main(argv[1:])
    args = build_parser().parse_args(argv)
    from govmon.db import MigrationError
    from govmon.pgcluster import ClusterUnavailable

    try:
        return args.func(args)
    except (ClusterUnavailable, MigrationError) as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
