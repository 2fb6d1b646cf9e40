"""WeChat official accounts (微信公众号).

- The account-history page (``/mp/profile_ext?action=home``): ``var nickname``, ``var biz``,
  ``var msgList = {…}`` (or an HTML-escaped string of it), each message's ``comm_msg_info.datetime``
  (unix) and ``app_msg_ext_info.copyright_stat`` (11 = 原创), with ``multi_app_msg_item_list`` for
  the other articles of one 群发; older messages through ``action=getmsg`` (``general_msg_list``,
  JSON inside a string). A ``profile_menu`` list, where shown, is the account's menu.
- The publish list (``/cgi-bin/appmsgpublish``, the 公众平台 back end an operator reads with their own
  logged-in session): ``publish_page`` → ``publish_list[].publish_info`` → ``appmsgex[]`` — JSON inside
  a string inside JSON — with ``create_time`` and ``copyright_stat``/``copyright_type`` (1 = 原创).
- Article pages: ``var ct`` (unix), ``publish_time``, ``var nickname``, ``copyright_stat`` and the
  ``#copyright_logo`` 原创 tag, ``comment_id`` (0 = comments closed on the article).
- The weui message pages: 此帐号已自主注销 / 该公众号已迁移 / 此帐号已被屏蔽 (vanished), 链接已过期 and
  该内容已被发布者删除 (an article, not an account), 请在微信客户端打开链接 / 环境异常 (blocked).

The newest article is read once per account: it carries the account's nickname (the publish list
has none) and whether readers can leave comments.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from govmon.media.adapters import Adapter, ReadContext, has_vanished_words, origin, stable_key, strip_tags
from govmon.media.dates import from_timestamp, parse_feed_time
from govmon.media.http import Document
from govmon.media.model import Observation, Post
from govmon.media.weibo import need_more

ORIGINAL_HISTORY = (11,)          # app_msg_ext_info.copyright_stat: 11 原创, 100 not
ORIGINAL_PUBLISH = (1,)           # appmsgex copyright_stat / copyright_type: 1 原创, 0 not
BLOCKED_WORDS = ("请在微信客户端打开链接", "环境异常", "访问过于频繁", "操作频繁", "完成验证", "参数错误", "请登录",
                 "登录超时", "会话已过期")
ARTICLE_GONE_WORDS = ("链接已过期", "已被发布者删除", "内容已删除", "此内容因违规无法查看", "该内容已被发布者删除")

# appmsgpublish base_resp.ret
RET_VANISHED = {200002: "公众平台查无此账号（ret=200002），账号不存在或已注销"}
RET_BLOCKED = {200003: "公众平台登录已失效（ret=200003），请更新 GOVMON_WECHAT_COOKIE 和 GOVMON_WECHAT_TOKEN",
               200013: "公众平台限制访问频率（ret=200013），稍后再试",
               200040: "公众平台 token 无效（ret=200040），请更新 GOVMON_WECHAT_TOKEN"}


# ---- pure parsers ---------------------------------------------------------------------------------

def _unescape_js(value: str) -> str:
    value = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), value)
    value = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), value)
    value = re.sub(r"\\(.)", r"\1", value)
    return html.unescape(value)


def _js_string(text: str, name: str) -> str | None:
    """The first non-empty string literal assigned to ``var name`` (``var biz = "" || "MzA…";``);
    "" when every literal is empty; None when there is no such variable."""
    m = re.search(r"var\s+" + re.escape(name) + r"\s*=\s*(.+?);?\s*$", text, re.M)
    if not m:
        return None
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', m.group(1)):
        value = lit[0] or lit[1]
        if value:
            return _unescape_js(value)
    return ""


def extract_msglist(text: str) -> dict | None:
    """``var msgList = {…};`` or ``var msgList = '{&quot;list&quot;…}';`` → the object."""
    m = re.search(r"var\s+msgList\s*=\s*", text)
    if not m:
        return None
    rest = text[m.end():]
    if rest[:1] in ("'", '"'):
        q = rest[0]
        end = 1
        while end < len(rest):
            if rest[end] == "\\":
                end += 2
                continue
            if rest[end] == q:
                break
            end += 1
        raw = html.unescape(rest[1:end])
        try:
            return json.loads(raw)
        except ValueError:
            return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(rest)
        return obj if isinstance(obj, dict) else None
    except ValueError:
        return None


def _content_key(url: str | None, fallback: str) -> str:
    if url:
        q = parse_qs(urlsplit(html.unescape(url)).query)
        if q.get("mid") and q.get("idx"):
            return f"{q['mid'][0]}_{q['idx'][0]}"
        path = urlsplit(html.unescape(url)).path
        if path.startswith("/s/") and len(path) > 3:
            return path[3:]
    return fallback


def history_posts(msglist: dict, page_url: str) -> list[Post]:
    """Posts of a msgList (every article of each 群发; other message types count as posts too)."""
    out: list[Post] = []
    for msg in (msglist or {}).get("list") or []:
        if not isinstance(msg, dict):
            continue
        info = msg.get("comm_msg_info") or {}
        when = from_timestamp(info.get("datetime"))
        mid = info.get("id")
        ext = msg.get("app_msg_ext_info")
        items = []
        if isinstance(ext, dict):
            items.append(ext)
            items.extend(x for x in ext.get("multi_app_msg_item_list") or [] if isinstance(x, dict))
        if not items:  # text, image, voice or video 群发: a post without an originality flag
            out.append(Post(key=f"msg{mid}", published_at=when.at if when else None,
                            precision=when.precision if when else None,
                            published_raw=str(info.get("datetime")), original=None,
                            title=strip_tags(info.get("content"), 60)))
            continue
        for i, item in enumerate(items):
            url = html.unescape(item.get("content_url") or "") or None
            if url:
                url = urljoin(page_url, url)
            stat = item.get("copyright_stat")
            out.append(Post(
                key=_content_key(url, f"msg{mid}_{i + 1}"),
                published_at=when.at if when else None,
                precision=when.precision if when else None,
                published_raw=str(info.get("datetime")),
                original=(int(stat) in ORIGINAL_HISTORY) if isinstance(stat, (int, str)) and str(stat).isdigit() else None,
                deleted=item.get("del_flag") not in (None, 0, 1, "0", "1"),
                title=strip_tags(item.get("title"), 60),
                url=url,
            ))
    return out


def profile_menu(text: str) -> list[str] | None:
    """The menu list where the page shows one (None when it does not)."""
    m = re.search(r'<ul[^>]*class="[^"]*profile_menu[^"]*"[^>]*>(.*?)</ul>', text, re.S)
    if not m:
        return None
    return [strip_tags(x) for x in re.findall(r"<li[^>]*>(.*?)</li>", m.group(1), re.S) if strip_tags(x)]


def profile_nickname(text: str) -> str | None:
    m = re.search(r'<strong class="profile_nickname">\s*(.*?)\s*</strong>', text, re.S)
    if m and strip_tags(m.group(1)):
        return strip_tags(m.group(1))
    nick = _js_string(text, "nickname")
    if nick:
        return nick
    m = re.search(r'var\s+name\s*=\s*"[^"]*"\s*\|\|\s*"([^"]+)"', text)
    return html.unescape(m.group(1)) if m else None


def publish_posts(data: dict) -> tuple[list[Post], int | None]:
    """appmsgpublish → (posts, total). Strings inside strings are decoded."""
    page = data.get("publish_page")
    if isinstance(page, str):
        try:
            page = json.loads(page)
        except ValueError:
            page = {}
    page = page if isinstance(page, dict) else {}
    total = page.get("total_count", data.get("total_count"))
    out: list[Post] = []
    for entry in page.get("publish_list") or []:
        info = entry.get("publish_info") if isinstance(entry, dict) else None
        if isinstance(info, str):
            try:
                info = json.loads(info)
            except ValueError:
                continue
        if not isinstance(info, dict):
            continue
        for art in info.get("appmsgex") or []:
            if not isinstance(art, dict):
                continue
            when = from_timestamp(art.get("create_time") or (info.get("sent_info") or {}).get("time"))
            flags = [art.get(k) for k in ("copyright_stat", "copyright_type") if isinstance(art.get(k), int)]
            key = art.get("aid") or f"{art.get('appmsgid')}_{art.get('itemidx')}"
            out.append(Post(
                key=str(key) if key else stable_key("wx", art.get("link"), art.get("title")),
                published_at=when.at if when else None,
                precision=when.precision if when else None,
                published_raw=str(art.get("create_time")),
                original=any(f in ORIGINAL_PUBLISH for f in flags) if flags else None,
                deleted=bool(art.get("is_deleted")),
                title=strip_tags(art.get("title"), 60),
                url=art.get("link"),
            ))
    return out, total if isinstance(total, int) else None


def parse_article(text: str) -> dict:
    """An article page: nickname, publish time, 原创 flag, comments switch, title; or its weui message."""
    ct = _js_string(text, "ct")
    when = from_timestamp(ct) if ct else None
    if when is None:
        pt = _js_string(text, "publish_time")
        when = parse_feed_time(pt) if pt else None
    stat = _js_string(text, "copyright_stat")
    if stat is None:
        stat = _js_string(text, "_copyright_stat")
    original = None
    if 'id="copyright_logo"' in text:
        original = True
    elif stat is not None and stat.strip().isdigit():
        original = int(stat) in (1, 11)
    cid = _js_string(text, "comment_id")
    comment_id = int(cid) if cid and cid.strip().isdigit() else None
    m = re.search(r'<h2 class="weui-msg__title">\s*(.*?)\s*</h2>', text, re.S)
    title = _js_string(text, "msg_title")
    if not title:
        tm = re.search(r"<title>(.*?)</title>", text, re.S)
        title = strip_tags(tm.group(1)) if tm else None
    return {
        "nickname": _js_string(text, "nickname") or profile_nickname(text),
        "published": when,
        "original": original,
        "comment_id": comment_id,
        "comments_open": None if comment_id is None else comment_id != 0,
        "title": title,
        "biz": _js_string(text, "biz"),
        "user_name": _js_string(text, "user_name"),
        "message": strip_tags(m.group(1)) if m else None,
    }


def is_article(text: str) -> bool:
    return bool(re.search(r"var\s+ct\s*=", text)) and ("rich_media" in text or "var nickname" in text)


def is_weui_message(text: str) -> bool:
    return "weui-msg__title" in text or "weui_msg_title" in text


# ---- the adapter -----------------------------------------------------------------------------------

class WeChatAdapter(Adapter):
    kind = "wechat"

    def recognizes(self, doc: Document) -> bool:
        j = doc.json
        if isinstance(j, dict):
            return "publish_page" in j or "base_resp" in j or "general_msg_list" in j or \
                ({"ret", "errmsg"} <= set(j) and "can_msg_continue" in j) or \
                ({"ret", "errmsg"} <= set(j) and ("mp.weixin" in doc.url or "/mp/profile_ext" in doc.url))
        if j is not None:
            return False
        t = doc.text
        return "var msgList" in t or is_article(t) or is_weui_message(t) or \
            any(w in t for w in BLOCKED_WORDS[:2]) and "weixin" in t

    async def read(self, doc: Document, ctx: ReadContext) -> None:
        obs = ctx.obs
        j = doc.json
        if isinstance(j, dict):
            if "publish_page" in j or "base_resp" in j:
                obs.adapter = "wechat_publish"
                await self._read_publish(doc, j, ctx)
            else:
                obs.adapter = "wechat_getmsg"
                self._read_getmsg(doc, j, obs, first=True)
                if obs.status == "ok":
                    await self._newest_article(ctx)
            return
        text = doc.text
        if "var msgList" in text:
            obs.adapter = "wechat_profile"
            await self._read_history(doc, text, ctx)
            return
        if is_article(text):
            obs.adapter = "wechat_article"
            art = parse_article(text)
            when = art["published"]
            obs.posts.append(Post(key=_content_key(doc.url, stable_key("wx", doc.url)),
                                  published_at=when.at if when else None, precision=when.precision if when else None,
                                  published_raw=_js_string(text, "ct"), original=art["original"], title=art["title"],
                                  url=doc.url))
            self._take_article(obs, art)
            obs.status = "ok"
            obs.note("采集地址是单篇文章，只能看到这一篇")
            return
        obs.adapter = "wechat_message"
        self._classify_message(text, obs)

    # -- message pages ---------------------------------------------------------------------------
    @staticmethod
    def _classify_message(text: str, obs: Observation) -> None:
        m = re.search(r'<h2 class="weui-msg__title">\s*(.*?)\s*</h2>', text, re.S)
        message = strip_tags(m.group(1)) if m else strip_tags(text, 80) or ""
        if has_vanished_words(message):
            obs.status, obs.account_exists = "vanished", False
            obs.reason = f"微信显示“{message}”"
        elif any(w in message for w in ARTICLE_GONE_WORDS):
            obs.status = "error"
            obs.reason = f"采集地址是一篇文章，微信显示“{message}”（不是账号主页）"
        elif any(w in message for w in BLOCKED_WORDS):
            obs.status = "blocked"
            obs.reason = f"微信显示“{message}”（需在微信客户端内打开或链接缺少有效凭据），未取得数据"
        else:
            obs.status = "error"
            obs.reason = f"微信返回提示页“{message}”"

    # -- history page ----------------------------------------------------------------------------
    async def _read_history(self, doc: Document, text: str, ctx: ReadContext) -> None:
        obs = ctx.obs
        msglist = extract_msglist(text)
        if msglist is None:
            obs.status, obs.reason = "error", "微信历史消息页中的 msgList 无法解析"
            return
        obs.live_name, obs.name_source = profile_nickname(text), "profile"
        obs.account_exists = True
        menu = profile_menu(text)
        if menu is not None:
            obs.menu, obs.interaction_source = menu, "wechat_profile_menu"
        obs.posts.extend(history_posts(msglist, doc.url))
        m = re.search(r"can_msg_continue\s*=\s*['\"]?(\d)", text)
        listed = len((msglist or {}).get("list") or [])
        # without the flag, a full page (the history shows the last 10) may have more behind it
        more = (m.group(1) == "1") if m else listed >= 10
        obs.status = "ok"
        if not more:
            obs.complete = True
        else:
            biz = _js_string(text, "biz") or _query(doc.url).get("__biz")
            await self._more_getmsg(doc.url, biz, listed, ctx)
        await self._newest_article(ctx)

    async def _more_getmsg(self, page_url: str, biz: str | None, offset: int, ctx: ReadContext) -> None:
        obs = ctx.obs
        pages = 1
        while biz and pages < ctx.settings.max_pages and need_more(obs, ctx.settings, obs.reference_at or
                                                                   datetime.now().astimezone()):
            q = {k: v for k, v in _query(page_url).items() if k not in ("action", "offset", "count", "f", "scene")}
            q.update({"action": "getmsg", "__biz": biz, "offset": str(offset), "count": "10", "f": "json"})
            doc = await ctx.get(f"{origin(page_url)}/mp/profile_ext?{urlencode(q)}", f"微信历史消息（offset={offset}）")
            if doc is None or not isinstance(doc.json, dict):
                return
            before = len(obs.posts)
            more = self._read_getmsg(doc, doc.json, obs, first=False)
            pages += 1
            if not more:
                obs.complete = True
                return
            offset = doc.json.get("next_offset") or offset + (len(obs.posts) - before)

    def _read_getmsg(self, doc: Document, j: dict, obs: Observation, first: bool) -> bool:
        """Returns whether more messages exist."""
        ret = j.get("ret")
        if ret not in (0, None):
            msg = str(j.get("errmsg") or "")
            if first:
                if has_vanished_words(msg):
                    obs.status, obs.account_exists, obs.reason = "vanished", False, f"微信显示“{msg}”"
                else:
                    obs.status = "blocked"
                    obs.reason = f"微信历史消息接口拒绝（ret={ret}{'，' + msg if msg else ''}），可能需要有效的访问凭据"
            else:
                obs.note(f"微信历史消息下一页：ret={ret} {msg}")
            return False
        inner = j.get("general_msg_list")
        if isinstance(inner, str):
            try:
                inner = json.loads(inner)
            except ValueError:
                inner = {}
        obs.posts.extend(history_posts(inner if isinstance(inner, dict) else {}, doc.url))
        more = j.get("can_msg_continue") == 1
        if first:
            obs.status = "ok"
            obs.account_exists = True
            obs.complete = not more and _query(doc.url).get("offset", "0") in ("", "0")
        return more

    # -- publish list ----------------------------------------------------------------------------
    async def _read_publish(self, doc: Document, j: dict, ctx: ReadContext) -> None:
        obs = ctx.obs
        ret = (j.get("base_resp") or {}).get("ret", 0)
        if ret in RET_VANISHED:
            obs.status, obs.account_exists, obs.reason = "vanished", False, RET_VANISHED[ret]
            return
        if ret in RET_BLOCKED:
            obs.status, obs.reason = "blocked", RET_BLOCKED[ret]
            return
        if ret != 0:
            msg = (j.get("base_resp") or {}).get("err_msg") or ""
            obs.status, obs.reason = "error", f"公众平台返回错误（ret={ret}{'，' + msg if msg else ''}）"
            return
        posts, total = publish_posts(j)
        obs.posts.extend(posts)
        obs.account_exists = True
        obs.status = "ok"
        q = _query(doc.url)
        begin = int(q.get("begin", "0") or 0) if q.get("begin", "0").isdigit() else 0
        count = int(q.get("count", "5") or 5) if q.get("count", "5").isdigit() else 5
        seen = begin + count
        pages = 1
        if total is not None and seen >= total and begin == 0:
            obs.complete = True
        while total is not None and seen < total and pages < ctx.settings.max_pages and \
                need_more(obs, ctx.settings, doc.reference_at):
            q.update({"begin": str(seen), "count": str(count)})
            nxt = await ctx.get(f"{doc.url.split('?')[0]}?{urlencode(q)}", f"公众平台发表记录（begin={seen}）")
            if nxt is None or not isinstance(nxt.json, dict) or (nxt.json.get("base_resp") or {}).get("ret", 0) != 0:
                break
            more, _ = publish_posts(nxt.json)
            obs.posts.extend(more)
            seen += count
            pages += 1
            if seen >= total:
                obs.complete = True
        if not obs.posts and total == 0:
            obs.complete = True
        await self._newest_article(ctx)

    # -- the newest article: nickname and comments ----------------------------------------------
    async def _newest_article(self, ctx: ReadContext) -> None:
        obs = ctx.obs
        dated = [p for p in obs.posts if p.url and p.published_at and not p.deleted]
        if not dated:
            return
        newest = max(dated, key=lambda p: p.published_at)
        url = newest.url
        if not ctx.same_platform(url, "wechat"):
            return
        doc = await ctx.get(url, "最新文章（账号名称与留言功能）")
        if doc is None:
            return
        text = doc.text
        if not is_article(text):
            if is_weui_message(text):
                obs.note(f"最新文章：{parse_article(text)['message']}")
            return
        art = parse_article(text)
        obs.evidence["article"] = url
        self._take_article(obs, art)
        if newest.original is None and art["original"] is not None:
            newest.original = art["original"]

    @staticmethod
    def _take_article(obs: Observation, art: dict) -> None:
        if art["nickname"] and (obs.live_name is None or obs.name_source != "profile"):
            obs.live_name, obs.name_source = art["nickname"], "article"
            obs.account_exists = True
        if art["comments_open"] is not None:
            obs.comments_open = art["comments_open"]
            obs.evidence["comments_from"] = "article comment_id"
            obs.interaction_source = "wechat_profile_menu+article" if obs.menu is not None else "wechat_article"


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def profile_url(base: str, biz: str) -> str:
    return f"{base}/mp/profile_ext?{urlencode({'action': 'home', '__biz': biz, 'scene': '124'})}#wechat_redirect"


def publish_url(base: str, biz: str, token: str) -> str:
    q = {"sub": "list", "search_field": "null", "begin": "0", "count": "5", "query": "", "fakeid": biz,
         "type": "101_1", "free_publish_type": "1", "sub_action": "list_ex", "token": token, "lang": "zh_CN",
         "f": "json", "ajax": "1"}
    return f"{base}/cgi-bin/appmsgpublish?{urlencode(q)}"
