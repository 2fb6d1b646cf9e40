"""Superset on 127.0.0.1: its environment, its setup, and the web server process.

- :func:`ensure_env` installs Superset's locked environment (``envs/superset``) with the project's
  pinned uv, once (a stamp records the lock file it was synced from);
- :func:`setup` runs :mod:`govmon.dashboards.superset_tasks` in that environment (metadata,
  admin login, asset import, roles, row-level security, viewer logins);
- :func:`start` runs gunicorn bound to 127.0.0.1 in the background (pid and log in the Superset
  home), :func:`stop` ends that process (by the pid it recorded) and :func:`status` reports it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from govmon import config
from govmon.dashboards import settings


class SupersetError(RuntimeError):
    pass


# ---- environment -------------------------------------------------------------------------------

def _uv() -> Path:
    uv = config.state_dir() / "tools" / "uv"
    if uv.exists():
        return uv
    found = shutil.which("uv")
    if found:
        return Path(found)
    subprocess.run([sys.executable, str(config.PROJECT_ROOT / "tools" / "bootstrap_uv.py")], check=True)
    return uv


def _python311() -> str:
    for name in ("python3.11", "python3"):
        found = shutil.which(name)
        if found:
            out = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
                                 capture_output=True, text=True)
            if out.stdout.strip() == "True":
                return found
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    raise SupersetError("Superset 的环境需要 Python 3.11（Debian 12: apt-get install python3）")


def ensure_env(quiet: bool = False) -> Path:
    """Superset's locked environment; synced only when uv.lock changed since the last sync."""
    python = settings.python()
    lock = settings.PROJECT / "uv.lock"
    digest = hashlib.sha256(lock.read_bytes() + (settings.PROJECT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = settings.PROJECT / ".venv" / ".govmon-synced"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    if not quiet:
        print("    安装 Superset 环境（envs/superset，uv sync --locked）……", flush=True)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_PROJECT_ENVIRONMENT": str(settings.PROJECT / ".venv")}
    proc = subprocess.run([str(_uv()), "sync", "--locked", "--python", _python311()], cwd=settings.PROJECT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SupersetError(f"Superset 环境安装失败：\n{proc.stderr[-3000:]}")
    stamp.write_text(digest + "\n")
    return python


# ---- setup (inside Superset's environment) -------------------------------------------------------

def run_task(args: list[str], database_url: str, home: Path | None = None, timeout: float = 900) -> dict:
    """Run ``python -m govmon.dashboards.superset_tasks ARGS`` in Superset's environment."""
    python = ensure_env()
    home = home or settings.home()
    env = settings.superset_env(database_url, home)
    log = home / "setup.log"
    with log.open("ab") as fh:
        fh.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} superset_tasks {' '.join(args)}\n".encode())
        fh.flush()
        proc = subprocess.run([str(python), "-m", "govmon.dashboards.superset_tasks", *args], env=env,
                              cwd=config.PROJECT_ROOT, stdout=subprocess.PIPE, stderr=fh, timeout=timeout)
    out = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise SupersetError(f"superset_tasks {args[0]} 失败（日志 {log}）：\n{tail}")
    try:
        return json.loads(out[-1]) if out else {}
    except json.JSONDecodeError:
        return {"output": out}


def setup(database_url: str, *, users: bool = True, home: Path | None = None,
          assets_dir: Path | None = None) -> dict:
    home = home or settings.home()
    args = ["setup", "--assets", str(assets_dir or settings.ASSETS_DIR)]
    if users:
        args += ["--users", "--logins", str(settings.logins_file(home))]
    return run_task(args, database_url, home)


# ---- the web server ----------------------------------------------------------------------------

@dataclass
class Server:
    pid: int
    port: int
    home: Path

    @property
    def url(self) -> str:
        return settings.base_url(self.port)


def _pid_file(home: Path) -> Path:
    return home / "superset.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_ours(pid: int) -> bool:
    """The recorded pid still belongs to our gunicorn (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return _alive(pid)
    return "gunicorn" in cmdline and "superset" in cmdline


def status(home: Path | None = None) -> Server | None:
    home = home or settings.home()
    pid_file = _pid_file(home)
    if not pid_file.exists():
        return None
    try:
        info = json.loads(pid_file.read_text())
    except (json.JSONDecodeError, OSError):
        return None
    if not (_alive(info["pid"]) and _is_ours(info["pid"])):
        pid_file.unlink(missing_ok=True)
        return None
    return Server(info["pid"], info["port"], home)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(database_url: str, *, port: int | None = None, home: Path | None = None, workers: int = 2,
          wait: float = 180, foreground: bool = False) -> Server:
    """Start gunicorn on 127.0.0.1 (a running one is restarted so it reads the new settings)."""
    home = home or settings.home()
    python = ensure_env()
    running = status(home)
    if running:
        stop(home)
    port = port or settings.port()
    if not port_free(port):
        raise SupersetError(f"127.0.0.1:{port} 已被占用：设置 GOVMON_SUPERSET_PORT 换一个端口")
    env = settings.superset_env(database_url, home)
    gunicorn = python.parent / "gunicorn"
    cmd = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread",
           "--threads", "4", "--timeout", "120", "--limit-request-line", "0", "--limit-request-field_size", "0",
           "--access-logfile", str(home / "access.log"), "--error-logfile", str(home / "superset.log"),
           "superset.app:create_app()"]
    if foreground:
        os.execve(cmd[0], cmd, env)
    log = open(home / "superset.log", "ab")
    proc = subprocess.Popen(cmd, env=env, cwd=str(home), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            start_new_session=True)
    log.close()
    _pid_file(home).write_text(json.dumps({"pid": proc.pid, "port": port}))
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _pid_file(home).unlink(missing_ok=True)
            tail = (home / "superset.log").read_text(encoding="utf-8", errors="replace")[-3000:]
            raise SupersetError(f"Superset 启动失败（退出码 {proc.returncode}）：\n{tail}")
        if healthy(port):
            return Server(proc.pid, port, home)
        time.sleep(0.5)
    stop(home)
    raise SupersetError(f"Superset 在 {wait:.0f} 秒内未就绪（日志 {home / 'superset.log'}）")


def stop(home: Path | None = None, timeout: float = 20) -> bool:
    """Stop the gunicorn this home recorded (its master; the workers follow). False if none ran."""
    home = home or settings.home()
    server = status(home)
    if server is None:
        return False
    os.kill(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(server.pid):
        try:  # reap it when it is our child (tests); otherwise it is reparented and reaped by init
            os.waitpid(server.pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    if _alive(server.pid):
        os.kill(server.pid, signal.SIGKILL)
    _pid_file(home).unlink(missing_ok=True)
    return True
