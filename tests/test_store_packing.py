"""How SQLite bodies are stored (store/packing.py): every body reads back exactly, bodies written
before preset dictionaries still read, the released dictionaries never change, and the shapes the
store holds most of (task records, their index entries, task and container-instance events) pack
far smaller with their dictionary than alone."""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trunkline.store import packing

# Uses no server and no store: the same code runs in every pass, so only the SQLite passes run it.
pytestmark = pytest.mark.one_store

# Adler-32 of each released dictionary: stored bodies name their dictionary by it, so changing a
# released one would make every body written with it unreadable. Add entries; never edit these.
RELEASED = {
    "document:ecs.task": 47883126,
    "entries:ecs.task": 440838336,
    "document:ecs.container-instance": 2245863523,
    "entries:ecs.container-instance": 1855472316,
    "document:ec2.eni": 3913804205,
    "entries:ec2.eni": 563949541,
    "document:ec2.trunk-association": 2408202274,
    "entries:ec2.trunk-association": 3862374359,
    "document:ec2.instance": 1346892142,
    "entries:ec2.instance": 3944235239,
    "document:ecs.agent": 3845869004,
    "event:ECS Task State Change": 2318954577,
    "event:ECS Container Instance State Change": 3882014868,
}

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=40,
)


def _sample(purpose: str) -> Any:
    return json.loads(packing._dictionaries()[0][purpose])


def test_released_dictionaries_are_unchanged() -> None:
    by_purpose = packing._dictionaries()[0]
    assert {p: zlib.adler32(by_purpose[p]) for p in RELEASED} == RELEASED


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.dictionaries(st.text(max_size=20), _JSON, max_size=8), purpose=st.sampled_from([None, *RELEASED]))
def test_every_body_reads_back_exactly(doc: dict[str, Any], purpose: str | None) -> None:
    assert packing.unpack(packing.pack(doc, purpose)) == json.loads(packing.dump(doc))


def test_bodies_written_before_dictionaries_still_read() -> None:
    doc = _sample("event:ECS Task State Change")
    assert packing.unpack(zlib.compress(packing.dump(doc).encode(), 1)) == doc
    assert packing.unpack(packing.dump({"a": 1})) == {"a": 1}


def test_a_task_event_packs_to_a_third_with_its_dictionary() -> None:
    event = _sample("event:ECS Task State Change")
    # Another task's event: other ids, times and addresses than the dictionary's own.
    other = json.loads(
        packing.dump(event)
        .replace(event["detail"]["taskArn"].rsplit("/", 1)[1], "0123456789abcdef0123456789abcdef")
        .replace(event["id"], "6f1c2b1e-8f5d-4c1a-9d0e-2b7f3a4c5d6e")
        .replace("RUNNING", "PENDING")
    )
    alone = len(zlib.compress(packing.dump(other).encode(), 1))
    packed = packing.pack(other, "event:ECS Task State Change")
    assert isinstance(packed, bytes)
    assert len(packed) * 2.5 < alone, (len(packed), alone)
    assert packing.unpack(packed) == other


def test_small_bodies_stay_text() -> None:
    assert packing.pack({"SubnetId": "subnet-1", "Address": "10.0.0.4"}, "document:ec2.subnet-ip") == (
        '{"SubnetId":"subnet-1","Address":"10.0.0.4"}'
    )


def test_what_orjson_refuses_is_written_as_the_standard_library_would() -> None:
    doc = {"big": 2**70, "surrogate": "\ud800", "numbers": {1: "one"}, "text": "é\x00"}
    packed = packing.pack(doc)
    assert packing.unpack(packed) == {"big": 2**70, "surrogate": "\ud800", "numbers": {"1": "one"}, "text": "é\x00"}
    assert "\x00" not in packing.dump({"text": "a\x00b"})  # escaped: PostgreSQL's text cannot hold NUL


def test_non_finite_numbers_are_stored_as_null() -> None:
    """JSON has no NaN or Infinity; nothing trunkline stores should hold one, and if it did it
    reads back as null (docs/decisions.md)."""
    assert packing.unpack(packing.pack({"x": float("inf"), "y": 1.5})) == {"x": None, "y": 1.5}


def test_bodies_use_a_16_kib_window_and_older_32_kib_ones_still_read() -> None:
    """The window is in each body's zlib header (CINFO = log2(window) - 8): new bodies use 16 KiB
    (a fresh default-sized compressor per body cost the server 2-3x as much); bodies written with
    zlib's default 32 KiB window, with or without a dictionary, read back unchanged."""
    purpose = "document:ecs.container-instance"
    doc = _sample(purpose)
    for packed in (packing.pack(doc, purpose), packing.pack({"big": "x" * 500})):
        assert isinstance(packed, bytes)
        assert packed[0] >> 4 == 14 - 8
    text = packing.dump(doc).encode()
    older = zlib.compressobj(1, zdict=packing._dictionaries()[0][purpose])
    written_before = older.compress(text) + older.flush()
    assert written_before[0] >> 4 == 15 - 8
    assert packing.unpack(written_before) == doc
    assert packing.unpack(zlib.compress(text, 1)) == doc
