"""The right-to-know facts and the locators come from the data map: a new table holding a contact's data fails
here until export, erasure and the privacy notice know about it."""

from __future__ import annotations

from pathlib import Path

from hushdesk.dsr.erasure import retained_records
from hushdesk.dsr.kinds import KINDS
from hushdesk.dsr.locate import LOCATORS
from hushdesk.models import Workspace
from hushdesk.privacy.facts import CATEGORY_TITLES, TABLE_SOURCES, contact_columns, right_to_know
from hushdesk.privacy.purposes import PURPOSES

ROOT = Path(__file__).resolve().parents[2]


def test_every_table_with_a_contacts_data_can_be_found_exported_and_erased() -> None:
    tables = {table for table, _, _ in contact_columns()}
    assert tables - set(LOCATORS) == set(), "add a locator in dsr/locate.py"
    assert tables - set(TABLE_SOURCES) == set(), "add the data's source in privacy/facts.py"


def test_every_category_and_purpose_is_described() -> None:
    for _, column, info in contact_columns():
        assert info.category in CATEGORY_TITLES, f"{column}: describe {info.category} in privacy/facts.py"
        assert info.purpose in PURPOSES or info.purpose == "accountability", info.purpose


def test_right_to_know_covers_categories_purposes_recipients_and_retention() -> None:
    ws = Workspace(id="w1", slug="acme", name="Acme", settings_json="{}", privacy_contact="dpo@acme.example")
    facts = right_to_know(ws)
    assert facts.privacy_contact == "dpo@acme.example"
    assert {c.category for c in facts.categories} == {info.category for _, _, info in contact_columns()}
    assert all(c.sources and c.retention and c.purposes for c in facts.categories)
    assert {p["purpose"] for p in facts.purposes} == set(PURPOSES)
    assert facts.recipients and not facts.sold


def test_retained_records_carry_their_legal_reason() -> None:
    kept = retained_records()
    assert {k["table"] for k in kept} >= {"dsr_requests", "messages", "conversations", "audit_events"}
    assert all(k["why"] and k["legal_basis"] for k in kept)


def test_privacy_center_doc_names_every_request_type_and_command() -> None:
    doc = (ROOT / "docs" / "privacy-center.md").read_text()
    for kind in KINDS:
        assert f"`{kind}`" in doc, f"docs/privacy-center.md does not describe {kind}"
    for command in ("list", "show", "approve", "deny", "extend", "sweep"):
        assert f"hushdesk dsr --workspace SLUG {command}" in doc or f"dsr ... {command}" in doc or \
            f"`{command}`" in doc, command
    for setting in ("HUSHDESK_SMTP_HOST", "HUSHDESK_SMTP_PORT", "HUSHDESK_SMTP_USER", "HUSHDESK_SMTP_PASSWORD",
                    "HUSHDESK_SMTP_FROM", "HUSHDESK_SMTP_STARTTLS"):
        assert setting in doc, setting
