"""Bulk loading: rows are spooled to disk in COPY text format while the crawl runs (memory stays
flat), then loaded with ``COPY … FROM STDIN`` in one transaction per shard, after deleting the
(run, site) rows a previous attempt left: a retried shard replaces its rows, never doubles them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from govmon.crawl.tables import LOAD_ORDER, TABLES

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""})


def copy_value(v) -> str:
    """One value in PostgreSQL's COPY text format."""
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(v).hex()
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, (list, tuple, set)):
        inner = ",".join('"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"' for x in v)
        return ("{" + inner + "}").translate(_ESCAPES)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str).translate(_ESCAPES)
    return str(v).translate(_ESCAPES)


class RawSpool:
    """Per-table spool files of COPY rows; ``load()`` puts them into Postgres."""

    def __init__(self, directory: str | os.PathLike | None = None, buffer_rows: int = 500):
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="govmon-spool-")
            directory = self._tmp.name
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.buffer_rows = buffer_rows
        self._buf: dict[str, list[str]] = {t: [] for t in TABLES}
        self._files = {t: open(self.dir / f"{t}.copy", "w", encoding="utf-8") for t in TABLES}
        self.counts: dict[str, int] = {t: 0 for t in TABLES}
        self.site_ids: set[int] = set()

    def add(self, table: str, row: dict) -> None:
        cols = TABLES[table]
        self._buf[table].append("\t".join(copy_value(row.get(c)) for c in cols) + "\n")
        self.counts[table] += 1
        if row.get("site_id") is not None:
            self.site_ids.add(int(row["site_id"]))
        if len(self._buf[table]) >= self.buffer_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        if self._buf[table]:
            self._files[table].writelines(self._buf[table])
            self._buf[table] = []

    def close_files(self) -> None:
        for t, f in self._files.items():
            if not f.closed:
                self._flush(t)
                f.close()

    def load(self, conn, crawl_run_id: int, site_ids: set[int] | None = None) -> dict[str, int]:
        """Delete the (run, site) rows of ``site_ids`` (default: every site spooled), then COPY every
        spool file, in one transaction on ``conn``. Returns rows loaded per table."""
        self.close_files()
        sites = sorted(site_ids if site_ids is not None else self.site_ids)
        with conn:
            with conn.cursor() as cur:
                for table in LOAD_ORDER:
                    cur.execute(f"delete from raw.{table} where crawl_run_id = %s and site_id = any(%s)",
                                (crawl_run_id, sites))
                for table in LOAD_ORDER:
                    path = self.dir / f"{table}.copy"
                    if self.counts[table] == 0:
                        continue
                    with open(path, encoding="utf-8") as f:
                        cur.copy_expert(f"copy raw.{table} ({', '.join(TABLES[table])}) from stdin", f)
        return dict(self.counts)

    def cleanup(self) -> None:
        self.close_files()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
