"""Key rotation without downtime and without re-encrypting any message (``hushdesk keys rotate``).

Only wrappings change; data keys, and therefore every ciphertext, stay as they are.

- **Master key** (file provider): a new key is put first in the key file next to the old ones; running
  processes notice the changed file and wrap with the new key while still unwrapping with the old. Every
  workspace key (and every TOTP secret) wrapped by an old master key is re-wrapped; after a grace period a
  last sweep catches keys created meanwhile, and the old keys are removed from the file (retired).
- **Workspace KEK**: a new KEK version is stored; processes switch to it within
  ``CURRENT_KEK_TTL_SECONDS``. The workspace's contact keys are re-wrapped in batches (progress reported),
  a last sweep after the grace period catches stragglers, and the old KEK is deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from hushdesk.context import AppContext
from hushdesk.crypto import aead
from hushdesk.crypto.keyring import CONTACT, CURRENT_KEK_TTL_SECONDS, WORKSPACE_KEK, _aad
from hushdesk.crypto.providers import FileKeyProvider, read_key_file, write_key_file
from hushdesk.crypto.vault import WrappedKey, vault_keys
from hushdesk.kit.clock import utcnow
from hushdesk.kit.ids import new_id
from hushdesk.models.security import TotpCredential

Progress = Callable[[str], None]
DEFAULT_GRACE_SECONDS = CURRENT_KEK_TTL_SECONDS * 2


class RotationError(RuntimeError):
    pass


@dataclass(frozen=True)
class RotationReport:
    rewrapped: int
    retired: list[str]


def _rows_wrapped_by(ctx: AppContext, wrapped_by: set[str], kinds: tuple[str, ...], after: str,
                     batch: int) -> list[WrappedKey]:
    vault = ctx.keyring.vault
    vault.ensure_schema()
    with vault.engine.connect() as conn:
        rows = conn.execute(
            select(vault_keys).where(vault_keys.c.wrapped_by.in_(wrapped_by), vault_keys.c.kind.in_(kinds),
                                     vault_keys.c.id > after)
            .order_by(vault_keys.c.id).limit(batch)
        ).all()
    return [WrappedKey(r.id, r.workspace_id, r.kind, r.version, r.wrapped, r.wrapped_by) for r in rows]


# -- master key -------------------------------------------------------------------------------------------
def _rewrap_workspace_keys(ctx: AppContext, old_ids: set[str], progress: Progress, batch: int) -> int:
    provider = ctx.keyring.provider
    done, after = 0, ""
    while True:
        rows = _rows_wrapped_by(ctx, old_ids, ("workspace_kek", "workspace_index", "workspace_secrets"), after,
                                batch)
        if not rows:
            break
        for row in rows:
            aad = _aad(row.kind, row.workspace_id, row.id)
            key = provider.unwrap(row.wrapped, aad)
            ctx.keyring.vault.rewrap(row.id, provider.wrap(key, aad), provider.key_id, utcnow())
        done += len(rows)
        after = rows[-1].id
        progress(f"workspace keys re-wrapped: {done}")
    return done


def _rewrap_totp(ctx: AppContext, old_ids: set[str], progress: Progress) -> int:
    provider = ctx.keyring.provider
    done = 0
    with ctx.unit_of_work() as uow:
        for cred in uow.session.execute(select(TotpCredential)).scalars():
            if aead.key_id_of(cred.secret_ct) in old_ids:
                aad = f"totp|{cred.user_id}".encode()
                cred.secret_ct = provider.wrap(provider.unwrap(cred.secret_ct, aad), aad)
                done += 1
    progress(f"two-factor secrets re-wrapped: {done}")
    return done


def rotate_master_key(ctx: AppContext, *, progress: Progress = print, batch: int = 500,
                      grace_seconds: float = DEFAULT_GRACE_SECONDS) -> RotationReport:
    provider = ctx.keyring.provider
    if not isinstance(provider, FileKeyProvider):
        raise RotationError("rotating an environment-provided master key: put the new key first in "
                            "HUSHDESK_MASTER_KEY (comma-separated, old keys after it), restart, then run "
                            "`hushdesk keys rotate --rewrap-only`")
    keys = read_key_file(provider.path)
    write_key_file(provider.path, [aead.new_key(), *keys])
    new_id_ = provider.key_id  # the provider notices the new file
    old_ids = {k for k in provider.key_ids if k != new_id_}
    progress(f"new master key {new_id_} is current; old keys: {', '.join(sorted(old_ids))}")
    total = _rewrap_workspace_keys(ctx, old_ids, progress, batch)
    total += _rewrap_totp(ctx, old_ids, progress)
    if grace_seconds > 0:
        progress(f"waiting {grace_seconds:.0f} s for running processes to switch keys")
        time.sleep(grace_seconds)
    total += _rewrap_workspace_keys(ctx, old_ids, progress, batch) + _rewrap_totp(ctx, old_ids, progress)
    remaining = _rows_wrapped_by(ctx, old_ids, ("workspace_kek", "workspace_index", "workspace_secrets"), "", 1)
    if remaining:
        raise RotationError("some keys are still wrapped by an old master key; old keys kept, run again")
    write_key_file(provider.path, [k for k in read_key_file(provider.path) if k not in keys])
    progress(f"retired {len(old_ids)} old master key(s)")
    return RotationReport(total, sorted(old_ids))


def rewrap_only(ctx: AppContext, *, progress: Progress = print, batch: int = 500) -> RotationReport:
    """Env provider: the new key is already first; re-wrap everything wrapped by the others."""
    provider = ctx.keyring.provider
    current = provider.key_id
    key_ids: tuple[str, ...] = getattr(provider, "key_ids", (current,))
    old_ids = {k for k in key_ids if k != current}
    total = _rewrap_workspace_keys(ctx, old_ids, progress, batch) + _rewrap_totp(ctx, old_ids, progress)
    progress("done: remove the old keys from HUSHDESK_MASTER_KEY and restart")
    return RotationReport(total, sorted(old_ids))


# -- workspace KEK ------------------------------------------------------------------------------------------
def _rewrap_contacts(ctx: AppContext, workspace_id: str, old_kek_id: str, new_kek_id: str, new_kek: bytes,
                     progress: Progress, batch: int) -> int:
    keyring = ctx.keyring
    old_kek = keyring.kek(workspace_id, old_kek_id)
    done, after = 0, ""
    while True:
        rows = _rows_wrapped_by(ctx, {old_kek_id}, (CONTACT,), after, batch)
        rows = [r for r in rows if r.workspace_id == workspace_id]
        if not rows:
            break
        for row in rows:
            aad = _aad(CONTACT, workspace_id, row.id)
            key = aead.open_sealed(old_kek, row.wrapped, aad)
            keyring.vault.rewrap(row.id, aead.seal(new_kek, new_kek_id, key, aad), new_kek_id, utcnow())
        done += len(rows)
        after = rows[-1].id
        progress(f"workspace {workspace_id}: contact keys re-wrapped: {done}")
    return done


def rotate_workspace_kek(ctx: AppContext, workspace_id: str, *, progress: Progress = print, batch: int = 500,
                         grace_seconds: float = DEFAULT_GRACE_SECONDS) -> RotationReport:
    keyring = ctx.keyring
    keyring.ensure_workspace_keys(workspace_id)
    versions = keyring.vault.find(workspace_id, WORKSPACE_KEK)
    old = versions[0]
    new_id_ = new_id("wk")
    new_kek = aead.new_key()
    wrapped = keyring.provider.wrap(new_kek, _aad(WORKSPACE_KEK, workspace_id, new_id_))
    keyring.vault.put(WrappedKey(new_id_, workspace_id, WORKSPACE_KEK, old.version + 1, wrapped,
                                 keyring.provider.key_id))
    keyring.forget_current_kek(workspace_id)
    progress(f"workspace {workspace_id}: new KEK {new_id_} (version {old.version + 1})")
    olds = [v.id for v in versions]
    total = 0
    for old_id in olds:
        total += _rewrap_contacts(ctx, workspace_id, old_id, new_id_, new_kek, progress, batch)
    if grace_seconds > 0:
        progress(f"waiting {grace_seconds:.0f} s for running processes to switch to the new KEK")
        time.sleep(grace_seconds)
    for old_id in olds:
        total += _rewrap_contacts(ctx, workspace_id, old_id, new_id_, new_kek, progress, batch)
        if _rows_wrapped_by(ctx, {old_id}, (CONTACT,), "", 1):
            raise RotationError(f"contact keys still wrapped by {old_id}; old KEK kept, run again")
        keyring.vault.destroy(old_id)
        keyring.forget_kek(old_id)
    progress(f"workspace {workspace_id}: retired {len(olds)} old KEK(s); {total} contact keys re-wrapped")
    return RotationReport(total, olds)
