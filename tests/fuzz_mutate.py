"""Cheap fuzz requests (issue 13): mutate and recombine a pool of requests drawn once from
tests/test_fuzz.py's hypothesis strategies, so that a run of 100,000 requests costs the server's
time, not the generator's (drawing from the shape strategies costs 20-60 ms a request; a mutation
costs well under one).

Every mutation keeps the fuzzer's state rule: a write never gains the required members the pool
left out (grafts come only from requests of the same operation, and a JSON request moved to another
operation loses that operation's required members), so a mutated request can still only be a read,
a write that must fail, or no operation at all. The hostile classes are applied again at random on
top of the pool's: null values and list items, NUL characters, huge numbers, thousands-deep
nesting, Unicode digits in numbers and list indexes, and raw damage to the bytes and headers.
"""

from __future__ import annotations

import copy
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import test_fuzz as fuzz  # type: ignore[import-not-found]  # tests/ is on sys.path (pytest, fuzz_count.py)

_HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    "\x00",
    "a\x00",
    "vpc-\x00",
    "i-0123\x00abcd",
    2**63,
    -(2**63) - 1,
    10**30,
    2**200,
    -(10**40),
    1e308,
    -0.0,
    "²",
    "٣",
    "١٢",
    "５",
    "\U0001d7d9",
    "¹⁰",
    True,
    "",
    "a" * 5000,
    "\ud7ff\uffff",
    [],
    {},
    [None],
    {"": None},
    {"\x00": 1},
)
_HOSTILE_TEXT = (
    "\x00",
    "a\x00b",
    "²",
    "٣",
    "١٢",
    "５",
    "\U0001d7d9",
    "99999999999999999999999",
    str(2**200),
    "-1",
    "0",
    "",
    "1e3",
    "NaN",
    "a" * 5000,
    "null",
    "%",
    "\ufeff",
    "tag:\x00",
)
_HOSTILE_INDEXES = ("0", "-1", "01", "²", "١", "５", "99999999999999999999", "", "x", "1e3")
_PERCENT_GARBAGE = ("%", "%z", "%zz", "%ff", "%c3%28", "%ed%a0%80", "%00", "&&", "==", "=", "&=&", ";")
_MAX_QUERY = 60_000  # httpx refuses longer URLs (64 KiB); a POST body carries the long forms
_CONTENT_TYPES = (fuzz.JSON_CONTENT, fuzz.FORM, "application/json", "text/plain", "", "application/x-amz-json-1.0")


def draw_pool(size: int) -> list[fuzz.RawRequest]:
    """`size` requests drawn from test_fuzz.py's five generators (hypothesis only generates here:
    no shrinking, no example database)."""
    strategy = st.one_of(
        fuzz.json_requests(),
        fuzz.query_requests(),
        fuzz.ec2_requests(),
        fuzz.hostile_json_requests(),
        fuzz.hostile_query_requests(),
    )
    drawn: list[fuzz.RawRequest] = []

    @settings(
        max_examples=size,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=strategy)
    def draw(request: fuzz.RawRequest) -> None:
        drawn.append(request)

    draw()
    return drawn


def _percent(text: str) -> str:
    return quote(text, safe="")


class Mutator:
    """Requests from a pool, mutated; one per thread (the random source is its own)."""

    def __init__(self, pool: Sequence[fuzz.RawRequest], seed: int) -> None:
        self.pool = list(pool)
        self.rng = random.Random(seed)
        self.same_operation: defaultdict[tuple[str | None, str | None], list[fuzz.RawRequest]] = defaultdict(list)
        for request in self.pool:
            self.same_operation[(request.service, request.operation)].append(request)

    def next(self) -> fuzz.RawRequest:
        request = self.rng.choice(self.pool)
        roll = self.rng.random()
        if roll < 0.15:
            return request  # the pool's own requests, as drawn
        if roll < 0.22:
            return self._damage_bytes(request)
        if roll < 0.28:
            return self._damage_headers(request)
        if request.headers.get("X-Amz-Target") is not None:
            return self._json(request)
        return self._form(request)

    # --- JSON protocol (ECS, SSM, CloudWatch Logs) ---

    def _json(self, request: fuzz.RawRequest) -> fuzz.RawRequest:
        try:
            params = json.loads(request.body)
        except (ValueError, RecursionError):
            return self._damage_bytes(request)
        if not isinstance(params, dict):
            return self._damage_bytes(request)
        service, operation = request.service, request.operation
        if service and operation and self.rng.random() < 0.15:
            operation = self.rng.choice(fuzz._operations(service))
            prefix = fuzz._model(service).metadata["targetPrefix"]
            request = replace(request, headers={**request.headers, "X-Amz-Target": f"{prefix}.{operation}"})
            request.operation = operation
        for _ in range(self.rng.randint(1, 2)):
            self._mutate_tree(params, request)
        forbidden = fuzz._forbidden_keys(service, operation, "json") if service and operation else frozenset()
        params = {k: v for k, v in params.items() if k not in forbidden}
        body = json.dumps(params)
        if params and self.rng.random() < 0.12:
            member = self.rng.choice(sorted(params))
            levels = self.rng.choice((50, 500, 5_000, 20_000, 100_000))
            nested = "[" * levels + "null" + "]" * levels
            body = json.dumps({**params, member: "DEEP"}).replace('"DEEP"', nested)
        return replace(request, body=body.encode())

    def _mutate_tree(self, params: dict[str, Any], request: fuzz.RawRequest) -> None:
        choice = self.rng.random()
        if choice < 0.25:  # a member of another request to the same operation
            donor = self.rng.choice(self.same_operation.get((request.service, request.operation)) or [request])
            try:
                other = json.loads(donor.body)
            except (ValueError, RecursionError):
                return
            if isinstance(other, dict) and other:
                key = self.rng.choice(sorted(other))
                params[key] = other[key]
            return
        containers = _containers(params)
        parent, key = self.rng.choice(containers)
        if isinstance(parent, list):
            if choice < 0.5 or not parent:
                parent.insert(self.rng.randint(0, len(parent)), None)  # a null item
            else:
                parent[self.rng.randrange(len(parent))] = self._hostile_value()
        elif key is not None:
            parent[key] = self._hostile_value()
        elif parent:
            parent[self.rng.choice(sorted(parent))] = self._hostile_value()

    def _hostile_value(self) -> Any:
        return copy.deepcopy(self.rng.choice(_HOSTILE_VALUES))  # a fresh copy: later edits must not touch the table

    # --- query and EC2 protocols (IAM, STS, EC2) ---

    def _form(self, request: fuzz.RawRequest) -> fuzz.RawRequest:
        text = request.query if request.method == "GET" and request.query else request.body.decode("latin-1")
        pieces = text.split("&") if text else []
        for _ in range(self.rng.randint(1, 2)):
            pieces = self._mutate_pieces(pieces, request)
        encoded = "&".join(pieces)
        if request.method == "GET" and request.query:
            # A URL carries printable ASCII only, and no `#` (it would end the query): bytes grafted
            # from a POST body go percent-encoded.
            printable = "".join(c if " " < c < "\x7f" and c != "#" else _percent(c) for c in encoded)
            return replace(request, query=printable[:_MAX_QUERY])
        return replace(request, body=encoded.encode("latin-1", "replace"))

    def _mutate_pieces(self, pieces: list[str], request: fuzz.RawRequest) -> list[str]:
        body = [p for p in pieces if not p.startswith(("Action=", "Version="))]
        head = [p for p in pieces if p.startswith(("Action=", "Version="))]
        choice = self.rng.random()
        if choice < 0.2:  # pieces of another request to the same operation
            donor = self.rng.choice(self.same_operation.get((request.service, request.operation)) or [request])
            donor_text = donor.query if donor.method == "GET" and donor.query else donor.body.decode("latin-1")
            grafts = [p for p in donor_text.split("&") if p and not p.startswith(("Action=", "Version="))]
            body += self.rng.sample(grafts, min(len(grafts), self.rng.randint(1, 3)))
        elif body and choice < 0.55:  # a hostile value
            at = self.rng.randrange(len(body))
            body[at] = body[at].split("=", 1)[0] + "=" + _percent(self.rng.choice(_HOSTILE_TEXT))
        elif body and choice < 0.75:  # a hostile list index
            at = self.rng.randrange(len(body))
            key, _, value = body[at].partition("=")
            parts = key.split(".")
            digits = [i for i, p in enumerate(parts) if p.isdigit()]
            if digits:
                parts[self.rng.choice(digits)] = _percent(self.rng.choice(_HOSTILE_INDEXES))
                body[at] = ".".join(parts) + "=" + value
        elif body and choice < 0.85:  # a piece dropped or repeated
            at = self.rng.randrange(len(body))
            if self.rng.random() < 0.5:
                del body[at]
            else:
                body.insert(at, body[at].split("=", 1)[0] + "=" + _percent(self.rng.choice(_HOSTILE_TEXT)))
        else:  # percent-encoding garbage spliced in
            body.insert(self.rng.randint(0, len(body)), self.rng.choice(_PERCENT_GARBAGE))
        return head + self._without_forbidden(body, request)

    @staticmethod
    def _without_forbidden(pieces: list[str], request: fuzz.RawRequest) -> list[str]:
        if not (request.service and request.operation):
            return pieces
        protocol = "ec2" if request.service == "ec2" else "query"
        forbidden = fuzz._forbidden_keys(request.service, request.operation, protocol)
        return [p for p in pieces if p.split("=", 1)[0].split(".", 1)[0] not in forbidden]

    # --- raw damage, any protocol ---

    def _damage_bytes(self, request: fuzz.RawRequest) -> fuzz.RawRequest:
        body = bytearray(request.body)
        choice = self.rng.random()
        if body and choice < 0.3:
            del body[self.rng.randrange(len(body)) :]  # truncated
        elif body and choice < 0.6:
            body[self.rng.randrange(len(body))] = self.rng.randrange(256)
        elif choice < 0.8:
            at = self.rng.randint(0, len(body))
            body[at:at] = self.rng.randbytes(self.rng.randint(1, 8))
        else:
            body[:0] = self.rng.choice((b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"{", b"[" * 1000, b"&"))
        if request.service == "ec2" or (
            request.service in ("iam", "sts", "autoscaling") and not request.headers.get("X-Amz-Target")
        ):
            # A raw edit can spell a required member back into a form only by chance; drop it anyway.
            return replace(request, body=self._strip_forbidden_form(bytes(body), request))
        return replace(request, body=bytes(body))

    def _strip_forbidden_form(self, body: bytes, request: fuzz.RawRequest) -> bytes:
        pieces = body.decode("latin-1").split("&")
        return "&".join(self._without_forbidden(pieces, request)).encode("latin-1")

    def _damage_headers(self, request: fuzz.RawRequest) -> fuzz.RawRequest:
        headers = dict(request.headers)
        choice = self.rng.random()
        if choice < 0.35:
            headers["Content-Type"] = self.rng.choice(_CONTENT_TYPES)
        elif choice < 0.55:
            headers.pop("Authorization", None)
        elif choice < 0.75:
            headers["Authorization"] = self.rng.choice(
                (fuzz._scope("ecs"), fuzz._scope("ec2"), fuzz._scope("iam"), "AWS4-HMAC-SHA256", "\x00", "a/" * 3000)
            )
        elif "X-Amz-Target" in headers:
            headers["X-Amz-Target"] = str(headers["X-Amz-Target"]) + self.rng.choice(("\x00", "²", "x", "."))
            return replace(request, headers=headers, operation=None)
        else:
            return replace(request, method=self.rng.choice(("GET", "PUT", "DELETE", "PATCH")), operation=None)
        return replace(request, headers=headers)


def _containers(params: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(container, key) for every place a value may be replaced: each dict member and each list."""
    found: list[tuple[Any, Any]] = [(params, None)]
    stack: list[Any] = [params]
    while stack and len(found) < 200:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(node, dict):
                found.append((node, key))
            if isinstance(value, list):
                found.append((value, None))
                stack.append(value)
            elif isinstance(value, dict):
                stack.append(value)
    return found
