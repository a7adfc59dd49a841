"""Key providers: where the master key comes from. It never touches the database.

- ``FileKeyProvider``: a 32-byte key in a file created with mode 0600 (the default, under ./var).
- ``EnvKeyProvider``: base64 key in HUSHDESK_MASTER_KEY (containers, secrets managers that inject env).
- ``MasterKeyProvider`` is the protocol an external KMS implements: it wraps/unwraps small keys remotely.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path
from typing import Protocol

from hushdesk.crypto import aead


class MasterKeyProvider(Protocol):
    @property
    def key_id(self) -> str: ...

    def wrap(self, key: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes: ...


class _LocalAesProvider:
    def __init__(self, key: bytes, key_id: str) -> None:
        if len(key) != aead.KEY_BYTES:
            raise ValueError("the master key must be 32 bytes")
        self._key = key
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        return self._key_id

    def wrap(self, key: bytes, aad: bytes) -> bytes:
        return aead.seal(self._key, self._key_id, key, aad)

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        return aead.open_sealed(self._key, wrapped, aad)


def _fingerprint(key: bytes) -> str:
    return "mk-" + hashlib.sha256(b"hushdesk-master-key-id" + key).hexdigest()[:12]


class FileKeyProvider(_LocalAesProvider):
    def __init__(self, path: Path, *, create: bool = True) -> None:
        if not path.exists():
            if not create:
                raise FileNotFoundError(f"master key file {path} does not exist")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64encode(aead.new_key()) + b"\n")
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise PermissionError(f"master key file {path} must not be readable by group/others (mode {mode:o})")
        key = base64.b64decode(path.read_bytes().strip())
        super().__init__(key, _fingerprint(key))


class EnvKeyProvider(_LocalAesProvider):
    def __init__(self, encoded: str) -> None:
        if not encoded:
            raise ValueError("HUSHDESK_MASTER_KEY is empty")
        key = base64.b64decode(encoded)
        super().__init__(key, _fingerprint(key))
