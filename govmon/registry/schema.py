"""The registry file columns (CONTRACT.md §1) and how each cell is checked.

Every problem is reported as ``file:row: field: reason`` in Chinese, naming the Chinese header,
so an operator can find the cell in the spreadsheet they keep.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from govmon.registry.reader import Table

# Province-level prefixes of 行政区划代码 (GB/T 2260).
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}
SITE_KINDS = {"政府门户网站": "政府门户网站", "部门网站": "部门网站", "portal": "政府门户网站", "department": "部门网站"}
STATUSES = {"运行": "运行", "临时关停": "临时关停", "关停": "关停",
            "running": "运行", "suspended": "临时关停", "closed": "关停"}
PLATFORMS = {
    "微信": "微信", "微博": "微博", "抖音": "抖音", "今日头条": "今日头条", "快手": "快手", "其他": "其他",
    "wechat": "微信", "weibo": "微博", "douyin": "抖音", "toutiao": "今日头条", "kuaishou": "快手", "other": "其他",
}

_WS = re.compile(r"[\s\u3000\u00a0\ufeff]+")
_SCI = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class Invalid(ValueError):
    """A cell's value is not acceptable; the message is the Chinese reason."""


def clean(value: str) -> str:
    return _WS.sub(" ", value or "").strip()


def _required(v: str) -> str:
    if not v:
        raise Invalid("必填项为空")
    return v


def _sci_hint(v: str) -> str:
    return "（疑似被 Excel 转成了科学计数法，请把该列设为文本格式）" if _SCI.match(v) else ""


def region_code(v: str) -> str:
    v = _required(v)
    if not re.fullmatch(r"\d{6}", v):
        raise Invalid(f"应为6位数字，实为“{v}”{_sci_hint(v)}")
    if v[:2] not in PROVINCES:
        raise Invalid(f"“{v}”的前两位不是有效的省级代码")
    return v


def site_code(v: str) -> str:
    v = _required(v)
    if re.fullmatch(r"(?i)bm\d{8}", v):
        return v.lower()
    if not re.fullmatch(r"\d{10}", v):
        raise Invalid(f"应为10位数字（前6位为行政区划代码）或 bm 加8位数字，实为“{v}”{_sci_hint(v)}")
    if v[:2] not in PROVINCES:
        raise Invalid(f"前6位“{v[:6]}”不是有效的行政区划代码")
    return v


def http_url(v: str) -> str:
    v = _required(v)
    parts = urllib.parse.urlsplit(v)
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid(f"须以 http:// 或 https:// 开头，实为“{v}”")
    if not parts.hostname or " " in v:
        raise Invalid(f"不是有效的网址：“{v}”")
    return v


def optional_url(v: str) -> str | None:
    return http_url(v) if v else None


def one_of(choices: dict[str, str], default: str | None) -> Callable[[str], str]:
    shown = "、".join(dict.fromkeys(choices.values()))

    def check(v: str) -> str:
        if not v:
            if default is None:
                raise Invalid("必填项为空")
            return default
        key = v if v in choices else v.lower()
        if key not in choices:
            raise Invalid(f"取值无效：应为 {shown} 之一，实为“{v}”")
        return choices[key]

    return check


def optional_text(v: str) -> str | None:
    return v or None


@dataclass(frozen=True)
class Field:
    key: str          # column in Postgres
    header: str       # Chinese header (what errors name)
    alias: str        # English alias accepted as header
    check: Callable[[str], object]
    required_column: bool


SITE_FIELDS = (
    Field("name", "网站名称", "name", _required, True),
    Field("site_code", "网站标识码", "site_code", site_code, True),
    Field("url", "首页网址", "url", http_url, True),
    Field("organizer", "主办单位", "organizer", _required, True),
    Field("region_code", "行政区划代码", "region_code", region_code, True),
    Field("kind", "网站类型", "kind", one_of(SITE_KINDS, "部门网站"), False),
    Field("status", "运行状态", "status", one_of(STATUSES, "运行"), False),
)

ACCOUNT_FIELDS = (
    Field("name", "账号名称", "name", _required, True),
    Field("platform", "平台", "platform", one_of(PLATFORMS, None), True),
    Field("account_type", "账号类型", "account_type", optional_text, False),
    Field("platform_account_id", "账号标识", "account_id", optional_text, False),
    Field("feed_url", "采集地址", "feed_url", optional_url, False),
    Field("organizer", "填报单位", "organizer", _required, True),
    Field("region_code", "行政区划代码", "region_code", region_code, True),
    Field("status", "运行状态", "status", one_of(STATUSES, "运行"), False),
)

REGION_FIELDS = (
    Field("region_code", "行政区划代码", "region_code", region_code, True),
    Field("name", "名称", "name", _required, True),
)

FIELDS = {"sites": SITE_FIELDS, "accounts": ACCOUNT_FIELDS, "regions": REGION_FIELDS}
KIND_LABEL = {"sites": "网站", "accounts": "账号", "regions": "行政区划"}


def _norm_header(h: str) -> str:
    return clean(h).rstrip("*＊").strip().lower()


@dataclass
class Record:
    row: int
    values: dict[str, object]
    extra: dict[str, str]


def parse_table(table: Table, kind: str) -> tuple[list[Record], list[str]]:
    """Check every cell of every row; return the good records and every problem found."""
    fields = FIELDS[kind]
    errors: list[str] = []
    lookup = {}
    for f in fields:
        lookup[_norm_header(f.header)] = f
        lookup[_norm_header(f.alias)] = f
    column_of: dict[str, int] = {}
    extra_cols: dict[int, str] = {}
    for idx, h in enumerate(table.headers):
        f = lookup.get(_norm_header(h))
        if f is None:
            if clean(h):
                extra_cols[idx] = clean(h)
            continue
        if f.key in column_of:
            errors.append(f"{table.path}:{table.header_row}: {f.header}: 列重复（第{column_of[f.key] + 1}列和第{idx + 1}列）")
            continue
        column_of[f.key] = idx
    for f in fields:
        if f.required_column and f.key not in column_of:
            errors.append(f"{table.path}:{table.header_row}: {f.header}: 缺少必填列（{KIND_LABEL[kind]}文件须有“{f.header}”列，或英文别名 {f.alias}）")
    if errors:
        return [], errors

    records: list[Record] = []
    for row, cells in table.rows:
        values: dict[str, object] = {}
        bad = False
        for f in fields:
            idx = column_of.get(f.key)
            raw = clean(cells[idx]) if idx is not None and idx < len(cells) else ""
            try:
                values[f.key] = f.check(raw)
            except Invalid as exc:
                errors.append(f"{table.path}:{row}: {f.header}: {exc}")
                bad = True
        extra = {name: clean(cells[i]) for i, name in extra_cols.items() if i < len(cells) and clean(cells[i])}
        if not bad:
            records.append(Record(row, values, extra))
    return records, errors
