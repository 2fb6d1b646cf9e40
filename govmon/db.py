"""Connections and schema migrations.

Migrations are the numbered files in ``sql/migrations`` (``0001_schemas.sql`` …). ``migrate()``
applies the pending ones in a single transaction under an advisory lock, records each in
``public.govmon_migrations`` with its checksum, and refuses to run when an applied file has been
edited since (migrations are append-only: add a new file instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.extensions
import psycopg2.extras

from govmon import config, pgcluster

MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 0x60F3_0001  # advisory lock id for migrations


class MigrationError(RuntimeError):
    pass


def connect(url: str | None = None, autostart: bool = True) -> psycopg2.extensions.connection:
    url = url or pgcluster.resolve_url(autostart=autostart)
    conn = psycopg2.connect(url, application_name="govmon")
    return conn


@contextlib.contextmanager
def transaction(url: str | None = None) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor inside one transaction: committed on success, rolled back on any error."""
    conn = connect(url)
    try:
        with conn:  # commit / rollback
            with conn.cursor() as cur:
                yield cur
    finally:
        conn.close()


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or config.migrations_dir()
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        m = MIGRATION_RE.match(path.name)
        if not m:
            raise MigrationError(f"{path}: migration files are named NNNN_lower_snake.sql")
        found.append(Migration(m.group(1), m.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {directory}: {versions}")
    return found


def migrate(url: str | None = None, directory: Path | None = None) -> list[str]:
    """Apply pending migrations in one transaction; return the versions applied (empty when none)."""
    migrations = discover(directory)
    applied_now: list[str] = []
    with transaction(url) as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        cur.execute(
            """
            create table if not exists public.govmon_migrations (
                version    text primary key,
                name       text not null,
                checksum   text not null,
                applied_at timestamptz not null default now()
            )
            """
        )
        cur.execute("select version, checksum from public.govmon_migrations")
        done = dict(cur.fetchall())
        for m in migrations:
            if m.version in done:
                if done[m.version] != m.checksum:
                    raise MigrationError(
                        f"{m.path.name} was changed after it was applied (checksum differs). "
                        "Migrations are append-only: revert the edit and add a new migration."
                    )
                continue
            try:
                cur.execute(m.sql)
            except psycopg2.Error as exc:
                raise MigrationError(f"{m.path.name}: {exc.pgerror or exc}") from exc
            cur.execute(
                "insert into public.govmon_migrations (version, name, checksum) values (%s, %s, %s)",
                (m.version, m.name, m.checksum),
            )
            applied_now.append(m.version)
    return applied_now


def applied_versions(url: str | None = None) -> list[str]:
    with transaction(url) as cur:
        cur.execute("select to_regclass('public.govmon_migrations')")
        if cur.fetchone()[0] is None:
            return []
        cur.execute("select version from public.govmon_migrations order by version")
        return [r[0] for r in cur.fetchall()]
