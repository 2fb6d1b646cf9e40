"""Accounts served from endpoints in the platforms' formats that the project has never seen:
small real HTTP servers on 127.0.0.1 answering with variants the sandbox does not produce (other
templates, other pagination, other encodings, login walls, refusals, bridge error pages)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from aiohttp import web
from local_servers import LocalServer, body

from govmon.media.collect import observe_all
from govmon.media.dates import TZ
from govmon.media.model import Account
from govmon.media.settings import MediaSettings

pytestmark = pytest.mark.integration

CLOCK = "Tue, 01 Jan 2030 02:00:00 GMT"  # 10:00 in Beijing: "now" for the relative dates served


def settings(**kw) -> MediaSettings:
    base = dict(weibo_base="", wechat_base="", rss_base="", weibo_rps=50.0, wechat_rps=50.0, rss_rps=50.0,
                other_rps=50.0, backoff_seconds=0.01, retry_delay_seconds=0.01, timeout_seconds=3.0)
    base.update(kw)
    return MediaSettings(**base)


def observe(accounts, st):
    results, stats = asyncio.run(observe_all(accounts, st))
    return results if len(results) > 1 else results[0], stats


def acct(feed_url=None, platform="微博", ident=None, name="鹰川发布", aid=1) -> Account:
    return Account(aid, platform, name, ident, feed_url)


def dated(payload, status=200):
    def handler(request):
        return web.Response(text=json.dumps(payload, ensure_ascii=False), status=status,
                            headers={"Content-Type": "application/json; charset=utf-8", "Date": CLOCK})
    return handler


# ---- Weibo ---------------------------------------------------------------------------------------

def mblog(mid, created_at, original=True, **extra):
    mb = {"id": mid, "mid": str(mid), "created_at": created_at, "text": f"微博{mid}",
          "user": {"id": 777, "screen_name": "鹰川新名"}, "visible": {"type": 0}}
    if not original:
        mb["retweeted_status"] = {"id": mid + 1, "text": "原文", "user": {"id": 1, "screen_name": "人民日报"}}
    mb.update(extra)
    return mb


def weibo_routes():
    def get_index(request):
        q = request.query
        if q.get("type") == "uid" and "containerid" not in q:   # a profile without tabsInfo
            return dated({"ok": 1, "data": {"userInfo": {"id": 777, "screen_name": "鹰川新名", "statuses_count": 30,
                                                         "toolbar_menus": [{"name": "关注"}]}}})(request)
        if q.get("containerid") == "107603777" and "since_id" not in q:  # cursor pagination (since_id)
            cards = [
                {"card_type": 9, "mblog": mblog(1, "2020-01-01", isTop=1), "title": {"text": "置顶"}},
                {"card_type": 9, "mblog": mblog(2, "昨天 09:00", original=False)},
                {"card_type": 9, "mblog": mblog(3, "12-25", original=False)},
            ]
            return dated({"ok": 1, "data": {"cardlistInfo": {"since_id": 4000}, "cards": cards}})(request)
        if q.get("since_id") == "4000":
            cards = [{"card_type": 11, "card_group": [
                {"card_type": 9, "mblog": mblog(4, "Fri Dec 20 08:00:00 +0800 2029",
                                                comment_manage_info={"comment_permission_type": -1})}]}]
            return dated({"ok": 1, "data": {"cardlistInfo": {}, "cards": cards}})(request)
        return dated({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})(request)

    return {"/api/container/getIndex": get_index}


def test_weibo_profile_without_tabs_and_cursor_pages():
    with LocalServer(weibo_routes()) as wb:
        st = settings(weibo_base=wb.origin, weibo_cookie="SUB=operator-own-session")
        o, stats = observe([acct(ident="777")], st)
    assert o.status == "ok" and o.adapter == "weibo"
    assert o.live_name == "鹰川新名" and o.declared_posts == 30 and o.menu == []
    assert sorted(p.key for p in o.posts) == ["1", "2", "3", "4"]
    posts = {p.key: p for p in o.posts}
    # relative dates resolve against the server's Date (2030-01-01 10:00 Beijing), not our clock
    assert posts["2"].published_at == dt.datetime(2029, 12, 31, 9, 0, tzinfo=TZ)
    assert posts["3"].published_at == dt.datetime(2029, 12, 25, tzinfo=TZ)
    assert posts["1"].pinned and posts["4"].original and not posts["2"].original
    # page 1 had no original: page 2 (since_id) was read; its end means the whole timeline
    assert [s.query.get("since_id") for s in wb.seen] == [None, None, "4000"]
    assert o.complete and o.covers_from is None
    assert o.comments_open is True
    assert all(s.headers.get("Cookie") == "SUB=operator-own-session" for s in wb.seen)


def test_pinned_posts_do_not_extend_coverage():
    routes = weibo_routes()
    routes["/api/container/getIndex"] = dated({"ok": 1, "data": {"cardlistInfo": {"page": 2}, "cards": [
        {"card_type": 9, "mblog": mblog(1, "2020-01-01", isTop=1)},
        {"card_type": 9, "mblog": mblog(2, "昨天 09:00")}]}})
    with LocalServer(routes) as wb:
        o, _ = observe([acct(wb.url("/api/container/getIndex?containerid=107603777&page=1"))], settings())
    assert not o.complete
    assert o.covers_from == dt.datetime(2029, 12, 31, 9, 0, tzinfo=TZ)  # not 2020: the pinned post is old


@pytest.mark.parametrize("payload, ctype, words", [
    ({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome?entry=mweibo"}, "application/json", "ok=-100"),
    ("<html><head><title>Sina Visitor System</title></head><body></body></html>", "text/html", "访客验证"),
])
def test_weibo_login_walls_are_blocked(payload, ctype, words):
    content = json.dumps(payload) if isinstance(payload, dict) else payload
    with LocalServer({"/api/container/getIndex": body(content, ctype)}) as wb:
        o, _ = observe([acct(ident="777")], settings(weibo_base=wb.origin))
    assert o.status == "blocked" and words in o.reason and "GOVMON_WEIBO_COOKIE" in o.reason


def test_refusals_back_off_and_trip_the_breaker():
    with LocalServer({"/api/container/getIndex": body(b"", "text/plain", status=432)}) as wb:
        st = settings(weibo_base=wb.origin, backoff_seconds=0.3, breaker_blocks=2)
        results, stats = observe([acct(ident=str(700 + i), aid=i) for i in range(1, 4)], st)
        times = [s.at for s in wb.seen]
    assert len(times) == 2                       # the third account is not asked at all
    assert times[1] - times[0] >= 0.29           # paused after the first refusal
    assert [r.status for r in results] == ["blocked"] * 3
    assert sum("432" in r.reason for r in results) == 3
    assert sum("本轮已停止访问" in r.reason for r in results) == 1
    assert list(stats.stopped_hosts.values()) == [432]


def test_retry_after_is_honoured():
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return web.Response(status=429, headers={"Retry-After": "1"})
        return body(json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "鹰川发布", "items": [
            {"id": "1", "date_published": "2029-12-31T10:00:00+08:00", "title": "x"}]}))(request)

    with LocalServer({"/a.json": handler, "/b.json": handler}) as srv:
        results, _ = observe([acct(srv.url("/a.json"), "抖音", aid=1), acct(srv.url("/b.json"), "抖音", aid=2)],
                             settings())
        times = [s.at for s in srv.seen]
    assert sorted(r.status for r in results) == ["blocked", "ok"]
    assert times[1] - times[0] >= 0.95


# ---- WeChat --------------------------------------------------------------------------------------

HISTORY_OTHER_TEMPLATE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>
<div id="history"></div>
<script>
  var nickname = "\\u4e1c\\u6e56\\u53d1\\u5e03" || "";
  var biz = "" || "MzI=";
  var msgList = '{MSGLIST}';
  seajs.use("profile.js");
</script></body></html>"""


def wechat_history_routes():
    msglist = {"list": [
        {"comm_msg_info": {"id": 2, "type": 1, "datetime": 1893376800, "content": "今日通知：请关注"}},  # a text 群发
        {"comm_msg_info": {"id": 1, "type": 49, "datetime": 1893290400},
         "app_msg_ext_info": {"title": "东湖新闻", "content_url": "/s?__biz=MzI=&amp;mid=88&amp;idx=1&amp;sn=x",
                              "copyright_stat": 11, "multi_app_msg_item_list": [
                                  {"title": "副条", "content_url": "/s?__biz=MzI=&amp;mid=88&amp;idx=2",
                                   "copyright_stat": 100}]}},
    ]}
    escaped = json.dumps(msglist, ensure_ascii=False).replace("&", "&amp;").replace('"', "&quot;")
    page = HISTORY_OTHER_TEMPLATE.replace("{MSGLIST}", escaped)
    article = """<html><body><div class="rich_media"><span id="copyright_logo">原创</span></div><script>
    var nickname = "东湖发布"; var ct = "1893290400"; var comment_id = "0" * 1; var msg_title = "东湖新闻";
    </script></body></html>"""
    return {"/mp/profile_ext": body(page, "text/html; charset=utf-8"), "/s": body(article, "text/html")}


def test_wechat_history_from_another_template():
    with LocalServer(wechat_history_routes()) as wx:
        o, _ = observe([acct(platform="微信", ident="MzI=", name="东湖发布")], settings(wechat_base=wx.origin))
        paths = wx.paths()
    assert o.status == "ok" and o.adapter == "wechat_profile"
    assert o.live_name == "东湖发布"
    assert o.complete  # two messages, fewer than a page: the whole history
    assert len(o.posts) == 3 and {p.original for p in o.posts} == {None, True, False}
    assert o.posts[0].original is None and o.posts[0].published_at == dt.datetime(2029, 12, 31, 10, 0, tzinfo=TZ)
    # the newest article (relative link on the same host) told us comments are closed
    assert paths == ["/mp/profile_ext", "/s"] and o.comments_open is False
    assert o.menu is None  # this page shows no menu


def test_wechat_publish_list_with_an_expired_session():
    expired = json.dumps({"base_resp": {"ret": 200003, "err_msg": "invalid session"}})
    with LocalServer({"/cgi-bin/appmsgpublish": body(expired)}) as mp, \
            LocalServer({"/feed.xml": body("<rss><channel><title>x</title></channel></rss>", "application/xml")}) as other:
        st = settings(wechat_base=mp.origin, wechat_cookie="slave_sid=own", wechat_token="TOK")
        results, _ = observe([acct(platform="微信", ident="MzI=", aid=1),
                              acct(other.url("/feed.xml"), platform="抖音", aid=2)], st)
        wx_seen, other_seen = mp.seen[0], other.seen[0]
    wx, feed = results
    assert wx.status == "blocked" and "200003" in wx.reason and "GOVMON_WECHAT_COOKIE" in wx.reason
    # built from the base URL and 账号标识 with the operator's token; the cookie goes only there
    assert wx_seen.query["fakeid"] == "MzI=" and wx_seen.query["token"] == "TOK"
    assert wx_seen.headers.get("Cookie") == "slave_sid=own"
    assert "Cookie" not in other_seen.headers
    assert feed.status == "empty"  # a feed with no items: unknown, not "not updated"


# ---- feeds ---------------------------------------------------------------------------------------

RSS_ITEM = "<item><title>{t}</title><link>{l}</link><pubDate>{d}</pubDate>{c}</item>"


def rss(title, items, decl="utf-8"):
    head = f'<?xml version="1.0" encoding="{decl}"?>' if decl else ""
    return f"{head}<rss version=\"2.0\"><channel><title>{title}</title>{''.join(items)}</channel></rss>"


def test_feed_variants():
    gb_no_decl = rss("东湖发布", [RSS_ITEM.format(t="东湖新闻", l="http://x/1", d="2029-12-30 9:00:00", c="")],
                     decl=None).encode("gb18030")
    utf8_says_gb = rss("西山文旅", [RSS_ITEM.format(t="西山新闻", l="http://x/2", d="Mon, 30 Dec 2029 09:00:00 +0800",
                                                   c="<category>原创</category>")], decl="gb2312").encode("utf-8")
    rdf = ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
           '<channel><title>南岭发布</title></channel>'
           '<item><title>南岭</title><link>http://x/3</link><dc:date>2029-12-29T08:00:00+08:00</dc:date>'
           '<dc:creator>南岭发布</dc:creator></item></rdf:RDF>')
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>tt</title><author><name>鹰川交警</name></author>'
            '<entry><title>转载：好文</title><id>urn:1</id><updated>2029-12-28T08:00:00Z</updated>'
            '<category term="转载"/></entry></feed>')
    jf10 = json.dumps({"version": "https://jsonfeed.org/version/1", "title": "鹰川融媒的抖音",
                       "author": {"name": "鹰川融媒"}, "_bridge": {"comments_open": False, "menu": ["留言板"]},
                       "items": [{"id": "v1", "date_published": "2029-12-31T20:00:00+08:00", "title": "视频"}]})
    rsshub_title = rss("抖音博主 - 鹰川融媒", [RSS_ITEM.format(t="视频", l="http://x/5", d="Tue, 31 Dec 2029 12:00:00 GMT",
                                                              c="")])
    routes = {
        "/gb.xml": body(gb_no_decl, "application/xml"),
        "/utf8.xml": body(utf8_says_gb, "text/xml; charset=gb2312"),
        "/rdf.xml": body(rdf, "application/rdf+xml"),
        "/atom": body(atom, "application/atom+xml"),
        "/jf.json": body(jf10),
        "/rsshub.xml": body(rsshub_title, "application/xml"),
    }
    with LocalServer(routes) as srv:
        accounts = [acct(srv.url(p), "抖音", aid=i) for i, p in enumerate(routes, 1)]
        results, _ = observe(accounts, settings())
    gb, utf8, rdf_o, atom_o, jf, hub = results
    assert gb.status == "ok" and gb.posts[0].title == "东湖新闻" and gb.live_name == "东湖发布"
    assert gb.posts[0].published_at == dt.datetime(2029, 12, 30, 9, 0, tzinfo=TZ)
    assert utf8.posts[0].title == "西山新闻" and utf8.posts[0].original is True
    assert rdf_o.adapter == "rss" and rdf_o.live_name == "南岭发布" and rdf_o.name_source == "author"
    assert atom_o.adapter == "atom" and atom_o.live_name == "鹰川交警" and atom_o.posts[0].original is False
    assert atom_o.posts[0].published_at == dt.datetime(2029, 12, 28, 16, 0, tzinfo=TZ)
    assert jf.adapter == "json_feed" and jf.live_name == "鹰川融媒"
    assert (jf.comments_open, jf.menu) == (False, ["留言板"]) and "_bridge" in jf.interaction_source
    assert hub.live_name == "鹰川融媒" and hub.name_source == "title"


@pytest.mark.parametrize("content, ctype, status, expect, words", [
    (rss("鹰川发布", []), "application/rss+xml", 200, "empty", "没有任何条目"),
    ("<html><body><h1>Looks like something went wrong</h1></body></html>", "text/html", 200, "error", "无法识别"),
    ("该账号不存在或已注销", "text/plain; charset=utf-8", 404, "vanished", "不存在或已注销"),
    ("not found", "text/plain", 404, "error", "HTTP 404"),
    ("", "text/plain", 200, "error", "空响应"),
    ("<rss><channel><title>x</title><item><title>无日期</title></item></channel></rss>", "application/xml", 200,
     "empty", "没有可读的发布时间"),
])
def test_bridge_answers(content, ctype, status, expect, words):
    with LocalServer({"/f": body(content, ctype, status=status)}) as srv:
        o, _ = observe([acct(srv.url("/f"), "今日头条")], settings())
    assert o.status == expect and words in o.reason


def test_feed_url_served_as_csv_export():
    csv_text = "发布时间,标题,链接,是否原创,当前名称\n2029-12-31 10:00,通知,http://x/1,是,鹰川发布\n2029-12-01,旧文,http://x/2,否,鹰川发布\n"
    with LocalServer({"/export.csv": body(csv_text, "text/csv; charset=utf-8")}) as srv:
        o, _ = observe([acct(srv.url("/export.csv"), "快手")], settings())
    assert o.adapter == "csv" and o.status == "ok" and len(o.posts) == 2
    assert o.live_name == "鹰川发布" and [p.original for p in o.posts] == [True, False]


def test_bridge_route_built_from_the_base_url_and_id():
    feed = rss("鹰川融媒", [RSS_ITEM.format(t="v", l="http://x/1", d="Tue, 31 Dec 2029 12:00:00 +0800", c="")])
    sec_uid = "MS4wLjABAAAAtest"
    with LocalServer({f"/douyin/user/{sec_uid}": body(feed, "application/xml")}) as bridge:
        results, _ = observe([acct(None, "抖音", ident=sec_uid, aid=1), acct(None, "快手", ident="ks1", aid=2),
                              acct(None, "抖音", ident=None, aid=3)], settings(rss_base=bridge.origin))
    dy, ks, noid = results
    assert dy.status == "ok" and dy.source_url == f"{bridge.origin}/douyin/user/{sec_uid}"
    assert ks.status == "unconfigured" and "GOVMON_RSS_ROUTES" in ks.reason
    assert noid.status == "unconfigured" and "未填写账号标识和采集地址" in noid.reason


def test_feed_items_linking_to_platform_pages_reveal_interaction():
    article = ('<html><body><div class="rich_media"></div><script>var nickname = "南岭发布新名"; var ct = "1893290400";'
               ' var comment_id = "1999" * 1;</script></body></html>')
    status = {"id": "5", "mid": "5", "created_at": "12-30", "text": "x", "user": {"id": 9, "screen_name": "西山公安"},
              "comment_manage_info": {"comment_permission_type": 2}}
    detail = f'<html><script>var $render_data = [{{"status": {json.dumps(status, ensure_ascii=False)}}}][0] || {{}};</script></html>'
    with LocalServer({"/s": body(article, "text/html")}) as wx, \
            LocalServer({"/detail/5": body(detail, "text/html")}) as wb, \
            LocalServer({}) as bridge:
        bridge.routes["/wx.xml"] = body(rss("南岭发布", [RSS_ITEM.format(t="a", l=wx.url("/s?__biz=Mz&amp;mid=1&amp;idx=1"),
                                                                          d="Mon, 30 Dec 2029 10:00:00 +0800", c="")]),
                                        "application/xml")
        bridge.routes["/wb.xml"] = body(rss("西山公安", [RSS_ITEM.format(t="b", l=wb.url("/detail/5"),
                                                                          d="Mon, 30 Dec 2029 10:00:00 +0800", c="")]),
                                        "application/xml")
        st = settings(wechat_base=wx.origin, weibo_base=wb.origin, rss_base=bridge.origin)
        results, _ = observe([acct(bridge.url("/wx.xml"), "微信", aid=1), acct(bridge.url("/wb.xml"), "微博", aid=2)], st)
    wxo, wbo = results
    assert (wxo.comments_open, wxo.live_name, wxo.name_source) == (True, "南岭发布新名", "article")
    assert (wbo.comments_open, wbo.live_name) == (False, "西山公安")


def test_network_failures_are_errors_with_reasons():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]

    async def slow(request):
        await asyncio.sleep(2)
        return web.Response(text="late")

    with LocalServer({"/slow": slow}) as srv:
        results, stats = observe([acct(f"http://127.0.0.1:{closed_port}/feed", "抖音", aid=1),
                                  acct(srv.url("/slow"), "抖音", aid=2)], settings(timeout_seconds=0.5))
        slow_calls = len(srv.seen)
    refused, timeout = results
    assert refused.status == "error" and "无法连接" in refused.reason and refused.requests == 2  # retried once
    assert timeout.status == "error" and "超时" in timeout.reason and slow_calls == 2


@pytest.mark.parametrize("profile, status, words", [
    ({"ok": 1, "data": {"userInfo": {"id": 777, "screen_name": "鹰川发布", "statuses_count": 0}}}, "ok", None),
    ({"ok": 1, "data": {"userInfo": {"id": 777, "screen_name": "鹰川发布", "statuses_count": 12}}}, "empty",
     "账号显示有 12 条"),
    ({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}, "vanished", "这里还没有内容"),
    ({"ok": 0, "msg": "请求过于频繁"}, "blocked", "请求过于频繁"),
])
def test_weibo_empty_timeline_asks_the_profile(profile, status, words):
    def get_index(request):
        if "containerid" in request.query:
            return dated({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})(request)
        return dated(profile)(request)

    with LocalServer({"/api/container/getIndex": get_index}) as wb:
        o, _ = observe([acct(wb.url("/api/container/getIndex?containerid=107603777"))], settings())
    assert o.status == status, o
    if status == "ok":  # the platform itself says the account has never posted: the whole (empty) timeline
        assert o.complete and not o.posts and o.live_name == "鹰川发布"
    else:
        assert words in o.reason


def test_no_date_header_falls_back_to_the_collectors_clock():
    import http.server
    import threading

    feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [
        {"id": "1", "date_published": "2026-09-30T10:00:00+08:00"}]}).encode()

    class NoDate(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response_only(200)  # no Date, no Server header
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(feed)))
            self.end_headers()
            self.wfile.write(feed)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NoDate)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        before = dt.datetime.now(dt.timezone.utc)
        o, _ = observe([acct(f"http://127.0.0.1:{srv.server_address[1]}/f", "抖音")], settings())
    finally:
        srv.shutdown()
        srv.server_close()
    assert o.status == "ok" and o.server_date is None
    assert before <= o.reference_at == o.fetched_at <= dt.datetime.now(dt.timezone.utc)
