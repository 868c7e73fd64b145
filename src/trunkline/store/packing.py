"""How SQLite stores a JSON body: as text when it is small, else zlib-compressed, with a preset
dictionary when one fits what the body is (docs/design.md, "Growth").

Most of what the store holds is a few shapes repeated thousands of times: task records, their
index entries, task and container-instance events, ENIs. Compressed one by one, each body pays
again for every field name and every ARN prefix it shares with all the others; a preset
dictionary (a typical body of the same purpose) lets zlib refer to them instead, so what is left
is mostly what differs: ids, times, states. A task event goes from ~820 to ~290 bytes.

A compressed body names its dictionary in its own zlib header (FDICT and the dictionary's
Adler-32), so `unpack` needs nothing but the bytes, and bodies written before dictionaries
existed still read. The dictionaries are data (`dictionaries-v1.json`); a released one never
changes, or the bodies written with it could not be read: new shapes get new entries.
"""

from __future__ import annotations

import functools
import json
import zlib
from importlib import resources
from typing import Any

import orjson

Document = dict[str, Any]

_PLAIN_BELOW = 200  # bytes of JSON under which plain compression saves too little to pay for itself
_DICTIONARY_BELOW = 64  # ... and under which even a dictionary does not
# zlib's default level. Level 1 hardly searches a preset dictionary: on the bodies the store holds
# most of, level 6 is 12-30% smaller (a container-instance event 394 -> 298 bytes, a task event
# 332 -> 291) at about the same cost for bodies this small (tens of microseconds; issue 13).
_LEVEL = 6
_FDICT = 0x20  # the zlib header's flag for a preset dictionary, followed by its Adler-32
# A 16 KiB window instead of zlib's default 32 KiB: every body gets a fresh compressor, whose
# state is smaller to allocate and clear (in a server, ~35 instead of ~50 us per container-instance
# body; in process, bench_runtask_cpu.py measured RunTask's CPU 0.94-0.99x: a small gain). The
# largest preset dictionary (7 KB) and the bodies the store holds fit the smaller window: sizes
# are the same. The window size is in each body's zlib header, so `unpack` reads either size.
_WINDOW_BITS = 14


# Dates and dataclasses through `default=str`, as the standard library's encoder gave them.
_AS_THE_STANDARD_LIBRARY = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _encode(doc: Document) -> bytes:
    """Compact JSON. orjson is several times faster than the standard library, and bodies are
    encoded on every write; what it refuses (integers beyond 64 bits, lone surrogates, keys that
    are not strings) the standard library writes instead, after a space (still JSON) that tells
    `_decode` to read it back with the standard library too: orjson would read a huge integer as
    a float. Non-finite floats, which JSON cannot hold, are written as null (docs/decisions.md)."""
    try:
        return orjson.dumps(doc, default=str, option=_AS_THE_STANDARD_LIBRARY)
    except TypeError:  # orjson.JSONEncodeError is one
        return b" " + json.dumps(doc, separators=(",", ":"), default=str).encode()


def _decode(data: bytes | str) -> Any:
    if data[:1] in (b" ", " "):
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # bodies written before orjson: NaN, say
        return json.loads(data)


def dump(doc: Document) -> str:
    return _encode(doc).decode()


@functools.cache
def _dictionaries() -> tuple[dict[str, bytes], dict[int, bytes]]:
    """By purpose, and by Adler-32 (what a compressed body names)."""
    text = resources.files("trunkline.store").joinpath("dictionaries-v1.json").read_text(encoding="utf-8")
    by_purpose = {purpose: sample.encode() for purpose, sample in json.loads(text)["dictionaries"].items()}
    by_id = {zlib.adler32(data): data for data in by_purpose.values()}
    assert len(by_id) == len(by_purpose), "two preset dictionaries share a checksum"
    return by_purpose, by_id


def pack(doc: Document, purpose: str | None = None) -> bytes | str:
    """`doc` as stored: JSON text, or compressed JSON (with the purpose's dictionary, if any).
    Purposes: `document:KIND`, `entries:KIND` (a document's index entries), `event:DETAIL-TYPE`."""
    return pack_text(doc, purpose)[0]


def pack_text(doc: Document, purpose: str | None = None) -> tuple[bytes | str, bytes]:
    """`pack`'s answer and the JSON it compressed (what `inflate` gives back for those bytes)."""
    text = _encode(doc)
    zdict = _dictionaries()[0].get(purpose) if purpose else None
    if zdict is None:
        if len(text) < _PLAIN_BELOW:
            return text.decode(), text
        packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, _WINDOW_BITS)
        return packer.compress(text) + packer.flush(), text
    if len(text) < _DICTIONARY_BELOW:
        return text.decode(), text
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, _WINDOW_BITS, zdict=zdict)
    return packer.compress(text) + packer.flush(), text


def inflate(raw: bytes) -> bytes:
    """A compressed body's JSON, not yet decoded."""
    if len(raw) > 6 and raw[1] & _FDICT:
        unpacker = zlib.decompressobj(zdict=_dictionaries()[1][int.from_bytes(raw[2:6], "big")])
        return unpacker.decompress(raw) + unpacker.flush()
    return zlib.decompress(raw)


def decode(text: bytes | str) -> Any:
    """JSON text as `pack_text` wrote it (or as an older trunkline did)."""
    return _decode(text)


def unpack(raw: bytes | str) -> Any:
    if isinstance(raw, str):
        return _decode(raw)
    return _decode(inflate(raw))
