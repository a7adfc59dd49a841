"""A real stack for browser tests: hushdesk under uvicorn on a loopback port (restartable), a separate "shop"
site on another port (another origin) that embeds the widget, and a byte-level canary scanner."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """uvicorn in a thread; ``stop()`` + ``start()`` restart it on the same port (a server restart)."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", ws="websockets",
                                lifespan="on", access_log=False, timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=server.run, name=f"uvicorn-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._server = self._thread = None


class ShopSite:
    """The business's own website: a static page on another port embedding the widget script tag."""

    def __init__(self, widget_base: str, widget_key: str) -> None:
        page = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Test shop</title></head><body>"
            "<h1>Test shop</h1><p>Welcome to our shop.</p>"
            f'<script src="{widget_base}/widget.js" data-hushdesk-key="{widget_key}" async></script>'
            "</body></html>"
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass(frozen=True)
class Hit:
    where: str
    needle: str


def encodings(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("utf-16-be")]


def scan_files(directory: Path, needles: list[str]) -> list[Hit]:
    """Every file under ``directory`` (database, -wal, -shm, key vault, queue...) read as raw bytes."""
    hits = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        lowered = data.lower()
        for needle in needles:
            if any(enc.lower() in lowered for enc in encodings(needle)):
                hits.append(Hit(str(path), needle))
    return hits


def scan_postgres(url: str, needles: list[str]) -> list[Hit]:
    """PostgreSQL's files are not ours to read: dump every row of every table as text and search it
    (bytea renders as hex, so search the hex form too)."""
    hits = []
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            for table in tables:
                rows = conn.execute(text(f'SELECT CAST(t AS TEXT) FROM "{table}" AS t')).scalars()  # noqa: S608
                blob = "\n".join(str(r) for r in rows).lower()
                for needle in needles:
                    if needle.lower() in blob or needle.encode().hex() in blob:
                        hits.append(Hit(f"postgres:{table}", needle))
    finally:
        engine.dispose()
    return hits
