"""The README's first command from a fresh clone in a new directory: `make run` installs, migrates, creates the
demo workspace, prints the login once, serves /healthz, and works a second time. (The second command, `make test`,
is what CI runs on a fresh clone.)"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.databases import backend

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(backend() != "sqlite", reason="set-up check runs once, in the SQLite pass"),
    pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_run(clone: Path, port: int) -> tuple[str, bool]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUSHDESK_", "VIRTUAL_ENV"))}
    env.update(HUSHDESK_PORT=str(port), HUSHDESK_BASE_URL=f"http://127.0.0.1:{port}")
    log = clone / f"make-run-{time.time_ns()}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        healthy = False
        try:
            deadline = time.time() + 420
            while time.time() < deadline and proc.poll() is None:
                try:
                    res = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    if res.status_code == 200 and res.json()["status"] == "ok":
                        healthy = True
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(1)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
    return log.read_text(), healthy


def test_make_run_from_a_fresh_clone_twice(tmp_path: Path) -> None:
    clone = tmp_path / "hushdesk"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    first, ok = _make_run(clone, _free_port())
    assert ok, f"`make run` did not serve /healthz:\n{first[-3000:]}"
    assert re.search(r"password:\s+\S{8,}", first), first[-2000:]
    assert (clone / "var" / "hushdesk.db").exists()
    assert oct((clone / "var" / "master.key").stat().st_mode & 0o777) == "0o600"
    second, ok = _make_run(clone, _free_port())
    assert ok, f"second `make run` failed:\n{second[-3000:]}"
    assert "Demo workspace exists" in second and "password:" not in second
