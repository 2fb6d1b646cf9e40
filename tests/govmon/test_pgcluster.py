"""Which Postgres the project uses, and its own local cluster."""

from __future__ import annotations

import socket

import psycopg2
import pytest

from govmon import pgcluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url_wins(monkeypatch):
    monkeypatch.setenv("GOVMON_DATABASE_URL", "postgresql://someone@db.example:5432/govmon")
    assert pgcluster.resolve_url(autostart=False) == "postgresql://someone@db.example:5432/govmon"


def test_no_server_binaries_gives_one_paragraph_saying_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("GOVMON_DATABASE_URL", raising=False)
    monkeypatch.delenv("GOVMON_PG_BIN", raising=False)
    monkeypatch.setenv("GOVMON_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pgcluster, "DEBIAN_BINDIRS", str(tmp_path / "none" / "*"))
    assert pgcluster.find_bindir() is None
    with pytest.raises(pgcluster.ClusterUnavailable) as err:
        pgcluster.resolve_url(autostart=True)
    text = str(err.value)
    assert "GOVMON_DATABASE_URL" in text and "apt-get install postgresql" in text
    assert "\n" not in text  # one paragraph


@pytest.mark.integration
def test_local_cluster_starts_on_its_own_port_and_stops_cleanly(monkeypatch, tmp_path):
    if pgcluster.find_bindir() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    port = _free_port()
    monkeypatch.delenv("GOVMON_DATABASE_URL", raising=False)
    monkeypatch.setenv("GOVMON_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("GOVMON_PG_PORT", str(port))
    cluster = pgcluster.local_cluster()
    assert not pgcluster.is_running(cluster)
    try:
        url = pgcluster.start()
        assert url == f"postgresql://govmon@127.0.0.1:{port}/govmon"
        assert port != 5432
        assert pgcluster.is_running()
        assert pgcluster.start() == url  # idempotent: already running
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("select current_database(), inet_server_port()")
            assert cur.fetchone() == ("govmon", port)
        assert (pgcluster.local_cluster().data_dir / "PG_VERSION").exists()
    finally:
        assert pgcluster.stop() is True
    assert not pgcluster.is_running()
    assert pgcluster.stop() is False
    # a second start reuses the data directory (and the database in it)
    try:
        assert pgcluster.start() == url
    finally:
        pgcluster.stop()
