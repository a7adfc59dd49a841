"""argon2id password hashing; tests may switch to small parameters (never allowed in production)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from hushdesk.security.password_policy import check_common

MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, *, fast: bool = False) -> str:
    return _hasher(fast).hash(password)


def verify_password(stored_hash: str, password: str, *, fast: bool = False) -> bool:
    try:
        return _hasher(fast).verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A fixed hash to verify against when the account does not exist, so timing does not reveal which emails
# have accounts.
@lru_cache(maxsize=2)
def dummy_hash(fast: bool) -> str:
    return hash_password("not-a-real-password-0000", fast=fast)


def check_password_rules(password: str, *, personal: tuple[str, ...] = ()) -> None:
    """Length, then the shipped common-password list and the user's own email name (``personal``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise ValueError("password is too long")
    check_common(password, personal=personal)
