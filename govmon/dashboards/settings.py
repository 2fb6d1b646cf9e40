"""Where Superset lives and how it is reached: the state folder, the port, secrets, environment.

Standard library only: imported by the main environment and by Superset's config module.

| variable | default | meaning |
|---|---|---|
| ``GOVMON_SUPERSET_PORT`` | 8088 | port on 127.0.0.1 |
| ``GOVMON_SUPERSET_HOME`` | ``.govmon/superset`` | metadata (SQLite), secret key, logins, logs |
| ``GOVMON_SUPERSET_METADATA_URL`` | SQLite in the home | Superset's own metadata database |
| ``GOVMON_SUPERSET_DATABASE_URL`` | ``GOVMON_DATABASE_URL`` | what the dashboards query (e.g. a read-only role) |
| ``SUPERSET_SECRET_KEY`` | generated once into the home | signs sessions, encrypts stored passwords |
| ``GOVMON_SUPERSET_ADMIN_PASSWORD`` | generated once into the home | the ``admin`` login |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from govmon import config

PROJECT = config.PROJECT_ROOT / "envs" / "superset"
ASSETS_DIR = config.PROJECT_ROOT / "dashboards"
DEFAULT_PORT = 8088
ADMIN_USER = "admin"


def home() -> Path:
    """Superset's state folder (ignored): metadata DB, secret key, logins, pid and log files."""
    value = os.environ.get("GOVMON_SUPERSET_HOME", "").strip()
    return Path(value).resolve() if value else config.state_dir() / "superset"


def port() -> int:
    return int(os.environ.get("GOVMON_SUPERSET_PORT", DEFAULT_PORT))


def base_url(port_: int | None = None) -> str:
    return f"http://127.0.0.1:{port_ or port()}"


def python() -> Path:
    """The interpreter of Superset's own environment."""
    return PROJECT / ".venv" / "bin" / "python"


def metadata_url(home_: Path | None = None) -> str:
    url = os.environ.get("GOVMON_SUPERSET_METADATA_URL", "").strip()
    return url or f"sqlite:///{(home_ or home()) / 'superset.db'}"


def _secret_file(path: Path, nbytes: int) -> str:
    """Read a generated secret, creating it (mode 0600) on first use."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


def secret_key(home_: Path | None = None) -> str:
    return os.environ.get("SUPERSET_SECRET_KEY", "").strip() or _secret_file((home_ or home()) / "secret_key", 42)


def admin_password(home_: Path | None = None) -> str:
    return (os.environ.get("GOVMON_SUPERSET_ADMIN_PASSWORD", "").strip()
            or _secret_file((home_ or home()) / "admin_password", 12))


def logins_file(home_: Path | None = None) -> Path:
    """CSV of the viewer logins created by ``govmon dashboards users`` (mode 0600)."""
    return (home_ or home()) / "logins.csv"


def superset_env(database_url: str, home_: Path | None = None) -> dict[str, str]:
    """The environment for Superset's processes (values already set in os.environ win)."""
    home_ = home_ or home()
    home_.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(config.PROJECT_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
        "SUPERSET_CONFIG_PATH": str(Path(__file__).with_name("superset_config.py")),
        "SUPERSET_HOME": str(home_),
        "GOVMON_SUPERSET_HOME": str(home_),
        "SUPERSET_SECRET_KEY": secret_key(home_),
        "GOVMON_SUPERSET_ADMIN_PASSWORD": admin_password(home_),
        "GOVMON_SUPERSET_DATABASE_URL": os.environ.get("GOVMON_SUPERSET_DATABASE_URL", "").strip() or database_url,
        "GOVMON_DATABASE_URL": database_url,
        "FLASK_APP": "superset.app:create_app()",
        "PYTHONUNBUFFERED": "1",
        # never look for a newer wheel, a Chromium or telemetry endpoint on the network
        "SCARF_ANALYTICS": "false",
        "NO_PROXY": "127.0.0.1,localhost",
    })
    env.setdefault("GOVMON_SUPERSET_METADATA_URL", metadata_url(home_))
    return env
