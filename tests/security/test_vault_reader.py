"""The SQLite key vault's per-message lookup (crypto/vault.py ``_SQLiteKeyReader``) reads what the vault holds,
sees a destroyed key as gone at once, and never keeps a read snapshot open (a checkpoint must be able to purge a
destroyed key's bytes from the WAL)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import select

from hushdesk.context import AppContext
from hushdesk.crypto.vault import WrappedKey, vault_keys
from tests.support.factories import World


def _via_sqlalchemy(ctx: AppContext, key_id: str) -> WrappedKey | None:
    with ctx.keyring.vault.engine.connect() as conn:
        row = conn.execute(select(vault_keys).where(vault_keys.c.id == key_id)).first()
    return None if row is None else WrappedKey(row.id, row.workspace_id, row.kind, row.version, row.wrapped,
                                               row.wrapped_by)


def test_the_raw_lookup_reads_what_the_vault_holds_and_forgets_destroyed_keys(ctx: AppContext, world: World) -> None:
    vault = ctx.keyring.vault
    assert vault._fast is not None  # the test databases keep the vault in a SQLite file
    cipher = ctx.keyring.create_contact_key(world.workspace_id)
    found = vault.get(cipher.key_id)
    assert found is not None and found == _via_sqlalchemy(ctx, cipher.key_id)
    assert isinstance(found.wrapped, bytes) and isinstance(found.version, int)
    assert vault.get("no-such-key") is None
    assert ctx.keyring.destroy_contact_key(world.workspace_id, cipher.key_id)
    assert vault.get(cipher.key_id) is None


def test_the_raw_lookup_leaves_no_reader_behind(ctx: AppContext, world: World) -> None:
    vault = ctx.keyring.vault
    for _ in range(3):
        vault.get(ctx.keyring.create_contact_key(world.workspace_id).key_id)
    path = str(vault.engine.url.database)
    with sqlite3.connect(path, isolation_level=None) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0  # no connection of the reader holds a snapshot that the checkpoint would have to wait for
