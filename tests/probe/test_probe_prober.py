"""The prober against real HTTP servers on loopback: the sandbox's faults and a small aiohttp server
for what the sandbox does not serve (firewall pages, TLS, a stalled body, redirects, big pages)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time

import psycopg2
import pytest
from aiohttp import web
from probe_helpers import import_sandbox_sites

from govmon.probe.prober import Target, run_probe_round
from govmon.probe.rounds import run_round
from govmon.probe.settings import ProbeSettings

SMALL_KEYS = ["portal", "donghu", "xishan", "nanling", "edu", "finance", "transport", "hrss", "env", "agri", "housing"]
EXPECTED = {"portal": None, "donghu": None, "xishan": None, "nanling": None, "edu": None, "finance": None,
            "housing": None, "transport": "timeout", "hrss": "http_5xx", "env": "connect", "agri": "other"}


def _settings(control_url=None, **kw) -> ProbeSettings:
    return ProbeSettings(control_url=control_url, concurrency=kw.pop("concurrency", 50), **kw)


def test_a_round_over_the_small_world(sandbox, db_url, tmp_path, profile_file):
    ids = import_sandbox_sites(db_url, tmp_path, sandbox, SMALL_KEYS)
    sandbox.reset_counters()  # xishan fails its 20th homepage request; this is its first
    before = {k: sandbox.counters(k)["homepage_requests"] for k in ("portal", "hrss", "edu")}
    settings = _settings(control_url=sandbox.state["env"]["GOVMON_SANDBOX_CONTROL_URL"] + "/health")

    t0 = time.monotonic()
    res = run_round(db_url, profile=profile_file(timeout_seconds=1.5), settings=settings)
    wall = time.monotonic() - t0

    by_key = {k: next(r for r in res.results if r.site_id == ids[k]) for k in SMALL_KEYS}
    assert {k: r.error_class for k, r in by_key.items()} == EXPECTED
    for k, r in by_key.items():
        assert r.ok == (EXPECTED[k] is None)
        if r.ok:
            assert r.status_code == 200 and r.bytes > 1000 and len(r.body_sha256) == 64
            assert r.final_url == sandbox.url(k) and r.redirects == 0
    assert by_key["transport"].latency_ms >= 1500 and by_key["transport"].status_code is None
    assert by_key["hrss"].status_code == 503
    assert by_key["edu"].latency_ms >= 400  # slow_ms 400, still well within the timeout
    assert by_key["agri"].redirects == 10 and "redirect" in by_key["agri"].error_detail
    # one attempt per site: each homepage was requested exactly once (no hidden retry)
    assert {k: sandbox.counters(k)["homepage_requests"] - n for k, n in before.items()} == {"portal": 1, "hrss": 1,
                                                                                           "edu": 1}
    # a round cannot end before its slowest timeout, and here it ends soon after it
    assert 1.5 <= res.probe_seconds < 3.0 and wall < 6
    assert res.control_ok is True and len(res.control) == 2

    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select count(*), count(*) filter (where ok), count(distinct site_id) from raw.probe__probes "
                    "where round_id = %s", (res.round_id,))
        assert cur.fetchone() == (11, 7, 11)
        cur.execute("select source, control_ok, jsonb_array_length(control), sites, ok_count, fail_count, "
                    "timeout_seconds from raw.probe__rounds")
        assert cur.fetchall() == [("probe", True, 2, 11, 7, 4, 1.5)]
        cur.execute("select error_class, status_code, latency_ms >= 1500 from raw.probe__probes "
                    "where site_id = %s", (ids["transport"],))
        assert cur.fetchall() == [("timeout", None, True)]


@pytest.mark.parametrize("faults,expected", [
    ({"fail_ratio": 1.0, "fail_mode": "empty"}, "empty_body"),
    ({"fail_ratio": 1.0, "fail_mode": "reset"}, "connect"),
    ({"fail_ratio": 1.0, "fail_mode": "5xx", "fail_status": 502}, "http_5xx"),
    ({"slow_ms": 1500}, "timeout"),  # answers, but after the timeout: not open in time
    ({"down": True}, "connect"),
])
def test_sandbox_faults_at_runtime(sandbox, faults, expected):
    before = sandbox.faults("sites", "donghu")
    sandbox.set_faults("sites", "donghu", faults)
    try:
        rp = run_probe_round([Target(1, sandbox.url("donghu"))], timeout=1.0, settings=_settings())
    finally:
        sandbox.set_faults("sites", "donghu", {**{k: None for k in faults}, **before})
    (r,) = rp.results
    assert (r.ok, r.error_class) == (False, expected), r
    assert run_probe_round([Target(1, sandbox.url("donghu"))], timeout=1.0, settings=_settings()).results[0].ok


# ---- a small server of our own --------------------------------------------------------------------

RUISHU = b"<html><head><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;</script></head></html>"
SAFEDOG = "<html><title>网站防火墙</title><body>您的请求带有不合法参数，已被网站管理员设置拦截！</body></html>".encode("gbk")
PAGE = ("<html><head><title>测试站</title></head><body>" + "<li>工作动态</li>" * 200 + "</body></html>").encode()


@contextlib.contextmanager
def small_server():
    """An aiohttp server in a thread on 127.0.0.1; yields its base URL and the request log."""
    seen: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(request.path)
        path = request.path
        if path == "/ruishu":
            return web.Response(status=412, body=RUISHU, content_type="text/html")
        if path == "/safedog":
            return web.Response(status=200, body=SAFEDOG, content_type="text/html", charset="gbk")
        if path == "/moved":
            raise web.HTTPFound("/ok")
        if path == "/ok":
            return web.Response(body=PAGE, content_type="text/html")
        if path == "/big":
            return web.Response(body=b"<html>" + b"x" * (3 * 1024 * 1024) + b"</html>", content_type="text/html")
        if path == "/stall":  # headers at once, then the body never finishes
            resp = web.StreamResponse(status=200, headers={"Content-Type": "text/html", "Content-Length": "100000"})
            await resp.prepare(request)
            await resp.write(b"<html><body>")
            while request.transport is not None and not request.transport.is_closing():
                await asyncio.sleep(0.05)  # until the prober gives up
            return resp
        return web.Response(status=404, text="not found")

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box = {}

    async def start():
        runner = web.AppRunner(web.Application(), shutdown_timeout=0.1)
        runner.app.router.add_route("*", "/{tail:.*}", handler)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        box["runner"], box["port"] = runner, site._server.sockets[0].getsockname()[1]
        ready.set()

    t = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    t.start()
    assert ready.wait(10)
    try:
        yield f"http://127.0.0.1:{box['port']}", seen
    finally:
        asyncio.run_coroutine_threadsafe(box["runner"].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        t.join(10)


@pytest.mark.integration
def test_firewall_tls_redirect_stall_and_size_against_a_real_server():
    with small_server() as (base, seen):
        https = base.replace("http://", "https://")
        targets = [Target(i, u) for i, u in enumerate(
            [f"{base}/ruishu", f"{base}/safedog", f"{base}/moved", f"{base}/missing", f"{base}/stall",
             f"{base}/big", f"{https}/ok"], start=1)]
        rp = run_probe_round(targets, timeout=1.0, settings=_settings(max_bytes=1024 * 1024))
        r = {t.url.rsplit("/", 1)[1] if not t.url.startswith("https") else "tls": res
             for t, res in zip(targets, rp.results, strict=True)}
        assert r["ruishu"].error_class == "blocked" and r["ruishu"].status_code == 412
        assert r["safedog"].error_class == "blocked" and r["safedog"].status_code == 200
        assert r["moved"].ok and r["moved"].redirects == 1 and r["moved"].final_url == f"{base}/ok"
        assert r["moved"].bytes == len(PAGE)
        assert r["missing"].error_class == "http_4xx" and r["missing"].status_code == 404
        # the status came back, the page never finished: not open within the timeout
        assert r["stall"].error_class == "timeout" and r["stall"].status_code == 200 and r["stall"].latency_ms >= 1000
        assert r["big"].ok and r["big"].bytes == 1024 * 1024  # read and hashed up to max_bytes
        assert r["tls"].error_class == "tls", r["tls"].error_detail
        assert seen.count("/moved") == 1 and seen.count("/ok") == 1  # one attempt, redirect followed once


def test_dns_failures_are_their_own_class():
    """No name is looked up for real: the resolver fails as getaddrinfo does for an unknown name."""
    from aiohttp.abc import AbstractResolver

    class NoSuchName(AbstractResolver):
        async def resolve(self, host, port=0, family=socket.AF_INET):
            raise OSError(-2, "Name or service not known")

        async def close(self):
            pass

    rp = run_probe_round([Target(1, "http://www.no-such-site.gov.cn/")], timeout=1.0, settings=_settings(),
                         resolver_factory=NoSuchName)
    assert rp.results[0].error_class == "dns" and not rp.results[0].ok


def test_control_probe_before_and_after_the_sites(sandbox):
    good = sandbox.state["env"]["GOVMON_SANDBOX_CONTROL_URL"] + "/health"
    rp = run_probe_round([Target(1, sandbox.url("portal"))], timeout=1.0, settings=_settings(control_url=good))
    assert rp.control_ok is True and [c.ok for c in rp.control] == [True, True]
    dead = f"http://127.30.0.9:{sandbox.state['port']}/"  # never bound: refused
    rp = run_probe_round([Target(1, sandbox.url("portal"))], timeout=1.0, settings=_settings(control_url=dead))
    assert rp.control_ok is False and rp.results[0].ok  # the site was fine; our "network" was not
    assert rp.control[0].error_class == "connect"
    rp = run_probe_round([Target(1, sandbox.url("portal"))], timeout=1.0, settings=_settings())
    assert rp.control_ok is None and rp.control == []


def test_concurrency_bounds_probes_in_flight(sandbox):
    """Four probes of a hanging site: two workers wait out two timeouts in turn, four workers one."""
    targets = [Target(i, sandbox.url("transport")) for i in range(4)]
    t0 = time.monotonic()
    run_probe_round(targets[:4], timeout=0.5, settings=_settings(concurrency=2))
    two = time.monotonic() - t0
    t0 = time.monotonic()
    run_probe_round(targets[:4], timeout=0.5, settings=_settings(concurrency=4))
    four = time.monotonic() - t0
    assert two >= 1.0 and four < 1.0, (two, four)
