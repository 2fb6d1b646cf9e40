"""``govmon dashboards …``: Superset on 127.0.0.1 with the govmon dashboards and viewer logins.

    govmon dashboards serve [--port N] [--foreground] [--no-users]
    govmon dashboards stop | status
    govmon dashboards users [--reset-passwords]
    govmon dashboards import
    govmon dashboards check [--user NAME]
    govmon dashboards screenshot --out DIR [--user NAME]
    govmon dashboards export [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def _url() -> str:
    from govmon import pgcluster

    return pgcluster.resolve_url(autostart=True)


def _password(user: str) -> str:
    from govmon.dashboards import settings

    if user == settings.ADMIN_USER:
        return settings.admin_password()
    logins = settings.logins_file()
    if logins.exists():
        with logins.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["用户名"] == user:
                    return row["密码"]
    raise SystemExit(f"{logins} 里没有 {user} 的密码（govmon dashboards users --reset-passwords 可重设）")


def login_lines(base_url: str, show_passwords: bool = False) -> list[str]:
    """What an operator needs to open Superset and log in (passwords only when asked: the demo)."""
    from govmon.dashboards import settings

    admin_file = settings.home() / "admin_password"
    admin = settings.admin_password() if show_passwords else f"密码见 {admin_file}（或设置 GOVMON_SUPERSET_ADMIN_PASSWORD）"
    lines = [f"打开 {base_url}/superset/dashboard/govmon-overview/ （总览；另有 govmon-sites、govmon-media、govmon-review）",
             f"管理员：{settings.ADMIN_USER} / {admin}"]
    logins = settings.logins_file()
    if logins.exists():
        with logins.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        lines.append(f"查看员：每个行政区划一个账号（viewer_行政区划代码），共 {len(rows)} 个，密码见 {logins}")
        if show_passwords:
            shown = {}
            for row in rows:
                shown.setdefault(row["角色"].split("；")[0], row)
            for level, row in shown.items():
                lines.append(f"  例：{row['用户名']} / {row['密码']}（{row['名称']}，{level}）")
    return lines


def _cmd_serve(args) -> int:
    from govmon.dashboards import server, settings

    url = _url()
    print("准备 Superset（环境、元数据库、看板导入、角色与行级权限）……", flush=True)
    result = server.setup(url, users=not args.no_users)
    imported = result.get("imported", {})
    access = result.get("access", {})
    print(f"已导入 {imported.get('dashboards', 0)} 个看板、{imported.get('charts', 0)} 个图表、"
          f"{imported.get('datasets', 0)} 个数据集；{access.get('regions', 0)} 个行政区划的角色与行级权限"
          f"（新建查看员 {access.get('users_created', 0)} 个）")
    port = args.port or settings.port()
    base = settings.base_url(port)
    for line in login_lines(base):
        print(line)
    if args.foreground:
        print(f"Superset 在前台运行于 {base}（Ctrl-C 停止）", flush=True)
        server.start(url, port=port, foreground=True)
        return 0
    srv = server.start(url, port=port)
    print(f"Superset 已在后台运行：{srv.url}（pid {srv.pid}，日志 {srv.home / 'superset.log'}）")
    print("停止：.venv/bin/govmon dashboards stop（或 make stop）")
    return 0


def _cmd_stop(args) -> int:
    from govmon.dashboards import server

    print("Superset 已停止" if server.stop() else "Superset 未在运行")
    return 0


def _cmd_status(args) -> int:
    from govmon.dashboards import server

    srv = server.status()
    if srv is None:
        print("Superset 未在运行（govmon dashboards serve 启动）")
        return 1
    print(f"Superset 运行中：{srv.url}（pid {srv.pid}）{'，健康' if server.healthy(srv.port) else '，未响应'}")
    return 0


def _cmd_users(args) -> int:
    from govmon.dashboards import server, settings

    cmd = ["access", "--users", "--logins", str(settings.logins_file())]
    if args.reset_passwords:
        cmd.append("--reset-passwords")
    result = server.run_task(cmd, _url())["access"]
    print(f"{result['regions']} 个行政区划：角色与行级权限已更新（{result['datasets']} 个数据集）；"
          f"查看员新建 {result['users_created']} 个，更新 {result['users_updated']} 个，停用 {result['users_deactivated']} 个")
    print(f"新密码写在 {settings.logins_file()}（仅本机可读）")
    return 0


def _cmd_import(args) -> int:
    from govmon.dashboards import server

    result = server.run_task(["import"], _url())["imported"]
    print(f"已导入 dashboards/：{result}")
    return 0


def _cmd_export(args) -> int:
    from govmon.dashboards import server, settings

    out = Path(args.out or settings.ASSETS_DIR).resolve()
    files = server.run_task(["export", str(out)], _url())["exported"]
    print(f"已导出 {len(files)} 个文件到 {out}（数据库连接串已替换为模板，无凭据）")
    return 0


def check_charts(base_url: str, user: str, password: str) -> tuple[int, list[str]]:
    """Run every chart's saved query as ``user``; (charts that answered, failures)."""
    from govmon.dashboards.client import SupersetAPIError, SupersetClient

    client = SupersetClient(base_url).login(user, password)
    failures, ok = [], 0
    for chart in client.list_all("chart", ["id", "slice_name"]):
        try:
            client.chart_data(chart["id"])
            ok += 1
        except SupersetAPIError as exc:
            failures.append(f"{chart['slice_name']}（{chart['id']}）：{exc}")
    return ok, failures


def _cmd_check(args) -> int:
    from govmon.dashboards import server

    srv = server.status()
    if srv is None:
        print("Superset 未在运行（govmon dashboards serve 启动）", file=sys.stderr)
        return 1
    ok, failures = check_charts(srv.url, args.user, _password(args.user))
    for line in failures:
        print(line, file=sys.stderr)
    print(f"{args.user}：{ok} 个图表查询成功，{len(failures)} 个失败")
    return 1 if failures else 0


def _cmd_screenshot(args) -> int:
    from govmon.dashboards import server
    from govmon.dashboards.browser import Browser

    srv = server.status()
    if srv is None:
        print("Superset 未在运行（govmon dashboards serve 启动）", file=sys.stderr)
        return 1
    out = Path(args.out)
    with Browser() as browser:
        page = browser.new_page(1600, 3200)
        page.login(srv.url, args.user, _password(args.user))
        for slug in args.dashboard or ["govmon-overview", "govmon-sites", "govmon-media", "govmon-review"]:
            result = page.open_dashboard(srv.url, slug)
            path = page.screenshot(out / f"{slug}-{args.user}.png")
            print(f"{path}：{result.title}，{result.charts} 个图表" + (f"，错误 {result.errors}" if result.errors else ""))
    return 0


def _friendly(func):
    """Superset or browser failures: the message and exit status 1, not a traceback."""
    def run(args) -> int:
        from govmon.dashboards.browser import BrowserError
        from govmon.dashboards.client import SupersetAPIError
        from govmon.dashboards.server import SupersetError

        try:
            return func(args)
        except (SupersetError, BrowserError, SupersetAPIError) as exc:
            print(str(exc), file=sys.stderr)
            return 1
    return run


def register(sub) -> None:
    p = sub.add_parser("dashboards", help="Superset dashboards: serve, users (roles and RLS), check, screenshot")
    ds = p.add_subparsers(dest="dashboards_command", required=True)
    s = ds.add_parser("serve", help="install, initialise, import dashboards/, roles and RLS, start on 127.0.0.1")
    s.add_argument("--port", type=int, help="port on 127.0.0.1 (default GOVMON_SUPERSET_PORT or 8088)")
    s.add_argument("--foreground", action="store_true", help="run in the foreground (Ctrl-C stops)")
    s.add_argument("--no-users", action="store_true", help="roles and RLS only, no viewer logins")
    s.set_defaults(func=_friendly(_cmd_serve))
    ds.add_parser("stop", help="stop the Superset started by serve").set_defaults(func=_friendly(_cmd_stop))
    ds.add_parser("status", help="is Superset running").set_defaults(func=_friendly(_cmd_status))
    u = ds.add_parser("users", help="roles, row-level security and one viewer login per region (registry.regions)")
    u.add_argument("--reset-passwords", action="store_true", help="give every viewer a new password")
    u.set_defaults(func=_friendly(_cmd_users))
    ds.add_parser("import", help="import dashboards/ into Superset (overwrites)").set_defaults(func=_friendly(_cmd_import))
    e = ds.add_parser("export", help="export the govmon dashboards from Superset into dashboards/ (no credentials)")
    e.add_argument("--out", help="folder (default dashboards/)")
    e.set_defaults(func=_friendly(_cmd_export))
    c = ds.add_parser("check", help="run every chart's query as a user")
    c.add_argument("--user", default="admin")
    c.set_defaults(func=_friendly(_cmd_check))
    sh = ds.add_parser("screenshot", help="PNG of each dashboard as a user sees it (headless Chromium)")
    sh.add_argument("--out", required=True)
    sh.add_argument("--user", default="admin")
    sh.add_argument("--dashboard", action="append", help="slug (repeatable; default all four)")
    sh.set_defaults(func=_friendly(_cmd_screenshot))


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser(prog="govmon")
    register(parser.add_subparsers(dest="command", required=True))
    a = parser.parse_args()
    sys.exit(a.func(a))
