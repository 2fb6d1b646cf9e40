"""A real Superset for the dashboard tests, set up once per session (it takes ~30 s).

Superset runs from its own locked environment (envs/superset, installed on first use) with its
metadata in a temporary SQLite file, on a free port of 127.0.0.1, against a database built from the
migrated template with the demo world of dashboard_world.py. The same ``govmon.dashboards.server``
functions ``govmon dashboards serve`` uses set it up: import of dashboards/, roles, RLS, viewer logins.
"""

from __future__ import annotations

import csv
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from dashboard_world import World, build

from govmon import config


@dataclass
class SupersetUnderTest:
    url: str                     # Superset's base URL
    db_url: str                  # the govmon database it queries
    home: Path
    world: World
    admin_password: str
    logins: dict[str, str]       # viewer username → password

    def client(self, user: str = "admin"):
        from govmon.dashboards.client import SupersetClient

        password = self.admin_password if user == "admin" else self.logins[user]
        return SupersetClient(self.url).login(user, password)


def _with_db(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@pytest.fixture(scope="session")
def dashboards_db(pg_server, template_db, tmp_path_factory):
    name = f"govmon_test_dash_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_with_db(pg_server, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}" template "{template_db}"')
    url = _with_db(pg_server, name)
    world = build(url, tmp_path_factory.mktemp("dashboard-world"))
    yield world
    with admin.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    admin.close()


@pytest.fixture(scope="session")
def superset(dashboards_db, tmp_path_factory):
    from govmon.dashboards import server, settings

    home = tmp_path_factory.mktemp("superset-home")
    world = dashboards_db
    env_keys = ("GOVMON_SUPERSET_ADMIN_PASSWORD", "SUPERSET_SECRET_KEY", "GOVMON_SUPERSET_METADATA_URL",
                "GOVMON_SUPERSET_DATABASE_URL")
    saved = {k: os.environ.pop(k, None) for k in env_keys}  # the test's own secrets, in its own home
    try:
        server.setup(world.url, home=home)
        srv = server.start(world.url, port=server.free_port(), home=home)
        try:
            with settings.logins_file(home).open(encoding="utf-8-sig", newline="") as fh:
                logins = {row["用户名"]: row["密码"] for row in csv.DictReader(fh)}
            yield SupersetUnderTest(srv.url, world.url, home, world, settings.admin_password(home), logins)
        finally:
            server.stop(home)
    finally:
        for k, v in saved.items():
            if v is not None:
                os.environ[k] = v


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go (kept after the run): GOVMON_TEST_ARTIFACTS, else .govmon/test-artifacts."""
    root = Path(os.environ.get("GOVMON_TEST_ARTIFACTS") or config.state_dir() / "test-artifacts")
    out = root / "dashboards"
    out.mkdir(parents=True, exist_ok=True)
    return out
