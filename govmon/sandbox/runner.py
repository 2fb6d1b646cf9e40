"""Run the sandbox as a subprocess from Python (tests, the demo)::

    with SandboxProcess("scenarios/small.yaml") as sb:
        sb.url("portal")                 # http://127.10.0.1:PORT/
        sb.registry_dir                  # sites.csv, accounts.csv, regions.csv
        sb.env                           # GOVMON_WEIBO_BASE_URL … for the pipeline
        sb.set_faults("sites", "portal", {"http_5xx": 503})
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SandboxError(RuntimeError):
    pass


class SandboxProcess:
    """``python -m govmon.sandbox serve`` as a context manager.

    ``port=0`` picks a free port. ``out_dir`` (default: a temporary directory) receives the registry
    CSVs. ``start_timeout`` bounds the wait for the ready file; on failure the error carries the
    subprocess's stderr. ``hang_cap`` caps the hang of ``timeout`` faults (seconds).
    """

    def __init__(self, scenario, port: int = 0, out_dir=None, *, start_timeout: float = 30.0,
                 python: str | None = None, anchor: str | None = None, hang_cap: float | None = None,
                 env: dict | None = None):
        self.scenario = str(Path(scenario).resolve())
        self.port = port
        self._tmp = None
        if out_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="govmon-sandbox-")
            out_dir = self._tmp.name
        self.out_dir = Path(out_dir)
        self.start_timeout = start_timeout
        self.python = python or sys.executable
        self.anchor = anchor
        self.hang_cap = hang_cap
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        self.state: dict = {}
        self.ready_file = self.out_dir / "sandbox-state.json"
        self._stderr_path = self.out_dir / "sandbox-stderr.log"
        self._stderr = None

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "SandboxProcess":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.ready_file.unlink(missing_ok=True)
        cmd = [self.python, "-m", "govmon.sandbox", "serve", "--scenario", self.scenario, "--port", str(self.port),
               "--out", str(self.out_dir), "--ready-file", str(self.ready_file)]
        if self.anchor:
            cmd += ["--anchor", self.anchor]
        if self.hang_cap is not None:
            cmd += ["--hang-cap", str(self.hang_cap)]
        env = dict(os.environ)
        env["PYTHONPATH"] = str(PROJECT_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.update(self.extra_env)
        self._stderr = open(self._stderr_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
                                     env=env, cwd=str(PROJECT_ROOT))
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.ready_file.exists():
                try:
                    self.state = json.loads(self.ready_file.read_text(encoding="utf-8"))
                    break
                except (json.JSONDecodeError, OSError):
                    pass
            code = self.proc.poll()
            if code is not None:
                raise SandboxError(f"sandbox exited with status {code} before it was ready:\n{self.stderr()}")
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError(f"sandbox not ready after {self.start_timeout:.0f} s:\n{self.stderr()}")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        proc, self.proc = self.proc, None
        code = None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            code = proc.returncode
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        return code

    def cleanup(self):
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "SandboxProcess":
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc):
        self.cleanup()

    # ---- accessors ------------------------------------------------------------------------------
    def stderr(self) -> str:
        try:
            return self._stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    @property
    def registry_dir(self) -> Path:
        return Path(self.state.get("registry_dir", self.out_dir))

    @property
    def control_url(self) -> str:
        return self.state["control_url"]

    @property
    def env(self) -> dict[str, str]:
        return dict(self.state["env"])

    def url(self, site_key: str) -> str:
        return self.state["sites"][site_key]["url"]

    def address(self, site_key: str) -> str:
        return self.state["sites"][site_key]["address"]

    def feed_url(self, account_key: str) -> str:
        return self.state["accounts"][account_key]["feed_url"]

    def platform_url(self, platform: str) -> str:
        return self.state["platforms"][platform]

    # ---- control --------------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.control_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as e:
            raise SandboxError(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}") from None

    def live_state(self) -> dict:
        return self._call("GET", "/state")

    def set_faults(self, kind: str, key: str, faults: dict) -> dict:
        """kind: ``sites`` or ``accounts``. Keys replace; ``None`` removes. Returns the new faults."""
        kind = {"site": "sites", "account": "accounts"}.get(kind, kind)
        return self._call("POST", f"/{kind}/{key}/faults", faults)["faults"]

    def set_content(self, key: str, patch: dict, kind: str = "sites") -> dict:
        """Runtime content change (staleness, letters; for accounts: live_name, posts, interaction)."""
        kind = {"site": "sites", "account": "accounts"}.get(kind, kind)
        return self._call("POST", f"/{kind}/{key}/content", patch)

    def reset_counters(self, kind: str | None = None, key: str | None = None) -> dict:
        if kind is None:
            return self._call("POST", "/reset", {})
        kind = {"site": "sites", "account": "accounts"}.get(kind, kind)
        return self._call("POST", f"/{kind}/{key}/reset", {})

    def counters(self, site_key: str) -> dict:
        return self._call("GET", f"/sites/{site_key}")["counters"]

    def faults(self, kind: str, key: str) -> dict:
        """The current faults of a site or account."""
        kind = {"site": "sites", "account": "accounts"}.get(kind, kind)
        return self._call("GET", f"/{kind}/{key}")["faults"]
