"""Every real response in ../shared/realdata/{weibo,wechat,feeds} through the adapters, offline.

Each file is recognised from its bytes (never from its name or URL) by the adapter the collector
would use, and read into an observation; the facts below are read from the files independently
(json, regex) so the test does not check the parser against itself. Skipped when ../shared is absent.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from media_helpers import REALDATA

from govmon.media.adapters import ReadContext
from govmon.media.collect import ADAPTERS
from govmon.media.dates import TZ
from govmon.media.http import Document
from govmon.media.model import Account, Observation
from govmon.media.settings import MediaSettings

REF = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
DIRS = ("weibo", "wechat", "feeds")


def _files():
    if not REALDATA.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{REALDATA} is absent"))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for d in DIRS for p in sorted((REALDATA / d).iterdir())]


def read(path, url="https://example.invalid/x", ctype=None) -> Observation:
    body = path.read_bytes()
    ctype = ctype or ("application/json" if path.suffix == ".json" else
                      "application/rss+xml" if ".rss" in path.name else "text/html")
    doc = Document(url=url, requested_url=url, status=200, headers={"content-type": ctype}, body=body,
                   fetched_at=REF, server_date=REF, elapsed_ms=1)
    obs = Observation(account_id=1, platform="x", status="error", reference_at=REF)
    ctx = ReadContext(None, MediaSettings(), Account(1, "x", "x"), obs)  # offline: no follow-up requests

    async def go():
        for adapter in ADAPTERS:
            if adapter.recognizes(doc):
                obs.adapter = adapter.kind
                await adapter.read(doc, ctx)
                return
        raise AssertionError(f"{path.name}: no adapter recognises it")

    asyncio.run(go())
    obs.finish_posts()
    return obs


@pytest.mark.parametrize("path", _files())
def test_every_real_file_is_recognised_and_read(path):
    obs = read(path)
    assert obs.adapter is not None
    assert obs.status in ("ok", "empty", "error", "vanished", "blocked")
    assert obs.status == "error" or obs.live_name or obs.posts, obs
    for p in obs.posts:
        assert p.key
        assert p.published_at is None or p.published_at.tzinfo is not None


def need(name: str):
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


# ---- Weibo ---------------------------------------------------------------------------------------

def test_weibo_getindex_user():
    path = need("weibo/m_weibo_cn_getindex_user.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    obs = read(path, "https://m.weibo.cn/api/container/getIndex?type=uid&value=2113725781")
    assert obs.adapter == "weibo" and obs.account_exists is True
    assert obs.live_name == raw["data"]["userInfo"]["screen_name"] == "easoncxz"
    assert obs.declared_posts == raw["data"]["userInfo"]["statuses_count"]
    assert "聊天" in obs.menu  # the private-message toolbar entry is an interaction channel
    from govmon.media.weibo import timeline_containerid

    assert timeline_containerid(raw, "2113725781") == "1076032113725781"  # from tabsInfo, tabKey weibo


def test_weibo_timeline_retweets_and_deleted_originals():
    path = need("weibo/m_weibo_cn_timeline_cards.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    cards = [c["mblog"] for c in raw["data"]["cards"] if c.get("card_type") == 9]
    obs = read(path, "https://m.weibo.cn/api/container/getIndex?containerid=2304132113725781_-_WEIBO_SECOND_PROFILE_WEIBO")
    assert len(obs.posts) == len(cards) == 10
    by_key = {p.key: p for p in obs.posts}
    for mb in cards:
        p = by_key[str(mb["mid"] if "mid" in mb else mb["id"])]
        assert p.original is ("retweeted_status" not in mb)
        assert p.published_raw == mb["created_at"]
        # "2015-04-11" is a day; "2015-04-11 20:07" a minute
        assert p.precision == ("day" if len(mb["created_at"]) == 10 else "minute")
        assert p.published_at.astimezone(TZ).strftime("%Y-%m-%d") == mb["created_at"][:10]
    # a repost of a deleted original is still the account's post, and not deleted itself
    gone = [mb for mb in cards if (mb.get("retweeted_status") or {}).get("deleted") == "1"]
    assert gone and all(not by_key[str(mb["mid"])].deleted for mb in gone)
    assert obs.live_name == "easoncxz"
    assert obs.status == "ok" and not obs.complete  # cardlistInfo.page = 2: more behind it


def test_weibo_hidden_original_in_card_group():
    path = need("weibo/m_weibo_cn_timeline_cards_hidden_post.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    group = raw[0]["card_group"]
    obs = read(path)
    assert len(obs.posts) == len(group) == 10
    hidden = [c["mblog"] for c in group if "查看权限" in (c["mblog"].get("retweeted_status") or {}).get("text", "")]
    assert len(hidden) == 1
    p = next(p for p in obs.posts if p.key == str(hidden[0]["mid"]))
    assert not p.hidden and not p.deleted and p.original is False  # the account's repost is public
    # created_timestamp (exact) wins over created_at (minutes)
    first = group[0]["mblog"]
    p0 = next(p for p in obs.posts if p.key == str(first["mid"]))
    assert p0.published_at == datetime.fromtimestamp(first["created_timestamp"], timezone.utc)
    assert obs.comments_open is True  # comment_permission_type 0


def test_weibo_comments_is_not_a_timeline():
    path = need("weibo/m_weibo_cn_comments.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    obs = read(path)
    assert obs.status == "error" and "评论" in obs.reason
    from govmon.media.weibo import parse_comments

    comments = parse_comments(raw, REF)
    assert len(comments) == len(raw["data"]["data"]) == 2
    assert comments[0]["created_at"].date().isoformat() == raw["data"]["data"][0]["created_at"]


def test_weibo_com_profile_info():
    path = need("weibo/weibo_com_ajax_profile_info.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    obs = read(path, "https://weibo.com/ajax/profile/info?uid=1959830294")
    assert obs.live_name == raw["data"]["user"]["screen_name"] == "汪有"
    assert obs.declared_posts == 16538
    assert obs.status == "empty"  # a profile alone says nothing about freshness


def test_weibo_cn_lite_pages():
    tl = need("weibo/weibo_cn_lite_timeline.html")
    text = tl.read_text(encoding="utf-8")
    obs = read(tl, "https://weibo.cn/u/1669879400")
    assert obs.adapter == "weibo_lite" and obs.live_name == "Dear-迪丽热巴"
    ids = re.findall(r'<div class="c" id="M_(\w+)"', text)
    assert [p.key for p in obs.posts] == ids
    reposts = set(re.findall(r'<div class="c" id="M_(\w+)"><div><span class="cmt">转发了', text))
    assert reposts and {p.key for p in obs.posts if p.original is False} == reposts
    first = obs.posts[0]
    assert first.published_raw == "06月17日 18:12" and first.published_at == datetime(2026, 6, 17, 18, 12, tzinfo=TZ)
    assert obs.menu == ["私信"] and obs.comments_open is True
    prof = read(need("weibo/weibo_cn_lite_profile.html"), "https://weibo.cn/1669879400/info")
    assert prof.live_name == "Dear-迪丽热巴" and prof.status == "empty"


# ---- WeChat --------------------------------------------------------------------------------------

def test_wechat_history_msglist():
    path = need("wechat/account_history_msglist.html")
    text = path.read_text(encoding="utf-8")
    raw = json.loads(re.search(r"var msgList = (\{.*?\});\s*\n", text, re.S).group(1))["list"]
    obs = read(path, "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MjM5MjAzODU2MA==")
    assert obs.adapter == "wechat_profile" and obs.live_name == "槽边往事" and obs.account_exists
    assert len(obs.posts) == len(raw) == 10
    stamps = sorted((m["comm_msg_info"]["datetime"] for m in raw), reverse=True)
    assert [int(p.published_at.timestamp()) for p in obs.posts] == stamps
    originals = sum(1 for m in raw if m["app_msg_ext_info"]["copyright_stat"] == 11)
    assert sum(1 for p in obs.posts if p.original) == originals == 8
    assert not obs.complete  # a full page of 10 with no can_msg_continue: more may be behind it


def test_wechat_appmsgpublish_json_in_strings():
    path = need("wechat/appmsgpublish_shape_sanitized.json")
    outer = json.loads(path.read_text(encoding="utf-8"))
    arts = json.loads(json.loads(outer["publish_page"])["publish_list"][0]["publish_info"])["appmsgex"]
    obs = read(path, "https://mp.weixin.qq.com/cgi-bin/appmsgpublish?sub=list&begin=0&count=5&fakeid=x")
    assert obs.adapter == "wechat_publish" and obs.status == "ok"
    assert sorted(p.key for p in obs.posts) == sorted(a["aid"] for a in arts)
    assert all(p.published_at == datetime.fromtimestamp(1767225600, timezone.utc) for p in obs.posts)
    assert all(p.original is True for p in obs.posts)  # copyright_stat 1


@pytest.mark.parametrize("name, nickname, ct", [
    ("article_gongchandangyuan.html", "共产党员", 1521515999),
    ("article_changjiangribao_voice.html", "长江日报", 1521408600),
])
def test_wechat_article_pages(name, nickname, ct):
    path = need(f"wechat/{name}")
    obs = read(path, "https://mp.weixin.qq.com/s/abc")
    assert obs.adapter == "wechat_article" and obs.live_name == nickname
    assert obs.posts[0].published_at == datetime.fromtimestamp(ct, timezone.utc)
    assert obs.posts[0].original is False     # copyright_stat 0: not marked 原创
    assert obs.comments_open is True          # a non-zero comment_id


def test_wechat_expired_article_is_not_a_vanished_account():
    obs = read(need("wechat/article_expired.html"), "https://mp.weixin.qq.com/s/old")
    assert obs.status == "error" and "链接已过期" in obs.reason
    assert obs.account_exists is None


# ---- feeds ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, encoding", [
    ("gb2312_acnnewswire.rss.xml", "gb18030"),
    ("gb2312_w3cn.rss.xml", "gb18030"),
    ("shanghai_gov_policy.rss.xml", "utf-8"),
    ("shenzhen_gov_policy.rss.xml", "utf-8"),
])
def test_feeds(name, encoding):
    path = need(f"feeds/{name}")
    text = path.read_bytes().decode(encoding)
    titles = [re.sub(r"<!\[CDATA\[|\]\]>", "", t).strip() for t in re.findall(r"<item>.*?<title>(.*?)</title>", text, re.S)]
    links = re.findall(r"<item>.*?<link>(.*?)</link>", text, re.S)
    obs = read(path)
    assert obs.adapter == "rss" and obs.status == "ok"
    assert len(obs.posts) == len(set(links))          # one post per distinct item link
    assert {p.title for p in obs.posts} <= {t[:60] for t in titles}
    assert all(p.published_at is not None for p in obs.posts)


def test_gb2312_feed_with_non_rfc822_dates():
    obs = read(need("feeds/gb2312_w3cn.rss.xml"))
    first = obs.posts[0]
    assert first.title == "如何以及何时使用sIFR"
    assert first.published_raw == "2005-5-28 16:05:36"
    assert first.published_at == datetime(2005, 5, 28, 16, 5, 36, tzinfo=TZ)


def test_gb2312_feed_with_glued_offset():
    obs = read(need("feeds/gb2312_acnnewswire.rss.xml"))
    assert any("银联" in (p.title or "") for p in obs.posts)
    p = next(p for p in obs.posts if p.published_raw == "Tue, 27 Dec 2005 13:08:54+0900")
    assert p.published_at == datetime(2005, 12, 27, 4, 8, 54, tzinfo=timezone.utc)


def test_date_only_feed_mislabelled_utc():
    obs = read(need("feeds/shanghai_gov_policy.rss.xml"))
    p = obs.posts[0]
    assert p.published_raw == "Tue, 14 Apr 2026 00:00:00 +0000"
    assert p.precision == "day" and p.published_at == datetime(2026, 4, 14, tzinfo=TZ)
    assert obs.live_name == "上海政策RSS聚合" and obs.name_source == "title"
    assert obs.covers_from == min(q.published_at for q in obs.posts)
    assert obs.covers_from >= REF - timedelta(days=3650)
