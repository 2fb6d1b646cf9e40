"""The Airflow environment for local runs, tests and the demo.

AIRFLOW_HOME lives under the ignored state folder, the DAG folder is the repository's ``dags/``,
and the metadata database is SQLite in AIRFLOW_HOME unless AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is
already set (docker-compose.yml sets it to Postgres). Values already in the environment win.
"""

from __future__ import annotations

import os
from pathlib import Path

from govmon import config


def airflow_env(home: str | os.PathLike | None = None) -> dict[str, str]:
    home = Path(home) if home else config.state_dir() / "airflow"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(config.PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }


def apply_airflow_env(home: str | os.PathLike | None = None) -> dict[str, str]:
    """Set the defaults in os.environ (existing values win); call before importing airflow."""
    env = airflow_env(home)
    for key, value in env.items():
        os.environ.setdefault(key, value)
    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    return {k: os.environ[k] for k in env}
