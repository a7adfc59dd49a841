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
    """Several keys, the current one first: wraps with the current key, unwraps with the key named in the
    envelope. That is what lets ``hushdesk keys rotate`` switch master keys without downtime (ADR 0008)."""

    def __init__(self, keys: list[bytes]) -> None:
        self._set_keys(keys)

    def _set_keys(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("no master key")
        if any(len(key) != aead.KEY_BYTES for key in keys):
            raise ValueError("the master key must be 32 bytes")
        self._keys = {_fingerprint(key): key for key in keys}
        self._key_id = _fingerprint(keys[0])

    def _refresh(self) -> None:
        """Providers whose keys can change while the process runs (a key file) reload them here."""

    @property
    def key_id(self) -> str:
        self._refresh()
        return self._key_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        self._refresh()
        return tuple(self._keys)

    def wrap(self, key: bytes, aad: bytes) -> bytes:
        self._refresh()
        return aead.seal(self._keys[self._key_id], self._key_id, key, aad)

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        self._refresh()
        key_id = aead.key_id_of(wrapped)
        key = self._keys.get(key_id)
        if key is None:
            raise aead.DecryptionError(f"master key {key_id} is not available (retired or not configured)")
        return aead.open_sealed(key, wrapped, aad)


def _fingerprint(key: bytes) -> str:
    return "mk-" + hashlib.sha256(b"hushdesk-master-key-id" + key).hexdigest()[:12]


def read_key_file(path: Path) -> list[bytes]:
    """One base64 key per line, the current key first."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PermissionError(f"master key file {path} must not be readable by group/others (mode {mode:o})")
    return [base64.b64decode(line.strip()) for line in path.read_bytes().splitlines() if line.strip()]


def write_key_file(path: Path, keys: list[bytes]) -> None:
    """Atomically replace the key file (mode 0600), current key first."""
    tmp = path.with_name(path.name + ".new")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"".join(base64.b64encode(key) + b"\n" for key in keys))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class FileKeyProvider(_LocalAesProvider):
    def __init__(self, path: Path, *, create: bool = True) -> None:
        if not path.exists():
            if not create:
                raise FileNotFoundError(f"master key file {path} does not exist")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64encode(aead.new_key()) + b"\n")
        self.path = path
        self._stamp = self._file_stamp()
        super().__init__(read_key_file(path))

    def _file_stamp(self) -> tuple[int, int]:
        info = self.path.stat()
        return info.st_mtime_ns, info.st_ino

    def _refresh(self) -> None:
        # A rotation in another process replaces the file: pick up the new current key (and the retirement
        # of old ones) on the next use, so running servers never need a restart.
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self._set_keys(read_key_file(self.path))
            self._stamp = stamp


class EnvKeyProvider(_LocalAesProvider):
    """HUSHDESK_MASTER_KEY: one base64 key, or several separated by commas (current first) while rotating."""

    def __init__(self, encoded: str) -> None:
        if not encoded:
            raise ValueError("HUSHDESK_MASTER_KEY is empty")
        super().__init__([base64.b64decode(part.strip()) for part in encoded.split(",") if part.strip()])
