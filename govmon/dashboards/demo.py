"""Demo step: Superset with the dashboards on the demo's verdicts, on 127.0.0.1.

What it leaves behind depends on ``GOVMON_DEMO_DASHBOARDS``:

- ``serve`` (the default when the demo runs in a terminal, as ``make demo`` does): Superset keeps
  running after the demo ends; the step prints the address, the logins and the stop command;
- ``check`` (the default otherwise: CI, tests, cron): start it, run every chart's query as the admin
  and as a county viewer, stop it — nothing is left running;
- ``off``: skip the step.
"""

from __future__ import annotations

import os
import sys


def _mode() -> str:
    mode = os.environ.get("GOVMON_DEMO_DASHBOARDS", "").strip().lower()
    if mode in ("serve", "check", "off"):
        return mode
    return "serve" if sys.stdout.isatty() else "check"


def demo_step(ctx) -> None:
    from govmon.dashboards import server, settings
    from govmon.dashboards.commands import _password, check_charts, login_lines

    mode = _mode()
    if mode == "off":
        ctx.say("已跳过（GOVMON_DEMO_DASHBOARDS=off）")
        return
    result = server.setup(ctx.url)
    imported, access = result.get("imported", {}), result.get("access", {})
    ctx.say(f"Superset 6.1（envs/superset）：导入 {imported.get('dashboards', 0)} 个看板、{imported.get('charts', 0)} 个图表、"
            f"{imported.get('datasets', 0)} 个数据集")
    ctx.say(f"{access.get('regions', 0)} 个行政区划各有角色与行级权限（省级查看 / 地市查看 / 区县查看），"
            f"查看员账号新建 {access.get('users_created', 0)} 个")
    port = settings.port()
    if not server.port_free(port) and server.status() is None:
        port = server.free_port()
    srv = server.start(ctx.url, port=port)
    ok, failures = check_charts(srv.url, settings.ADMIN_USER, settings.admin_password())
    ctx.say(f"图表查询：{ok} 个成功" + (f"，{len(failures)} 个失败：{failures[0]}" if failures else ""))
    county = _first_viewer("区县查看")
    if county:
        ok_c, failures_c = check_charts(srv.url, county, _password(county))
        ctx.say(f"以区县查看员 {county} 登录：{ok_c} 个图表查询成功（只含本县的行）"
                + (f"，{len(failures_c)} 个失败" if failures_c else ""))
    if mode == "check":
        server.stop()
        ctx.say("已检查并停止 Superset（在终端运行 make demo，或 govmon dashboards serve，会让它保持运行）")
        return
    for line in login_lines(srv.url, show_passwords=True):
        ctx.say(line)
    ctx.say(f"Superset 保持运行（pid {srv.pid}）。停止：.venv/bin/govmon dashboards stop（或 make stop）")


def _first_viewer(level_role: str) -> str | None:
    import csv

    from govmon.dashboards import settings

    logins = settings.logins_file()
    if not logins.exists():
        return None
    with logins.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["角色"].startswith(level_role):
                return row["用户名"]
    return None
