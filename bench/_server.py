"""Start a real hushdesk server (uvicorn, loopback, fresh SQLite database) for benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    pid: int = 0

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cli(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "hushdesk", *args], env=self.env, capture_output=True,
                             text=True, check=True)
        return out.stdout.strip()


@contextmanager
def running_server(**extra_env: str) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="hushdesk-bench-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Rate limits stay on (their cost is measured) but high enough never to refuse the benchmark's load.
        env = {**os.environ, "HUSHDESK_ENV": "dev", "HUSHDESK_DATA_DIR": tmp, "HUSHDESK_BASE_URL": base,
               "HUSHDESK_LOG_LEVEL": "WARNING", "HUSHDESK_RATE_LIMIT_API": "10000000",
               "HUSHDESK_RATE_LIMIT_WIDGET": "10000000", **extra_env}
        server = Server(base, Path(tmp), env)
        server.cli("migrate")
        proc = subprocess.Popen([sys.executable, "-m", "hushdesk", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=None)
        server.pid = proc.pid
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("server did not start")
            yield server
        finally:
            proc.terminate()
            proc.wait(10)
