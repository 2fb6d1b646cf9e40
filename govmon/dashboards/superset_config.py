"""Superset's configuration for govmon (``SUPERSET_CONFIG_PATH`` points here).

Read by Superset in its own environment; everything deployment-specific comes from the
environment (see :mod:`govmon.dashboards.settings`, ``docker-compose.yml``). Superset talks to
nothing but its metadata database, the govmon database and (in compose) Redis: no telemetry pixel,
no map tiles, no web fonts, no thumbnails or e-mailed reports (those need a browser and SMTP).
"""

# ruff: noqa: N816  (Superset reads upper-case module attributes)
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from superset.config import THEME_DEFAULT as _THEME_DEFAULT  # noqa: N811

_HOME = Path(os.environ.get("GOVMON_SUPERSET_HOME") or os.environ.get("SUPERSET_HOME") or ".")
_REDIS_URL = os.environ.get("GOVMON_SUPERSET_REDIS_URL", "").strip()

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]  # no default: a known key would let anyone forge sessions
SQLALCHEMY_DATABASE_URI = (os.environ.get("GOVMON_SUPERSET_METADATA_URL", "").strip()
                           or f"sqlite:///{_HOME / 'superset.db'}")
DATA_DIR = str(_HOME)

APP_NAME = "政府网站与政务新媒体监测"
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "us", "name": "English"}}
THEME_DEFAULT = {
    **_THEME_DEFAULT,
    "token": {
        **_THEME_DEFAULT["token"],
        "brandAppName": APP_NAME,
        "brandLogoAlt": APP_NAME,
        # system CJK fonts (no web fonts: nothing is fetched from outside)
        "fontFamily": "Inter, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif",
    },
}
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
DEFAULT_TIMEZONE = "Asia/Shanghai"

FEATURE_FLAGS = {
    "DASHBOARD_RBAC": False,          # dashboards follow dataset access; rows follow RLS
    "ALERT_REPORTS": False,
    "THUMBNAILS": False,
    "EMBEDDED_SUPERSET": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "RLS_IN_SQLLAB": True,            # viewers have no SQL Lab; admins' grants to others stay filtered
    "DRILL_TO_DETAIL": True,
}
MAPBOX_API_KEY = ""
SCARF_ANALYTICS = False
DOCUMENTATION_URL = None
BUG_REPORT_URL = None
SHOW_STACKTRACE = False
PREVENT_UNSAFE_DB_CONNECTIONS = True
ROW_LIMIT = 50000
SQL_MAX_ROW = 100000
SUPERSET_WEBSERVER_TIMEOUT = 120

# The browser may load nothing from another origin: this also blocks the Scarf telemetry pixel that
# the published frontend bundle always renders.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
CONTENT_SECURITY_POLICY_WARNING = False
WTF_CSRF_ENABLED = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

# Caches: Redis in compose (shared by the web workers; query results for 5 minutes, cached per
# RLS filter set since Superset puts the filters in the cache key). Locally metadata is cached in
# process and query results are not cached, so a recomputed quarter shows at once.
if _REDIS_URL:
    CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": _REDIS_URL, "CACHE_DEFAULT_TIMEOUT": 600,
                    "CACHE_KEY_PREFIX": "govmon_superset_"}
    DATA_CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": _REDIS_URL, "CACHE_DEFAULT_TIMEOUT": 300,
                         "CACHE_KEY_PREFIX": "govmon_superset_data_"}
    RATELIMIT_STORAGE_URI = _REDIS_URL
else:
    CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 600}
    DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
    RATELIMIT_STORAGE_URI = "memory://"
