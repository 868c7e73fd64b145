"""An HTTP server that answers with a recording, in order, and does nothing else.

    python benchmarks/replay_server.py RECORDING.json      # prints "ready at http://127.0.0.1:PORT"

bench_vs_moto.py runs its script against this server to measure the HTTP floor: the client's own
work plus the HTTP exchange (sockets, uvicorn, the same ASGI stack trunkline serves with), with no
server work at all. RECORDING is a JSON list of [status, headers, body as base64], one per request.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import uvicorn

# Headers the ASGI server writes itself, or that describe a connection rather than an answer.
_DROPPED = {"content-length", "date", "server", "connection", "transfer-encoding", "keep-alive"}

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def write(answers: Sequence[tuple[int, Mapping[str, str], bytes]]) -> str:
    """A recording of `answers` (status, headers, body) as `load` reads it; the file's path."""
    rows = [[status, dict(headers), base64.b64encode(body).decode()] for status, headers, body in answers]
    with tempfile.NamedTemporaryFile("w", prefix="replay-answers-", suffix=".json", delete=False) as out:
        json.dump(rows, out)
    return out.name


def load(path: str) -> list[Answer]:
    answers: list[Answer] = []
    for status, headers, body in json.loads(Path(path).read_text(encoding="utf-8")):
        raw = base64.b64decode(body)
        kept = [(k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower() not in _DROPPED]
        answers.append((status, [*kept, (b"content-length", str(len(raw)).encode())], raw))
    return answers


class Replay:
    """The ASGI app: the next recorded answer for every request, whatever it asks."""

    def __init__(self, answers: list[Answer]) -> None:
        self.answers = answers
        self.next = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        status, headers, body = self.answers[self.next % len(self.answers)]
        self.next += 1
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    sock = socket.socket()
    # Accepted connections inherit it. Without it (measured, uvloop with a socket handed over) each
    # JSON-protocol answer waited ~40 ms for the client's delayed ACK: not the floor of anything.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections queue from here on, so "ready" is true before uvicorn starts
    config = uvicorn.Config(Replay(load(sys.argv[1])), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    print(f"ready at http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    main()
