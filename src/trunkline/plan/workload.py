"""The workload: task definitions and how many tasks of each.

`FILE_OR_FAMILY[:COUNT]`: a trailing `:N` is the task count (default 1). A path to an existing file
is read as RegisterTaskDefinition input (the JSON `aws ecs register-task-definition
--cli-input-json` takes), checked against botocore's model of that operation; anything else is a
family (or `family:revision`, then written `family:revision:COUNT`) described from the endpoint.
Each definition's demand is computed as ECS does at launch (`task_definitions.demand`): task-level
cpu and memory when given ("1 vCPU", "2 GB" forms converted), else the containers' sums
(`memoryReservation` before `memory`), the fixed host ports of bridge and host networking, and the
GPUs its containers ask for (`resourceRequirements` of type GPU, summed: see domain/ecs/gpus.py).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from trunkline.domain.ecs import gpus, task_definitions
from trunkline.errors import AwsError
from trunkline.plan import PlanError

Record = dict[str, Any]


@dataclass(frozen=True)
class Definition:
    name: str  # the family
    count: int
    cpu: int
    memory: int
    tcp_ports: frozenset[int]
    udp_ports: frozenset[int]
    awsvpc: bool
    source: Record
    gpus: int = 0  # its containers' GPU requirements, summed  # the RegisterTaskDefinition input, for --simulate


def split_count(reference: str) -> tuple[str, int]:
    head, sep, tail = reference.rpartition(":")
    if sep and re.fullmatch(r"[+-]?\d+", tail):
        if int(tail) < 1:
            raise PlanError(f"{reference}: the task count must be at least 1")
        return head, int(tail)
    if sep and (head.endswith(".json") or Path(head).is_file()):
        # A file with something else after it: not a family to look up at an endpoint.
        raise PlanError(f"{reference}: the task count must be a whole number")
    return reference, 1


_REGISTER_FIELDS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
)  # fmt: skip


@cache
def _register_input() -> Any:
    """botocore's model of RegisterTaskDefinition's input, loaded once (loading costs ~100 ms)."""
    from botocore.session import get_session

    return get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape


def _validate(name: str, document: Any) -> Record:
    """The document as RegisterTaskDefinition input, or one line saying what is wrong."""
    from botocore.validate import ParamValidator

    if not isinstance(document, dict):
        raise PlanError(f"{name}: malformed task definition: expected a JSON object")
    if "taskDefinition" in document and isinstance(document["taskDefinition"], dict):
        document = document["taskDefinition"]  # DescribeTaskDefinition output works too
    params = {k: v for k, v in document.items() if k in _REGISTER_FIELDS}
    report = ParamValidator().validate(params, _register_input())
    if report.has_errors():
        first = report.generate_report().strip().splitlines()[0].strip()
        raise PlanError(f"{name}: malformed task definition: {first}")
    return params


def definition(name: str, params: Record, count: int) -> Definition:
    problem = gpus.value_problem(params["containerDefinitions"])
    if problem is not None:
        raise PlanError(f"{name}: malformed task definition: {problem}")
    try:
        record = {
            **params,
            "cpu": task_definitions.task_cpu(params.get("cpu")),
            "memory": task_definitions.task_memory(params.get("memory")),
        }
        demand = task_definitions.demand({k: v for k, v in record.items() if v is not None})
    except AwsError as error:
        raise PlanError(f"{name}: malformed task definition: {error.message}") from None
    except (TypeError, ValueError) as error:
        raise PlanError(f"{name}: malformed task definition: {error}") from None
    if demand.memory < 1:
        raise PlanError(
            f"{name}: malformed task definition: no memory given (task or container memory/memoryReservation)"
        )
    return Definition(
        name=str(params["family"]),
        count=count,
        cpu=demand.cpu,
        memory=demand.memory,
        tcp_ports=demand.tcp_ports,
        udp_ports=demand.udp_ports,
        awsvpc=demand.network_mode == "awsvpc",
        source=params,
        gpus=gpus.task_gpus(params),
    )


def from_file(path: Path, count: int) -> Definition:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PlanError(f"{path}: malformed task definition: not JSON ({error.msg} at line {error.lineno})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"{path}: cannot read: {error}") from None
    return definition(str(path), _validate(str(path), document), count)


def from_endpoint(family: str, count: int, client: Any) -> Definition:
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    try:
        described = client.describe_task_definition(taskDefinition=family)["taskDefinition"]
    except ClientError as error:
        info = error.response.get("Error", {})
        raise PlanError(f"task definition {family}: {info.get('Code')}: {info.get('Message')}") from None
    except BotoCoreError as error:
        raise PlanError(_boto_problem(error)) from None
    except ResponseParserError:
        where = client.meta.endpoint_url
        raise PlanError(f"task definition {family}: the answer from {where} is not an AWS API response") from None
    return definition(family, _validate(family, described), count)


def _boto_problem(error: Exception) -> str:
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError, NoRegionError

    if isinstance(error, EndpointConnectionError):
        return f"cannot reach the endpoint: {error.kwargs.get('endpoint_url')}"
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or use files)"
    if isinstance(error, NoRegionError):
        return "no AWS Region: set AWS_REGION or AWS_DEFAULT_REGION (needed to read task definitions by family)"
    return str(error)


def _ecs_client(endpoint_url: str | None) -> Any:
    import boto3
    from botocore.exceptions import BotoCoreError

    # boto3 reads AWS_DEFAULT_REGION; the AWS CLI v2 and the other SDKs also read AWS_REGION.
    region = os.environ.get("AWS_REGION") or None
    try:
        return boto3.client("ecs", endpoint_url=endpoint_url, region_name=region)
    except BotoCoreError as error:
        raise PlanError(_boto_problem(error)) from None
    except ValueError:  # botocore: "Invalid endpoint: ..."
        raise PlanError(f"--endpoint-url {endpoint_url}: not an endpoint URL (e.g. http://127.0.0.1:4590)") from None


def load(references: list[str], endpoint_url: str | None) -> list[Definition]:
    if not references:
        raise PlanError("give at least one --task-definition FILE_OR_FAMILY[:COUNT]")
    client: Any = None
    found: list[Definition] = []
    for reference in references:
        name, count = split_count(reference)
        path = Path(name)
        if path.is_file():
            found.append(from_file(path, count))
            continue
        if name.endswith(".json"):
            raise PlanError(f"{name}: no such file")
        if client is None:
            client = _ecs_client(endpoint_url)
        found.append(from_endpoint(name, count, client))
    return found
