"""docker-compose.yml: the stack it promises, with secrets only from .env (no Docker engine here).

Besides reading the file, docker-compose v1 (PyPI, in its own venv: `make compose-venv`) validates
it offline the way `docker compose config` would, with the secrets of .env.example filled in.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from govmon import config

ROOT = config.PROJECT_ROOT


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services():
    services = _compose()["services"]
    for name in ("postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
                 "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "sandbox",
                 "superset-init", "superset"):
        assert name in services, name
    for name, svc in services.items():
        if name.startswith("airflow-"):
            assert svc["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        if name not in ("airflow-init", "superset-init", "sandbox"):  # one-shots and the optional world
            assert "healthcheck" in svc, f"{name} has no healthcheck"
    assert services["sandbox"]["profiles"] == ["sandbox"]


def test_no_secret_is_committed_and_every_variable_is_documented():
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))  # $${X} is for the container shell
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, flags=re.M))
    assert used <= documented, used - documented
    for line in example.splitlines():
        if re.match(r"^[A-Z_]*(PASSWORD|SECRET|KEY)[A-Z_]*=", line):
            value = line.split("=", 1)[1]
            assert value in ("", "change-me"), line
    # every secret-looking key takes its value from the environment
    literal = re.findall(r"^\s*([A-Z_]*(?:PASSWORD|SECRET|FERNET_KEY)[A-Z_]*):\s*(?!\$)(\S.*)$", text, flags=re.M)
    assert literal == []


def test_superset_services():
    services = _compose()["services"]
    init, web = services["superset-init"], services["superset"]
    for svc in (init, web):
        assert svc["build"]["dockerfile"] == "docker/superset/Dockerfile"
        assert svc["image"] == "govmon-superset:latest"  # not the govmon image: Superset has its own environment
        assert "superset-home:/app/superset_home" in svc["volumes"]
        assert svc["environment"]["GOVMON_SUPERSET_METADATA_URL"].endswith("/${SUPERSET_DB:-superset}")
    # the init imports dashboards/ and sets up roles and RLS after govmon's schema exists
    assert "govmon.dashboards.superset_tasks setup" in init["command"]
    assert init["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert init["restart"] == "no"
    assert web["depends_on"]["superset-init"]["condition"] == "service_completed_successfully"
    assert web["ports"] == ["127.0.0.1:8088:8088"]
    assert "superset-home" in _compose()["volumes"]
    assert (ROOT / "docker" / "postgres-init" / "20-superset-db.sh").exists()


def test_published_ports_are_loopback_only():
    for name, svc in _compose()["services"].items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_images_copy_what_exists():
    for dockerfile in (ROOT / "Dockerfile", ROOT / "docker" / "superset" / "Dockerfile"):
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY "):
                for src in line.split()[1:-1]:
                    assert (ROOT / src).exists(), (dockerfile.name, src)


COMPOSE_BIN = config.state_dir() / "tools" / "compose-venv" / "bin" / "docker-compose"


def _compose_config(tmp_path, env_text: str, *args: str) -> subprocess.CompletedProcess:
    if not COMPOSE_BIN.exists():
        pytest.skip(f"{COMPOSE_BIN} is missing: run `make compose-venv` (make test does)")
    env_file = tmp_path / "env"
    env_file.write_text(env_text)
    return subprocess.run([str(COMPOSE_BIN), "-f", str(ROOT / "docker-compose.yml"), "--env-file", str(env_file),
                           *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def _filled_env() -> str:
    return re.sub(r"^([A-Z_]*(?:PASSWORD|SECRET|KEY)[A-Z_]*)=.*$", r"\1=not-a-real-secret",
                  (ROOT / ".env.example").read_text(), flags=re.M)


def test_docker_compose_validates_the_file(tmp_path):
    proc = _compose_config(tmp_path, _filled_env(), "--profile", "sandbox", "config", "-q")
    assert proc.returncode == 0, proc.stderr
    proc = _compose_config(tmp_path, _filled_env(), "--profile", "sandbox", "config", "--services")
    assert set(proc.stdout.split()) == set(_compose()["services"])


def test_docker_compose_refuses_to_start_without_a_secret(tmp_path):
    env = re.sub(r"^SUPERSET_SECRET_KEY=.*$", "SUPERSET_SECRET_KEY=", _filled_env(), flags=re.M)
    proc = _compose_config(tmp_path, env, "config", "-q")
    assert proc.returncode != 0
    assert "set SUPERSET_SECRET_KEY in .env" in proc.stderr
