"""Import registry files into Postgres: all or nothing, idempotent, with history.

``import_registry(sites=..., accounts=..., regions=...)`` reads and checks every file first. If any
row of any file is bad, it raises :class:`RegistryImportError` listing every bad row and writes
nothing. Otherwise one transaction updates ``registry.*`` in place:

- a row whose values did not change is not touched (re-importing the same file changes nothing);
- a changed value is updated and the old and new values go to ``registry.changes``;
- an entity missing from the new file is marked removed (``removed_at``), not deleted, and comes
  back if a later file lists it again;
- an account keeps its identity across a rename: it is keyed by 平台 + 账号标识, else by 平台 +
  采集地址, else by 平台 + 填报单位 + 账号名称. An account first filed without 账号标识 and later with
  one is matched by its 采集地址 or its name, so it stays the same account.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2.extras

from govmon import db
from govmon.registry.reader import FileProblem, read_table
from govmon.registry.schema import KIND_LABEL, Record, parse_table

_LOCK_KEY = 0x60F3_0002

SITE_COLUMNS = ("name", "url", "organizer", "region_code", "kind", "status")
ACCOUNT_COLUMNS = ("platform", "name", "account_type", "platform_account_id", "feed_url", "organizer", "region_code", "status")


class RegistryImportError(Exception):
    """Bad input: ``problems`` lists every ``file:row: field: reason`` found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class KindResult:
    kind: str
    file: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def summary(self) -> str:
        return (f"{KIND_LABEL[self.kind]}（{self.file}）：{self.rows} 行，新增 {self.inserted}，更新 {self.updated}，"
                f"未变 {self.unchanged}，移除 {self.removed}")


@dataclass
class ImportResult:
    results: list[KindResult] = field(default_factory=list)

    def summary(self) -> str:
        return "\n".join(r.summary() for r in self.results)


def account_identity(values: dict) -> str:
    platform = values["platform"]
    if values.get("platform_account_id"):
        return f"{platform}:id:{values['platform_account_id']}"
    if values.get("feed_url"):
        return f"{platform}:feed:{values['feed_url']}"
    return f"{platform}:name:{values['organizer']}:{values['name']}"


def _check_unique(records: list[Record], path: str, keyfn, header: str, errors: list[str]) -> None:
    seen: dict[object, int] = {}
    for r in records:
        key = keyfn(r.values)
        if key is None:
            continue
        if key in seen:
            errors.append(f"{path}:{r.row}: {header}: 与第{seen[key]}行重复")
        else:
            seen[key] = r.row


def _check_regions(records: list[Record], path: str, known: set[str] | None, errors: list[str]) -> None:
    if not known:
        return  # no region table yet: only the format is checked
    for r in records:
        code = r.values["region_code"]
        if code not in known:
            errors.append(f"{path}:{r.row}: 行政区划代码: “{code}”不在行政区划表中")


def _read(path: str | Path, kind: str, errors: list[str]) -> tuple[list[Record], str, str]:
    try:
        table = read_table(path, kind)
    except FileProblem as exc:
        errors.append(str(exc))
        return [], str(path), ""
    records, problems = parse_table(table, kind)
    errors.extend(problems)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return records, table.path, digest


def import_registry(sites: str | Path | None = None, accounts: str | Path | None = None,
                    regions: str | Path | None = None, url: str | None = None) -> ImportResult:
    if not (sites or accounts or regions):
        raise RegistryImportError(["未指定要导入的文件（--sites、--accounts 或 --regions）"])
    errors: list[str] = []
    parsed = {}
    for kind, path in (("regions", regions), ("sites", sites), ("accounts", accounts)):
        if path:
            parsed[kind] = _read(path, kind, errors)

    if "regions" in parsed:
        recs, path, _ = parsed["regions"]
        _check_unique(recs, path, lambda v: v["region_code"], "行政区划代码", errors)
    if "sites" in parsed:
        recs, path, _ = parsed["sites"]
        _check_unique(recs, path, lambda v: v["site_code"], "网站标识码", errors)
        _check_unique(recs, path, lambda v: v["url"].rstrip("/").lower(), "首页网址", errors)
    if "accounts" in parsed:
        recs, path, _ = parsed["accounts"]
        _check_unique(recs, path, account_identity, "账号标识", errors)

    conn = db.connect(url)
    try:
        with conn:
            with conn.cursor() as cur:
                cur.execute("select pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                if "regions" in parsed:
                    known = {r.values["region_code"] for r in parsed["regions"][0]}
                else:
                    cur.execute("select region_code from registry.regions where removed_at is null")
                    known = {r[0] for r in cur.fetchall()}
                for kind in ("sites", "accounts"):
                    if kind in parsed:
                        _check_regions(parsed[kind][0], parsed[kind][1], known, errors)
                if errors:
                    raise RegistryImportError(_in_file_order(errors, parsed))
                result = ImportResult()
                for kind, loader in (("regions", _load_regions), ("sites", _load_sites), ("accounts", _load_accounts)):
                    if kind in parsed:
                        recs, path, digest = parsed[kind]
                        res = KindResult(kind, path, rows=len(recs))
                        cur.execute(
                            "insert into registry.imports (kind, file_name, file_sha256, row_count) "
                            "values (%s, %s, %s, %s) returning import_id",
                            (kind, path, digest, len(recs)),
                        )
                        import_id = cur.fetchone()[0]
                        loader(cur, recs, import_id, res)
                        cur.execute(
                            "update registry.imports set inserted=%s, updated=%s, unchanged=%s, removed=%s "
                            "where import_id=%s",
                            (res.inserted, res.updated, res.unchanged, res.removed, import_id),
                        )
                        result.results.append(res)
        return result
    finally:
        conn.close()


def _in_file_order(errors: list[str], parsed: dict) -> list[str]:
    """Sort problems by file (in the order given) and row, keeping each row's own order."""
    order = {path: i for i, (_, path, _) in enumerate(parsed.values())}

    def key(msg: str) -> tuple[int, int]:
        for path, i in order.items():
            if msg.startswith(path + ":"):
                row = msg[len(path) + 1:].split(":", 1)[0]
                return i, int(row) if row.isdigit() else 0
        return -1, 0

    return sorted(errors, key=key)


def _record_changes(cur, import_id: int, entity: str, changes: Iterable[tuple[str, str, object, object]]) -> None:
    rows = [(import_id, entity, key, fld, _text(old), _text(new)) for key, fld, old, new in changes]
    if rows:
        psycopg2.extras.execute_values(
            cur,
            "insert into registry.changes (import_id, entity, entity_key, field, old_value, new_value) values %s",
            rows,
        )


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def _sync(cur, *, table: str, entity: str, key_col: str, columns: tuple[str, ...], incoming: dict[str, dict],
          import_id: int, res: KindResult, rekey: dict[str, str] | None = None, has_extra: bool = True) -> None:
    """Make ``table`` hold ``incoming`` (key → column values), recording every change.

    ``has_extra``: the table has the ``extra`` (unknown columns) and ``updated_at`` columns.
    """
    cols = list(columns) + (["extra"] if has_extra else [])
    cur.execute(f"select {key_col}, {', '.join(cols)}, removed_at is not null from {table}")
    existing = {row[0]: (dict(zip(cols, row[1:-1])), row[-1]) for row in cur.fetchall()}
    changes: list[tuple[str, str, object, object]] = []

    for new_key, old_key in (rekey or {}).items():
        cur.execute(f"update {table} set {key_col} = %s where {key_col} = %s", (new_key, old_key))
        changes.append((new_key, key_col, old_key, new_key))
        existing[new_key] = existing.pop(old_key)

    to_insert = []
    for key, values in incoming.items():
        if key not in existing:
            to_insert.append((key, values))
            continue
        old, removed = existing[key]
        diff = [c for c in cols if old.get(c) != values.get(c)]
        if not diff and not removed and key not in (rekey or {}):
            res.unchanged += 1
            continue
        sets = ", ".join(f"{c} = %s" for c in diff)
        params = [psycopg2.extras.Json(values[c]) if c == "extra" else values[c] for c in diff]
        extra_sets = ", updated_at = now()" if has_extra else ""
        cur.execute(
            f"update {table} set {sets + ', ' if sets else ''}removed_at = null, last_import_id = %s{extra_sets} "
            f"where {key_col} = %s",
            params + [import_id, key],
        )
        if removed:
            changes.append((key, "restored", None, None))
        changes.extend((key, c, old.get(c), values.get(c)) for c in diff)
        res.updated += 1

    if to_insert:
        insert_cols = [key_col] + cols + ["first_import_id", "last_import_id"]
        rows = [
            tuple([key] + [psycopg2.extras.Json(v[c]) if c == "extra" else v[c] for c in cols] + [import_id, import_id])
            for key, v in to_insert
        ]
        psycopg2.extras.execute_values(cur, f"insert into {table} ({', '.join(insert_cols)}) values %s", rows)
        changes.extend((key, "created", None, None) for key, _ in to_insert)
        res.inserted += len(to_insert)

    gone = [k for k, (_, removed) in existing.items() if not removed and k not in incoming]
    if gone:
        cur.execute(
            f"update {table} set removed_at = now(), last_import_id = %s where {key_col} = any(%s)",
            (import_id, gone),
        )
        changes.extend((k, "removed", None, None) for k in gone)
        res.removed += len(gone)
    _record_changes(cur, import_id, entity, changes)


def _load_regions(cur, records: list[Record], import_id: int, res: KindResult) -> None:
    incoming = {r.values["region_code"]: {"name": r.values["name"]} for r in records}
    _sync(cur, table="registry.regions", entity="region", key_col="region_code", columns=("name",),
          incoming=incoming, import_id=import_id, res=res, has_extra=False)


def _load_sites(cur, records: list[Record], import_id: int, res: KindResult) -> None:
    incoming = {r.values["site_code"]: {**{c: r.values[c] for c in SITE_COLUMNS}, "extra": r.extra} for r in records}
    _sync(cur, table="registry.sites", entity="site", key_col="site_code", columns=SITE_COLUMNS,
          incoming=incoming, import_id=import_id, res=res)


def _load_accounts(cur, records: list[Record], import_id: int, res: KindResult) -> None:
    incoming = {
        account_identity(r.values): {**{c: r.values[c] for c in ACCOUNT_COLUMNS}, "extra": r.extra}
        for r in records
    }
    rekey = _match_changed_identities(cur, incoming)
    _sync(cur, table="registry.accounts", entity="account", key_col="identity_key", columns=ACCOUNT_COLUMNS,
          incoming=incoming, import_id=import_id, res=res, rekey=rekey)


def _match_changed_identities(cur, incoming: dict[str, dict]) -> dict[str, str]:
    """New identity key → existing key, for accounts whose 账号标识 or 采集地址 was filled in later."""
    cur.execute("select identity_key, platform, name, organizer, platform_account_id, feed_url from registry.accounts")
    existing = cur.fetchall()
    known = {row[0] for row in existing}
    by_feed: dict[tuple, str] = {}
    by_name: dict[tuple, str] = {}
    for key, platform, name, organizer, pid, feed in existing:
        if key in incoming:
            continue  # still claimed under its own key
        if pid is None and feed:
            by_feed.setdefault((platform, feed), key)
        if pid is None:
            by_name.setdefault((platform, organizer, name), key)
    rekey: dict[str, str] = {}
    taken: set[str] = set()
    for key, v in incoming.items():
        if key in known:
            continue
        old = by_feed.get((v["platform"], v["feed_url"])) if v.get("feed_url") else None
        old = old or by_name.get((v["platform"], v["organizer"], v["name"]))
        if old and old not in taken:
            rekey[key] = old
            taken.add(old)
    return rekey
