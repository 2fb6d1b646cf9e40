"""New-media endpoints over real HTTP: Weibo (m.weibo.cn shapes), WeChat (history page, getmsg,
appmsgpublish, articles) and the RSS bridge (RSS 2.0, Atom, JSON Feed)."""

from __future__ import annotations

import email.utils
import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from sandbox_helpers import ANCHOR, fetch, patched_faults

pytestmark = pytest.mark.integration


def weibo(sandbox, query: str):
    return fetch(f"{sandbox.platform_url('weibo')}/api/container/getIndex?{query}")


def age(ts: float) -> timedelta:
    return ANCHOR - datetime.fromtimestamp(ts, ANCHOR.tzinfo)


def wechat_msglist(text: str) -> dict:
    m = re.search(r"var msgList = (.*?);\n", text)
    raw = m.group(1)
    if raw.startswith("'"):
        raw = html.unescape(raw[1:-1])
    return json.loads(raw)


# ---- Weibo --------------------------------------------------------------------------------------


def test_weibo_profile_and_timeline(sandbox, small):
    acct = small.account("wb_fresh")
    r = weibo(sandbox, f"type=uid&value={acct.account_id}")
    d = r.json()
    assert r.status == 200 and d["ok"] == 1
    user = d["data"]["userInfo"]
    assert user["id"] == int(acct.account_id) and user["screen_name"] == "鹰川发布" and user["verified"] is True
    assert user["statuses_count"] == 6
    tab = next(t for t in d["data"]["tabsInfo"]["tabs"] if t["tabKey"] == "weibo")
    assert tab["containerid"] == f"107603{acct.account_id}"
    tl = weibo(sandbox, f"containerid={tab['containerid']}&page=1").json()
    assert tl["ok"] == 1
    cards = tl["data"]["cards"]
    assert all(c["card_type"] == 9 for c in cards)
    created = [c["mblog"]["created_at"] for c in cards]
    assert created[:3] == ["刚刚", "5分钟前", "3小时前"]
    assert re.fullmatch(r"昨天 \d\d:\d\d", created[3])
    assert created[4:] == ["09-10", "2025-08-26"]
    assert any("retweeted_status" in c["mblog"] for c in cards)
    assert any("retweeted_status" not in c["mblog"] for c in cards)
    assert weibo(sandbox, f"containerid={tab['containerid']}&page=2").json()["ok"] == 0
    # combined form used by many scrapers
    both = weibo(sandbox, f"type=uid&value={acct.account_id}&containerid=107603{acct.account_id}").json()
    assert len(both["data"]["cards"]) == 6


def test_weibo_rfc2822_and_repost_only(sandbox, small):
    uid = small.account("wb_rfc").account_id
    cards = weibo(sandbox, f"containerid=107603{uid}&page=1").json()["data"]["cards"]
    assert len(cards) == 10
    for c in cards:
        mb = c["mblog"]
        assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \+0800 \d{4}", mb["created_at"])
        assert mb["retweeted_status"]["user"]["screen_name"]
    first = datetime.strptime(cards[0]["mblog"]["created_at"], "%a %b %d %H:%M:%S %z %Y")
    assert timedelta(days=1) < ANCHOR - first < timedelta(days=1, hours=3, seconds=1)


def test_weibo_blocked_and_vanished(sandbox, small):
    r = weibo(sandbox, f"type=uid&value={small.account('wb_blocked').account_id}")
    assert r.status == 418 and r.body == b""
    uid = small.account("wb_vanished").account_id
    for q in (f"type=uid&value={uid}", f"containerid=107603{uid}&page=1"):
        assert weibo(sandbox, q).json() == {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
    fresh = small.account("wb_fresh").account_id
    with patched_faults(sandbox, "accounts", "wb_fresh", {"blocked": 432}):
        assert weibo(sandbox, f"type=uid&value={fresh}").status == 432
    with patched_faults(sandbox, "accounts", "wb_fresh", {"vanished": "empty"}):  # exists, nothing posted
        assert weibo(sandbox, f"type=uid&value={fresh}").json()["data"]["userInfo"]["statuses_count"] == 0
        assert weibo(sandbox, f"containerid=107603{fresh}&page=1").json()["ok"] == 0


# ---- WeChat -------------------------------------------------------------------------------------


def test_wechat_history_page(sandbox, small):
    r = fetch(sandbox.feed_url("wx_fresh"))
    text = r.text()
    assert r.status == 200
    assert 'var nickname = "鹰川发布";' in text
    assert f'var biz = "{small.account("wx_fresh").account_id}"' in text
    msgs = wechat_msglist(text)["list"]
    assert len(msgs) == 10
    newest = msgs[0]["comm_msg_info"]["datetime"]
    assert timedelta(hours=3) < age(newest) < timedelta(hours=3, minutes=1)
    stats = {m["app_msg_ext_info"]["copyright_stat"] for m in msgs}
    assert stats <= {11, 100} and len(stats) == 2
    assert any(m["app_msg_ext_info"]["multi_app_msg_item_list"] for m in msgs)
    # the article behind content_url
    url = html.unescape(msgs[0]["app_msg_ext_info"]["content_url"])
    art = fetch(url).text()
    assert f'var ct = "{newest}";' in art and 'var nickname = "鹰川发布";' in art
    assert re.search(r'var comment_id = "[1-9]\d*" \* 1;', art)


@pytest.mark.parametrize("key, days", [("wx_stale14", 14), ("wx_stale13", 13)])
def test_wechat_staleness(sandbox, key, days):
    text = fetch(sandbox.feed_url(key)).text()
    if key == "wx_stale14":
        assert "var msgList = '{&quot;list&quot;" in text  # the HTML-escaped string form
    newest = wechat_msglist(text)["list"][0]["comm_msg_info"]["datetime"]
    assert timedelta(days=days) < age(newest) < timedelta(days=days + 1)


def test_wechat_getmsg_paging(sandbox, small):
    biz = small.account("wx_fresh").account_id
    d = fetch(f"{sandbox.platform_url('wechat')}/mp/profile_ext?action=getmsg&__biz={biz}&offset=10&count=10"
              f"&f=json").json()
    assert d["ret"] == 0 and d["msg_count"] == 10 and d["next_offset"] == 20 and d["can_msg_continue"] == 1
    inner = json.loads(d["general_msg_list"])["list"]
    assert inner[0]["comm_msg_info"]["id"] == 1_000_000_010


def test_wechat_appmsgpublish(sandbox):
    r = fetch(sandbox.feed_url("wx_publish"))
    d = r.json()
    assert d["base_resp"]["ret"] == 0 and d["total_count"] == 30
    page = json.loads(d["publish_page"])
    infos = [json.loads(p["publish_info"]) for p in page["publish_list"]]
    assert len(infos) == 5
    items = [a for info in infos for a in info["appmsgex"]]
    assert all(a["copyright_stat"] == 1 for a in items)
    assert timedelta(days=2) < age(items[0]["create_time"]) < timedelta(days=2, hours=3, seconds=1)
    art = fetch(items[0]["link"]).text()
    assert f'var ct = "{items[0]["create_time"]}";' in art
    assert 'id="copyright_logo"' in art and "原创" in art and 'var copyright_stat = "1" * 1;' in art


def test_wechat_renamed_vanished_and_no_interaction(sandbox, small):
    text = fetch(sandbox.feed_url("wx_renamed")).text()
    assert 'var nickname = "东湖乡村振兴";' in text and small.account("wx_renamed").name == "东湖县农业农村局"
    gone = fetch(sandbox.feed_url("wx_vanished")).text()
    assert "该公众号已迁移" in gone and "msgList" not in gone
    text = fetch(sandbox.feed_url("wx_nointeract")).text()
    assert '<ul class="profile_menu" id="js_menu"></ul>' in text
    url = html.unescape(wechat_msglist(text)["list"][0]["app_msg_ext_info"]["content_url"])
    art = fetch(url).text()
    assert 'var comment_id = "0" * 1;' in art and "写留言" not in art
    with patched_faults(sandbox, "accounts", "wx_fresh", {"vanished": "banned"}):
        assert "此帐号已被屏蔽" in fetch(sandbox.feed_url("wx_fresh")).text()


# ---- RSS bridge ---------------------------------------------------------------------------------


def test_rss_feed_rfc822(sandbox):
    r = fetch(sandbox.feed_url("wx_rss"))
    assert r.status == 200 and r.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(r.body).find("channel")
    assert channel.findtext("title") == "南岭发布"
    items = channel.findall("item")
    assert len(items) == 30
    first = email.utils.parsedate_to_datetime(items[0].findtext("pubDate"))
    assert timedelta(days=1) < ANCHOR - first < timedelta(days=1, hours=3, seconds=1)
    link = items[0].findtext("link")
    assert "/s/" in link and fetch(link).status == 200


def test_rss_date_only_utc(sandbox):
    channel = ET.fromstring(fetch(sandbox.feed_url("dy_fresh")).body).find("channel")
    dates = [i.findtext("pubDate") for i in channel.findall("item")]
    assert all(d.endswith(" 00:00:00 +0000") for d in dates)
    assert dates[0] == (ANCHOR - timedelta(days=2)).strftime("%a, %d %b %Y 00:00:00 +0000")
    video = channel.find("item").findtext("link")
    assert "/v/dy_fresh/0.html" in video and "鹰川融媒" in fetch(video).text()


def test_rss_gb2312_with_cn_dates(sandbox):
    r = fetch(sandbox.feed_url("tt_cn"))
    assert r.body.startswith(b'<?xml version="1.0" encoding="gb2312"?>')
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")
    text = r.body.decode("gb2312")
    assert "<title>东湖发布</title>" in text
    dates = re.findall(r"<pubDate>([^<]+)</pubDate>", text)
    assert all(re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d\d:\d\d", d) for d in dates)
    assert dates[0].startswith("2026-9-29 ")


def test_atom_and_json_feeds(sandbox):
    r = fetch(sandbox.feed_url("dy_atom"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(r.body)
    assert feed.findtext("a:title", namespaces=ns) == "西山文旅抖音"
    published = [datetime.fromisoformat(e.findtext("a:published", namespaces=ns))
                 for e in feed.findall("a:entry", ns)]
    assert len(published) == 10 and timedelta(days=20) < ANCHOR - published[0] < timedelta(days=21)
    base = sandbox.platform_url("rss")
    d = fetch(f"{base}/feeds/wx_rss.json").json()
    assert d["version"] == "https://jsonfeed.org/version/1.1" and d["title"] == "南岭发布"
    assert {tag for it in d["items"] for tag in it["tags"]} <= {"原创", "转载"}
    assert fetch(f"{base}/feeds/wx_rss.atom").status == 200


def test_feed_faults(sandbox):
    assert fetch(sandbox.feed_url("tt_json")).status == 503
    r = fetch(sandbox.feed_url("dy_blocked"))
    assert r.status == 432 and r.body == b""
    base = sandbox.platform_url("rss")
    assert fetch(f"{base}/feeds/wb_vanished.xml").status == 404
    assert fetch(f"{base}/feeds/nosuch.xml").status == 404
    with patched_faults(sandbox, "accounts", "tt_json", {"feed_down": None}):
        assert fetch(sandbox.feed_url("tt_json")).status == 200
    with patched_faults(sandbox, "accounts", "dy_fresh", {"feed_down": 502}):
        assert fetch(sandbox.feed_url("dy_fresh")).status == 502


def test_account_content_at_runtime(sandbox, small):
    url = sandbox.feed_url("wx_stale13")
    sandbox.set_content("wx_stale13", {"live_name": "鹰川人社新名", "posts": {"last_days_ago": 20}}, kind="accounts")
    try:
        text = fetch(url).text()
        assert 'var nickname = "鹰川人社新名";' in text
        newest = wechat_msglist(text)["list"][0]["comm_msg_info"]["datetime"]
        assert timedelta(days=20) < age(newest) < timedelta(days=21)
    finally:
        sandbox.set_content("wx_stale13", {"live_name": small.account("wx_stale13").live_name,
                                           "posts": {"last_days_ago": 13}}, kind="accounts")
    assert 'var nickname = "鹰川人社";' in fetch(url).text()
