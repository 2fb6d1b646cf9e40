"""The sandbox server: one aiohttp application, one listening socket per address, all on one port.

Each site is its own host: requests are dispatched by the local address the connection arrived at
(``request.transport.get_extra_info("sockname")[0]``). Addresses:

- 127.0.0.1:<port>           control endpoint (``/__sandbox/…``)
- 127.20.0.1 / .2 / .3       Weibo, WeChat, RSS bridge (configurable in the scenario)
- 127.10.x.y                 one per site; a site with ``down: true`` is simply not bound
- 127.30.0.x                 never bound: outbound broken links point here (connection refused)

Per-site state is a few counters and a faults dict; pages are rendered on request.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import json
import os
import resource
import signal
import socket
import struct
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web

from govmon.sandbox import media
from govmon.sandbox.faults import FaultError, homepage_failure, merge_account_faults, merge_site_faults
from govmon.sandbox.registry import site_url, write_registry
from govmon.sandbox.scenario import CONTROL_ADDRESS, AccountSpec, Scenario, ScenarioError, SiteSpec
from govmon.sandbox.templates import SiteView, get_template

CONTROL_PREFIX = "/__sandbox"
BIND_RETRIES = 20


def raise_nofile_limit() -> tuple[int, int]:
    """Raise RLIMIT_NOFILE to the hard limit (thousands of listening sockets); return (soft, hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1_048_576
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft, hard


class SiteState:
    __slots__ = ("spec", "faults", "requests", "homepage_requests", "failures", "hanging", "tcpsite", "_view")

    def __init__(self, spec: SiteSpec):
        self.spec = spec
        self.faults = dict(spec.faults)
        self.requests = 0
        self.homepage_requests = 0
        self.failures = 0
        self.hanging = 0  # requests held open right now by a timeout fault
        self.tcpsite: web.TCPSite | None = None
        self._view: SiteView | None = None

    def view(self, anchor: datetime, port: int) -> SiteView:
        if self._view is None:
            self._view = SiteView(self.spec, self.faults, anchor, port)
        return self._view

    def set_faults(self, faults: dict):
        self.faults = faults
        self._view = None

    def counters(self) -> dict:
        return {"requests": self.requests, "homepage_requests": self.homepage_requests, "failures": self.failures,
                "hanging": self.hanging}

    def reset(self):
        self.requests = self.homepage_requests = self.failures = 0


class AccountState:
    __slots__ = ("spec", "faults", "requests")

    def __init__(self, spec: AccountSpec):
        self.spec = spec
        self.faults = dict(spec.faults)
        self.requests = 0


class World:
    """The running sandbox: scenario, anchor, port, per-entity state, the aiohttp runner."""

    def __init__(self, scenario: Scenario, anchor: datetime | None = None, hang_cap: float | None = None):
        self.scenario = scenario
        self.anchor = anchor or scenario.resolve_anchor()
        self.port = 0
        self.sites = {s.key: SiteState(s) for s in scenario.sites}
        self.by_address = {s.address: self.sites[s.key] for s in scenario.sites}
        self.accounts = {a.key: AccountState(a) for a in scenario.accounts}
        self.platform_by_address = {addr: name for name, addr in scenario.platform_addresses.items()}
        self.media_index = media.MediaIndex(scenario)
        self.platform_requests = {name: 0 for name in scenario.platform_addresses}
        self.runner: web.AppRunner | None = None
        self.fixed_sites: list[web.TCPSite] = []
        self.stopping = asyncio.Event()
        self.started_at = time.time()
        self.hang_cap = hang_cap

    # ---- lifecycle ---------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def start(self, port: int = 0) -> int:
        self.runner = web.AppRunner(self.make_app(), handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self.runner.setup()
        last_error = None
        for _attempt in range(BIND_RETRIES if port == 0 else 1):
            try:
                self.port = await self._bind_all(port)
                self.media_ctx = media.MediaContext(self.anchor, self.port, self.scenario.platform_addresses)
                return self.port
            except OSError as e:
                last_error = e
                await self._unbind_all()
                if e.errno != errno.EADDRINUSE or port != 0:
                    break
        await self.runner.cleanup()
        raise OSError(f"cannot bind the sandbox addresses on port {port or '(any)'}: {last_error}")

    async def _bind(self, host: str, port: int) -> web.TCPSite:
        site = web.TCPSite(self.runner, host, port, reuse_address=True, backlog=256, shutdown_timeout=1.0)
        await site.start()
        return site

    async def _bind_all(self, port: int) -> int:
        control = await self._bind(CONTROL_ADDRESS, port)
        self.fixed_sites.append(control)
        port = control._server.sockets[0].getsockname()[1]
        for addr in self.scenario.platform_addresses.values():
            self.fixed_sites.append(await self._bind(addr, port))
        for st in self.sites.values():
            if not st.faults.get("down"):
                st.tcpsite = await self._bind(st.spec.address, port)
        return port

    async def _unbind_all(self):
        for s in self.fixed_sites:
            await s.stop()
        self.fixed_sites = []
        for st in self.sites.values():
            if st.tcpsite is not None:
                await st.tcpsite.stop()
                st.tcpsite = None

    async def stop(self):
        self.stopping.set()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def _apply_down(self, st: SiteState):
        want_down = bool(st.faults.get("down"))
        if want_down and st.tcpsite is not None:
            site, st.tcpsite = st.tcpsite, None
            await site.stop()
        elif not want_down and st.tcpsite is None:
            st.tcpsite = await self._bind(st.spec.address, self.port)

    # ---- state ---------------------------------------------------------------------------------
    def site_url(self, spec: SiteSpec) -> str:
        return site_url(spec.address, self.port)

    def platform_urls(self) -> dict[str, str]:
        return {name: f"http://{addr}:{self.port}" for name, addr in self.scenario.platform_addresses.items()}

    def env(self) -> dict[str, str]:
        urls = self.platform_urls()
        return {"GOVMON_WEIBO_BASE_URL": urls["weibo"], "GOVMON_WECHAT_BASE_URL": urls["wechat"],
                "GOVMON_RSS_BASE_URL": urls["rss"],
                "GOVMON_SANDBOX_CONTROL_URL": f"http://{CONTROL_ADDRESS}:{self.port}{CONTROL_PREFIX}"}

    def state(self, full: bool = True) -> dict:
        out = {
            "scenario": self.scenario.name,
            "scenario_path": self.scenario.path,
            "anchor": self.anchor.isoformat(),
            "port": self.port,
            "pid": os.getpid(),
            "control_url": f"http://{CONTROL_ADDRESS}:{self.port}{CONTROL_PREFIX}",
            "platforms": self.platform_urls(),
            "env": self.env(),
            "uptime_seconds": round(time.time() - self.started_at, 3),
        }
        ctx = media.MediaContext(self.anchor, self.port, self.scenario.platform_addresses)
        out["sites"] = {
            k: {"url": self.site_url(st.spec), "address": st.spec.address, "site_code": st.spec.site_code,
                "name": st.spec.name, "template": st.spec.template, "bound": st.tcpsite is not None,
                **({"faults": st.faults, "counters": st.counters()} if full else {})}
            for k, st in self.sites.items()
        }
        out["accounts"] = {
            k: {"platform": st.spec.platform, "account_id": st.spec.account_id, "name": st.spec.name,
                "live_name": st.spec.live_name, "feed_url": media.feed_url(st.spec, ctx),
                **({"faults": st.faults, "requests": st.requests} if full else {})}
            for k, st in self.accounts.items()
        }
        if full:
            out["platform_requests"] = dict(self.platform_requests)
        return out

    # ---- dispatch --------------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        transport = request.transport
        sockname = transport.get_extra_info("sockname") if transport is not None else None
        addr = sockname[0] if sockname else ""
        try:
            if addr == CONTROL_ADDRESS:
                return await self.handle_control(request)
            platform = self.platform_by_address.get(addr)
            if platform is not None:
                return await self.handle_platform(platform, request)
            st = self.by_address.get(addr)
            if st is not None:
                return await self.handle_site(st, request)
            return web.Response(status=421, text="misdirected request")
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception as e:  # a bug must not kill the sandbox; report it loudly
            import traceback

            traceback.print_exc(file=sys.stderr)
            return web.Response(status=500, text=f"sandbox error: {type(e).__name__}: {e}")

    async def handle_site(self, st: SiteState, request: web.Request) -> web.StreamResponse:
        st.requests += 1
        faults = st.faults
        view = st.view(self.anchor, self.port)
        tmpl = get_template(st.spec.template)
        path = request.path
        if faults.get("slow_ms"):
            await asyncio.sleep(faults["slow_ms"] / 1000)
        home_paths = tmpl.home_paths(view)
        if path in home_paths:
            n = st.homepage_requests
            st.homepage_requests += 1
            mode = homepage_failure(faults, n)
            if mode is not None:
                st.failures += 1
                return await self.fail(request, mode, faults, st)
        loop = faults.get("redirect_loop")
        if loop is True and path in home_paths:
            other = home_paths[1] if path == home_paths[0] else home_paths[0]
            return web.Response(status=302, headers={"Location": other})
        if isinstance(loop, str):
            if path == loop:
                return web.Response(status=302, headers={"Location": "/redirect" + loop})
            if path == "/redirect" + loop:
                return web.Response(status=302, headers={"Location": loop})
        route = tmpl.route(view, path, request.query)
        if route is None:
            status, ctype, body = tmpl.not_found(view)
        else:
            status, ctype, body = tmpl.render(view, route)
        return web.Response(status=status, body=body, headers={"Content-Type": ctype})

    async def fail(self, request: web.Request, mode: str, faults: dict, st: SiteState) -> web.StreamResponse:
        if mode == "timeout":
            # hang until the client gives up, hang_seconds pass (then 504) or the server stops
            limit = float(faults.get("hang_seconds", 300.0))
            if self.hang_cap is not None:
                limit = min(limit, self.hang_cap)
            deadline = time.monotonic() + limit
            st.hanging += 1
            try:
                while time.monotonic() < deadline and not self.stopping.is_set():
                    t = request.transport
                    if t is None or t.is_closing():
                        break
                    await asyncio.sleep(0.2)
            finally:
                st.hanging -= 1
            return web.Response(status=504, text="Gateway Time-out")
        if mode == "5xx":
            code = int(faults.get("http_5xx") or faults.get("fail_status") or 503)
            return web.Response(status=code, headers={"Content-Type": "text/html"},
                                body=f"<html><head><title>{code}</title></head><body><center><h1>{code} "
                                     f"Service Temporarily Unavailable</h1></center><hr><center>nginx</center>"
                                     f"</body></html>".encode())
        if mode == "reset":
            t = request.transport
            if t is not None:
                sock = t.get_extra_info("socket")
                if sock is not None:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    except OSError:
                        pass
                t.abort()
            return web.Response(status=200, body=b"")  # never sent: the connection is gone
        if mode == "empty":
            return web.Response(status=200, body=b"", headers={"Content-Type": "text/html"})
        raise ValueError(mode)

    async def handle_platform(self, platform: str, request: web.Request) -> web.StreamResponse:
        self.platform_requests[platform] += 1
        touched: list[AccountState] = []

        def faults_of(acct):
            if acct is None:
                return {}
            st = self.accounts[acct.key]
            st.requests += 1
            touched.append(st)
            return st.faults

        status, ctype, body = media.handle(platform, request.path, request.query, self.media_index, faults_of,
                                           self.media_ctx)
        delay = max((st.faults.get("slow_ms", 0) for st in touched), default=0)
        if delay:
            await asyncio.sleep(delay / 1000)
        # the platforms print relative dates ("5分钟前", "昨天 10:20") against the anchor, so their
        # clock is the anchor's: Date = anchor + time since start (a client resolves against it)
        return web.Response(status=status, body=body, headers={"Content-Type": ctype, "Date": self.http_date()})

    def clock(self) -> datetime:
        """The world's "now": the anchor plus the time the server has been running."""
        return self.anchor + timedelta(seconds=time.time() - self.started_at)

    def http_date(self) -> str:
        return email.utils.formatdate(self.clock().timestamp(), usegmt=True)

    # ---- control ---------------------------------------------------------------------------------
    async def handle_control(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if not path.startswith(CONTROL_PREFIX):
            return web.json_response({"error": "not found", "hint": f"see {CONTROL_PREFIX}/state"}, status=404)
        parts = [p for p in path[len(CONTROL_PREFIX):].split("/") if p]
        if request.method == "GET":
            if parts in (["state"], []):
                return web.json_response(self.state(full=request.query.get("full", "1") != "0"))
            if parts == ["health"]:
                return web.json_response({"ok": True, "port": self.port})
            if parts == ["probe-log.csv"]:  # an external monitor's export (govmon/sandbox/probelog.py)
                from govmon.sandbox.probelog import ProbeLogError, probe_log_csv

                sites = [(st.spec.site_code, self.site_url(st.spec), st.faults) for st in self.sites.values()]
                try:
                    text = probe_log_csv(sites, self.anchor, request.query)
                except ProbeLogError as e:
                    return web.json_response({"error": str(e)}, status=400)
                return web.Response(body=text.encode("utf-8"), content_type="text/csv", charset="utf-8")
            if len(parts) == 2 and parts[0] == "sites" and parts[1] in self.sites:
                st = self.sites[parts[1]]
                return web.json_response({"key": parts[1], "url": self.site_url(st.spec), "faults": st.faults,
                                          "counters": st.counters(), "bound": st.tcpsite is not None})
            if len(parts) == 2 and parts[0] == "accounts" and parts[1] in self.accounts:
                st = self.accounts[parts[1]]
                return web.json_response({"key": parts[1], "faults": st.faults, "requests": st.requests})
            return web.json_response({"error": f"not found: {path}"}, status=404)
        if request.method != "POST":
            return web.json_response({"error": "use GET or POST"}, status=405)
        if parts == ["reset"]:
            for st in self.sites.values():
                st.reset()
            for st in self.accounts.values():
                st.requests = 0
            return web.json_response({"ok": True})
        if len(parts) != 3 or parts[0] not in ("sites", "accounts"):
            return web.json_response({"error": f"not found: {path}"}, status=404)
        kind, key, action = parts
        table = self.sites if kind == "sites" else self.accounts
        if key not in table:
            return web.json_response({"error": f"no {kind[:-1]} {key!r}"}, status=404)
        st = table[key]
        if action == "reset":
            if kind == "sites":
                st.reset()
            else:
                st.requests = 0
            return web.json_response({"ok": True})
        try:
            body = await request.json() if request.can_read_body else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"error": "body is not JSON"}, status=400)
        if action == "faults":
            try:
                if kind == "sites":
                    st.set_faults(merge_site_faults(st.faults, body))
                    await self._apply_down(st)
                else:
                    st.faults = merge_account_faults(st.faults, body)
            except FaultError as e:
                return web.json_response({"error": str(e)}, status=400)
            except OSError as e:
                return web.json_response({"error": f"cannot bind {st.spec.address}: {e}"}, status=500)
            return web.json_response({"key": key, "faults": st.faults})
        if action == "content":
            try:
                if kind == "sites":
                    patch_site_content(st.spec, body)
                    st.set_faults(st.faults)  # drop the cached view
                else:
                    patch_account_content(st.spec, body)
            except ScenarioError as e:
                return web.json_response({"error": str(e)}, status=400)
            return web.json_response({"key": key, "ok": True})
        return web.json_response({"error": f"unknown action {action!r}"}, status=404)


_HOMEPAGE_PATCH = {"last_update_days_ago": (int, float, type(None)), "navigation_only": (bool,)}
_COLUMN_PATCH = {"last_days_ago": (int, float), "interval_days": (int, float), "count": (int,), "blank": (bool,),
                 "undated": (bool,)}


def patch_site_content(spec: SiteSpec, body: dict):
    """Runtime change of staleness: {"homepage": {...}, "columns": {"<key>": {...}}, "letters": [...]}"""
    if not isinstance(body, dict):
        raise ScenarioError("content: expected a JSON object")
    for key in body:
        if key not in ("homepage", "columns", "letters"):
            raise ScenarioError(f"content.{key}: unknown key (homepage, columns, letters)")
    for k, v in (body.get("homepage") or {}).items():
        if k not in _HOMEPAGE_PATCH or isinstance(v, bool) != (bool in _HOMEPAGE_PATCH[k]) or \
                not isinstance(v, _HOMEPAGE_PATCH[k]):
            raise ScenarioError(f"content.homepage.{k}: not patchable or wrong type")
        setattr(spec.homepage, k, v)
    for ck, changes in (body.get("columns") or {}).items():
        col = spec.column(ck)
        if col is None:
            raise ScenarioError(f"content.columns.{ck}: no such column")
        for k, v in changes.items():
            if k not in _COLUMN_PATCH or isinstance(v, bool) != (bool in _COLUMN_PATCH[k]) or \
                    not isinstance(v, _COLUMN_PATCH[k]) or (not isinstance(v, bool) and v < 0):
                raise ScenarioError(f"content.columns.{ck}.{k}: not patchable or wrong type")
            setattr(col, k, float(v) if k in ("last_days_ago", "interval_days") else v)
    if "letters" in body:
        from govmon.sandbox.scenario import LetterSpec

        items = body["letters"]
        if not isinstance(items, list):
            raise ScenarioError("content.letters: expected a list of {asked_days_ago, reply_after_days}")
        extra = []
        for i, it in enumerate(items):
            try:
                extra.append(LetterSpec(float(it["asked_days_ago"]),
                                        None if it.get("reply_after_days") is None else float(it["reply_after_days"])))
            except (KeyError, TypeError, ValueError):
                raise ScenarioError(f"content.letters[{i}]: needs asked_days_ago and reply_after_days") from None
        spec.letters.extra = extra


def patch_account_content(spec: AccountSpec, body: dict):
    """Runtime change of an account: {"live_name": "…", "posts": {"last_days_ago": 20, "interval_days": 2,
    "count": 10, "original": 0.5}, "interaction": {"comments_open": false, "menu": []}}"""
    if not isinstance(body, dict):
        raise ScenarioError("content: expected a JSON object")
    for key in body:
        if key not in ("live_name", "posts", "interaction"):
            raise ScenarioError(f"content.{key}: unknown key (live_name, posts, interaction)")
    if "live_name" in body:
        if not isinstance(body["live_name"], str) or not body["live_name"].strip():
            raise ScenarioError("content.live_name: expected a non-empty string")
        spec.live_name = body["live_name"].strip()
    for k, v in (body.get("posts") or {}).items():
        ok = {"last_days_ago": (int, float), "interval_days": (int, float), "count": (int,), "original": (int, float)}
        if k not in ok or isinstance(v, bool) or not isinstance(v, ok[k]) or v < 0 or \
                (k == "original" and v > 1) or (k == "interval_days" and v <= 0):
            raise ScenarioError(f"content.posts.{k}: not patchable or out of range")
        setattr(spec.posts, k, v if k == "count" else float(v))
        spec.posts.ages = None
    inter = body.get("interaction") or {}
    if "comments_open" in inter:
        if not isinstance(inter["comments_open"], bool):
            raise ScenarioError("content.interaction.comments_open: expected true or false")
        spec.comments_open = inter["comments_open"]
    if "menu" in inter:
        if not isinstance(inter["menu"], list) or not all(isinstance(m, str) for m in inter["menu"]):
            raise ScenarioError("content.interaction.menu: expected a list of strings")
        spec.menu = list(inter["menu"])


# ------------------------------------------------------------------------------------------------
# the serve command


def write_json_atomic(path, data: dict):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


async def serve(scenario: Scenario, port: int = 0, out_dir=None, ready_file=None,
                stop_event: asyncio.Event | None = None, hang_cap: float | None = None) -> int:
    """Run the sandbox until SIGTERM/SIGINT (or ``stop_event``). Returns an exit status."""
    raise_nofile_limit()
    if ready_file:
        Path(ready_file).unlink(missing_ok=True)
    world = World(scenario, hang_cap=hang_cap)
    await world.start(port)
    state = world.state(full=False)
    if out_dir:
        state["registry_dir"] = str(Path(out_dir).resolve())
        state["registry"] = write_registry(scenario, world.port, out_dir)
    if ready_file:
        write_json_atomic(ready_file, state)
    print(f"govmon sandbox: {len(scenario.sites)} sites, {len(scenario.accounts)} accounts on port {world.port} "
          f"(anchor {world.anchor.isoformat()}); control {state['control_url']}", file=sys.stderr, flush=True)
    stop = stop_event or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        await stop.wait()
    finally:
        await world.stop()
    print("govmon sandbox: stopped", file=sys.stderr, flush=True)
    return 0
