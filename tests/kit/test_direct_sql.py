"""DirectStatement: on SQLite the covered statements skip SQLAlchemy's execution machinery; what they write and
read must be exactly what Connection.execute would have written and read (on PostgreSQL it is that path)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError

from hushdesk.kit.direct_sql import DirectLoader, DirectStatement
from hushdesk.kit.ids import new_id
from hushdesk.models import AnalyticsEvent, Contact
from tests.support.factories import World

_INSERT_EVENT = DirectStatement(insert(AnalyticsEvent))
_HOUR_OF = DirectStatement(select(AnalyticsEvent.hour, AnalyticsEvent.kind).where(AnalyticsEvent.id == bindparam("id")))
_KIND_OF = DirectStatement(select(AnalyticsEvent.kind, AnalyticsEvent.channel).where(
    AnalyticsEvent.id == bindparam("id")))
_INSERT_CONTACT = DirectStatement(insert(Contact))


def test_written_values_read_back_as_through_sqlalchemy(world: World) -> None:
    hour = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
    event_id = new_id("ae")
    with world.ctx.unit_of_work() as uow:
        conn = uow.session.connection()
        written = _INSERT_EVENT.execute(conn, {"id": event_id, "workspace_id": world.workspace_id,
                                               "kind": "message.inbound", "channel": "api", "hour": hour})
        assert written == (1 if world.ctx.db.dialect == "sqlite" else written)  # psycopg may report -1 for it
        assert _KIND_OF.first(conn, {"id": event_id}) == ("message.inbound", "api")
        # a datetime column needs SQLAlchemy's result conversion: that read takes the regular path
        assert _HOUR_OF.first(conn, {"id": event_id}) == (hour, "message.inbound")
        assert _KIND_OF.first(conn, {"id": "missing"}) is None
    if world.ctx.db.dialect == "sqlite":  # the writes and the plain read took the direct path
        assert all(plan is not None for plan in (*_INSERT_EVENT._plans.values(), *_KIND_OF._plans.values()))
    with world.ctx.db.session() as session:
        stored = session.get(AnalyticsEvent, event_id)
        assert stored is not None and stored.hour == hour and stored.channel == "api"


def test_python_side_defaults_fall_back_to_sqlalchemy(world: World) -> None:
    """contacts.privacy_facts has a Python default: an INSERT without it must still get it."""
    contact_id = new_id("c")
    now = datetime.now(UTC)
    with world.ctx.unit_of_work() as uow:
        _INSERT_CONTACT.execute(uow.session.connection(), {
            "id": contact_id, "workspace_id": world.workspace_id, "key_id": "k", "created_at": now,
            "updated_at": now})
    with world.ctx.db.session() as session:
        stored = session.get(Contact, contact_id)
        assert stored is not None and stored.privacy_facts is False


def test_database_errors_are_sqlalchemy_errors_and_roll_back(world: World) -> None:
    event_id = new_id("ae")
    params = {"id": event_id, "workspace_id": world.workspace_id, "kind": "x", "channel": None,
              "hour": datetime(2026, 11, 22, 8, tzinfo=UTC)}
    with pytest.raises(IntegrityError), world.ctx.unit_of_work() as uow:
        conn = uow.session.connection()
        _INSERT_EVENT.execute(conn, params)
        _INSERT_EVENT.execute(conn, params)  # the same primary key again
    with world.ctx.db.session() as session:
        assert session.get(AnalyticsEvent, event_id) is None  # the whole unit of work rolled back


def test_statement_listeners_see_direct_statements(world: World) -> None:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    engine = world.ctx.db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        with world.ctx.unit_of_work() as uow:
            _KIND_OF.first(uow.session.connection(), {"id": "missing"})
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert any("analytics_events" in statement for statement in seen)


# -- DirectLoader: rows become the session's objects as a query would make them ----------------------------------
def _contact_in(world: World) -> str:
    contact_id = new_id("c")
    now = datetime.now(UTC)
    with world.ctx.unit_of_work() as uow:
        uow.session.add(Contact(id=contact_id, workspace_id=world.workspace_id, key_id="k", locale="pt-BR",
                                created_at=now, updated_at=now))
    return contact_id


_CONTACT_BY_ID = DirectLoader(Contact, lambda s: s.where(Contact.workspace_id == bindparam("ws"),
                                                         Contact.id == bindparam("id")))


def test_a_loaded_object_equals_the_orm_one_and_is_persistent_and_clean(world: World, other_world: World) -> None:
    contact_id = _contact_in(world)
    with world.ctx.db.session() as session:
        expected = session.execute(select(Contact).where(Contact.id == contact_id)).scalar_one()
        columns = [attr.key for attr in sa_inspect(Contact).column_attrs]
        expected_values = {key: getattr(expected, key) for key in columns}
    with world.ctx.unit_of_work() as uow:
        loaded = _CONTACT_BY_ID.one_or_none(uow.session, {"ws": world.workspace_id, "id": contact_id})
        assert loaded is not None
        assert {key: getattr(loaded, key) for key in columns} == expected_values
        assert loaded.privacy_facts is False and loaded.updated_at.tzinfo is not None  # converted like the ORM
        assert sa_inspect(loaded).persistent and loaded not in uow.session.dirty
        # the identity map wins, as for a query
        assert _CONTACT_BY_ID.one_or_none(uow.session, {"ws": world.workspace_id, "id": contact_id}) is loaded
        assert uow.session.get(Contact, contact_id) is loaded
        assert _CONTACT_BY_ID.one_or_none(uow.session, {"ws": other_world.workspace_id, "id": contact_id}) is None
        loaded.locale = "de"  # a change to a loaded object is written at commit
    with world.ctx.db.session() as session:
        stored = session.get(Contact, contact_id)
        assert stored is not None and stored.locale == "de"


def test_pending_objects_are_flushed_first_like_autoflush(world: World) -> None:
    contact_id = new_id("c")
    now = datetime.now(UTC)
    with world.ctx.unit_of_work() as uow:
        pending = Contact(id=contact_id, workspace_id=world.workspace_id, key_id="k", created_at=now, updated_at=now)
        uow.session.add(pending)
        assert _CONTACT_BY_ID.one_or_none(uow.session, {"ws": world.workspace_id, "id": contact_id}) is pending
        uow.rollback()
