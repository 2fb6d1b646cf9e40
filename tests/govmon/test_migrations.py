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


def test_check_results_of_earlier_runs_move_into_partitions(make_db, tmp_path):
    """0013 partitions verdicts.check_results by run, 0016 verdicts.run_entities and 0020
    verdicts.run_verdicts: a database
    computed before them keeps every row, each run in its own partitions, with what each check
    covered, and the views over them still read; deleting a run drops its partitions."""
    url = make_db(migrated=False)
    before = tmp_path / "before"
    before.mkdir()
    for m in db.discover():
        if m.version < "0013":
            shutil.copy(m.path, before / m.path.name)
    db.migrate(url, before)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for run_id, as_of in ((1, "2026-09-30"), (2, "2026-10-20")):
            cur.execute("insert into verdicts.runs (run_id, quarter, as_of, kind, profile_name, profile_version, "
                        "profile, checks) values (%s, '2026Q3', %s, 'scheduled', 'national-2019', 1, '{}', '{}')",
                        (run_id, as_of))
            cur.execute("insert into verdicts.run_entities (run_id, entity_type, entity_id, name, code, region_code, "
                        "organizer) select %s, 'account', g, '号' || g, 'c' || g, '360600', '单位' "
                        "from generate_series(1, 3) g", (run_id,))
            cur.execute("insert into verdicts.check_results (run_id, check_name, entity_type, entity_id, indicator, "
                        "status, evidence) select %s, 'm_v2__account__not_updated', 'account', g, 'M-V2', 'pass', "
                        "jsonb_build_object('days_since_post', g) from generate_series(1, %s) g",
                        (run_id, 3 if run_id == 1 else 2))
            cur.execute("insert into verdicts.run_verdicts (run_id, entity_type, entity_id, verdict) "
                        "select %s, 'account', g, '合格' from generate_series(1, 3) g", (run_id,))
        cur.execute("insert into verdicts.published (quarter, run_id) values ('2026Q3', 1)")
    db.migrate(url)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select run_id, count(*) from verdicts.check_results group by 1 order by 1")
        assert cur.fetchall() == [(1, 3), (2, 2)]
        cur.execute("select relispartition, relkind from pg_class where oid = 'verdicts.check_results'::regclass")
        assert cur.fetchone() == (False, "p")
        cur.execute("select run_id, partition::text from verdicts.run_checks, "
                    "lateral verdicts.run_partitions(run_id) order by 1")
        assert cur.fetchall() == [(1, "verdicts_parts.cr1_m"), (2, "verdicts_parts.cr2_m")]
        cur.execute("select run_id, check_name, indicator, entity_type, rows, covers_all from verdicts.run_checks "
                    "order by 1")
        assert cur.fetchall() == [(1, "m_v2__account__not_updated", "M-V2", "account", 3, True),
                                  (2, "m_v2__account__not_updated", "M-V2", "account", 2, False)]
        cur.execute("select account_id, days_since_post from marts.fct_account_update_age order by 1")
        assert cur.fetchall() == [(1, 1), (2, 2), (3, 3)]
        # 0016: the registry snapshots too, a partition per run, and the views over them made again
        cur.execute("select relkind from pg_class where oid = 'verdicts.run_entities'::regclass")
        assert cur.fetchone() == ("p",)
        cur.execute("select run_id, count(*), min(name) from verdicts.run_entities group by 1 order by 1")
        assert cur.fetchall() == [(1, 3, "号1"), (2, 3, "号1")]
        cur.execute("select run_id, partition::text from verdicts.run_checks, "
                    "lateral verdicts.run_partitions(run_id, 'verdicts.run_entities') order by 1")
        assert cur.fetchall() == [(1, "verdicts_parts.cr1_m_entities"), (2, "verdicts_parts.cr2_m_entities")]
        # 0020: the verdicts too, and the views over them made again
        cur.execute("select relkind from pg_class where oid = 'verdicts.run_verdicts'::regclass")
        assert cur.fetchone() == ("p",)
        cur.execute("select run_id, partition::text from verdicts.run_checks, "
                    "lateral verdicts.run_partitions(run_id, 'verdicts.run_verdicts') order by 1")
        assert cur.fetchall() == [(1, "verdicts_parts.cr1_m_verdicts"), (2, "verdicts_parts.cr2_m_verdicts")]
        cur.execute("select run_id, verdict, count(*), min(name) from verdicts.entity_verdicts group by 1, 2 order by 1")
        assert cur.fetchall() == [(1, "合格", 3, "号1"), (2, "合格", 3, "号1")]  # the views over them read
        cur.execute("select count(*) from verdicts.fct_quarterly_verdicts")  # the published run's
        assert cur.fetchone() == (3,)
        cur.execute("delete from verdicts.runs where run_id = 2")
        cur.execute("select run_id, count(*) from verdicts.run_entities group by 1")
        assert cur.fetchall() == [(1, 3)]
        cur.execute("select run_id, count(*) from verdicts.run_verdicts group by 1")
        assert cur.fetchall() == [(1, 3)]
        cur.execute("select count(*) from pg_tables where schemaname = 'verdicts_parts' and tablename like 'cr2%'")
        assert cur.fetchone() == (0,)
