"""Fixtures for the probe tests: the small sandbox world (one process per session) and
short-timeout profiles written to tmp. Helpers: probe_helpers.py."""

from __future__ import annotations

import pytest
import yaml
from probe_helpers import SMALL


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    from govmon.sandbox.runner import SandboxProcess

    out = tmp_path_factory.mktemp("probe-sandbox")
    with SandboxProcess(SMALL, out_dir=out, hang_cap=5, start_timeout=60) as sb:
        yield sb


@pytest.fixture
def profile_file(tmp_path):
    """``profile_file(timeout_seconds=2, window_days=1)``: a profile on national-2019 with these
    availability keys, as a path."""
    n = [0]

    def make(**availability) -> str:
        n[0] += 1
        path = tmp_path / f"probe-test-{n[0]}.yaml"
        path.write_text(yaml.safe_dump({"name": f"probe-test-{n[0]}", "base": "national-2019",
                                        "availability": availability}), encoding="utf-8")
        return str(path)

    return make
