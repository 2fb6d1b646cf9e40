"""List pages: the items, their dates, blank columns and the next page.

Generic heuristics, not per-template rules, so that a CMS never seen before works too:

- an *item* is a link whose row (the largest ancestor holding no other title link: ``li``, ``tr``,
  ``dd``, ``div`` …) prints a date outside the link text; a date must be the whole of its text node
  (titles carry digits such as "1-10月", which are never read as dates);
- undated links count as items when they share the row layout of dated items, or, on a list with no
  dates at all, when they form the largest group of title links with one layout outside the page's
  chrome (navigation, header, footer, breadcrumb, pager);
- a page with no items is *blank* (有栏目无内容); the 暂无信息-style marker is kept as evidence;
- the next page: a 下一页/下页/next link, ``rel=next``, or TRS's ``createPageHTML(count, current,
  "index", "html")``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from govmon.parsing.dates import DateText, parse_list_date, resolve_sequence
from govmon.parsing.html import Link, Page, attr_words, clean_text, element_text_outside

MIN_TITLE_CHARS = 5
BLANK_MARKERS = ("暂无信息", "暂无数据", "暂无内容", "暂无记录", "暂无相关信息", "暂无文章", "没有信息", "没有记录",
                 "无相关信息", "该栏目暂无", "没有找到相关", "暂无")
NEXT_TEXTS = ("下一页", "下页", "后一页", "下一頁", "next", "next page", "›", "»", ">", ">>", "下一页>", "下一页>>")
# class/id tokens of page chrome: a token equal to, starting or ending with one of these
CHROME_WORDS = ("nav", "menu", "header", "footer", "foot", "crumb", "breadcrumb", "position", "location",
                "weizhi", "dqwz", "copyright", "pager", "pagination", "pagenav", "sidebar", "daohang", "banner",
                "search", "share", "subcolumn", "subnav")
CHROME_EXACT = ("page", "top", "bottom", "sub-columns", "sub-column", "left-menu")
_TOKEN = re.compile(r"[\s_\-]+")
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']")
_PAGE_NUM = re.compile(r"^\d{1,4}$")


@dataclass
class ListItem:
    url: str
    title: str
    date_text: str | None
    date: dt.date | None
    position: int
    layout: tuple = ()
    year_shown: bool | None = None   # None: no date; False: 月-日 printed, the year inferred


@dataclass
class ListResult:
    items: list[ListItem] = field(default_factory=list)
    blank_marker: str | None = None
    next_url: str | None = None
    page_count: int | None = None   # when the pager says so

    @property
    def blank(self) -> bool:
        return not self.items

    @property
    def dated(self) -> list[ListItem]:
        return [i for i in self.items if i.date is not None]


def _is_title(link: Link) -> bool:
    t = link.text
    if len(t) < MIN_TITLE_CHARS:
        return False
    if t.strip().lower() in NEXT_TEXTS or _PAGE_NUM.match(t):
        return False
    return True


def is_chrome_element(el) -> bool:
    words = attr_words(el).strip()
    if not words:
        return False
    if any(w in words.split() for w in CHROME_EXACT):
        return True
    for tok in _TOKEN.split(words):
        if tok and any(tok == w or tok.startswith(w) or tok.endswith(w) for w in CHROME_WORDS):
            return True
    return False


def _chrome(el, stop=None) -> bool:
    """Inside navigation, header, footer, breadcrumb, pager …?"""
    cur = el
    depth = 0
    while cur is not None and cur is not stop and depth < 12:
        if isinstance(cur.tag, str):
            if cur.tag in ("nav", "header", "footer"):
                return True
            if is_chrome_element(cur):
                return True
        cur = cur.getparent()
        depth += 1
    return False


def _layout(row) -> tuple:
    parent = row.getparent()
    gp = parent.getparent() if parent is not None else None

    def sig(e):
        if e is None or not isinstance(e.tag, str):
            return ""
        return f"{e.tag}.{(e.get('class') or '').strip()}"

    return (sig(row), sig(parent), sig(gp))


def _row_and_date(anchor, title_anchors: set) -> tuple[object, DateText | None]:
    """Walk up from a title link to the largest ancestor that holds no other title link; return it
    and the first date printed in it outside the link."""
    row = anchor
    found: DateText | None = None
    cur = anchor.getparent()
    depth = 0
    while cur is not None and depth < 5 and isinstance(cur.tag, str) and cur.tag not in ("body", "html"):
        others = [a for a in cur.iter("a") if a is not anchor and a in title_anchors]
        if others:
            break
        row = cur
        if found is None:
            for piece in element_text_outside(cur, anchor):
                d = parse_list_date(piece)
                if d is not None:
                    found = d
                    break
        cur = cur.getparent()
        depth += 1
    if found is None:
        found = _following_date(anchor, title_anchors)
    return row, found


def _following_date(anchor, title_anchors: set) -> DateText | None:
    """Malformed markup can nest the next row inside this one's date span: read the text that
    follows the link, up to the next title link."""
    pieces = [anchor.tail]
    for sib in anchor.itersiblings():
        if not isinstance(sib.tag, str):
            pieces.append(sib.tail)
            continue
        nested_title = any(a in title_anchors for a in sib.iter("a"))
        pieces.extend([sib.text] if nested_title else list(sib.itertext()))
        if nested_title:
            break
        pieces.append(sib.tail)
    for piece in [p for p in pieces if p and p.strip()][:4]:
        d = parse_list_date(clean_text(piece))
        if d is not None:
            return d
    return None


def extract_list(page: Page, ref: dt.date, exclude: set[str] | None = None,
                 start_after: dt.date | None = None, per_container: bool = False) -> ListResult:
    """Items of a list page (or of a homepage block area), newest first as printed.

    ``exclude``: URLs that are never items (navigation and column links). ``start_after``: the last
    resolved date of the previous page, for year inference of dates printed without a year.
    ``per_container``: resolve years per list container (a homepage's blocks are each sorted, the
    page as a whole is not).
    """
    exclude = exclude or set()
    anchors = [lk for lk in page.anchors() if lk.tag == "a"]
    titles = [lk for lk in anchors if _is_title(lk) and lk.url not in exclude and lk.url != page.url]
    title_els = {lk.element for lk in titles}
    rows = []
    for lk in titles:
        row, d = _row_and_date(lk.element, title_els)
        rows.append((lk, row, d))
    dated_layouts = {_layout(row) for lk, row, d in rows if d is not None}
    chosen: list[tuple[Link, object, DateText | None]] = []
    if dated_layouts:
        chosen = [(lk, row, d) for lk, row, d in rows if d is not None or _layout(row) in dated_layouts]
        chosen = [(lk, row, d) for lk, row, d in chosen if d is not None or not _chrome(lk.element)]
    else:
        # no dates anywhere: the largest group of same-site title links sharing one row layout,
        # outside the page's chrome (an undated list is still a list, not a blank column)
        host = (urlsplit(page.url).hostname or "").lower()
        groups: dict[tuple, list] = defaultdict(list)
        for lk, row, d in rows:
            if (urlsplit(lk.url).hostname or "").lower() == host and not _chrome(lk.element):
                groups[_layout(row)].append((lk, row, d))
        if groups:
            best = max(groups.values(), key=len)
            chosen = best
    seen: set[str] = set()
    uniq = []
    for lk, row, d in chosen:
        if lk.url in seen:
            continue
        seen.add(lk.url)
        uniq.append((lk, row, d))
    if per_container:
        resolved: list = [None] * len(uniq)
        by_parent: dict[object, list[int]] = defaultdict(list)  # keyed by the element: keeps its proxy alive
        for k, (lk, row, d) in enumerate(uniq):
            by_parent[row.getparent()].append(k)
        for ks in by_parent.values():
            for k, day in zip(ks, resolve_sequence([uniq[k][2] for k in ks], ref, None)):
                resolved[k] = day
    else:
        resolved = resolve_sequence([d for _, _, d in uniq], ref, start_after)
    items = [ListItem(lk.url, lk.text, d.text if d else None, day, i, _layout(row),
                      None if d is None else d.year is not None)
             for i, ((lk, row, d), day) in enumerate(zip(uniq, resolved))]
    result = ListResult(items=items)
    if not items:
        result.blank_marker = blank_marker(page)
    result.next_url, result.page_count = next_page(page)
    return result


def blank_marker(page: Page) -> str | None:
    text = page.body_text
    for m in BLANK_MARKERS:
        if m in text:
            return m
    return None


def next_page(page: Page) -> tuple[str | None, int | None]:
    """(URL of the next page, page count when printed)."""
    count = None
    for script in page.doc.iter("script"):
        m = _CREATE_PAGE.search(script.text or "")
        if m:
            count, cur, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            if cur + 1 < count:
                return urljoin(page.base_url, f"{stem}_{cur + 1}.{ext}"), count
            return None, count
    for lk in page.anchors():
        el = lk.element
        text = clean_text(el.text_content()).lower()
        rel = (el.get("rel") or "").lower()
        words = attr_words(el)
        if lk.url == page.url:
            continue
        if text in NEXT_TEXTS or rel == "next" or (("next" in words.split() or "next" in words) and not text.isdigit()):
            return lk.url, count
    return None, count
