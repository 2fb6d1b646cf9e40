#!/usr/bin/env python3
"""Put a pinned uv at .govmon/tools/uv using nothing but the Python standard library.

Works on a fresh Debian machine whose python3 has neither pip nor venv: the uv wheel is fetched
from the package index (PyPI, or the mirror in UV_INDEX_URL / PIP_INDEX_URL), its sha256 checked
against the index's digest, and the binary unpacked. Idempotent: an existing binary of the pinned
version is kept.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import re
import stat
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from html import unescape
from pathlib import Path

UV_VERSION = "0.13.8"
ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("GOVMON_STATE_DIR", ROOT / ".govmon")) / "tools"
UV = TOOLS / "uv"


def _have() -> bool:
    if not UV.exists():
        return False
    try:
        out = subprocess.run([str(UV), "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return False
    return out.split()[1:2] == [UV_VERSION]


def _wheel_tag() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(machine)
    if sys.platform != "linux" or arch is None:
        sys.exit(f"bootstrap_uv: no rule for {sys.platform}/{machine}; install uv {UV_VERSION} yourself "
                 f"and put it at {UV}")
    return f"manylinux_2_17_{arch}"


def _index() -> str:
    url = os.environ.get("UV_INDEX_URL") or os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple"
    return url.rstrip("/")


def _links(page_url: str) -> list[tuple[str, str]]:
    """(filename, href) pairs of a PEP 503 simple-index page."""
    with urllib.request.urlopen(page_url, timeout=60) as resp:
        html = resp.read().decode("utf-8", "replace")
    out = []
    for href, name in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html):
        out.append((name.strip(), urllib.parse.urljoin(page_url, unescape(href))))
    return out


def main() -> int:
    if _have():
        return 0
    tag = _wheel_tag()
    page = f"{_index()}/uv/"
    try:
        links = _links(page)
    except OSError as exc:
        sys.exit(f"bootstrap_uv: cannot reach the package index ({page}): {exc}. "
                 f"Install uv {UV_VERSION} by hand and put it at {UV}, or set UV_INDEX_URL to a PyPI mirror.")
    prefix = f"uv-{UV_VERSION}-py3-none-"
    wheels = [(n, h) for n, h in links if n.startswith(prefix) and tag in n and n.endswith(".whl")]
    if not wheels:
        sys.exit(f"bootstrap_uv: no uv {UV_VERSION} wheel for {tag} at {page}")
    name, href = wheels[0]
    digest = urllib.parse.urlsplit(href).fragment.partition("sha256=")[2]
    print(f"bootstrap_uv: fetching {name}", flush=True)
    with urllib.request.urlopen(href.split("#")[0], timeout=300) as resp:
        data = resp.read()
    if not digest or hashlib.sha256(data).hexdigest() != digest:
        sys.exit("bootstrap_uv: sha256 of the downloaded uv wheel does not match the index")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        member = next(n for n in zf.namelist() if n.endswith("/scripts/uv"))
        TOOLS.mkdir(parents=True, exist_ok=True)
        tmp = UV.with_suffix(".tmp")
        tmp.write_bytes(zf.read(member))
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        tmp.replace(UV)
    if not _have():
        sys.exit(f"bootstrap_uv: {UV} does not run")
    print(f"bootstrap_uv: uv {UV_VERSION} at {UV}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
