"""One-time codes: 6 digits, 10-minute life, 3 attempts, compared in constant time.

Only an HMAC of the code (keyed by the workspace's secrets key and bound to the verification row) is stored.
Failed attempts must be counted even though the answer is "no": callers get an outcome back instead of an
exception, so the attempt counter is committed with the request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from hushdesk.db import UnitOfWork
from hushdesk.kit.clock import utcnow
from hushdesk.kit.ids import new_id
from hushdesk.models import DataSubjectRequest, DsrVerification

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 3
MAX_CODES_PER_REQUEST = 5


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    reason: str | None = None  # wrong | expired | too_many_attempts | no_code
    attempts_left: int = 0


def _digest(uow: UnitOfWork, workspace_id: str, verification_id: str, code: str) -> str:
    key = uow.app.keyring.workspace_secret_key(workspace_id, "dsr-verification-code")
    return hmac.new(key, f"{verification_id}:{code}".encode(), hashlib.sha256).hexdigest()


def codes_issued(uow: UnitOfWork, request: DataSubjectRequest, purpose: str) -> int:
    return len(uow.session.execute(
        select(DsrVerification.id).where(DsrVerification.request_id == request.id,
                                         DsrVerification.purpose == purpose)
    ).all())


def issue_code(uow: UnitOfWork, request: DataSubjectRequest, purpose: str, channel: str = "email") -> str:
    """A fresh code; earlier unused codes of the same purpose stop working. Returns the code to send."""
    now = utcnow()
    uow.session.execute(
        update(DsrVerification)
        .where(DsrVerification.request_id == request.id, DsrVerification.purpose == purpose,
               DsrVerification.consumed_at.is_(None))
        .values(consumed_at=now)
    )
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = DsrVerification(id=new_id("dv"), workspace_id=request.workspace_id, request_id=request.id,
                          purpose=purpose, channel=channel, expires_at=now + CODE_LIFETIME, attempts=0,
                          code_hash="", created_at=now)
    row.code_hash = _digest(uow, request.workspace_id, row.id, code)
    uow.session.add(row)
    return code


def _normalise(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())[:32]


def check_code(uow: UnitOfWork, request: DataSubjectRequest, purpose: str, code: str) -> CodeCheck:
    """Check against the newest live code of ``purpose``; a used, expired or exhausted code never passes."""
    row = uow.session.execute(
        select(DsrVerification)
        .where(DsrVerification.request_id == request.id, DsrVerification.purpose == purpose,
               DsrVerification.consumed_at.is_(None))
        .order_by(DsrVerification.created_at.desc(), DsrVerification.id.desc()).limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        return CodeCheck(False, "no_code")
    now = utcnow()
    if row.expires_at <= now:
        row.consumed_at = now
        return CodeCheck(False, "expired")
    if row.attempts >= MAX_ATTEMPTS:
        row.consumed_at = now
        return CodeCheck(False, "too_many_attempts")
    row.attempts += 1
    expected = row.code_hash
    given = _digest(uow, request.workspace_id, row.id, _normalise(code))
    if hmac.compare_digest(expected, given):
        row.consumed_at = now
        return CodeCheck(True, None, MAX_ATTEMPTS - row.attempts)
    left = MAX_ATTEMPTS - row.attempts
    if left <= 0:
        row.consumed_at = now
        return CodeCheck(False, "too_many_attempts")
    return CodeCheck(False, "wrong", left)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(expected_digest: str, token: str) -> bool:
    return hmac.compare_digest(expected_digest, token_digest(token))
