"""The on-disk cache of botocore's decoded service models (wire/model_cache.py): a server answers
correctly whatever the cache holds (nothing, garbage, half a file, another key's data, a model
file changed since) or when it cannot be written, and a bad or stale entry is written anew."""

from __future__ import annotations

import marshal
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Server
from trunkline.wire import model_cache
from trunkline.wire.model_cache import ModelCache

SERVICES = ("sts", "ecs")


def _files(root: Path) -> dict[str, Path]:
    return {path.stem: path for path in root.glob("models/*/*.marshal")}


def test_first_read_decodes_and_writes_then_reads_back_the_same_models(tmp_path: Path) -> None:
    first = ModelCache(SERVICES, tmp_path)
    models = {name: first.service_data(name) for name in SERVICES}
    assert first.rebuilt == list(SERVICES)
    assert set(_files(tmp_path)) == set(SERVICES)

    again = ModelCache(SERVICES, tmp_path)
    for name in SERVICES:
        assert again.service_data(name) == models[name] == model_cache.decode(name)
    assert again.metadata()["ecs"]["targetPrefix"] == "AmazonEC2ContainerServiceV20141113"
    assert again.rebuilt == ["_metadata"]  # the index is written on first use
    assert ModelCache(SERVICES, tmp_path).metadata() == again.metadata()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: b"not a cache file", id="garbage"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: raw.replace(b" sts\n", b" ecs\n", 1), id="another-service"),
        pytest.param(lambda raw: raw.split(b"\n", 1)[0] + b"\n" + marshal.dumps([1, 2]), id="not-a-model"),
        pytest.param(lambda raw: raw.split(b"\n", 1)[0] + b"\n" + b"\xff" * 64, id="undecodable"),
    ],
)
def test_a_damaged_entry_is_decoded_again_and_rewritten(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    ModelCache(SERVICES, tmp_path).service_data("sts")
    path = _files(tmp_path)["sts"]
    good = path.read_bytes()
    path.write_bytes(damage(good))

    cache = ModelCache(SERVICES, tmp_path)
    assert cache.service_data("sts") == model_cache.decode("sts")
    assert cache.rebuilt == ["sts"]
    assert path.read_bytes() == good


def test_an_entry_written_under_another_key_is_not_read(tmp_path: Path) -> None:
    cache = ModelCache(SERVICES, tmp_path)
    cache.service_data("sts")
    path = _files(tmp_path)["sts"]
    header = path.read_bytes().split(b"\n", 1)[0]
    other_key = "0" * 64
    path.write_bytes(header.replace(cache.key.encode(), other_key.encode()) + b"\n" + marshal.dumps({"metadata": {}}))

    again = ModelCache(SERVICES, tmp_path)
    assert again.service_data("sts") == model_cache.decode("sts")
    assert again.rebuilt == ["sts"]


def test_an_unwritable_cache_directory_only_costs_the_decoding(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache directory cannot be made under a file")
    for _ in range(2):
        cache = ModelCache(SERVICES, blocker / "cache")
        assert cache.service_data("ecs") == model_cache.decode("ecs")
        assert cache.metadata()["sts"]["protocol"] == "query"
        assert cache.rebuilt == ["ecs", "sts", "_metadata"]


def test_the_key_follows_a_model_file_botocore_would_read(tmp_path: Path) -> None:
    """A model file replaced (an upgrade, a user's own model in AWS_DATA_PATH) changes its size or
    modification time, so the key: the old entries are never read for the new models."""
    before = model_cache.cache_key(SERVICES)
    assert model_cache.cache_key(SERVICES) == before
    loader = model_cache._loader()
    version = loader.determine_latest_version("sts", "service-2")
    builtin = next(
        path for path in model_cache._candidate_files(loader, "sts") if os.path.exists(path)
    )  # botocore's own file
    assert version in builtin
    stat = os.stat(builtin)
    try:
        os.utime(builtin, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert model_cache.cache_key(SERVICES) != before
    finally:
        os.utime(builtin, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert model_cache.cache_key(SERVICES) == before


def test_stale_key_directories_are_removed_when_a_new_one_is_written(tmp_path: Path) -> None:
    old = tmp_path / "models" / ("f" * 32)
    recent = tmp_path / "models" / ("e" * 32)
    for directory in (old, recent):
        directory.mkdir(parents=True)
        (directory / "sts.marshal").write_bytes(b"old")
    long_ago = os.stat(old).st_mtime - model_cache.STALE_AFTER - 60
    os.utime(old, (long_ago, long_ago))

    ModelCache(SERVICES, tmp_path).service_data("sts")
    assert not old.exists()
    assert recent.exists()


def _answers(server: Server) -> dict[str, Any]:
    return {
        "account": server.client("sts").get_caller_identity()["Account"],
        "clusters": server.client("ecs").list_clusters()["clusterArns"],
        "vpcs": len(server.client("ec2").describe_vpcs()["Vpcs"]),
        "error": _error_code(server),
    }


def _error_code(server: Server) -> str:
    try:
        server.client("ecs").describe_clusters(clusters=["x" * 300])
    except Exception as error:  # botocore's ClientError
        return str(getattr(error, "response", {}).get("Error", {}).get("Code"))
    return "no error"


def test_a_server_answers_the_same_on_a_fresh_a_damaged_and_an_unwritable_cache(
    spawn: Callable[..., Server], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    monkeypatch.setenv("TRUNKLINE_CACHE_DIR", str(root))
    fresh = _answers(spawn())
    assert fresh["account"] == "123456789012" and fresh["vpcs"] == 1
    files = _files(root)
    assert {"ec2", "ecs", "sts", "_metadata"} <= set(files)
    good = {name: path.read_bytes() for name, path in files.items()}

    damaged = {"ecs": good["sts"], "_metadata": b"garbage"}  # STS's model where ECS's belongs
    for name, path in files.items():  # every entry damaged; the others cut short
        path.write_bytes(damaged.get(name, good[name][:100]))
    assert _answers(spawn()) == fresh
    assert {name: path.read_bytes() for name, path in _files(root).items()} == good

    shutil.rmtree(root)
    root.write_text("a file where the cache directory would be")
    assert _answers(spawn()) == fresh
