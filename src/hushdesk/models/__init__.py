"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from hushdesk.models.analytics import AnalyticsEvent
from hushdesk.models.audit import AuditEvent, AuditHead
from hushdesk.models.base import Base, PersonalData
from hushdesk.models.contact import Contact, ContactIdentity, Order
from hushdesk.models.conversation import (
    Attachment,
    CannedReply,
    Conversation,
    ConversationCounter,
    ConversationTag,
    Message,
    Tag,
)
from hushdesk.models.user import ApiToken, LoginAttempt, User, UserSession
from hushdesk.models.webchat import VisitorSession, Widget
from hushdesk.models.workspace import Membership, Workspace

__all__ = [
    "AnalyticsEvent",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "Base",
    "CannedReply",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "ConversationCounter",
    "ConversationTag",
    "LoginAttempt",
    "Membership",
    "Message",
    "Order",
    "PersonalData",
    "Tag",
    "User",
    "UserSession",
    "VisitorSession",
    "Widget",
    "Workspace",
]
