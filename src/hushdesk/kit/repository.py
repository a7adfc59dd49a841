"""Workspace-scoped query helpers: every tenant-owned query starts here, so forgetting the tenant is impossible.

``scoped(Model, workspace_id=...)`` is the only way domain repositories select tenant rows; an unscoped
query must use ``unscoped_select`` by name, which stands out in review (and a lint test lists its callers).
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from hushdesk.kit.direct_sql import DirectLoader
from hushdesk.kit.errors import NotFound

T = TypeVar("T")


def scoped(model: type[T], *, workspace_id: str) -> Select[T]:
    column: Any = model.workspace_id  # type: ignore[attr-defined]
    return select(model).where(column == workspace_id)


def _scoped_by_id(statement: Select[Any]) -> Select[Any]:
    table = statement.get_final_froms()[0]
    return statement.where(table.c.workspace_id == bindparam("scoped_ws"), table.c.id == bindparam("scoped_id"))


@cache
def _by_id(model: type[Any]) -> DirectLoader[Any]:
    # Built once per model: statement construction and its cache key cost more than the SQLite lookup itself
    # on hot paths (every ingested message fetches its conversation this way). The loader reads the row directly
    # on SQLite (kit/direct_sql) and runs the ORM query elsewhere.
    return DirectLoader(model, _scoped_by_id)


def get_scoped(session: Session, model: type[T], object_id: str, *, workspace_id: str, what: str) -> T:
    """Fetch by id inside the workspace; a foreign id is indistinguishable from a missing one (404)."""
    model_key: Any = model
    found = _by_id(model_key).one_or_none(session, {"scoped_ws": workspace_id, "scoped_id": object_id})
    if found is None:
        raise NotFound(f"{what} not found")
    return found  # type: ignore[no-any-return]


def unscoped_select(model: type[T]) -> Select[T]:
    """Deliberately cross-workspace (system jobs, login by email). Keep callers few."""
    return select(model)
