"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from hushdesk.models.analytics import AnalyticsEvent
from hushdesk.models.assistant import AiCall, AiDraft, AiSettings, AudioClip, KbArticle, KbCategory, UsageDaily
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
from hushdesk.models.dsr import DataSubjectRequest, DsrErasureStep, DsrExport, DsrVerification
from hushdesk.models.mail import OutboundEmail
from hushdesk.models.privacy import ConsentEvent, ProcessingFlag
from hushdesk.models.secret import WorkspaceSecret
from hushdesk.models.security import (
    Incident,
    IncidentContact,
    IncidentEvent,
    Invitation,
    RecoveryCode,
    TotpCredential,
)
from hushdesk.models.user import ApiToken, LoginAttempt, User, UserSession
from hushdesk.models.webchat import VisitorSession, Widget
from hushdesk.models.workspace import Membership, Workspace

__all__ = [
    "AiCall",
    "AiDraft",
    "AiSettings",
    "AnalyticsEvent",
    "ApiToken",
    "Attachment",
    "AudioClip",
    "AuditEvent",
    "AuditHead",
    "Base",
    "CannedReply",
    "ConsentEvent",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "ConversationCounter",
    "ConversationTag",
    "DataSubjectRequest",
    "DsrErasureStep",
    "DsrExport",
    "DsrVerification",
    "Incident",
    "IncidentContact",
    "IncidentEvent",
    "Invitation",
    "KbArticle",
    "KbCategory",
    "LoginAttempt",
    "Membership",
    "Message",
    "Order",
    "OutboundEmail",
    "PersonalData",
    "ProcessingFlag",
    "RecoveryCode",
    "Tag",
    "TotpCredential",
    "UsageDaily",
    "User",
    "UserSession",
    "VisitorSession",
    "Widget",
    "Workspace",
    "WorkspaceSecret",
]
