"""DescribeTasks and ListTasks.

ListTasks walks one index in key order (the most selective one the request names: container
instance, family, startedBy, else desiredStatus) and filters the rest in memory; a page is at most
`maxResults` (1-100, default 100) ARNs, and its token is the key of the last task the call
considered, signed with what was listed. Without `desiredStatus` it lists RUNNING tasks, as AWS
does. STOPPED tasks stay describable and listable (AWS forgets them after about an hour;
trunkline keeps them until the cluster is reset).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.ecs import clusters, container_instances, describe_each, instance_queries, services, tasks
from trunkline.domain.ecs.kinds import TASK
from trunkline.domain.ecs.records import TaskRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Record = dict[str, Any]
Params = dict[str, Any]

DESCRIBE_LIMIT = 100
_BATCH = 100
#: Candidates one ListTasks call may examine before it answers with what it found and a token.
SCAN_BUDGET = 2000


def describe(ctx: RequestContext, params: shapes.DescribeTasksRequest) -> tuple[list[Record], list[dict[str, str]]]:
    """DescribeTasks: the tasks (any status) and a MISSING failure per reference naming none."""
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    refs = list(params["tasks"])
    if not refs:
        raise AwsError("InvalidParameterException", "Tasks cannot be empty.")
    if len(refs) > DESCRIBE_LIMIT:
        raise AwsError("InvalidParameterException", f"Tasks can have at most {DESCRIBE_LIMIT} items.")
    include_tags = "TAGS" in (params.get("include") or ())
    return describe_each(
        refs,
        lambda ref: tasks.find(ctx, cluster_arn, ref),
        "taskArn",
        lambda ref: tasks.arn_for_reference(ctx, cluster_arn, ref),
        lambda record: tasks.view(record, include_tags=include_tags),
    )


def _source(ctx: RequestContext, cluster_arn: str, params: shapes.ListTasksRequest, desired: str) -> tuple[str, str]:
    """The index lookup covering every task the request can list."""
    if params.get("containerInstance") is not None:
        instance = container_instances.get(ctx, cluster_arn, params["containerInstance"])
        return "instance", instance["containerInstanceArn"]
    if params.get("family") is not None:
        return "cluster_family", f"{cluster_arn}|{params['family']}"
    if params.get("startedBy") is not None:
        return "cluster_started_by", f"{cluster_arn}|{params['startedBy']}"
    return "cluster_desired", f"{cluster_arn}|{desired}"


def _matches(record: TaskRecord, params: Mapping[str, Any], desired: str) -> bool:
    wanted = {
        "family": record["_family"],
        "startedBy": record.get("startedBy"),
        "launchType": record["launchType"],
        "serviceName": record.get("_serviceName"),
    }
    if record["desiredStatus"] != desired:
        return False
    return all(params.get(name) is None or params[name] == value for name, value in wanted.items())


def _walk(ctx: RequestContext, source: tuple[str, str], after: str | None) -> Iterator[TaskRecord]:
    while True:
        batch = TASK.find(ctx, source[0], source[1], after=after, limit=_BATCH)
        yield from batch
        if len(batch) < _BATCH:
            return
        after = tasks.record_key(batch[-1])


_FAMILY = re.compile(r"[a-zA-Z0-9\-_]+")

#: Filters ECS refuses beside `startedBy` and beside `serviceName` ("cannot specify startedBy with other
#: arguments", aws/aws-sdk-go-v2#1893; "cannot specify serviceName with other arguments", boto/boto3#874).
#: `desiredStatus` is not among them: it always applies (RUNNING when omitted).
_EXCLUSIVE = {
    "startedBy": ("containerInstance", "family", "serviceName", "launchType"),
    "serviceName": ("containerInstance", "family"),
}


def _check_filters(ctx: RequestContext, cluster_arn: str, params: shapes.ListTasksRequest) -> str | None:
    """Refuse the filter combinations ECS refuses; the name of the service `serviceName` names (a name
    or an ARN), which must exist in the cluster (ServiceNotFoundException, as AWS answers)."""
    for name, others in _EXCLUSIVE.items():
        if params.get(name) is not None and any(params.get(other) is not None for other in others):
            raise AwsError("InvalidParameterException", f"cannot specify {name} with other arguments")
    family = params.get("family")
    if family is not None and not _FAMILY.fullmatch(family):
        # A revision or an ARN is not a family (awslabs/ecs-task-kite#6, ansible/ansible#32872).
        raise AwsError("InvalidParameterException", "family must match ^[a-zA-Z0-9\\-_]+$")
    ref = params.get("serviceName")
    if ref is None:
        return None
    record = services.find(ctx, cluster_arn, ref)
    if record is None:
        raise AwsError("ServiceNotFoundException", "Service not found.")
    return record["serviceName"]


def list_arns(ctx: RequestContext, params: shapes.ListTasksRequest) -> tuple[list[str], str | None]:
    """ListTasks."""
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    service_name = _check_filters(ctx, cluster_arn, params)
    if service_name is not None:
        params = {**params, "serviceName": service_name}
    size = instance_queries.page_size(params)
    desired = params.get("desiredStatus") or "RUNNING"
    filters = (
        params.get("containerInstance"),
        params.get("family"),
        params.get("startedBy"),
        params.get("serviceName"),
        params.get("launchType"),
    )
    listing = instance_queries.listing_name("ListTasks", cluster_arn, desired, *filters)
    after = instance_queries.read_token(ctx, listing, params.get("nextToken"))
    if after is not None and not isinstance(after, str):
        raise AwsError("InvalidParameterException", "Invalid nextToken: the token is not valid for this request.")
    chosen: list[TaskRecord] = []
    position: str | None = None
    previous: str | None = None
    for examined, record in enumerate(_walk(ctx, _source(ctx, cluster_arn, params, desired), after)):
        if examined == SCAN_BUDGET:
            position = previous
            break
        previous = tasks.record_key(record)
        if not _matches(record, params, desired):
            continue
        if len(chosen) == size:
            position = tasks.record_key(chosen[-1])
            break
        chosen.append(record)
    token = pagination.encode(ctx.tx, listing, position) if position is not None else None
    return [r["taskArn"] for r in chosen], token
