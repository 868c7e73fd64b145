"""botocore's service models: the single source of truth for every wire shape trunkline speaks.

Each model is loaded when a request first needs it (decoded once, then read from the on-disk
cache of `model_cache.py`), through botocore's loader rather than a botocore session, whose
import alone (the client, waiter and documentation machinery) cost more than the models.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel

from trunkline.wire.model_cache import ModelCache

#: The AWS services trunkline answers, by botocore service name. The order decides an unsigned query
#: request whose `Version` names no service and whose action two services share (DescribeTags,
#: DeleteTags: EC2 and Auto Scaling): the first service having the action answers, so EC2 keeps the
#: actions it answered before Auto Scaling arrived.
SERVICE_NAMES: tuple[str, ...] = ("ec2", "ecs", "iam", "ssm", "sts", "autoscaling", "logs")


@cache
def _cache() -> ModelCache:
    return ModelCache(SERVICE_NAMES)


@cache
def service_model(name: str) -> ServiceModel:
    return ServiceModel(_cache().service_data(name), service_name=name)


@cache
def _metadata_model(name: str) -> ServiceModel:
    """A model of `name`'s metadata alone: what routing reads, without decoding the shapes."""
    description: dict[str, Any] = {"metadata": _cache().metadata()[name], "operations": {}, "shapes": {}}
    return ServiceModel(description, service_name=name)


@cache
def json_target_prefixes() -> dict[str, str]:
    """`X-Amz-Target` prefix -> service name, for the JSON-protocol services."""
    prefixes = {}
    for name in SERVICE_NAMES:
        metadata = _metadata_model(name).metadata
        if metadata.get("protocol") == "json":
            prefixes[metadata["targetPrefix"]] = name
    return prefixes


@cache
def query_api_versions() -> dict[str, str]:
    """API version -> service name, for query-protocol requests that arrive unsigned."""
    return {
        _metadata_model(name).api_version: name
        for name in SERVICE_NAMES
        if _metadata_model(name).protocol in ("query", "ec2")
    }


@cache
def signing_names() -> dict[str, str]:
    """SigV4 credential-scope service -> service name."""
    return {_metadata_model(name).signing_name: name for name in SERVICE_NAMES}


def operation_model(service: str, operation: str) -> OperationModel | None:
    """The operation's model, or None if `service` has no such operation (every request asks:
    a dict lookup, not a scan of the model's operation names and botocore's instance cache)."""
    known = _operations(service)
    model = known.get(operation)
    if model is None:  # an operation not yet asked for, or no operation at all
        if operation not in _operation_names(service):
            return None
        model = known[operation] = service_model(service).operation_model(operation)
    return model


@cache
def _operations(service: str) -> dict[str, OperationModel]:
    """Operation models asked for so far (only real operations: bounded by the model)."""
    return {}


@cache
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


def load(name: str) -> None:
    """Load `name`'s model and the routing tables now, so no request pays for them."""
    model = service_model(name)
    for op in model.operation_names[:1]:
        model.operation_model(op)
    json_target_prefixes()
    query_api_versions()
    signing_names()


def load_all() -> None:
    """Load every model now, so no request pays for it."""
    for name in SERVICE_NAMES:
        load(name)
