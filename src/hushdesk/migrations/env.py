"""Alembic environment. The URL comes from the caller (hushdesk.migrate) or HUSHDESK_DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, event, text

from hushdesk.config import get_settings
from hushdesk.db import make_null_pool_engine
from hushdesk.models import Base

config = context.config
target_metadata = Base.metadata

# Objects created by raw DDL (FTS tables, expression indexes) are not in the ORM metadata on purpose.
RAW_DDL_PREFIXES = ("message_search", "ix_messages_body_fts", "kb_search", "ix_kb_articles_fts")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name and name.startswith(RAW_DDL_PREFIXES))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_null_pool_engine(url)
    if engine.dialect.name == "sqlite":
        # SQLite alters a table in batch mode by copying it and dropping the original; with foreign keys on,
        # that drop fires every child table's ON DELETE CASCADE (a contact's flags, identities, orders would be
        # deleted). Migrations run with them off and check every reference at the end instead.
        event.listen(engine, "connect", _foreign_keys_off)
    with engine.connect() as conn:
        _run(conn)
        if conn.dialect.name == "sqlite":
            broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise RuntimeError(f"migration left broken references: {broken[:5]}")
    engine.dispose()


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


run()
