"""Helpers for the new-media tests (imported as ``media_helpers``; fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from govmon import config

SMALL = config.PROJECT_ROOT / "scenarios" / "small.yaml"
REALDATA = config.PROJECT_ROOT.parent / "shared" / "realdata"
ANCHOR = dt.datetime.fromisoformat("2026-09-30T10:00:00+08:00")
FAST = {"weibo_rps": 100.0, "wechat_rps": 100.0, "rss_rps": 100.0, "other_rps": 100.0, "backoff_seconds": 0.01,
        "retry_delay_seconds": 0.01, "timeout_seconds": 5.0}
CHECK_NAMES = ("m_v2__account__not_updated", "m_l1__account__no_original", "n_7__account__renamed",
               "n_7__account__not_found", "m_v3__account__interaction")


def import_registry_files(db_url: str, folder: Path, accounts: Path | None = None):
    from govmon.registry import import_registry

    return import_registry(sites=folder / "sites.csv", accounts=accounts or folder / "accounts.csv",
                           regions=folder / "regions.csv", url=db_url)


def account_ids(db_url: str, sandbox) -> dict[str, int]:
    """Scenario key → registry account_id (matched by platform and 账号标识, as an operator would)."""
    import psycopg2

    conn = psycopg2.connect(db_url)
    try:
        with conn.cursor() as cur:
            cur.execute("select account_id, platform, platform_account_id from registry.accounts")
            by_ident = {(p, i): a for a, p, i in cur.fetchall()}
    finally:
        conn.close()
    return {k: by_ident[(v["platform"], v["account_id"])] for k, v in sandbox.state["accounts"].items()}


def run_checks(db_url: str, as_of: dt.datetime, profile="national-2019", names=CHECK_NAMES) -> dict:
    """{check name: {entity_id: CheckResult}}, validated by govmon.verdicts.checks.run_check."""
    import psycopg2

    from govmon.profiles import load_profile
    from govmon.verdicts.checks import checks_dir, load_check, run_check

    prof = load_profile(profile)
    out = {}
    conn = psycopg2.connect(db_url)
    try:
        with conn.cursor() as cur:
            for name in names:
                rows = run_check(cur, load_check(checks_dir() / f"{name}.sql"), profile=prof, as_of=as_of)
                out[name] = {r.entity_id: r for r in rows}
    finally:
        conn.close()
    return out


def query(db_url: str, sql: str, params=None) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(db_url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()
