"""What doctor can say about a container instance: a stable code, a severity, one line of
explanation, the exact command that fixes it, and where the verdict came from (call → field).

Severities: `error` — a reason this instance has no trunk (`blocking`); `warning` — a condition
that will stop trunking (or break a trunked instance) later, or that would fail once the blocking
causes are fixed; `info` — state worth knowing (a trunk being provisioned); `unknown` — the check
could not be made (the endpoint does not answer the call, or the caller may not make it).

The codes, in doctor's decision order (shared/spec/doctor-checks.md §7):
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: code -> (condition, the doctor-checks.md row it comes from)
CODES: dict[str, str] = {
    "registration-failed": "C2: ECS tried to provision a trunk and failed (REGISTRATION_FAILED)",
    "provisioning": "C3: the trunk ENI is being provisioned (REGISTERING)",
    "registering-too-long": "C3: REGISTERING for more than 10 minutes (the answer's Date minus registeredAt)",
    "windows": "C4: Windows container instance",
    "agent-no-task-eni": "C5: the agent does not advertise ecs.capability.task-eni",
    "agent-capability": "C6: the agent does not advertise ecs.capability.task-eni-trunking",
    "agent-version": "C7: the agent is older than 1.28.1",
    "instance-type": "C9: the instance type does not support ENI trunking",
    "shared-subnet": "C13: the instance is in a subnet another account shares (RAM)",
    "dns-a-record": "C12: resource-based IPv4 DNS (A record) requests are enabled",
    "dns-a-record-on-launch": "C12: the instance's subnet turns A records on for new instances (future launches)",
    "account-setting": "C10: awsvpcTrunking is not enabled for the instance's IAM role",
    "registered-before-opt-in": "C11: registered before awsvpcTrunking took effect for its role",
    "service-linked-role-missing": "C16: the ECS service-linked role AWSServiceRoleForECS is missing",
    "self-opt-in-denied": "C17: the instance role may not call ecs:PutAccountSetting, so user data cannot opt it in",
    "subnet-full": "C15: the instance's subnet has no free private IPv4 address for the trunk",
    "eni-slots-exhausted": "C15: every ENI slot of the instance is taken, so no trunk can attach",
    "public-ip-at-risk": "C14: trunked, with an auto-assigned public IP in a public subnet (lost at stop/start)",
    "public-ip-lost": "C14: trunked in a public subnet, no public IP and the agent disconnected: probably S13 already",
    "task-vpc-mismatch": "C18: a service's awsvpc subnets are in another VPC than the instance (ATTRIBUTE)",
    "resource-eni": "C19: a service could not place a task here for lack of ENIs (RESOURCE:ENI)",
    "profile-changed": "C20: the instance profile was associated after the instance registered",
    "not-registered": "an EC2 instance asked for, or launched by a capacity provider's Auto Scaling group, is no "
    "container instance of the cluster: its agent never registered there",
    "agent-starting": "such an EC2 instance launched less than 5 minutes ago (the answer's Date minus LaunchTime), "
    "with nothing against it: its agent has not registered yet",
    "not-determinable": "a check doctor could not make: the endpoint refused or does not implement the call",
}

SEVERITIES = ("error", "warning", "info", "unknown")


@dataclass
class Finding:
    code: str
    severity: str
    message: str
    fix: str = ""
    source: str = ""  # the call and field the verdict came from
    blocking: bool = False  # a reason this instance has no trunk now
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert self.code in CODES, self.code
        assert self.severity in SEVERITIES, self.severity

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def blocking(code: str, message: str, fix: str, source: str, **details: Any) -> Finding:
    return Finding(code, "error", message, fix, source, True, dict(details))


def warning(code: str, message: str, fix: str, source: str, **details: Any) -> Finding:
    return Finding(code, "warning", message, fix, source, False, dict(details))


def undeterminable(check: str, call: str, why: str) -> Finding:
    return Finding(
        "not-determinable", "unknown", f"{check}: not determinable ({call}: {why})", "", call, False, {"check": check}
    )
