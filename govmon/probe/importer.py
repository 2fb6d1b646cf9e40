"""``govmon probe import FILE``: a probe log from another monitor (CONTRACT.md §2).

The file is CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16 tab-separated) or XLSX with the columns
``url`` or ``site_code`` (or both), ``ts``, ``ok``, ``status``, ``latency_ms``, ``error``; Chinese
headers are accepted too (首页网址, 网站标识码, 探测时间, 是否成功, 状态码, 响应时间, 错误信息).
A time without an offset is Beijing time.

All or nothing: every bad cell is listed as ``file:row: field: reason`` and nothing is written.
Rows whose site is not in the registry are skipped and counted (a vendor's log often covers more
sites than are inspected); a file in which no row matches is refused.

Idempotent: a probe already imported (same site, same time) is not loaded again, so importing the
same file twice, or overlapping exports, changes nothing. Each file's new rows form one round
(``import:<sha256>``) with no control probe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from govmon.probe.classify import classify_import
from govmon.probe.prober import ProbeResult
from govmon.probe.store import PROBE_COLUMNS, RoundRow, copy_probes, ensure_partitions, probes_csv, upsert_round

TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

HEADERS = {
    "url": ("url", "首页网址", "网址", "网站地址", "监测地址"),
    "site_code": ("site_code", "网站标识码", "标识码"),
    "ts": ("ts", "time", "timestamp", "时间", "探测时间", "监测时间"),
    "ok": ("ok", "是否成功", "是否可访问", "结果", "探测结果"),
    "status": ("status", "状态码", "http状态码"),
    "latency_ms": ("latency_ms", "响应时间", "响应时间（毫秒）", "响应时间(ms)", "耗时", "耗时（毫秒）"),
    "error": ("error", "错误", "错误信息", "错误类型", "失败原因"),
}
TRUE = {"1", "true", "t", "yes", "y", "ok", "是", "成功", "正常", "可访问"}
FALSE = {"0", "false", "f", "no", "n", "fail", "failed", "否", "失败", "异常", "不可访问", "无法访问"}


class ProbeImportError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ProbeImportResult:
    file: str
    rows: int
    inserted: int
    duplicates: int
    unmatched: int
    unmatched_examples: list[str] = field(default_factory=list)
    round_id: str | None = None
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    sites: int = 0
    failures: int = 0

    def summary(self) -> str:
        name = Path(self.file).name
        if self.inserted == 0:
            line = f"{name}：{self.rows} 行，无新记录（均已导入过，未作改动）"
        else:
            span = (f"{self.first_at.astimezone(TZ):%Y-%m-%d %H:%M} 至 {self.last_at.astimezone(TZ):%Y-%m-%d %H:%M}"
                    if self.first_at else "")
            line = (f"{name}：{self.rows} 行，新增 {self.inserted}（{self.sites} 个网站，{span}，其中失败 {self.failures}），"
                    f"已导入过 {self.duplicates}")
        if self.unmatched:
            line += f"；名录中没有的网站 {self.unmatched} 行未导入（如 {'、'.join(self.unmatched_examples)}）"
        return line


def _norm_header(h: str) -> str:
    return re.sub(r"[\s\u3000]+", "", (h or "").strip().lstrip("\ufeff")).lower()


def normalize_url(url: str) -> str:
    """Comparable form of a homepage URL: lower-case scheme and host, no default port, path '/'."""
    u = urllib.parse.urlsplit(url.strip())
    host = (u.hostname or "").lower()
    port = u.port
    netloc = host if port is None or (u.scheme.lower(), port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return urllib.parse.urlunsplit((u.scheme.lower(), netloc, u.path or "/", u.query, ""))


def parse_ts(value: str) -> dt.datetime:
    v = value.strip()
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)", v)
    if m:
        v = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d} {m[4]}".strip()
    v = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda g: f"{g[1]}-{int(g[2]):02d}-{int(g[3]):02d}", v)
    v = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T](\d):", r"\1 0\2:", v)  # 2026-09-23 9:05:00
    try:
        t = dt.datetime.fromisoformat(v)
    except ValueError:
        raise ValueError(f"无法识别的时间“{value}”（应如 2026-09-23 10:00:00 或 2026-09-23T10:00:00+08:00）") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=TZ)
    return t


def _parse_ok(value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"应为 1/0、true/false、是/否 或 成功/失败，实为“{value}”")


def _parse_int(value: str, lo: int, hi: int, what: str) -> int | None:
    v = value.strip()
    if not v:
        return None
    try:
        n = float(v)
    except ValueError:
        raise ValueError(f"应为{what}，实为“{value}”") from None
    if not lo <= n <= hi or n != n:
        raise ValueError(f"{what}超出范围（{lo}–{hi}）：“{value}”")
    return int(round(n))


def read_probe_log(path: str | Path, sites_by_code: dict[str, tuple[int, str]],
                   sites_by_url: dict[str, tuple[int, str]]) -> tuple[list[ProbeResult], list[str], int, list[str]]:
    """(rows matched to a site, problems, unmatched row count, unmatched examples)."""
    from govmon.registry.reader import FileProblem, read_table

    try:
        table = read_table(path, "probes")
    except FileProblem as exc:
        raise ProbeImportError([str(exc)]) from None
    name = Path(path).name
    columns: dict[str, int] = {}
    shown: dict[str, str] = {}
    aliases = {_norm_header(a): key for key, names in HEADERS.items() for a in names}
    for i, h in enumerate(table.headers):
        key = aliases.get(_norm_header(h))
        if key and key not in columns:
            columns[key] = i
            shown[key] = h.strip()
    problems = []
    missing = [k for k in ("ts", "ok") if k not in columns]
    if "url" not in columns and "site_code" not in columns:
        missing.insert(0, "url 或 site_code")
    if missing:
        raise ProbeImportError([f"{name}:{table.header_row}: 表头: 缺少列 {'、'.join(missing)}"
                                f"（应有 url 或 site_code、ts、ok、status、latency_ms、error）"])

    def cell(rec: list[str], key: str) -> str:
        i = columns.get(key)
        return (rec[i] if i is not None and i < len(rec) else "").strip()

    rows: list[ProbeResult] = []
    unmatched = 0
    examples: list[str] = []
    for rowno, rec in table.rows:
        bad = []
        parsed = {}
        for key, fn in (("ts", parse_ts), ("ok", _parse_ok),
                        ("status", lambda v: _parse_int(v, 100, 599, "HTTP 状态码")),
                        ("latency_ms", lambda v: _parse_int(v, 0, 86_400_000, "毫秒数"))):
            raw = cell(rec, key)
            if key in ("ts", "ok") and not raw:
                bad.append(f"{name}:{rowno}: {shown[key]}: 必填项为空")
                continue
            try:
                parsed[key] = fn(raw)
            except ValueError as exc:
                bad.append(f"{name}:{rowno}: {shown.get(key, key)}: {exc}")
        url, code = cell(rec, "url"), cell(rec, "site_code")
        if not url and not code:
            bad.append(f"{name}:{rowno}: {shown.get('url') or shown.get('site_code')}: 必填项为空（url 或 site_code）")
        elif url and not re.match(r"(?i)^https?://[^/\s]+", url):
            bad.append(f"{name}:{rowno}: {shown['url']}: 应为 http:// 或 https:// 网址，实为“{url}”")
        if not bad and parsed["ok"] and parsed.get("status") is not None and parsed["status"] >= 400:
            bad.append(f"{name}:{rowno}: {shown['ok']}: 标为成功，但状态码为 {parsed['status']}，前后矛盾")
        if bad:
            problems.extend(bad)
            continue
        site = sites_by_code.get(code) if code else None
        if site is None and url:
            site = sites_by_url.get(normalize_url(url))
        if site is None:
            unmatched += 1
            ident = code or url
            if ident not in examples and len(examples) < 5:
                examples.append(ident)
            continue
        site_id, registry_url = site
        error = cell(rec, "error")
        error_class = classify_import(parsed["ok"], parsed.get("status"), error)
        rows.append(ProbeResult(site_id=site_id, url=url or registry_url, probed_at=parsed["ts"], ok=parsed["ok"],
                                status_code=parsed.get("status"), latency_ms=parsed.get("latency_ms"), bytes=None,
                                final_url=None, redirects=None, error_class=error_class,
                                error_detail=(error or (f"HTTP {parsed['status']}" if parsed.get("status") else None))
                                if error_class else None, body_sha256=None))
    return rows, problems, unmatched, examples


def import_probe_log(path: str | Path, url: str | None = None) -> ProbeImportResult:
    from govmon import db

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProbeImportError([f"{path}: 无法读取文件（{exc.strerror or exc}）"]) from None
    sha = hashlib.sha256(data).hexdigest()
    round_id = f"import:{sha[:24]}"
    with db.transaction(url) as cur:
        cur.execute("select site_code, site_id, url from registry.sites")
        by_code, by_url = {}, {}
        for code, site_id, site_url in cur.fetchall():
            by_code[code] = (site_id, site_url)
            by_url.setdefault(normalize_url(site_url), (site_id, site_url))
        rows, problems, unmatched, examples = read_probe_log(path, by_code, by_url)
        if problems:
            raise ProbeImportError(problems)
        n_rows = len(rows) + unmatched
        if n_rows and not rows:
            raise ProbeImportError([f"{path.name}: 文件中的 {unmatched} 行均不是名录中的网站"
                                    f"（如 {'、'.join(examples)}），未导入；请先导入名录或核对网址/网站标识码"])
        # the same probe twice in the file: keep the first
        seen, unique = set(), []
        for r in rows:
            key = (r.site_id, r.probed_at)
            if key not in seen:
                seen.add(key)
                unique.append(r)
        result = ProbeImportResult(file=str(path), rows=n_rows, inserted=0, duplicates=len(rows) - len(unique),
                                   unmatched=unmatched, unmatched_examples=examples, round_id=round_id)
        if not unique:
            return result
        cur.execute("create temp table probe_import (like raw.probe__probes) on commit drop")
        copy_probes(cur, "probe_import", probes_csv(round_id, unique))
        ensure_partitions(cur, [min(r.probed_at for r in unique), max(r.probed_at for r in unique)])
        cols = ", ".join(PROBE_COLUMNS)
        cur.execute(
            f"""
            with new as (
                insert into raw.probe__probes ({cols})
                select {cols} from probe_import as t
                where not exists (
                    select 1 from raw.probe__probes as p
                    join raw.probe__rounds as r on r.round_id = p.round_id and r.source = 'import'
                    where p.site_id = t.site_id and p.probed_at = t.probed_at)
                returning site_id, probed_at, ok, error_class
            )
            select count(*), count(distinct site_id), min(probed_at), max(probed_at),
                   count(*) filter (where not ok and error_class is distinct from 'blocked'),
                   count(*) filter (where ok), count(*) filter (where error_class = 'blocked')
            from new
            """
        )
        inserted, sites, first_at, last_at, failures, ok, blocked = cur.fetchone()
        result.inserted, result.duplicates = inserted, result.duplicates + len(unique) - inserted
        result.sites, result.first_at, result.last_at, result.failures = sites, first_at, last_at, failures
        if inserted == 0:
            return result
        upsert_round(cur, RoundRow(round_id=round_id, source="import", started_at=first_at, finished_at=last_at,
                                   sites=sites, ok_count=ok, fail_count=failures, blocked_count=blocked,
                                   file_name=path.name))
        cur.execute(
            """
            insert into raw.probe__imports (round_id, file_name, file_sha256, row_count, inserted, duplicates, unmatched)
            values (%s, %s, %s, %s, %s, %s, %s)
            """,
            (round_id, path.name, sha, n_rows, inserted, result.duplicates, unmatched),
        )
    return result
