"""The keyring: creates, unwraps and destroys keys; encrypts per contact; computes blind indexes.

Decryption is always an explicit call on a ``ContactCipher``; nothing decrypts implicitly on load.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from hushdesk.crypto import aead
from hushdesk.crypto.providers import MasterKeyProvider
from hushdesk.crypto.vault import KeyVault, WrappedKey
from hushdesk.kit.ids import new_id

WORKSPACE_KEK = "workspace_kek"
WORKSPACE_INDEX = "workspace_index"
WORKSPACE_SECRETS = "workspace_secrets"
CONTACT = "contact"
# How long a process trusts its cached *current* KEK before asking the vault again: after a KEK rotation every
# process wraps new contact keys with the new KEK within this time (the rotation waits longer than this).
CURRENT_KEK_TTL_SECONDS = 30.0


class KeyDestroyed(aead.DecryptionError):
    """The key was destroyed by an erasure: its ciphertexts are unreadable by design."""


def _aad(*parts: str) -> bytes:
    return "|".join(parts).encode()


@dataclass(frozen=True)
class ContactCipher:
    """Encrypts/decrypts one contact's data; the place string binds a ciphertext to its column and row."""

    workspace_id: str
    key_id: str
    _key: bytes

    def encrypt(self, plaintext: str | bytes, place: str) -> bytes:
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        return aead.seal(self._key, self.key_id, data, _aad(self.workspace_id, place))

    def decrypt_bytes(self, blob: bytes, place: str) -> bytes:
        return aead.open_sealed(self._key, blob, _aad(self.workspace_id, place))

    def decrypt(self, blob: bytes, place: str) -> str:
        return self.decrypt_bytes(blob, place).decode()


class Keyring:
    def __init__(self, provider: MasterKeyProvider, vault: KeyVault) -> None:
        self.provider = provider
        self.vault = vault
        self._lock = threading.Lock()
        # Workspace keys are never destroyed while the workspace lives: caching them is safe and saves a
        # vault round-trip per message. Contact keys are NOT cached, so erasure takes effect at once.
        self._workspace_cache: dict[tuple[str, str], tuple[str, bytes]] = {}
        self._cached_at: dict[tuple[str, str], float] = {}
        # Every KEK version by id (contact keys name the KEK that wraps them in ``wrapped_by``).
        self._kek_by_id: dict[str, bytes] = {}

    # -- workspace keys -------------------------------------------------------------------------------
    def _workspace_key(self, workspace_id: str, kind: str) -> tuple[str, bytes]:
        cached = self._workspace_cache.get((workspace_id, kind))
        if cached and (kind != WORKSPACE_KEK
                       or time.monotonic() - self._cached_at.get((workspace_id, kind), 0.0) < CURRENT_KEK_TTL_SECONDS):
            return cached
        with self._lock:
            found = self.vault.find(workspace_id, kind)
            if found:
                wk = found[0]  # the highest version is the current one
                if cached and cached[0] == wk.id:
                    self._cached_at[(workspace_id, kind)] = time.monotonic()
                    return cached
                key = self.provider.unwrap(wk.wrapped, _aad(kind, workspace_id, wk.id))
            else:
                key_id = new_id("wk")
                key = aead.new_key()
                wrapped = self.provider.wrap(key, _aad(kind, workspace_id, key_id))
                self.vault.put(WrappedKey(key_id, workspace_id, kind, 1, wrapped, self.provider.key_id))
                wk = WrappedKey(key_id, workspace_id, kind, 1, wrapped, self.provider.key_id)
            self._workspace_cache[(workspace_id, kind)] = (wk.id, key)
            self._cached_at[(workspace_id, kind)] = time.monotonic()
            if kind == WORKSPACE_KEK:
                self._kek_by_id[wk.id] = key
            return wk.id, key

    def kek(self, workspace_id: str, kek_id: str) -> bytes:
        """A workspace KEK by id, current or not (a rotation re-wraps contact keys batch by batch)."""
        key = self._kek_by_id.get(kek_id)
        if key is not None:
            return key
        wk = self.vault.get(kek_id)
        if wk is None or wk.workspace_id != workspace_id or wk.kind != WORKSPACE_KEK:
            raise KeyDestroyed(f"key-encryption key {kek_id} does not exist")
        key = self.provider.unwrap(wk.wrapped, _aad(WORKSPACE_KEK, workspace_id, wk.id))
        self._kek_by_id[kek_id] = key
        return key

    def forget_kek(self, kek_id: str) -> None:
        self._kek_by_id.pop(kek_id, None)

    def forget_current_kek(self, workspace_id: str) -> None:
        """Make this process ask the vault for the current KEK on next use (after a rotation)."""
        self._cached_at.pop((workspace_id, WORKSPACE_KEK), None)

    def ensure_workspace_keys(self, workspace_id: str) -> None:
        for kind in (WORKSPACE_KEK, WORKSPACE_INDEX, WORKSPACE_SECRETS):
            self._workspace_key(workspace_id, kind)

    def workspace_secret_key(self, workspace_id: str, purpose: str) -> bytes:
        """A per-purpose key derived from the workspace secrets key (BYOK secrets, pseudonym hashing)."""
        _, key = self._workspace_key(workspace_id, WORKSPACE_SECRETS)
        return hmac.new(key, purpose.encode(), hashlib.sha256).digest()

    # -- blind index ------------------------------------------------------------------------------------
    def blind_index(self, workspace_id: str, kind: str, normalized_value: str) -> str:
        _, key = self._workspace_key(workspace_id, WORKSPACE_INDEX)
        return hmac.new(key, f"{kind}:{normalized_value}".encode(), hashlib.sha256).hexdigest()

    # -- contact keys -----------------------------------------------------------------------------------
    def create_contact_key(self, workspace_id: str) -> ContactCipher:
        kek_id, kek = self._workspace_key(workspace_id, WORKSPACE_KEK)
        key_id = new_id("ck")
        key = aead.new_key()
        wrapped = aead.seal(kek, kek_id, key, _aad(CONTACT, workspace_id, key_id))
        self.vault.put(WrappedKey(key_id, workspace_id, CONTACT, 1, wrapped, kek_id))
        return ContactCipher(workspace_id, key_id, key)

    def contact_cipher(self, workspace_id: str, key_id: str) -> ContactCipher:
        wk = self.vault.get(key_id)
        if wk is None or wk.workspace_id != workspace_id or wk.kind != CONTACT:
            raise KeyDestroyed(f"contact key {key_id} does not exist (erased)")
        kek = self.kek(workspace_id, wk.wrapped_by)
        key = aead.open_sealed(kek, wk.wrapped, _aad(CONTACT, workspace_id, key_id))
        return ContactCipher(workspace_id, key_id, key)

    def destroy_contact_key(self, workspace_id: str, key_id: str) -> bool:
        wk = self.vault.get(key_id)
        if wk is None or wk.workspace_id != workspace_id:
            return False
        return self.vault.destroy(key_id)
