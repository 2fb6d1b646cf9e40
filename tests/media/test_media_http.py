"""Settings, rate limits and decoding: pure units, plus one timing test over real loopback servers."""

from __future__ import annotations

import asyncio
import json

import pytest
from local_servers import LocalServer, body

from govmon.media.http import HostStopped, RateLimiter, decode_bytes
from govmon.media.settings import MediaSettings, host_key, is_loopback_host, parse_routes


def test_weibo_stays_at_one_request_per_second_off_loopback():
    st = MediaSettings(weibo_base="https://m.weibo.cn", weibo_rps=50.0)
    assert st.rps_for(host_key("https://m.weibo.cn/api/container/getIndex")) == 1.0
    assert st.rps_for(host_key("https://weibo.cn/u/1")) == 1.0          # any Weibo host
    proxy = MediaSettings(weibo_base="http://10.0.0.5:8080", weibo_rps=50.0)
    assert proxy.rps_for(host_key("http://10.0.0.5:8080/x")) == 1.0      # a proxy for it too
    sandbox = MediaSettings(weibo_base="http://127.20.0.1:18080", weibo_rps=25.0)
    assert sandbox.rps_for(host_key("http://127.20.0.1:18080/api")) == 25.0
    assert MediaSettings().rps_for(host_key("https://m.weibo.cn/")) == 1.0


def test_rates_and_cookies_per_host():
    st = MediaSettings(wechat_base="https://mp.weixin.qq.com", rss_base="http://bridge.local:1200", wechat_rps=0.5,
                       rss_rps=2.0, other_rps=1.0, weibo_cookie="SUB=w", wechat_cookie="sid=x")
    assert st.rps_for(host_key("https://mp.weixin.qq.com/s/abc")) == 0.5
    assert st.rps_for(host_key("http://bridge.local:1200/douyin/user/1")) == 2.0
    assert st.rps_for(host_key("https://gov.example/feed.xml")) == 1.0
    assert st.cookie_for(host_key("https://m.weibo.cn/api")) == "SUB=w"
    assert st.cookie_for(host_key("https://mp.weixin.qq.com/cgi-bin/appmsgpublish")) == "sid=x"
    assert st.cookie_for(host_key("http://bridge.local:1200/x")) == ""


def test_settings_from_env():
    env = {"GOVMON_WEIBO_BASE_URL": "http://127.20.0.1:18080/", "GOVMON_WEIBO_MAX_RPS": "3",
           "GOVMON_RSS_BASE_URL": "http://127.20.0.3:18080", "GOVMON_RSS_ROUTES": "快手=/ks/{id}",
           "GOVMON_MEDIA_LOOKBACK_DAYS": "120"}
    st = MediaSettings.from_env(env)
    assert st.weibo_base == "http://127.20.0.1:18080" and st.weibo_rps == 3.0 and st.lookback_days == 120
    assert st.rss_routes["快手"] == "/ks/{id}" and st.rss_routes["抖音"] == "/douyin/user/{id}"
    with pytest.raises(ValueError, match="GOVMON_WEIBO_MAX_RPS"):
        MediaSettings.from_env({"GOVMON_WEIBO_MAX_RPS": "fast"})
    with pytest.raises(ValueError, match="应大于 0"):
        MediaSettings.from_env({"GOVMON_WECHAT_MAX_RPS": "0"})
    with pytest.raises(ValueError, match="GOVMON_RSS_ROUTES"):
        parse_routes("抖音=/douyin/user")


@pytest.mark.parametrize("host, loop", [("127.0.0.1", True), ("127.20.0.3", True), ("localhost", True),
                                        ("::1", True), ("10.0.0.1", False), ("m.weibo.cn", False), ("", False)])
def test_loopback(host, loop):
    assert is_loopback_host(host) is loop


def test_decoding_trusts_bytes_over_declarations():
    text = '<?xml version="1.0" encoding="gb2312"?><rss><title>东湖发布</title></rss>'
    assert "东湖发布" in decode_bytes(text.encode("utf-8"), "gb2312")          # declares gb2312, holds UTF-8
    assert "东湖发布" in decode_bytes(text.encode("gb2312"))                   # real GB2312, declared
    assert "东湖发布" in decode_bytes("<rss><title>东湖发布</title></rss>".encode("gbk"))  # nothing declared
    assert decode_bytes("\ufeff鹰川".encode("utf-8")) == "鹰川"
    assert decode_bytes("鹰川".encode("utf-16")) == "鹰川"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    async def sleep(self, s):
        self.now += s


def test_limiter_spacing_backoff_and_breaker():
    clock = FakeClock()
    st = MediaSettings(weibo_base="https://m.weibo.cn", weibo_rps=1.0, backoff_seconds=60, backoff_max_seconds=900,
                       breaker_blocks=3)
    lim = RateLimiter(st, clock=clock, sleep=clock.sleep)
    key = host_key("https://m.weibo.cn/api")
    starts = []

    async def go():
        for _ in range(3):
            async with lim.slot(key):
                starts.append(clock.now)
        lim.refused(key, 418)                    # pause 60 s
        async with lim.slot(key):
            starts.append(clock.now)
        lim.refused(key, 418)                    # second refusal in a row: 120 s
        async with lim.slot(key):
            starts.append(clock.now)
        lim.succeeded(key)
        lim.refused(key, 432)
        lim.refused(key, 432)
        lim.refused(key, 432)                    # three in a row: stop the host
        with pytest.raises(HostStopped):
            async with lim.slot(key):
                pass

    asyncio.run(go())
    assert starts[:3] == [0.0, 1.0, 2.0]
    assert starts[3] == pytest.approx(2.0 + 60)
    assert starts[4] == pytest.approx(starts[3] + 120)
    assert lim.stopped == {key: 432} and lim.refusals[key] == 5


def test_retry_after_longer_than_backoff():
    clock = FakeClock()
    lim = RateLimiter(MediaSettings(backoff_seconds=1), clock=clock, sleep=clock.sleep)
    assert lim.refused("http://a:80", 429, retry_after=30) == 30


@pytest.mark.integration
def test_hosts_are_read_in_parallel_each_at_its_own_pace():
    """Two hosts at 4 requests a second, 5 requests each: ~1 s in all, not ~2 s (serial)."""
    from govmon.media.collect import observe_all
    from govmon.media.model import Account

    feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [
        {"id": "1", "date_published": "2029-12-31T10:00:00+08:00"}]})
    with LocalServer({"/f": body(feed)}) as a, LocalServer({"/f": body(feed)}) as b:
        accounts = [Account(i, "抖音", "x", None, (a if i % 2 else b).url(f"/f?n={i}")) for i in range(10)]
        st = MediaSettings(weibo_base="", wechat_base="", rss_base="", other_rps=4.0)
        results, stats = asyncio.run(observe_all(accounts, st))
        per_host = [sorted(s.at for s in srv.seen) for srv in (a, b)]
    assert all(r.status == "ok" for r in results)
    for times in per_host:
        gaps = [y - x for x, y in zip(times, times[1:])]
        assert len(times) == 5 and min(gaps) >= 0.24  # ≤ 4 a second on each host
    assert 0.95 <= stats.seconds < 1.8                # both hosts at once
