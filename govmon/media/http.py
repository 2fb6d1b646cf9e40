"""The collector's HTTP client: low volume, per-host rate limits, backoff when a platform refuses.

- One request at a time per host, starting at least ``1 / rps`` seconds after the previous one
  started (``MediaSettings.rps_for``; Weibo ≤ 1 per second outside loopback). Hosts are
  independent, so many platforms are read at once.
- 403, 418, 429 and 432 mean "stop": the request is not retried, the host is paused for
  ``backoff_seconds`` (doubling with each refusal in a row, at most ``backoff_max_seconds``; a
  ``Retry-After`` is honoured when longer), and after ``breaker_blocks`` refusals in a row the host
  is left alone for the rest of the run.
- A connection error, timeout or 5xx is retried once after ``retry_delay_seconds``.
- Cookies are sent only to the platform host they belong to; logins are never automated.
- The HTTP ``Date`` of each response is kept: relative dates are resolved against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property

import aiohttp

from govmon import clock
from govmon.media.settings import MediaSettings, host_key

BLOCK_STATUSES = (403, 418, 429, 432)


class HostStopped(Exception):
    """The host refused too often this run; nothing more is sent to it."""

    def __init__(self, host: str, status: int | None):
        super().__init__(host)
        self.host = host
        self.status = status


@dataclass
class Document:
    """One HTTP response, decoded on demand."""

    url: str                      # final URL (after redirects)
    requested_url: str
    status: int
    headers: dict                 # lower-case names
    body: bytes
    fetched_at: datetime
    server_date: datetime | None
    elapsed_ms: int
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def header_charset(self) -> str | None:
        m = re.search(r"charset=([\w.-]+)", self.headers.get("content-type", ""), re.I)
        return m.group(1) if m else None

    @property
    def reference_at(self) -> datetime:
        return self.server_date or self.fetched_at

    @cached_property
    def text(self) -> str:
        return decode_bytes(self.body, self.header_charset)

    @cached_property
    def json(self):
        head = self.body.lstrip()[:1]
        if head not in (b"{", b"["):
            return None
        try:
            return json.loads(self.text)
        except ValueError:
            return None


_DECL = re.compile(rb"""(?:encoding|charset)\s*=\s*["']?([\w.-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "cp936", "euc-cn"}


def decode_bytes(body: bytes, header_charset: str | None = None) -> str:
    """Text from bytes, trusting the bytes over any declaration: valid UTF-8 is UTF-8 (several
    sources declare gb2312 and hold UTF-8); else the declared or sniffed Chinese encoding."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace")
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = header_charset
    if not declared:
        m = _DECL.search(body[:2048])
        declared = m.group(1).decode("ascii", "ignore") if m else None
    if declared:
        name = declared.lower()
        if name in _GB:
            name = "gb18030"
        try:
            return body.decode(name, errors="replace")
        except LookupError:
            pass
    try:  # every source here is Chinese: GB18030 (a superset of GBK and GB2312) when the bytes fit
        return body.decode("gb18030")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is not None:
            return str(best)
    except Exception:  # pragma: no cover - the library is optional at this point
        pass
    return body.decode("gb18030", errors="replace")


class RateLimiter:
    """Spacing between request starts per host, plus pauses after refusals."""

    def __init__(self, settings: MediaSettings, clock=time.monotonic, sleep=asyncio.sleep):
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}
        self._pause_until: dict[str, float] = {}
        self._blocks: dict[str, int] = {}
        self.stopped: dict[str, int | None] = {}
        self.requests: dict[str, int] = {}
        self.refusals: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def slot(self, key: str):
        """One request to ``key`` at a time, started no sooner than its spacing and any pause allow.
        The request runs inside the slot, so a refusal pauses the very next request."""
        if key in self.stopped:
            raise HostStopped(key, self.stopped[key])
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            now = self.clock()
            start = max(now, self._next.get(key, now), self._pause_until.get(key, now))
            if start > now:
                await self.sleep(start - now)
            if key in self.stopped:
                raise HostStopped(key, self.stopped[key])
            self._next[key] = max(self.clock(), start) + 1.0 / self.settings.rps_for(key)
            self.requests[key] = self.requests.get(key, 0) + 1
            yield

    def refused(self, key: str, status: int, retry_after: float | None = None) -> float:
        """Record a refusal; return the pause applied (seconds)."""
        n = self._blocks.get(key, 0) + 1
        self._blocks[key] = n
        self.refusals[key] = self.refusals.get(key, 0) + 1
        pause = min(self.settings.backoff_seconds * 2 ** (n - 1), self.settings.backoff_max_seconds)
        if retry_after:
            pause = max(pause, min(retry_after, self.settings.backoff_max_seconds))
        self._pause_until[key] = max(self._pause_until.get(key, 0.0), self.clock() + pause)
        if n >= self.settings.breaker_blocks:
            self.stopped[key] = status
        return pause

    def succeeded(self, key: str) -> None:
        self._blocks[key] = 0


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(value)
        return max(0.0, (dt - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class FetchError(Exception):
    """No HTTP response at all (connection refused, reset, timeout, DNS)."""

    def __init__(self, url: str, message: str):
        super().__init__(message)
        self.url = url
        self.message = message


class Fetcher:
    """``async with Fetcher(settings) as f: doc = await f.get(url)``. Counts every request."""

    def __init__(self, settings: MediaSettings, limiter: RateLimiter | None = None):
        self.settings = settings
        self.limiter = limiter or RateLimiter(settings)
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "Fetcher":
        connector = aiohttp.TCPConnector(limit=max(8, self.settings.concurrency), limit_per_host=4,
                                         ttl_dns_cache=300)
        self.session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=self.settings.timeout_seconds),
            headers={"User-Agent": self.settings.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"})
        return self

    async def __aexit__(self, *exc) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def get(self, url: str, *, counter: dict | None = None) -> Document:
        """GET with rate limit and one retry on network errors / 5xx. Raises HostStopped, FetchError."""
        attempts = 2
        last_error: FetchError | None = None
        for attempt in range(attempts):
            try:
                doc = await self._once(url, counter)
            except FetchError as exc:
                last_error = exc
                if attempt + 1 < attempts:
                    await asyncio.sleep(self.settings.retry_delay_seconds)
                    continue
                raise
            if doc.status >= 500 and attempt + 1 < attempts:
                await asyncio.sleep(self.settings.retry_delay_seconds)
                continue
            return doc
        raise last_error  # pragma: no cover

    async def _once(self, url: str, counter: dict | None) -> Document:
        assert self.session is not None, "use 'async with Fetcher(...)'"
        key = host_key(url)
        async with self.limiter.slot(key):
            if counter is not None:
                counter["requests"] = counter.get("requests", 0) + 1
            headers = {}
            cookie = self.settings.cookie_for(key)
            if cookie:
                headers["Cookie"] = cookie
            fetched_at = clock.now()
            t0 = time.monotonic()
            try:
                async with self.session.get(url, headers=headers, allow_redirects=True, max_redirects=5) as resp:
                    body = await resp.read()
                    status = resp.status
                    hdrs = {k.lower(): v for k, v in resp.headers.items()}
                    final = str(resp.url)
                    redirects = [str(h.url) for h in resp.history]
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                if counter is not None:
                    counter["errors"] = counter.get("errors", 0) + 1
                raise FetchError(url, _describe(exc)) from None
            doc = Document(url=final, requested_url=url, status=status, headers=hdrs, body=body,
                           fetched_at=fetched_at, server_date=_http_date(hdrs.get("date")),
                           elapsed_ms=int((time.monotonic() - t0) * 1000), redirects=redirects)
            if status in BLOCK_STATUSES:
                # pause this host before the slot is released: the next request waits it out
                self.limiter.refused(key, status, _retry_after(hdrs.get("retry-after")))
                if counter is not None:
                    counter["errors"] = counter.get("errors", 0) + 1
            elif status >= 500:
                if counter is not None:
                    counter["errors"] = counter.get("errors", 0) + 1
            else:
                self.limiter.succeeded(key)
            return doc


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "请求超时"
    if isinstance(exc, aiohttp.TooManyRedirects):
        return "重定向次数过多"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"无法连接（{exc.os_error.strerror if exc.os_error and exc.os_error.strerror else exc}）"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "服务器断开连接"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "响应不完整"
    if isinstance(exc, aiohttp.InvalidURL):
        return f"采集地址无效：{exc}"
    return f"网络错误（{type(exc).__name__}：{exc}）"
