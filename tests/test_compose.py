"""docker-compose.yml: the stack it promises, with secrets only from .env (no Docker engine here)."""

from __future__ import annotations

import re

import yaml

from govmon import config

ROOT = config.PROJECT_ROOT


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services():
    services = _compose()["services"]
    for name in ("postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
                 "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "sandbox"):
        assert name in services, name
    for name, svc in services.items():
        if name.startswith("airflow-"):
            assert svc["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        if name not in ("airflow-init", "sandbox"):
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
