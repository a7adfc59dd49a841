"""Recent-message fingerprints, in memory: "has this exact text been sent just now, here or elsewhere?".

Why in memory and not a table: repetition only matters within minutes, and asking the database on every inbound
message would cost a query on the hottest path. A visitor's widget messages all arrive over the one WebSocket
their browser holds, so one process sees a session's whole burst. Fingerprints are HMACs under a key that is
random per process and never leaves it: nothing here is written anywhere, and no text is kept. Bounded in
size (oldest keys are dropped first), so a flood cannot grow it without limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque

from hushdesk.spam.scoring import normalize

WINDOW_SECONDS = 600.0
MAX_PER_CONVERSATION = 20
MAX_KEYS = 20_000


class RecentMessages:
    def __init__(self, window: float = WINDOW_SECONDS, max_keys: int = MAX_KEYS) -> None:
        self.window = window
        self.max_keys = max_keys
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        # conversation id -> (time, fingerprint) of its latest messages
        self._by_conversation: OrderedDict[str, deque[tuple[float, bytes]]] = OrderedDict()
        # (workspace id, fingerprint) -> conversation id -> last time seen
        self._by_text: OrderedDict[tuple[str, bytes], dict[str, float]] = OrderedDict()

    def fingerprint(self, text: str) -> bytes:
        return hmac.new(self._key, normalize(text).encode(), hashlib.sha256).digest()[:16]

    def counts(self, workspace_id: str, conversation_id: str, fp: bytes, now: float | None = None) -> tuple[int, int]:
        """(times this conversation sent it, other conversations that sent it) within the window."""
        now = time.monotonic() if now is None else now
        since = now - self.window
        with self._lock:
            mine = sum(1 for at, f in self._by_conversation.get(conversation_id, ()) if at >= since and f == fp)
            seen = self._by_text.get((workspace_id, fp), {})
            others = sum(1 for conv, at in seen.items() if conv != conversation_id and at >= since)
        return mine, others

    def remember(self, workspace_id: str, conversation_id: str, fp: bytes, now: float | None = None) -> None:
        """Called after commit: a rolled-back message was never sent, so it must not count."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = self._by_conversation.pop(conversation_id, None) or deque(maxlen=MAX_PER_CONVERSATION)
            recent.append((now, fp))
            self._by_conversation[conversation_id] = recent
            key = (workspace_id, fp)
            seen = self._by_text.pop(key, None) or {}
            since = now - self.window
            seen = {conv: at for conv, at in seen.items() if at >= since}
            seen[conversation_id] = now
            self._by_text[key] = seen
            for table in (self._by_conversation, self._by_text):
                while len(table) > self.max_keys:
                    table.popitem(last=False)

    def forget(self, conversation_id: str) -> None:
        """An agent said "not spam": the repeats that led there should not flag it again at once."""
        with self._lock:
            self._by_conversation.pop(conversation_id, None)


RECENT = RecentMessages()
