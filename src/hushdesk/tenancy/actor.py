"""Who is acting: a user with a role in a workspace, an API token with scopes, a visitor, or the system."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hushdesk.kit.errors import Forbidden
from hushdesk.tenancy.permissions import ROLE_PERMISSIONS, SCOPE_PERMISSIONS, Perm, Role

ActorKind = Literal["user", "token", "visitor", "system"]


@dataclass(frozen=True)
class Actor:
    workspace_id: str
    kind: ActorKind
    id: str | None
    name: str
    role: Role | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def permissions(self) -> frozenset[Perm]:
        if self.kind == "system":
            return frozenset(Perm)
        if self.kind == "user" and self.role is not None:
            return ROLE_PERMISSIONS[self.role]
        if self.kind == "token":
            granted: set[Perm] = set()
            for scope in self.scopes:
                granted |= SCOPE_PERMISSIONS.get(scope, frozenset())
            return frozenset(granted)
        return frozenset()

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            raise Forbidden(f"your role does not allow {perm.value}", code="permission_denied")

    @property
    def user_id(self) -> str | None:
        return self.id if self.kind == "user" else None


def system_actor(workspace_id: str, name: str = "system") -> Actor:
    return Actor(workspace_id=workspace_id, kind="system", id=None, name=name)
