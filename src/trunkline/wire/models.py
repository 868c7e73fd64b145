"""botocore's service models: the single source of truth for every wire shape trunkline speaks."""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import OperationModel, ServiceModel

#: The AWS services trunkline answers, by botocore service name. The order decides an unsigned query
#: request whose `Version` names no service and whose action two services share (DescribeTags,
#: DeleteTags: EC2 and Auto Scaling): the first service having the action answers, so EC2 keeps the
#: actions it answered before Auto Scaling arrived.
SERVICE_NAMES: tuple[str, ...] = ("ec2", "ecs", "iam", "ssm", "sts", "autoscaling", "logs")


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(name: str) -> ServiceModel:
    return _session().get_service_model(name)


@cache
def json_target_prefixes() -> dict[str, str]:
    """`X-Amz-Target` prefix -> service name, for the JSON-protocol services."""
    prefixes = {}
    for name in SERVICE_NAMES:
        metadata = service_model(name).metadata
        if metadata.get("protocol") == "json":
            prefixes[metadata["targetPrefix"]] = name
    return prefixes


@cache
def query_api_versions() -> dict[str, str]:
    """API version -> service name, for query-protocol requests that arrive unsigned."""
    return {
        service_model(name).api_version: name
        for name in SERVICE_NAMES
        if service_model(name).protocol in ("query", "ec2")
    }


@cache
def signing_names() -> dict[str, str]:
    """SigV4 credential-scope service -> service name."""
    return {service_model(name).signing_name: name for name in SERVICE_NAMES}


def operation_model(service: str, operation: str) -> OperationModel | None:
    model = service_model(service)
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation)


def load_all() -> None:
    """Load every model now, so the first request does not pay for it."""
    for name in SERVICE_NAMES:
        model = service_model(name)
        for op in model.operation_names[:1]:
            model.operation_model(op)
    json_target_prefixes()
    query_api_versions()
    signing_names()
