"""Fixtures for the new-media tests: the small sandbox world (one process per session), its
registry imported into a fresh database, collection settings fast enough for loopback."""

from __future__ import annotations

import pytest
from media_helpers import FAST, SMALL, import_registry_files


@pytest.fixture(scope="session")
def small():
    from govmon.sandbox import load_scenario

    return load_scenario(SMALL)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """The small world on loopback (named ``sandbox``: tests using it are integration tests)."""
    from govmon.sandbox.runner import SandboxProcess

    with SandboxProcess(SMALL, out_dir=tmp_path_factory.mktemp("media-sandbox"), hang_cap=5) as sb:
        yield sb


@pytest.fixture
def fast_settings(sandbox):
    from govmon.media.settings import MediaSettings

    return MediaSettings.from_env(sandbox.env, **FAST)


@pytest.fixture
def small_db(db_url, sandbox):
    """A fresh database holding the small world's registry."""
    import_registry_files(db_url, sandbox.registry_dir)
    return db_url
