"""`--enforce-iam`: which IAM action, resource and condition keys each call is authorized as, and
the `iam:PassRole` checks of calls that hand a role to a service.

The action is `<prefix>:<Operation>`. The resource follows the Service Authorization Reference for
the calls trunkline serves (clusters, container instances, tasks, task definitions, services,
instances, roles, users, policies, instance profiles, parameters); any other call, and every
action without a resource type, is authorized against `*`. A call naming several resources
(DescribeClusters with a list) is authorized once per resource. The root user is never denied.
`sts:AssumeRole` is decided by the trust policy together with the caller's identity policies in
STS itself, so it is not checked here a second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import authorization, iam, iam_boundaries
from trunkline.domain.autoscaling import linked_role
from trunkline.domain.policy_evaluation import ContextValue
from trunkline.errors import AwsError

Params = dict[str, Any]
Check = tuple[str, dict[str, ContextValue]]  # (resource, extra context keys)

#: IAM's action prefix per service name trunkline routes by.
PREFIX = {
    "ecs": "ecs",
    "ec2": "ec2",
    "iam": "iam",
    "sts": "sts",
    "ssm": "ssm",
    "autoscaling": "autoscaling",
    "logs": "logs",
}
_TRUST_DECIDED = {("sts", "AssumeRole")}


def check_call(ctx: RequestContext, service: str, operation: str, params: Params) -> None:
    """Raise the service's AccessDenied / AccessDeniedException / UnauthorizedOperation unless the
    caller may make this call (and pass the roles it hands over)."""
    if ctx.principal.kind == "root" or (service, operation) in _TRUST_DECIDED:
        return
    action = f"{PREFIX.get(service, service)}:{operation}"
    for resource, extra in _resources(ctx, service, operation, params):
        authorization.authorize(ctx, service, action, resource, extra)
    for role_arn, passed_to in _passed_roles(ctx, service, operation, params):
        authorization.pass_role(ctx, service, role_arn, passed_to)
    for dependent, resource, extra in _dependent_actions(ctx, service, operation, params):
        authorization.authorize(ctx, service, dependent, resource, extra)


# --- resources -----------------------------------------------------------------------------------


def _ecs_arn(ctx: RequestContext, rest: str) -> str:
    return f"arn:aws:ecs:{ctx.region}:{ctx.account_id}:{rest}"


def _cluster(ctx: RequestContext, ref: str | None) -> str:
    ref = ref or "default"
    return ref if ref.startswith("arn:") else _ecs_arn(ctx, f"cluster/{ref}")


def _in_cluster(ctx: RequestContext, cluster_arn: str, kind: str, ref: str) -> str:
    if ref.startswith("arn:"):
        return ref
    return _ecs_arn(ctx, f"{kind}/{cluster_arn.rsplit('/', 1)[-1]}/{ref}")


def _task_definition(ctx: RequestContext, ref: str) -> str:
    if ref.startswith("arn:"):
        return ref
    family, _, revision = ref.partition(":")
    return _ecs_arn(ctx, f"task-definition/{family}:{revision or '*'}")


_ECS_CLUSTER_OPS = {
    "CreateCluster",
    "DeleteCluster",
    "UpdateCluster",
    "UpdateClusterSettings",
    "PutClusterCapacityProviders",
    "ListContainerInstances",
    "RegisterContainerInstance",
    "DeregisterContainerInstance",
    "SubmitContainerStateChange",
    "SubmitTaskStateChange",
    "SubmitAttachmentStateChanges",
    "ListAttributes",
}
_ECS_INSTANCE_OPS = {"DescribeContainerInstances", "UpdateContainerInstancesState", "UpdateContainerAgent"}
_ECS_TASK_OPS = {"StopTask", "DescribeTasks"}
_ECS_SERVICE_OPS = {"CreateService", "UpdateService", "DeleteService", "DescribeServices"}
_ECS_CLUSTER_KEY_ONLY = {"ListServices", "ListTasks"}


def _ecs(ctx: RequestContext, operation: str, params: Params) -> Iterator[Check]:
    cluster = _cluster(ctx, params.get("cluster") or params.get("clusterName"))
    keyed: dict[str, ContextValue] = {"ecs:cluster": cluster}
    if operation == "DescribeClusters":
        for ref in params.get("clusters") or ["default"]:
            yield _cluster(ctx, ref), {}
    elif operation in _ECS_CLUSTER_OPS:
        yield cluster, {}
    elif operation in _ECS_INSTANCE_OPS:
        for ref in params.get("containerInstances") or [params.get("containerInstance", "")]:
            yield _in_cluster(ctx, cluster, "container-instance", str(ref)), keyed
    elif operation in _ECS_TASK_OPS:
        for ref in params.get("tasks") or [params.get("task", "")]:
            yield _in_cluster(ctx, cluster, "task", str(ref)), keyed
    elif operation in _ECS_SERVICE_OPS:
        for ref in params.get("services") or [params.get("service") or params.get("serviceName", "")]:
            yield _in_cluster(ctx, cluster, "service", str(ref)), keyed
    elif operation in ("RunTask", "StartTask"):
        yield _task_definition(ctx, params.get("taskDefinition", "")), keyed
    elif operation == "RegisterTaskDefinition":
        yield _ecs_arn(ctx, f"task-definition/{params.get('family', '')}:*"), {}
    elif operation in _ECS_CLUSTER_KEY_ONLY:
        yield "*", keyed if params.get("cluster") else {}
    elif params.get("resourceArn"):  # TagResource, UntagResource, ListTagsForResource
        yield str(params["resourceArn"]), {}
    else:
        yield "*", {}


_EC2_INSTANCE_OPS = {
    "StartInstances",
    "StopInstances",
    "TerminateInstances",
    "RebootInstances",
    "ModifyInstanceAttribute",
    "AssociateIamInstanceProfile",
}


def _ec2(ctx: RequestContext, operation: str, params: Params) -> Iterator[Check]:
    if operation in _EC2_INSTANCE_OPS:
        ids = params.get("InstanceIds") or [params.get("InstanceId", "")]
        for instance_id in ids:
            yield f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:instance/{instance_id}", {}
    elif operation == "RunInstances":
        yield f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:instance/*", {}
    else:
        yield "*", {}


#: IAM actions that carry `iam:PermissionsBoundary` (Service Authorization Reference, IAM): the
#: boundary the request sets, or for a call on an existing role or user, the boundary it already
#: has — so a delegated administrator can be held to one boundary. The role-only actions (reading,
#: deleting and changing a role) are in the reference too; their user counterparts are not.
_BOUNDARY_SET = {"CreateRole", "CreateUser", "PutRolePermissionsBoundary", "PutUserPermissionsBoundary"}
_BOUNDARY_HELD = {
    f"{verb}{kind}{what}"
    for kind in ("Role", "User")
    for verb, what in (
        ("Attach", "Policy"),
        ("Detach", "Policy"),
        ("Put", "Policy"),
        ("Delete", "Policy"),
        ("Delete", "PermissionsBoundary"),
    )
} | {"GetRole", "DeleteRole", "UpdateRole", "UpdateRoleDescription", "UpdateAssumeRolePolicy"}


def _boundary_key(ctx: RequestContext, operation: str, params: Params) -> dict[str, ContextValue]:
    """The `iam:PermissionsBoundary` key of this call, when it has one."""
    if operation in _BOUNDARY_SET:
        arn = params.get("PermissionsBoundary")
    elif operation in _BOUNDARY_HELD:
        kind = "role" if "RoleName" in params else "user"
        arn = iam_boundaries.current_arn(ctx, kind, str(params.get("RoleName") or params.get("UserName")))
    else:
        return {}
    return {"iam:PermissionsBoundary": arn} if arn else {}


def _iam(ctx: RequestContext, operation: str, params: Params) -> Iterator[Check]:
    base = f"arn:aws:iam::{ctx.account_id}:"
    boundary = _boundary_key(ctx, operation, params)
    if "PolicyArn" in params:
        extra: dict[str, ContextValue] = {"iam:PolicyARN": params["PolicyArn"], **boundary}
        if "RoleName" in params:
            yield f"{base}role/{params['RoleName']}", extra
        elif "UserName" in params:
            yield f"{base}user/{params['UserName']}", extra
        else:
            yield params["PolicyArn"], {}
    elif "RoleName" in params and not operation.startswith("ListRoles"):
        yield _role_arn(ctx, params["RoleName"]), boundary
    elif "UserName" in params:
        yield f"{base}user/{params['UserName']}", boundary
    elif "InstanceProfileName" in params:
        yield f"{base}instance-profile/{params['InstanceProfileName']}", {}
    elif operation == "CreatePolicy":
        yield f"{base}policy{params.get('Path', '/')}{params.get('PolicyName', '')}", {}
    else:
        yield "*", {}


def _role_arn(ctx: RequestContext, name: str) -> str:
    """The role's ARN with its path when the role exists (policies may name the path)."""
    try:
        return str(iam.get_role(ctx, name)["Arn"])
    except AwsError:  # a missing role: the call itself answers NoSuchEntity after authorization
        return f"arn:aws:iam::{ctx.account_id}:role/{name}"


def _ssm(ctx: RequestContext, operation: str, params: Params) -> Iterator[Check]:
    names = params.get("Names") or (
        [params["Name"]] if "Name" in params else [params["Path"]] if "Path" in params else []
    )
    if not names:
        yield "*", {}
    for name in names:
        yield f"arn:aws:ssm:{ctx.region}:{ctx.account_id}:parameter/{str(name).lstrip('/')}", {}


_RESOURCES = {"ecs": _ecs, "ec2": _ec2, "iam": _iam, "ssm": _ssm}


def _resources(ctx: RequestContext, service: str, operation: str, params: Params) -> Iterator[Check]:
    finder = _RESOURCES.get(service)
    if finder is None:
        yield "*", {}
        return
    yield from finder(ctx, operation, params)


# --- roles handed to services --------------------------------------------------------------------


def _passed_roles(ctx: RequestContext, service: str, operation: str, params: Params) -> Iterator[tuple[str, str]]:
    if service == "ecs" and operation in (
        "RegisterTaskDefinition",
        "RunTask",
        "StartTask",
        "CreateService",
        "UpdateService",
    ):
        yield from _task_roles(ctx, operation, params)
    elif service == "ec2" and operation in (
        "RunInstances",
        "AssociateIamInstanceProfile",
        "ReplaceIamInstanceProfileAssociation",
    ):
        profile = params.get("IamInstanceProfile") or _template_profile(ctx, params)
        role_arn = _profile_role(ctx, profile)
        if role_arn is not None:
            yield role_arn, "ec2.amazonaws.com"
    elif (
        service == "autoscaling"
        and operation in _GROUP_WRITES
        and params.get("ServiceLinkedRoleARN") not in (None, linked_role.default_arn(ctx))
    ):
        # Naming a nondefault service-linked role hands it to Auto Scaling; the default one needs
        # no PassRole (EC2 Auto Scaling User Guide, API permissions).
        yield str(params["ServiceLinkedRoleARN"]), linked_role.SERVICE


_GROUP_WRITES = ("CreateAutoScalingGroup", "UpdateAutoScalingGroup")


def _dependent_actions(
    ctx: RequestContext, service: str, operation: str, params: Params
) -> Iterator[tuple[str, str, dict[str, ContextValue]]]:
    """Other services' actions a call needs the caller's permission for: a group whose role is
    the default one, while the account lacks it, needs iam:CreateServiceLinkedRole (EC2 Auto
    Scaling User Guide, API permissions)."""
    if (
        service == "autoscaling"
        and operation in _GROUP_WRITES
        and (operation == "CreateAutoScalingGroup" or params.get("ServiceLinkedRoleARN"))
        and linked_role.creates_default(ctx, params.get("ServiceLinkedRoleARN"))
    ):
        yield "iam:CreateServiceLinkedRole", linked_role.default_arn(ctx), {"iam:AWSServiceName": linked_role.SERVICE}


def _task_roles(ctx: RequestContext, operation: str, params: Params) -> Iterator[tuple[str, str]]:
    from trunkline.domain.ecs import task_definitions

    if operation == "RegisterTaskDefinition":
        definition: dict[str, Any] = params
    else:
        found = task_definitions.find(ctx, params.get("taskDefinition", "")) if params.get("taskDefinition") else None
        definition = dict(found or {})
        overrides = params.get("overrides") or {}
        for field in ("taskRoleArn", "executionRoleArn"):
            if overrides.get(field):
                definition[field] = overrides[field]
    for field in ("taskRoleArn", "executionRoleArn"):
        value = definition.get(field)
        if value:
            yield (
                _role_arn(ctx, value.rsplit("/", 1)[-1]) if value.startswith("arn:") else _role_arn(ctx, value),
                ("ecs-tasks.amazonaws.com"),
            )


def _template_profile(ctx: RequestContext, params: Params) -> Params:
    """The instance profile a launch template gives RunInstances (the call's own wins)."""
    from trunkline.domain.ec2 import launch_templates

    if not params.get("LaunchTemplate"):
        return {}
    try:
        merged, _ = launch_templates.run_parameters(ctx, params["LaunchTemplate"], params)
    except AwsError:
        return {}  # the call itself answers the template's error after authorization
    return dict(merged.get("IamInstanceProfile") or {})


def _profile_role(ctx: RequestContext, profile: Params) -> str | None:
    record = None
    if profile.get("Arn"):
        record = iam.instance_profile_at(ctx, profile["Arn"])
    elif profile.get("Name"):
        try:
            record = iam.instance_profile(ctx, profile["Name"])
        except AwsError:
            return None
    if record is None or not record["RoleNames"]:
        return None
    return _role_arn(ctx, record["RoleNames"][0])
