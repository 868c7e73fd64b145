"""botocore's service models, decoded once and kept on disk.

botocore ships each model as gzipped JSON and decodes it into nested OrderedDicts: about 120 ms
of CPU for the seven services trunkline speaks, paid by every `trunkline serve` before this cache.
The decoded data (plain dicts and lists) is written with `marshal`, which reads back in a fifth of
that time and, unlike pickle, never runs code while reading.

Safety:
- the key names everything the data depends on: this cache's format, trunkline's and botocore's
  versions, the Python version (marshal's format follows it), botocore's search path and, for
  every model file botocore would read, its path, size and modification time. A different key is
  a different directory, so several installations (one venv per checkout) share the cache
  directory without overwriting each other;
- each file starts with the key and the service it holds; a file whose header does not match, or
  that does not decode to a model, is decoded again from botocore and rewritten;
- files are written to a temporary name and renamed into place, so a reader never sees half of
  one; a cache directory that cannot be created or written is skipped (the models are then decoded
  from botocore on every start, as before);
- directories of other keys untouched for `STALE_AFTER` are removed when a new one is written.

Where: `$TRUNKLINE_CACHE_DIR`, else the user's cache directory (`platformdirs`), `models/` inside.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import botocore
from botocore.loaders import Loader, create_loader

from trunkline import __version__

log = logging.getLogger("trunkline.model_cache")

#: Bumped whenever what is stored, or how, changes.
FORMAT = 1
#: Another key's directory not written for this long is removed (seconds).
STALE_AFTER = 30 * 24 * 3600
_MAGIC = b"trunkline-model-cache"
_TYPE = "service-2"
_INDEX = "_metadata"  # the file holding every service's metadata, for routing


def cache_root() -> Path:
    configured = os.environ.get("TRUNKLINE_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("trunkline"))


@cache
def _loader() -> Loader:
    # AWS_DATA_PATH adds model directories, as it does for a botocore session.
    return create_loader(os.environ.get("AWS_DATA_PATH"))


def _candidate_files(loader: Loader, name: str) -> Iterable[str]:
    """Every file botocore may read for `name`'s model (the model and its SDK extras)."""
    version = loader.determine_latest_version(name, _TYPE)
    for search_path in loader.search_paths:
        for type_name in (_TYPE, *(f"{_TYPE}.{extra}-extras" for extra in loader.extras_types)):
            for suffix in (".json", ".json.gz"):
                yield os.path.join(search_path, name, version, type_name + suffix)


def cache_key(names: Iterable[str]) -> str:
    """A digest of everything the decoded models of `names` depend on."""
    loader = _loader()
    parts: list[object] = [
        FORMAT,
        __version__,
        botocore.__version__,
        sys.implementation.cache_tag,
        marshal.version,
        tuple(loader.search_paths),
    ]
    for name in sorted(names):
        for path in _candidate_files(loader, name):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            parts.append((name, path, stat.st_size, stat.st_mtime_ns))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """botocore's OrderedDicts as plain dicts (ordered too, and marshal-able)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def decode(name: str) -> dict[str, Any]:
    """The model as botocore's loader reads it, without the cache."""
    return _plain(_loader().load_service_model(name, _TYPE))


class ModelCache:
    """The decoded models of a fixed set of services, under one key."""

    def __init__(self, names: Iterable[str], root: Path | None = None) -> None:
        self.names = tuple(names)
        self.key = cache_key(self.names)
        self.directory = (root or cache_root()) / "models" / self.key[:32]
        self.rebuilt: list[str] = []  # what had to be decoded from botocore (for tests and logs)
        self._loaded: dict[str, dict[str, Any]] = {}

    def service_data(self, name: str) -> dict[str, Any]:
        data = self._loaded.get(name)
        if data is None:
            data = self._read(name)
            if not _is_model(data):
                data = decode(name)
                self.rebuilt.append(name)
                self._write(name, data)
            self._loaded[name] = data
        return data

    def metadata(self) -> dict[str, dict[str, Any]]:
        """Every service's `metadata` (protocol, target prefix, API version, signing name), kept in
        a file of its own: routing a request needs these for every service, not their shapes."""
        index = self._read(_INDEX)
        if isinstance(index, dict) and set(index) == set(self.names) and all(map(_is_dict, index.values())):
            return index
        index = {name: self.service_data(name)["metadata"] for name in self.names}
        self.rebuilt.append(_INDEX)
        self._write(_INDEX, index)
        return index

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.marshal"

    def _header(self, name: str) -> bytes:
        return b"%s %d %s %s\n" % (_MAGIC, FORMAT, self.key.encode(), name.encode())

    def _read(self, name: str) -> Any:
        try:
            raw = self._path(name).read_bytes()
        except OSError:
            return None
        header = self._header(name)
        if not raw.startswith(header):
            return None
        try:
            return marshal.loads(memoryview(raw)[len(header) :])
        except (EOFError, ValueError, TypeError):
            return None

    def _write(self, name: str, data: Any) -> None:
        fresh = not self.directory.exists()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(self._header(name))
                    file.write(marshal.dumps(data))
                os.replace(temporary, self._path(name))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            log.debug("model cache not written (%s): %s", self.directory, error)
            return
        if fresh:
            self._remove_stale()

    def _remove_stale(self) -> None:
        now = time.time()
        try:
            siblings = list(self.directory.parent.iterdir())
        except OSError:
            return
        for sibling in siblings:
            with contextlib.suppress(OSError):
                if sibling != self.directory and now - sibling.stat().st_mtime > STALE_AFTER:
                    shutil.rmtree(sibling)


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _is_model(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("metadata"), dict)
        and isinstance(value.get("operations"), dict)
        and isinstance(value.get("shapes"), dict)
    )
