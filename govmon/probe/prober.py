"""The prober: one homepage fetch per target, concurrently, one attempt each.

A probe is a GET of the 首页网址 following redirects (at most 10), reading the body (up to
``max_bytes``), all within the profile's timeout measured from the moment the request starts:
DNS, connect, TLS, redirects and body count against it. There are no retries: every probe counts.

Connections: a probe holds at most one connection to its site at a time and closes it when it
ends (``force_close``; the redirect hops of one probe run one after another), so a round opens
one connection per site at a time and leaves nothing open. Keeping thousands of idle keep-alive
connections pooled (aiohttp's default) slowed a 14,000-site round about sixfold.

Concurrency is a worker pool of ``concurrency`` tasks pulling targets in the order given (the
round puts the slowest sites of the previous round first, see :mod:`govmon.probe.rounds`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import math
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp

from govmon import clock
from govmon.probe.classify import classify_exception, classify_response
from govmon.probe.settings import ProbeSettings

HEAD_BYTES = 32 * 1024  # kept for classification (blank page, firewall page)
MAX_REDIRECTS = 10


@dataclass(frozen=True, slots=True)
class Target:
    site_id: int
    url: str
    site_code: str | None = None
    name: str | None = None


@dataclass(slots=True)
class ProbeResult:
    site_id: int
    url: str
    probed_at: dt.datetime          # when the request started (UTC, aware)
    ok: bool
    status_code: int | None
    latency_ms: int
    bytes: int | None
    final_url: str | None
    redirects: int
    error_class: str | None
    error_detail: str | None
    body_sha256: str | None

    def as_evidence(self) -> dict:
        return {"at": self.probed_at.isoformat(), "url": self.url, "ok": self.ok, "status": self.status_code,
                "error_class": self.error_class, "error_detail": self.error_detail, "latency_ms": self.latency_ms}


def raise_nofile_limit(wanted: int) -> int:
    """Raise the soft RLIMIT_NOFILE towards ``wanted`` (bounded by the hard limit); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def make_session(settings: ProbeSettings, resolver: aiohttp.abc.AbstractResolver | None = None) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=0, force_close=True, ssl=True if settings.verify_tls else False,
                                     resolver=resolver, ttl_dns_cache=300)
    headers = {"User-Agent": settings.user_agent,
               "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
               "Accept-Language": "zh-CN,zh;q=0.9"}
    # our own asyncio.timeout bounds each probe; aiohttp's (which rounds up to whole seconds) is off
    return aiohttp.ClientSession(connector=connector, headers=headers, cookie_jar=aiohttp.DummyCookieJar(),
                                 timeout=aiohttp.ClientTimeout(total=None, sock_connect=None, sock_read=None))


async def probe_one(session: aiohttp.ClientSession, target: Target, timeout: float, max_bytes: int) -> ProbeResult:
    probed_at = clock.now()
    t0 = time.monotonic()
    status = final_url = None
    redirects = 0
    nbytes = digest = None
    try:
        async with asyncio.timeout(timeout):
            async with session.get(target.url, allow_redirects=True, max_redirects=MAX_REDIRECTS) as resp:
                status, final_url, redirects = resp.status, str(resp.url), len(resp.history)
                sha = hashlib.sha256()
                head = bytearray()
                nbytes = 0
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    if nbytes + len(chunk) > max_bytes:
                        chunk = chunk[:max_bytes - nbytes]
                    sha.update(chunk)
                    if len(head) < HEAD_BYTES:
                        head += chunk[:HEAD_BYTES - len(head)]
                    nbytes += len(chunk)
                    if nbytes >= max_bytes:
                        break
                digest = sha.hexdigest()
                headers = resp.headers
        # whole milliseconds, rounded down: a page open after 14 999.6 ms opened within 15 s
        latency_ms = int((time.monotonic() - t0) * 1000)
        error_class, detail = classify_response(status, headers, bytes(head), nbytes)
    except Exception as exc:  # every failure is a result, never an exception out of the round
        latency_ms = int((time.monotonic() - t0) * 1000)
        error_class, detail = classify_exception(exc)
        if error_class == "timeout":
            # the probe waited the whole timeout; timers may fire a hair early on some clocks
            latency_ms = max(latency_ms, math.ceil(timeout * 1000))
        digest = None  # a partial body's hash would mislead
        history = getattr(exc, "history", None)
        if history:
            redirects = len(history)
    return ProbeResult(site_id=target.site_id, url=target.url, probed_at=probed_at, ok=error_class is None,
                       status_code=status, latency_ms=latency_ms, bytes=nbytes, final_url=final_url,
                       redirects=redirects, error_class=error_class, error_detail=detail, body_sha256=digest)


async def probe_targets(targets: Sequence[Target], *, timeout: float, settings: ProbeSettings,
                        session: aiohttp.ClientSession | None = None,
                        on_result: Callable[[ProbeResult], None] | None = None) -> list[ProbeResult]:
    """Probe every target once; results in the order of ``targets``."""
    results: list[ProbeResult | None] = [None] * len(targets)
    own = session is None
    if own:
        session = make_session(settings)
    queue = iter(enumerate(targets))

    async def worker() -> None:
        for i, target in queue:  # a shared iterator: next() never awaits, so no two workers get one target
            results[i] = r = await probe_one(session, target, timeout, settings.max_bytes)
            if on_result is not None:
                on_result(r)

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, min(settings.concurrency, len(targets))))))
    finally:
        if own:
            await session.close()
    return results  # type: ignore[return-value]


@dataclass
class RoundProbes:
    results: list[ProbeResult]
    control: list[ProbeResult]     # the control probes (before and after the sites), empty when none
    started_at: dt.datetime
    finished_at: dt.datetime
    probe_seconds: float           # wall time of the probing (monotonic)

    @property
    def control_ok(self) -> bool | None:
        return None if not self.control else all(c.ok for c in self.control)


async def probe_round(targets: Sequence[Target], *, timeout: float, settings: ProbeSettings,
                      resolver: aiohttp.abc.AbstractResolver | None = None) -> RoundProbes:
    """One round: the control probe (when configured) as the round starts, every target once, the
    control probe again at the end. The round counts only when both control probes succeed: a
    failure of the known-good target means our network was down, not theirs."""
    raise_nofile_limit(settings.concurrency + 256)
    started_at = clock.now()
    t0 = time.monotonic()
    control: list[ProbeResult] = []
    async with make_session(settings, resolver) as session:
        control_target = Target(site_id=0, url=settings.control_url) if settings.control_url else None
        first = (asyncio.ensure_future(probe_one(session, control_target, timeout, settings.max_bytes))
                 if control_target else None)
        results = await probe_targets(targets, timeout=timeout, settings=settings, session=session)
        if first is not None:
            control.append(await first)
            control.append(await probe_one(session, control_target, timeout, settings.max_bytes))
    probe_seconds = time.monotonic() - t0
    return RoundProbes(results=results, control=control, started_at=started_at,
                       finished_at=clock.now(), probe_seconds=probe_seconds)


def run_probe_round(targets: Sequence[Target], *, timeout: float, settings: ProbeSettings,
                    resolver_factory: Callable[[], aiohttp.abc.AbstractResolver] | None = None) -> RoundProbes:
    """Synchronous entry point (CLI, DAG task): a fresh event loop for the round."""

    async def main() -> RoundProbes:
        # aiohttp resolves names with getaddrinfo in the loop's default thread pool; its few threads
        # would stall a cold round of thousands of names
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=settings.dns_threads, thread_name_prefix="probe-dns")
        asyncio.get_running_loop().set_default_executor(pool)
        resolver = resolver_factory() if resolver_factory else None
        return await probe_round(targets, timeout=timeout, settings=settings, resolver=resolver)

    return asyncio.run(main())
