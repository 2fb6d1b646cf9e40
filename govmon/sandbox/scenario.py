"""The scenario file: a simulated prefecture's government web, as YAML.

``load_scenario(path)`` reads and validates a scenario and returns a :class:`Scenario` with every
default filled in and every address assigned. Errors are :class:`ScenarioError` and name the key
path (``sites[3].columns[1].last_days_ago: ...``). The schema is documented in
``govmon/sandbox/README.md``.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from govmon.sandbox import dates
from govmon.sandbox.faults import FaultError, normalize_account_faults, normalize_site_faults

TEMPLATES = ("trs", "hanweb", "jiangxi")
SITE_KINDS = ("政府门户网站", "部门网站")
STATUSES = ("运行", "临时关停", "关停")
PLATFORMS = ("微信", "微博", "抖音", "今日头条", "快手", "其他")
COLUMN_TYPES = ("dynamic_news", "notice", "policy", "personnel", "plan", "other")
ENCODINGS = ("utf-8", "gbk")
VERDICTS = ("合格", "不合格", "无法判定", "待审核")
PROBLEMS = ("监测时间点无法访问", "首页不更新", "空白栏目超过5个", "多个栏目更新不及时", "错链断链多", "互动回应差",
            "14天未更新", "3个月无原创", "未提供有效互动功能", "已改名（新名）系统中未改名", "搜索不到")
RENAMED_RE = re.compile(r"^已改名（.+）系统中未改名$")
VETO_RE = re.compile(r"^[WM]-V\d$")
ENDPOINTS = ("weibo", "wechat_profile", "wechat_publish", "rss", "atom", "json")
DEFAULT_ENDPOINT = {"微博": "weibo", "微信": "wechat_profile"}
DEFAULT_ACCOUNT_TYPE = {"微信": "订阅号", "微博": "新浪微博", "抖音": "抖音短视频", "今日头条": "头条号",
                        "快手": "快手短视频", "其他": "其他"}
DEFAULT_PLATFORM_ADDRESSES = {"weibo": "127.20.0.1", "wechat": "127.20.0.2", "rss": "127.20.0.3"}
CONTROL_ADDRESS = "127.0.0.1"
UNBOUND_PREFIX = "127.30.0."  # outbound broken links point here; nothing ever binds it
SITE_NET = ipaddress.ip_network("127.10.0.0/16")

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
COL_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SITE_CODE_RE = re.compile(r"^(\d{10}|bm\d{8})$")
REGION_RE = re.compile(r"^\d{6}$")


class ScenarioError(ValueError):
    """A scenario is invalid; the message starts with the key path."""


_MISSING = object()


class _Map:
    """Reads a mapping, tracking the key path and refusing unknown keys."""

    def __init__(self, data, path: str):
        if not isinstance(data, dict):
            raise ScenarioError(f"{path or '<top>'}: expected a mapping, got {type(data).__name__}")
        self.data, self.path, self.used = data, path, set()

    def p(self, key) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def raw(self, key, default=_MISSING):
        self.used.add(key)
        if key in self.data and self.data[key] is not None:
            return self.data[key]
        if default is _MISSING:
            raise ScenarioError(f"{self.p(key)}: required")
        return default

    def has(self, key) -> bool:
        return key in self.data and self.data[key] is not None

    def str(self, key, default=_MISSING, choices=None, pattern=None) -> str:
        v = self.raw(key, default)
        if v is default and default is not _MISSING:
            return v
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise ScenarioError(f"{self.p(key)}: expected a string, got {v!r}")
        v = str(v).strip()
        if not v:
            raise ScenarioError(f"{self.p(key)}: must not be empty")
        if choices and v not in choices:
            raise ScenarioError(f"{self.p(key)}: {v!r} is not one of {', '.join(choices)}")
        if pattern and not pattern.match(v):
            raise ScenarioError(f"{self.p(key)}: {v!r} does not match {pattern.pattern}")
        return v

    def int(self, key, default=_MISSING, lo=None, hi=None) -> int:
        v = self.raw(key, default)
        if v is default and default is not _MISSING:
            return v
        if isinstance(v, bool) or not isinstance(v, int):
            raise ScenarioError(f"{self.p(key)}: expected an integer, got {v!r}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ScenarioError(f"{self.p(key)}: {v} out of range [{lo}, {hi}]")
        return v

    def num(self, key, default=_MISSING, lo=None, hi=None) -> float:
        v = self.raw(key, default)
        if v is default and default is not _MISSING:
            return v
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ScenarioError(f"{self.p(key)}: expected a number, got {v!r}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ScenarioError(f"{self.p(key)}: {v} out of range [{lo}, {hi}]")
        return float(v)

    def age(self, key, default=_MISSING):
        v = self.raw(key, default)
        if v is default and default is not _MISSING:
            return v
        try:
            return dates.parse_age_days(v)
        except ValueError as e:
            raise ScenarioError(f"{self.p(key)}: {e}") from None

    def bool(self, key, default=_MISSING) -> bool:
        v = self.raw(key, default)
        if not isinstance(v, bool):
            raise ScenarioError(f"{self.p(key)}: expected true or false, got {v!r}")
        return v

    def list(self, key, default=_MISSING) -> list:
        v = self.raw(key, default)
        if v is default and default is not _MISSING:
            return v
        if not isinstance(v, list):
            raise ScenarioError(f"{self.p(key)}: expected a list, got {type(v).__name__}")
        return v

    def map(self, key) -> "_Map":
        v = self.raw(key, {})
        return _Map(v, self.p(key))

    def done(self):
        unknown = [k for k in self.data if k not in self.used]
        if unknown:
            raise ScenarioError(f"{self.p(unknown[0])}: unknown key")


# --------------------------------------------------------------------------------------------
# dataclasses


@dataclass
class Expect:
    verdict: str
    vetoes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "vetoes": list(self.vetoes), "problems": list(self.problems)}


@dataclass
class ColumnSpec:
    key: str
    name: str
    type: str = "other"
    level: int = 1
    parent: str | None = None
    last_days_ago: float = 1.0
    interval_days: float = 3.0
    count: int = 30
    blank: bool = False
    undated: bool = False
    date_format: str | None = None
    pubdate_meta: bool | None = None
    on_homepage: bool = False
    trap: bool = False
    colno: int = 0

    @property
    def item_count(self) -> int:
        return 0 if self.blank else self.count


@dataclass
class HomepageSpec:
    last_update_days_ago: float | None = None
    navigation_only: bool = False
    items_per_block: int = 7
    date_format: str | None = None


@dataclass
class LetterSpec:
    asked_days_ago: float
    reply_after_days: float | None


@dataclass
class LettersSpec:
    enabled: bool = True
    name: str = "领导信箱"
    count: int = 24
    first_days_ago: float = 2.0
    interval_days: float = 9.0
    reply_after_days: float | None = 6.0
    extra: list[LetterSpec] = field(default_factory=list)
    page_size: int = 15

    def all(self) -> list[LetterSpec]:
        """Every letter, newest first."""
        if not self.enabled:
            return []
        out = [LetterSpec(self.first_days_ago + i * self.interval_days, self.reply_after_days)
               for i in range(self.count)]
        out.extend(self.extra)
        out.sort(key=lambda l: l.asked_days_ago)
        return out


@dataclass
class SiteSpec:
    key: str
    name: str
    site_code: str
    organizer: str
    region_code: str
    kind: str
    status: str
    template: str
    address: str
    index: int
    domain: str
    sitepath: str
    encoding: str = "utf-8"
    declared_charset: str | None = "auto"
    header_charset: str | None = None
    date_format: str = "YYYY-MM-DD"
    page_size: int = 15
    pubdate_meta: bool = True
    columns: list[ColumnSpec] = field(default_factory=list)
    homepage: HomepageSpec = field(default_factory=HomepageSpec)
    letters: LettersSpec = field(default_factory=LettersSpec)
    footer: dict = field(default_factory=dict)
    faults: dict = field(default_factory=dict)
    expect: Expect | None = None

    def column(self, key: str) -> ColumnSpec | None:
        for c in self.columns:
            if c.key == key:
                return c
        return None

    @property
    def declared(self) -> str | None:
        """The charset the page declares (None: no declaration)."""
        if self.declared_charset == "auto":
            return "gbk" if self.encoding == "gbk" else "utf-8"
        return self.declared_charset


@dataclass
class PostsSpec:
    last_days_ago: float = 1.0
    interval_days: float = 1.0
    count: int = 30
    original: float = 0.8
    ages: list[float] | None = None

    def age_list(self) -> list[float]:
        if self.ages is not None:
            return sorted(self.ages)
        return [self.last_days_ago + i * self.interval_days for i in range(self.count)]

    def newest_age(self) -> float | None:
        ages = self.age_list()
        return ages[0] if ages else None


@dataclass
class AccountSpec:
    key: str
    name: str
    live_name: str
    platform: str
    account_type: str
    account_id: str
    organizer: str
    region_code: str
    status: str
    endpoint: str
    index: int
    created_at_style: str = "relative"
    feed_date_format: str = "rfc822"
    feed_encoding: str = "utf-8"
    msglist: str = "object"
    posts: PostsSpec = field(default_factory=PostsSpec)
    comments_open: bool = True
    menu: list[str] = field(default_factory=list)
    verified: bool = True
    followers: int = 1000
    faults: dict = field(default_factory=dict)
    expect: Expect | None = None

    @property
    def renamed(self) -> bool:
        return self.live_name != self.name

    @property
    def interaction_offered(self) -> bool:
        return self.comments_open or bool(self.menu)

    @property
    def platform_family(self) -> str:
        """Which sandbox host serves the account's native endpoint."""
        return {"微博": "weibo", "微信": "wechat"}.get(self.platform, "rss")


@dataclass
class Scenario:
    name: str
    anchor_spec: datetime | None  # None = "now", resolved when the server starts
    seed: int
    regions: list[tuple[str, str]]
    sites: list[SiteSpec]
    accounts: list[AccountSpec]
    platform_addresses: dict[str, str]
    description: str = ""
    path: str | None = None

    def resolve_anchor(self, now: datetime | None = None) -> datetime:
        if self.anchor_spec is not None:
            return self.anchor_spec
        return (now or dates.now_anchor()).astimezone(dates.TZ).replace(microsecond=0)

    def site(self, key: str) -> SiteSpec:
        for s in self.sites:
            if s.key == key:
                return s
        raise KeyError(key)

    def account(self, key: str) -> AccountSpec:
        for a in self.accounts:
            if a.key == key:
                return a
        raise KeyError(key)


# --------------------------------------------------------------------------------------------
# defaults

# (key, name, type, last_days_ago, interval_days, count, on_homepage)
PORTAL_COLUMNS = [
    ("zwyw", "政务要闻", "dynamic_news", 0, 1, 45, True),
    ("bmdt", "部门动态", "dynamic_news", 1, 2, 40, True),
    ("tzgg", "通知公告", "notice", 2, 5, 36, True),
    ("zcwj", "政策文件", "policy", 5, 14, 30, True),
    ("rsxx", "人事信息", "personnel", 12, 30, 12, False),
    ("ghjh", "规划计划", "plan", 40, 90, 8, False),
    ("jggk", "机构概况", "other", 90, 180, 3, False),
]
DEPARTMENT_COLUMNS = [
    ("gzdt", "工作动态", "dynamic_news", 1, 2, 40, True),
    ("tzgg", "通知公告", "notice", 3, 7, 30, True),
    ("zcwj", "政策文件", "policy", 8, 20, 24, True),
    ("rsxx", "人事信息", "personnel", 20, 45, 10, False),
    ("ghjh", "规划计划", "plan", 50, 120, 6, False),
    ("jgzn", "机构职能", "other", 100, 200, 3, False),
]

SITE_DEFAULT_PAGE_SIZE = {"trs": 15, "hanweb": 20, "jiangxi": 15}


def _stable_int(*parts) -> int:
    h = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8)
    return int.from_bytes(h.digest(), "big")


def default_account_id(platform: str, key: str) -> str:
    n = _stable_int("account-id", platform, key)
    if platform == "微博":
        return str(1_000_000_000 + n % 8_999_999_999)[:10]
    if platform == "微信":
        return base64.b64encode(str(3_000_000_000 + n % 999_999_999).encode()).decode()
    if platform in ("抖音", "快手"):
        raw = hashlib.sha256(f"sec_uid|{key}".encode()).digest()
        return "MS4wLjABAAAA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")[:43]
    return str(50_000_000_000 + n % 49_999_999_999)


def site_address(i: int) -> str:
    """The i-th default site address (from 0): 127.10.0.1, …, 127.10.0.254, 127.10.1.1, …"""
    if i >= 256 * 254:
        raise ScenarioError(f"sites: too many sites ({i + 1}); at most {256 * 254} fit in 127.10.0.0/16")
    return f"127.10.{i // 254}.{i % 254 + 1}"


def _check_address(path: str, value: str) -> str:
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        raise ScenarioError(f"{path}: {value!r} is not an IPv4 address") from None
    if ip.version != 4 or not ip.is_loopback:
        raise ScenarioError(f"{path}: {value} is not a loopback address (127.0.0.0/8)")
    if str(ip) == CONTROL_ADDRESS or str(ip).startswith(UNBOUND_PREFIX) or str(ip) in ("127.0.0.0", "127.255.255.255"):
        raise ScenarioError(f"{path}: {value} is reserved (control 127.0.0.1, unbound 127.30.0.0/24)")
    return str(ip)


# --------------------------------------------------------------------------------------------
# parsing


def _parse_expect(m: _Map | None, path: str) -> Expect | None:
    if m is None:
        return None
    verdict = m.str("verdict", choices=VERDICTS)
    vetoes = m.list("vetoes", [])
    for i, v in enumerate(vetoes):
        if not isinstance(v, str) or not VETO_RE.match(v):
            raise ScenarioError(f"{m.p('vetoes')}[{i}]: {v!r} is not a veto id like W-V2 or M-V2")
    problems = m.list("problems", [])
    for i, pr in enumerate(problems):
        if not isinstance(pr, str) or not (pr in PROBLEMS or RENAMED_RE.match(pr)):
            raise ScenarioError(f"{m.p('problems')}[{i}]: {pr!r} is not a known problem wording "
                                f"({', '.join(PROBLEMS)})")
    m.done()
    return Expect(verdict, list(vetoes), list(problems))


def _date_format(m: _Map, key: str, default):
    if not m.has(key):
        m.used.add(key)
        return default
    v = m.str(key)
    canon = dates.canonical_date_format(v)
    if canon is None:
        raise ScenarioError(f"{m.p(key)}: {v!r} is not one of {', '.join(dates.DATE_FORMATS)}")
    return canon


def _parse_column(m: _Map, colno: int) -> ColumnSpec:
    c = ColumnSpec(
        key=m.str("key", pattern=COL_KEY_RE),
        name=m.str("name"),
        type=m.str("type", "other", choices=COLUMN_TYPES),
        level=m.int("level", 1, 1, 3),
        parent=m.str("parent", None),
        last_days_ago=m.age("last_days_ago", 1.0),
        interval_days=m.age("interval_days", 3.0),
        count=m.int("count", 30, 0, 9999),
        blank=m.bool("blank", False),
        undated=m.bool("undated", False),
        date_format=_date_format(m, "date_format", None),
        pubdate_meta=m.bool("pubdate_meta", None) if m.has("pubdate_meta") else m.raw("pubdate_meta", None),
        on_homepage=m.bool("on_homepage", False) if m.has("on_homepage") else None,
        trap=m.bool("trap", False),
        colno=colno,
    )
    if c.interval_days <= 0:
        raise ScenarioError(f"{m.p('interval_days')}: must be positive")
    if c.on_homepage is None:
        c.on_homepage = c.type in ("dynamic_news", "notice", "policy") and c.level == 1
    if c.count == 0:
        c.blank = True
    m.done()
    return c


def _default_columns(kind: str) -> list[ColumnSpec]:
    table = PORTAL_COLUMNS if kind == "政府门户网站" else DEPARTMENT_COLUMNS
    return [ColumnSpec(key=k, name=n, type=t, last_days_ago=float(last), interval_days=float(iv), count=cnt,
                       on_homepage=home, colno=i)
            for i, (k, n, t, last, iv, cnt, home) in enumerate(table)]


def _parse_letters(v, path: str) -> LettersSpec:
    if v is False:
        return LettersSpec(enabled=False, count=0)
    m = _Map(v if v is not None else {}, path)
    spec = LettersSpec(
        enabled=m.bool("enabled", True),
        name=m.str("name", "领导信箱"),
        count=m.int("count", 24, 0, 5000),
        first_days_ago=m.age("first_days_ago", 2.0),
        interval_days=m.age("interval_days", 9.0),
        reply_after_days=None,
        page_size=m.int("page_size", 15, 1, 200),
    )
    if "reply_after_days" in m.data and m.data["reply_after_days"] is None:
        m.used.add("reply_after_days")
        spec.reply_after_days = None
    else:
        spec.reply_after_days = m.age("reply_after_days", 6.0)
    for i, item in enumerate(m.list("items", [])):
        im = _Map(item, f"{m.p('items')}[{i}]")
        asked = im.age("asked_days_ago")
        if "reply_after_days" not in im.data:
            raise ScenarioError(f"{im.p('reply_after_days')}: required (null = unanswered)")
        im.used.add("reply_after_days")
        reply = None if im.data["reply_after_days"] is None else im.age("reply_after_days")
        im.done()
        spec.extra.append(LetterSpec(asked, reply))
    if spec.interval_days <= 0:
        raise ScenarioError(f"{m.p('interval_days')}: must be positive")
    m.done()
    return spec


_PROVINCE_ABBR = {"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
                  "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
                  "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵",
                  "53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新"}


def default_footer(key: str, region_code: str) -> dict:
    abbr = _PROVINCE_ABBR.get(region_code[:2], "赣")
    n = _stable_int("footer", key)
    return {
        "icp": f"{abbr}ICP备{6_000_000 + n % 3_999_999:08d}号",
        "police": f"{abbr}公网安备 {region_code}{2:02d}{n % 1_000_000:06d}号",
    }


def _default_sitepath(key: str, n: int) -> str:
    base = re.sub(r"[^a-z0-9]", "", key.lower())[:24]
    if not base or not base[0].isalpha():
        base = "s" + base
    return f"{base}{n % 100:02d}"


def _parse_site(raw, path: str, index: int, defaults: dict) -> SiteSpec:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: expected a mapping, got {type(raw).__name__}")
    merged = {**defaults, **raw}
    m = _Map(merged, path)
    key = m.str("key", pattern=KEY_RE)
    kind = m.str("kind", "部门网站", choices=SITE_KINDS)
    template = m.str("template", "trs", choices=TEMPLATES)
    region = m.str("region_code", pattern=REGION_RE)
    site_code = m.str("site_code", pattern=SITE_CODE_RE)
    encoding = m.str("encoding", "utf-8").lower()
    if encoding in ("utf8",):
        encoding = "utf-8"
    if encoding not in ENCODINGS:
        raise ScenarioError(f"{m.p('encoding')}: {encoding!r} is not one of {', '.join(ENCODINGS)}")
    declared = m.raw("declared_charset", "auto")
    if declared in (False, "none", "None"):
        declared = None
    elif not isinstance(declared, str):
        raise ScenarioError(f"{m.p('declared_charset')}: expected a charset name, 'auto' or 'none'")
    header = m.raw("header_charset", None)
    if header is True:
        header = encoding
    elif header in (False, "none"):
        header = None
    elif header is not None and not isinstance(header, str):
        raise ScenarioError(f"{m.p('header_charset')}: expected true/false or a charset name")
    site_fmt = _date_format(m, "date_format", "YYYY-MM-DD")
    try:
        faults = normalize_site_faults(m.raw("faults", {}), m.p("faults"))
    except FaultError as e:
        raise ScenarioError(str(e)) from None

    if m.has("columns"):
        cols = []
        seen = set()
        for i, c in enumerate(m.list("columns")):
            col = _parse_column(_Map(c, f"{m.p('columns')}[{i}]"), i)
            if col.key in seen:
                raise ScenarioError(f"{m.p('columns')}[{i}].key: duplicate column key {col.key!r}")
            seen.add(col.key)
            cols.append(col)
        for i, col in enumerate(cols):
            if col.parent is not None and col.parent not in seen:
                raise ScenarioError(f"{m.p('columns')}[{i}].parent: no column {col.parent!r}")
    else:
        cols = _default_columns(kind)
        m.used.add("columns")
    # per-column overrides on top of the defaults: {colkey: {last_days_ago: 30}}
    overrides = m.raw("column_overrides", {})
    if not isinstance(overrides, dict):
        raise ScenarioError(f"{m.p('column_overrides')}: expected a mapping of column key to settings")
    for ck, ov in overrides.items():
        col = next((c for c in cols if c.key == ck), None)
        op = f"{m.p('column_overrides')}.{ck}"
        if col is None:
            raise ScenarioError(f"{op}: no column {ck!r}")
        merged_col = {k: getattr(col, k) for k in ("key", "name", "type", "level", "parent", "last_days_ago",
                                                  "interval_days", "count", "blank", "undated", "trap",
                                                  "on_homepage")}
        if col.date_format:
            merged_col["date_format"] = col.date_format
        if col.pubdate_meta is not None:
            merged_col["pubdate_meta"] = col.pubdate_meta
        if not isinstance(ov, dict):
            raise ScenarioError(f"{op}: expected a mapping")
        if "key" in ov:
            raise ScenarioError(f"{op}.key: cannot be overridden")
        merged_col.update(ov)
        merged_col = {k: v for k, v in merged_col.items() if v is not None}
        cols[cols.index(col)] = _parse_column(_Map(merged_col, op), col.colno)
    for col in cols:
        if col.key in ("ldxx", "calendar", "hdjl"):
            raise ScenarioError(f"{m.p('columns')}: column key {col.key!r} is reserved")

    hm = m.map("homepage")
    homepage = HomepageSpec(
        last_update_days_ago=hm.age("last_update_days_ago", None),
        navigation_only=hm.bool("navigation_only", False),
        items_per_block=hm.int("items_per_block", 7, 1, 50),
        date_format=_date_format(hm, "date_format", None),
    )
    hm.done()
    if homepage.date_format is None:
        homepage.date_format = "MM-DD" if template == "jiangxi" and not m.has("date_format") else site_fmt

    fm = m.map("footer")
    footer = default_footer(key, region)
    for fk in ("organizer", "site_code", "icp", "police", "name"):
        if fm.has(fk):
            footer[fk] = fm.str(fk)
    fm.done()

    expect = _parse_expect(m.map("expect"), m.p("expect")) if m.has("expect") else None
    m.used.add("expect")

    n = _stable_int("sitepath", key)
    spec = SiteSpec(
        key=key,
        name=m.str("name"),
        site_code=site_code,
        organizer=m.str("organizer"),
        region_code=region,
        kind=kind,
        status=m.str("status", "运行", choices=STATUSES),
        template=template,
        address=_check_address(m.p("address"), m.str("address")) if m.has("address") else "",
        index=index,
        domain=m.str("domain", f"www.{key.replace('_', '-').lower()}.gov.cn"),
        sitepath=m.str("sitepath", _default_sitepath(key, n), pattern=re.compile(r"^[a-z][a-z0-9]{1,31}$")),
        encoding=encoding,
        declared_charset=declared,
        header_charset=header,
        date_format=site_fmt,
        page_size=m.int("page_size", SITE_DEFAULT_PAGE_SIZE[template], 1, 200),
        pubdate_meta=m.bool("pubdate_meta", True),
        columns=cols,
        homepage=homepage,
        letters=_parse_letters(m.raw("letters", None), m.p("letters")),
        footer=footer,
        faults=faults,
        expect=expect,
    )
    m.used.add("address")
    m.done()
    return spec


def _parse_posts(m: _Map) -> PostsSpec:
    p = PostsSpec(
        last_days_ago=m.age("last_days_ago", 1.0),
        interval_days=m.age("interval_days", 1.0),
        count=m.int("count", 30, 0, 5000),
    )
    orig = m.raw("original", 0.8)
    if orig == "original_only":
        p.original = 1.0
    elif orig == "repost_only":
        p.original = 0.0
    elif isinstance(orig, (int, float)) and not isinstance(orig, bool) and 0 <= orig <= 1:
        p.original = float(orig)
    else:
        raise ScenarioError(f"{m.p('original')}: expected a share between 0 and 1, original_only or repost_only")
    if m.has("ages"):
        ages = []
        for i, a in enumerate(m.list("ages")):
            try:
                ages.append(dates.parse_age_days(a))
            except ValueError as e:
                raise ScenarioError(f"{m.p('ages')}[{i}]: {e}") from None
        p.ages = ages
    if p.interval_days <= 0:
        raise ScenarioError(f"{m.p('interval_days')}: must be positive")
    m.done()
    return p


def _parse_account(raw, path: str, index: int, defaults: dict) -> AccountSpec:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: expected a mapping, got {type(raw).__name__}")
    m = _Map({**defaults, **raw}, path)
    key = m.str("key", pattern=KEY_RE)
    platform = m.str("platform", choices=PLATFORMS)
    name = m.str("name")
    endpoint = m.str("endpoint", DEFAULT_ENDPOINT.get(platform, "rss"), choices=ENDPOINTS)
    if endpoint == "weibo" and platform != "微博":
        raise ScenarioError(f"{m.p('endpoint')}: 'weibo' is only for 微博 accounts")
    if endpoint.startswith("wechat") and platform != "微信":
        raise ScenarioError(f"{m.p('endpoint')}: {endpoint!r} is only for 微信 accounts")
    feed = m.map("feed")
    feed_fmt = feed.str("date_format", "rfc822", choices=dates.FEED_DATE_FORMATS)
    feed_enc = feed.str("encoding", "utf-8", choices=("utf-8", "gb2312"))
    feed.done()
    im = m.map("interaction")
    comments_open = im.bool("comments_open", True)
    menu = im.list("menu", ["互动留言"] if platform == "微信" else [])
    for i, it in enumerate(menu):
        if not isinstance(it, str):
            raise ScenarioError(f"{im.p('menu')}[{i}]: expected a string")
    im.done()
    try:
        faults = normalize_account_faults(m.raw("faults", {}), m.p("faults"))
    except FaultError as e:
        raise ScenarioError(str(e)) from None
    account_id = m.str("account_id", None) or default_account_id(platform, key)
    if platform == "微博" and not account_id.isdigit():
        raise ScenarioError(f"{m.p('account_id')}: a Weibo uid is numeric, got {account_id!r}")
    expect = _parse_expect(m.map("expect"), m.p("expect")) if m.has("expect") else None
    m.used.add("expect")
    spec = AccountSpec(
        key=key,
        name=name,
        live_name=m.str("live_name", name),
        platform=platform,
        account_type=m.str("account_type", DEFAULT_ACCOUNT_TYPE[platform]),
        account_id=account_id,
        organizer=m.str("organizer"),
        region_code=m.str("region_code", pattern=REGION_RE),
        status=m.str("status", "运行", choices=STATUSES),
        endpoint=endpoint,
        index=index,
        created_at_style=m.str("created_at_style", "relative", choices=dates.WEIBO_DATE_STYLES),
        feed_date_format=feed_fmt,
        feed_encoding=feed_enc,
        msglist=m.str("msglist", "object", choices=("object", "string")),
        posts=_parse_posts(m.map("posts")),
        comments_open=comments_open,
        menu=list(menu),
        verified=m.bool("verified", True),
        followers=m.int("followers", 1000 + _stable_int("followers", key) % 90000, 0),
        faults=faults,
        expect=expect,
    )
    m.done()
    return spec


def parse_scenario(data, path: str | None = None) -> Scenario:
    """Validate a scenario given as a dict (the parsed YAML)."""
    m = _Map(data, "")
    name = m.str("name", Path(path).stem if path else "scenario")
    raw_anchor = m.raw("anchor")
    try:
        anchor = dates.parse_anchor(raw_anchor)
    except ValueError as e:
        raise ScenarioError(f"anchor: {e}") from None
    seed = m.int("seed", 0)
    description = m.str("description", "")

    regions = []
    seen_regions = set()
    for i, r in enumerate(m.list("regions", [])):
        rm = _Map(r, f"regions[{i}]")
        code = rm.str("code", pattern=REGION_RE)
        if code in seen_regions:
            raise ScenarioError(f"regions[{i}].code: duplicate region {code}")
        seen_regions.add(code)
        regions.append((code, rm.str("name")))
        rm.done()

    pm = m.map("platforms")
    platform_addresses = {}
    for k, default in DEFAULT_PLATFORM_ADDRESSES.items():
        platform_addresses[k] = _check_address(pm.p(k), pm.str(k, default))
    pm.done()
    if len(set(platform_addresses.values())) != 3:
        raise ScenarioError("platforms: the weibo, wechat and rss addresses must differ")

    site_defaults = m.raw("site_defaults", {})
    account_defaults = m.raw("account_defaults", {})
    for k, v in (("site_defaults", site_defaults), ("account_defaults", account_defaults)):
        if not isinstance(v, dict):
            raise ScenarioError(f"{k}: expected a mapping")
        if "key" in v:
            raise ScenarioError(f"{k}.key: a default key makes no sense")

    sites = [_parse_site(raw, f"sites[{i}]", i, site_defaults) for i, raw in enumerate(m.list("sites", []))]
    accounts = [_parse_account(raw, f"accounts[{i}]", i, account_defaults)
                for i, raw in enumerate(m.list("accounts", []))]
    m.done()

    # uniqueness
    for what, items, attr in (("sites", sites, "key"), ("sites", sites, "site_code"),
                              ("accounts", accounts, "key")):
        seen = {}
        for i, it in enumerate(items):
            v = getattr(it, attr)
            if v in seen:
                raise ScenarioError(f"{what}[{i}].{attr}: duplicate {v!r} (also {what}[{seen[v]}])")
            seen[v] = i
    seen_ids = {}
    for i, a in enumerate(accounts):
        k = (a.platform, a.account_id)
        if k in seen_ids:
            raise ScenarioError(f"accounts[{i}].account_id: duplicate {a.account_id!r} on {a.platform} "
                                f"(also accounts[{seen_ids[k]}])")
        seen_ids[k] = i

    # addresses: explicit ones first, then defaults in scenario order, skipping taken ones
    taken = {v: f"platforms.{k}" for k, v in platform_addresses.items()}
    for i, s in enumerate(sites):
        if s.address:
            if s.address in taken:
                raise ScenarioError(f"sites[{i}].address: {s.address} is already used by {taken[s.address]}")
            taken[s.address] = f"sites[{i}]"
    counter = 0
    for i, s in enumerate(sites):
        if not s.address:
            while True:
                addr = site_address(counter)
                counter += 1
                if addr not in taken:
                    break
            s.address = addr
            taken[addr] = f"sites[{i}]"

    # regions must cover every code used
    if regions:
        for what, items in (("sites", sites), ("accounts", accounts)):
            for i, it in enumerate(items):
                if it.region_code not in seen_regions:
                    raise ScenarioError(f"{what}[{i}].region_code: {it.region_code} is not listed in regions")
    return Scenario(name=name, anchor_spec=anchor, seed=seed, regions=regions, sites=sites, accounts=accounts,
                    platform_addresses=platform_addresses, description=description, path=path)


def load_scenario(path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read: {e.strerror}") from None
    if path.suffix.lower() == ".json":  # same schema; much faster to load for very large worlds
        import json

        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ScenarioError(f"{path}: not valid JSON: {e}") from None
    else:
        try:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as e:
            raise ScenarioError(f"{path}: not valid YAML: {e}") from None
    if data is None:
        raise ScenarioError(f"{path}: empty scenario")
    try:
        return parse_scenario(data, str(path))
    except ScenarioError as e:
        raise ScenarioError(f"{path.name}: {e}") from None
