"""Deleting a service-linked role: DeleteServiceLinkedRole and GetServiceLinkedRoleDeletionStatus.

IAM deletes a service-linked role through a deletion task: the linked service is asked whether it
still uses the role, and while it does the task FAILS with the resources that use it, by region
(`DeletionTaskFailureReasonType`), and the role stays. What each service counts as a use is what
its user guide says must go first (docs/decisions.md, "Service-linked role deletion tasks"):

- ECS (`AWSServiceRoleForECS`): the clusters, in every region (DeleteCluster leaves a cluster
  INACTIVE; that one no longer counts);
- EC2 Auto Scaling (`AWSServiceRoleForAutoScaling`): the Auto Scaling groups that use the role,
  in every region.

trunkline runs the task within the DeleteServiceLinkedRole call, on the same transaction, so a
task is never seen NOT_STARTED or IN_PROGRESS: it is SUCCEEDED (the role is gone) or FAILED.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from trunkline.context import RequestContext
from trunkline.domain import iam, iam_policies
from trunkline.domain.autoscaling.kinds import GROUP
from trunkline.domain.ecs.kinds import CLUSTER
from trunkline.domain.iam_kinds import DELETION_TASK
from trunkline.domain.iam_records import DeletionTaskRecord, RoleRecord, RoleUsage
from trunkline.errors import AwsError

Record = dict[str, object]


def _region(arn: str) -> str:
    return arn.split(":", 4)[3]


def _ecs_clusters(ctx: RequestContext, role: RoleRecord) -> list[str]:
    return [c["clusterArn"] for c in CLUSTER.scan_account(ctx) if c["status"] == "ACTIVE"]


def _auto_scaling_groups(ctx: RequestContext, role: RoleRecord) -> list[str]:
    return [g["AutoScalingGroupARN"] for g in GROUP.scan_account(ctx) if g.get("ServiceLinkedRoleARN") == role["Arn"]]


#: Service principal -> the ARNs of what uses its linked role, in every region of the account.
_USERS: dict[str, Callable[[RequestContext, RoleRecord], list[str]]] = {
    "ecs.amazonaws.com": _ecs_clusters,
    "autoscaling.amazonaws.com": _auto_scaling_groups,
}


def role_usage(ctx: RequestContext, role: RoleRecord) -> list[RoleUsage]:
    """Where the role is in use: one entry per region (in region order), its resources sorted."""
    by_region: dict[str, list[str]] = {}
    users = _USERS.get(role["ServiceLinked"])  # None: a service whose resources trunkline does not model
    for arn in sorted(users(ctx, role) if users is not None else []):
        by_region.setdefault(_region(arn), []).append(arn)
    return [{"Region": region, "Resources": arns} for region, arns in sorted(by_region.items())]


def delete_service_linked_role(ctx: RequestContext, name: str) -> str:
    """DeleteServiceLinkedRole: runs the deletion task at once and returns its id. The role and the
    policies it came with go only when nothing uses it; otherwise the task is FAILED."""
    role = iam.get_role(ctx, name)
    service = role.get("ServiceLinked")
    if not service:
        raise AwsError("InvalidInput", f"Role {role['RoleName']} is not a service-linked role.")
    task: DeletionTaskRecord = {
        "DeletionTaskId": f"task/aws-service-role/{service}/{role['RoleName']}/{uuid.uuid4()}",
        "Status": "SUCCEEDED",
    }
    usage = role_usage(ctx, role)
    if usage:
        task["Status"] = "FAILED"
        task["Reason"] = {
            "Reason": f"Service-linked role {role['RoleName']} is in use by {service}; delete the resources "
            "that use it, then delete the role again.",
            "RoleUsageList": usage,
        }
    else:
        iam.ROLES.delete(ctx, role["RoleName"])
        iam_policies.forget_entity(ctx, "role", role["RoleName"])
    DELETION_TASK.save(ctx, task)
    return task["DeletionTaskId"]


_DELETION_TASK = re.compile(r"task/aws-service-role/[^/]+/[^/]+/[^/]+")


def deletion_status(ctx: RequestContext, task_id: str) -> Record:
    """GetServiceLinkedRoleDeletionStatus: the task's Status, and its Reason when it FAILED. An id
    not of the documented form is InvalidInput; one of that form this account never had is
    NoSuchEntity (docs/decisions.md)."""
    if not _DELETION_TASK.fullmatch(task_id):
        raise AwsError("InvalidInput", f"Deletion task {task_id} is not a valid deletion task id.")
    task = DELETION_TASK.get(ctx, task_id)
    if task is None:
        raise AwsError("NoSuchEntity", f"The deletion task with id {task_id} cannot be found.", 404)
    return {k: v for k, v in task.items() if k != "DeletionTaskId"}
