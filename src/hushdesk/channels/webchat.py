"""Web-chat channel: visitor sessions from the embeddable widget, idempotent sends, the visitor's history."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hushdesk.assistant.tasks import schedule_bot
from hushdesk.channels.base import ContactHint, InboundMessage
from hushdesk.db import UnitOfWork
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import repository as inbox_repo
from hushdesk.inbox.service import Received, receive_message
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from hushdesk.kit.ids import new_id, new_token
from hushdesk.models import AudioClip, Contact, Conversation, Message, VisitorSession, Widget, Workspace

CHANNEL = "webchat"


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def widget_by_key(uow: UnitOfWork, public_key: str) -> Widget:
    widget = uow.session.execute(select(Widget).where(Widget.public_key == public_key)).scalar_one_or_none()
    if widget is None:
        raise NotFound("unknown chat widget", code="unknown_widget")
    return widget


def origin_allowed(widget: Widget, origin: str | None, base_url: str) -> bool:
    """Browsers send Origin on WebSocket handshakes and cross-site fetches; only listed sites may chat."""
    allowed = set(widget.allowed_origins.split())
    if "*" in allowed:
        return True
    if origin is None:
        return False
    return origin.rstrip("/") in {a.rstrip("/") for a in allowed} | {base_url.rstrip("/")}


def check_origin(uow: UnitOfWork, widget: Widget, origin: str | None) -> None:
    if not origin_allowed(widget, origin, uow.app.settings.base_url):
        raise Forbidden("this site is not allowed to use the chat widget", code="origin_not_allowed")


@dataclass(frozen=True)
class WidgetInfo:
    public_key: str
    workspace_name: str
    workspace_slug: str
    greeting: str
    prechat_form: bool
    privacy_policy_url: str | None


def widget_info(uow: UnitOfWork, widget: Widget) -> WidgetInfo:
    ws = uow.session.get(Workspace, widget.workspace_id)
    assert ws is not None
    return WidgetInfo(widget.public_key, ws.name, ws.slug, widget.greeting, widget.prechat_form,
                      ws.privacy_policy_url)


def start_session(uow: UnitOfWork, widget: Widget, *, name: str | None, email: str | None,
                  honeypot: bool = False) -> str:
    """A new visitor: returns the secret token the widget keeps in the browser.

    ``honeypot``: the pre-chat form's hidden field came back filled (a bot). The session starts all the same, so
    the sender learns nothing; its messages carry a spam hint (hushdesk.spam)."""
    if email is not None and email.strip() and ("@" not in email or len(email) > 320):
        raise ValidationFailed("please enter a valid email address", code="invalid_email")
    if name is not None and len(name) > 200:
        raise ValidationFailed("name is too long")
    token = "vs_" + new_token(24)
    session_id = new_id("vs")
    contact = None
    if (name and name.strip()) or (email and email.strip()):
        hint = ContactHint("webchat", session_id, name=(name or "").strip() or None,
                           email=(email or "").strip() or None)
        contact = contact_svc.find_or_create(uow, widget.workspace_id, hint, None)
    uow.session.add(VisitorSession(
        id=session_id, workspace_id=widget.workspace_id, widget_id=widget.id, token_hash=_sha(token),
        contact_id=contact.id if contact else None, last_seen_at=utcnow(), honeypot=honeypot,
    ))
    return token


def resolve_visitor(uow: UnitOfWork, widget: Widget, token: str) -> VisitorSession:
    session = uow.session.execute(
        select(VisitorSession).where(VisitorSession.token_hash == _sha(token))
    ).scalar_one_or_none()
    if session is None or session.widget_id != widget.id:
        raise Unauthenticated("chat session not found; start a new chat", code="unknown_visitor")
    return session


def visitor_send(uow: UnitOfWork, widget: Widget, token: str, body: str, client_message_id: str) -> Received:
    session = resolve_visitor(uow, widget, token)
    if not client_message_id or len(client_message_id) > 64:
        raise ValidationFailed("client message id must be 1-64 characters")
    # The visitor is identified by their chat session; a pre-chat form already linked that identity.
    inbound = InboundMessage(channel=CHANNEL, sender=ContactHint("webchat", session.id), body=body,
                             client_message_id=client_message_id, conversation_id=session.conversation_id,
                             thread_ref=session.id, spam_hints=("honeypot",) if session.honeypot else ())
    received = receive_message(uow, widget.workspace_id, inbound)
    session.conversation_id = received.conversation.id
    session.contact_id = received.conversation.contact_id
    session.last_seen_at = utcnow()
    if not received.conversation.spam:  # the bot never answers spam (the sender sees the usual ack, nothing else)
        schedule_bot(uow, received)  # the assistant's auto-answer bot (off unless enabled)
    return received


@dataclass(frozen=True)
class VisitorMessage:
    id: str
    kind: str
    body: str
    created_at: datetime
    client_message_id: str | None
    audio_clip_id: str | None = None  # a spoken version of an outbound reply, if one was attached


def visitor_history(uow: UnitOfWork, widget: Widget, token: str) -> tuple[VisitorSession, list[VisitorMessage]]:
    """The visitor's own conversation (their data, so no audit row); internal notes are never included."""
    session = resolve_visitor(uow, widget, token)
    if session.conversation_id is None:
        return session, []
    conv = uow.session.get(Conversation, session.conversation_id)
    if conv is None or conv.contact_id is None:
        return session, []
    contact = uow.session.get(Contact, conv.contact_id)
    if contact is None:
        return session, []
    cipher = contact_svc.cipher_for(uow, contact)
    clips = _reply_clips(uow, widget.workspace_id, conv.id)
    out = []
    for m in inbox_repo.conversation_messages(uow.session, widget.workspace_id, conv.id):
        if m.kind == "note" or m.body_ct is None:
            continue
        out.append(VisitorMessage(m.id, m.kind, cipher.decrypt(m.body_ct, f"messages.body:{m.id}"), m.created_at,
                                  m.client_message_id, clips.get(m.id) if m.kind == "outbound" else None))
    return session, out


def _reply_clips(uow: UnitOfWork, workspace_id: str, conversation_id: str) -> dict[str, str]:
    """message id -> audio clip id for the conversation's spoken replies."""
    rows = uow.session.execute(select(AudioClip.owner_id, AudioClip.id).where(
        AudioClip.workspace_id == workspace_id, AudioClip.conversation_id == conversation_id,
        AudioClip.owner_type == "message").order_by(AudioClip.created_at)).all()
    out: dict[str, str] = {}
    for owner_id, clip_id in rows:
        out.setdefault(owner_id, clip_id)
    return out


def visitor_clip(uow: UnitOfWork, token: str, clip_id: str, widget: Widget | None = None) -> AudioClip:
    """A spoken reply in the visitor's own conversation. Anything else (another conversation's clip, a clip
    that is not of an outbound reply, public audio) is "not found", never "forbidden"."""
    session = uow.session.execute(
        select(VisitorSession).where(VisitorSession.token_hash == _sha(token))
    ).scalar_one_or_none()
    if session is None or (widget is not None and session.widget_id != widget.id):
        raise Unauthenticated("chat session not found; start a new chat", code="unknown_visitor")
    clip = uow.session.get(AudioClip, clip_id)
    if (clip is None or session.conversation_id is None or clip.workspace_id != session.workspace_id
            or clip.owner_type != "message" or clip.conversation_id != session.conversation_id):
        raise NotFound("audio not found")
    msg = uow.session.get(Message, clip.owner_id)
    if (msg is None or msg.kind != "outbound" or msg.conversation_id != session.conversation_id
            or msg.workspace_id != session.workspace_id):
        raise NotFound("audio not found")
    return clip
