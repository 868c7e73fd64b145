"""Instance refreshes (StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh;
Auto Scaling user guide, "Use an instance refresh to update instances"), on the clock.

A refresh replaces, in batches, the group's instances it found when it started (all of them;
with `SkipMatching`, those not already on the group's launch template version; instances
protected from scale in only with `ScaleInProtectedInstances` `Refresh`, and with `Wait` once
unprotected). Each batch is taken out of service the way a scale-in is, through the group's
termination lifecycle hooks (so ECS managed draining drains it first), and the group launches
the replacements from its launch template. The batch leaves at most `MinHealthyPercentage` of the
desired capacity in service: desired - ceil(desired x MinHealthyPercentage / 100) instances, at
least one. The next batch starts once the group is back at its desired capacity, all
`InService`, and the instance warm-up (`InstanceWarmup`, else the group's DefaultInstanceWarmup,
else its HealthCheckGracePeriod) has passed.

Status: `Pending` until its first step, `InProgress`, then `Successful`; CancelInstanceRefresh
makes it `Cancelling` until the batch in flight is in service (at once `Cancelled` with
WaitForTransitioningInstances false), then `Cancelled`. A suspended InstanceRefresh process
holds it between batches. Where AWS is silent, see docs/decisions.md."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import activities, instance_requirements, processes, scaling
from trunkline.domain.autoscaling.kinds import GROUP, MEMBER, REFRESH
from trunkline.domain.autoscaling.records import AutoScalingGroupRecord, InstanceRefreshRecord, MemberRecord
from trunkline.domain.ec2 import launch_templates
from trunkline.errors import AwsError, validation_error

Record = dict[str, Any]

JOB = "autoscaling.instance-refresh"
ACTIVE = ("Pending", "InProgress", "Cancelling")
_DEFAULTS: Record = {
    "MinHealthyPercentage": 90,
    "SkipMatching": False,
    "AutoRollback": False,
    "ScaleInProtectedInstances": "Ignore",
    "StandbyInstances": "Ignore",
}


def active(ctx: RequestContext, group_name: str) -> InstanceRefreshRecord | None:
    return next((r for r in REFRESH.find(ctx, "group", group_name) if r["Status"] in ACTIVE), None)


def _check(params: Mapping[str, Any], preferences: Record) -> None:
    if (params.get("Strategy") or "Rolling") != "Rolling":
        raise validation_error(f"trunkline does not support the {params['Strategy']} strategy in instance refreshes.")
    if preferences["AutoRollback"] and not params.get("DesiredConfiguration"):
        raise validation_error(
            "The AutoRollback parameter cannot be set to true when the DesiredConfiguration parameter is empty"
        )
    if params.get("DesiredConfiguration"):
        raise validation_error("trunkline does not support DesiredConfiguration in instance refreshes.")
    if not 0 <= int(preferences["MinHealthyPercentage"]) <= 100:
        raise validation_error("MinHealthyPercentage must be between 0 and 100.")
    most = preferences.get("MaxHealthyPercentage")
    if most is not None and not 100 <= int(most) <= 200:
        raise validation_error("MaxHealthyPercentage must be between 100 and 200.")
    if most is not None and int(most) > 100:
        raise validation_error(
            "trunkline does not support MaxHealthyPercentage above 100 (launching before terminating)."
        )


def start(ctx: RequestContext, group: AutoScalingGroupRecord, params: Mapping[str, Any]) -> InstanceRefreshRecord:
    preferences: Record = {**_DEFAULTS, **(params.get("Preferences") or {})}
    _check(params, preferences)
    if active(ctx, group["AutoScalingGroupName"]) is not None:
        raise AwsError(
            "InstanceRefreshInProgress",
            "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.",
        )
    chosen = _to_replace(ctx, group, preferences)
    refresh: InstanceRefreshRecord = {
        "InstanceRefreshId": str(uuid.uuid4()),
        "AutoScalingGroupName": group["AutoScalingGroupName"],
        "Status": "Pending",
        "StartTime": ctx.now,
        "PercentageComplete": 0,
        "InstancesToUpdate": len(chosen),
        "ProgressDetails": {"LivePoolProgress": {"PercentageComplete": 0, "InstancesToUpdate": len(chosen)}},
        "Preferences": preferences,
        "Strategy": "Rolling",
        "_total": len(chosen),
        "_pending": chosen,
        "_replacing": [],
        "_warmUntil": ctx.now,
    }
    REFRESH.save(ctx, refresh)
    _schedule(ctx, refresh)
    return refresh


def _current_version(ctx: RequestContext, group: AutoScalingGroupRecord) -> tuple[str, str]:
    spec = instance_requirements.template_spec(group)
    template = launch_templates.get_template(ctx, {"LaunchTemplateId": spec["LaunchTemplateId"]})
    version = launch_templates.get_version(ctx, template, spec.get("Version"))
    return str(spec["LaunchTemplateId"]), str(version["VersionNumber"])


def _to_replace(ctx: RequestContext, group: AutoScalingGroupRecord, preferences: Record) -> list[str]:
    """The live members the refresh replaces, oldest first."""
    members = scaling.live_members(ctx, group["AutoScalingGroupName"])
    if preferences["ScaleInProtectedInstances"] == "Ignore":
        members = [m for m in members if not m["ProtectedFromScaleIn"]]
    if preferences["SkipMatching"]:
        current = _current_version(ctx, group)
        members = [m for m in members if _version_of(m) != current]
    return [m["InstanceId"] for m in sorted(members, key=lambda m: (m["_launchedAt"], m["InstanceId"]))]


def _version_of(member: MemberRecord) -> tuple[str, str]:
    template = member.get("LaunchTemplate") or {}  # an instance attached from no template matches none
    return str(template.get("LaunchTemplateId", "")), str(template.get("Version", ""))


def cancel(ctx: RequestContext, group_name: str, wait: bool) -> InstanceRefreshRecord:
    refresh = active(ctx, group_name)
    if refresh is None or refresh["Status"] == "Cancelling":
        raise AwsError(
            "ActiveInstanceRefreshNotFound",
            f"No in progress or pending Instance Refresh found for Auto Scaling group {group_name}",
        )
    if wait and refresh["_replacing"]:
        refresh["Status"] = "Cancelling"
    else:
        _end(ctx, refresh, "Cancelled")
    REFRESH.save(ctx, refresh)
    return refresh


def of_group(ctx: RequestContext, group_name: str, ids: list[str] | None) -> list[InstanceRefreshRecord]:
    """Newest first; only the ones named when `ids` is given."""
    found = sorted(REFRESH.find(ctx, "group", group_name), key=lambda r: (-r["StartTime"], r["InstanceRefreshId"]))
    return [r for r in found if not ids or r["InstanceRefreshId"] in ids]


def forget_group(ctx: RequestContext, group_name: str) -> None:
    for refresh in REFRESH.find(ctx, "group", group_name):
        REFRESH.delete(ctx, refresh["InstanceRefreshId"])


# --- on the clock ------------------------------------------------------------------------------------------


def _schedule(ctx: RequestContext, refresh: InstanceRefreshRecord, due: float | None = None) -> None:
    payload = {"account": ctx.account_id, "region": ctx.region, "refresh": refresh["InstanceRefreshId"]}
    if due is None:
        ctx.schedule(JOB, JOB, payload)
        return
    ctx.tx.schedule(due, JOB, payload)
    ctx.earliest_due = due if ctx.earliest_due is None else min(ctx.earliest_due, due)


def step_job(ctx: RequestContext, payload: Record) -> None:
    refresh = REFRESH.get(ctx, payload["refresh"])
    if refresh is None or refresh["Status"] not in ACTIVE:
        return
    group = GROUP.get(ctx, refresh["AutoScalingGroupName"])
    if group is None or group.get("Status") == "Delete in progress":
        return
    if refresh["Status"] == "Pending":
        refresh["Status"] = "InProgress"
    if _in_flight(ctx, group, refresh):
        REFRESH.save(ctx, refresh)
        _schedule(ctx, refresh)
        return
    if refresh["_replacing"]:  # the batch is in service: it warms up before the next one
        refresh["_replacing"] = []
        refresh["_warmUntil"] = ctx.now + ctx.timing.period(_warmup(group, refresh))
    _count(refresh)
    if refresh["Status"] == "Cancelling":  # the batch it waited for is in service
        _end(ctx, refresh, "Cancelled")
    elif ctx.now < refresh["_warmUntil"]:
        _schedule(ctx, refresh, refresh["_warmUntil"])
    else:
        _next_batch(ctx, group, refresh)
    REFRESH.save(ctx, refresh)


def _in_flight(ctx: RequestContext, group: AutoScalingGroupRecord, refresh: InstanceRefreshRecord) -> bool:
    """Whether the batch is still leaving, or its replacements are not all in service yet."""
    if not refresh["_replacing"]:
        return False
    if any(MEMBER.get(ctx, i) is not None for i in refresh["_replacing"]):
        return True
    live = scaling.live_members(ctx, group["AutoScalingGroupName"])
    return len(live) < group["DesiredCapacity"] or any(m["LifecycleState"] != "InService" for m in live)


def _warmup(group: AutoScalingGroupRecord, refresh: InstanceRefreshRecord) -> int:
    given = refresh["Preferences"].get("InstanceWarmup")
    if given is not None:
        return int(given)
    return int(group.get("DefaultInstanceWarmup") or group["HealthCheckGracePeriod"])


def _count(refresh: InstanceRefreshRecord) -> None:
    """PercentageComplete and InstancesToUpdate: an instance counts as updated once its batch warmed up."""
    left = len(refresh["_pending"]) + len(refresh["_replacing"])
    total = refresh["_total"]
    percent = 100 if total == 0 else (total - left) * 100 // total
    refresh["PercentageComplete"] = percent
    refresh["InstancesToUpdate"] = left
    refresh["ProgressDetails"] = {"LivePoolProgress": {"PercentageComplete": percent, "InstancesToUpdate": left}}


def _end(ctx: RequestContext, refresh: InstanceRefreshRecord, status: str) -> None:
    refresh["Status"] = status
    refresh["EndTime"] = ctx.now


def _next_batch(ctx: RequestContext, group: AutoScalingGroupRecord, refresh: InstanceRefreshRecord) -> None:
    members = {m["InstanceId"]: m for m in scaling.live_members(ctx, group["AutoScalingGroupName"])}
    ignored = refresh["Preferences"]["ScaleInProtectedInstances"] == "Ignore"
    refresh["_pending"] = [  # gone, or protected since under Ignore: nothing to replace
        i for i in refresh["_pending"] if i in members and not (ignored and members[i]["ProtectedFromScaleIn"])
    ]
    _count(refresh)
    if not refresh["_pending"]:
        _end(ctx, refresh, "Successful")
        return
    candidates = [members[i] for i in refresh["_pending"] if not members[i]["ProtectedFromScaleIn"]]
    if refresh["Preferences"]["ScaleInProtectedInstances"] == "Refresh":
        candidates = [members[i] for i in refresh["_pending"]]
    if not candidates or processes.suspended(group, processes.INSTANCE_REFRESH):
        _schedule(ctx, refresh)  # protected ones it waits for (`Wait`), or a suspended refresh
        return
    desired = group["DesiredCapacity"]
    size = max(1, desired - math.ceil(desired * int(refresh["Preferences"]["MinHealthyPercentage"]) / 100))
    batch = candidates[:size]
    for member in batch:
        cause = (
            f"At {activities.at(ctx)} an instance was taken out of service in response to an instance refresh.  "
            f"At {activities.at(ctx)} instance {member['InstanceId']} was selected for termination."
        )
        scaling.terminate_member(ctx, group, member, cause)
    chosen = {m["InstanceId"] for m in batch}
    refresh["_pending"] = [i for i in refresh["_pending"] if i not in chosen]
    refresh["_replacing"] = sorted(chosen)
    scaling.schedule(ctx, group)  # the replacements
    _schedule(ctx, refresh)
