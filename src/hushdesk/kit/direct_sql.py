"""A few hot Core statements sent straight to SQLite's DB-API connection.

An ingested message runs about ten small statements. Through ``Connection.execute`` each one costs ~10 us of
SQLAlchemy's own machinery (execution context, events, result wrapping) on top of SQLite's few microseconds; for
the statements below, compiled once per set of parameter names, the bound values are converted with the very
bind processors SQLAlchemy would use and handed to the connection the session already holds, so they share its
transaction. Only where that is exactly equivalent:
- SQLite only (elsewhere, and for anything not covered here, ``Connection.execute`` runs as usual);
- no column default computed in Python (an INSERT that would need SQLAlchemy to fill one in falls back);
- for reads, only result columns that need no conversion on the way out (plain strings, integers, bytes);
- no statement listener attached (tracing or query counting must see every statement).
Database errors come out as SQLAlchemy's exception classes, as from ``Connection.execute``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, Select, Update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Plan:
    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    plain_results: bool  # every result column comes back from sqlite3 as SQLAlchemy would return it


class DirectStatement:
    def __init__(self, statement: Insert | Update | Select[Any]) -> None:
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
                plain = all(
                    column[3].result_processor(conn.dialect, None) is None for column in compiled._result_columns
                )
                plan = _Plan(compiled.string, binds, plain)  # type: ignore[arg-type]  # callables, checked above
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
        """Run a write; returns the number of rows it changed."""
        plan = self._direct_plan(conn, params)
        if plan is None:
            return int(conn.execute(self.statement, dict(params)).rowcount)
        return int(self._run(conn, plan, params).rowcount)

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of a read, as a tuple in the statement's column order."""
        plan = self._direct_plan(conn, params)
        if plan is None or not plan.plain_results:
            row = conn.execute(self.statement, dict(params)).first()
            return None if row is None else tuple(row)
        found: tuple[Any, ...] | None = self._run(conn, plan, params).fetchone()
        return found
