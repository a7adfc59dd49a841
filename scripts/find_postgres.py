"""Print a PostgreSQL server URL for the test suite, starting a throwaway cluster if needed.

Order: $HUSHDESK_TEST_POSTGRES_URL; a server on 127.0.0.1:5432 (user postgres, trust); a private cluster
started with the installed server binaries on a free loopback port (data in .tmp/pg). Prints nothing when
none is possible. ``--stop`` stops the throwaway cluster.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".tmp" / "pg"


def _answers(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def _bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root.
    if os.geteuid() == 0 and shutil.which("su"):
        return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    return cmd


def start_throwaway() -> str:
    bindir = _bindir()
    if bindir is None:
        return ""
    DATA.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(DATA.parent, "postgres")
    port = _free_port()
    if not (DATA / "PG_VERSION").exists():
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(DATA), "-U", "postgres", "-A", "trust"]),
                       check=True, capture_output=True)
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {DATA} -c fsync=off"
    subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(DATA), "-w", "-o", opts, "-l",
                                 str(DATA / "log.txt"), "start"]), check=True, capture_output=True)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def stop_throwaway() -> None:
    bindir = _bindir()
    if bindir and (DATA / "postmaster.pid").exists():
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(DATA), "-w", "stop"]), check=False,
                       capture_output=True)


def main() -> None:
    if "--stop" in sys.argv:
        stop_throwaway()
        return
    url = os.environ.get("HUSHDESK_TEST_POSTGRES_URL", "")
    if url and _answers(url):
        print(url)
        return
    local = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    if _answers(local):
        print(local)
        return
    try:
        started = start_throwaway()
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"could not start a throwaway PostgreSQL: {exc}", file=sys.stderr)
        return
    if started and _answers(started):
        print(started)


if __name__ == "__main__":
    main()
