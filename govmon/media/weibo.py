"""Weibo: m.weibo.cn ``api/container/getIndex`` (the profile with ``userInfo`` and the timeline
container), the timeline ``cards`` (card_type 9 + ``mblog``; also the older ``card_group`` list),
a status page with ``$render_data``, weibo.com ``ajax/profile/info`` and the weibo.cn lite pages.

- live name: ``userInfo.screen_name`` (or the own posts' ``user.screen_name``);
- vanished: ``{"ok":0,"msg":"这里还没有内容"}`` for the profile;
- login walls (``ok: -100``, a redirect to passport.weibo.cn, the visitor system) are ``blocked``;
- a post with ``retweeted_status`` is a repost (its original may be deleted or hidden: the repost
  still counts as the account's post); the account's own deleted (``deleted: "1"``) or non-public
  (``visible.type`` ≠ 0) posts are kept but never count as an update;
- pinned posts (``isTop``, 置顶) say nothing about how far back a page reaches;
- comments: ``userInfo.allow_all_comment`` and each post's ``comment_manage_info.comment_permission_type``
  (-1 or 0: everyone may comment; another value: restricted); the toolbar (聊天) is the menu.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from govmon.media.adapters import Adapter, ReadContext, has_vanished_words, origin, stable_key, strip_tags
from govmon.media.dates import from_timestamp, parse_weibo_time
from govmon.media.http import Document
from govmon.media.model import Observation, Post

TIMELINE_PREFIX = "107603"
LOGIN_HOSTS = ("passport.weibo.cn", "passport.weibo.com", "login.sina.com.cn", "visitor.passport.weibo.cn")
OPEN_COMMENT_TYPES = (-1, 0)


# ---- pure parsers ---------------------------------------------------------------------------------

def iter_cards(data) -> list[tuple[dict, dict]]:
    """(card, mblog) for every status card, flattening ``card_group`` wherever it appears."""
    out: list[tuple[dict, dict]] = []

    def walk(node):
        if isinstance(node, list):
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            if isinstance(node.get("mblog"), dict):
                out.append((node, node["mblog"]))
            if "card_group" in node:
                walk(node["card_group"])
            if "cards" in node:
                walk(node["cards"])

    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        walk(data["data"].get("cards", []))
    else:
        walk(data)
    return out


def mblog_post(card: dict, mb: dict, ref: datetime, base: str | None = None) -> Post:
    when = from_timestamp(mb.get("created_timestamp")) or parse_weibo_time(mb.get("created_at"), ref)
    mid = str(mb.get("mid") or mb.get("idstr") or mb.get("id") or "")
    visible = mb.get("visible") or {}
    title = card.get("title") if isinstance(card.get("title"), dict) else {}
    pinned = bool(mb.get("isTop")) or mb.get("mblogtype") == 2 or "置顶" in str(title.get("text", ""))
    url = f"{base}/detail/{mid}" if base and mid else card.get("scheme")
    return Post(
        key=mid or stable_key("weibo", mb.get("created_at"), mb.get("text")),
        published_at=when.at if when else None,
        precision=when.precision if when else None,
        published_raw=str(mb.get("created_at")) if mb.get("created_at") is not None else None,
        original="retweeted_status" not in mb,
        deleted=str(mb.get("deleted", "")) == "1",
        hidden=visible.get("type") not in (None, 0, "0"),
        pinned=pinned,
        title=strip_tags(mb.get("text"), 60),
        url=url,
    )


def comment_permission(mb: dict) -> bool | None:
    info = mb.get("comment_manage_info")
    if not isinstance(info, dict) or "comment_permission_type" not in info:
        return None
    try:
        return int(info["comment_permission_type"]) in OPEN_COMMENT_TYPES
    except (TypeError, ValueError):
        return None


def parse_user(user: dict) -> dict:
    menus = user.get("toolbar_menus")
    menu = None
    if isinstance(menus, list):
        menu = [str(m.get("name")) for m in menus if isinstance(m, dict) and m.get("name") and m.get("name") != "关注"]
    allow = user.get("allow_all_comment")
    return {
        "uid": str(user.get("id") or user.get("idstr") or ""),
        "screen_name": user.get("screen_name"),
        "statuses_count": user.get("statuses_count"),
        "verified": user.get("verified"),
        "allow_all_comment": allow if isinstance(allow, bool) else None,
        "menu": menu,
    }


def timeline_containerid(data: dict, uid: str) -> str:
    tabs = (((data.get("data") or {}).get("tabsInfo") or {}).get("tabs")) or []
    for t in tabs:
        if isinstance(t, dict) and (t.get("tabKey") == "weibo" or t.get("tab_type") == "weibo") and t.get("containerid"):
            return str(t["containerid"])
    return f"{TIMELINE_PREFIX}{uid}"


def parse_comments(data: dict, ref: datetime) -> list[dict]:
    """m.weibo.cn comment list: [{id, created_at, user, text}] (comments exist = comments work)."""
    inner = (data.get("data") or {}).get("data") or []
    out = []
    for c in inner:
        if isinstance(c, dict):
            when = parse_weibo_time(c.get("created_at"), ref)
            out.append({"id": str(c.get("id")), "created_at": when.at if when else None,
                        "user": (c.get("user") or {}).get("screen_name"), "text": strip_tags(c.get("text"))})
    return out


_LITE_POST = re.compile(r'<div class="c" id="M_(\w+)">(.*?)(?=<div class="c" id="M_|<div class="pa" id="pagelist"|'
                        r'<div class="cd">|\Z)', re.S)


def parse_lite(text: str, ref: datetime) -> dict:
    """weibo.cn (lite) profile or timeline page: name, posts, private-message link."""
    name = None
    m = re.search(r"<title>(.*?)(?:的微博|的资料)</title>", text)
    if m:
        name = m.group(1).strip()
    m = re.search(r"昵称[:：]([^<]+)<", text)
    if m:
        name = m.group(1).strip()
    posts = []
    for mid, body in _LITE_POST.findall(text):
        ct = re.search(r'<span class="ct">(.*?)</span>', body, re.S)
        raw = re.sub(r"&nbsp;.*$", "", ct.group(1)).strip() if ct else None
        when = parse_weibo_time(raw, ref) if raw else None
        repost = bool(re.search(r'<span class="cmt">\s*转发了', body))
        posts.append(Post(key=mid, published_at=when.at if when else None, precision=when.precision if when else None,
                          published_raw=raw, original=not repost, pinned="[置顶]" in body,
                          title=strip_tags(re.search(r'<span class="ctt">(.*?)</span>', body, re.S).group(1), 60)
                          if '<span class="ctt">' in body else None,
                          url=f"https://weibo.cn/comment/{mid}"))
    comments = [int(n) for n in re.findall(r'>评论\[(\d+)\]<', text)]
    return {"name": name, "posts": posts, "private_message": "/im/chat" in text,
            "comments_seen": any(n > 0 for n in comments), "is_timeline": "的微博</title>" in text}


def render_data(text: str) -> dict | None:
    """The status object of a ``/detail/<mid>`` (or ``/status/<bid>``) page."""
    m = re.search(r"var \$render_data = (\[.*?\])\[0\]", text, re.S)
    if not m:
        return None
    try:
        data = json.loads(m.group(1))
    except ValueError:
        return None
    if data and isinstance(data[0], dict) and isinstance(data[0].get("status"), dict):
        return data[0]["status"]
    return None


# ---- the adapter -----------------------------------------------------------------------------------

def _is_login(doc: Document) -> bool:
    host = (urlsplit(doc.url).hostname or "").lower()
    if host in LOGIN_HOSTS:
        return True
    head = doc.text[:4000] if doc.content_type.startswith("text/html") else ""
    return "Sina Visitor System" in head or "passport.weibo.cn/signin" in head


class WeiboAdapter(Adapter):
    kind = "weibo"

    def recognizes(self, doc: Document) -> bool:
        j = doc.json
        if isinstance(j, dict) and "ok" in j and isinstance(j.get("data", {}), (dict, type(None))):
            data = j.get("data") or {}
            return bool({"userInfo", "cards", "cardlistInfo", "user", "data"} & set(data)) or "msg" in j or \
                "url" in j
        if isinstance(j, list) and j and isinstance(j[0], dict) and "card_group" in j[0]:
            return True
        if _is_login(doc):
            return True
        if doc.content_type.startswith("text/html") or doc.json is None:
            t = doc.text[:200000]
            return "var $render_data" in t or ('<div class="c" id="M_' in t) or \
                bool(re.search(r"<title>[^<]*(?:的微博|的资料)</title>", t) and "weibo.cn" in t)
        return False

    async def read(self, doc: Document, ctx: ReadContext) -> None:
        obs = ctx.obs
        if _is_login(doc):
            obs.status, obs.adapter = "blocked", "weibo"
            obs.reason = "微博要求登录（跳转到登录页或访客验证），未取得数据；可配置 GOVMON_WEIBO_COOKIE 或改用 RSS 桥接"
            return
        j = doc.json
        if isinstance(j, list):
            obs.adapter = "weibo"
            self._take_timeline(obs, j, doc)
            obs.status = "ok" if obs.posts else "empty"
            if not obs.posts:
                obs.reason = "微博时间线没有内容"
            return
        if isinstance(j, dict):
            await self._read_api(doc, j, ctx)
            return
        text = doc.text
        status = render_data(text)
        if status is not None:
            obs.adapter = "weibo_detail"
            user = parse_user(status.get("user") or {})
            obs.live_name, obs.name_source = user["screen_name"], "profile"
            obs.account_exists = True
            obs.posts.append(mblog_post({}, status, doc.reference_at, origin(doc.url)))
            obs.comments_open = comment_permission(status)
            obs.interaction_source = "weibo_post" if obs.comments_open is not None else None
            obs.status = "ok"
            obs.note("采集地址是单条微博，只能看到这一条")
            return
        lite = parse_lite(text, doc.reference_at)
        obs.adapter = "weibo_lite"
        obs.live_name, obs.name_source = lite["name"], "profile"
        obs.account_exists = True if lite["name"] else None
        obs.posts.extend(lite["posts"])
        obs.menu = ["私信"] if lite["private_message"] else None
        if lite["comments_seen"]:
            obs.comments_open, obs.interaction_source = True, "weibo_lite"
        if obs.posts:
            obs.status = "ok"
        else:
            obs.status = "empty"
            obs.reason = "微博页面没有列出微博（资料页或需登录）"

    # -- m.weibo.cn API --------------------------------------------------------------------------
    async def _read_api(self, doc: Document, j: dict, ctx: ReadContext) -> None:
        obs = ctx.obs
        obs.adapter = "weibo"
        data = j.get("data") if isinstance(j.get("data"), dict) else {}
        ok = j.get("ok")
        msg = str(j.get("msg") or "")
        if ok == -100 or "passport" in str(j.get("url", "")):
            obs.status = "blocked"
            obs.reason = "微博要求登录（ok=-100，登录失效或未登录），未取得数据；可配置 GOVMON_WEIBO_COOKIE"
            return
        if ok == 1 and ("userInfo" in data or "user" in data):
            await self._read_profile(doc, j, ctx)
            return
        if ok == 1 and ("cards" in data or "cardlistInfo" in data):
            await self._paginate(doc.url, ctx, first=(doc, j))
            return
        if isinstance(data.get("data"), list) and "total_number" in data:
            obs.status = "error"
            obs.reason = "采集地址是微博评论列表，不是账号主页"
            obs.evidence["comments"] = len(parse_comments(j, doc.reference_at))
            return
        uid = _uid_from_url(doc.url)
        if ok == 0 and has_vanished_words(msg):
            if _query(doc.url).get("containerid") and uid:
                # a timeline URL: ask the profile whether the account is gone or only shows nothing
                await self._profile_verdict(doc, uid, ctx)
                return
            obs.status = "vanished"
            obs.account_exists = False
            obs.reason = f"微博显示“{msg}”（账号不存在或已注销）"
            return
        obs.status = "blocked" if ok == 0 else "error"
        obs.reason = f"微博未返回数据（ok={ok}{'，' + msg if msg else ''}）"

    async def _profile_verdict(self, doc: Document, uid: str, ctx: ReadContext) -> None:
        obs = ctx.obs
        url = f"{origin(doc.url)}/api/container/getIndex?type=uid&value={uid}"
        prof = await ctx.get(url, "微博账号资料")
        pj = prof.json if prof is not None else None
        if not isinstance(pj, dict):
            obs.status, obs.reason = "empty", "微博时间线没有内容，账号资料也未能读取"
            return
        pdata = pj.get("data") if isinstance(pj.get("data"), dict) else {}
        if pj.get("ok") == 1 and "userInfo" in pdata:
            self._take_user(obs, pdata["userInfo"])
            self._no_posts(obs)
            return
        msg = str(pj.get("msg") or "")
        if pj.get("ok") == 0 and has_vanished_words(msg):
            obs.status, obs.account_exists = "vanished", False
            obs.reason = f"微博显示“{msg}”（账号不存在或已注销）"
        else:
            obs.status = "blocked" if pj.get("ok") in (0, -100) else "error"
            obs.reason = f"微博时间线没有内容，账号资料也未返回（ok={pj.get('ok')}{'，' + msg if msg else ''}）"

    def _take_user(self, obs: Observation, user_raw: dict) -> dict:
        user = parse_user(user_raw)
        obs.live_name, obs.name_source = user["screen_name"], "profile"
        obs.account_exists = True
        if isinstance(user["statuses_count"], int):
            obs.declared_posts = user["statuses_count"]
        if user["menu"] is not None:
            obs.menu = user["menu"]
            obs.interaction_source = "weibo_profile"
        if user["allow_all_comment"] is not None:
            obs.comments_open = user["allow_all_comment"]
            obs.interaction_source = "weibo_profile"
            obs.evidence["comments_from"] = "userInfo.allow_all_comment"
        return user

    def _no_posts(self, obs: Observation) -> None:
        if obs.declared_posts == 0:
            obs.status, obs.complete = "ok", True
            obs.note("账号显示 0 条微博")
        else:
            obs.status = "empty"
            shown = f"（账号显示有 {obs.declared_posts} 条）" if obs.declared_posts else ""
            obs.reason = f"微博时间线没有返回内容{shown}，可能需要登录或被限制"

    async def _read_profile(self, doc: Document, j: dict, ctx: ReadContext) -> None:
        obs = ctx.obs
        data = j["data"]
        user = self._take_user(obs, data.get("userInfo") or data.get("user") or {})
        uid = user["uid"] or _uid_from_url(doc.url) or ""
        if "userInfo" not in data:  # weibo.com ajax/profile/info: a profile without the timeline
            obs.adapter = "weibo_profile"
            if obs.declared_posts == 0:
                obs.status, obs.complete = "ok", True
            else:
                obs.status = "empty"
                obs.reason = "采集地址只有账号资料（没有微博列表），无法判断更新"
            return
        cid = timeline_containerid(j, uid)
        url = f"{origin(doc.url)}/api/container/getIndex?{urlencode({'type': 'uid', 'value': uid, 'containerid': cid})}"
        await self._paginate(url, ctx, first=None)

    async def _paginate(self, url: str, ctx: ReadContext, first) -> None:
        obs = ctx.obs
        settings = ctx.settings
        page, since_id = 1, None
        pages = 0
        while True:
            if first is not None:
                doc, j = first
                first = None
            else:
                q = _query(url)
                q.pop("page", None)
                q.pop("since_id", None)
                if since_id:
                    q["since_id"] = since_id
                elif page > 1:
                    q["page"] = str(page)
                page_url = f"{url.split('?')[0]}?{urlencode(q)}"
                doc = await ctx.get(page_url, f"微博时间线第 {page} 页")
                if doc is None:
                    if pages == 0:
                        obs.status = "error"
                        obs.reason = "微博时间线未能读取（" + "；".join(obs.evidence.get("notes", [])[-1:]) + "）"
                        return
                    break
                j = doc.json
                if not isinstance(j, dict):
                    if pages == 0:
                        obs.status, obs.reason = "error", "微博时间线返回的不是 JSON"
                        return
                    break
            pages += 1
            if j.get("ok") == -100:
                if pages == 1 and not obs.posts:
                    obs.status, obs.reason = "blocked", "微博要求登录（ok=-100），未取得时间线"
                    return
                break
            cards = iter_cards(j)
            if not cards:
                if pages == 1:
                    if obs.live_name is None:
                        uid = _uid_from_url(doc.url)
                        if uid:
                            await self._profile_verdict(doc, uid, ctx)
                            return
                    self._no_posts(obs)
                    return
                # past the last page: "ok":1 with no cards, or "这里还没有内容"; anything else
                # (a refusal on a later page) leaves the timeline incomplete
                if j.get("ok") == 1 or has_vanished_words(str(j.get("msg") or "")):
                    obs.complete = True
                break
            self._take_timeline(obs, j, doc)
            info = (j.get("data") or {}).get("cardlistInfo") or {}
            since_id = info.get("since_id") or None
            next_page = info.get("page")
            if not since_id and not next_page:
                obs.complete = True
                break
            page = int(next_page) if next_page else page + 1
            if not _need_more(obs, settings, doc.reference_at) or pages >= settings.max_pages:
                break
        obs.status = "ok" if obs.posts or obs.complete else obs.status

    def _take_timeline(self, obs: Observation, j, doc: Document) -> None:
        base = origin(doc.url)
        uid = _uid_from_url(doc.url)
        for card, mb in iter_cards(j):
            post = mblog_post(card, mb, doc.reference_at, base)
            obs.posts.append(post)
            user = mb.get("user") if isinstance(mb.get("user"), dict) else {}
            own = not uid or str(user.get("id", "")) == uid
            if own and obs.live_name is None and user.get("screen_name"):
                obs.live_name, obs.name_source = user["screen_name"], "profile"
            # comments: the account-wide switch wins; else the newest own, unpinned post decides
            if own and not post.deleted and not post.pinned and "comments_from" not in obs.evidence:
                perm = comment_permission(mb)
                if perm is not None:
                    obs.comments_open = perm
                    obs.interaction_source = obs.interaction_source or "weibo_post"
                    obs.evidence["comments_from"] = f"mblog {post.key} comment_manage_info"
        if obs.posts and obs.account_exists is None:
            obs.account_exists = True


def _need_more(obs: Observation, settings, ref: datetime) -> bool:
    """Read another page only while no original post is in hand and the pages reach back less
    than the lookback (both decisions — freshness and originality — are then made)."""
    horizon = ref - timedelta(days=settings.lookback_days)
    if any(p.original and not p.pinned and not p.deleted and not p.hidden and p.published_at
           and p.published_at > horizon for p in obs.posts):
        return False
    dated = [p.published_at for p in obs.posts if p.published_at and not p.pinned]
    if not dated:
        return True
    return min(dated) > horizon


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def _uid_from_url(url: str) -> str | None:
    q = _query(url)
    if q.get("type") == "uid" and q.get("value", "").isdigit():
        return q["value"]
    cid = q.get("containerid", "")
    for prefix in (TIMELINE_PREFIX, "100505", "230283", "230413"):
        if cid.startswith(prefix):
            rest = re.match(r"\d+", cid[len(prefix):])
            if rest:
                return rest.group(0)
    return None


def weibo_start_url(base: str, uid: str) -> str:
    return f"{base}/api/container/getIndex?type=uid&value={uid}"


need_more = _need_more
