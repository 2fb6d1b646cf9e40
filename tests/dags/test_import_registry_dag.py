"""The import_registry DAG, run for real with dag.test() against a real Postgres."""

from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"

SITES = ("网站名称,网站标识码,首页网址,主办单位,行政区划代码,网站类型,运行状态\n"
         "鹰潭市人民政府,3606000001,http://127.10.0.1:18080/,鹰潭市人民政府办公室,360600,政府门户网站,运行\n"
         "鹰潭市教育局,3606000002,http://127.10.0.2:18080/,鹰潭市教育局,360600,部门网站,运行\n")
ACCOUNTS = ("账号名称,平台,账号类型,账号标识,采集地址,填报单位,行政区划代码,运行状态\n"
            "鹰潭发布,微信,订阅号,MzA5NzE2NTg0MQ==,,中共鹰潭市委宣传部,360600,运行\n")


def _load_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "import_registry.py"))
    assert bag.import_errors == {}
    return bag.dags["import_registry"]


def _counts(url):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select (select count(*) from registry.sites), (select count(*) from registry.accounts),"
                    " (select count(*) from registry.changes)")
        return cur.fetchone()


def test_dag_shape():
    dag = _load_dag()
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {
        "migrate_database": ["import_registry_files"],
        "import_registry_files": [],
    }


def test_import_registry_dag_runs_and_is_idempotent(airflow_db, make_db, tmp_path, monkeypatch):
    url = make_db(migrated=False)  # an empty database: the DAG's first task must create the schema itself
    (tmp_path / "sites.csv").write_text(SITES, encoding="utf-8-sig")
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8-sig")
    monkeypatch.setenv("GOVMON_DATABASE_URL", url)
    monkeypatch.setenv("GOVMON_REGISTRY_DIR", str(tmp_path))
    dag = _load_dag()
    for t in dag.tasks:  # a failure should fail the run now, not wait out the retry delay
        t.retries = 0

    run = dag.test()
    assert str(run.state) == "success", run.state
    assert _counts(url) == (2, 1, 3)

    run = dag.test()  # same interval, same files: same tables
    assert str(run.state) == "success"
    assert _counts(url) == (2, 1, 3)

    # a bad file fails the run and writes nothing
    (tmp_path / "sites.csv").write_text(SITES + "坏行,123,http://x/,单位,360600,,\n", encoding="utf-8-sig")
    run = dag.test()
    assert str(run.state) == "failed"
    assert _counts(url) == (2, 1, 3)
