"""The AWS endpoint's short way in: GET and POST on `/` (every AWS call) are answered ahead of
Starlette's middleware and routing.

A small AWS call's own work (routing, parsing, the transaction, serialising) is about 0.1 ms;
Starlette's middleware stack, its router matching sixteen routes in turn, and the request and URL
objects took as long again. The checks and the answer stay exactly what the Starlette route gives:
the browser guard (`guard.py`) first, the call on the store's worker thread (the event loop never
runs one), the headers Starlette's `Response` would send (built here, without the request and
response objects: `raw_headers`), a 503 when the store is busy or away, and
a plain 500 (the exception raised on to the server's log) for anything else. Every other request,
HEAD on `/` included, goes through Starlette as before.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.datastructures import URL
from starlette.requests import ClientDisconnect
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from trunkline.guard import GuardPolicy, joined_headers, refusal_for, send_refusal
from trunkline.store.api import StoreBusy, StoreUnavailable

if TYPE_CHECKING:
    from trunkline.wire.errors import WireResponse  # the wire layer loads after the ready line

# (method, headers, query, body, raw path) -> the answer, computed off the event loop.
Answer = Callable[[str, dict[str, str], str, bytes, str], Awaitable["WireResponse"]]
# What the app answers when the store cannot be used (app.py's handler for its own routes too).
Trouble = Callable[[Exception], Response]

_METHODS = frozenset({"GET", "POST"})


def takes(scope: Scope) -> bool:
    """Whether the request is an AWS call this endpoint answers (Starlette's route for `/` would)."""
    return (
        scope["type"] == "http" and scope["path"] == "/" and scope["method"] in _METHODS and not scope.get("root_path")
    )


class AwsEndpoint:
    def __init__(self, policy: GuardPolicy, answer: Answer, trouble: Trouble) -> None:
        self.policy = policy
        self.answer = answer
        self.trouble = trouble

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._answer(scope, receive, sending)
        except Exception:
            # As Starlette's outermost middleware does: a plain 500 unless the answer had begun,
            # and the error on to the server's log.
            if not started:
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = joined_headers(scope)
        refusal = refusal_for(scope, headers, self.policy)
        if refusal is not None:
            await send_refusal(scope, headers, refusal, send, receive)
            return
        try:
            body = await _body(receive)
            path = scope.get("raw_path", b"/").decode("latin-1") or "/"
            answer = await self.answer(scope["method"], headers, _query(scope), body, path)
        except (StoreBusy, StoreUnavailable) as error:
            await self.trouble(error)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": answer.status, "headers": raw_headers(answer)})
        await send({"type": "http.response.body", "body": answer.body})


async def _body(receive: Receive) -> bytes:
    """The request's body, as Starlette's `Request.body()` reads it (a disconnect raises
    `ClientDisconnect`), without the request object and its stream generator."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()


def raw_headers(answer: WireResponse) -> list[tuple[bytes, bytes]]:
    """The headers Starlette's `Response(body, status, dict(headers), media_type=...)` sends, in
    its order: the answer's own (a repeated name once, its last value), then `content-length` and
    `content-type` (a `text/` type without a charset gets `; charset=utf-8`) unless given."""
    own = dict(answer.headers)
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in own.items()]
    names = {name for name, _ in raw}
    status = answer.status
    if b"content-length" not in names and not (status < 200 or status in (204, 304)):
        raw.append((b"content-length", str(len(answer.body)).encode("latin-1")))
    if b"content-type" not in names:
        raw.append((b"content-type", _content_type(answer.content_type)))
    return raw


@functools.cache
def _content_type(media_type: str) -> bytes:
    """Starlette's spelling of a media type (a handful of distinct values: cached)."""
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"
    return media_type.encode("latin-1")


def _query(scope: Scope) -> str:
    """The query string as Starlette's `request.url.query` gives it (SDKs send none with a POST)."""
    return URL(scope=scope).query if scope.get("query_string") else ""
