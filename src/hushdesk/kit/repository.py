"""Workspace-scoped query helpers: every tenant-owned query starts here, so forgetting the tenant is impossible.

``scoped(Model, workspace_id=...)`` is the only way domain repositories select tenant rows; an unscoped
query must use ``unscoped_select`` by name, which stands out in review (and a lint test lists its callers).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hushdesk.kit.errors import NotFound

T = TypeVar("T")


def scoped(model: type[T], *, workspace_id: str) -> Select[T]:
    column: Any = model.workspace_id  # type: ignore[attr-defined]
    return select(model).where(column == workspace_id)


def get_scoped(session: Session, model: type[T], object_id: str, *, workspace_id: str, what: str) -> T:
    """Fetch by id inside the workspace; a foreign id is indistinguishable from a missing one (404)."""
    pk: Any = model.id  # type: ignore[attr-defined]
    found = session.execute(scoped(model, workspace_id=workspace_id).where(pk == object_id)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{what} not found")
    return found


def unscoped_select(model: type[T]) -> Select[T]:
    """Deliberately cross-workspace (system jobs, login by email). Keep callers few."""
    return select(model)
