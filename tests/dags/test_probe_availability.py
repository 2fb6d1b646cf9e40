"""The probe_availability DAG, run for real with dag.test() against the sandbox and a real Postgres."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import psycopg2
import pytest
import yaml

from govmon import config

DAGS = Path(__file__).resolve().parents[2] / "dags"
SMALL = config.PROJECT_ROOT / "scenarios" / "small.yaml"


def _load_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "probe_availability.py"))
    assert bag.import_errors == {}
    return bag.dags["probe_availability"]


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    from govmon.sandbox.runner import SandboxProcess

    with SandboxProcess(SMALL, out_dir=tmp_path_factory.mktemp("dag-sandbox"), hang_cap=5) as sb:
        yield sb


def _registry_of(sb, keys, folder: Path) -> Path:
    """sites.csv holding only these sandbox sites (the sandbox's own registry rows)."""
    codes = {sb.state["sites"][k]["site_code"] for k in keys}
    with open(sb.registry_dir / "sites.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    out = folder / "sites.csv"
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([rows[0]] + [r for r in rows[1:] if r[1] in codes])
    return out


def _probes(url):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select round_id, count(*), count(*) filter (where ok) from raw.probe__probes group by 1 order by 1")
        return cur.fetchall()


def test_dag_shape():
    dag = _load_dag()
    assert {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks} == {"run_probe_round": []}
    assert dag.max_active_runs == 1 and dag.catchup is False  # no overlapping runs, no catch-up
    assert dag.timetable.expression == "*/30 * * * *"  # 48 rounds a day
    assert str(dag.timetable.timezone) == "Asia/Shanghai"
    assert dag.dagrun_timeout < dt.timedelta(minutes=30)


def test_probe_availability_dag_runs_a_round_idempotently(airflow_db, make_db, small_world, tmp_path, monkeypatch):
    from govmon.registry import import_registry

    url = make_db()
    import_registry(sites=_registry_of(small_world, ["portal", "hrss", "env"], tmp_path), url=url)
    profile = tmp_path / "fast.yaml"
    profile.write_text(yaml.safe_dump({"name": "fast", "base": "national-2019", "availability": {"timeout_seconds": 2}}))
    monkeypatch.setenv("GOVMON_DATABASE_URL", url)
    monkeypatch.setenv("GOVMON_PROBE_CONTROL_URL", small_world.state["env"]["GOVMON_SANDBOX_CONTROL_URL"] + "/health")
    dag = _load_dag()
    for t in dag.tasks:  # a failure should fail the run now, not wait out the retry delay
        t.retries = 0
    when = dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.timezone.utc)

    run = dag.test(logical_date=when, run_after=when, run_conf={"profile": str(profile)})
    assert str(run.state) == "success", run.state
    first = _probes(url)
    assert len(first) == 1 and first[0][0].startswith("airflow:probe_availability:") and first[0][1:] == (3, 1)

    run = dag.test(logical_date=when, run_after=when, run_conf={"profile": str(profile)})  # the same run again
    assert str(run.state) == "success"
    assert _probes(url) == first  # replaced, not added

    later = when + dt.timedelta(minutes=30)
    assert str(dag.test(logical_date=later, run_after=later, run_conf={"profile": str(profile)}).state) == "success"
    assert [n for _, n, _ in _probes(url)] == [3, 3]
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select count(*), bool_and(control_ok), min(profile), min(timeout_seconds) from raw.probe__rounds")
        assert cur.fetchone() == (2, True, "fast v1", 2.0)


def test_probe_availability_dag_fails_without_a_registry(airflow_db, make_db, monkeypatch):
    url = make_db()
    monkeypatch.setenv("GOVMON_DATABASE_URL", url)
    dag = _load_dag()
    for t in dag.tasks:
        t.retries = 0
    assert str(dag.test().state) == "failed"
    assert _probes(url) == []
