"""
### import_registry

Imports the registry of inspected sites and accounts from the folder operators keep it in
(`GOVMON_REGISTRY_DIR`, or the `registry_dir` param of a manual run), then publishes the
`registry` asset that collection DAGs wait for.

- The import is all or nothing (CONTRACT.md §1): a file with a bad row fails the task with every
  bad row listed as `file:row: field: reason`, and nothing is written.
- Re-running it for the same files changes nothing; a changed file updates in place with history.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, dag, task

REGISTRY = Asset(name="govmon_registry", uri="postgres://postgres:5432/govmon/registry/sites")


@dag(
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["registry"],
    default_args={"owner": "govmon", "retries": 2, "retry_delay": pendulum.duration(minutes=5)},
    params={"registry_dir": Param(None, type=["null", "string"], description="folder holding the registry files")},
)
def import_registry():
    @task
    def migrate_database() -> list[str]:
        from govmon import db

        return db.migrate()

    @task(outlets=[REGISTRY])
    def import_registry_files(params=None) -> dict:
        import os

        from govmon.registry import import_registry as run_import
        from govmon.registry.files import find_registry_files

        folder = (params or {}).get("registry_dir") or os.environ.get("GOVMON_REGISTRY_DIR")
        if not folder:
            raise ValueError("未配置名录文件夹：设置 GOVMON_REGISTRY_DIR，或在手动运行时传入 registry_dir")
        files = find_registry_files(folder)
        result = run_import(**{kind: str(path) for kind, path in files.items()})
        print(result.summary())
        return {r.kind: {"rows": r.rows, "inserted": r.inserted, "updated": r.updated,
                         "unchanged": r.unchanged, "removed": r.removed} for r in result.results}

    migrate_database() >> import_registry_files()


import_registry()
