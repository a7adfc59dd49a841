"""A few hot Core statements sent straight to SQLite's DB-API connection.

An ingested message runs about ten small statements. Through ``Connection.execute`` each one costs ~10 us of
SQLAlchemy's own machinery (execution context, events, result wrapping) on top of SQLite's few microseconds; for
the statements below, compiled once per set of parameter names, the bound values are converted with the very
bind processors SQLAlchemy would use and handed to the connection the session already holds, so they share its
transaction. Only where that is exactly equivalent:
- SQLite only (elsewhere, and for anything not covered here, ``Connection.execute`` runs as usual);
- no column default computed in Python (an INSERT that would need SQLAlchemy to fill one in falls back);
- read values pass through SQLAlchemy's own result conversion for their column types (dates, booleans);
- no statement listener attached (tracing or query counting must see every statement).
Database errors come out as SQLAlchemy's exception classes, as from ``Connection.execute``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Insert, Select, Update, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.compiler import SQLCompiler

from hushdesk.db import autoflush

M = TypeVar("M")


@dataclass(frozen=True)
class _Plan:
    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    results: tuple[Callable[[Any], Any] | None, ...]  # SQLAlchemy's result conversion per column (None: as is)


class DirectStatement:
    def __init__(self, statement: Insert | Update | Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._plans: dict[frozenset[str], _Plan | None] = {}

    def _plan(self, conn: Connection, keys: frozenset[str]) -> _Plan | None:
        if keys in self._plans:
            return self._plans[keys]
        plan: _Plan | None = None
        compiled = self.statement.compile(dialect=conn.dialect, column_keys=sorted(keys))
        if isinstance(compiled, SQLCompiler) and compiled.positiontup is not None:
            # (postfetch and returning exist only on INSERT/UPDATE compilers)
            needs_sqlalchemy = (compiled.insert_prefetch or compiled.update_prefetch
                                or getattr(compiled, "postfetch", None) or getattr(compiled, "returning", None)
                                or not set(compiled.positiontup) <= keys)
            processors = compiled._bind_processors
            binds = tuple((name, processors.get(name)) for name in compiled.positiontup)
            if not needs_sqlalchemy and all(convert is None or callable(convert) for _, convert in binds):
                # the dialect's own conversion (e.g. SQLite's text dates), as SQLAlchemy applies it to results
                results = tuple(column[3]._cached_result_processor(conn.dialect, None)
                                for column in compiled._result_columns)
                plan = _Plan(compiled.string, binds, results)  # type: ignore[arg-type]  # callables, checked above
        self._plans[keys] = plan
        return plan

    def _run(self, conn: Connection, plan: _Plan, params: Mapping[str, Any]) -> sqlite3.Cursor:
        values = [params[name] if convert is None else convert(params[name]) for name, convert in plan.binds]
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        try:
            cursor: sqlite3.Cursor = dbapi.execute(plan.sql, values)
            return cursor
        except sqlite3.Error as exc:
            raise DBAPIError.instance(plan.sql, values, exc, sqlite3.Error) from exc

    def _direct_plan(self, conn: Connection, params: Mapping[str, Any]) -> _Plan | None:
        # Statement listeners (tracing, query counting) see every statement: with any attached, the regular path.
        if conn.dialect.name != "sqlite" or conn.dispatch.before_cursor_execute:
            return None
        return self._plan(conn, frozenset(params))

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Run a write; returns the DB-API row count (-1 where the driver does not report one)."""
        plan = self._direct_plan(conn, params)
        if plan is None:
            return int(conn.execute(self.statement, dict(params)).rowcount)
        return int(self._run(conn, plan, params).rowcount)

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of a read, as a tuple in the statement's column order."""
        plan = self._direct_plan(conn, params)
        if plan is None:
            row = conn.execute(self.statement, dict(params)).first()
            return None if row is None else tuple(row)
        found: tuple[Any, ...] | None = self._run(conn, plan, params).fetchone()
        if found is None or not any(plan.results):
            return found
        return tuple(value if convert is None else convert(value)
                     for value, convert in zip(found, plan.results, strict=True))


class DirectLoader(Generic[M]):
    """Loads one ORM object with a DirectStatement: the row is read directly and becomes a persistent object of
    the session exactly as a query would make it (an object already in the session's identity map is returned
    as it is, like a query without populate_existing does; pending changes are flushed first, like autoflush).
    A model with relationships or deferred columns always takes the ORM query. ``where`` selects at most one row."""

    def __init__(self, model: type[M], where: Callable[[Select[Any]], Select[Any]]) -> None:
        mapper = sa_inspect(model)
        self._loadable = not mapper.relationships and not any(prop.deferred for prop in mapper.column_attrs)
        self.model = model
        self._mapper = mapper
        self._keys = tuple(prop.key for prop in mapper.column_attrs)
        columns = [prop.columns[0] for prop in mapper.column_attrs]
        self._pk_positions = tuple(columns.index(column) for column in mapper.primary_key)
        self._regular = where(select(model))
        self._direct = DirectStatement(where(select(*columns)))

    def one_or_none(self, session: Session, params: Mapping[str, Any]) -> M | None:
        conn = session.connection()
        if not self._loadable or self._direct._direct_plan(conn, params) is None:  # PostgreSQL, listeners
            found: M | None = session.execute(self._regular, dict(params)).scalar_one_or_none()
            return found
        autoflush(session)
        row = self._direct.first(conn, params)
        if row is None:
            return None
        key = self._mapper.identity_key_from_primary_key([row[i] for i in self._pk_positions])
        existing: M | None = session.identity_map.get(key)
        if existing is not None:
            return existing
        obj = self.model(**dict(zip(self._keys, row, strict=True)))
        make_transient_to_detached(obj)  # attribute history reset as if loaded by a query
        session.add(obj)  # detached -> persistent, nothing to flush
        return obj
