"""Shared fixtures: a real Postgres (GOVMON_DATABASE_URL, else the project-local cluster).

The session creates a migrated template database once; each test that asks for ``db_url`` gets
its own fresh copy (CREATE DATABASE … TEMPLATE), dropped afterwards. Tests that use a database,
a real HTTP server or Airflow are marked ``integration`` automatically.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# a test is an integration test when it uses a real service: one of these fixtures, a module under
# INTEGRATION_DIRS, or an explicit @pytest.mark.integration (e.g. one that starts a server itself)
INTEGRATION_FIXTURES = {"db_url", "make_db", "pg_server", "template_db", "sandbox", "site_url", "airflow_db"}
INTEGRATION_DIRS = ("tests/dags",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        rel = Path(str(item.fspath)).resolve().relative_to(REPO).as_posix()
        if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())) or rel.startswith(INTEGRATION_DIRS):
            item.add_marker(pytest.mark.integration)


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def pg_server():
    """URL of a Postgres server we may create databases on; stops the local cluster if we started it."""
    from govmon import config, pgcluster

    url = config.database_url()
    started = False
    if not url:
        cluster = pgcluster.local_cluster()
        started = not pgcluster.is_running(cluster)
        url = pgcluster.start(cluster)
    yield url
    if started and not os.environ.get("GOVMON_KEEP_PG"):
        pgcluster.stop()


def _admin(url: str):
    conn = psycopg2.connect(_with_db(url, "postgres"))
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def template_db(pg_server):
    from govmon import db

    name = f"govmon_test_tpl_{uuid.uuid4().hex[:8]}"
    admin = _admin(pg_server)
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    db.migrate(_with_db(pg_server, name))
    yield name
    with admin.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    admin.close()


@pytest.fixture
def make_db(pg_server, template_db):
    """Factory of databases for one test, dropped afterwards: ``make_db()`` is a fresh migrated copy
    of the template, ``make_db(migrated=False)`` an empty one."""
    admin = _admin(pg_server)
    made: list[str] = []

    def make(migrated: bool = True) -> str:
        name = f"govmon_test_{uuid.uuid4().hex[:10]}"
        with admin.cursor() as cur:
            cur.execute(f'create database "{name}"' + (f' template "{template_db}"' if migrated else ""))
        made.append(name)
        return _with_db(pg_server, name)

    yield make
    with admin.cursor() as cur:
        for name in made:
            cur.execute(f'drop database if exists "{name}" with (force)')
    admin.close()


@pytest.fixture
def db_url(make_db):
    """A fresh, migrated database for one test."""
    return make_db()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (shared real data sits beside the repository)")
    return SHARED
