"""Small real HTTP servers on 127.0.0.1 for "endpoints the project has never seen": each serves
a dict of ``path(+query) → handler`` from a thread with its own event loop, and records what it
received (path, query, headers, time)."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Seen:
    path: str
    query: dict
    headers: dict
    at: float


@dataclass
class LocalServer:
    routes: dict                       # "/path" → callable(request) -> web.Response (or async)
    host: str = "127.0.0.1"
    port: int = 0
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self):
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(request.path, dict(request.query), dict(request.headers), time.monotonic()))
        handler = self.routes.get(request.path_qs) or self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        result = handler(request)
        if asyncio.iscoroutine(result):
            result = await result
        return result

    def _run(self):
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, self.host, self.port)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]


def body(content, ctype="application/json; charset=utf-8", status=200, headers=None):
    """A handler returning fixed bytes/text."""
    data = content if isinstance(content, bytes) else content.encode("utf-8")

    def handler(request):
        return web.Response(body=data, status=status, headers={"Content-Type": ctype, **(headers or {})})

    return handler
