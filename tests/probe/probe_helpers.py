"""Helpers for the probe tests: registries of chosen sites, probe logs, the W-V2 check."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from govmon import config

SMALL = config.PROJECT_ROOT / "scenarios" / "small.yaml"
TZ = dt.timezone(dt.timedelta(hours=8))
SITE_HEADERS = ["网站名称", "网站标识码", "首页网址", "主办单位", "行政区划代码", "网站类型", "运行状态"]


def write_sites_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    """rows: (name, site_code, url); region 369900, 部门网站, 运行."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(SITE_HEADERS)
    for name, code, url in rows:
        w.writerow([name, code, url, name, "369900", "部门网站", "运行"])
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


def import_sites(db_url: str, tmp_path: Path, rows: list[tuple[str, str, str]]) -> dict[str, int]:
    """Import a registry of these sites; return {site_code: site_id}."""
    import psycopg2

    from govmon.registry import import_registry

    import_registry(sites=write_sites_csv(tmp_path / "sites.csv", rows), url=db_url)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select site_code, site_id from registry.sites")
        return dict(cur.fetchall())


def import_sandbox_sites(db_url: str, tmp_path: Path, sandbox, keys: list[str]) -> dict[str, int]:
    """Import a registry holding only these sandbox sites; return {key: site_id}."""
    sites = sandbox.state["sites"]
    ids = import_sites(db_url, tmp_path, [(sites[k]["name"], sites[k]["site_code"], sites[k]["url"]) for k in keys])
    return {k: ids[sites[k]["site_code"]] for k in keys}


def log_rows(site_code: str, day: dt.date, probes: int, failures: int = 0, *, error: str = "超时",
             latency_ms: int = 15000, start: dt.time = dt.time(0, 0)) -> list[list[str]]:
    """``probes`` rows on one Beijing day, the first ``failures`` of them failed with ``error``."""
    t0 = dt.datetime.combine(day, start, TZ)
    step = (dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TZ) - t0) / max(probes, 1)
    rows = []
    for i in range(probes):
        ts = (t0 + i * step).isoformat()
        if i < failures:
            rows.append([site_code, ts, "0", "", str(latency_ms), error])
        else:
            rows.append([site_code, ts, "1", "200", "120", ""])
    return rows


def write_log(path: Path, rows: list[list[str]], headers=("site_code", "ts", "ok", "status", "latency_ms", "error"),
              encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def wv2(db_url: str, as_of, profile=None) -> dict[int, object]:
    """{site_id: CheckResult} of the W-V2 check, validated by the check contract."""
    import psycopg2

    from govmon.profiles import load_profile
    from govmon.verdicts.checks import checks_dir, load_check, run_check

    check = load_check(checks_dir() / "w_v2__site__unreachable.sql")
    prof = profile if hasattr(profile, "flat") else load_profile(profile)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        return {r.entity_id: r for r in run_check(cur, check, profile=prof, as_of=as_of)}
