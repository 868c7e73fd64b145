"""Lifecycle hooks at work (Auto Scaling user guide, "How lifecycle hooks work"): a group with hooks
for `autoscaling:EC2_INSTANCE_LAUNCHING` puts an instance that has started in `Pending:Wait`
instead of `InService`; with hooks for `autoscaling:EC2_INSTANCE_TERMINATING` an instance it takes
out of service waits in `Terminating:Wait` before its EC2 instance is terminated.

A wait is one lifecycle action per instance (its `LifecycleActionToken`, a UUID), open on every
hook of the transition at once. Each hook closes by CompleteLifecycleAction (by token or instance
id) or when its heartbeat timeout expires, which applies its DefaultResult;
RecordLifecycleActionHeartbeat restarts the hook's timeout, never past its GlobalTimeout from the
start of the wait. ABANDON from any hook closes the others. When every hook has closed:

- launching: CONTINUE puts the instance in service (`Pending:Proceed`, then `InService`); ABANDON
  terminates it, and the group launches a replacement;
- terminating: either result terminates it (`Terminating:Proceed`, then gone).

Instances waiting to launch count towards the group's capacity as Pending ones do. The scaling
activity of the wait is `MidLifecycleAction` until it ends. Entering a wait emits, per hook, the
EventBridge event AWS sends (`EC2 Instance-launch Lifecycle Action` / `EC2 Instance-terminate
Lifecycle Action`, source `aws.autoscaling`) with the token: `/_trunkline/events` serves it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain import events
from trunkline.domain.autoscaling import notices
from trunkline.domain.autoscaling.kinds import ACTIVITY, GROUP, HOOK, MEMBER, lifecycle_token
from trunkline.domain.autoscaling.records import LifecycleHookRecord, MemberRecord
from trunkline.errors import validation_error

Record = dict[str, Any]

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"
JOB = "autoscaling.lifecycle-timeout"
_WAIT = {LAUNCHING: "Pending:Wait", TERMINATING: "Terminating:Wait"}
_PROCEED = {LAUNCHING: "Pending:Proceed", TERMINATING: "Terminating:Proceed"}
_EVENT = {LAUNCHING: "EC2 Instance-launch Lifecycle Action", TERMINATING: "EC2 Instance-terminate Lifecycle Action"}
#: Where the instance comes from and goes to, as the events say.
_MOVE = {LAUNCHING: ("EC2", "AutoScalingGroup"), TERMINATING: ("AutoScalingGroup", "EC2")}
RESULTS = ("CONTINUE", "ABANDON")


def hooks_of(ctx: RequestContext, group_name: str, transition: str) -> list[LifecycleHookRecord]:
    return sorted(
        (h for h in HOOK.find(ctx, "group", group_name) if h["LifecycleTransition"] == transition),
        key=lambda h: h["LifecycleHookName"],
    )


def enter_wait(ctx: RequestContext, member: MemberRecord, transition: str) -> bool:
    """Put the member in the transition's wait state if its group has hooks for it (True); the
    caller saves nothing more then: the wait ends through `proceed`."""
    hooks = hooks_of(ctx, member["AutoScalingGroupName"], transition)
    if not hooks:
        return False
    token = str(uuid.uuid4())
    member["LifecycleState"] = _WAIT[transition]
    member["_lifecycle"] = {
        "token": token,
        "transition": transition,
        "result": "CONTINUE",
        "hooks": {
            h["LifecycleHookName"]: {
                # The timeouts as set, in the timing profile's time (fast timing scales them).
                "heartbeat": ctx.timing.period(int(h["HeartbeatTimeout"])),
                "deadline": ctx.now + ctx.timing.period(int(h["HeartbeatTimeout"])),
                "globalDeadline": ctx.now + ctx.timing.period(int(h["GlobalTimeout"])),
                "defaultResult": h["DefaultResult"],
            }
            for h in hooks
        },
    }
    _mark_activity(ctx, member, "MidLifecycleAction")
    MEMBER.save(ctx, member)
    for name, wait in member["_lifecycle"]["hooks"].items():
        _schedule_timeout(ctx, member, name, wait["deadline"])
    for hook in hooks:
        _emit(ctx, member, hook)
    ctx.reactions.lifecycle_wait_began(ctx, member)
    return True


def _emit(ctx: RequestContext, member: MemberRecord, hook: LifecycleHookRecord) -> None:
    transition = hook["LifecycleTransition"]
    group = GROUP.get(ctx, member["AutoScalingGroupName"])
    origin, destination = _MOVE[transition]
    detail: Record = {
        "LifecycleActionToken": member["_lifecycle"]["token"],
        "AutoScalingGroupName": member["AutoScalingGroupName"],
        "LifecycleHookName": hook["LifecycleHookName"],
        "EC2InstanceId": member["InstanceId"],
        "LifecycleTransition": transition,
        "Origin": origin,
        "Destination": destination,
    }
    if hook.get("NotificationMetadata"):
        detail["NotificationMetadata"] = hook["NotificationMetadata"]
    resources = [group["AutoScalingGroupARN"]] if group is not None else []
    events.emit(ctx, _EVENT[transition], resources, detail, source=notices.SOURCE)


def pending_hooks(member: Mapping[str, Any]) -> list[str]:
    """The hooks the member's lifecycle action still waits for."""
    action = member.get("_lifecycle")
    return sorted(action["hooks"]) if action else []


def _schedule_timeout(ctx: RequestContext, member: MemberRecord, hook_name: str, due: float) -> None:
    payload = {
        "account": ctx.account_id,
        "region": ctx.region,
        "instance": member["InstanceId"],
        "token": member["_lifecycle"]["token"],
        "hook": hook_name,
    }
    ctx.tx.schedule(due, JOB, payload)
    ctx.earliest_due = due if ctx.earliest_due is None else min(ctx.earliest_due, due)


def _mark_activity(ctx: RequestContext, member: MemberRecord, status: str) -> None:
    activity = ACTIVITY.get(ctx, member["_activity"]) if member.get("_activity") else None
    if activity is not None and activity["StatusCode"] in ("InProgress", "MidLifecycleAction"):
        activity["StatusCode"] = status
        ACTIVITY.save(ctx, activity)


def _waiting_member(
    ctx: RequestContext, group_name: str, hook_name: str, token: str | None, instance: str | None
) -> MemberRecord:
    """The member whose open lifecycle action the call names (by token, else instance id)."""
    if token:
        found = MEMBER.find(ctx, "lifecycle_token", token)
        member = found[0] if found else None
        missing = f"No active Lifecycle Action found with token {token}"
    elif instance:
        member = MEMBER.get(ctx, instance)
        missing = f"No active Lifecycle Action found with instance ID {instance}"
    else:
        raise validation_error("Either LifecycleActionToken or InstanceId must be specified.")
    if (
        member is None
        or member["AutoScalingGroupName"] != group_name
        or (instance and member["InstanceId"] != instance)
        or hook_name not in pending_hooks(member)
    ):
        raise validation_error(missing)
    return member


def _check_hook(ctx: RequestContext, group_name: str, hook_name: str) -> None:
    if not any(h["LifecycleHookName"] == hook_name for h in HOOK.find(ctx, "group", group_name)):
        raise validation_error(f"No Lifecycle Hook found with name {hook_name} for group {group_name}")


def complete(
    ctx: RequestContext, group_name: str, hook_name: str, result: str, token: str | None, instance: str | None
) -> None:
    """CompleteLifecycleAction."""
    if result not in RESULTS:
        raise validation_error(f"Lifecycle action result {result} is not valid. Valid results are CONTINUE or ABANDON")
    _check_hook(ctx, group_name, hook_name)
    member = _waiting_member(ctx, group_name, hook_name, token, instance)
    close(ctx, member, hook_name, result)


def heartbeat(ctx: RequestContext, group_name: str, hook_name: str, token: str | None, instance: str | None) -> None:
    """RecordLifecycleActionHeartbeat: the hook's timeout starts again (up to its global timeout)."""
    _check_hook(ctx, group_name, hook_name)
    member = _waiting_member(ctx, group_name, hook_name, token, instance)
    hook = member["_lifecycle"]["hooks"][hook_name]
    hook["deadline"] = min(ctx.now + hook["heartbeat"], hook["globalDeadline"])
    MEMBER.save(ctx, member)
    _schedule_timeout(ctx, member, hook_name, hook["deadline"])


def close(ctx: RequestContext, member: MemberRecord, hook_name: str, result: str) -> None:
    """One hook of the member's lifecycle action is done with `result`; the last one ends the wait."""
    action = member["_lifecycle"]
    action["hooks"].pop(hook_name, None)
    if result == "ABANDON":
        action["result"] = "ABANDON"
        action["hooks"] = {}  # ABANDON ends the other hooks' waits too
    if action["hooks"]:
        MEMBER.save(ctx, member)
        return
    transition = action["transition"]
    member["LifecycleState"] = _PROCEED[transition]
    del member["_lifecycle"]
    _mark_activity(ctx, member, "InProgress")
    MEMBER.save(ctx, member)
    # The group acts on the outcome (scaling imports this module, so it is reached through the wiring).
    ctx.reactions.lifecycle_done(ctx, member, transition, action["result"] == "CONTINUE", action["token"])


def hook_deleted(ctx: RequestContext, group_name: str, hook_name: str) -> None:
    """DeleteLifecycleHook: the hook's outstanding lifecycle actions are completed first (ABANDON
    for launching instances, CONTINUE for terminating ones, as the API reference says)."""
    for state, result in (("Pending:Wait", "ABANDON"), ("Terminating:Wait", "CONTINUE")):
        for member in MEMBER.find(ctx, "state", f"{group_name}|{state}"):
            if hook_name in pending_hooks(member):
                close(ctx, member, hook_name, result)


def timeout_job(ctx: RequestContext, payload: Record) -> None:
    """A hook's heartbeat timeout: its DefaultResult, unless it closed or got a heartbeat since."""
    member = MEMBER.get(ctx, payload["instance"])
    if member is None or lifecycle_token(member) != payload["token"]:
        return
    hook = member["_lifecycle"]["hooks"].get(payload["hook"])
    if hook is None or ctx.now < hook["deadline"]:
        return
    close(ctx, member, payload["hook"], hook["defaultResult"])
