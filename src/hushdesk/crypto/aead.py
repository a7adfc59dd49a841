"""AES-256-GCM with a self-describing header: every ciphertext carries its key id and format version.

Layout: b"HD" | version (1 byte) | key-id length (1 byte) | key id (ascii) | nonce (12 bytes) | ciphertext+tag.
The associated data binds a ciphertext to where it is stored (workspace, column, row), so a value copied into
another row does not decrypt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"HD"
FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """The ciphertext is damaged, bound to another place, or its key is gone (crypto-shredded)."""


@dataclass(frozen=True)
class Envelope:
    key_id: str
    nonce: bytes
    body: bytes


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def seal(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
    kid = key_id.encode("ascii")
    if len(kid) > 255:
        raise ValueError("key id too long")
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(key).encrypt(nonce, plaintext, aad)
    return MAGIC + bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + body


def parse(blob: bytes) -> Envelope:
    if len(blob) < 4 or blob[:2] != MAGIC:
        raise DecryptionError("not a hushdesk ciphertext")
    if blob[2] != FORMAT_VERSION:
        raise DecryptionError(f"unsupported ciphertext version {blob[2]}")
    kid_len = blob[3]
    start = 4 + kid_len
    if len(blob) < start + NONCE_BYTES + 16:
        raise DecryptionError("truncated ciphertext")
    return Envelope(blob[4:start].decode("ascii"), blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :])


def key_id_of(blob: bytes) -> str:
    return parse(blob).key_id


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> bytes:
    env = parse(blob)
    try:
        return AESGCM(key).decrypt(env.nonce, env.body, aad)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not authenticate (wrong key, place or tampered)") from exc
