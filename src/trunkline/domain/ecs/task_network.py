"""A task's `networkConfiguration`: checked against the task definition's network mode and the
launch type, resolved to subnets and security groups in one VPC, all before anything is written.

Rules, in the order they are checked (AWS's observed texts where known; docs/decisions.md):
- awsvpc without a configuration: "Network Configuration must be provided when networkMode 'awsvpc'
  is specified."; any other mode with one: "Network Configuration is not valid for the given
  networkMode of this task definition.";
- "subnets can not be empty.", "subnet cannot be blank.", "security group cannot be blank";
  at most 16 subnets and 5 security groups;
- `assignPublicIp` ENABLED on EC2: "Assign public IP is not supported for this launch type.";
- unknown subnets and groups in ECS's "Error retrieving ... information for [...]: <EC2 message>
  (ErrorCode: <EC2 code>)" form; subnets of several VPCs, or groups outside the subnets' VPC,
  are refused;
- no security group: the VPC's default group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import security_groups, subnets
from trunkline.domain.ec2.records import SubnetRecord
from trunkline.errors import AwsError

Record = dict[str, Any]

MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5

MISSING = "Network Configuration must be provided when networkMode 'awsvpc' is specified."
NOT_VALID = "Network Configuration is not valid for the given networkMode of this task definition."
NO_PUBLIC_IP = "Assign public IP is not supported for this launch type."


@dataclass(frozen=True)
class NetworkPlan:
    """The resolved awsvpc configuration of a launch."""

    subnets: tuple[SubnetRecord, ...]  # subnet records, in the order given, each once
    group_ids: tuple[str, ...]
    vpc_id: str
    assign_public_ip: bool

    @property
    def zones(self) -> frozenset[str]:
        return frozenset(s["AvailabilityZone"] for s in self.subnets)

    def in_zone(self, zone: str | None) -> list[SubnetRecord]:
        return [s for s in self.subnets if s["AvailabilityZone"] == zone]

    def as_configuration(self) -> Record:
        return {
            "awsvpcConfiguration": {
                "subnets": [s["SubnetId"] for s in self.subnets],
                "securityGroups": list(self.group_ids),
                "assignPublicIp": "ENABLED" if self.assign_public_ip else "DISABLED",
            }
        }


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _lookup_failure(what: str, names: list[str], error: AwsError) -> AwsError:
    listed = ", ".join(names)
    return _invalid(f"Error retrieving {what} information for [{listed}]: {error.message} (ErrorCode: {error.code})")


def _check_lists(subnet_ids: list[str], group_ids: list[str]) -> None:
    if not subnet_ids:
        raise _invalid("subnets can not be empty.")
    if any(not s.strip() for s in subnet_ids):
        raise _invalid("subnet cannot be blank.")
    if any(not g.strip() for g in group_ids):
        raise _invalid("security group cannot be blank")
    if len(subnet_ids) > MAX_SUBNETS:
        raise _invalid(f"subnets can have at most {MAX_SUBNETS} items.")
    if len(group_ids) > MAX_SECURITY_GROUPS:
        raise _invalid(f"securityGroups can have at most {MAX_SECURITY_GROUPS} items.")


def _subnets(ctx: RequestContext, subnet_ids: list[str]) -> list[SubnetRecord]:
    found: list[SubnetRecord] = []
    for subnet_id in dict.fromkeys(subnet_ids):
        try:
            found.append(subnets.get_subnet(ctx, subnet_id))
        except AwsError as error:
            raise _lookup_failure("subnet", [subnet_id], error) from None
    if len({s["VpcId"] for s in found}) > 1:
        raise _invalid("The subnets specified must all belong to the same VPC.")
    return found


def _groups(ctx: RequestContext, group_ids: list[str], vpc_id: str) -> list[str]:
    if not group_ids:
        return [security_groups.default_security_group(ctx, vpc_id)["GroupId"]]
    chosen = list(dict.fromkeys(group_ids))
    for group_id in chosen:
        try:
            group = security_groups.get_group(ctx, group_id)
        except AwsError as error:
            raise _lookup_failure("security group", [group_id], error) from None
        if group["VpcId"] != vpc_id:
            raise _invalid(f"Security group {group_id} does not belong to the VPC of the subnets ({vpc_id}).")
    return chosen


def plan(ctx: RequestContext, network_mode: str, launch_type: str, configuration: Record | None) -> NetworkPlan | None:
    """The launch's network plan (None for a task without awsvpc), or the error AWS gives."""
    awsvpc = (configuration or {}).get("awsvpcConfiguration")
    if network_mode != "awsvpc":
        if configuration is not None:
            raise _invalid(NOT_VALID)
        return None
    if awsvpc is None:
        raise _invalid(MISSING)
    subnet_ids = list(awsvpc.get("subnets") or [])
    group_ids = list(awsvpc.get("securityGroups") or [])
    _check_lists(subnet_ids, group_ids)
    public = awsvpc.get("assignPublicIp") == "ENABLED"
    if public and launch_type != "FARGATE":
        raise _invalid(NO_PUBLIC_IP)
    found = _subnets(ctx, subnet_ids)
    vpc_id = found[0]["VpcId"]
    return NetworkPlan(tuple(found), tuple(_groups(ctx, group_ids, vpc_id)), vpc_id, public)


class AddressBook:
    """Free addresses per subnet during one launch, so every planned ENI is known to get one
    before the first is created."""

    def __init__(self) -> None:
        self._taken: dict[str, int] = {}

    def free(self, subnet: SubnetRecord) -> int:
        return int(subnet["AvailableIpAddressCount"]) - self._taken.get(subnet["SubnetId"], 0)

    def take(self, choices: list[SubnetRecord]) -> SubnetRecord | None:
        """The subnet among `choices` with the most free addresses (the first on a tie), one
        address taken from it; None when all are full."""
        best: SubnetRecord | None = None
        for subnet in choices:
            if self.free(subnet) > 0 and (best is None or self.free(subnet) > self.free(best)):
                best = subnet
        if best is not None:
            self._taken[best["SubnetId"]] = self._taken.get(best["SubnetId"], 0) + 1
        return best
