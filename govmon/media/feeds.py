"""RSS 2.0 (and RSS 1.0/RDF), Atom and JSON Feed: how RSS bridges expose WeChat, Douyin, Toutiao
and Kuaishou accounts, and how some platforms export.

- Bytes over declarations: valid UTF-8 is read as UTF-8 even under ``encoding="gb2312"``; GB2312
  and GBK are read as GB18030 (``govmon.media.http.decode_bytes``). Broken markup is recovered.
- Dates: RFC 822 and its variants, ISO 8601, ``2005-5-28 16:05:36``; a midnight marked UTC is a
  date-only value (``govmon.media.dates``).
- Live name: the feed's author (Atom ``author``, JSON Feed ``authors``), else the one author every
  item names, else the title with a bridge's decoration removed ("抖音博主 - X", "X 的微博"); a name
  read from a title is marked so (``name_source = title``) and only ever leads to a review.
- Originality: an item category or tag 原创 / 转载 (转发, 转帖); nothing shown → unknown.
- A feed with no items is ``empty``: a bridge that failed quietly looks the same as an account
  that never posts, so freshness stays unknown.
- Interaction: a JSON Feed extension object (``_govmon``, or any ``_…`` object with
  ``comments_open`` / ``menu``); else, when the newest item links to a WeChat article or a Weibo
  status on the configured platform hosts, that page is read once (the comment switch, the
  account's own nickname). Otherwise nothing is shown and M-V3 goes to review.
"""

from __future__ import annotations

import re

from lxml import etree

from govmon.media.adapters import Adapter, ReadContext, stable_key, strip_tags, url_key
from govmon.media.dates import parse_feed_time
from govmon.media.http import Document
from govmon.media.model import Observation, Post

ORIGINAL_TAGS = ("原创",)
REPOST_TAGS = ("转载", "转发", "转帖", "repost", "retweet")
_TITLE_PATTERNS = (
    re.compile(r"^(?:抖音(?:博主|用户)?|今日头条|头条号|快手|微信公众号|公众号|微博|bilibili)\s*[-–—:：|｜]\s*(.+)$", re.I),
    re.compile(r"^(.+?)\s*[-–—|｜]\s*(?:抖音|今日头条|头条号|头条|快手|微信公众号|公众号|微博|RSSHub|WeWe RSS)$", re.I),
    re.compile(r"^(.+?)\s*的(?:微博|抖音|头条号|快手|公众号|主页|视频)$"),
)


def name_from_title(title: str | None) -> str | None:
    if not title:
        return None
    t = title.strip()
    for pat in _TITLE_PATTERNS:
        m = pat.match(t)
        if m and m.group(1).strip():
            return m.group(1).strip()
    return t or None


def originality(tags: list[str], title: str | None) -> bool | None:
    low = [t.strip().lower() for t in tags if t]
    if any(t in ORIGINAL_TAGS for t in low):
        return True
    if any(t in REPOST_TAGS for t in low):
        return False
    if title and re.match(r"^\s*(?:【?转(?:发|载)】?|\[转(?:发|载)\])\s*[:：]?", title):
        return False
    return None


def _is_email(s: str) -> bool:
    return bool(re.fullmatch(r"\S+@\S+\.\S+(?:\s*\(.*\))?", s.strip()))


# ---- XML ------------------------------------------------------------------------------------------

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)


def xml_root(text: str):
    """Parse feed text (already decoded) leniently; None when it is not XML."""
    body = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body.encode("utf-8"), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _local(el) -> str:
    return etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""


def _children(el, *names) -> list:
    return [c for c in el if isinstance(c.tag, str) and _local(c) in names]


def _text(el, *names) -> str | None:
    for c in _children(el, *names):
        t = "".join(c.itertext()).strip()
        if t:
            return t
    return None


def feed_kind(root) -> str | None:
    if root is None:
        return None
    name = _local(root)
    if name == "rss":
        return "rss"
    if name == "feed":
        return "atom"
    if name == "rdf":
        return "rss"
    return None


def parse_xml_feed(root) -> dict:
    """{kind, title, author, items: [{key, title, link, date_raw, when, tags, author}]}"""
    kind = feed_kind(root)
    out = {"kind": kind, "title": None, "author": None, "items": []}
    if kind == "rss":
        channel = next(iter(_children(root, "channel")), root)
        out["title"] = _text(channel, "title")
        items = _children(channel, "item") or [e for e in root.iter() if isinstance(e.tag, str) and _local(e) == "item"]
        for it in items:
            date_raw = _text(it, "pubdate", "date", "published", "updated", "issued")
            link = _text(it, "link")
            guid = _text(it, "guid")
            title = _text(it, "title")
            out["items"].append({
                "key": guid or link or stable_key("rss", title, date_raw),
                "title": title, "link": link, "date_raw": date_raw, "when": parse_feed_time(date_raw),
                "tags": ["".join(c.itertext()).strip() for c in _children(it, "category", "subject")],
                "author": _text(it, "author", "creator"),
            })
    elif kind == "atom":
        out["title"] = _text(root, "title")
        for a in _children(root, "author"):
            out["author"] = _text(a, "name") or out["author"]
        for en in _children(root, "entry"):
            link = None
            for ln in _children(en, "link"):
                if ln.get("rel") in (None, "alternate") and ln.get("href"):
                    link = ln.get("href")
                    break
            date_raw = _text(en, "published", "issued", "updated", "modified", "created")
            title = _text(en, "title")
            author = None
            for a in _children(en, "author"):
                author = _text(a, "name")
            out["items"].append({
                "key": _text(en, "id") or link or stable_key("atom", title, date_raw),
                "title": title, "link": link, "date_raw": date_raw, "when": parse_feed_time(date_raw),
                "tags": [c.get("term") or c.get("label") or "" for c in _children(en, "category")],
                "author": author,
            })
    return out


# ---- JSON Feed ------------------------------------------------------------------------------------

def is_json_feed(j) -> bool:
    return isinstance(j, dict) and (("version" in j and "jsonfeed" in str(j["version"]))
                                    or (isinstance(j.get("items"), list) and "title" in j and "ok" not in j))


def parse_json_feed(j: dict) -> dict:
    def author_of(node):
        authors = node.get("authors")
        if isinstance(authors, list) and authors and isinstance(authors[0], dict):
            return authors[0].get("name")
        if isinstance(node.get("author"), dict):  # JSON Feed 1.0
            return node["author"].get("name")
        return None

    out = {"kind": "json_feed", "title": j.get("title"), "author": author_of(j), "items": [], "extension": None}
    for key, value in j.items():
        if key.startswith("_") and isinstance(value, dict) and ({"comments_open", "menu"} & set(value)):
            out["extension"] = {"name": key, **value}
    for it in j.get("items") or []:
        if not isinstance(it, dict):
            continue
        date_raw = it.get("date_published") or it.get("date_modified")
        title = it.get("title") or strip_tags(it.get("content_html") or it.get("content_text"), 60)
        out["items"].append({
            "key": str(it.get("id") or it.get("url") or stable_key("json", title, date_raw)),
            "title": title, "link": it.get("url") or it.get("external_url"), "date_raw": date_raw,
            "when": parse_feed_time(date_raw), "tags": [str(t) for t in it.get("tags") or []],
            "author": author_of(it),
        })
    return out


# ---- the adapter -----------------------------------------------------------------------------------

class FeedAdapter(Adapter):
    kind = "feed"

    def recognizes(self, doc: Document) -> bool:
        if is_json_feed(doc.json):
            return True
        if doc.json is not None:
            return False
        head = doc.body[:4096].lstrip()
        if not head.startswith(b"<"):
            return False
        probe = re.sub(rb"<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.S).lstrip()
        return bool(re.match(rb"<(?:\w+:)?(?:rss|feed|RDF)\b", probe))

    async def read(self, doc: Document, ctx: ReadContext) -> None:
        obs = ctx.obs
        if is_json_feed(doc.json):
            feed = parse_json_feed(doc.json)
        else:
            feed = parse_xml_feed(xml_root(doc.text))
            if feed["kind"] is None:
                obs.adapter = "rss"
                obs.status, obs.reason = "error", "订阅源不是有效的 XML，无法解析"
                return
        obs.adapter = feed["kind"]
        self.take(feed, obs)
        ext = feed.get("extension")
        if ext:
            if isinstance(ext.get("comments_open"), bool):
                obs.comments_open = ext["comments_open"]
            if isinstance(ext.get("menu"), list):
                obs.menu = [str(m) for m in ext["menu"]]
            obs.interaction_source = f"feed_extension {ext['name']}"
        if obs.status == "ok" and not ext:
            await self._follow_newest(ctx)

    @staticmethod
    def take(feed: dict, obs: Observation) -> None:
        items = feed["items"]
        for it in items:
            when = it["when"]
            obs.posts.append(Post(key=url_key(str(it["key"]))[:500], published_at=when.at if when else None,
                                  precision=when.precision if when else None, published_raw=it["date_raw"],
                                  original=originality(it["tags"], it["title"]), title=strip_tags(it["title"], 60),
                                  url=it["link"]))
        authors = {a.strip() for a in (it["author"] for it in items) if a and not _is_email(a)}
        if feed.get("author") and not _is_email(feed["author"]):
            obs.live_name, obs.name_source = feed["author"].strip(), "author"
        elif len(authors) == 1:
            obs.live_name, obs.name_source = authors.pop(), "author"
        else:
            obs.live_name, obs.name_source = name_from_title(feed.get("title")), "title"
        obs.account_exists = True
        undated = sum(1 for it in items if it["when"] is None)
        if undated:
            obs.note(f"{undated} 条没有可读的发布时间")
        if not items:
            obs.status = "empty"
            obs.reason = "订阅源没有任何条目（可能是桥接服务未取到内容），无法判断是否更新"
        elif undated == len(items):
            obs.status = "empty"
            obs.reason = "订阅源的条目都没有可读的发布时间，无法判断是否更新"
        else:
            obs.status = "ok"

    async def _follow_newest(self, ctx: ReadContext) -> None:
        """Read the newest item's page when it is a WeChat article or a Weibo status on the
        configured platform host: the comment switch and the account's own name."""
        obs = ctx.obs
        dated = [p for p in obs.posts if p.url and p.published_at]
        if not dated:
            return
        newest = max(dated, key=lambda p: p.published_at)
        family = "wechat" if ctx.same_platform(newest.url, "wechat") else \
            "weibo" if ctx.same_platform(newest.url, "weibo") else None
        if family is None:
            return
        doc = await ctx.get(newest.url, "最新一条的原文（账号名称与互动功能）")
        if doc is None:
            return
        obs.evidence["article"] = newest.url
        if family == "wechat":
            from govmon.media.wechat import is_article, parse_article

            if not is_article(doc.text):
                return
            art = parse_article(doc.text)
            if art["nickname"]:
                obs.live_name, obs.name_source = art["nickname"], "article"
            if art["comments_open"] is not None:
                obs.comments_open, obs.interaction_source = art["comments_open"], "wechat_article"
            if newest.original is None:
                newest.original = art["original"]
        else:
            from govmon.media.weibo import comment_permission, parse_user, render_data

            status = render_data(doc.text)
            if status is None:
                return
            user = parse_user(status.get("user") or {})
            if user["screen_name"]:
                obs.live_name, obs.name_source = user["screen_name"], "article"
            perm = comment_permission(status)
            if perm is not None:
                obs.comments_open, obs.interaction_source = perm, "weibo_post"
