"""The permissions matrix: which role may do what. Services check it; docs/permissions.md is generated from it
(a test keeps the two identical)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    AGENT = "agent"
    PRIVACY_OFFICER = "privacy_officer"
    AUDITOR = "auditor"


class Perm(StrEnum):
    CONVERSATION_READ = "conversation.read"  # lists, redacted text, metadata
    CONVERSATION_READ_RAW = "conversation.read_raw"  # decrypt message bodies (audited)
    CONVERSATION_REPLY = "conversation.reply"
    CONVERSATION_NOTE = "conversation.note"
    CONVERSATION_UPDATE = "conversation.update"  # status, priority, assignee, tags
    CONVERSATION_CREATE = "conversation.create"
    CONTACT_READ = "contact.read"  # existence, ids, redacted facts
    CONTACT_READ_RAW = "contact.read_raw"  # decrypt name/email/phone/orders (audited)
    CONTACT_WRITE = "contact.write"
    ORDER_WRITE = "order.write"
    CANNED_USE = "canned.use"
    CANNED_MANAGE = "canned.manage"
    USERS_MANAGE = "users.manage"
    SETTINGS_MANAGE = "settings.manage"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_READ = "audit.read"
    SEARCH = "search"
    DSR_READ = "dsr.read"  # the privacy-request queue: types, dates, status (no requester details)
    DSR_SUBMIT = "dsr.submit"  # start a request on a customer's behalf (the customer still verifies it)
    DSR_MANAGE = "dsr.manage"  # approve, deny, extend, pause; read requester details (audited)
    INCIDENT_MANAGE = "incident.manage"  # open and handle security incidents / breaches (72-hour clock)


_ALL = frozenset(Perm)

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: _ALL,
    Role.ADMIN: _ALL - {Perm.AUDIT_READ, Perm.INCIDENT_MANAGE},
    Role.AGENT: frozenset(
        {
            Perm.CONVERSATION_READ,
            Perm.CONVERSATION_READ_RAW,
            Perm.CONVERSATION_REPLY,
            Perm.CONVERSATION_NOTE,
            Perm.CONVERSATION_UPDATE,
            Perm.CONVERSATION_CREATE,
            Perm.CONTACT_READ,
            Perm.CONTACT_READ_RAW,
            Perm.CONTACT_WRITE,
            Perm.ORDER_WRITE,
            Perm.CANNED_USE,
            Perm.SEARCH,
            Perm.DSR_SUBMIT,
        }
    ),
    # The privacy officer answers data-subject requests: reads raw data (audited) and writes notes, but does
    # not take part in support conversations.
    Role.PRIVACY_OFFICER: frozenset(
        {
            Perm.CONVERSATION_READ,
            Perm.CONVERSATION_READ_RAW,
            Perm.CONVERSATION_NOTE,
            Perm.CONTACT_READ,
            Perm.CONTACT_READ_RAW,
            Perm.AUDIT_READ,
            Perm.SEARCH,
            Perm.DSR_READ,
            Perm.DSR_SUBMIT,
            Perm.DSR_MANAGE,
            Perm.INCIDENT_MANAGE,
        }
    ),
    # The auditor proves compliance: read-only, sees redacted content and the audit log, never raw data.
    Role.AUDITOR: frozenset(
        {Perm.CONVERSATION_READ, Perm.CONTACT_READ, Perm.AUDIT_READ, Perm.SEARCH, Perm.DSR_READ}
    ),
}

# API token scopes -> permissions. Tokens never get user, settings, or audit powers.
SCOPE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    "contacts:read": frozenset({Perm.CONTACT_READ, Perm.CONTACT_READ_RAW}),
    "contacts:write": frozenset({Perm.CONTACT_WRITE, Perm.ORDER_WRITE}),
    # canned.use: GET /api/v1/canned-replies existed with no scope granting it (found by the route-roles test).
    "conversations:read": frozenset(
        {Perm.CONVERSATION_READ, Perm.CONVERSATION_READ_RAW, Perm.SEARCH, Perm.CANNED_USE}
    ),
    "conversations:write": frozenset(
        {Perm.CONVERSATION_CREATE, Perm.CONVERSATION_REPLY, Perm.CONVERSATION_NOTE, Perm.CONVERSATION_UPDATE}
    ),
    "dsr:submit": frozenset({Perm.DSR_SUBMIT}),
    "dsr:manage": frozenset({Perm.DSR_READ, Perm.DSR_SUBMIT, Perm.DSR_MANAGE}),
}
ALL_SCOPES = tuple(SCOPE_PERMISSIONS)

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.OWNER: "Installs and owns the workspace (the data controller); can do everything.",
    Role.ADMIN: "Runs the helpdesk: users, settings, channels, canned replies; no audit log or incident access.",
    Role.AGENT: "Answers customers: reads and replies to conversations, manages contacts and orders.",
    Role.PRIVACY_OFFICER: "Handles privacy: answers data-subject requests, reads personal data (audited), "
    "the audit log, incidents and breaches, and notes.",
    Role.AUDITOR: "Proves compliance, read-only: redacted conversations and the audit log.",
}


def role_allows(role: Role, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS[role]


def render_permissions_markdown() -> str:
    roles = list(Role)
    lines = [
        "# Permissions matrix",
        "",
        "Generated from `src/hushdesk/tenancy/permissions.py` by `hushdesk docs permissions`; a test keeps it",
        "identical. Services enforce it; the HTTP layer only resolves who is asking.",
        "",
        "## Roles",
        "",
    ]
    lines += [f"- **{r.value}**: {ROLE_DESCRIPTIONS[r]}" for r in roles]
    lines += ["", "## Matrix", "", "| permission | " + " | ".join(r.value for r in roles) + " |"]
    lines.append("|---|" + "---|" * len(roles))
    for perm in Perm:
        cells = ["yes" if role_allows(r, perm) else "—" for r in roles]
        lines.append(f"| `{perm.value}` | " + " | ".join(cells) + " |")
    lines += ["", "## API token scopes", ""]
    for scope, perms in SCOPE_PERMISSIONS.items():
        lines.append(f"- `{scope}`: " + ", ".join(f"`{p.value}`" for p in sorted(perms)))
    lines.append("")
    return "\n".join(lines)
