"""Error classes of probe outcomes: responses, exceptions, other monitors' words (pure functions)."""

from __future__ import annotations

import asyncio
import ssl

import aiohttp
import pytest
from multidict import CIMultiDict

from govmon.probe.classify import classify_exception, classify_import, classify_response, is_blank, waf_product
from govmon.probe.prober import Target
from govmon.probe.store import order_targets

HOMEPAGE = ("<html><head><title>鹰川市人民政府</title></head><body>" + "<li>要闻</li>" * 3000 + "</body></html>").encode()
RUISHU = b'<html><head><meta id="9DhefwqGPrzGxEp9hPaoag"><script>$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};</script></head></html>'
JSL = b"<html><script>document.cookie=('_')+('_jsl_clearance_s=1')+';Expires=';location.href=location.pathname</script></html>"
JSL_REAL = b"<script>document.cookie=('__jsl_clearance=1600000000.1|0|abc');location.href=location.pathname</script>"
SAFEDOG_GBK = "<html><title>网站防火墙</title><body>您的请求带有不合法参数，已被网站管理员设置拦截！安全狗</body></html>".encode("gbk")


@pytest.mark.parametrize("status,headers,body,expected", [
    (200, {}, HOMEPAGE, None),
    (200, {}, b"<html><body><p>\xe9\xa6\x96\xe9\xa1\xb5</p></body></html>", None),   # small but has text
    (200, {}, b"<html><head><script src=/a.js></script></head><body></body></html>", None),  # loads a script
    (200, {}, b'<meta http-equiv="refresh" content="0;url=/zwgk/">', None),  # a refresh to the real page
    (200, {}, b"", "empty_body"),
    (200, {}, b" \r\n\t ", "empty_body"),
    (200, {}, b"<html><head><title></title></head><body> &nbsp; </body></html>", "empty_body"),
    (204, {}, b"", "empty_body"),                            # No Content: nothing to show
    (302, {}, b"", "other"),
    (404, {}, b"<h1>Not Found</h1>", "http_4xx"),
    (403, {}, b"<h1>Forbidden</h1>", "http_4xx"),           # a bare 403 is not a firewall page
    (503, {}, b"<h1>503 Service Temporarily Unavailable</h1>", "http_5xx"),
    (502, {}, b"", "http_5xx"),
    (412, {}, RUISHU, "blocked"),                            # 瑞数 JS challenge
    (521, {}, JSL_REAL, "blocked"),                          # 知道创宇 加速乐
    (200, {}, SAFEDOG_GBK, "blocked"),                       # 安全狗 refusal in GBK with 200
    (405, {"Server": "wzws"}, b"", "blocked"),               # 360网站卫士 refusing
    (200, {"Server": "wzws"}, HOMEPAGE, None),               # the same WAF letting a visitor through
    (200, {"Set-Cookie": "__jsluid_h=abc; path=/"}, HOMEPAGE, None),
    (403, {"Set-Cookie": "__jsluid_h=abc; path=/"}, b"", "blocked"),
    (200, {}, HOMEPAGE + b"<script>$_ts=1</script>", None),  # a big real page embedding the script
])
def test_classify_response(status, headers, body, expected):
    cls, detail = classify_response(status, CIMultiDict(headers), body[:32768], len(body))
    assert cls == expected, detail
    assert (detail is None) == (expected is None)


def test_firewall_words_count_only_on_small_pages_or_refusals():
    words = "访问被拦截".encode()
    big = "<p>关于部署网站防火墙的通知：访问被拦截时请联系管理员</p>".encode() + HOMEPAGE  # a news item
    assert waf_product(200, None, words, len(words)) == "WAF 拦截页面"
    assert waf_product(200, None, big[:32768], len(big)) is None
    assert waf_product(403, None, big[:32768], len(big)) == "WAF 拦截页面"
    assert waf_product(200, None, JSL, len(JSL)) is None  # no cookie name, no match


@pytest.mark.parametrize("body,blank", [
    (b"", True), (b"   \n", True), (b"<html></html>", True), (b"<!-- nothing --><html><body></body></html>", True),
    (b"<html><body>x</body></html>", False), (b"<html><body><img src=a.png></body></html>", False),
    (b"<frameset><frame src=main.html></frameset>", False), (b"<body>" + b" " * 3000 + b"</body>", False),
])
def test_is_blank(body, blank):
    assert is_blank(body) is blank


def _conn_key():
    from aiohttp.client_reqrep import ConnectionKey

    return ConnectionKey("h", 80, False, True, None, None, None)


@pytest.mark.parametrize("exc,expected", [
    (asyncio.TimeoutError(), "timeout"),
    (aiohttp.ConnectionTimeoutError(), "timeout"),
    (aiohttp.ClientConnectorDNSError(_conn_key(), OSError(-2, "Name or service not known")), "dns"),
    (aiohttp.ClientConnectorError(_conn_key(), ConnectionRefusedError(111, "Connection refused")), "connect"),
    (aiohttp.ClientConnectorSSLError(_conn_key(), ssl.SSLError(1, "WRONG_VERSION_NUMBER")), "tls"),
    (aiohttp.ClientConnectorCertificateError(_conn_key(), ssl.SSLCertVerificationError(1, "expired")), "tls"),
    (ssl.SSLError(1, "handshake failure"), "tls"),
    (aiohttp.ServerDisconnectedError(), "connect"),
    (aiohttp.ClientOSError(104, "Connection reset by peer"), "connect"),
    (aiohttp.ClientPayloadError("Response payload is not completed"), "connect"),
    (ConnectionResetError(104, "reset"), "connect"),
    (ValueError("something odd"), "other"),
])
def test_classify_exception(exc, expected):
    assert classify_exception(exc)[0] == expected


@pytest.mark.parametrize("ok,status,error,expected", [
    (True, 200, "", None),
    (False, None, "timeout", "timeout"),
    (False, None, "超时", "timeout"),
    (False, None, "Read timed out", "timeout"),
    (False, None, "连接被拒绝", "connect"),
    (False, None, "连接被重置", "connect"),
    (False, None, "Connection refused", "connect"),
    (False, None, "域名解析失败", "dns"),
    (False, None, "SSL证书过期", "tls"),
    (False, 200, "空白页面", "empty_body"),
    (False, 403, "被WAF拦截", "blocked"),
    (False, 503, "", "http_5xx"),
    (False, 404, "", "http_4xx"),
    (False, 302, "重定向次数过多", "other"),
    (False, None, "", "other"),
    (False, None, "http_5xx", "http_5xx"),
])
def test_classify_import(ok, status, error, expected):
    assert classify_import(ok, status, error) == expected


def test_round_order_puts_last_rounds_slowest_first():
    targets = [Target(i, f"http://127.10.0.{i}/") for i in range(1, 6)]
    previous = {1: 120, 2: 15000, 3: 3, 5: 800}  # site 4 is new
    assert [t.site_id for t in order_targets(targets, previous)] == [4, 2, 5, 1, 3]
    assert [t.site_id for t in order_targets(targets, {})] == [1, 2, 3, 4, 5]  # a first round: registry order
