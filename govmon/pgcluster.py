"""Which Postgres to use, and a project-local cluster when none is given.

``GOVMON_DATABASE_URL`` wins when it is set. Otherwise the project starts its own cluster under
the ignored state folder (``.govmon/postgres``), listening on 127.0.0.1 on its own port (never
5432, which may belong to another server) and on a socket in that folder. ``initdb`` refuses to
run as root, so when we are root the cluster runs as an unprivileged user (``postgres`` if the
machine has one, else ``nobody``).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from govmon import config

DEFAULT_PORT = 54329
DB_NAME = "govmon"
DB_USER = "govmon"

INSTALL_HINT = (
    "找不到可用的 PostgreSQL。No PostgreSQL is available: either set GOVMON_DATABASE_URL to a libpq URL "
    "of a server this project may use (for example postgresql://govmon@127.0.0.1:5432/govmon; the role "
    "needs CREATEDB for the tests), or install the PostgreSQL server binaries so that the project can "
    "start its own local cluster: on Debian or Ubuntu `sudo apt-get install postgresql` (it provides "
    "initdb and pg_ctl under /usr/lib/postgresql/<version>/bin; the server does not need to be running), "
    "or set GOVMON_PG_BIN to the folder that holds initdb and pg_ctl."
)


class ClusterUnavailable(RuntimeError):
    """Neither GOVMON_DATABASE_URL nor a startable local cluster."""


@dataclass(frozen=True)
class LocalCluster:
    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def port(self) -> int:
        try:
            return int(self.port_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return int(os.environ.get("GOVMON_PG_PORT", DEFAULT_PORT))

    def url(self, dbname: str = DB_NAME) -> str:
        return f"postgresql://{DB_USER}@127.0.0.1:{self.port}/{dbname}"


def local_cluster() -> LocalCluster:
    """The cluster under the state folder, or where a pointer file says it was moved (see start())."""
    pointer = config.state_dir() / "postgres.location"
    if pointer.is_file():
        return LocalCluster(Path(pointer.read_text().strip()))
    return LocalCluster(config.state_dir() / "postgres")


def _fallback_root() -> Path:
    """A place under /tmp for the cluster when the unprivileged user cannot reach the state folder
    (e.g. a checkout under /root, whose mode is 700)."""
    import hashlib

    tag = hashlib.sha256(str(config.state_dir()).encode()).hexdigest()[:12]
    return Path("/tmp") / f"govmon-pg-{tag}"


DEBIAN_BINDIRS = "/usr/lib/postgresql/*/bin"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: GOVMON_PG_BIN, PATH, then Debian's layout."""
    env = os.environ.get("GOVMON_PG_BIN")
    candidates: list[Path] = [Path(env)] if env else []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    debian = sorted(glob.glob(DEBIAN_BINDIRS), key=_version_key, reverse=True)
    candidates += [Path(p) for p in debian]
    for c in candidates:
        if (c / "initdb").exists() and (c / "pg_ctl").exists():
            return c
    return None


def _version_key(path: str) -> tuple:
    part = Path(path).parent.name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


def _run_as() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ClusterUnavailable(
        "以 root 运行时需要一个非特权用户来运行 PostgreSQL (initdb refuses to run as root), "
        "but neither 'postgres' nor 'nobody' exists. " + INSTALL_HINT
    )


def _run(cmd: list[str], user: pwd.struct_passwd | None, check: bool = True, **kw) -> subprocess.CompletedProcess:
    def demote() -> None:  # runs in the child before exec
        if user is not None:
            os.setgid(user.pw_gid)
            os.setgroups([])
            os.setuid(user.pw_uid)

    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    if user is not None:
        env["HOME"] = "/tmp"
    return subprocess.run(cmd, preexec_fn=demote, env=env, check=check, capture_output=True, text=True, **kw)


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _lock(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    config.state_dir().mkdir(parents=True, exist_ok=True)
    with open(config.state_dir() / "postgres.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def is_running(cluster: LocalCluster | None = None) -> bool:
    cluster = cluster or local_cluster()
    bindir = find_bindir()
    if bindir is None or not (cluster.data_dir / "PG_VERSION").exists():
        return False
    res = _run([str(bindir / "pg_ctl"), "status", "-D", str(cluster.data_dir)], _run_as(), check=False)
    return res.returncode == 0


def start(cluster: LocalCluster | None = None) -> str:
    """Initialise (once) and start the local cluster; return its URL. Idempotent."""
    cluster = cluster or local_cluster()
    bindir = find_bindir()
    if bindir is None:
        raise ClusterUnavailable(INSTALL_HINT)
    user = _run_as()
    if user is not None and not (cluster.data_dir / "PG_VERSION").exists() and not _reachable(cluster.root, user):
        fallback = LocalCluster(_fallback_root())
        print(f"注意：用户 {user.pw_name} 无法访问 {cluster.root}，本地集群改放在 {fallback.root}", flush=True)
        config.state_dir().mkdir(parents=True, exist_ok=True)
        (config.state_dir() / "postgres.location").write_text(f"{fallback.root}\n")
        cluster = fallback
    with _lock(cluster.root):
        if not (cluster.data_dir / "PG_VERSION").exists():
            _initdb(cluster, bindir, user)
        if not is_running(cluster):
            port = cluster.port
            if not port_free(port):
                port = _free_port()
            cluster.port_file.write_text(f"{port}\n")
            cluster.socket_dir.mkdir(exist_ok=True)
            _chown(cluster.socket_dir, user)
            opts = f"-p {port} -k {cluster.socket_dir} -c listen_addresses=127.0.0.1"
            res = _run(
                [str(bindir / "pg_ctl"), "start", "-D", str(cluster.data_dir), "-l", str(cluster.log_file),
                 "-w", "-t", "60", "-o", opts],
                user, check=False,
            )
            if res.returncode != 0:
                tail = _tail(cluster.log_file)
                raise ClusterUnavailable(
                    f"本地 PostgreSQL 启动失败 (pg_ctl start exited {res.returncode}): {res.stderr.strip()}\n"
                    f"{cluster.log_file}:\n{tail}"
                )
        _ensure_database(cluster)
    return cluster.url()


def stop(cluster: LocalCluster | None = None) -> bool:
    """Stop the local cluster cleanly (fast shutdown). Returns True when it was running."""
    cluster = cluster or local_cluster()
    bindir = find_bindir()
    if bindir is None or not is_running(cluster):
        return False
    _run([str(bindir / "pg_ctl"), "stop", "-D", str(cluster.data_dir), "-m", "fast", "-w", "-t", "60"], _run_as())
    return True


def _reachable(root: Path, user: pwd.struct_passwd) -> bool:
    """Can ``user`` reach (search every parent of) and write ``root``? Made and chowned here first."""
    root.mkdir(parents=True, exist_ok=True)
    _chown(root, user)
    return _run(["test", "-w", str(root)], user, check=False).returncode == 0


def _initdb(cluster: LocalCluster, bindir: Path, user: pwd.struct_passwd | None) -> None:
    if cluster.data_dir.exists():
        shutil.rmtree(cluster.data_dir)  # a half-made data dir from an interrupted initdb
    cluster.root.mkdir(parents=True, exist_ok=True)
    _chown(cluster.root, user)
    if user is not None and not _reachable(cluster.root, user):
        raise ClusterUnavailable(
            f"用户 {user.pw_name} 无法写入 {cluster.root}。Set GOVMON_STATE_DIR to a folder {user.pw_name} "
            "can reach, or set GOVMON_DATABASE_URL."
        )
    res = _run(
        [str(bindir / "initdb"), "-D", str(cluster.data_dir), "-U", DB_USER, "-A", "trust",
         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        user, check=False,
    )
    if res.returncode != 0:
        raise ClusterUnavailable(f"initdb 失败 (exit {res.returncode}): {res.stderr.strip() or res.stdout.strip()}")


def _chown(path: Path, user: pwd.struct_passwd | None) -> None:
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def _ensure_database(cluster: LocalCluster) -> None:
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            conn = psycopg2.connect(cluster.url("postgres"))
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (DB_NAME,))
            if cur.fetchone() is None:
                cur.execute(f'create database "{DB_NAME}"')
    finally:
        conn.close()


def resolve_url(autostart: bool = True) -> str:
    """The database URL to use: GOVMON_DATABASE_URL, else the local cluster (started if asked)."""
    url = config.database_url()
    if url:
        return url
    cluster = local_cluster()
    if is_running(cluster):
        return cluster.url()
    if not autostart:
        raise ClusterUnavailable(
            "GOVMON_DATABASE_URL 未设置，本地集群也未运行 (run `govmon db start`). " + INSTALL_HINT
        )
    return start(cluster)
