"""The registry files the pipeline imports (CONTRACT.md §1), written from a scenario and the port
the sandbox listens on: ``sites.csv``, ``accounts.csv``, ``regions.csv``, UTF-8 with BOM.

The registry holds what was *filed*: the registered name of an account (a renamed account shows a
different name at its endpoint), the registered site code (a site with an identity-mismatch fault
shows another one in its footer).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from govmon.sandbox.media import MediaContext, feed_url
from govmon.sandbox.scenario import Scenario

SITE_HEADERS = ["网站名称", "网站标识码", "首页网址", "主办单位", "行政区划代码", "网站类型", "运行状态"]
ACCOUNT_HEADERS = ["账号名称", "平台", "账号类型", "账号标识", "采集地址", "填报单位", "行政区划代码", "运行状态"]
REGION_HEADERS = ["行政区划代码", "名称"]
FILES = {"sites": "sites.csv", "accounts": "accounts.csv", "regions": "regions.csv"}


def site_url(address: str, port: int) -> str:
    return f"http://{address}:{port}/"


def registry_rows(scenario: Scenario, port: int) -> dict[str, list[list[str]]]:
    ctx = MediaContext(anchor=scenario.resolve_anchor(), port=port, addresses=scenario.platform_addresses)
    sites = [[s.name, s.site_code, site_url(s.address, port), s.organizer, s.region_code, s.kind, s.status]
             for s in scenario.sites]
    accounts = [[a.name, a.platform, a.account_type, a.account_id, feed_url(a, ctx), a.organizer, a.region_code,
                 a.status] for a in scenario.accounts]
    regions = [[code, name] for code, name in scenario.regions]
    return {"sites": sites, "accounts": accounts, "regions": regions}


def _csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    w.writerows(rows)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def write_registry(scenario: Scenario, port: int, out_dir) -> dict[str, str]:
    """Write the three CSVs into ``out_dir``; return {kind: path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = registry_rows(scenario, port)
    paths = {}
    for kind, headers in (("sites", SITE_HEADERS), ("accounts", ACCOUNT_HEADERS), ("regions", REGION_HEADERS)):
        path = out / FILES[kind]
        tmp = path.with_suffix(".csv.tmp")
        tmp.write_bytes(_csv_bytes(headers, rows[kind]))
        tmp.replace(path)
        paths[kind] = str(path)
    return paths
