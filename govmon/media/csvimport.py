"""Posts from a CSV (or XLSX) export, for platforms without a readable feed.

Columns (Chinese header or English alias; unknown columns are ignored):

| header | alias | rule |
|---|---|---|
| 平台 | platform | required: 微信, 微博, 抖音, 今日头条, 快手, 其他 |
| 账号标识 | account_id | the platform's id, as in the registry; else 账号名称 is used to find the account |
| 账号名称 | name | the registered name (finds the account when 账号标识 is empty) |
| 当前名称 | live_name | optional: the name the platform shows now (for 已改名) |
| 发布时间 | published_at | required: 2026-09-28 10:20, 2026/9/28, 2026年9月28日, RFC 822, ISO 8601 … (Beijing time) |
| 标题 | title | optional |
| 链接 | url | optional |
| 是否原创 | original | optional: 是/原创/1 or 否/转载/转发/0; empty = not shown |
| 作品标识 | post_id | optional: the platform's id of the post (else derived from 链接, or 标题 + 发布时间) |

The export is one observation per account: taken at ``exported_at`` (default: now), holding every
post published from ``since`` on (default: the oldest post in the file for that account). All or
nothing: every bad row is listed as ``file:row: field: reason`` and nothing is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from govmon.media.adapters import Adapter, ReadContext, normalize_name, stable_key
from govmon.media.dates import TZ, parse_feed_time
from govmon.media.http import Document
from govmon.media.model import Account, Observation, Post
from govmon.registry.reader import FileProblem, Table, _read_csv, read_table
from govmon.registry.schema import PLATFORMS, Field, Invalid, clean, one_of, optional_text

TRUE_WORDS = {"是", "原创", "1", "true", "yes", "y", "t"}
FALSE_WORDS = {"否", "转载", "转发", "非原创", "0", "false", "no", "n", "f"}


class PostsImportError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _time(v: str):
    if not v:
        raise Invalid("必填项为空")
    when = parse_feed_time(v)
    if when is None:
        raise Invalid(f"无法识别的时间“{v}”（可用 2026-09-28 10:20、2026/9/28、2026年9月28日 等格式）")
    return when


def _original(v: str):
    if not v:
        return None
    low = v.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise Invalid(f"取值无效：应为 是 或 否（原创/转载），实为“{v}”")


FIELDS = (
    Field("platform", "平台", "platform", one_of(PLATFORMS, None), True),
    Field("account_id", "账号标识", "account_id", optional_text, False),
    Field("name", "账号名称", "name", optional_text, False),
    Field("live_name", "当前名称", "live_name", optional_text, False),
    Field("published_at", "发布时间", "published_at", _time, True),
    Field("title", "标题", "title", optional_text, False),
    Field("url", "链接", "url", optional_text, False),
    Field("original", "是否原创", "original", _original, False),
    Field("post_id", "作品标识", "post_id", optional_text, False),
)
ACCOUNT_LESS = tuple(f for f in FIELDS if f.key not in ("platform",))  # a CSV served as one account's 采集地址


@dataclass
class Row:
    row: int
    values: dict


def _norm(h: str) -> str:
    return clean(h).rstrip("*＊").strip().lower()


def parse_rows(table: Table, fields=FIELDS) -> tuple[list[Row], list[str]]:
    errors: list[str] = []
    lookup = {}
    for f in fields:
        lookup[_norm(f.header)] = f
        lookup[_norm(f.alias)] = f
    column_of: dict[str, int] = {}
    for idx, h in enumerate(table.headers):
        f = lookup.get(_norm(h))
        if f is not None and f.key not in column_of:
            column_of[f.key] = idx
    for f in fields:
        if f.required_column and f.key not in column_of:
            errors.append(f"{table.path}:{table.header_row}: {f.header}: 缺少必填列（或英文别名 {f.alias}）")
    if errors:
        return [], errors
    rows = []
    for row, cells in table.rows:
        values, bad = {}, False
        for f in fields:
            idx = column_of.get(f.key)
            raw = clean(cells[idx]) if idx is not None and idx < len(cells) else ""
            try:
                values[f.key] = f.check(raw)
            except Invalid as exc:
                errors.append(f"{table.path}:{row}: {f.header}: {exc}")
                bad = True
        if not bad:
            rows.append(Row(row, values))
    return rows, errors


def row_post(values: dict) -> Post:
    when = values["published_at"]
    key = values.get("post_id") or values.get("url") or stable_key("csv", values.get("title"), when.at.isoformat())
    return Post(key=str(key), published_at=when.at, precision=when.precision, published_raw=None,
                original=values.get("original"), title=values.get("title"), url=values.get("url"))


def _moment(value: str | datetime | date | None, *, end_of_day: bool) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=TZ)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59) if end_of_day else time(0), tzinfo=TZ)
    when = parse_feed_time(str(value))
    if when is None:
        raise PostsImportError([f"无法识别的时间“{value}”"])
    if when.precision == "day" and end_of_day:
        return datetime.combine(when.local_date, time(23, 59, 59), tzinfo=TZ)
    return when.at


def observations_from_file(path: str, accounts: list[Account], *, exported_at=None, since=None) -> list[Observation]:
    """Read an export and match each row to an inspected account. Raises PostsImportError."""
    try:
        table = read_table(path, "posts")
    except FileProblem as exc:
        raise PostsImportError([str(exc)]) from None
    rows, errors = parse_rows(table)
    by_id = {(a.platform, a.platform_account_id): a for a in accounts if a.platform_account_id}
    by_name: dict[tuple[str, str], list[Account]] = {}
    for a in accounts:
        by_name.setdefault((a.platform, normalize_name(a.name)), []).append(a)
    grouped: dict[int, list[Row]] = {}
    for r in rows:
        v = r.values
        acct = by_id.get((v["platform"], v.get("account_id"))) if v.get("account_id") else None
        if acct is None and v.get("account_id"):
            errors.append(f"{path}:{r.row}: 账号标识: 受检名录中没有该账号（{v['platform']}，账号标识 {v['account_id']}）")
            continue
        if acct is None:
            if not v.get("name"):
                errors.append(f"{path}:{r.row}: 账号标识: 账号标识和账号名称至少填一项")
                continue
            found = by_name.get((v["platform"], normalize_name(v["name"])), [])
            if len(found) != 1:
                why = "受检名录中没有该账号" if not found else f"名录中有 {len(found)} 个同名账号，请填写账号标识"
                errors.append(f"{path}:{r.row}: 账号名称: {why}（{v['platform']}，{v['name']}）")
                continue
            acct = found[0]
        grouped.setdefault(acct.account_id, []).append(r)
    if errors:
        raise PostsImportError(errors)
    if not grouped:
        raise PostsImportError([f"{path}: 文件中没有发布记录"])
    at = _moment(exported_at, end_of_day=True) or datetime.now(TZ).replace(microsecond=0)
    since_at = _moment(since, end_of_day=False)
    accounts_by_id = {a.account_id: a for a in accounts}
    out = []
    for account_id, group in grouped.items():
        acct = accounts_by_id[account_id]
        obs = Observation(account_id=account_id, platform=acct.platform, status="ok", adapter="csv",
                          source_url=str(path), fetched_at=at, reference_at=at, account_exists=True)
        obs.posts = [row_post(r.values) for r in group]
        live = {r.values["live_name"] for r in group if r.values.get("live_name")}
        if len(live) == 1:
            obs.live_name, obs.name_source = live.pop(), "export"
        obs.finish_posts()
        if since_at is not None:
            obs.covers_from = since_at
        obs.evidence = {"file": str(path), "rows": [r.row for r in group][:50], "since": since_at.isoformat()
                        if since_at else None}
        out.append(obs)
    return out


class CsvAdapter(Adapter):
    """A CSV export served at an account's 采集地址 (every row is that account's post)."""

    kind = "csv"

    def recognizes(self, doc: Document) -> bool:
        if doc.json is not None or doc.body.lstrip()[:1] == b"<":
            return False
        first = doc.text.lstrip("\ufeff").split("\n", 1)[0]
        return ("发布时间" in first or "published_at" in first.lower()) and ("," in first or "\t" in first)

    async def read(self, doc: Document, ctx: ReadContext) -> None:
        obs = ctx.obs
        obs.adapter = "csv"
        try:
            table = _read_csv(doc.url, doc.text.encode("utf-8"))
        except FileProblem as exc:
            obs.status, obs.reason = "error", str(exc)
            return
        rows, errors = parse_rows(table, ACCOUNT_LESS)
        if errors:
            obs.note("；".join(errors[:5]))
        obs.posts.extend(row_post(r.values) for r in rows)
        live = {r.values["live_name"] for r in rows if r.values.get("live_name")}
        if len(live) == 1:
            obs.live_name, obs.name_source = live.pop(), "export"
        obs.account_exists = True
        obs.status = "ok" if obs.posts else "empty"
        if not obs.posts:
            obs.reason = "导出文件没有可读的发布记录"
