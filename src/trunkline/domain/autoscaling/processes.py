"""A group's scaling processes (SuspendProcesses, ResumeProcesses, DescribeScalingProcessTypes;
Auto Scaling user guide, "Suspend and resume processes"): which exist, which a call names, and
the group's `SuspendedProcesses` list of `{ProcessName, SuspensionReason}`.

Naming no process suspends or resumes all of them; suspending one already suspended keeps its
first reason. What trunkline models of each process: a suspended Launch stops every launch
(scale-out and replacement; `scaling.py`), Terminate stops scale-in, AlarmNotification stops
policies (ECS managed scaling's) from moving the desired capacity (`groups.py`),
ReplaceUnhealthy leaves an instance EC2 stopped in the group, marked Unhealthy, and
InstanceRefresh keeps a refresh from replacing instances (`refreshes.py`). The rest
(AddToLoadBalancer, AZRebalance, HealthCheck, ScheduledActions) are stored and shown only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trunkline.errors import AwsError

LAUNCH = "Launch"
TERMINATE = "Terminate"
ALARM_NOTIFICATION = "AlarmNotification"
REPLACE_UNHEALTHY = "ReplaceUnhealthy"
INSTANCE_REFRESH = "InstanceRefresh"
#: Every process, in the order DescribeScalingProcessTypes lists them (by name, as AWS's CLI example does).
PROCESSES = (
    "AZRebalance",
    "AddToLoadBalancer",
    ALARM_NOTIFICATION,
    "HealthCheck",
    INSTANCE_REFRESH,
    LAUNCH,
    REPLACE_UNHEALTHY,
    "ScheduledActions",
    TERMINATE,
)


def suspended(group: Any, process: str) -> bool:
    """Whether the group (an AutoScalingGroupRecord) has `process` suspended."""
    return any(p["ProcessName"] == process for p in group.get("SuspendedProcesses") or [])


def chosen(names: Sequence[str] | None) -> list[str]:
    """The processes a call names (all when it names none); unknown names are refused."""
    if not names:
        return list(PROCESSES)
    unknown = [n for n in names if n not in PROCESSES]
    if unknown:
        raise AwsError(
            "ValidationError",
            f"Invalid processes: {', '.join(unknown)}. Valid processes are: {', '.join(PROCESSES)}.",
        )
    return list(dict.fromkeys(names))


def with_suspended(current: list[dict[str, Any]], names: list[str], reason: str) -> list[dict[str, Any]]:
    """`current` plus `names` not yet in it, each with `reason`, in DescribeScalingProcessTypes' order."""
    held = {p["ProcessName"] for p in current}
    added = [{"ProcessName": n, "SuspensionReason": reason} for n in names if n not in held]
    return sorted([*current, *added], key=lambda p: PROCESSES.index(p["ProcessName"]))


def without(current: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    return [p for p in current if p["ProcessName"] not in names]


def process_types() -> list[dict[str, str]]:
    return [{"ProcessName": p} for p in PROCESSES]
