"""The crawl_media DAG, run for real with dag.test(): the small sandbox world on loopback, a real
Postgres, sharded batches, idempotent per day, and a failing run when the database is missing."""

from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
SMALL = REPO / "scenarios" / "small.yaml"


def _load_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "crawl_media.py"))
    assert bag.import_errors == {}
    return bag.dags["crawl_media"]


def test_dag_shape():
    dag = _load_dag()
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {
        "plan_media_shards": ["list_feed_batches", "list_wechat_batches", "list_weibo_batches"],
        "list_weibo_batches": ["collect_weibo_batch"],
        "list_wechat_batches": ["collect_wechat_batch"],
        "list_feed_batches": ["collect_feed_batch"],
        "collect_weibo_batch": ["report_media_health"],
        "collect_wechat_batch": ["report_media_health"],
        "collect_feed_batch": ["report_media_health"],
        "report_media_health": [],
    }
    tasks = {t.task_id: t for t in dag.tasks}
    # one Weibo / WeChat batch at a time: a platform never sees two collector processes
    assert tasks["collect_weibo_batch"].max_active_tis_per_dagrun == 1
    assert tasks["collect_wechat_batch"].max_active_tis_per_dagrun == 1
    assert tasks["report_media_health"].trigger_rule == "all_done"


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    from govmon.sandbox.runner import SandboxProcess

    with SandboxProcess(SMALL, out_dir=tmp_path_factory.mktemp("dag-media-sandbox"), hang_cap=5) as sb:
        yield sb


def _counts(url):
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("select (select count(*) from raw.media__fetches), (select count(*) from raw.media__posts),"
                        " (select count(*) from staging.stg_media__posts),"
                        " (select count(distinct run_id) from raw.media__fetches)")
            return cur.fetchone()
    finally:
        conn.close()


def _env(monkeypatch, url, sandbox):
    monkeypatch.setenv("GOVMON_DATABASE_URL", url)
    for k, v in sandbox.env.items():
        monkeypatch.setenv(k, v)
    for k in ("GOVMON_WEIBO_MAX_RPS", "GOVMON_WECHAT_MAX_RPS", "GOVMON_RSS_MAX_RPS"):
        monkeypatch.setenv(k, "100")
    monkeypatch.setenv("GOVMON_MEDIA_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("GOVMON_MEDIA_RETRY_DELAY_SECONDS", "0.01")
    monkeypatch.setenv("GOVMON_MEDIA_BATCH_SIZE", "5")


def test_crawl_media_dag_runs_sharded_and_is_idempotent(airflow_db, db_url, small_world, monkeypatch):
    from govmon.registry import import_registry

    reg = small_world.registry_dir
    import_registry(sites=reg / "sites.csv", accounts=reg / "accounts.csv", regions=reg / "regions.csv", url=db_url)
    _env(monkeypatch, db_url, small_world)
    dag = _load_dag()

    run = dag.test()
    assert str(run.state) == "success", run.state
    mapped = {}
    for ti in run.get_task_instances():
        mapped.setdefault(ti.task_id, []).append(ti.map_index)
        assert str(ti.state) == "success", (ti.task_id, ti.map_index, ti.state)
    # 4 Weibo accounts: 1 batch of 5; 7 WeChat: 2 batches; 6 feeds (incl. WeChat via the bridge): 2 batches
    assert sorted(mapped["collect_weibo_batch"]) == [0]
    assert sorted(mapped["collect_wechat_batch"]) == [0, 1]
    assert sorted(mapped["collect_feed_batch"]) == [0, 1]
    fetches, posts, staged, runs = _counts(db_url)
    assert fetches == 17 and posts > 100 and staged == posts and runs == 1

    run = dag.test()  # the same day again: the same rows, replaced
    assert str(run.state) == "success"
    assert _counts(db_url)[:3] == (fetches, posts, staged)


def test_crawl_media_dag_fails_without_its_database(airflow_db, pg_server, small_world, monkeypatch):
    from urllib.parse import urlsplit, urlunsplit

    # not `from tests.conftest import …`: the repository root is on sys.path only under `python -m pytest`
    missing = urlunsplit(urlsplit(pg_server)._replace(path="/govmon_no_such_database_for_media"))
    _env(monkeypatch, missing, small_world)
    dag = _load_dag()
    for t in dag.tasks:  # fail now, not after the retry delay
        t.retries = 0
    run = dag.test()
    assert str(run.state) == "failed"
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["plan_media_shards"] == "failed"
