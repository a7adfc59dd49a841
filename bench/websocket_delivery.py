"""WebSocket delivery visitor -> agent at 200 concurrent conversations, on loopback.

A real server (uvicorn, fresh SQLite) with 200 web-chat visitors, each with an open socket and a conversation,
and 200 agent sockets, each watching one of those conversations (as 200 agent screens would). Every visitor
sends a message every PERIOD seconds (staggered); we time each message from the visitor's send to the agent's
receipt of it (the path includes validation, encryption, redaction, the database commit and the fan-out).
Baseline, in the same run: the socket round trip of a ping/pong on the same connections (framework + loopback,
no work). Prints p50/p95/p99 and the ratio. Target: p99 < 50 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).parent))
from _server import running_server

CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "200"))
PERIOD = float(os.environ.get("BENCH_PERIOD", "10"))  # seconds between two messages of one visitor
DURATION = float(os.environ.get("BENCH_DURATION", "30"))
PASSWORD = "bench-password-123"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _local(i: int) -> str:
    # New chat sessions are throttled per address (30/min); spread visitors over loopback addresses.
    return f"127.0.{1 + i // 25}.{2 + i % 25}"


def agent_cookie(base: str) -> str:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, "login form has no csrf token"
        res = client.post("/login", data={"email": "bench-agent@example.com", "password": PASSWORD,
                                          "csrf_token": token.group(1), "next": "/"}, follow_redirects=False)
        assert res.status_code in (302, 303), res.text[:300]
        return str(client.cookies.get("hd_session"))


async def main_async(base: str, key: str, cookie: str) -> None:
    ws_base = base.replace("http://", "ws://")
    origin = base
    visitors: list[tuple[websockets.ClientConnection, str]] = []
    for i in range(CONVERSATIONS):
        async with httpx.AsyncClient(base_url=base, transport=httpx.AsyncHTTPTransport(local_address=_local(i))) as c:
            res = await c.post("/widget/api/session", json={"key": key}, headers={"Origin": origin})
            assert res.status_code == 201, res.text
            token = res.json()["token"]
        ws = await websockets.connect(f"{ws_base}/widget/ws?key={key}", origin=origin, max_size=2**20)  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send(json.dumps({"type": "message", "client_message_id": str(uuid.uuid4()), "body": "hello"}))
        ack = json.loads(await ws.recv())
        visitors.append((ws, ack["conversation_id"]))
    agents = []
    for _, conv_id in visitors:
        ws = await websockets.connect(f"{ws_base}/ws/agent", origin=origin,  # type: ignore[arg-type]
                                      additional_headers={"Cookie": f"hd_session={cookie}"})
        assert json.loads(await ws.recv())["type"] == "ready"
        await ws.send(json.dumps({"type": "watch", "conversation_id": conv_id}))
        agents.append(ws)
    print(f"{len(visitors)} visitor sockets and {len(agents)} agent sockets open")

    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    async def agent_reader(ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message" and frame.get("body", "").startswith("bench "):
                token = frame["body"].split()[1]
                if token in sent_at:
                    latencies.append((time.perf_counter() - sent_at.pop(token)) * 1000)

    async def visitor_reader(ws: websockets.ClientConnection) -> None:
        async for _ in ws:  # acks and echoes; drained so buffers stay empty
            pass

    readers = [asyncio.create_task(agent_reader(a)) for a in agents]
    readers += [asyncio.create_task(visitor_reader(v)) for v, _ in visitors]

    async def visitor_loop(i: int, ws: websockets.ClientConnection) -> None:
        await asyncio.sleep(PERIOD * i / len(visitors))
        end = time.perf_counter() + DURATION
        while time.perf_counter() < end:
            token = uuid.uuid4().hex
            sent_at[token] = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "client_message_id": token,
                                      "body": f"bench {token} my email is v{i}@example.com"}))
            await asyncio.sleep(PERIOD)

    await asyncio.gather(*(visitor_loop(i, ws) for i, (ws, _) in enumerate(visitors)))
    await asyncio.sleep(3)

    pings: list[float] = []
    for ws, _ in visitors[:100]:
        t0 = time.perf_counter()
        pong = ws.ping()
        await (await pong)
        pings.append((time.perf_counter() - t0) * 1000)
    for task in readers:
        task.cancel()
    lost = len(sent_at)
    print(f"\nmessages delivered: {len(latencies)}, not delivered within 3 s: {lost}")
    print(f"rate: {CONVERSATIONS / PERIOD:.0f} messages/s across {CONVERSATIONS} conversations")
    print(f"{'':<28}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    print(f"{'ping/pong (baseline)':<28}{statistics.median(pings):>9.2f}{pct(pings, .95):>9.2f}{pct(pings, .99):>9.2f}")
    print(f"{'visitor -> agent message':<28}{statistics.median(latencies):>9.2f}{pct(latencies, .95):>9.2f}"
          f"{pct(latencies, .99):>9.2f}")
    print(f"\np99 delivery / p99 ping: {pct(latencies, .99) / pct(pings, .99):.1f}x; target p99 < 50 ms")


def main() -> None:
    with running_server() as server:
        server.cli("workspace", "create", "--name", "Bench", "--slug", "bench")
        env_pw = dict(server.env, HUSHDESK_NEW_PASSWORD=PASSWORD)
        import subprocess

        subprocess.run([sys.executable, "-m", "hushdesk", "user", "create", "--email", "bench-agent@example.com",
                        "--name", "Bench Agent", "--workspace", "bench", "--role", "agent"], env=env_pw, check=True,
                       capture_output=True)
        key = subprocess.run([sys.executable, "-c", (
            "import os; from sqlalchemy import create_engine, text; "
            "e=create_engine('sqlite:///'+os.environ['HUSHDESK_DATA_DIR']+'/hushdesk.db'); "
            "print(e.connect().execute(text('select public_key from widgets w join workspaces s on "
            "s.id=w.workspace_id where s.slug=\\'bench\\'')).scalar())")], env=server.env, capture_output=True,
            text=True, check=True).stdout.strip()
        cookie = agent_cookie(server.base_url)
        asyncio.run(main_async(server.base_url, key, cookie))


if __name__ == "__main__":
    main()
