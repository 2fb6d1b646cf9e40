"""New-media endpoints in the platforms' real response shapes.

- Weibo (m.weibo.cn): ``/api/container/getIndex?type=uid&value=<uid>`` (userInfo + tabsInfo) and
  ``/api/container/getIndex?containerid=107603<uid>&page=N`` (cards with card_type 9 + mblog);
  ``/detail/<mid>`` (a status page with ``$render_data``).
- WeChat: ``/mp/profile_ext?action=home&__biz=<biz>`` (history page with ``var msgList``),
  ``/mp/profile_ext?action=getmsg&__biz=…&offset=N&count=10&f=json``,
  ``/cgi-bin/appmsgpublish?…&fakeid=<biz>&begin=0&count=5`` (JSON inside a string inside JSON),
  articles ``/s/<token>`` and ``/s?__biz=…&mid=…&idx=…``.
- RSS bridge: ``/feeds/<account key>.xml`` (RSS 2.0), ``.atom`` (Atom), ``.json`` (JSON Feed 1.1);
  ``/v/<account key>/<n>.html`` item pages for Douyin/Toutiao/Kuaishou posts.

Everything is rendered on demand from the account spec, its current faults and the anchor. Handlers
return ``(status, content_type, body_bytes)``.
"""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape as xesc

from govmon.sandbox import dates
from govmon.sandbox.content import Post, account_posts, h, hexid
from govmon.sandbox.scenario import AccountSpec, Scenario
from govmon.sandbox.templates.base import PNG_1X1

esc = html.escape
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
WEIBO_PAGE_SIZE = 10
WECHAT_HOME_COUNT = 10
FEED_MAX_ITEMS = 50
Result = tuple[int, str, bytes]


@dataclass
class MediaContext:
    anchor: datetime
    port: int
    addresses: dict[str, str]  # weibo / wechat / rss

    def base(self, platform: str) -> str:
        return f"http://{self.addresses[platform]}:{self.port}"


def _json(obj, status: int = 200) -> Result:
    return status, JSON, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fault_response(faults: dict) -> Result | None:
    """Blocked → 418/432 with an empty body; feed down → 5xx."""
    if faults.get("blocked"):
        return int(faults["blocked"]), "text/plain", b""
    if faults.get("feed_down"):
        code = int(faults["feed_down"])
        return code, "text/html", f"<html><body><h1>{code} Server Error</h1></body></html>".encode()
    return None


def feed_url(acct: AccountSpec, ctx: MediaContext) -> str:
    """The 采集地址 the registry files for an account (its configured endpoint)."""
    ep = acct.endpoint
    if ep == "weibo":
        return f"{ctx.base('weibo')}/api/container/getIndex?type=uid&value={acct.account_id}"
    if ep == "wechat_profile":
        return f"{ctx.base('wechat')}/mp/profile_ext?action=home&__biz={quote(acct.account_id, safe='=')}&scene=124"
    if ep == "wechat_publish":
        return (f"{ctx.base('wechat')}/cgi-bin/appmsgpublish?sub=list&search_field=null&begin=0&count=5"
                f"&query=&fakeid={quote(acct.account_id, safe='=')}&type=101_1&free_publish_type=1&sub_action=list_ex"
                f"&token=&lang=zh_CN&f=json&ajax=1")
    ext = {"rss": "xml", "atom": "atom", "json": "json"}[ep]
    return f"{ctx.base('rss')}/feeds/{acct.key}.{ext}"


# ----------------------------------------------------------------------------------------------
# Weibo


def _bid(mid: int) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    n, out = mid, ""
    while n:
        n, r = divmod(n, 62)
        out = alphabet[r] + out
    return out


def weibo_user(acct: AccountSpec, ctx: MediaContext, posts_count: int) -> dict:
    uid = int(acct.account_id)
    base = ctx.base("weibo")
    return {
        "id": uid,
        "screen_name": acct.live_name,
        "profile_image_url": f"{base}/img/avatar/{uid}.jpg",
        "profile_url": f"{base}/u/{uid}?uid={uid}&luicode=10000011&lfid=100103type%3D1",
        "statuses_count": posts_count,
        "verified": acct.verified,
        "verified_type": 1 if acct.verified else -1,
        "verified_type_ext": 0,
        "verified_reason": f"{acct.organizer}官方微博" if acct.verified else "",
        "close_blue_v": False,
        "description": f"{acct.organizer}官方微博",
        "gender": "m",
        "mbtype": 0,
        "urank": 30,
        "mbrank": 0,
        "follow_me": False,
        "following": False,
        "followers_count": acct.followers,
        "follow_count": 120 + acct.followers % 300,
        "cover_image_phone": f"{base}/img/cover/{uid}.jpg",
        "avatar_hd": f"{base}/img/avatar_hd/{uid}.jpg",
        "like": False,
        "like_me": False,
        "allow_all_comment": acct.comments_open,
    }


def weibo_mblog(acct: AccountSpec, post: Post, ctx: MediaContext, user: dict) -> dict:
    mid = str(post.mid)
    mb = {
        "visible": {"type": 0, "list_id": 0},
        "created_at": dates.weibo_created_at(post.dt, ctx.anchor, acct.created_at_style),
        "id": mid,
        "idstr": mid,
        "mid": mid,
        "can_edit": False,
        "show_additional_indication": 0,
        "text": post.text if post.original else f"转发微博",
        "textLength": len(post.text) * 2,
        "source": "微博 weibo.com",
        "favorited": False,
        "pic_types": "",
        "is_paid": False,
        "mblog_vip_type": 0,
        "user": {k: user[k] for k in ("id", "screen_name", "profile_image_url", "profile_url", "statuses_count",
                                      "verified", "verified_type", "verified_reason", "close_blue_v",
                                      "description", "gender", "mbtype", "urank", "mbrank", "follow_me",
                                      "following", "followers_count", "follow_count", "avatar_hd", "like",
                                      "like_me")},
        "reposts_count": h("rc", acct.key, post.index) % 40,
        "comments_count": (h("cc", acct.key, post.index) % 25) if acct.comments_open else 0,
        "attitudes_count": h("ac", acct.key, post.index) % 200,
        "pending_approval_count": 0,
        "isLongText": False,
        "reward_exhibition_type": 0,
        "hide_flag": 0,
        "mlevel": 0,
        "mblogtype": 0,
        "more_info_type": 0,
        "content_auth": 0,
        "comment_manage_info": {"comment_permission_type": -1 if acct.comments_open else 2,
                                "approval_comment_type": 0},
        "pic_num": 0,
        "bid": _bid(post.mid),
    }
    if not post.original:
        src_name, src_uid = post.repost_source
        rmid = str(5_000_000_000_000_000 + post.mid % 10**12)
        mb["pid"] = int(rmid)
        mb["pidstr"] = rmid
        mb["retweeted_status"] = {
            "visible": {"type": 0, "list_id": 0},
            "created_at": dates.weibo_created_at(post.repost_dt, ctx.anchor, acct.created_at_style),
            "id": rmid, "idstr": rmid, "mid": rmid,
            "can_edit": False,
            "text": post.text,
            "source": "微博 weibo.com",
            "favorited": False,
            "user": {"id": src_uid, "screen_name": src_name, "verified": True, "verified_type": 3,
                     "profile_url": f"{ctx.base('weibo')}/u/{src_uid}"},
            "reposts_count": 1000 + h("rrc", acct.key, post.index) % 9000,
            "comments_count": 100 + h("rcc", acct.key, post.index) % 900,
            "attitudes_count": 1000 + h("rac", acct.key, post.index) % 90000,
            "isLongText": False,
            "mblogtype": 0,
            "bid": _bid(int(rmid)),
        }
    return mb


WEIBO_EMPTY = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}


def weibo_get_index(acct: AccountSpec | None, faults: dict, query, ctx: MediaContext) -> Result:
    if acct is None:
        return _json(WEIBO_EMPTY)
    fr = fault_response(faults)
    if fr:
        return fr
    vanished = faults.get("vanished")
    if vanished and vanished != "empty":
        return _json(WEIBO_EMPTY)
    uid = acct.account_id
    posts = [] if vanished else account_posts(acct, ctx.anchor)
    user = weibo_user(acct, ctx, len(posts))
    containerid = query.get("containerid", "")
    if containerid.startswith("107603"):
        try:
            page = max(1, int(query.get("page", "1") or "1"))
        except ValueError:
            page = 1
        chunk = posts[(page - 1) * WEIBO_PAGE_SIZE: page * WEIBO_PAGE_SIZE]
        if not chunk:
            return _json(WEIBO_EMPTY)
        cards = [{"card_type": 9, "itemid": f"{containerid}_-_{p.mid}",
                  "scheme": f"{ctx.base('weibo')}/status/{_bid(p.mid)}?mblogid={_bid(p.mid)}&luicode=10000011",
                  "mblog": weibo_mblog(acct, p, ctx, user)} for p in chunk]
        more = page * WEIBO_PAGE_SIZE < len(posts)
        return _json({"ok": 1, "data": {
            "cardlistInfo": {"containerid": containerid, "v_p": 42, "show_style": 1, "total": len(posts),
                             "page": page + 1 if more else None},
            "cards": cards,
            "scheme": f"sinaweibo://cardlist?containerid={containerid}&luicode=10000011",
            "showAppTips": 0,
        }})
    # the profile: userInfo + tabsInfo
    user["toolbar_menus"] = [{"type": "profile_follow", "name": "关注", "pic": "", "params": {"uid": int(uid)}}]
    if acct.comments_open:
        user["toolbar_menus"].append({"type": "link", "name": "聊天", "pic": "",
                                      "params": {"scheme": f"sinaweibo://messagelist?uid={uid}"}})
    return _json({"ok": 1, "data": {
        "avatar_guide": [],
        "isStarStyle": 0,
        "userInfo": user,
        "fans_scheme": f"{ctx.base('weibo')}/p/index?containerid=231051_-_fans_intimacy_-_{uid}",
        "follow_scheme": f"{ctx.base('weibo')}/p/index?containerid=231051_-_followersrecomm_-_{uid}",
        "tabsInfo": {"selectedTab": 1, "tabs": [
            {"id": 1, "tabKey": "profile", "must_show": 1, "hidden": 0, "title": "主页", "tab_type": "profile",
             "containerid": f"230283{uid}"},
            {"id": 2, "tabKey": "weibo", "must_show": 1, "hidden": 0, "title": "微博", "tab_type": "weibo",
             "containerid": f"107603{uid}", "apipath": "/profile/statuses", "url": "/index/my"},
            {"id": 3, "tabKey": "original_video", "must_show": 0, "hidden": 0, "title": "视频",
             "tab_type": "video", "containerid": f"231567{uid}"},
        ]},
        "scheme": f"sinaweibo://userinfo?uid={uid}&type=uid&value={uid}",
        "showAppTips": 0,
    }})


def weibo_detail(acct: AccountSpec | None, faults: dict, post_index: int, ctx: MediaContext) -> Result:
    if acct is None:
        return 404, HTML, "<html><body>微博不存在或暂无查看权限!</body></html>".encode()
    fr = fault_response(faults)
    if fr:
        return fr
    posts = account_posts(acct, ctx.anchor)
    if faults.get("vanished") or not 0 <= post_index < len(posts):
        return 200, HTML, "<html><body><p>微博不存在或暂无查看权限!</p></body></html>".encode()
    user = weibo_user(acct, ctx, len(posts))
    status = weibo_mblog(acct, posts[post_index], ctx, user)
    data = json.dumps([{"status": status, "call": "1"}], ensure_ascii=False, indent=4)
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>微博</title></head><body>'
            f'<script>var $render_data = {data}[0] || {{}};</script></body></html>')
    return 200, HTML, page.encode("utf-8")


# ----------------------------------------------------------------------------------------------
# WeChat

WECHAT_GONE = {
    "deleted": "此帐号已自主注销，内容无法查看",
    "migrated": "该公众号已迁移",
    "banned": "此帐号已被屏蔽, 内容无法查看",
}


def wechat_gh(acct: AccountSpec) -> str:
    return "gh_" + hexid("gh", acct.key, n=12)


def wechat_fakeid(acct: AccountSpec) -> str:
    try:
        raw = base64.b64decode(acct.account_id, validate=True).decode()
        if raw.isdigit():
            return raw
    except Exception:
        pass
    return str(3_000_000_000 + h("fakeid", acct.key) % 999_999_999)


WECHAT_MID_BASE = 2_247_480_000


def wechat_mid(post: Post) -> int:
    return WECHAT_MID_BASE + post.index


def wechat_token(acct: AccountSpec, post_index: int, idx: int) -> str:
    raw = f"{acct.account_id}|{WECHAT_MID_BASE + post_index}|{idx}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_wechat_token(token: str) -> tuple[str, int, int] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        biz, mid, idx = raw.rsplit("|", 2)
        return biz, int(mid) - WECHAT_MID_BASE, int(idx)
    except Exception:
        return None


def wechat_article_url(acct: AccountSpec, post_index: int, idx: int, ctx: MediaContext) -> str:
    return f"{ctx.base('wechat')}/s/{wechat_token(acct, post_index, idx)}"


def _wechat_sub_title(post: Post) -> str:
    return f"{post.title}（图解）"


def _wechat_messages(acct: AccountSpec, posts: list[Post], ctx: MediaContext) -> list[dict]:
    out = []
    fakeid = wechat_fakeid(acct)
    base = ctx.base("wechat")
    for p in posts:
        sn = hexid("sn", acct.key, p.index, n=32)
        url = (f"{base}/s?__biz={quote(acct.account_id, safe='=')}&amp;mid={wechat_mid(p)}&amp;idx=1&amp;sn={sn}"
               f"&amp;chksm={hexid('ck', acct.key, p.index, n=16)}&amp;scene=27#wechat_redirect")
        multi = []
        if p.index % 3 == 0:
            sub_url = url.replace("idx=1", "idx=2")
            multi.append({"title": _wechat_sub_title(p), "digest": "", "content": "", "fileid": 0,
                          "content_url": sub_url, "source_url": "", "cover": f"{base}/mmbiz/{sn}_2.jpg",
                          "author": acct.live_name, "copyright_stat": 11 if p.original else 100, "duration": 0,
                          "del_flag": 1, "item_show_type": 0, "audio_fileid": 0, "play_url": "",
                          "malicious_title_reason_id": 0, "malicious_content_type": 0})
        out.append({
            "comm_msg_info": {"id": 1_000_000_000 + p.index, "type": 49, "datetime": int(p.dt.timestamp()),
                              "fakeid": fakeid, "status": 2, "content": ""},
            "app_msg_ext_info": {"title": p.title, "digest": p.text[:54], "content": "", "fileid": 0,
                                 "content_url": url, "source_url": "", "cover": f"{base}/mmbiz/{sn}.jpg",
                                 "subtype": 9, "is_multi": 1 if multi else 0, "multi_app_msg_item_list": multi,
                                 "author": acct.live_name, "copyright_stat": 11 if p.original else 100,
                                 "duration": 0, "del_flag": 1, "item_show_type": 0, "audio_fileid": 0,
                                 "play_url": "", "malicious_title_reason_id": 0, "malicious_content_type": 0},
        })
    return out


def _weui_msg(title: str, status: int = 200) -> Result:
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0,viewport-fit=cover">
<title></title>
</head>
<body id="activity-detail" class="zh_CN ">
<div class="weui-msg">
<div class="weui-msg__icon-area"><i class="weui-icon-warn weui-icon_msg"></i></div>
<div class="weui-msg__text-area">
<h2 class="weui-msg__title">
{esc(title)}
</h2>
</div>
</div>
</body>
</html>
"""
    return status, HTML, page.encode("utf-8")


def wechat_profile(acct: AccountSpec | None, faults: dict, query, ctx: MediaContext) -> Result:
    if acct is None:
        return _weui_msg("参数错误")
    fr = fault_response(faults)
    if fr:
        return fr
    vanished = faults.get("vanished")
    if vanished and vanished != "empty":
        if query.get("action") == "getmsg":
            return _json({"ret": -6, "errmsg": WECHAT_GONE[vanished]})
        return _weui_msg(WECHAT_GONE[vanished])
    posts = [] if vanished == "empty" else account_posts(acct, ctx.anchor)
    if query.get("action") == "getmsg":
        try:
            offset = max(0, int(query.get("offset", "0")))
            count = min(max(1, int(query.get("count", "10"))), 10)
        except ValueError:
            offset, count = 0, 10
        chunk = posts[offset:offset + count]
        inner = json.dumps({"list": _wechat_messages(acct, chunk, ctx)}, ensure_ascii=False, separators=(",", ":"))
        return _json({"ret": 0, "errmsg": "ok", "msg_count": len(chunk),
                      "can_msg_continue": 1 if offset + count < len(posts) else 0,
                      "general_msg_list": inner, "next_offset": offset + len(chunk), "video_count": 1,
                      "use_video_tab": 1, "real_type": 0, "home_page_url": ""})
    msgs = _wechat_messages(acct, posts[:WECHAT_HOME_COUNT], ctx)
    data = json.dumps({"list": msgs}, ensure_ascii=False, separators=(",", ":"))
    if acct.msglist == "string":
        msglist_js = "'" + html.escape(data, quote=True).replace("'", "&#39;") + "'"
    else:
        msglist_js = data
    menu = "".join(f'<li class="profile_menu_item"><a href="javascript:void(0);">{esc(m)}</a></li>'
                   for m in acct.menu)
    gh = wechat_gh(acct)
    nick = acct.live_name
    page = f"""<!DOCTYPE html>
<html>
    <head>
        <meta http-equiv="Content-Type" content="text/html; charset=utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0" />
        <title>{esc(nick)} </title>
    </head>
    <body id="" class="zh_CN ">
<div class="page_profile_info">
    <div class="page_profile_info_inner">
        <div class="profile_info_area">
            <div class="profile_info_group">
                <span class="radius_avatar profile_avatar"><img src="{ctx.base('wechat')}/img/head/{gh}.jpg"></span>
                <div class="profile_info">
                    <strong class="profile_nickname">
                      {esc(nick)}
                    </strong>
                    <p class="profile_account">微信号: {gh}</p>
                </div>
            </div>
            <ul class="profile_desc">
                <li>
                    <label class="profile_desc_label" for="">功能介绍</label>
                    <div class="profile_desc_value" title="{esc(acct.organizer)}政务信息发布">{esc(acct.organizer)}政务信息发布</div>
                </li>
                <li>
                    <label class="profile_desc_label" for="">帐号主体</label>
                    <div class="profile_desc_value">{esc(acct.organizer)}</div>
                </li>
            </ul>
            <ul class="profile_menu" id="js_menu">{menu}</ul>
        </div>
        <div class="weui_category_title">最近10条群发</div>
        <div class="weui_msg_card_list" id="history"></div>
        <div class="msg_card_tips">仅显示最近10条群发</div>
    </div>
</div>
<script type="text/javascript">
    var biz = "{acct.account_id}" || "";
    var src = "3" ;
    var ver = "1" ;
    var timestamp = "{int(ctx.anchor.timestamp())}" ;
    var nickname = "{esc(nick)}";
    var name="{gh}"||"{esc(nick)}";
    var can_msg_continue = '{1 if len(posts) > WECHAT_HOME_COUNT else 0}' * 1;
        var msgList = {msglist_js};
</script>
    </body>
</html>
"""
    return 200, HTML, page.encode("utf-8")


def wechat_appmsgpublish(acct: AccountSpec | None, faults: dict, query, ctx: MediaContext) -> Result:
    if acct is None:
        return _json({"base_resp": {"ret": 200002, "err_msg": "invalid args"}})
    fr = fault_response(faults)
    if fr:
        return fr
    vanished = faults.get("vanished")
    if vanished and vanished != "empty":
        return _json({"base_resp": {"ret": 200002, "err_msg": "invalid args"}})
    posts = [] if vanished == "empty" else account_posts(acct, ctx.anchor)
    try:
        begin = max(0, int(query.get("begin", "0")))
        count = min(max(1, int(query.get("count", "5"))), 20)
    except ValueError:
        begin, count = 0, 5
    publish_list = []
    for p in posts[begin:begin + count]:
        ts = int(p.dt.timestamp())
        items = [(1, p.title)] + ([(2, _wechat_sub_title(p))] if p.index % 3 == 0 else [])
        appmsgex = [{
            "aid": f"{wechat_mid(p)}_{idx}", "appmsgid": wechat_mid(p), "itemidx": idx,
            "fakeid": acct.account_id, "title": title, "author_name": acct.live_name, "digest": p.text[:54],
            "link": wechat_article_url(acct, p.index, idx, ctx),
            "cover": f"{ctx.base('wechat')}/mmbiz/{hexid('sn', acct.key, p.index, n=32)}.jpg",
            "create_time": ts, "update_time": ts, "item_show_type": 0,
            "copyright_stat": 1 if p.original else 0, "copyright_type": 1 if p.original else 0,
            "is_pay_subscribe": 0, "appmsg_album_infos": [],
        } for idx, title in items]
        info = {"type": 9, "new_publish": 1, "msgid": 1_000_000_000 + p.index,
                "sent_info": {"time": ts, "func_flag": 0, "is_send_all": True, "is_published": 1},
                "sent_status": {"total": 1, "succ": 1, "fail": 0}, "appmsgex": appmsgex}
        publish_list.append({"publish_type": 101, "publish_info": json.dumps(info, ensure_ascii=False, separators=(",", ":"))})
    page = {"total_count": len(posts), "publish_count": len(posts), "masssend_count": 0,
            "publish_list": publish_list}
    return _json({"base_resp": {"ret": 0, "err_msg": "ok"}, "total_count": len(posts),
                  "publish_page": json.dumps(page, ensure_ascii=False, separators=(",", ":"))})


def wechat_article(acct: AccountSpec | None, faults: dict, post_index: int, idx: int, ctx: MediaContext) -> Result:
    if acct is None:
        return _weui_msg("链接已过期")
    fr = fault_response(faults)
    if fr:
        return fr
    if faults.get("vanished"):
        return _weui_msg("该内容已被发布者删除")
    posts = account_posts(acct, ctx.anchor)
    if not 0 <= post_index < len(posts) or idx not in (1, 2) or (idx == 2 and post_index % 3 != 0):
        return _weui_msg("链接已过期")
    p = posts[post_index]
    title = p.title if idx == 1 else _wechat_sub_title(p)
    ts = int(p.dt.timestamp())
    original_tag = ('<span id="copyright_logo" class="rich_media_meta meta_original_tag">原创</span>\n'
                    if p.original else "")
    source = "" if p.original else (f'<div class="original_primary_card_tips">本文转载自公众号'
                                    f'「{esc(p.repost_source[0])}」</div>\n')
    comment_area = ('<div class="rich_media_area_extra" id="js_cmt_area"><div class="discuss_container">'
                    '<a class="discuss_icon_tips" id="js_cmt_addbtn1">写留言</a></div></div>'
                    if acct.comments_open else "")
    comment_id = (1_900_000_000 + h("cid", acct.key, post_index) % 99_999_999) if acct.comments_open else 0
    nick = acct.live_name
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1.0,maximum-scale=1.0,user-scalable=0,viewport-fit=cover">
<meta property="og:title" content="{esc(title)}" />
<meta property="og:url" content="{wechat_article_url(acct, post_index, idx, ctx)}" />
<meta property="og:description" content="{esc(p.text[:54])}" />
<title>{esc(title)}</title>
</head>
<body id="activity-detail" class="zh_CN ">
<div id="js_article" class="rich_media">
<div class="rich_media_inner">
<div id="page-content" class="rich_media_area_primary">
<div id="img-content" class="rich_media_wrp">
<h1 class="rich_media_title " id="activity-name">
{esc(title)}
</h1>
<div id="meta_content" class="rich_media_meta_list">
{original_tag}<span class="rich_media_meta rich_media_meta_text">{esc(acct.organizer)}</span>
<span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);" id="js_name">{esc(nick)}</a></span>
<em id="publish_time" class="rich_media_meta rich_media_meta_text"></em>
</div>
{source}<div class="rich_media_content " id="js_content">
<p>{esc(p.text)}</p>
</div>
</div>
{comment_area}
</div>
</div>
</div>
<script nonce="" type="text/javascript">
var biz = "" || "{acct.account_id}";
var _copyright_stat = "{1 if p.original else 0}";
var nickname = "{esc(nick)}";
var appmsg_type = "9";
var ct = "{ts}";
var publish_time = "{p.dt:%Y-%m-%d}" || "";
var user_name = "{wechat_gh(acct)}";
var user_name_new = "";
var msg_title = "{esc(title)}";
var copyright_stat = "{1 if p.original else 0}" * 1;
var comment_id = "{comment_id}" * 1;
</script>
</body>
</html>
"""
    return 200, HTML, page.encode("utf-8")


# ----------------------------------------------------------------------------------------------
# RSS bridge


def post_link(acct: AccountSpec, p: Post, ctx: MediaContext) -> str:
    if acct.platform == "微信":
        return wechat_article_url(acct, p.index, 1, ctx)
    if acct.platform == "微博":
        return f"{ctx.base('weibo')}/detail/{p.mid}"
    return f"{ctx.base('rss')}/v/{acct.key}/{p.index}.html"


def _feed_items(acct: AccountSpec, ctx: MediaContext, vanished) -> list[Post]:
    if vanished:
        return []
    return account_posts(acct, ctx.anchor)[:FEED_MAX_ITEMS]


def _item_title(p: Post) -> str:
    return p.title if p.original else f"转发：{p.title}"


def _item_html(p: Post) -> str:
    body = f"<p>{esc(p.text)}</p>"
    if not p.original:
        body = f"<p>转发自 @{esc(p.repost_source[0])}：</p>" + body
    return body


def rss_feed(acct: AccountSpec | None, faults: dict, fmt: str, ctx: MediaContext) -> Result:
    if acct is None:
        return 404, "text/plain; charset=utf-8", "该账号不存在或已注销".encode()
    fr = fault_response(faults)
    if fr:
        return fr
    vanished = faults.get("vanished")
    if vanished and vanished != "empty":
        return 404, "text/plain; charset=utf-8", "该账号不存在或已注销".encode()
    posts = _feed_items(acct, ctx, vanished)
    self_url = f"{ctx.base('rss')}/feeds/{acct.key}.{fmt}"
    home = f"{ctx.base('rss')}/feeds/{acct.key}.html"
    name = acct.live_name
    if fmt == "json":
        feed = {"version": "https://jsonfeed.org/version/1.1", "title": name, "home_page_url": home,
                "feed_url": self_url, "description": f"{acct.platform} {name} 的最新发布",
                "language": "zh-CN", "authors": [{"name": name}],
                "_govmon": {"platform": acct.platform, "account_id": acct.account_id,
                            "comments_open": acct.comments_open, "menu": list(acct.menu)},
                "items": [{"id": post_link(acct, p, ctx), "url": post_link(acct, p, ctx), "title": _item_title(p),
                           "content_html": _item_html(p), "date_published": p.dt.isoformat(),
                           "authors": [{"name": name}], "tags": ["原创" if p.original else "转载"]}
                          for p in posts]}
        return _json(feed)
    if fmt == "atom":
        updated = posts[0].dt.isoformat() if posts else ctx.anchor.isoformat()
        entries = "".join(
            f"""  <entry>
    <title>{xesc(_item_title(p))}</title>
    <link href="{xesc(post_link(acct, p, ctx))}"/>
    <id>{xesc(post_link(acct, p, ctx))}</id>
    <published>{p.dt.isoformat()}</published>
    <updated>{p.dt.isoformat()}</updated>
    <author><name>{xesc(name)}</name></author>
    <category term="{'原创' if p.original else '转载'}"/>
    <summary type="html">{xesc(_item_html(p))}</summary>
  </entry>
""" for p in posts)
        doc = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{xesc(name)}</title>
  <link href="{xesc(self_url)}" rel="self"/>
  <link href="{xesc(home)}"/>
  <id>{xesc(self_url)}</id>
  <updated>{updated}</updated>
  <author><name>{xesc(name)}</name></author>
{entries}</feed>
"""
        return 200, "application/atom+xml; charset=utf-8", doc.encode("utf-8")
    # RSS 2.0
    enc = acct.feed_encoding
    # CDATA as most bridges emit it; escaped text for legacy encodings (a character reference is
    # not one inside CDATA)
    text = (lambda s: f"<![CDATA[{s}]]>") if enc == "utf-8" else xesc
    items = "".join(
        f"""    <item>
      <title>{text(_item_title(p))}</title>
      <link>{xesc(post_link(acct, p, ctx))}</link>
      <description>{text(_item_html(p))}</description>
      <author>{xesc(name)}</author>
      <category>{'原创' if p.original else '转载'}</category>
      <guid isPermaLink="false">{acct.key}-{p.index}-{p.mid}</guid>
      <pubDate>{dates.feed_date(p.dt, acct.feed_date_format)}</pubDate>
    </item>
""" for p in posts)
    build = dates.feed_date(ctx.anchor, "rfc822")
    doc = f"""<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{xesc(name)}</title>
    <link>{xesc(home)}</link>
    <description>{xesc(acct.platform)} {xesc(name)} 的最新发布 - RSS bridge</description>
    <language>zh-CN</language>
    <lastBuildDate>{build}</lastBuildDate>
    <atom:link href="{xesc(self_url)}" rel="self" type="application/rss+xml" />
{items}  </channel>
</rss>
"""
    ctype = f"application/rss+xml; charset={enc}"
    return 200, ctype, doc.encode(enc, errors="xmlcharrefreplace")


def rss_home(acct: AccountSpec | None, faults: dict, ctx: MediaContext) -> Result:
    """``/feeds/<key>.html``: the bridge's page for an account, linking its three feed formats."""
    if acct is None or (faults.get("vanished") and faults["vanished"] != "empty"):
        return 404, "text/plain; charset=utf-8", "该账号不存在或已注销".encode()
    fr = fault_response(faults)
    if fr:
        return fr
    links = "".join(f'<li><a href="/feeds/{acct.key}.{ext}">{label}</a></li>'
                    for ext, label in (("xml", "RSS 2.0"), ("atom", "Atom"), ("json", "JSON Feed")))
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(acct.live_name)}</title></head>'
            f'<body><h1>{esc(acct.live_name)}</h1><p>{esc(acct.platform)}</p><ul>{links}</ul></body></html>')
    return 200, HTML, page.encode("utf-8")


def video_page(acct: AccountSpec | None, faults: dict, post_index: int, ctx: MediaContext) -> Result:
    if acct is None:
        return 404, HTML, "<html><body>作品不存在</body></html>".encode()
    fr = fault_response(faults)
    if fr:
        return fr
    posts = account_posts(acct, ctx.anchor)
    if faults.get("vanished") or not 0 <= post_index < len(posts):
        return 404, HTML, "<html><body>作品不存在</body></html>".encode()
    p = posts[post_index]
    page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(p.title)} - {esc(acct.live_name)}</title>'
            f'<meta name="publish_time" content="{p.dt:%Y-%m-%d %H:%M:%S}"></head><body>'
            f'<h1>{esc(p.title)}</h1><p class="author">{esc(acct.live_name)}</p>'
            f'<p class="time">发布时间：{p.dt:%Y-%m-%d %H:%M}</p><div class="desc">{esc(p.text)}</div>'
            f'</body></html>')
    return 200, HTML, page.encode("utf-8")


# ----------------------------------------------------------------------------------------------
# dispatch


class MediaIndex:
    """Account lookup by platform id, built once per scenario."""

    def __init__(self, scenario: Scenario):
        self.by_key = {a.key: a for a in scenario.accounts}
        self.weibo = {a.account_id: a for a in scenario.accounts if a.platform == "微博"}
        self.weibo_by_index = {a.index: a for a in scenario.accounts}
        self.wechat = {a.account_id: a for a in scenario.accounts if a.platform == "微信"}


def handle(platform: str, path: str, query, index: MediaIndex, faults_of, ctx: MediaContext) -> Result:
    """Serve a request that arrived at a platform address. ``faults_of(acct)`` gives current faults."""
    if path.startswith("/img/") or path.startswith("/mmbiz/"):
        return 200, "image/png", PNG_1X1
    if platform == "weibo":
        if path == "/api/container/getIndex":
            cid = query.get("containerid", "")
            uid = None
            for prefix in ("107603", "100505", "230283"):
                if cid.startswith(prefix):
                    uid = cid[len(prefix):]
            if uid is None and query.get("type") == "uid":
                uid = query.get("value")
            acct = index.weibo.get(uid or "")
            return weibo_get_index(acct, faults_of(acct), query, ctx)
        if path.startswith("/detail/") and path[8:].isdigit():
            mid = int(path[8:])
            n = mid - 4_900_000_000_000_000
            acct = index.weibo_by_index.get(n // 100_000) if n >= 0 else None
            if acct is not None and acct.platform != "微博":
                acct = None
            return weibo_detail(acct, faults_of(acct), n % 100_000, ctx)
        return 404, JSON, b'{"ok":0,"msg":"not found"}'
    if platform == "wechat":
        if path == "/mp/profile_ext":
            acct = index.wechat.get(query.get("__biz", ""))
            return wechat_profile(acct, faults_of(acct), query, ctx)
        if path == "/cgi-bin/appmsgpublish":
            acct = index.wechat.get(query.get("fakeid", ""))
            return wechat_appmsgpublish(acct, faults_of(acct), query, ctx)
        if path == "/s":
            acct = index.wechat.get(query.get("__biz", ""))
            try:
                post_index = int(query.get("mid", "0")) - WECHAT_MID_BASE
                idx = int(query.get("idx", "1"))
            except ValueError:
                return _weui_msg("参数错误")
            return wechat_article(acct, faults_of(acct), post_index, idx, ctx)
        if path.startswith("/s/"):
            parsed = parse_wechat_token(path[3:])
            if parsed is None:
                return _weui_msg("链接已过期")
            biz, post_index, idx = parsed
            acct = index.wechat.get(biz)
            return wechat_article(acct, faults_of(acct), post_index, idx, ctx)
        return _weui_msg("参数错误")
    # rss bridge
    if path.startswith("/feeds/"):
        name = path[len("/feeds/"):]
        key, _, ext = name.rpartition(".")
        acct = index.by_key.get(key)
        if ext == "xml":
            return rss_feed(acct, faults_of(acct), "xml", ctx)
        if ext in ("atom", "json"):
            return rss_feed(acct, faults_of(acct), ext, ctx)
        if ext == "html":
            return rss_home(acct, faults_of(acct), ctx)
    if path.startswith("/v/") and path.endswith(".html"):
        parts = path[3:-5].split("/")
        if len(parts) == 2 and parts[1].isdigit():
            acct = index.by_key.get(parts[0])
            return video_page(acct, faults_of(acct), int(parts[1]), ctx)
    return 404, "text/plain; charset=utf-8", b"not found"
