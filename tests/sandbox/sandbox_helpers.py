"""HTTP helpers for the sandbox tests: plain http.client over loopback, short timeouts."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from govmon.sandbox.runner import SandboxProcess

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "small.yaml"
DEMO = ROOT / "scenarios" / "demo.yaml"
ANCHOR = datetime.fromisoformat("2026-09-30T10:00:00+08:00")


@dataclass
class Resp:
    status: int
    headers: dict
    body: bytes
    elapsed: float

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)

    def json(self):
        return json.loads(self.body)


def fetch(url: str, method: str = "GET", timeout: float = 3.0) -> Resp:
    """One request, no redirects followed, a fresh connection each time."""
    u = urllib.parse.urlsplit(url)
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method, path, headers={"User-Agent": "govmon-sandbox-tests"})
        r = conn.getresponse()
        body = r.read()
        return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, body, time.monotonic() - t0)
    finally:
        conn.close()


@contextlib.contextmanager
def patched_faults(sb: SandboxProcess, kind: str, key: str, patch: dict):
    """Apply runtime faults for the duration of a block, then restore the previous ones exactly."""
    before = sb.faults(kind, key)
    sb.set_faults(kind, key, patch)
    try:
        yield
    finally:
        now = sb.faults(kind, key)
        restore = {k: None for k in now if k not in before}
        restore.update(before)
        sb.set_faults(kind, key, restore)


def refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False
