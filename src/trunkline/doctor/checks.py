"""From the collected facts to a verdict per container instance (shared/spec/doctor-checks.md §7).

A trunked instance (attribute `ecs.awsvpc-trunk-id`) gets warnings only. An instance ECS tried to
trunk and could not (REGISTRATION_FAILED) gets the provisioning conditions that hold (service-linked
role, shared subnet, no free address, A record, no ENI slot), each blocking, in that order. An
ACTIVE instance without a trunk was never tried: its blocking causes are the conditions of the
registration-time decision (Windows, agent capability and version, instance type, the role's
setting); when none holds, the only cause left is time — it registered before the setting took
effect for its role (§4). Provisioning conditions on such an instance are warnings: they would fail
the next registration once the blocking causes are fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trunkline.doctor import instance_types
from trunkline.doctor.collect import RESOURCE_ENI, SERVICE_LINKED_ROLE, Facts
from trunkline.doctor.findings import Finding, blocking, undeterminable, warning

Record = dict[str, Any]

TRUNK_ID = "ecs.awsvpc-trunk-id"
TASK_ENI = "ecs.capability.task-eni"
TRUNKING = "ecs.capability.task-eni-trunking"
MIN_AGENT = (1, 28, 1)
#: How long REGISTERING may last before doctor calls the trunk stuck (C3; doctor-checks §7 step 2:
#: "about 10 minutes", a design choice).
STUCK_AFTER = 600.0
#: How long after its launch an EC2 instance whose agent has not registered counts as still starting
#: rather than never registered: ECS's own allowance for a new instance of a capacity provider's group
#: (managedScaling.instanceWarmupPeriod, default 300 s); an ECS-optimized AMI's agent registers within
#: a minute or two of boot. docs/decisions.md, "doctor: freshly launched instances".
AGENT_GRACE = 300.0
MIN_AGENT_OTHER_LINUX = (1, 29, 1)  # without ec2-net-utils (not Amazon Linux), doctor-checks §2.3
#: The EC2 error code that ends a REGISTRATION_FAILED statusReason -> what it says about the cause
#: (doctor-checks §6.1), for when no condition doctor reads explains the failure any more.
EC2_CODES = {
    "NetworkInterfaceLimitExceeded": "the Region's network interface quota was used up (Service Quotas: vpc "
    "L-DF5E4CA3, Network interfaces per Region)",
    "InsufficientFreeAddressesInSubnet": "the subnet had no free private IPv4 address",
    "InvalidParameterValue": "EC2 refused the subnet: shared from another account (S7), or unusable",
    "UnauthorizedOperation": "ECS may not create network interfaces: its service-linked role or its permissions",
    "AuthFailure": "ECS may not create network interfaces: its service-linked role or its permissions",
}
REGISTRATION_FAILURE = re.compile(
    r"^Unexpected EC2 error while attempting to (?P<op>[A-Za-z ]+?) (?:in subnet|to instance) '(?P<target>[^']*)': (?P<code>\w+)"
)


@dataclass
class Verdict:
    cluster: str
    container_instance_arn: str
    ec2_instance_id: str
    instance_type: str
    status: str
    trunked: bool
    awsvpc_tasks: int | None  # None: not determinable (ListTasks or DescribeTasks refused)
    awsvpc_capacity: int
    eligible: bool  # a supported Linux instance that ought to be able to have a trunk
    findings: list[Finding] = field(default_factory=list)
    instance_role: str | None = None  # the role of the instance's profile now
    capacity_estimated: bool = False  # the trunked limit is estimated (the type is newer than ECS's table)

    @property
    def lacks_trunk(self) -> bool:
        """An eligible instance without a trunk that is not on its way to one (REGISTERING for
        too long is no longer on its way)."""
        stuck = any(f.code == "registering-too-long" for f in self.findings)
        on_its_way = self.status == "STARTING" or (self.status == "REGISTERING" and not stuck)
        return self.eligible and not self.trunked and not on_its_way

    def as_json(self) -> Record:
        return {
            "cluster": self.cluster,
            "containerInstanceArn": self.container_instance_arn,
            "ec2InstanceId": self.ec2_instance_id,
            "instanceType": self.instance_type,
            "status": self.status,
            "trunked": self.trunked,
            "awsvpcTasks": self.awsvpc_tasks,
            "awsvpcTaskCapacity": self.awsvpc_capacity,
            "awsvpcTaskCapacityEstimated": self.capacity_estimated,
            "eligible": self.eligible,
            "lacksTrunk": self.lacks_trunk,
            "instanceRole": self.instance_role,
            "findings": [f.as_json() for f in self.findings],
        }


def _attributes(ci: Record) -> dict[str, str]:
    return {a["name"]: str(a.get("value") or "") for a in ci.get("attributes", [])}


def _version(text: str | None) -> tuple[int, ...] | None:
    match = re.match(r"^v?(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(g) for g in match.groups()) if match else None


class Context:
    """One container instance and what the account knows around it."""

    def __init__(self, facts: Facts, cluster: Record, ci: Record) -> None:
        self.facts = facts
        self.cluster = cluster
        self.ci = ci
        self.attributes = _attributes(ci)
        self.instance_id = str(ci.get("ec2InstanceId") or "")
        self.ec2: Record | None = facts.ec2.get(self.instance_id)
        self.id = ci["containerInstanceArn"].rsplit("/", 1)[-1]
        self.region = facts.region

    @property
    def instance_type(self) -> str:
        if self.ec2 is not None:
            return str(self.ec2["InstanceType"])
        return self.attributes.get("ecs.instance-type", "")

    @property
    def role(self) -> str | None:
        profile = (self.ec2 or {}).get("IamInstanceProfile")
        return self.facts.roles.get(profile["Arn"]) if profile else None

    @property
    def subnet(self) -> Record | None:
        subnet_id = (self.ec2 or {}).get("SubnetId") or self.attributes.get("ecs.subnet-id")
        return self.facts.subnets.get(subnet_id or "")

    @property
    def profile_changed(self) -> Record | None:
        """The instance's profile association when it is newer than the registration (C20)."""
        association = (self.facts.associations or {}).get(self.instance_id)
        if association is None or _seconds(association.get("Timestamp")) <= _registered_at(self.ci):
            return None
        return association

    @property
    def role_newer(self) -> float | None:
        """The CreateDate of the instance's role now when it is later than the registration: that
        role cannot have registered the instance (doctor-checks §3.1). This catches the blind spot
        of C20: a role swapped inside the same profile changes no association."""
        created = self.facts.role_created.get(self.role or "")
        return created if created is not None and created > _registered_at(self.ci) else None

    @property
    def registrant_unknown(self) -> str | None:
        """How the instance registered under another role than its role now, if it did."""
        if self.profile_changed is not None:
            return "the instance registered under an earlier instance profile"
        if self.role_newer is not None:
            return f"the instance registered before its role {self.role} was created (the profile's role was replaced)"
        return None

    def aws(self, command: str) -> str:
        return f"aws {command} --region {self.region}"

    def replace(self) -> str:
        """Drain, wait until the instance runs no task, then terminate: a new registration is the
        only way to a new trunking decision (S5). The wait matters: DRAINING only asks ECS to move
        the tasks, and terminating at once would stop them where they run. ECS has no waiter for a
        drained instance, so the command polls `runningTasksCount`."""
        cluster = self.cluster["name"]
        drain = self.aws(
            f"ecs update-container-instances-state --cluster {cluster} --container-instances {self.id} --status DRAINING"
        )
        running = self.aws(
            f"ecs describe-container-instances --cluster {cluster} --container-instances {self.id} "
            "--query 'containerInstances[0].runningTasksCount' --output text"
        )
        wait = f'until [ "$({running})" = 0 ]; do sleep 15; done'
        terminate = self.aws(f"ec2 terminate-instances --instance-ids {self.instance_id}")
        return f"{drain} && {wait} && {terminate}"


# --- decision-time conditions ----------------------------------------------------------------------


def _windows(c: Context) -> Finding | None:
    os_type = c.attributes.get("ecs.os-type", "")
    platform = str((c.ec2 or {}).get("Platform", "")).lower()
    if os_type != "windows" and platform != "windows":
        return None
    family = c.attributes.get("ecs.os-family") or "Windows"
    return blocking(
        "windows",
        f"ENI trunking is Linux only; this instance runs {family}",
        c.aws("ssm get-parameter --name /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
        + "  # launch the replacement from this Linux ECS-optimized AMI",
        "ecs:DescribeContainerInstances attributes[ecs.os-type]; ec2:DescribeInstances Platform",
    )


def _agent(c: Context) -> list[Finding]:
    found: list[Finding] = []
    version_text = (c.ci.get("versionInfo") or {}).get("agentVersion")
    version = _version(version_text)
    detailed = c.attributes.get("ecs.os-type-detailed", "")
    other_linux = bool(detailed) and not detailed.lower().startswith(("amzn", "linux"))
    floor = MIN_AGENT_OTHER_LINUX if other_linux else MIN_AGENT
    if TASK_ENI not in c.attributes and c.attributes.get("ecs.os-type") != "windows":
        found.append(
            blocking(
                "agent-no-task-eni",
                "the agent does not support awsvpc at all (no ecs.capability.task-eni): ECS_ENABLE_TASK_ENI is "
                "off, ecs-init is missing, or Docker's API is older than 1.25",
                "echo ECS_ENABLE_TASK_ENI=true >> /etc/ecs/ecs.config  # in the launch template's user data; then: "
                + c.replace(),
                "ecs:DescribeContainerInstances attributes[ecs.capability.task-eni]",
            )
        )
    if version is not None and version < floor:
        found.append(
            blocking(
                "agent-version",
                f"ECS agent {version_text} is older than {'.'.join(map(str, floor))}, the first with ENI trunking"
                + (" on this OS" if other_linux else ""),
                c.aws(f"ecs update-container-agent --cluster {c.cluster['name']} --container-instance {c.id}")
                + "  # then replace the instance: "
                + c.replace(),
                "ecs:DescribeContainerInstances versionInfo.agentVersion",
                agentVersion=version_text,
            )
        )
    if TRUNKING not in c.attributes:
        found.append(_no_trunking_capability(c, version is not None and version < floor))
    return found


def _no_trunking_capability(c: Context, too_old: bool) -> Finding:
    """C6 (doctor-checks §2.3 verdict rule): the causes of a missing task-eni-trunking cannot be
    told apart from outside the instance, except the ones doctor sees (a Windows host never sends
    it, §2.2; an agent version below the floor; no task ENI support at all)."""
    source = f"ecs:DescribeContainerInstances attributes[{TRUNKING}]"
    message = f"the agent did not advertise {TRUNKING}"
    if c.attributes.get("ecs.os-type") == "windows":
        fix = c.aws("ssm get-parameter --name /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
        return blocking(
            "agent-capability",
            f"{message}: Windows agents never do (S4)",
            fix + "  # launch the replacement from this Linux ECS-optimized AMI",
            source,
        )
    if too_old:
        why = "its agent is too old (see agent-version)"
    elif TASK_ENI not in c.attributes:
        why = "task ENI support is off (see agent-no-task-eni)"
    else:
        why = (
            "ECS_ENABLE_HIGH_DENSITY_ENI=false, task ENI support off, or a failing vpc-branch-eni CNI plugin; "
            "which one cannot be told from outside the instance (the agent's log says)"
        )
    return blocking(
        "agent-capability",
        f"{message}: {why}",
        "echo ECS_ENABLE_HIGH_DENSITY_ENI=true >> /etc/ecs/ecs.config  # in user data; then: " + c.replace(),
        source,
    )


def _instance_type(c: Context) -> Finding | None:
    limits = instance_types.limits(c.instance_type)
    if limits is not None and limits.supported:
        return None
    nearest = instance_types.nearest_supported(c.instance_type)
    offers = ", ".join(f"{t.name} ({t.awsvpc_tasks} → {t.awsvpc_tasks_trunked} tasks)" for t in nearest)
    known = "is not in the instance-type table" if limits is None else "does not support ENI trunking"
    return blocking(
        "instance-type",
        f"instance type {c.instance_type} {known}; nearest supported: {offers}",
        c.replace() + f"  # relaunch as {nearest[0].name}" if nearest else c.replace(),
        "ec2:DescribeInstances InstanceType → the ECS supported-types table (packaged data)",
        nearest=[
            {"instanceType": t.name, "awsvpcTasks": t.awsvpc_tasks, "awsvpcTasksTrunked": t.awsvpc_tasks_trunked}
            for t in nearest
        ],
    )


def _estimated_type(c: Context) -> list[Finding]:
    """A type newer than ECS's published table: that ECS trunks it, and its limit, are estimated from
    EKS's per-type branch-ENI limits (doctor-checks §5.4), so a verdict that rests on it says so."""
    limits = instance_types.limits(c.instance_type)
    if limits is None or not limits.estimated:
        return []
    return [
        Finding(
            "instance-type",
            "info",
            f"ECS's table of supported types (2023) does not list {c.instance_type}: that it supports trunking "
            f"({limits.awsvpc_tasks} → {limits.awsvpc_tasks_trunked} tasks) is estimated from EKS's branch-ENI limits",
            "",
            "the packaged instance-type table (trunked_source derived-eks-branch-limits)",
        )
    ]


def _account_setting(c: Context) -> list[Finding]:
    role = c.role
    source = "iam:GetInstanceProfile Roles[0].Arn; ecs:ListAccountSettings(principalArn, effectiveSettings)"
    if c.ec2 is None:
        return [undeterminable("account setting", "ec2:DescribeInstances", "the instance is not described")]
    if not c.ec2.get("IamInstanceProfile"):
        return [undeterminable("account setting", "ec2:DescribeInstances", "no instance profile: principal unknown")]
    if role is None:
        refused = c.facts.refused.get("iam:GetInstanceProfile", "the profile holds no role")
        return [undeterminable("account setting", "iam:GetInstanceProfile", refused)]
    setting = c.facts.settings.get(role, {})
    effective, explicit = setting.get("effective"), setting.get("explicit")
    if effective is None:
        refused = setting.get("refused") or "no answer"
        unread = undeterminable("account setting", f"ecs:ListAccountSettings(principalArn={role})", refused)
        return [unread, *_self_opt_in(c, role, unread=True)]
    if effective == "enabled":
        return []
    if explicit is not None:
        origin = f"the role's own setting ({explicit}) overrides the account default ({c.facts.account_default or 'unknown'})"
    elif setting.get("explicitKnown", True):
        origin = f"the role has no setting of its own and inherits the account default ({effective})"
    else:
        origin = "whether the role has a setting of its own or inherits the account default is unknown"
    principal = str(setting.get("principalArn") or role)  # without its path when only that form was answered
    fix = c.aws(f"ecs put-account-setting --name awsvpcTrunking --value enabled --principal-arn {principal}")
    return [
        blocking(
            "account-setting",
            f"awsvpcTrunking is {effective} for {principal}: {origin}",
            f"{fix} && {c.replace()}",
            source,
            principalArn=principal,
            effective=effective,
            explicit=explicit,
            accountDefault=c.facts.account_default,
        ),
        *_self_opt_in(c, role),
    ]


def _self_opt_in(c: Context, role: str, unread: bool = False) -> list[Finding]:
    """C17: user data that runs `aws ecs put-account-setting` as the instance role (the documented
    self opt-in) fails unless the role may call ecs:PutAccountSetting; AmazonEC2ContainerServiceforEC2Role
    does not grant it. `unread`: the role's setting could not be read, so the warning is
    conditional on it not being enabled."""
    decision = c.facts.self_opt_in.get(role)
    if decision is None:
        refused = c.facts.refused.get("iam:SimulatePrincipalPolicy")
        return [undeterminable("self opt-in", "iam:SimulatePrincipalPolicy", refused)] if refused else []
    if decision == "allowed":
        return []
    name = role.rsplit("/", 1)[-1]
    document = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:PutAccountSetting","Resource":"*"}]}'
    )
    return [
        warning(
            "self-opt-in-denied",
            ("if awsvpcTrunking is not enabled for it (its setting cannot be read), " if unread else "")
            + f"{role} may not call ecs:PutAccountSetting ({decision}): user data that opts the instance role in "
            "itself gets AccessDenied, and the instance registers without trunking",
            c.aws(
                f"iam put-role-policy --role-name {name} --policy-name ecs-account-setting --policy-document '{document}'"
            )
            + "  # or opt the role in from an administrator (the account-setting fix)",
            "iam:SimulatePrincipalPolicy(PolicySourceArn=role, ActionNames=[ecs:PutAccountSetting]) EvalDecision",
            evalDecision=decision,
        )
    ]


def _registered_before_opt_in(c: Context, trunked_since: dict[str, float]) -> Finding:
    role = c.role or "its role"
    registered = _registered_at(c.ci)
    first = trunked_since.get(c.role or "")
    if c.registrant_unknown is not None:
        by_association = c.profile_changed is not None
        return blocking(
            "registered-before-opt-in",
            f"every condition holds now, yet no trunk: {c.registrant_unknown}, so the role that registered it, and "
            "that role's setting then, are unknown; the decision is kept for the instance's life (S5)",
            c.replace(),
            "ecs:DescribeContainerInstances registeredAt vs "
            + ("ec2:DescribeIamInstanceProfileAssociations Timestamp" if by_association else "the role's CreateDate"),
            evidence="the instance profile was associated after the instance registered"
            if by_association
            else "the instance's role was created after the instance registered",
        )
    if first is not None and registered >= first and _first_launch(c) >= first:
        return _contradiction(c, role, first)
    if first is None:
        why = "no instance of this role has a trunk yet, so when the setting took effect is unconfirmed"
    elif registered < first:
        why = "a later instance of the same role got a trunk"
    else:  # registered after `first`, but first launched before it
        why = (
            "the EC2 instance was first launched before any instance of this role got a trunk; registering "
            "it again keeps the first decision"
        )
    probably = "probably " if first is None else ""  # §4: "probably registered before opt-in (unconfirmed)"
    return blocking(
        "registered-before-opt-in",
        f"every condition holds now, yet no trunk: awsvpcTrunking was {probably}not in effect for {role} when the "
        f"instance registered ({why}); the decision is kept for the instance's life (S5)",
        c.replace() + ("  # replacing one instance is also the test" if first is None else ""),
        "ecs:DescribeContainerInstances registeredAt vs trunked instances of the same role",
        evidence=why,
    )


def _contradiction(c: Context, role: str, first: float) -> Finding:
    """§4 "unexplained": an instance of the same role that registered earlier got a trunk, so the
    setting was in effect then, and is now. Either it was off in between, when this instance
    registered, or a cause doctor cannot see applies: say both, and do not guess."""
    registered = _registered_at(c.ci)
    return blocking(
        "registered-before-opt-in",
        f"every condition doctor can read holds, yet no trunk, although an instance of {role} that registered "
        f"earlier ({_iso(first)}) got one: either awsvpcTrunking was switched off for the role when this instance "
        f"registered ({_iso(registered)}) and on again since, or a cause doctor cannot see applies (on the "
        "instance itself, or an ECS table of supported types that differs from the published one)",
        c.replace() + "  # a new registration shows which: it gets a trunk unless the hidden cause remains",
        "ecs:DescribeContainerInstances registeredAt vs trunked instances of the same role",
        evidence="an earlier instance of the same role got a trunk",
    )


def _unreadable(setting: list[Finding]) -> bool:
    """The role's setting could not be read (the call was refused), as opposed to no role known."""
    return any(f.code == "not-determinable" and f.source.startswith("ecs:ListAccountSettings") for f in setting)


def _setting_from_siblings(c: Context, trunked_since: dict[str, float]) -> list[Finding]:
    """The role's setting is unreadable to this caller (only the root user or the role itself may
    read it): its trunked instances show it was enabled when they registered (doctor-checks §3.3
    step 3, §4). Every other decision-time condition holds here."""
    role = str(c.role)
    registered = _registered_at(c.ci)
    first = trunked_since.get(role)
    read = c.aws(f"ecs list-account-settings --name awsvpcTrunking --principal-arn {role} --effective-settings")
    read += "  # as the account's root user or as the role: others may not read a role's setting"
    source = "ecs:DescribeContainerInstances registeredAt and attributes[ecs.awsvpc-trunk-id] of the role's instances"
    if c.registrant_unknown is None and first is not None and registered < first:
        return [
            blocking(
                "registered-before-opt-in",
                f"every condition doctor can read holds, yet no trunk: awsvpcTrunking for {role} cannot be read, "
                f"but an instance of the same role that registered later ({_iso(first)}) got a trunk, so the "
                f"setting was not in effect when this one registered ({_iso(registered)}); the decision is kept "
                "for the instance's life (S5)",
                c.replace(),
                source,
                evidence="a later instance of the same role got a trunk",
            )
        ]
    if c.registrant_unknown is not None:
        message = (
            f"awsvpcTrunking for {role} cannot be read, and {c.registrant_unknown}: the role that registered it, "
            "and that role's setting then, are unknown"
        )
    elif first is not None:
        message = (
            f"awsvpcTrunking for {role} cannot be read; an instance of the same role that registered earlier "
            f"({_iso(first)}) got a trunk, so the setting was enabled then: it was switched off since, or a cause "
            "doctor cannot see applies"
        )
    elif c.facts.account_default == "enabled":
        message = (
            f"awsvpcTrunking for {role} cannot be read and no instance of the role has a trunk; the account default "
            "is enabled, so the role has it unless its own setting is disabled, or it registered before the opt-in"
        )
    else:
        default = c.facts.account_default or "unreadable too"
        message = (
            f"awsvpcTrunking for {role} cannot be read and no instance of the role has a trunk; the account default "
            f"is {default}, so the role has it only if its own setting is enabled"
        )
    return [Finding("account-setting", "unknown", message, read, source)]


def _setting_beside_other_causes(c: Context, setting: list[Finding]) -> list[Finding]:
    """With other causes present, what the setting was when the instance registered cannot be
    read from any API (a setting has no history): today's value matters for the replacement."""
    for finding in setting:
        if finding.code == "account-setting":
            finding.severity, finding.blocking = "warning", False
            finding.message = f"also: {finding.message} (a replacement would not get a trunk either)"
    if setting:
        return setting
    return [
        Finding(
            "registered-before-opt-in",
            "unknown",
            f"awsvpcTrunking is enabled for {c.role} now; whether it was when the instance registered cannot be "
            "read from any API (the causes above need a new instance anyway)",
            "",
            "ecs:ListAccountSettings has no history",
        )
    ]


def _first_launch(c: Context) -> float:
    """When the EC2 instance was first launched: its primary ENI's attach time (LaunchTime is the
    last start; doctor-checks §4)."""
    for interface in (c.ec2 or {}).get("NetworkInterfaces", []):
        attachment = interface.get("Attachment") or {}
        if attachment.get("DeviceIndex") == 0 and attachment.get("AttachTime") is not None:
            value: Any = attachment["AttachTime"]
            return float(value.timestamp()) if hasattr(value, "timestamp") else float("inf")
    return float("inf")


# --- provisioning conditions (what ECS needs to create and attach the trunk) -------------------------


def _provisioning(c: Context) -> list[Finding]:
    """The conditions provisioning would trip over, as (code, message, fix, source) tuples turned into
    findings by the caller (blocking or warning)."""
    found: list[Finding] = []
    if c.facts.service_linked_role is False:
        found.append(
            warning(
                "service-linked-role-missing",
                f"the ECS service-linked role {SERVICE_LINKED_ROLE} does not exist: ECS cannot create trunk ENIs",
                c.aws("iam create-service-linked-role --aws-service-name ecs.amazonaws.com"),
                "iam:GetRole(AWSServiceRoleForECS) → NoSuchEntity",
            )
        )
    subnet = c.subnet
    owner = (c.ec2 or {}).get("_OwnerId") or c.facts.account
    if subnet is not None and subnet.get("OwnerId") and subnet["OwnerId"] != owner:
        found.append(
            warning(
                "shared-subnet",
                f"subnet {subnet['SubnetId']} is owned by account {subnet['OwnerId']} (shared with this one): "
                "ECS cannot create a trunk in a shared subnet (S7)",
                c.aws(f"ec2 describe-subnets --filters Name=owner-id,Values={owner} --query Subnets[].SubnetId")
                + "  # relaunch in one of these subnets your account owns",
                "ec2:DescribeSubnets OwnerId vs ec2:DescribeInstances Reservations[].OwnerId",
            )
        )
    if subnet is not None and int(subnet.get("AvailableIpAddressCount", 1)) < 1:
        found.append(
            warning(
                "subnet-full",
                f"subnet {subnet['SubnetId']} has no free private IPv4 address for the trunk ENI",
                c.aws(
                    f"ec2 describe-network-interfaces --filters Name=subnet-id,Values={subnet['SubnetId']} "
                    "Name=status,Values=available --query NetworkInterfaces[].NetworkInterfaceId"
                )
                + "  # delete unused ENIs, or relaunch in a larger subnet",
                "ec2:DescribeSubnets AvailableIpAddressCount",
            )
        )
    options = (c.ec2 or {}).get("PrivateDnsNameOptions") or {}
    if options.get("EnableResourceNameDnsARecord"):
        found.append(
            warning(
                "dns-a-record",
                "resource-based IPv4 DNS (A record) requests are enabled on the instance: trunking needs them off (S6)",
                c.aws(
                    f"ec2 modify-private-dns-name-options --instance-id {c.instance_id} --no-enable-resource-name-dns-a-record"
                ),
                "ec2:DescribeInstances PrivateDnsNameOptions.EnableResourceNameDnsARecord",
            )
        )
    maximum = _max_enis(c)
    attached = [n for n in (c.ec2 or {}).get("NetworkInterfaces", []) if n.get("InterfaceType") != "trunk"]
    if c.ec2 is not None and maximum is not None and len(attached) >= maximum and not _has_trunk_eni(c):
        found.append(
            warning(
                "eni-slots-exhausted",
                f"{len(attached)} of the instance's {maximum} ENI slots are taken: no slot is left for the trunk",
                c.aws(
                    f"ec2 describe-network-interfaces --filters Name=attachment.instance-id,Values={c.instance_id} "
                    "--query NetworkInterfaces[?Attachment.DeviceIndex!=`0`].Attachment.AttachmentId"
                )
                + "  # detach the extra ENIs (ec2 detach-network-interface), then replace the instance",
                "ec2:DescribeInstances NetworkInterfaces vs ec2:DescribeInstanceTypes NetworkInfo.MaximumNetworkInterfaces",
            )
        )
    return found


def _max_enis(c: Context) -> int | None:
    described = c.facts.types.get(c.instance_type)
    if described is not None:
        return int(described["NetworkInfo"]["MaximumNetworkInterfaces"])
    limits = instance_types.limits(c.instance_type)
    return limits.max_network_interfaces if limits else None


def _has_trunk_eni(c: Context) -> bool:
    return any(n.get("InterfaceType") == "trunk" for n in (c.ec2 or {}).get("NetworkInterfaces", []))


def _as_blocking(finding: Finding) -> Finding:
    finding.severity, finding.blocking = "error", True
    return finding


def _registration_failed(c: Context) -> list[Finding]:
    reason = str(c.ci.get("statusReason") or "")
    parsed = REGISTRATION_FAILURE.match(reason)
    causes = [_as_blocking(f) for f in _provisioning(c)]
    deregister = c.aws(
        f"ecs deregister-container-instance --cluster {c.cluster['name']} --container-instance {c.id} --force"
    )
    code = parsed.group("code") if parsed else ""
    hint = " (no visible cause: see the EC2 error code)"
    if code in EC2_CODES:
        hint = f" (no visible cause now; {code} means {EC2_CODES[code]})"
    head = blocking(
        "registration-failed",
        f"ECS could not provision the trunk: {reason or 'no statusReason'}" + ("" if causes else hint),
        f"{deregister}  # after fixing the cause; ECS deletes the trunk ENI (S10)",
        "ecs:DescribeContainerInstances status, statusReason",
        statusReason=reason,
        ec2ErrorCode=code or None,
    )
    return [head, *causes]


def _registering(c: Context) -> list[Finding]:
    """C3: ECS provisions the trunk within moments of the registration; an instance REGISTERING
    for longer than STUCK_AFTER got no trunk and will not (doctor-checks §7 step 2). Its age is the
    answer's Date minus registeredAt, both ECS's clock; without a Date it is not determinable."""
    answered = c.ci.get("_answeredAt")
    source = "ecs:DescribeContainerInstances status, registeredAt; the answer's HTTP Date header"
    if answered is None:
        waiting = undeterminable("time REGISTERING", "ecs:DescribeContainerInstances", "the answer has no Date header")
        head = Finding("provisioning", "info", "the trunk ENI is being provisioned (REGISTERING)", "", source)
        return [head, waiting, *_provisioning(c)]
    age = max(0.0, float(answered) - _registered_at(c.ci))
    if age <= STUCK_AFTER:
        message = f"the trunk ENI is being provisioned (REGISTERING for {_duration(age)})"
        head = Finding("provisioning", "info", message, "", source, details={"secondsRegistering": int(age)})
        return [head, *_provisioning(c)]
    causes = [_as_blocking(f) for f in _provisioning(c)]
    deregister = c.aws(
        f"ecs deregister-container-instance --cluster {c.cluster['name']} --container-instance {c.id} --force"
    )
    head = blocking(
        "registering-too-long",
        f"REGISTERING for {_duration(age)} (since {_iso(_registered_at(c.ci))}): ECS could not provision the trunk"
        + ("" if causes else "; no condition doctor can read explains it"),
        f"{deregister} && {c.replace()}  # after fixing the cause",
        source,
        secondsRegistering=int(age),
    )
    return [head, *causes]


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


# --- trunked instances ----------------------------------------------------------------------------------


def _public_ip(c: Context) -> list[Finding]:
    """C14 (S13, doctor-checks §5.3): a trunked instance in a public subnet whose public IP is
    auto-assigned (IpOwnerId `amazon`) loses it at a stop and start, and its agent its connection;
    one there with no public IP left and its agent disconnected has probably been through that."""
    ec2 = c.ec2 or {}
    primary = next(
        (n for n in ec2.get("NetworkInterfaces", []) if (n.get("Attachment") or {}).get("DeviceIndex") == 0), None
    )
    owner = ((primary or {}).get("Association") or {}).get("IpOwnerId")
    lost = primary is not None and owner is None and not ec2.get("PublicIpAddress")
    lost = lost and c.ci.get("agentConnected") is False
    if owner != "amazon" and not lost:
        return []  # an Elastic IP (kept across stop/start), or no public IP and the agent connected
    subnet_id = str(ec2.get("SubnetId", ""))
    public = _public_subnet(c.facts, subnet_id, str(ec2.get("VpcId", "")))
    # By the primary interface: EC2 refuses AssociateAddress by instance id for an instance with
    # more than one interface ("There are multiple interfaces attached to instance"), and a
    # trunked instance has two.
    target = f"--network-interface-id {primary['NetworkInterfaceId']}" if primary else f"--instance-id {c.instance_id}"
    fix = c.aws("ec2 allocate-address --domain vpc --query AllocationId --output text") + (
        f" | xargs -I{{}} aws ec2 associate-address {target} --allocation-id {{}} --region {c.region}"
    )
    if lost:
        if not public:
            return []  # a private subnet (or one not known to be public): no sign of S13
        return [
            warning(
                "public-ip-lost",
                f"trunked, in public subnet {subnet_id}, with no public IP and its agent disconnected: it probably "
                "lost its auto-assigned public IP at a stop and start, and its agent cannot reach ECS (S13)",
                fix + "  # an Elastic IP lets the agent reconnect",
                "ecs:DescribeContainerInstances agentConnected; ec2:DescribeInstances PublicIpAddress; "
                "ec2:DescribeRouteTables 0.0.0.0/0 → igw-",
            )
        ]
    if public is None:
        return [
            undeterminable(
                "public subnet", "ec2:DescribeRouteTables", c.facts.refused.get("ec2:DescribeRouteTables", "")
            ),
            warning(
                "public-ip-at-risk",
                f"trunked with an auto-assigned public IP ({ec2.get('PublicIpAddress')}): if subnet "
                f"{subnet_id} is public, a stop and start loses it and the agent's connection (S13)",
                fix,
                "ec2:DescribeInstances NetworkInterfaces[0].Association.IpOwnerId (route tables unknown)",
            ),
        ]
    if not public:
        return []
    return [
        warning(
            "public-ip-at-risk",
            f"trunked, in public subnet {subnet_id}, with an auto-assigned public IP "
            f"({ec2.get('PublicIpAddress')}): a stop and start loses it and the agent's connection (S13)",
            fix,
            "ec2:DescribeInstances Association.IpOwnerId=amazon; ec2:DescribeRouteTables 0.0.0.0/0 → igw-",
        )
    ]


def _public_subnet(facts: Facts, subnet_id: str, vpc_id: str) -> bool | None:
    """Whether the subnet's route table sends 0.0.0.0/0 to an internet gateway (None: unknown)."""
    if facts.route_tables is None:
        return None
    tables = [t for t in facts.route_tables if t.get("VpcId") == vpc_id]
    own = [t for t in tables if any(a.get("SubnetId") == subnet_id for a in t.get("Associations", []))]
    main = [t for t in tables if any(a.get("Main") for a in t.get("Associations", []))]
    for table in own or main:
        for route in table.get("Routes", []):
            if (
                route.get("DestinationCidrBlock") == "0.0.0.0/0"
                and str(route.get("GatewayId", "")).startswith("igw-")
                and route.get("State", "active") == "active"
            ):
                return True
    return False


def _resource_eni(c: Context, trunked: bool) -> list[Finding]:
    found: list[Finding] = []
    for event in c.facts.service_events:
        match = RESOURCE_ENI.search(event["message"])
        if match is None or match.group("id") != c.id or event["cluster"] != c.cluster["name"]:
            continue
        service = event["service"]
        if trunked:
            message = f"service {service} found no free ENI slot here although the instance is trunked: add instances"
            fix = c.aws(f"ecs describe-services --cluster {c.cluster['name']} --services {service}") + (
                "  # raise the capacity provider's or Auto Scaling group's capacity"
            )
        else:
            message = f"service {service} found no free ENI slot here (RESOURCE:ENI): a trunk would raise the limit"
            fix = "fix the blocking findings above, then replace the instance"
        found.append(warning("resource-eni", message, fix, "ecs:DescribeServices events[].message", service=service))
        break
    return found


def _dns_on_launch(c: Context) -> list[Finding]:
    """C12 for future launches (doctor-checks §5.1, §7 step 3): the instance's subnet turns
    resource-based IPv4 DNS A records on for every instance launched in it, so a replacement (the
    fix of most causes) or the group's next instance would break S6, whatever this one does."""
    subnet = c.subnet
    options = (subnet or {}).get("PrivateDnsNameOptionsOnLaunch") or {}
    if subnet is None or not options.get("EnableResourceNameDnsARecord"):
        return []
    return [
        warning(
            "dns-a-record-on-launch",
            f"subnet {subnet['SubnetId']} turns resource-based IPv4 DNS (A record) requests on for the instances "
            "launched in it: a replacement or new instance there gets no trunk unless its launch template turns "
            "them off (S6)",
            c.aws(
                f"ec2 modify-subnet-attribute --subnet-id {subnet['SubnetId']} --no-enable-resource-name-dns-a-record-on-launch"
            ),
            "ec2:DescribeSubnets PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsARecord",
        )
    ]


def _task_vpc(c: Context) -> list[Finding]:
    """C18: a service of the cluster runs awsvpc tasks in subnets of another VPC than the instance's;
    ECS never places them here (the closest instance is `missing an attribute`, S9)."""
    vpc = c.attributes.get("ecs.vpc-id") or str((c.ec2 or {}).get("VpcId") or "")
    own_subnet = c.attributes.get("ecs.subnet-id") or str((c.ec2 or {}).get("SubnetId") or "")
    found: list[Finding] = []
    for service in c.facts.service_subnets:
        if service["cluster"] != c.cluster["name"] or not vpc:
            continue
        vpcs = {str(c.facts.subnets[s]["VpcId"]) for s in service["subnets"] if s in c.facts.subnets}
        if not vpcs or vpc in vpcs:
            continue
        name, other = service["service"], ", ".join(sorted(vpcs))
        found.append(
            warning(
                "task-vpc-mismatch",
                f"service {name} runs its awsvpc tasks in {other} (subnets {', '.join(service['subnets'])}) but this "
                f"instance is in {vpc}: ECS cannot place them here (S9)",
                c.aws(
                    f"ecs update-service --cluster {c.cluster['name']} --service {name} --network-configuration "
                    f"'awsvpcConfiguration={{subnets=[{own_subnet}]}}'"
                )
                + f"  # a subnet of {vpc}; or launch the cluster's instances in {other}",
                "ecs:DescribeServices networkConfiguration.awsvpcConfiguration.subnets → ec2:DescribeSubnets VpcId "
                "vs attributes[ecs.vpc-id]",
                service=name,
                taskVpc=other,
                instanceVpc=vpc,
            )
        )
    return found


def _profile_changed(c: Context) -> list[Finding]:
    """C20: the profile (so possibly the role) changed after registration: the role doctor reads is
    not necessarily the one whose setting ECS applied."""
    changed = c.profile_changed
    if changed is None:
        return _role_newer(c)
    when = _seconds(changed.get("Timestamp"))
    return [
        warning(
            "profile-changed",
            f"instance profile {changed['IamInstanceProfile']['Arn'].rsplit('/', 1)[-1]} was associated at "
            f"{_iso(when)}, after the instance registered ({_iso(_registered_at(c.ci))}): the role checked here may "
            "not be the role that registered it",
            c.replace() + "  # a new registration is decided by the current role",
            "ec2:DescribeIamInstanceProfileAssociations Timestamp vs ecs:DescribeContainerInstances registeredAt",
            associationId=changed.get("AssociationId"),
        )
    ]


def _role_newer(c: Context) -> list[Finding]:
    """§3.1: the role in the instance's profile was created after the instance registered, so another
    role (replaced inside the same profile, which changes no association) registered it."""
    created = c.role_newer
    if created is None:
        return []
    return [
        warning(
            "profile-changed",
            f"role {c.role} was created at {_iso(created)}, after the instance registered "
            f"({_iso(_registered_at(c.ci))}): another role registered it, so the role checked here is not the one "
            "whose setting ECS applied",
            c.replace() + "  # a new registration is decided by the current role",
            "iam:GetInstanceProfile Roles[0].CreateDate vs ecs:DescribeContainerInstances registeredAt",
            roleCreated=_iso(created),
        )
    ]


# --- one container instance ----------------------------------------------------------------------------


def diagnose(facts: Facts, cluster: Record, ci: Record, trunked_since: dict[str, float]) -> Verdict:
    c = Context(facts, cluster, ci)
    status = str(ci.get("status", ""))
    trunked = TRUNK_ID in c.attributes
    limits = instance_types.limits(c.instance_type)
    findings: list[Finding] = []
    if status == "REGISTRATION_FAILED":
        findings = _registration_failed(c)
    elif status == "REGISTERING":
        findings = _registering(c)
    elif trunked:
        findings = _public_ip(c) + _resource_eni(c, True)
    else:
        decision: list[Finding] = []
        windows = _windows(c)
        decision += [windows] if windows else []
        decision += _agent(c)
        type_finding = _instance_type(c)
        decision += [type_finding] if type_finding else []
        setting = _account_setting(c)
        if any(f.blocking for f in decision):
            decision += _setting_beside_other_causes(c, setting)
        else:
            decision += setting
            if not setting:
                decision.append(_registered_before_opt_in(c, trunked_since))
            elif _unreadable(setting):
                decision += _setting_from_siblings(c, trunked_since)
        findings = decision + _estimated_type(c) + _profile_changed(c) + _provisioning(c) + _resource_eni(c, False)
    findings += _dns_on_launch(c)
    if status in ("ACTIVE", "DRAINING"):
        findings += _task_vpc(c)
    if c.ec2 is None and facts.refused.get("ec2:DescribeInstances"):
        findings.append(
            undeterminable("EC2 conditions", "ec2:DescribeInstances", facts.refused["ec2:DescribeInstances"])
        )
    windows_host = c.attributes.get("ecs.os-type") == "windows"
    eligible = bool(limits and limits.supported) and not windows_host
    capacity = 0
    if status in ("ACTIVE", "DRAINING") and limits is not None:
        capacity = (limits.awsvpc_tasks_trunked or 0) if trunked else limits.awsvpc_tasks
    return Verdict(
        cluster=cluster["name"],
        container_instance_arn=ci["containerInstanceArn"],
        ec2_instance_id=c.instance_id,
        instance_type=c.instance_type,
        status=status,
        trunked=trunked,
        awsvpc_tasks=facts.awsvpc_tasks.get(ci["containerInstanceArn"], 0) if facts.tasks_known else None,
        awsvpc_capacity=capacity,
        eligible=eligible,
        findings=findings,
        instance_role=c.role,
        capacity_estimated=trunked and capacity > 0 and bool(limits and limits.estimated),
    )


def _seconds(value: Any) -> float:
    return float(value.timestamp()) if hasattr(value, "timestamp") else float(value or 0)


def _registered_at(ci: Record) -> float:
    return _seconds(ci.get("registeredAt"))


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def trunked_since(facts: Facts) -> dict[str, float]:
    """Per instance role: the earliest registration among its trunked instances (§4's T_on)."""
    first: dict[str, float] = {}
    for cluster in facts.clusters.values():
        for ci in cluster["instances"]:
            if TRUNK_ID not in _attributes(ci):
                continue
            association = (facts.associations or {}).get(ci.get("ec2InstanceId", ""))
            if association is not None and _seconds(association.get("Timestamp")) > _registered_at(ci):
                continue  # registered by an earlier role: no evidence about today's (C20)
            profile = (facts.ec2.get(ci.get("ec2InstanceId", "")) or {}).get("IamInstanceProfile")
            role = facts.roles.get(profile["Arn"]) if profile else None
            if role and facts.role_created.get(role, 0.0) > _registered_at(ci):
                continue  # the role was created after: another role registered it (§3.1)
            if role:
                first[role] = min(first.get(role, float("inf")), _registered_at(ci))
    return first


def diagnose_all(facts: Facts) -> list[Verdict]:
    since = trunked_since(facts)
    verdicts = [
        diagnose(facts, cluster, ci, since) for cluster in facts.clusters.values() for ci in cluster["instances"]
    ]
    return sorted(verdicts, key=lambda v: (v.cluster, v.ec2_instance_id, v.container_instance_arn))


# --- EC2 instances that are no container instance (asked for by --instance, or in a provider's group) -----

INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


def not_registered(facts: Facts, record: Record, clusters: list[str]) -> Verdict:
    """Why an EC2 instance never became a container instance, in the order a user would check:
    it is not running, has no instance role, its role may not register, or its agent is configured
    for another cluster. With none of these, an instance launched less than AGENT_GRACE ago is
    still starting (info, not lacking a trunk). (No doctor-checks row: ECS's APIs do not show such
    an instance at all.)"""
    instance = record["instance"]
    instance_id, state = str(instance["InstanceId"]), str((instance.get("State") or {}).get("Name", ""))
    role, decision, named = record["role"], record["register"], record["userDataCluster"]
    source = "ec2:DescribeInstances; iam:SimulatePrincipalPolicy(ecs:RegisterContainerInstance); userData"
    where = " or ".join(clusters) or "any cluster"
    details: Record = {"role": role, "registerDecision": decision, "userDataCluster": named}
    launched = ""
    if record.get("group"):  # found through a capacity provider of the cluster, not asked for
        launched = f"launched by Auto Scaling group {record['group']} (capacity provider {record['provider']}), "
        source = "ecs:DescribeClusters capacityProviders → ecs:DescribeCapacityProviders → " + (
            f"autoscaling:DescribeAutoScalingGroups Instances[{record.get('lifecycleState', 'InService')}]; " + source
        )
        details.update(autoScalingGroup=record["group"], capacityProvider=record["provider"])
        if str(record.get("lifecycleState", "InService")) != "InService":  # the group is still launching it
            details.update(lifecycleState=record["lifecycleState"])
    cause = _unregistered_cause(record, clusters, facts.region)
    age = _since_launch(instance)
    if cause is None and age is not None and age < AGENT_GRACE:
        finding = _starting(instance, age, named or where, source, details)  # where its agent will register
    else:
        why, fix = cause or (_unexplained(state, decision) + _age_note(age), "")
        message = f"{launched}no container instance in {where}: {why}"
        finding = Finding("not-registered", "error", message, fix, source, True, details)
    limits = instance_types.limits(str(instance.get("InstanceType", "")))
    return Verdict(
        cluster=record.get("cluster") or named or "-",
        container_instance_arn="",
        ec2_instance_id=instance_id,
        instance_type=str(instance.get("InstanceType", "")),
        status="STARTING" if finding.code == "agent-starting" else "NOT_REGISTERED",
        trunked=False,
        awsvpc_tasks=0,
        awsvpc_capacity=0,
        eligible=bool(limits and limits.supported),
        findings=[finding],
        instance_role=role,
    )


def _unregistered_cause(record: Record, clusters: list[str], region: str) -> tuple[str, str] | None:
    """(why, fix) when something doctor reads keeps the instance's agent from registering in one of
    `clusters`, whatever its age; None when nothing does."""
    instance = record["instance"]
    instance_id, state = str(instance["InstanceId"]), str((instance.get("State") or {}).get("Name", ""))
    role, decision, named = record["role"], record["register"], record["userDataCluster"]
    if state not in ("running", "pending"):
        return f"the instance is {state}", ""
    if not instance.get("IamInstanceProfile"):
        fix = f"aws ec2 associate-iam-instance-profile --instance-id {instance_id} --iam-instance-profile Name=ecsInstanceRole --region {region}"
        return "it has no instance profile, so its agent has no credentials to register with", fix
    if role is None:
        return "its instance profile holds no role (or the role could not be read), so its agent has no credentials", ""
    if decision not in (None, "allowed"):
        fix = f"aws iam attach-role-policy --role-name {role.rsplit('/', 1)[-1]} --policy-arn {INSTANCE_POLICY} --region {region}"
        return f"its role {role} may not call ecs:RegisterContainerInstance ({decision})", fix
    if record["userDataKnown"] and named is None:
        why = "its user data sets no ECS_CLUSTER, so its agent registers in the cluster named default, if any"
        return why, _refresh(record, region)
    if named is not None and clusters and named not in [c.rsplit("/", 1)[-1] for c in clusters]:
        return f"its user data sets ECS_CLUSTER={named}: its agent registers there", _refresh(record, region)
    return None


def _unexplained(state: str, decision: str | None) -> str:
    if state == "pending":
        return "the instance is still pending"
    why = "nothing doctor can read says why: the agent is not running, or cannot reach ECS (network, endpoint)"
    return why + ("; whether its role may register is not determinable" if decision is None else "")


def _since_launch(instance: Record) -> float | None:
    """Seconds from the instance's LaunchTime (its last start, after which its agent boots and
    registers) to the DescribeInstances answer's Date, both EC2's clock, as C3 measures REGISTERING:
    never doctor's local clock. None when either is missing."""
    answered, launch = instance.get("_answeredAt"), instance.get("LaunchTime")
    if answered is None or launch is None:
        return None
    return max(0.0, float(answered) - _seconds(launch))


def _starting(instance: Record, age: float, where: str, source: str, details: Record) -> Finding:
    """An instance launched less than AGENT_GRACE ago whose agent has not registered yet, with nothing
    doctor can read against it: the normal state right after a launch, not a fault."""
    state = str((instance.get("State") or {}).get("Name", ""))
    waits = "EC2 to start it, then its ECS agent to register" if state == "pending" else "its ECS agent to register"
    left = _duration(AGENT_GRACE - int(age))  # the same whole seconds as "launched … ago"
    by = ""
    if details.get("autoScalingGroup"):
        lifecycle = f", lifecycle state {details['lifecycleState']}" if details.get("lifecycleState") else ""
        by = f" by Auto Scaling group {details['autoScalingGroup']} (capacity provider {details['capacityProvider']}{lifecycle})"
    return Finding(
        "agent-starting",
        "info",
        f"launched {_duration(age)} ago ({_iso(_seconds(instance['LaunchTime']))}){by}: still starting, waiting "
        f"for {waits} in {where}; doctor reports it as not registered if it has not registered "
        f"{_duration(AGENT_GRACE)} after its launch (in {left})",
        "",
        "ec2:DescribeInstances LaunchTime vs the answer's HTTP Date header; " + source,
        False,
        {**details, "secondsSinceLaunch": int(age)},
    )


def _age_note(age: float | None) -> str:
    if age is None:
        return "; when it launched is not determinable (no LaunchTime, or the answer has no Date header)"
    return f" (launched {_duration(age)} ago)"


def _refresh(record: Record, region: str) -> str:
    """For an instance of a capacity provider's group whose user data names the wrong cluster: the
    launch template is what to fix, then the group's instances are replaced from it."""
    group = record.get("group")
    if not group:
        return ""
    return (
        f"aws autoscaling start-instance-refresh --auto-scaling-group-name {group} --region {region}  "
        f"# after setting ECS_CLUSTER={record['cluster']} in the user data of the group's launch template"
    )
