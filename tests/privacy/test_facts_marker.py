"""contacts.privacy_facts lets processing checks skip the flag and consent tables for contacts that have none;
these tests prove it never hides a flag or a consent (set in the same transaction, set earlier, or stored
before the column existed)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.inbox.service import receive_message
from hushdesk.migrate import downgrade, upgrade
from hushdesk.models import Contact
from hushdesk.privacy import service as privacy
from tests.support.factories import World


def _contact(world: World, email: str) -> str:
    with world.ctx.unit_of_work() as uow:
        got = receive_message(uow, world.workspace_id, InboundMessage(
            channel="api", sender=ContactHint("email", email, email=email), body="hello"))
        return got.conversation.contact_id or ""


def test_a_new_contact_has_no_facts_and_default_answers(world: World) -> None:
    contact_id = _contact(world, "nora@example.com")
    with world.ctx.unit_of_work() as uow:
        contact = uow.session.get(Contact, contact_id)
        assert contact is not None and contact.privacy_facts is False
        assert privacy.check_processing(uow, contact_id, "analytics").allowed
        # a purpose that needs consent is refused by default, query or not
        assert privacy.check_processing(uow, contact_id, "marketing").reason == "no_consent"


def test_flags_and_consents_set_the_marker_and_count_at_once(world: World) -> None:
    contact_id = _contact(world, "omar@example.com")
    with world.ctx.unit_of_work() as uow:
        contact = uow.session.get(Contact, contact_id)
        assert contact is not None
        assert privacy.processing_allowed(uow, contact_id, "analytics")
        privacy.set_flag(uow, None, contact, "restricted")
        # the same transaction sees the flag it just raised
        assert privacy.check_processing(uow, contact_id, "analytics").reason == "restricted"
    other = _contact(world, "pia@example.com")
    with world.ctx.unit_of_work() as uow:
        contact = uow.session.get(Contact, other)
        assert contact is not None
        privacy.record_consent(uow, None, contact, "optional_messages", True, source="test")
        assert privacy.processing_allowed(uow, other, "optional_messages")
    with world.ctx.unit_of_work() as uow:
        for cid, purpose, allowed in ((contact_id, "analytics", False), (other, "optional_messages", True)):
            stored = uow.session.get(Contact, cid)
            assert stored is not None and stored.privacy_facts is True
            assert privacy.processing_allowed(uow, cid, purpose) is allowed


def test_the_migration_marks_contacts_that_already_had_facts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    upgrade(url, "b3e5c1a7d904")  # the schema before the marker
    db = sqlite3.connect(path)
    now = "2026-11-01 10:00:00.000000"
    db.execute("INSERT INTO workspaces (id, slug, name, settings_json, created_at) VALUES ('w1', 'w1', 'W', '{}', ?)",
               (now,))
    for cid in ("c_flag", "c_consent", "c_none"):
        db.execute("INSERT INTO contacts (id, workspace_id, key_id, created_at, updated_at) "
                   "VALUES (?, 'w1', 'k1', ?, ?)", (cid, now, now))
    db.execute("INSERT INTO processing_flags (id, workspace_id, contact_id, kind, purpose, created_at) "
               "VALUES ('pf1', 'w1', 'c_flag', 'restricted', '*', ?)", (now,))
    db.execute("INSERT INTO consent_events (id, workspace_id, contact_id, purpose, granted, source, created_at) "
               "VALUES ('ce1', 'w1', 'c_consent', 'optional_messages', 0, 'test', ?)", (now,))
    db.commit()
    db.close()
    upgrade(url)
    db = sqlite3.connect(path)
    marked = dict(db.execute("SELECT id, privacy_facts FROM contacts").fetchall())
    kept = db.execute("SELECT (SELECT count(*) FROM processing_flags), (SELECT count(*) FROM consent_events)"
                      ).fetchone()
    db.close()
    assert marked == {"c_flag": 1, "c_consent": 1, "c_none": 0}
    assert kept == (1, 1)  # altering contacts must not cascade into its child tables


def test_a_table_copying_migration_keeps_child_rows(tmp_path: Path) -> None:
    """The marker's downgrade drops the column in batch mode, which copies and drops contacts; migrations run
    with foreign keys off, so the contact's flags are not cascaded away."""
    path = tmp_path / "new.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    db = sqlite3.connect(path)
    now = "2026-11-01 10:00:00.000000"
    db.execute("INSERT INTO workspaces (id, slug, name, settings_json, created_at) VALUES ('w1', 'w1', 'W', '{}', ?)",
               (now,))
    db.execute("INSERT INTO contacts (id, workspace_id, key_id, created_at, updated_at) VALUES ('c1', 'w1', 'k', ?, ?)",
               (now, now))
    db.execute("INSERT INTO processing_flags (id, workspace_id, contact_id, kind, purpose, created_at) "
               "VALUES ('pf1', 'w1', 'c1', 'restricted', '*', ?)", (now,))
    db.commit()
    db.close()
    downgrade(url, "b3e5c1a7d904")
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM processing_flags").fetchone() == (1,)
    db.close()
