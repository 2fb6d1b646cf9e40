"""What a probe's outcome was: pure functions, no I/O.

Error classes (``raw.probe__probes.error_class``; null when the homepage opened):

==========  ====================================================================================
dns         the host name did not resolve
connect     no TCP connection (refused, unreachable), or the connection was reset or dropped
tls         the TLS handshake failed (certificate, protocol)
timeout     the homepage was not open within the profile's timeout (connect + redirects + body)
http_4xx    a final status 400–499 (not a firewall page)
http_5xx    a final status 500–599 (not a firewall page)
empty_body  2xx with a blank page (no bytes, or a tiny HTML page with no text and nothing loaded)
blocked     a WAF / anti-bot page answered instead of the site: says nothing about whether the
            public can open the site, so it counts neither as success nor as failure
other       anything else (redirect loop, a redirect to a non-HTTP address, a broken response)
==========  ====================================================================================
"""

from __future__ import annotations

import asyncio
import re
import ssl

import aiohttp

ERROR_CLASSES = ("dns", "connect", "tls", "timeout", "http_4xx", "http_5xx", "empty_body", "blocked", "other")

# the words an operator reads in evidence and in the 通报's annex
ERROR_LABELS = {
    "dns": "域名解析失败",
    "connect": "无法连接",
    "tls": "证书或加密连接错误",
    "timeout": "超时",
    "http_4xx": "HTTP 4xx 错误",
    "http_5xx": "HTTP 5xx 错误",
    "empty_body": "空白页面",
    "blocked": "被防火墙拦截",
    "other": "其他错误",
}


def classify_exception(exc: BaseException) -> tuple[str, str]:
    """(error class, short detail) of an exception raised while fetching a homepage."""
    cause = getattr(exc, "os_error", None)  # aiohttp's connector errors wrap the OSError
    shown = cause if isinstance(cause, OSError) else exc
    text = (shown.strerror if isinstance(shown, OSError) and shown.strerror else str(shown)) or ""
    detail = f"{type(shown).__name__}: {text}".strip().rstrip(":")[:300]
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError, aiohttp.ServerTimeoutError)):
        return "timeout", type(exc).__name__
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "dns", detail
    if isinstance(exc, (aiohttp.ClientSSLError, ssl.SSLError, ssl.CertificateError)):
        return "tls", detail
    if isinstance(exc, aiohttp.TooManyRedirects):
        return "other", "too many redirects (redirect loop)"
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError,
                        aiohttp.ClientPayloadError, ConnectionError)):
        return "connect", detail
    if isinstance(exc, OSError):
        # an OSError wrapping an SSL failure (seen from some servers) is still a TLS problem
        if isinstance(exc.__cause__, ssl.SSLError) or "SSL" in str(exc):
            return "tls", detail
        return "connect", detail
    return "other", detail


# Firewall / anti-bot pages of the vendors Chinese government sites use, recognised by literal
# markers in the first bytes of the body (in UTF-8 and GBK: many government pages are GBK) and in
# the headers. Each marker is specific to a product; a bare 403 is http_4xx. Markers are found with
# bytes.find on the lower-cased body (a regex alternation cost ~1 ms a page: the prober's bottleneck).
def _literals(*words: str) -> tuple[bytes, ...]:
    return tuple(sorted({w.encode(enc).lower() for w in words for enc in ("utf-8", "gbk")}))


_WAF_BODY = (
    (_literals("$_ts=", "$_ts =", "$_ts["), "瑞数 (RiverSecurity) JS challenge"),
    (_literals("__jsl_clearance", "__jsluid"), "知道创宇 加速乐 challenge"),
    (_literals("safedog", "安全狗"), "安全狗"),
    (_literals("yunsuo_session_verify"), "云锁"),
    (_literals("wzws-waf", "WZWS_CONFIRM", "wzwschallenge"), "360网站卫士"),
    (_literals("aliyun_waf", "waf.aliyun", "errors.aliyun.com"), "阿里云 WAF"),
    (_literals("waf.tencent-cloud", "T-Sec Web"), "腾讯云 WAF"),
    (_literals("cf-chl-", "Attention Required! | Cloudflare"), "Cloudflare challenge"),
    # generic refusal wording
    (_literals("访问被拦截", "请求已被拦截", "已被网站管理员设置拦截", "您的访问被阻断", "访问已被拦截", "网站防火墙",
               "Web应用防火墙", "疑似黑客攻击", "您的请求带有不合法参数"), "WAF 拦截页面"),
)
_WAF_HEADERS = (("cf-mitigated", re.compile(r"challenge", re.I), 100),
                ("server", re.compile(r"wzws|yunsuo|safedog", re.I), 400),
                ("set-cookie", re.compile(r"__jsluid|yunsuo_session|safedog", re.I), 400))
CHALLENGE_MAX_BYTES = 20_000  # challenge and refusal pages are small; real homepages are not
ACCEPTED_SCAN_BYTES = 2048


def waf_product(status: int | None, headers, head: bytes, total_bytes: int | None = None) -> str | None:
    """The firewall product whose page this is, or None. ``head``: the first bytes of the body.

    Body markers count on a refusal status or on a small page only: some products also embed
    their script in the real pages they let through."""
    small = (total_bytes if total_bytes is not None else len(head)) < CHALLENGE_MAX_BYTES
    refused = (status or 200) >= 400
    if small or refused:
        # a block page served as 200 names itself at the top (title, first script)
        hay = (head if refused else head[:ACCEPTED_SCAN_BYTES]).lower()
        for markers, product in _WAF_BODY:
            if any(m in hay for m in markers):
                return product
    if headers is not None:
        # a WAF in front of a healthy site sets its cookie and Server header on normal pages too:
        # those count only on a refusal status
        for name, pattern, min_status in _WAF_HEADERS:
            if (status or 0) < min_status:
                continue
            for value in _header_values(headers, name):
                if pattern.search(value):
                    return f"WAF ({name}: {value[:40]})"
    return None


def _header_values(headers, name: str) -> list[str]:
    getall = getattr(headers, "getall", None)
    if getall is not None:
        return list(getall(name, []))
    value = headers.get(name)
    return [value] if value else []


_TAG = re.compile(rb"<[^>]*>", re.S)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_HEAD = re.compile(rb"<head\b.*?</head>", re.S | re.I)
_SCRIPT_OR_STYLE = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_LOADS_SOMETHING = re.compile(rb"<(script|i?frame|frameset|img|embed|object|video)\b|http-equiv\s*=\s*[\"']?refresh",
                              re.I)
_BLANK_HTML_MAX = 2048


def is_blank(body: bytes) -> bool:
    """A blank page: no bytes but whitespace, or a small HTML page with no visible text that loads
    nothing (no script, frame, image or meta refresh), e.g. ``<html><body></body></html>``."""
    stripped = body.strip()
    if not stripped:
        return True
    if len(stripped) > _BLANK_HTML_MAX or _LOADS_SOMETHING.search(stripped):
        return False
    text = _TAG.sub(b"", _SCRIPT_OR_STYLE.sub(b"", _HEAD.sub(b"", _COMMENT.sub(b"", stripped))))
    text = text.replace(b"&nbsp;", b"").replace(b"\xc2\xa0", b"").replace(b"\xe3\x80\x80", b"")
    return not text.strip()


def classify_response(status: int, headers, head: bytes, total_bytes: int) -> tuple[str | None, str | None]:
    """(error class or None when the homepage opened, detail) of a response that came back."""
    product = waf_product(status, headers, head, total_bytes)
    if product:
        return "blocked", f"HTTP {status}: {product}"
    if 500 <= status <= 599:
        return "http_5xx", f"HTTP {status}"
    if 400 <= status <= 499:
        return "http_4xx", f"HTTP {status}"
    if not 200 <= status <= 299:
        return "other", f"HTTP {status}"
    if total_bytes == 0 or (total_bytes <= _BLANK_HTML_MAX and is_blank(head)):
        return "empty_body", f"HTTP {status}, {total_bytes} bytes"
    return None, None


# ---- words from other monitors' logs (``govmon probe import``) --------------------------------------

_IMPORT_WORDS = (
    ("blocked", ("blocked", "waf", "拦截", "防火墙", "anti-bot", "captcha", "验证码")),
    ("dns", ("dns", "域名解析", "解析失败", "name or service not known", "nxdomain", "getaddrinfo")),
    ("tls", ("ssl", "tls", "证书", "certificate", "handshake")),
    ("timeout", ("timeout", "timed out", "超时", "time out")),
    ("empty_body", ("empty", "blank", "空白", "空页面", "内容为空", "无内容")),
    ("connect", ("refused", "reset", "connect", "unreachable", "拒绝", "重置", "连接", "无法访问", "不可达")),
    ("other", ("redirect", "重定向")),
)


def classify_import(ok: bool, status: int | None, error: str) -> str | None:
    """The error class of a probe reported by another monitor (its own words, its status)."""
    if ok:
        return None
    text = (error or "").strip().lower()
    if text in ERROR_CLASSES:
        return text
    for cls, words in _IMPORT_WORDS:
        if any(w in text for w in words):
            return cls
    if status is not None:
        if 500 <= status <= 599:
            return "http_5xx"
        if 400 <= status <= 499:
            return "http_4xx"
    return "other"
