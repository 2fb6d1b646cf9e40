"""The homepage: navigation bar, column blocks (a title and a 更多 link), dated items, and whether the
homepage is only a navigation entrance (W-V3's second clause then looks at second-level pages).

The navigation is the group of short same-site links (2–10 characters) that scores best: more links,
a container whose class or id says nav/menu/导航, links marked ``linkType="Column"``, early in the
page, not in the footer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from govmon.parsing.html import Link, Page, attr_words, clean_text
from govmon.parsing.listing import ListItem, _chrome, extract_list

MORE_TEXTS = ("更多", "more", "更多>>", "更多>", ">>更多", "更多+", "+更多", "更多»", "查看更多", "更多 >>", "more>>",
              "more+", "更多信息", "more >", "+", "更多 >")
HOME_TEXTS = ("首页", "网站首页", "返回首页", "home", "主页")
_NAV_WORDS = ("nav", "menu", "daohang", "dh", "lanmu", "channel")
HEADLINE_CHARS = 8
NAV_ONLY_MAX_HEADLINES = 2


@dataclass(frozen=True)
class NavLink:
    name: str
    url: str
    source: str   # nav | block


@dataclass
class Homepage:
    nav: list[NavLink] = field(default_factory=list)
    blocks: list[NavLink] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    headlines: int = 0          # undated headline-like links outside the chrome
    navigation_only: bool = False

    @property
    def dated_items(self) -> list[ListItem]:
        return [i for i in self.items if i.date is not None]

    def columns(self) -> list[NavLink]:
        """Navigation links, then block links not in the navigation (same URL once)."""
        seen, out = set(), []
        for lk in self.nav + self.blocks:
            if lk.url not in seen:
                seen.add(lk.url)
                out.append(lk)
        return out


def same_site(url: str, page: Page) -> bool:
    a, b = urlsplit(url), urlsplit(page.url)
    return (a.hostname or "").lower() == (b.hostname or "").lower() and (a.port or 80) == (b.port or 80)


def is_home_link(lk: Link, page: Page) -> bool:
    sp = urlsplit(lk.url)
    if lk.text.strip().lower() in HOME_TEXTS:
        return True
    return same_site(lk.url, page) and sp.path in ("", "/") and not sp.query


def _group_key(el):
    cur = el.getparent()
    depth = 0
    while cur is not None and depth < 6:
        if isinstance(cur.tag, str) and cur.tag in ("ul", "ol", "nav", "table", "dl", "p", "td"):
            return cur
        if isinstance(cur.tag, str) and cur.tag == "div" and any(w in attr_words(cur) for w in _NAV_WORDS):
            return cur
        cur = cur.getparent()
        depth += 1
    return el.getparent()


def _in_footer(el) -> bool:
    cur = el
    while cur is not None:
        if isinstance(cur.tag, str) and (cur.tag == "footer" or any(
                w in attr_words(cur) for w in ("footer", "foot", "bottom", "copyright"))):
            return True
        cur = cur.getparent()
    return False


def _nav_words_near(el) -> bool:
    cur = el
    depth = 0
    while cur is not None and depth < 5:
        if isinstance(cur.tag, str):
            words = attr_words(cur)
            if any(w in words for w in _NAV_WORDS):
                return True
        cur = cur.getparent()
        depth += 1
    return False


def detect_navigation(page: Page) -> list[NavLink]:
    anchors = [lk for lk in page.anchors() if lk.tag == "a"]
    groups: dict[object, list[tuple[int, Link]]] = defaultdict(list)
    for i, lk in enumerate(anchors):
        groups[_group_key(lk.element)].append((i, lk))
    best, best_score = None, 0.0
    n_all = max(len(anchors), 1)
    for container, members in groups.items():
        short = [(i, lk) for i, lk in members
                 if same_site(lk.url, page) and 2 <= len(lk.text) <= 10 and not is_home_link(lk, page)]
        if len(short) < 3:
            continue
        score = float(len(short))
        if _nav_words_near(container):
            score += 10
        if any((lk.element.get("linktype") or "").lower() == "column" for _, lk in short):
            score += 5
        if _in_footer(container):
            score -= 20
        first = min(i for i, _ in members)
        score += 4 * (1 - first / n_all)
        if len(short) < len(members) * 0.6:
            score -= 5
        # a navigation bar is a row of like links; a menu with sub-menus mixes layouts
        layouts = {(lk.element.getparent().tag, lk.element.getparent().get("class") or "") for _, lk in short
                   if lk.element.getparent() is not None}
        score -= 3 * (len(layouts) - 1)
        if score > best_score:
            best, best_score = short, score
    if not best:
        return []
    seen, out = set(), []
    for _, lk in best:
        if lk.url not in seen:
            seen.add(lk.url)
            out.append(NavLink(lk.text, lk.url, "nav"))
    return out


def _block_name(more: Link) -> str | None:
    """The title of a homepage block whose 更多 link is ``more``: a same-URL link with another text,
    else the nearest heading before it."""
    cur = more.element.getparent()
    depth = 0
    while cur is not None and depth < 5:
        for a in cur.iter("a"):
            text = clean_text(a.text_content())
            if a is not more.element and text and text.lower() not in MORE_TEXTS and \
                    (a.get("href") or "").strip() == (more.element.get("href") or "").strip():
                return text
        for h in cur.iter("h1", "h2", "h3", "h4", "h5", "h6"):
            text = clean_text(h.text_content())
            if text and 2 <= len(text) <= 12:
                return text
        cur = cur.getparent()
        depth += 1
    return None


def homepage_blocks(page: Page) -> list[NavLink]:
    out, seen = [], set()
    for lk in page.anchors():
        if lk.text.strip().lower().replace(" ", "") not in {t.replace(" ", "") for t in MORE_TEXTS}:
            continue
        if not same_site(lk.url, page) or lk.url in seen:
            continue
        name = _block_name(lk)
        if name:
            seen.add(lk.url)
            out.append(NavLink(name, lk.url, "block"))
    return out


def parse_homepage(page: Page, ref: dt.date) -> Homepage:
    nav = detect_navigation(page)
    blocks = homepage_blocks(page)
    exclude = {lk.url for lk in nav} | {lk.url for lk in blocks}
    listing = extract_list(page, ref, exclude=exclude, per_container=True)
    items = listing.items
    item_urls = {i.url for i in items}
    headlines = 0
    for lk in page.anchors():
        if lk.tag == "a" and lk.url not in exclude and lk.url not in item_urls and \
                len(lk.text) >= HEADLINE_CHARS and not _chrome(lk.element):
            headlines += 1
    dated = [i for i in items if i.date is not None]
    nav_only = not dated and len(items) + headlines <= NAV_ONLY_MAX_HEADLINES
    return Homepage(nav=nav, blocks=blocks, items=items, headlines=headlines, navigation_only=nav_only)
