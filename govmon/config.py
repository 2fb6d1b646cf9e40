"""Settings read from the environment, with the project's defaults.

Everything a deployment may change is an environment variable named ``GOVMON_*``;
the README lists them. Nothing here opens a connection or touches the network.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def state_dir() -> Path:
    """Ignored folder for local state (Postgres cluster, AIRFLOW_HOME, demo output)."""
    return Path(os.environ.get("GOVMON_STATE_DIR", PROJECT_ROOT / ".govmon")).resolve()


def database_url() -> str | None:
    """The libpq URL from ``GOVMON_DATABASE_URL``, or None to use the project-local cluster."""
    url = os.environ.get("GOVMON_DATABASE_URL", "").strip()
    return url or None


def sql_dir() -> Path:
    return PROJECT_ROOT / "sql"


def migrations_dir() -> Path:
    return sql_dir() / "migrations"


# Platform endpoints: the platform's real address by default, so a proxy, a mirror or the
# sandbox can stand in (CONTRACT.md §2).
PLATFORM_BASE_URLS = {
    "weibo": ("GOVMON_WEIBO_BASE_URL", "https://m.weibo.cn"),
    "wechat": ("GOVMON_WECHAT_BASE_URL", "https://mp.weixin.qq.com"),
    "rss": ("GOVMON_RSS_BASE_URL", ""),
}


def platform_base_url(platform: str) -> str:
    env, default = PLATFORM_BASE_URLS[platform]
    return os.environ.get(env, default).rstrip("/")


def optional_module(name: str):
    """Import a subsystem module that may not be built yet; None when its package is absent."""
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise
