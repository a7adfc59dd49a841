"""Who may call a route, declared on the route itself and enforced where the actor is resolved.

Every HTTP route says who may use it, in its decorator::

    @router.post("/contacts", dependencies=[requires(Perm.CONTACT_WRITE)])
    @router.post("/conversations/{conversation_id}/messages",
                 dependencies=[requires(any_of=(Perm.CONVERSATION_REPLY, Perm.CONVERSATION_NOTE))])
    @router.post("/logout", dependencies=[signed_in()])          # any member, no particular permission
    @router.get("/help/{slug}", dependencies=[public("help center")])  # no sign-in at all

The declaration is a no-op dependency that only carries data: the check runs in ``web.deps`` right after the
actor is resolved (API token or session, locked or unlocked), which is before FastAPI validates the request
body, so a role that may not use a route gets 403 even for a body with missing or wrong fields, and learns
nothing about the fields a route expects. (A body that is not JSON at all is refused earlier, 422
``invalid_json``, for every caller alike: FastAPI parses JSON before it resolves dependencies.)
Services still check the same permissions (defence in depth; the service-level matrix test covers them).
``tests/security/test_route_roles.py`` walks the route table, fails for any route without a declaration, and
calls every route as every role and API token scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Depends, Request

from hushdesk.kit.errors import Forbidden
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm, Role

AccessKind = Literal["permission", "signed_in", "public"]


@dataclass(frozen=True)
class RouteAccess:
    """The declaration. Called by FastAPI as a dependency, it does nothing: it is read from the route."""

    kind: AccessKind
    all_of: tuple[Perm, ...] = ()
    any_of: tuple[Perm, ...] = ()  # one of these opens the route; the body decides which and the service checks
    owner_only: bool = False  # on top of the permissions: the workspace owner alone (billing)
    reason: str = ""

    async def __call__(self) -> None:
        # async on purpose: FastAPI runs a sync dependency on a worker thread, a ~0.15 ms hop per request
        # for a declaration that does nothing when called.
        return None

    def allows(self, actor: Actor) -> bool:
        if self.kind != "permission":
            return True
        if self.owner_only and (actor.kind != "user" or actor.role != Role.OWNER):
            return False
        if not all(actor.can(p) for p in self.all_of):
            return False
        return not self.any_of or any(actor.can(p) for p in self.any_of)

    def describe(self) -> str:
        if self.kind == "public":
            return f"public ({self.reason})"
        if self.kind == "signed_in":
            return "any signed-in member"
        parts = [p.value for p in self.all_of]
        if self.any_of:
            parts.append("(" + " or ".join(p.value for p in self.any_of) + ")")
        return " and ".join(parts) + (" (owner only)" if self.owner_only else "")


def requires(*perms: Perm, any_of: tuple[Perm, ...] = (), owner_only: bool = False) -> Any:
    """The route needs all of ``perms`` and, when given, at least one of ``any_of`` (e.g. a message endpoint:
    reply or note, the body decides which and the service checks that one)."""
    if not perms and len(any_of) < 2:
        raise ValueError("requires() needs a permission (or two or more any_of); signed_in() means any member")
    return Depends(RouteAccess("permission", tuple(perms), tuple(any_of), owner_only))


def signed_in() -> Any:
    """Any member of the workspace (every role), e.g. sign-out."""
    return Depends(RouteAccess("signed_in"))


def public(reason: str) -> Any:
    """No sign-in: visitors, data subjects, the login form. Say who the route is for."""
    if not reason.strip():
        raise ValueError("public() needs a reason: who is this route for?")
    return Depends(RouteAccess("public", reason=reason))


def declared_access(route: object) -> RouteAccess | None:
    """The route's declaration, or None when it has none (the route-roles test fails for those)."""
    for dep in getattr(route, "dependencies", None) or ():
        call = getattr(dep, "dependency", None)
        if isinstance(call, RouteAccess):
            return call
    return None


def enforce_route_access(request: Request, actor: Actor) -> None:
    """Called by ``web.deps`` as soon as the actor is known: refuse before anything else (body included) is
    looked at. Routes without a declaration are left to their service (and flagged by the test)."""
    access = declared_access(request.scope.get("route"))
    if access is not None:
        check_access(access, actor)


def check_access(access: RouteAccess, actor: Actor) -> None:
    if not access.allows(actor):
        raise Forbidden(f"your role does not allow {access.describe()}", code="permission_denied")


EXAMPLE = (
    'add dependencies=[requires(Perm.X)] (or requires(any_of=(...)), signed_in(), public("who it is for")) '
    "from hushdesk.web.access to the route decorator"
)
