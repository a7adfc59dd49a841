"""Shared fixtures. The whole suite runs on SQLite by default and on PostgreSQL with HUSHDESK_TEST_DB=postgres;
the schema always comes from the Alembic migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hushdesk.app import create_app
from hushdesk.config import Settings
from hushdesk.context import AppContext
from hushdesk.migrate import upgrade
from hushdesk.worker import jobs as jobs_module
from tests.support.databases import backend, create_database, drop_database
from tests.support.factories import World, make_world

os.environ.setdefault("HUSHDESK_ENV", "test")


def pytest_report_header(config: pytest.Config) -> str:
    return f"hushdesk database backend: {backend()}"


def make_settings(tmp: Path, **overrides: object) -> Settings:
    db_url, vault_url = create_database(tmp)
    values: dict[str, object] = {
        "env": "test", "data_dir": tmp, "database_url": db_url, "keyvault_url": vault_url,
        "secret_key": "test-secret-key-0123456789", "queue": "immediate", "password_hash_fast": True,
        "base_url": "http://testserver",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hushdesk")


@pytest.fixture(scope="session")
def ctx(session_tmp: Path) -> Iterator[AppContext]:
    settings = make_settings(session_tmp)
    upgrade(settings.resolved_database_url)
    context = AppContext.create(settings)
    yield context
    context.close()
    drop_database(settings.resolved_database_url)


@pytest.fixture(scope="session")
def app(ctx: AppContext) -> FastAPI:
    return create_app(ctx.settings, ctx)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def world(ctx: AppContext) -> World:
    return make_world(ctx)


@pytest.fixture
def other_world(ctx: AppContext) -> World:
    return make_world(ctx, name="Other Co")


@pytest.fixture
def fresh_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """A brand-new database of its own (for tests that scan database files byte by byte)."""
    settings = make_settings(tmp_path)
    upgrade(settings.resolved_database_url)
    previous = jobs_module._current_app
    context = AppContext.create(settings)
    yield context
    context.close()
    # Jobs run against the most recently created context: give the queue back to the session's one.
    if previous is not None:
        previous.jobs.bind(previous)
    drop_database(settings.resolved_database_url)
