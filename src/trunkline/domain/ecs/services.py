"""ECS services (REPLICA scheduling, ECS deployment controller): the record, its views, and
CreateService, UpdateService, DeleteService, DescribeServices, ListServices. Keeping the tasks
placed is `service_scheduler.py`'s work.

Record (kind `ecs.service`, key `ACCOUNT/REGION/CLUSTER/NAME`), in Service output member names:
`serviceArn` (`arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`), `serviceName`, `clusterArn`,
`taskDefinition`, `desiredCount`, `launchType`, `status` (ACTIVE -> DRAINING -> INACTIVE),
`networkConfiguration`, `placementConstraints`, `placementStrategy`, `events` (newest first, at most
100), `createdAt`, `tags`, ... Internal: `_account`, `_region`, `_deployments` (newest first:
`{id: "ecs-svc/<19 digits>", taskDefinition, createdAt, updatedAt}`; a task belongs to the
deployment named by its `startedBy`), `_passDue` (a scheduler pass is scheduled).

Indexes: `cluster_status` = `CLUSTER_ARN|status` (what clusters.cluster_counts and DeleteCluster
read) and `cluster` = `CLUSTER_ARN`. runningCount/pendingCount are derived from the tasks.

Decisions where AWS's text is not known (docs/decisions.md): a service that is not ACTIVE refuses
UpdateService with ServiceNotActiveException "Service was not ACTIVE."; an unknown service is
ServiceNotFoundException "Service not found.".
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import (
    capacity_strategy,
    clusters,
    ecs_arn,
    page,
    public_view,
    run_task_reads,
    task_launch,
    task_tags,
    tasks,
)
from trunkline.domain.ecs.kinds import SERVICE, TASK
from trunkline.domain.ecs.records import ServiceRecord, TaskRecord
from trunkline.domain.ecs.request_parts import Paged
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

KIND = SERVICE.name
Record = dict[str, Any]
Params = dict[str, Any]

MAX_EVENTS = 100
DESCRIBE_LIMIT = 10
_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_LIVE = run_task_reads.LIVE_SERVICES
_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _key(account: str, region: str, cluster_arn: str, name: str) -> str:
    return SERVICE.scope.key(account, region, f"{tasks.cluster_name_of(cluster_arn)}/{name}")


def record_key(record: ServiceRecord) -> str:
    return _key(record["_account"], record["_region"], record["clusterArn"], record["serviceName"])


def save(ctx: RequestContext, record: ServiceRecord) -> None:
    SERVICE.save(ctx, record)


def add_event(ctx: RequestContext, record: ServiceRecord, message: str, repeats: str | None = None) -> None:
    """Prepend an event, unless it repeats the newest one: the same message, or one that also starts
    with `repeats` (AWS does not log a placement failure on every scheduler pass)."""
    events: list[Record] = record["events"]
    newest = events[0]["message"] if events else None
    if newest is not None and (newest == message or (repeats is not None and newest.startswith(repeats))):
        return
    events.insert(0, {"id": str(uuid.uuid4()), "createdAt": ctx.now, "message": message})
    del events[MAX_EVENTS:]


# --- lookups ----------------------------------------------------------------------------------------


def service_name(ctx: RequestContext, cluster_arn: str, ref: str) -> str | None:
    """The name `ref` (a name, or an ARN long or short form) stands for in this cluster, or None."""
    if not ref.startswith("arn:"):
        return ref if _NAME.fullmatch(ref) else None
    parts = ref.split(":", 5)
    if len(parts) != 6 or parts[2] != "ecs" or parts[3] != ctx.region or parts[4] != ctx.account_id:
        return None
    kind, _, rest = parts[5].partition("/")
    cluster, _, name = rest.rpartition("/")
    if kind != "service" or (cluster and cluster != tasks.cluster_name_of(cluster_arn)):
        return None
    return name if _NAME.fullmatch(name) else None


def find(ctx: RequestContext, cluster_arn: str, ref: str) -> ServiceRecord | None:
    name = service_name(ctx, cluster_arn, ref)
    return None if name is None else SERVICE.get(ctx, f"{tasks.cluster_name_of(cluster_arn)}/{name}")


def get(ctx: RequestContext, cluster_arn: str, ref: str) -> ServiceRecord:
    record = find(ctx, cluster_arn, ref)
    if record is None:
        raise SERVICE.missing(ref)
    return record


def of_cluster(ctx: RequestContext, cluster_arn: str) -> list[ServiceRecord]:
    """The cluster's ACTIVE and DRAINING services (both asked at once: one round trip on PostgreSQL,
    none when asked ahead)."""
    ctx.tx.prefetch(finds=run_task_reads.live_services(ctx, cluster_arn))
    found: list[ServiceRecord] = []
    for status in _LIVE:
        found.extend(SERVICE.find(ctx, "cluster_status", f"{cluster_arn}|{status}"))
    return found


def deployment_tasks(ctx: RequestContext, record: ServiceRecord, deployment_id: str) -> list[TaskRecord]:
    """The deployment's tasks that are not STOPPED, not asked to stop, and not orphaned (their
    container instance was deregistered with force: the service replaces them)."""
    found = TASK.find(ctx, "cluster_started_by", f"{record['clusterArn']}|{deployment_id}")
    return [t for t in found if tasks.is_live(t) and t["desiredStatus"] != tasks.STOPPED and not t.get("_orphaned")]


# --- views ------------------------------------------------------------------------------------------


def _counts(live: list[TaskRecord]) -> tuple[int, int]:
    """runningCount and pendingCount: a task on its way up (PROVISIONING to ACTIVATING) is pending."""
    running = sum(1 for t in live if t["lastStatus"] == "RUNNING")
    return running, len(live) - running


def _deployment_view(ctx: RequestContext, record: ServiceRecord, deployment: Record, primary: bool) -> Record:
    running, pending = _counts(deployment_tasks(ctx, record, deployment["id"]))
    desired = record["desiredCount"] if primary else 0
    view: Record = {
        "id": deployment["id"],
        "status": "PRIMARY" if primary else "ACTIVE",
        "taskDefinition": deployment["taskDefinition"],
        "desiredCount": desired,
        "pendingCount": pending,
        "runningCount": running,
        "failedTasks": 0,
        "createdAt": deployment["createdAt"],
        "updatedAt": deployment["updatedAt"],
        **({"launchType": record["launchType"]} if "launchType" in record else {}),
        **(
            {"capacityProviderStrategy": record["capacityProviderStrategy"]}
            if "capacityProviderStrategy" in record
            else {}
        ),
        "rolloutState": "COMPLETED" if primary and running == desired and pending == 0 else "IN_PROGRESS",
    }
    if "networkConfiguration" in record:
        view["networkConfiguration"] = record["networkConfiguration"]
    return view


def view(ctx: RequestContext, record: ServiceRecord, include_tags: bool = True) -> Record:
    """The Service shape, counts derived from the tasks now."""
    shown = public_view(record, include_tags)
    deployments = record["_deployments"] if record["status"] != "INACTIVE" else []
    shown["deployments"] = [_deployment_view(ctx, record, d, n == 0) for n, d in enumerate(deployments)]
    shown["runningCount"] = sum(d["runningCount"] for d in shown["deployments"])
    shown["pendingCount"] = sum(d["pendingCount"] for d in shown["deployments"])
    return shown


# --- CreateService ----------------------------------------------------------------------------------


def _deployment(ctx: RequestContext, definition_arn: str) -> Record:
    number = random.randrange(10**18, 10**19)
    return {"id": f"ecs-svc/{number}", "taskDefinition": definition_arn, "createdAt": ctx.now, "updatedAt": ctx.now}


def launch_params(record: ServiceRecord, deployment_id: str) -> Params:
    """What RunTask would be given to start one of the service's tasks."""
    params: Params = {"group": f"service:{record['serviceName']}", "startedBy": deployment_id}
    for name in ("networkConfiguration", "placementConstraints", "placementStrategy"):
        if record.get(name):
            params[name] = record[name]
    params.update(
        {
            "propagateTags": record.get("propagateTags") or "NONE",
            "enableECSManagedTags": bool(record.get("enableECSManagedTags")),
            task_tags.SERVICE_NAME: record["serviceName"],
            task_tags.SERVICE_TAGS: record.get("tags") or [],
        }
    )
    return params


def _desired(value: Any) -> int:
    if value is None:
        raise _invalid("The desiredCount parameter is required for a service using the REPLICA scheduling strategy.")
    if value < 0:
        raise _invalid("Desired count must be greater than or equal to 0.")
    return int(value)


#: CreateService members for features trunkline does not model: refused, never dropped silently.
_UNSUPPORTED_FEATURES = {
    "serviceConnectConfiguration": "Service Connect",
    "volumeConfigurations": "Amazon EBS volumes configured at deployment",
    "vpcLatticeConfigurations": "VPC Lattice",
    "gatewayConnectors": "gateway connectors",
    "monitoring": "service monitoring metrics",
}


def _check_unsupported(params: shapes.CreateServiceRequest) -> None:
    """What trunkline does not run: say so rather than answer as if it did."""
    if params.get("schedulingStrategy", "REPLICA") != "REPLICA":
        raise _invalid("trunkline runs services with the REPLICA scheduling strategy only.")
    deployment_controller: Mapping[str, Any] = params.get("deploymentController") or {}
    controller = deployment_controller.get("type", "ECS")
    if controller != "ECS":
        raise _invalid("trunkline runs services with the ECS deployment controller only.")
    if params.get("loadBalancers") or params.get("serviceRegistries"):
        raise _invalid("trunkline does not attach services to load balancers or service registries.")
    if params.get("role") is not None:
        raise _invalid("trunkline does not attach services to load balancers, the only use of a service role.")
    for name, feature in _UNSUPPORTED_FEATURES.items():
        value = params.get(name)
        # An empty vpcLatticeConfigurations asks for no VPC Lattice (Terraform's aws_ecs_service sends one).
        if value is not None and not (name == "vpcLatticeConfigurations" and value == []):
            raise _invalid(f"trunkline does not support {feature} ({name}).")


def create(ctx: RequestContext, params: shapes.CreateServiceRequest) -> ServiceRecord:
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    name = str(params["serviceName"])
    if not _NAME.fullmatch(name):
        raise _invalid("Service name can have up to 255 letters, numbers, hyphens and underscores.")
    _check_unsupported(params)
    desired = _desired(params.get("desiredCount"))
    cluster = clusters.resolve_cluster(ctx, params.get("cluster"))
    launch_type, strategy = capacity_strategy.route(ctx, cluster, params)
    if launch_type not in ("EC2", "FARGATE"):
        raise _invalid(f"trunkline does not run services with launch type {launch_type}: use EC2 or FARGATE.")
    if launch_type == "EC2" and params.get("platformVersion") is not None:
        raise _invalid("The platform version must be null when specifying an EC2 launch type.")
    if "taskDefinition" not in params:
        raise _invalid("TaskDefinition can not be blank.")
    existing = SERVICE.get(ctx, f"{tasks.cluster_name_of(cluster_arn)}/{name}")
    if existing is not None and existing["status"] in _LIVE:
        raise _invalid("Creation of service was not idempotent.")
    record = _record(ctx, params, cluster_arn, name, launch_type, desired)
    if strategy is not None:
        # Through providers: the strategy (the cluster's default copied if none was given) and no launchType.
        record["capacityProviderStrategy"] = strategy
        record["_launchType"] = record.pop("launchType")
    # Everything RunTask would refuse is refused here, before anything is written.
    launch = task_launch.prepare(
        ctx, cluster_arn, launch_type, params["taskDefinition"], launch_params(record, "ecs-svc/0")
    )
    record["taskDefinition"] = launch.definition["taskDefinitionArn"]
    record["_deployments"] = [_deployment(ctx, record["taskDefinition"])]
    save(ctx, record)
    return record


def _record(
    ctx: RequestContext,
    params: shapes.CreateServiceRequest,
    cluster_arn: str,
    name: str,
    launch_type: str,
    desired: int,
) -> ServiceRecord:
    record: ServiceRecord = {
        "serviceArn": ecs_arn(ctx, f"service/{tasks.cluster_name_of(cluster_arn)}/{name}"),
        "serviceName": name,
        "clusterArn": cluster_arn,
        "loadBalancers": [],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": desired,
        "launchType": launch_type,
        "taskDefinition": params["taskDefinition"],
        "deploymentConfiguration": _deployment_configuration(params.get("deploymentConfiguration")),
        "availabilityZoneRebalancing": params.get("availabilityZoneRebalancing") or "ENABLED",
        "events": [],
        "createdAt": ctx.now,
        "placementConstraints": list(params.get("placementConstraints") or []),
        "placementStrategy": list(params.get("placementStrategy") or []),
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{ctx.account_id}:root",
        "enableECSManagedTags": bool(params.get("enableECSManagedTags")),
        "propagateTags": params.get("propagateTags") or "NONE",
        "enableExecuteCommand": bool(params.get("enableExecuteCommand")),
        "tags": clusters.check_tags(list(params.get("tags") or [])),
        "_account": ctx.account_id,
        "_region": ctx.region,
        "_passDue": False,
    }
    if params.get("networkConfiguration"):
        record["networkConfiguration"] = _network_configuration(params["networkConfiguration"])
    if params.get("healthCheckGracePeriodSeconds") is not None:
        record["healthCheckGracePeriodSeconds"] = params["healthCheckGracePeriodSeconds"]
    if launch_type == "FARGATE":
        record["platformVersion"] = params.get("platformVersion") or "LATEST"
        record["platformFamily"] = "Linux"
    return record


def _deployment_configuration(given: Mapping[str, Any] | None) -> Params:
    """What DescribeServices shows: AWS's defaults under what was given (the circuit breaker is
    reported off unless set)."""
    if not given:
        return dict(_DEPLOYMENT_CONFIGURATION)
    return {"deploymentCircuitBreaker": {"enable": False, "rollback": False}, **given}


def _network_configuration(given: Mapping[str, Any]) -> Params:
    """awsvpcConfiguration as AWS reports it: `assignPublicIp` DISABLED unless given."""
    awsvpc = given.get("awsvpcConfiguration")
    if awsvpc is None:
        return dict(given)
    return {**given, "awsvpcConfiguration": {**awsvpc, "assignPublicIp": awsvpc.get("assignPublicIp") or "DISABLED"}}


# --- UpdateService, DeleteService -------------------------------------------------------------------


def update(ctx: RequestContext, params: shapes.UpdateServiceRequest) -> ServiceRecord:
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    record = get(ctx, cluster_arn, params["service"])
    if record["status"] != "ACTIVE":
        raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
    if params.get("desiredCount") is not None:
        record["desiredCount"] = _desired(params["desiredCount"])
    if params.get("availabilityZoneRebalancing") is not None:
        record["availabilityZoneRebalancing"] = params["availabilityZoneRebalancing"]
    # Tasks started from now on carry the new tag behaviour (AWS: with the next deployment).
    if params.get("propagateTags") is not None:
        record["propagateTags"] = params["propagateTags"]
    if params.get("enableECSManagedTags") is not None:
        record["enableECSManagedTags"] = bool(params["enableECSManagedTags"])
    if params.get("capacityProviderStrategy") is not None:
        _update_strategy(ctx, record, params["capacityProviderStrategy"])
    _update_settings(record, params)
    reconfigured = _update_task_configuration(record, params)
    ref = params.get("taskDefinition")
    if ref is not None or params.get("forceNewDeployment") or reconfigured:
        launch = task_launch.prepare(
            ctx,
            cluster_arn,
            launch_type_of(record),
            ref or record["taskDefinition"],
            launch_params(record, "ecs-svc/0"),
        )
        record["taskDefinition"] = launch.definition["taskDefinitionArn"]
        record["_deployments"].insert(0, _deployment(ctx, record["taskDefinition"]))
    save(ctx, record)
    return record


def _update_settings(record: ServiceRecord, params: shapes.UpdateServiceRequest) -> None:
    """What governs deployments and new tasks without starting one: the deployment configuration
    (members given replace the service's, the others stay), the health check grace period and
    ECS Exec."""
    given = params.get("deploymentConfiguration")
    if given is not None:
        record["deploymentConfiguration"] = {**record["deploymentConfiguration"], **given}
    if params.get("healthCheckGracePeriodSeconds") is not None:
        record["healthCheckGracePeriodSeconds"] = params["healthCheckGracePeriodSeconds"]
    if params.get("enableExecuteCommand") is not None:
        record["enableExecuteCommand"] = bool(params["enableExecuteCommand"])


def _update_task_configuration(record: ServiceRecord, params: shapes.UpdateServiceRequest) -> bool:
    """The network configuration and placement the service's tasks start with; whether any of
    them changed (AWS then starts new tasks with it: a new deployment; the same values again, as
    tools resend them, start none)."""
    before = (record.get("networkConfiguration"), record["placementConstraints"], record["placementStrategy"])
    if params.get("networkConfiguration") is not None:
        record["networkConfiguration"] = _network_configuration(params["networkConfiguration"])
    if params.get("placementConstraints") is not None:
        record["placementConstraints"] = list(params["placementConstraints"])
    if params.get("placementStrategy") is not None:
        record["placementStrategy"] = list(params["placementStrategy"])
    return (record.get("networkConfiguration"), record["placementConstraints"], record["placementStrategy"]) != before


def launch_type_of(record: ServiceRecord) -> str:
    """The launch type the service's tasks report (EC2 for an Auto Scaling group provider)."""
    return str(record.get("launchType") or record.get("_launchType") or "EC2")


def _update_strategy(
    ctx: RequestContext, record: ServiceRecord, given: list[shapes.CapacityProviderStrategyItem]
) -> None:
    """UpdateService's strategy: a new one (providers of the same kind: Auto Scaling group or
    Fargate); [] falls back to the cluster's default strategy, else to the launch type the service
    was created with. It applies to the tasks started from now on (no new deployment by itself)."""
    cluster = clusters.resolve_cluster(ctx, record["clusterArn"])
    if given:
        launch_type, strategy = capacity_strategy.route(ctx, cluster, {"capacityProviderStrategy": given})
    elif cluster.get("defaultCapacityProviderStrategy"):
        launch_type, strategy = capacity_strategy.route(ctx, cluster, {})
    elif "launchType" in record:
        return
    else:
        raise _invalid(
            "No launch type to fall back to for empty capacity provider strategy. Your service was not created "
            "with a launch type."
        )
    assert strategy is not None
    record.pop("launchType", None)
    record["_launchType"] = launch_type
    record["capacityProviderStrategy"] = strategy


def delete(ctx: RequestContext, params: shapes.DeleteServiceRequest) -> ServiceRecord:
    """DeleteService: DRAINING (desiredCount 0) until its tasks are gone, then INACTIVE."""
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    record = get(ctx, cluster_arn, params["service"])
    if record["status"] != "ACTIVE":
        raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
    if record["desiredCount"] > 0 and not params.get("force"):
        raise _invalid("The service cannot be stopped while it is scaled above 0.")
    record["desiredCount"] = 0
    record["status"] = "DRAINING"
    save(ctx, record)
    return record


# --- DescribeServices, ListServices -----------------------------------------------------------------


def describe(ctx: RequestContext, params: shapes.DescribeServicesRequest) -> tuple[list[Record], list[Record]]:
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    refs = list(params["services"])
    if not 1 <= len(refs) <= DESCRIBE_LIMIT:
        raise _invalid(f"services can have at most {DESCRIBE_LIMIT} items.")
    include_tags = "TAGS" in (params.get("include") or [])
    found: list[Record] = []
    failures: list[Record] = []
    for ref in refs:
        record = find(ctx, cluster_arn, ref)
        if record is None:
            name = ref if ref.startswith("arn:") else f"service/{tasks.cluster_name_of(cluster_arn)}/{ref}"
            failures.append({"arn": name if ref.startswith("arn:") else ecs_arn(ctx, name), "reason": "MISSING"})
        else:
            found.append(view(ctx, record, include_tags))
    return found, failures


def list_arns(ctx: RequestContext, params: shapes.ListServicesRequest) -> tuple[list[str], str | None]:
    """ListServices: the cluster's ACTIVE and DRAINING services by name, 10 a page unless
    `maxResults` says otherwise (at most 100)."""
    cluster_arn = clusters.resolve_cluster(ctx, params.get("cluster"))["clusterArn"]
    records = of_cluster(ctx, cluster_arn)
    launch_type = params.get("launchType")
    if launch_type:
        records = [r for r in records if launch_type_of(r) == launch_type]
    names = sorted(r["serviceName"] for r in records)
    # AWS's default page is 10, its ceiling 100.
    paging: Paged = {"maxResults": params.get("maxResults") or 10}
    if "nextToken" in params:
        paging["nextToken"] = params["nextToken"]
    chosen, token = page(ctx, f"ecs:ListServices|{cluster_arn}", names, lambda n: n, paging, maximum=100)
    arn = ecs_arn(ctx, f"service/{tasks.cluster_name_of(cluster_arn)}/")
    return [arn + n for n in chosen], token
