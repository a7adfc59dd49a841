"""The data map: every column of every table says whether it holds personal data, and how it is erased."""

from __future__ import annotations

from typing import get_args

from hushdesk.models import Base, PersonalData
from hushdesk.models.base import ErasureAction

ERASURE = set(get_args(ErasureAction))


def test_every_column_is_classified() -> None:
    unclassified = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if "pii" not in column.info
    ]
    assert unclassified == [], f"classify these columns with pii(...) or plain(): {unclassified}"


def test_personal_columns_are_fully_described() -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            info = column.info.get("pii")
            if info is None:
                continue
            assert isinstance(info, PersonalData), f"{table.name}.{column.name}"
            assert info.category.count(".") >= 1, f"{table.name}.{column.name}: category like 'user.contact.email'"
            assert info.erasure in ERASURE
            assert info.subject in ("contact", "user")
            if info.encrypted:
                assert info.erasure == "crypto_shred", f"{table.name}.{column.name}"


def test_encrypted_columns_are_binary() -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            info = column.info.get("pii")
            if isinstance(info, PersonalData) and info.encrypted:
                assert column.name.endswith("_ct"), f"{table.name}.{column.name} should be named *_ct"
