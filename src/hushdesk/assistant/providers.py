"""LLM and speech providers behind one protocol: ``none`` (retrieval only, nothing leaves the server) and
``openai-compatible`` (any server speaking the OpenAI API, with the workspace's own key).

Errors are mapped to fixed messages: a provider's own error text can echo the API key (OpenAI's does, in part),
so it never reaches the agent, the logs or the audit log. Only the exception *type* is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from hushdesk.kit.errors import DomainError
from hushdesk.kit.net import OutboundBlocked, check_outbound_url, pinned_client

log = logging.getLogger(__name__)

PROVIDERS = ("none", "openai")
T = TypeVar("T")


@dataclass(frozen=True)
class ChatMessage:
    role: str  # system | user | assistant
    content: str


@dataclass(frozen=True)
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    model: str
    latency_ms: int


class ProviderError(DomainError):
    """The provider could not answer. ``code`` is stable (shown in the AI-call log); the message is ours."""

    status = 502
    code = "ai_provider_error"


MESSAGES = {
    "ai_unreachable": "The AI provider could not be reached. Try again later, or write the reply yourself.",
    "ai_timeout": "The AI provider did not answer in time. Try again later, or write the reply yourself.",
    "ai_rate_limited": "The AI provider is rate-limiting this workspace's key. Wait a minute and try again.",
    "ai_auth_failed": "The AI provider refused the API key. An admin can replace it in AI settings.",
    "ai_bad_answer": "The AI provider sent an answer we could not read. Nothing was changed.",
    "ai_provider_error": "The AI provider answered with an error. Nothing was changed.",
    "ai_blocked_url": "The AI provider URL is not allowed (private or local network).",
    "ai_not_configured": "No AI provider is configured: base URL and model are required.",
}


def provider_error(code: str) -> ProviderError:
    return ProviderError(MESSAGES[code], code=code)


class Provider(Protocol):
    name: str

    def complete(self, messages: list[ChatMessage], *, max_tokens: int, stream: bool = False) -> Completion: ...

    def speech(self, text: str, *, model: str, voice: str) -> bytes: ...


@dataclass(frozen=True)
class ProviderConfig:
    base_url: str
    model: str
    api_key: str | None = field(repr=False)  # never in a repr, a log line or a traceback
    timeout: float
    max_retries: int
    allow_private: bool


def _map_error(exc: Exception) -> ProviderError:
    log.warning("AI provider call failed: %s", type(exc).__name__)
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, OutboundBlocked):
        return provider_error("ai_blocked_url")
    if isinstance(exc, openai.APITimeoutError):
        return provider_error("ai_timeout")
    if isinstance(exc, openai.APIConnectionError):
        return provider_error("ai_unreachable")
    if isinstance(exc, openai.RateLimitError):
        return provider_error("ai_rate_limited")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return provider_error("ai_auth_failed")
    if isinstance(exc, openai.APIResponseValidationError | ValueError | TypeError | KeyError | AttributeError):
        return provider_error("ai_bad_answer")
    return provider_error("ai_provider_error")


class OpenAICompatibleProvider:
    """Talks to ``{base_url}/chat/completions`` and ``/audio/speech`` with the real ``openai`` client.

    No redirects are followed and every request's host is re-checked (SSRF), retries are bounded by settings,
    and chat requests carry ``store: false`` (the OpenAI API's "do not keep this completion" switch)."""

    name = "openai"

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    def _client(self) -> openai.OpenAI:
        return _shared_client(self.config)

    def _run(self, call: Callable[[openai.OpenAI], T]) -> T:
        try:
            client = self._client()
        except Exception as exc:
            raise _map_error(exc) from None
        try:
            return call(client)
        except Exception as exc:
            raise _map_error(exc) from None

    def complete(self, messages: list[ChatMessage], *, max_tokens: int, stream: bool = False) -> Completion:
        payload = cast(list[ChatCompletionMessageParam], [{"role": m.role, "content": m.content} for m in messages])
        started = time.perf_counter()

        def call(client: openai.OpenAI) -> Completion:
            if stream:
                return self._streamed(client, payload, max_tokens, started)
            result = client.chat.completions.create(
                model=self.config.model, messages=payload, max_tokens=max_tokens, temperature=0.2,
                store=False,
            )
            text = result.choices[0].message.content
            if not isinstance(text, str) or not text.strip():
                raise ValueError("empty answer")
            usage = result.usage
            return Completion(text.strip(), usage.prompt_tokens if usage else 0,
                              usage.completion_tokens if usage else 0, result.model or self.config.model,
                              int((time.perf_counter() - started) * 1000))

        return self._run(call)

    def _streamed(self, client: openai.OpenAI, payload: list[ChatCompletionMessageParam], max_tokens: int,
                  started: float) -> Completion:
        parts: list[str] = []
        tokens_in = tokens_out = 0
        model = self.config.model
        chunks = client.chat.completions.create(
            model=self.config.model, messages=payload, max_tokens=max_tokens, temperature=0.2,
            store=False, stream=True, stream_options={"include_usage": True},
        )
        for chunk in chunks:
            model = chunk.model or model
            for choice in chunk.choices:
                if choice.delta and choice.delta.content:
                    parts.append(choice.delta.content)
            if chunk.usage is not None:
                tokens_in, tokens_out = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
        text = "".join(parts).strip()
        if not text:
            raise ValueError("empty answer")
        return Completion(text, tokens_in, tokens_out, model, int((time.perf_counter() - started) * 1000))

    def speech(self, text: str, *, model: str, voice: str) -> bytes:
        def call(client: openai.OpenAI) -> bytes:
            response = client.audio.speech.create(model=model, voice=voice, input=text,
                                                  response_format="wav")
            data = response.read()
            if not data.startswith(b"RIFF"):
                raise ValueError("not a WAV file")
            return data

        return self._run(call)


# One client per configuration, reused across calls. Building a client per call created (and later garbage-
# collected) an httpx client, a connection pool and an ``ssl.SSLContext`` holding the whole CA bundle every time:
# the cyclic collector freeing those objects cost 10-40 ms wherever in a request it happened to run (the
# assistant benchmark's p95 privacy overhead), and every call paid a fresh TCP/TLS handshake. A changed key,
# URL or limit is a different configuration, hence a different client; the oldest ones are dropped.
MAX_CLIENTS = 16
_clients: OrderedDict[ProviderConfig, openai.OpenAI] = OrderedDict()
_clients_lock = threading.Lock()


def _build_client(cfg: ProviderConfig) -> openai.OpenAI:
    base_url = check_outbound_url(cfg.base_url, cfg.allow_private)
    # No redirects, every request URL re-checked, and every connection made to the addresses that passed the
    # check (DNS rebinding cannot swap in a private address between the check and the connect): kit/net.py.
    http = pinned_client(allow_private=cfg.allow_private, timeout=cfg.timeout)
    return openai.OpenAI(api_key=cfg.api_key or "no-key", base_url=base_url, timeout=cfg.timeout,
                         max_retries=cfg.max_retries, http_client=http)


def _shared_client(cfg: ProviderConfig) -> openai.OpenAI:
    with _clients_lock:
        client = _clients.get(cfg)
        if client is not None:
            _clients.move_to_end(cfg)
            return client
    client = _build_client(cfg)  # outside the lock: building takes a few milliseconds
    with _clients_lock:
        existing = _clients.get(cfg)
        if existing is not None:
            client.close()  # another thread built one first; ours was never shared
            return existing
        _clients[cfg] = client
        while len(_clients) > MAX_CLIENTS:
            # Not closed here: another thread may be mid-request on it; its pool closes when it is collected.
            _clients.popitem(last=False)
    return client


def close_clients() -> None:
    """Close and forget every cached provider client (tests, shutdown)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


class NoProvider:
    """Retrieval only: nothing is sent anywhere. Asking it to generate is a programming error."""

    name = "none"

    def complete(self, messages: list[ChatMessage], *, max_tokens: int, stream: bool = False) -> Completion:
        raise provider_error("ai_not_configured")

    def speech(self, text: str, *, model: str, voice: str) -> bytes:
        raise provider_error("ai_not_configured")
