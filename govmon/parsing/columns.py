"""Column typing and column-link recognition.

Types (INDICATORS.md §11): ``dynamic_news`` (动态/要闻), ``notice`` (通知公告), ``policy`` (政策文件),
``personnel`` (人事), ``plan`` (规划计划), ``interaction`` (互动交流), ``service`` (办事服务), ``other``.

A column's type comes from, in order: an operator's override (config/site_overrides.yaml), the
page's ``<meta name="ColumnType">`` when it names a type, then the column's name (navigation text,
``<meta name="ColumnName">``), then the page title. Names are matched against keyword tables;
the order of the tables matters (干部公示 is personnel, not a notice; 政策解读 is policy).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

TYPES = ("dynamic_news", "notice", "policy", "personnel", "plan", "interaction", "service", "other")
TYPE_LABELS = {"dynamic_news": "动态要闻", "notice": "通知公告", "policy": "政策文件", "personnel": "人事信息",
               "plan": "规划计划", "interaction": "互动交流", "service": "办事服务", "other": "其他"}

# exact ColumnType values seen on CMS pages, then keyword tables (first match wins)
_EXACT = {"动态要闻": "dynamic_news", "要闻动态": "dynamic_news", "通知公告": "notice", "政策文件": "policy",
          "人事信息": "personnel", "规划计划": "plan", "互动交流": "interaction", "办事服务": "service",
          "其他": "other", "其它": "other"}
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("interaction", ("信箱", "留言", "咨询", "建言", "问政", "访谈", "征集", "调查", "信访", "投诉", "举报", "互动",
                     "来信", "诉求", "热线", "民意")),
    ("personnel", ("人事", "任免", "招聘", "招录", "录用", "招考", "遴选", "干部", "公务员", "任前")),
    ("plan", ("规划", "计划", "工作要点", "工作总结", "年度总结")),
    ("policy", ("政策", "文件", "法规", "规章", "规范性", "公报", "解读", "制度", "条例", "办法")),
    ("notice", ("通知", "公告", "公示", "通告", "启事", "告知")),
    ("dynamic_news", ("要闻", "动态", "新闻", "资讯", "快讯", "工作信息", "政务信息", "头条", "时政", "图片报道",
                      "热点", "简讯", "播报", "聚焦")),
    ("service", ("办事", "服务", "指南", "在线办理", "办理")),
)
_TITLE_SPLIT = re.compile(r"[_|\-–—｜]+")

LETTERS_WORDS = ("信箱", "留言", "咨询", "建言", "问政", "来信", "诉求", "民意", "我要写信", "书记信箱", "市长信箱",
                 "县长信箱", "局长信箱", "主任信箱")
# W-V5 excludes these special channels from the 政务咨询 columns
LETTERS_EXCLUDED = ("信访", "纪检", "举报", "访谈", "征集", "调查")
CALENDAR_WORDS = ("日历", "calendar")
_MONTH_IN_URL = re.compile(r"(?:^|[/_\-=])(?:19|20)\d{2}[-_]?(?:0[1-9]|1[0-2])(?:[-_]?\d{2})?(?=[./_\-&]|$)")


def type_from_label(label: str | None) -> str | None:
    """A type from a ColumnType meta value; None when it names nothing we know."""
    if not label:
        return None
    label = label.strip()
    if label in _EXACT:
        return _EXACT[label]
    return type_from_name(label, default=None)


def type_from_name(name: str | None, default: str | None = "other") -> str | None:
    if not name:
        return default
    for typ, words in _KEYWORDS:
        if any(w in name for w in words):
            return typ
    return default


def classify_column(name: str | None = None, meta_type: str | None = None, meta_name: str | None = None,
                    title: str | None = None, override: str | None = None) -> tuple[str, str]:
    """(type, source): source is override | meta_type | name | meta_name | title | default."""
    if override:
        if override not in TYPES:
            raise ValueError(f"unknown column type {override!r} (one of {', '.join(TYPES)})")
        return override, "override"
    t = type_from_label(meta_type)
    if t:
        return t, "meta_type"
    for source, value in (("name", name), ("meta_name", meta_name)):
        t = type_from_name(value, default=None)
        if t:
            return t, source
    if title:
        first = _TITLE_SPLIT.split(title)[0].strip()
        t = type_from_name(first, default=None)
        if t:
            return t, "title"
    return "other", "default"


def is_letters_name(name: str | None) -> bool:
    """A 政务咨询 channel (领导信箱, 留言, 咨询…), not one W-V5 excludes (信访, 纪检举报, 访谈, 征集)."""
    if not name:
        return False
    return any(w in name for w in LETTERS_WORDS) and not any(w in name for w in LETTERS_EXCLUDED)


def is_calendar(name: str | None, url: str) -> bool:
    """A calendar page (活动日历): month pages that link to the next month forever."""
    path = urlsplit(url).path + "?" + urlsplit(url).query
    if name and any(w in name.lower() for w in CALENDAR_WORDS):
        return True
    return bool(_MONTH_IN_URL.search(path)) and bool(name) and ("日历" in name or "月" in name)


def month_in_url(url: str) -> bool:
    sp = urlsplit(url)
    return bool(_MONTH_IN_URL.search(sp.path + "?" + sp.query))


# ---- column URL shapes -------------------------------------------------------------------------

def _shape(url: str) -> tuple:
    sp = urlsplit(url)
    segs = tuple(re.sub(r"\d+", "#", s) for s in sp.path.split("/") if s)
    keys = tuple(sorted(k for k, _ in parse_qsl(sp.query, keep_blank_values=True)))
    return ((sp.hostname or "").lower(), len(segs), segs, keys)


class ColumnShapes:
    """What the site's column links look like, learnt from its navigation.

    ``/col/zwyw/index.html`` and ``/col/bmdt/index.html`` teach ``/col/*/index.html``; Hanweb's
    ``/col/col1621004/index.html`` is its own shape once digits are generalised. A link on a column
    page that has one of these shapes (and is not an item or a known column) is a sub-column.
    """

    def __init__(self, urls: list[str]):
        self.exact: set[tuple] = set()
        self.wild: set[tuple] = set()
        shapes = [_shape(u) for u in urls]
        for s in shapes:
            self.exact.add(s)
        for i, a in enumerate(shapes):
            for b in shapes[i + 1:]:
                if a[0] != b[0] or a[1] != b[1] or a[3] != b[3]:
                    continue
                diff = [k for k in range(a[1]) if a[2][k] != b[2][k]]
                if len(diff) == 1:
                    k = diff[0]
                    self.wild.add((a[0], a[1], k, a[2][:k] + ("*",) + a[2][k + 1:], a[3]))

    def matches(self, url: str) -> bool:
        s = _shape(url)
        if s in self.exact:
            return True
        for host, n, k, pattern, keys in self.wild:
            if host == s[0] and n == s[1] and keys == s[3] and s[2][:k] + ("*",) + s[2][k + 1:] == pattern:
                return True
        return False
