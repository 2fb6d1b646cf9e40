"""Fixtures for the sandbox tests: one real sandbox process (scenarios/small.yaml) per session."""

from __future__ import annotations

import pytest
from sandbox_helpers import SMALL

from govmon.sandbox import load_scenario
from govmon.sandbox.runner import SandboxProcess


@pytest.fixture(scope="session")
def small():
    return load_scenario(SMALL)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    out = tmp_path_factory.mktemp("sandbox-small")
    with SandboxProcess(SMALL, out_dir=out, hang_cap=5, start_timeout=30) as sb:
        yield sb


@pytest.fixture
def site_url(sandbox):
    def url(key: str, path: str = "/") -> str:
        return sandbox.url(key).rstrip("/") + path

    return url
