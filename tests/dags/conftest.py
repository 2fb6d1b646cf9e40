"""Airflow for the DAG tests: its own AIRFLOW_HOME and SQLite metadata DB, migrated once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from govmon import config
from govmon.airflow_env import apply_airflow_env

apply_airflow_env(config.state_dir() / "airflow-test")  # before anything imports airflow


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated Airflow metadata database (``airflow db migrate`` is idempotent)."""
    proc = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True, text=True,
                          env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
