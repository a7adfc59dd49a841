"""A local OpenAI-compatible HTTP server on loopback that records every request (tests start and stop it).

Modes: ok (default), 429, 500, slow (sleeps past the client's timeout), malformed (200 with a body that is not
a chat completion), down (the server is stopped). ``reply`` decides the answer text from the request JSON.
"""

from __future__ import annotations

import io
import json
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], str]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def everything(self) -> str:
        return self.path + "\n" + json.dumps(self.headers) + "\n" + self.body.decode("utf-8", "replace")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that timed out and hung up is expected in these tests


@dataclass
class FakeOpenAI:
    mode: str = "ok"
    reply: Reply = lambda _req: "Hello <PERSON_1>, your order <ORDER_1> is on its way."  # noqa: E731
    delay: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    usage: list[tuple[int, int]] = field(default_factory=list)  # (prompt, completion) tokens we answered
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                fake.requests.append(Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                fake.handle(self, json.loads(body or b"{}"))

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("content-type", ctype)
        h.send_header("content-length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def handle(self, h: BaseHTTPRequestHandler, req: dict[str, Any]) -> None:
        if self.delay or self.mode == "slow":
            time.sleep(self.delay or 5)
        if self.mode == "429":
            err = {"error": {"message": "Rate limit reached for key sk-test-SECRET", "type": "rate_limit"}}
            self._send(h, 429, json.dumps(err).encode(), headers={"retry-after": "0"})
            return
        if self.mode == "500":
            self._send(h, 500, b'{"error": {"message": "boom"}}')
            return
        if self.mode == "malformed":
            self._send(h, 200, b'{"unexpected": true}')
            return
        if h.path.endswith("/audio/speech"):
            self._send(h, 200, tiny_wav(), "audio/wav")
            return
        text = self.reply(req)
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in req.get("messages", []))
        completion_tokens = len(text.split())
        self.usage.append((prompt_tokens, completion_tokens))
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                 "total_tokens": prompt_tokens + completion_tokens}
        model = req.get("model", "fake")
        if req.get("stream"):
            chunks = []
            words = text.split(" ")
            for n, word in enumerate(words):
                piece = word if n == 0 else " " + word
                chunks.append({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                               "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            chunks.append({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                           "choices": [], "usage": usage})
            payload = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            self._send(h, 200, payload.encode(), "text/event-stream")
            return
        answer = {"id": "c1", "object": "chat.completion", "created": 0, "model": model,
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                               "finish_reason": "stop"}], "usage": usage}
        self._send(h, 200, json.dumps(answer).encode())


def tiny_wav(seconds: float = 0.5) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * int(16000 * seconds))
    return buf.getvalue()
