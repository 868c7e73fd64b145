"""ECS clusters: create, look up, count, delete.

A cluster record holds what the caller chose (name, tags, settings, configuration, capacity
providers); every count AWS reports (instances, tasks, services) is derived from the index of the
records that belong to the cluster, never kept as a counter. Deleted clusters stay as INACTIVE
records, still describable, until the name is used again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import iam
from trunkline.domain.ecs import account_settings, capacity_association, ecs_arn, page
from trunkline.domain.ecs.kinds import CLUSTER, CONTAINER_INSTANCE, SERVICE, TASK
from trunkline.domain.ecs.records import ClusterRecord
from trunkline.domain.resource_kind import ResourceKind
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

KIND = CLUSTER.name

DEFAULT_NAME = "default"
Record = dict[str, Any]

_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
# Task states from PROVISIONING to DEPROVISIONING: a task in any of them keeps its cluster alive.
_LIVE_TASK_STATES = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING")
# Container instance states that still belong to the cluster (INACTIVE ones have left it).
_PRESENT_INSTANCE_STATES = ("REGISTERING", "REGISTRATION_FAILED", "ACTIVE", "DRAINING", "DEREGISTERING")
_CONTAINER_INSIGHTS = frozenset({"enabled", "disabled", "enhanced"})


def cluster_arn(ctx: RequestContext, name: str) -> str:
    return ecs_arn(ctx, f"cluster/{name}")


def cluster_name_of_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def cluster_name(ctx: RequestContext, ref: str) -> str | None:
    """The cluster name `ref` (a name or a full ARN) stands for in the caller's account and region,
    or None if it cannot name one there (malformed, or an ARN of another region or account)."""
    if ref.startswith("arn:"):
        parts = ref.split(":", 5)
        if len(parts) != 6 or parts[2] != "ecs" or parts[3] != ctx.region or parts[4] != ctx.account_id:
            return None
        kind, _, name = parts[5].partition("/")
        return name if kind == "cluster" and _NAME.fullmatch(name) else None
    return ref if _NAME.fullmatch(ref) else None


def find_cluster(ctx: RequestContext, ref: str) -> ClusterRecord | None:
    """The cluster record `ref` names, ACTIVE or INACTIVE, or None."""
    name = cluster_name(ctx, ref)
    return None if name is None else CLUSTER.get(ctx, name)


def resolve_cluster(ctx: RequestContext, ref: str | None) -> ClusterRecord:
    """The ACTIVE cluster an ECS call targets: `ref` is a name or a full ARN; None (the call omitted
    `cluster`) means "default", which must exist like any other cluster."""
    record = find_cluster(ctx, DEFAULT_NAME if ref is None else ref)
    if record is None or record["status"] != "ACTIVE":
        raise CLUSTER.missing(ref or DEFAULT_NAME)
    return record


def save(ctx: RequestContext, record: ClusterRecord) -> None:
    CLUSTER.save(ctx, record)


# --- counts -----------------------------------------------------------------------------------------


def _count(ctx: RequestContext, kind: ResourceKind[Any], field: str, arn: str, states: tuple[str, ...]) -> int:
    return sum(kind.count(ctx, field, f"{arn}|{state}") for state in states)


def cluster_counts(ctx: RequestContext, arn: str) -> dict[str, int]:
    """The four counts DescribeClusters reports, from the records indexed by cluster and state.
    Registered instances are ACTIVE and DRAINING ones, as the Cluster shape documents."""
    return {
        "registeredContainerInstancesCount": _count(
            ctx, CONTAINER_INSTANCE, "cluster_status", arn, ("ACTIVE", "DRAINING")
        ),
        "runningTasksCount": _count(ctx, TASK, "cluster_status", arn, ("RUNNING",)),
        "pendingTasksCount": _count(ctx, TASK, "cluster_status", arn, ("PENDING",)),
        "activeServicesCount": _count(ctx, SERVICE, "cluster_status", arn, ("ACTIVE",)),
    }


def cluster_statistics(ctx: RequestContext, arn: str) -> list[dict[str, str]]:
    """The `statistics` of DescribeClusters(include=STATISTICS): task and service counts by launch type."""
    tasks = {state: TASK.find(ctx, "cluster_status", f"{arn}|{state}") for state in ("RUNNING", "PENDING")}
    services = {state: SERVICE.find(ctx, "cluster_status", f"{arn}|{state}") for state in ("ACTIVE", "DRAINING")}

    def launched(records: Sequence[Mapping[str, Any]], launch_type: str) -> int:
        # Records without a launch type were placed on EC2 capacity (the API's default).
        return sum(1 for r in records if r.get("launchType", "EC2") == launch_type)

    counts = [
        ("runningEC2TasksCount", launched(tasks["RUNNING"], "EC2")),
        ("runningFargateTasksCount", launched(tasks["RUNNING"], "FARGATE")),
        ("pendingEC2TasksCount", launched(tasks["PENDING"], "EC2")),
        ("pendingFargateTasksCount", launched(tasks["PENDING"], "FARGATE")),
        ("activeEC2ServiceCount", launched(services["ACTIVE"], "EC2")),
        ("activeFargateServiceCount", launched(services["ACTIVE"], "FARGATE")),
        ("drainingEC2ServiceCount", launched(services["DRAINING"], "EC2")),
        ("drainingFargateServiceCount", launched(services["DRAINING"], "FARGATE")),
    ]
    return [{"name": name, "value": str(value)} for name, value in counts]


# --- CreateCluster ----------------------------------------------------------------------------------


def _validation(path: str, value: object, constraint: str) -> AwsError:
    shown = "null" if value is None else f"'{value}'"  # Coral's words for a missing value
    return AwsError(
        "InvalidParameterException",
        f"1 validation error detected: Value {shown} at '{path}' failed to satisfy constraint: {constraint}",
    )


def _tag_text_ok(text: str) -> bool:
    # The model's pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]*, which Python's re cannot express.
    return all(unicodedata.category(c)[0] in "LZN" or c in _TAG_PUNCTUATION for c in text)


def check_tags(tags: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """ECS resource tags: the model's character set, unique keys, no reserved `aws:` prefix."""
    seen: set[str] = set()
    for i, tag in enumerate(tags, start=1):
        key, value = tag.get("key"), tag.get("value") or ""
        if key is None:
            raise _validation(f"tags.{i}.member.key", None, "Member must not be null")
        for field, text in (("key", key), ("value", value)):
            if not _tag_text_ok(text):
                raise _validation(
                    f"tags.{i}.member.{field}",
                    text,
                    r"Member must satisfy regular expression pattern: ([\p{L}\p{Z}\p{N}_.:/=+\-@]*)",
                )
        if key.lower().startswith("aws:"):
            raise AwsError("InvalidParameterException", "Tag keys beginning with 'aws:' are reserved for AWS use.")
        if key in seen:
            raise AwsError("InvalidParameterException", f"Duplicate tag key '{key}': each tag key must be unique.")
        seen.add(key)
    return [dict(t) for t in tags]


def _settings(ctx: RequestContext, given: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The cluster's containerInsights: as given, else the creator's account setting at creation."""
    value = account_settings.effective_setting(ctx, ctx.principal.settings_arn, "containerInsights")
    return checked_settings(given, value)


def checked_settings(given: Sequence[Mapping[str, Any]], value: str) -> list[dict[str, str]]:
    """The settings list with containerInsights as the last of `given` sets it, else `value`."""
    for setting in given:
        if setting.get("name") is None or setting.get("value") not in _CONTAINER_INSIGHTS:
            raise AwsError(
                "InvalidParameterException",
                f"Invalid value '{setting.get('value')}' for cluster setting containerInsights: "
                "use enabled, enhanced or disabled.",
            )
        value = setting["value"]
    return [{"name": "containerInsights", "value": value}]


def check_configuration(configuration: Mapping[str, Any]) -> None:
    """A log configuration only means something when logging is OVERRIDE (the API's rule)."""
    command = configuration.get("executeCommandConfiguration") or {}
    if command.get("logConfiguration") and command.get("logging", "DEFAULT") != "OVERRIDE":
        raise AwsError(
            "InvalidParameterException",
            "The specified logConfiguration is only valid when the logging setting is OVERRIDE.",
        )


def create_cluster(ctx: RequestContext, params: shapes.CreateClusterRequest) -> ClusterRecord:
    """CreateCluster. An ACTIVE cluster of that name is returned as it is (the call is idempotent);
    an INACTIVE one is replaced by a new cluster. ECS's service-linked role is created if missing."""
    name = params.get("clusterName")
    name = DEFAULT_NAME if name is None else name
    if not _NAME.fullmatch(name):
        raise AwsError(
            "InvalidParameterException",
            "Cluster name is invalid: up to 255 letters (uppercase and lowercase), numbers, underscores, "
            "and hyphens are allowed.",
        )
    if params.get("serviceConnectDefaults") is not None:
        # No Cloud Map here, so no namespace can be found.
        namespace = params["serviceConnectDefaults"]["namespace"]
        raise AwsError("NamespaceNotFoundException", f"Namespace '{namespace}' was not found.")
    tags = check_tags(list(params.get("tags") or []))
    check_configuration(params.get("configuration") or {})
    providers, strategy = capacity_association.check(ctx, name, params)
    settings = _settings(ctx, list(params.get("settings") or []))
    # ECS tries to create its service-linked role on every CreateCluster call.
    iam.ensure_service_linked_role(ctx, "ecs.amazonaws.com")
    existing = CLUSTER.get(ctx, name)
    if existing is not None and existing["status"] == "ACTIVE":
        return existing
    record: ClusterRecord = {
        "clusterArn": cluster_arn(ctx, name),
        "clusterName": name,
        "status": "ACTIVE",
        "tags": tags,
        "settings": settings,
        "capacityProviders": providers,
        "defaultCapacityProviderStrategy": strategy,
        "createdAt": ctx.now,
    }
    if params.get("configuration") is not None:
        record["configuration"] = params["configuration"]
    CLUSTER.save(ctx, record)
    capacity_association.associate(ctx, name, [], providers)
    return record


# --- DeleteCluster ----------------------------------------------------------------------------------


def delete_cluster(ctx: RequestContext, ref: str) -> ClusterRecord:
    """DeleteCluster: refused while anything still lives in the cluster; the record stays INACTIVE."""
    record = resolve_cluster(ctx, ref)
    arn = record["clusterArn"]
    if _count(ctx, CONTAINER_INSTANCE, "cluster_status", arn, _PRESENT_INSTANCE_STATES):
        raise AwsError(
            "ClusterContainsContainerInstancesException",
            "The Cluster cannot be deleted while Container Instances are active or draining.",
        )
    if _count(ctx, SERVICE, "cluster_status", arn, ("ACTIVE", "DRAINING")):
        raise AwsError("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
    if _count(ctx, TASK, "cluster_status", arn, _LIVE_TASK_STATES):
        raise AwsError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
    record["status"] = "INACTIVE"
    record["deletedAt"] = ctx.now
    CLUSTER.save(ctx, record)
    capacity_association.associate(ctx, record["clusterName"], list(record["capacityProviders"]), [])
    return record


# --- ListClusters -----------------------------------------------------------------------------------


def _all(ctx: RequestContext) -> Iterator[ClusterRecord]:
    return (record for _, record in CLUSTER.walk(ctx))


def all_of_region(ctx: RequestContext) -> Iterator[ClusterRecord]:
    """Every cluster of the caller's account and region, ACTIVE or INACTIVE, by name."""
    return _all(ctx)


def list_cluster_arns(ctx: RequestContext, params: shapes.ListClustersRequest) -> tuple[list[str], str | None]:
    """ListClusters: the ARNs of ACTIVE clusters, by name, 100 a page unless `maxResults` says fewer."""
    names = [r["clusterName"] for r in _all(ctx) if r["status"] == "ACTIVE"]
    chosen, token = page(ctx, f"ecs:ListClusters|{ctx.region}", names, lambda n: n, params, maximum=100)
    return [cluster_arn(ctx, n) for n in chosen], token
