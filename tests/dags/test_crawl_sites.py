"""The crawl_sites DAG, run for real with dag.test(): a sandbox world on loopback, a real Postgres,
Scrapy in fresh processes (one per mapped shard)."""

from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"

SCENARIO = """
name: dag
anchor: now
regions: [{code: "369900", name: 鹰川市}]
sites:
  - key: edu
    name: 鹰川市教育局
    site_code: "3699000101"
    organizer: 鹰川市教育局
    region_code: "369900"
    template: trs
    columns:
      - {key: gzdt, name: 工作动态, type: dynamic_news, last_days_ago: 1, interval_days: 2, count: 5}
      - {key: tzgg, name: 通知公告, type: notice, last_days_ago: 3, interval_days: 9, count: 3}
    letters: {count: 3}
  - key: fin
    name: 鹰川市财政局
    site_code: "3699000102"
    organizer: 鹰川市财政局
    region_code: "369900"
    template: jiangxi
    columns:
      - {key: gzdt, name: 工作动态, type: dynamic_news, last_days_ago: 2, interval_days: 2, count: 4}
  - key: down
    name: 鹰川市林业局
    site_code: "3699000103"
    organizer: 鹰川市林业局
    region_code: "369900"
    template: hanweb
    faults: {down: true}
"""


def _load_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "crawl_sites.py"))
    assert bag.import_errors == {}
    dag = bag.dags["crawl_sites"]
    for t in dag.tasks:  # a failure should fail the run now, not wait out the retry delay
        t.retries = 0
    return dag


def test_dag_shape():
    dag = _load_dag()
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {
        "plan_crawl": ["crawl_shard", "finish_crawl"],
        "crawl_shard": ["finish_crawl"],
        "finish_crawl": [],
    }
    assert [o.name for o in dag.get_task("finish_crawl").outlets] == ["govmon_site_crawl"]


@pytest.fixture
def world(tmp_path, make_db, monkeypatch):
    from govmon.registry import import_registry
    from govmon.sandbox.runner import SandboxProcess

    scenario = tmp_path / "dag.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    url = make_db()
    with SandboxProcess(scenario, out_dir=tmp_path / "sb") as sb:
        import_registry(sites=sb.registry_dir / "sites.csv", regions=sb.registry_dir / "regions.csv", url=url)
        monkeypatch.setenv("GOVMON_DATABASE_URL", url)
        monkeypatch.setenv("GOVMON_CRAWL_ALLOWED_NETWORKS", "127.0.0.0/8")
        monkeypatch.setenv("GOVMON_CRAWL_TIMEOUT", "3")
        monkeypatch.setenv("GOVMON_CRAWL_SHARDS", "2")
        yield url


def _rows(url, sql):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_crawl_sites_dag_runs_shards_and_publishes_the_asset(airflow_db, world):
    dag = _load_dag()
    run = dag.test()
    assert str(run.state) == "success", run.state
    states = {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}
    assert states == {("plan_crawl", -1): "success", ("crawl_shard", 0): "success", ("crawl_shard", 1): "success",
                      ("finish_crawl", -1): "success"}
    assert _rows(world, "select trigger, status, shard_count, site_count from raw.gov_site__runs") == \
        [("airflow", "done", 2, 3)]
    assert _rows(world, "select s.site_code, c.outcome, c.fail_class, c.shard from raw.gov_site__site_crawls c "
                        "join registry.sites s using (site_id) order by 1") == [
        ("3699000101", "ok", None, 0), ("3699000102", "ok", None, 1), ("3699000103", "failed", "connect", 0)]
    assert _rows(world, "select count(*) from marts.fct_gov_site__columns where kind = 'column'") == [(3,)]
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.scalars(select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
                                 .where(AssetModel.name == "govmon_site_crawl")).all()
        assert any(e.source_run_id == run.run_id for e in events)


def test_a_shard_that_cannot_load_fails_the_run(airflow_db, world, monkeypatch, tmp_path):
    from govmon.crawl import runner

    monkeypatch.setattr(runner, "SPIDERS_DIR", tmp_path)   # no Scrapy project there: the process fails
    dag = _load_dag()
    run = dag.test()
    assert str(run.state) == "failed"
    states = {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}
    assert states[("crawl_shard", 0)] == "failed" and states[("finish_crawl", -1)] == "failed"
    assert _rows(world, "select status, shards_failed from raw.gov_site__runs") == [("failed", 2)]
    assert _rows(world, "select count(*) from raw.gov_site__site_crawls") == [(0,)]


def test_an_empty_registry_fails_the_run(airflow_db, make_db, monkeypatch):
    monkeypatch.setenv("GOVMON_DATABASE_URL", make_db())
    run = _load_dag().test()
    assert str(run.state) == "failed"
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["plan_crawl"] == "failed"
