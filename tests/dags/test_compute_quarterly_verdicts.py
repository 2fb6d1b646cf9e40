"""The quarterly verdict DAG, run for real with dag.test() against a real Postgres."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg2
import pendulum

DAGS = Path(__file__).resolve().parents[2] / "dags"
SITES = ("网站名称,网站标识码,首页网址,主办单位,行政区划代码\n"
         "鹰潭市人民政府,3606000001,http://127.10.0.1:1/,鹰潭市人民政府办公室,360600\n")


def _dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "compute_quarterly_verdicts.py"))
    assert bag.import_errors == {}
    dag = bag.dags["compute_quarterly_verdicts"]
    for t in dag.tasks:
        t.retries = 0
    return dag


def _rows(url, sql):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_shape():
    dag = _dag()
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {
        "resolve_quarter": ["validate_quality_gate"],
        "validate_quality_gate": ["compute_verdicts", "publish_verdicts", "write_quarterly_report"],
        "compute_verdicts": ["publish_verdicts"],
        "publish_verdicts": ["write_quarterly_report"],
        "write_quarterly_report": [],
    }


def test_gate_failure_writes_nothing_then_run_publishes_the_closed_quarter(airflow_db, db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVMON_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVMON_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("GOVMON_REPORT_DIR", raising=False)
    dag = _dag()
    trigger = pendulum.datetime(2026, 10, 1, 2, 0, tz="Asia/Shanghai")

    run = dag.test(logical_date=trigger)  # empty registry: the gate blocks
    assert str(run.state) == "failed"
    assert _rows(db_url, "select count(*) from verdicts.runs") == [(0,)]

    from govmon.registry import import_registry

    (tmp_path / "sites.csv").write_text(SITES, encoding="utf-8")
    import_registry(sites=tmp_path / "sites.csv", url=db_url)
    run = dag.test(logical_date=trigger.add(minutes=1))  # a registry, but no probe ever reached it
    assert str(run.state) == "failed"
    assert _rows(db_url, "select count(*) from verdicts.runs") == [(0,)]

    # a profile that asks no collector coverage (the DAG's `profile` param) lets it through
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("name: lenient\nbase: national-2019\ncollection: {min_registry_coverage: 0}\n", encoding="utf-8")
    conf = {"profile": str(lenient)}
    run = dag.test(logical_date=trigger.add(minutes=1), run_conf=conf)
    assert str(run.state) == "success"
    published = _rows(db_url, "select p.quarter, r.as_of, r.kind from verdicts.published p join verdicts.runs r using (run_id)")
    assert [(q, a.astimezone(dt.timezone.utc), k) for q, a, k in published] == [
        ("2026Q3", dt.datetime(2026, 9, 30, 15, 59, 59, 999999, tzinfo=dt.timezone.utc), "scheduled")]
    before = _rows(db_url, "select * from verdicts.entity_verdicts order by 1, 2, 3")
    assert len(before) == 1
    report = tmp_path / "state" / "reports" / "通报-2026Q3-360600.docx"
    assert report.exists()  # the run ends by writing the 通报

    run = dag.test(logical_date=trigger.add(minutes=2), run_conf=conf)  # the same quarter again: same tables
    assert str(run.state) == "success"
    assert _rows(db_url, "select * from verdicts.entity_verdicts order by 1, 2, 3") == before
    assert _rows(db_url, "select count(*) from verdicts.runs") == [(1,)]
