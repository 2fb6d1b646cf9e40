"""Every DAG file imports cleanly, cheaply and by the house rules.

Parsing must not touch a database or the network (Airflow best practices): while the DagBag
loads, opening any socket or asking a hook for a connection fails the test.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
APPROVED_TAGS = {"registry", "probes", "crawl", "media", "quality", "verdicts", "report", "dashboards"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    mp = pytest.MonkeyPatch()
    calls: list[str] = []

    def no_connect(self, *args, **kwargs):
        calls.append(f"socket.connect{args}")
        raise AssertionError("a DAG file opened a network connection while being parsed")

    def no_get_connection(*args, **kwargs):
        calls.append(f"get_connection{args}")
        raise AssertionError("a DAG file asked for a connection while being parsed")

    import psycopg2

    mp.setattr(socket.socket, "connect", no_connect)
    mp.setattr(psycopg2, "connect", lambda *a, **k: no_connect(None, *a))
    from airflow.sdk import BaseHook

    mp.setattr(BaseHook, "get_connection", no_get_connection)
    try:
        bag = DagBag(dag_folder=str(DAGS))
    finally:
        mp.undo()
    bag.parse_calls = calls
    return bag


def test_dag_files_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert dagbag.parse_calls == []


def test_each_dag_file_holds_its_dag(dagbag):
    files = sorted(p.stem for p in DAGS.glob("*.py"))
    assert files, "no DAG files found"
    assert sorted(dagbag.dag_ids) == files  # file stem == dag_id


@pytest.mark.parametrize("dag_id", sorted(p.stem for p in DAGS.glob("*.py")))
def test_dag_rules(dagbag, dag_id):
    dag = dagbag.dags.get(dag_id)
    assert dag is not None
    assert dag.tags and set(dag.tags) <= APPROVED_TAGS, dag.tags
    assert dag.doc_md, "DAG needs a doc_md (its module docstring)"
    assert dag.catchup is False
    for t in dag.tasks:
        assert t.retries >= 2, f"{dag_id}.{t.task_id} has retries={t.retries}"


def test_integrity_check_catches_a_dag_that_connects_at_parse_time(tmp_path):
    """The guard above is real: a DAG file that connects while parsed shows up as an import error."""
    from airflow.dag_processing.dagbag import DagBag

    bad = tmp_path / "bad_dag.py"
    bad.write_text(
        "import socket\n"
        "from airflow.sdk import dag\n"
        "s = socket.create_connection(('127.0.0.1', 9), timeout=0.1)\n"
        "@dag(schedule=None, tags=['registry'])\n"
        "def bad_dag():\n    pass\n"
        "bad_dag()\n"
    )
    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", lambda self, *a: (_ for _ in ()).throw(AssertionError("connect")))
    try:
        bag = DagBag(dag_folder=str(tmp_path))
    finally:
        mp.undo()
    assert str(bad) in bag.import_errors
