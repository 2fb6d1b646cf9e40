"""Numbered migrations in sql/migrations, applied in one transaction, recorded, idempotent."""

from __future__ import annotations

import shutil

import psycopg2
import pytest

from govmon import config, db


def _schemas(url):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select nspname from pg_namespace")
        return {r[0] for r in cur.fetchall()}


def test_migrate_applies_all_then_nothing(make_db):
    url = make_db(migrated=False)
    all_versions = [m.version for m in db.discover()]
    assert db.migrate(url) == all_versions
    assert {"registry", "raw", "staging", "marts", "verdicts"} <= _schemas(url)
    assert db.migrate(url) == []
    assert db.applied_versions(url) == all_versions


def test_a_failing_migration_applies_nothing(make_db, tmp_path):
    url = make_db(migrated=False)
    mig = tmp_path / "migrations"
    shutil.copytree(config.migrations_dir(), mig)
    (mig / "0098_create_probe_table.sql").write_text("create table raw.probe_check (x int);")
    (mig / "0099_broken.sql").write_text("create table raw.nope (x int); select * from no_such_table;")
    with pytest.raises(db.MigrationError, match="0099_broken.sql"):
        db.migrate(url, mig)
    assert db.applied_versions(url) == []
    assert "registry" not in _schemas(url)  # the earlier files of the same run were rolled back too


def test_an_edited_migration_is_refused(make_db, tmp_path):
    url = make_db(migrated=False)
    mig = tmp_path / "migrations"
    shutil.copytree(config.migrations_dir(), mig)
    db.migrate(url, mig)
    first = sorted(mig.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(db.MigrationError, match="changed after it was applied"):
        db.migrate(url, mig)


def test_badly_named_migration_is_refused(tmp_path):
    (tmp_path / "7_x.sql").write_text("select 1;")
    with pytest.raises(db.MigrationError, match="NNNN_lower_snake.sql"):
        db.discover(tmp_path)
