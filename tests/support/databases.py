"""Which database the suite runs on: HUSHDESK_TEST_DB=sqlite (default) or postgres.

PostgreSQL comes from HUSHDESK_TEST_POSTGRES_URL, else 127.0.0.1:5432 if it answers, else a throwaway cluster
started by scripts/pg-throwaway (see Makefile). Each test session gets its own fresh database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def backend() -> str:
    return os.environ.get("HUSHDESK_TEST_DB", "sqlite")


def postgres_server_url() -> str:
    url = os.environ.get("HUSHDESK_TEST_POSTGRES_URL", "")
    if not url:
        raise RuntimeError("HUSHDESK_TEST_POSTGRES_URL is not set (make test sets it)")
    return url


def create_database(tmp: Path) -> tuple[str, str]:
    """Returns (data database URL, key vault URL) for a brand-new, empty database."""
    vault = f"sqlite:///{(tmp / 'keyvault.db').as_posix()}"
    if backend() == "sqlite":
        return f"sqlite:///{(tmp / 'hushdesk.db').as_posix()}", vault
    server = make_url(postgres_server_url()).set(drivername="postgresql+psycopg")
    name = "hushdesk_test_" + secrets.token_hex(6)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False), vault


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()
