"""Security groups and their rules.

Record (kind `kinds.SECURITY_GROUP`, indexed by VPC and owner), in the `SecurityGroup` output shape's member names: `GroupId`, `GroupName`, `Description`, `VpcId`,
`OwnerId`, `SecurityGroupArn`, `Tags`, and `IpPermissions` / `IpPermissionsEgress`, which are derived
from `_Rules` on every save.

`_Rules` is the list of rules as `SecurityGroupRule` shapes (one peer each: `CidrIpv4`, `CidrIpv6`,
`PrefixListId` or `ReferencedGroupInfo`), each with its `sgr-` id; AuthorizeSecurityGroup* answers
them, and IpPermissions groups them by protocol and port range as EC2 does.

Every VPC has a group named `default` (created with the VPC, refused to DeleteSecurityGroup, removed
with the VPC): all traffic in from members of the group, all traffic out to 0.0.0.0/0. Every other
group starts with the same egress rule and no ingress rule.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import default_vpc_lookup, lookup, prefix_lists
from trunkline.domain.ec2 import tags as ec2_tags
from trunkline.domain.ec2.kinds import ENI_GROUP, SECURITY_GROUP, VPC
from trunkline.domain.ec2.records import SecurityGroupRecord, Tag, VpcRecord
from trunkline.domain.ids import resource_id
from trunkline.domain.resource_kind import IdFormat
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]
DEFAULT_NAME = "default"
DEFAULT_DESCRIPTION = "default VPC security group"

_PROTOCOL_NAMES = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp"}
_PROTOCOL_NAMES |= {"icmpv6": "icmpv6", "58": "icmpv6", "-1": "-1", "all": "-1"}
_PEERS = ("CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupInfo")

EXTRACTORS: dict[str, Any] = {
    "group-id": lambda r: [r["GroupId"]],
    "group-name": lambda r: [r["GroupName"]],
    "description": lambda r: [r["Description"]],
    "vpc-id": lambda r: [r["VpcId"]],
    "owner-id": lambda r: [r["OwnerId"]],
    "ip-permission.protocol": lambda r: [p["IpProtocol"] for p in r["IpPermissions"]],
    "ip-permission.from-port": lambda r: [p["FromPort"] for p in r["IpPermissions"] if "FromPort" in p],
    "ip-permission.to-port": lambda r: [p["ToPort"] for p in r["IpPermissions"] if "ToPort" in p],
    "ip-permission.cidr": lambda r: [x["CidrIp"] for p in r["IpPermissions"] for x in p["IpRanges"]],
    "ip-permission.ipv6-cidr": lambda r: [x["CidrIpv6"] for p in r["IpPermissions"] for x in p["Ipv6Ranges"]],
    "ip-permission.group-id": lambda r: [x["GroupId"] for p in r["IpPermissions"] for x in p["UserIdGroupPairs"]],
    "egress.ip-permission.protocol": lambda r: [p["IpProtocol"] for p in r["IpPermissionsEgress"]],
    "egress.ip-permission.cidr": lambda r: [x["CidrIp"] for p in r["IpPermissionsEgress"] for x in p["IpRanges"]],
    "egress.ip-permission.group-id": lambda r: [
        x["GroupId"] for p in r["IpPermissionsEgress"] for x in p["UserIdGroupPairs"]
    ],
}


# --- lookups (the contract other modules use) ---------------------------------------------------


def _no_default_vpc(name: str, vpc_id: str = "none") -> AwsError:
    return AwsError("InvalidGroup.NotFound", f"The security group '{name}' does not exist in default VPC '{vpc_id}'")


def by_name(ctx: RequestContext, name: str) -> SecurityGroupRecord:
    """A group named without a VPC: EC2 looks for it in the default VPC."""
    vpc = default_vpc_lookup.find(ctx)
    if vpc is None:
        raise _no_default_vpc(name)
    for group in SECURITY_GROUP.find(ctx, "vpc", vpc["VpcId"]):
        if group["GroupName"] == name:
            return group
    raise _no_default_vpc(name, vpc["VpcId"])


def get_group(ctx: RequestContext, group_id: str) -> SecurityGroupRecord:
    return SECURITY_GROUP.require(ctx, group_id)


def default_security_group(ctx: RequestContext, vpc_id: str) -> SecurityGroupRecord:
    """The VPC's `default` group record (`GroupId`, `GroupName`, `VpcId`, ...)."""
    VPC.require(ctx, vpc_id)
    for group in SECURITY_GROUP.find(ctx, "vpc", vpc_id):
        if group["GroupName"] == DEFAULT_NAME:
            return group
    raise _no_default_vpc(DEFAULT_NAME, vpc_id)  # unreachable while every VPC keeps its default group


def get_security_groups(ctx: RequestContext, group_ids: list[str]) -> list[SecurityGroupRecord]:
    """The named groups, in order; raises InvalidGroupId.Malformed or InvalidGroup.NotFound for the
    first bad one."""
    for group_id in group_ids:
        SECURITY_GROUP.check_id(group_id)
    return [get_group(ctx, group_id) for group_id in group_ids]


# --- create / delete ------------------------------------------------------------------------------


def _new_group(
    ctx: RequestContext, vpc: VpcRecord, name: str, description: str, tags: list[Tag]
) -> SecurityGroupRecord:
    group_id = resource_id("sg")
    return {
        "GroupId": group_id,
        "GroupName": name,
        "Description": description,
        "VpcId": vpc["VpcId"],
        "OwnerId": ctx.account_id,
        "SecurityGroupArn": f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:security-group/{group_id}",
        "Tags": tags,
        "_Rules": [],
    }


def create_default(ctx: RequestContext, vpc: VpcRecord) -> SecurityGroupRecord:
    """The `default` group of a new VPC."""
    group = _new_group(ctx, vpc, DEFAULT_NAME, DEFAULT_DESCRIPTION, [])
    member = {"GroupId": group["GroupId"], "UserId": ctx.account_id}
    group["_Rules"] = [
        _rule(ctx, group, False, {"IpProtocol": "-1", "ReferencedGroupInfo": member}),
        _rule(ctx, group, True, {"IpProtocol": "-1", "CidrIpv4": "0.0.0.0/0"}),
    ]
    save(ctx, group)
    return group


def create_security_group(ctx: RequestContext, params: shapes.CreateSecurityGroupRequest) -> SecurityGroupRecord:
    name = params.get("GroupName") or ""
    description = params.get("Description") or ""
    if not name:
        raise AwsError("MissingParameter", "The request must contain the parameter groupName")
    if not description:
        raise AwsError("MissingParameter", "The request must contain the parameter groupDescription")
    _check_text("GroupName", name)
    _check_text("GroupDescription", description)
    if name.startswith("sg-"):
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({name}) for parameter GroupName is invalid. Group names may not be in the format sg-*.",
        )
    vpc_id = params.get("VpcId")
    if not vpc_id:
        vpc_id = default_vpc_lookup.vpc_for_groups(ctx)["VpcId"]
    vpc = VPC.require(ctx, vpc_id)
    if name.lower() == DEFAULT_NAME:
        raise AwsError("InvalidParameterValue", "Cannot use reserved security group name: default")
    tags = ec2_tags.requested(params, "security-group")
    if any(g["GroupName"] == name for g in SECURITY_GROUP.find(ctx, "vpc", vpc_id)):
        raise AwsError("InvalidGroup.Duplicate", f"The security group '{name}' already exists for VPC '{vpc_id}'")
    group = _new_group(ctx, vpc, name, description, tags)
    group["_Rules"] = [_rule(ctx, group, True, {"IpProtocol": "-1", "CidrIpv4": "0.0.0.0/0"})]
    save(ctx, group)
    return group


def _check_text(parameter: str, value: str) -> None:
    if len(value) > 255:
        raise AwsError("InvalidParameterValue", f"Value ({value}) for parameter {parameter} is invalid. Too long.")
    if not value.isascii():
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({value}) for parameter {parameter} is invalid. Character sets beyond ASCII are not supported.",
        )


def resolve_target(ctx: RequestContext, params: Mapping[str, Any]) -> SecurityGroupRecord:
    """The group a call names by `GroupId` or (default VPC only) `GroupName`."""
    group_id = params.get("GroupId")
    if group_id:
        return get_group(ctx, group_id)
    name = params.get("GroupName")
    if name:
        return by_name(ctx, name)
    raise AwsError("MissingParameter", "The request must contain the parameter groupName or groupId")


def delete_security_group(ctx: RequestContext, params: shapes.DeleteSecurityGroupRequest) -> SecurityGroupRecord:
    group = resolve_target(ctx, params)
    group_id = group["GroupId"]
    if group["GroupName"] == DEFAULT_NAME:
        raise AwsError("CannotDelete", f'the specified group: "{group_id}" name: "default" cannot be deleted by a user')
    if _in_use(ctx, group):
        raise AwsError("DependencyViolation", f"resource {group_id} has a dependent object")
    remove(ctx, group)
    return group


def _in_use(ctx: RequestContext, group: SecurityGroupRecord) -> bool:
    """An ENI carries the group, or another group's rule refers to it."""
    group_id = group["GroupId"]
    if ENI_GROUP.count(ctx, "group", group_id):
        return True
    for other in SECURITY_GROUP.find(ctx, "owner", group["OwnerId"]):
        if other["GroupId"] != group_id and any(
            r.get("ReferencedGroupInfo", {}).get("GroupId") == group_id for r in other["_Rules"]
        ):
            return True
    return False


def remove(ctx: RequestContext, group: SecurityGroupRecord) -> None:
    SECURITY_GROUP.delete(ctx, group["GroupId"])


def save(ctx: RequestContext, group: SecurityGroupRecord) -> None:
    group["IpPermissions"] = _permissions([r for r in group["_Rules"] if not r["IsEgress"]])
    group["IpPermissionsEgress"] = _permissions([r for r in group["_Rules"] if r["IsEgress"]])
    SECURITY_GROUP.save(ctx, group)


def describe_security_groups(
    ctx: RequestContext, params: shapes.DescribeSecurityGroupsRequest
) -> tuple[list[Record], str | None]:
    names = params.get("GroupNames")
    ids = list(params.get("GroupIds") or [])
    if names:  # groups named in the default VPC, listed with any named by id
        ids += [by_name(ctx, name)["GroupId"] for name in names]

    def owned() -> list[SecurityGroupRecord]:
        return SECURITY_GROUP.find(ctx, "owner", ctx.account_id)

    return lookup.describe(ctx, SECURITY_GROUP, params, ids or None, EXTRACTORS, candidates=owned)


# --- rules ------------------------------------------------------------------------------------------


def _rule(ctx: RequestContext, group: SecurityGroupRecord, egress: bool, fields: Record) -> Record:
    rule_id = resource_id("sgr")
    rule: Record = {
        "SecurityGroupRuleId": rule_id,
        "GroupId": group["GroupId"],
        "GroupOwnerId": group["OwnerId"],
        "IsEgress": egress,
        "IpProtocol": fields["IpProtocol"],
        "FromPort": fields.get("FromPort", -1),
        "ToPort": fields.get("ToPort", -1),
        "Tags": [],
        "SecurityGroupRuleArn": f"arn:aws:ec2:{ctx.region}:{group['OwnerId']}:security-group-rule/{rule_id}",
    }
    for peer in (*_PEERS, "Description"):
        if fields.get(peer) is not None:
            rule[peer] = fields[peer]
    return rule


def _identity(rule: Record) -> tuple[Any, ...]:
    """What makes two rules the same rule (the description does not)."""
    group = rule.get("ReferencedGroupInfo") or {}
    return (
        rule["IsEgress"],
        rule["IpProtocol"],
        rule["FromPort"],
        rule["ToPort"],
        rule.get("CidrIpv4"),
        rule.get("CidrIpv6"),
        rule.get("PrefixListId"),
        group.get("GroupId"),
    )


def _protocol(value: Any) -> str:
    text = str(value if value is not None else "").strip().lower()
    if text in _PROTOCOL_NAMES:
        return _PROTOCOL_NAMES[text]
    if text.isdigit() and 0 <= int(text) <= 255:
        return text
    raise AwsError("InvalidParameterValue", f"Invalid value '{value}' for IP protocol. Unknown protocol.")


def _ports(protocol: str, permission: Record) -> tuple[int, int]:
    start, end = permission.get("FromPort"), permission.get("ToPort")
    if protocol in ("tcp", "udp"):
        if start is None or end is None:
            raise AwsError(
                "InvalidParameterValue",
                "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange",
            )
        if not (0 <= start <= 65535 and 0 <= end <= 65535) or start > end:
            raise AwsError("InvalidParameterValue", f"Invalid TCP/UDP port range ({start}, {end})")
        return start, end
    if protocol in ("icmp", "icmpv6"):
        start = -1 if start is None else start
        end = -1 if end is None else end
        if not (-1 <= start <= 255 and -1 <= end <= 255):
            raise AwsError("InvalidParameterValue", f"Invalid value for ICMP type ({start}) or code ({end})")
        return start, end
    return -1, -1  # all traffic, or a protocol without ports


def _cidr(value: str, version: int) -> str:
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        network = None
    if network is None or network.version != version:
        raise AwsError("InvalidParameterValue", f"CIDR block {value} is malformed")
    return str(network)


def _rules_from(
    ctx: RequestContext, group: SecurityGroupRecord, egress: bool, permissions: list[Record]
) -> list[Record]:
    """Every rule the IpPermissions ask for, validated (peer groups must exist), one peer each."""
    rules = []
    for permission in permissions:
        protocol = _protocol(permission.get("IpProtocol"))
        start, end = _ports(protocol, permission)
        base = {"IpProtocol": protocol, "FromPort": start, "ToPort": end}
        for item in permission.get("IpRanges") or []:
            rules.append(
                _rule(ctx, group, egress, {**base, "CidrIpv4": _cidr(item.get("CidrIp", ""), 4), **_desc(item)})
            )
        for item in permission.get("Ipv6Ranges") or []:
            cidr = _cidr(item.get("CidrIpv6", ""), 6)
            rules.append(_rule(ctx, group, egress, {**base, "CidrIpv6": cidr, **_desc(item)}))
        for item in permission.get("PrefixListIds") or []:
            listed = prefix_lists.require(ctx, item.get("PrefixListId") or "").prefix_list_id
            rules.append(_rule(ctx, group, egress, {**base, "PrefixListId": listed, **_desc(item)}))
        for item in permission.get("UserIdGroupPairs") or []:
            peer = _peer_group(ctx, item)
            info = {"GroupId": peer["GroupId"], "UserId": peer["OwnerId"]}
            rules.append(_rule(ctx, group, egress, {**base, "ReferencedGroupInfo": info, **_desc(item)}))
        if not any(permission.get(k) for k in ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")):
            raise AwsError("InvalidParameterValue", "The request must contain at least one source or destination")
    return rules


def _desc(item: Record) -> Record:
    description = item.get("Description")
    if description is not None:
        _check_text("Description", description)
        return {"Description": description}
    return {}


def _peer_group(ctx: RequestContext, pair: Record) -> SecurityGroupRecord:
    group_id = pair.get("GroupId")
    if group_id:
        return get_group(ctx, group_id)
    return by_name(ctx, pair.get("GroupName") or "")


def legacy_permissions(params: Mapping[str, Any]) -> list[Record]:
    """The IpPermissions a call asks for, including the older top-level CidrIp/IpProtocol form."""
    permissions = list(params.get("IpPermissions") or [])
    if params.get("SourceSecurityGroupName"):
        # [Default VPC] the older form: "full ICMP, UDP, and TCP access" from a group named.
        pair = {"GroupName": params["SourceSecurityGroupName"]}
        permissions += [
            {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [pair]},
            {"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [pair]},
            {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "UserIdGroupPairs": [pair]},
        ]
    if params.get("IpProtocol") is not None or params.get("CidrIp") is not None:
        legacy: Record = {"IpProtocol": params.get("IpProtocol") or "-1"}
        for name in ("FromPort", "ToPort"):
            if params.get(name) is not None:
                legacy[name] = params[name]
        legacy["IpRanges"] = [{"CidrIp": params["CidrIp"]}] if params.get("CidrIp") else []
        permissions.append(legacy)
    return permissions


def authorize(
    ctx: RequestContext,
    group: SecurityGroupRecord,
    egress: bool,
    permissions: list[Record],
    tags: list[Tag] | None = None,
) -> list[Record]:
    if not permissions:
        raise AwsError("MissingParameter", "No IpPermissions specified")
    new = _rules_from(ctx, group, egress, permissions)
    for rule in new:
        rule["Tags"] = list(tags or [])
    existing = {_identity(r) for r in group["_Rules"]}
    for rule in new:
        if _identity(rule) in existing:
            raise AwsError("InvalidPermission.Duplicate", f'the specified rule "{_describe_rule(rule)}" already exists')
        existing.add(_identity(rule))
    group["_Rules"].extend(new)
    save(ctx, group)
    return new


def revoke(
    ctx: RequestContext, group: SecurityGroupRecord, egress: bool, permissions: list[Record], rule_ids: list[str]
) -> tuple[list[Record], list[Record]]:
    """Remove the rules asked for; returns (revoked rules, unknown permissions). Nothing known: an error."""
    if not permissions and not rule_ids:
        raise AwsError("MissingParameter", "No IpPermissions or SecurityGroupRuleIds specified")
    by_identity = {_identity(r): r for r in group["_Rules"]}
    by_id = {r["SecurityGroupRuleId"]: r for r in group["_Rules"] if r["IsEgress"] == egress}
    chosen: dict[str, Record] = {}
    for rule_id in rule_ids:
        if rule_id not in by_id:
            raise AwsError(
                "InvalidSecurityGroupRuleId.NotFound", f"The security group rule ID '{rule_id}' does not exist"
            )
        chosen[rule_id] = by_id[rule_id]
    unknown: list[Record] = []
    for permission in permissions:
        for wanted in _rules_from(ctx, group, egress, [permission]):
            found = by_identity.get(_identity(wanted))
            if found is None:
                unknown.append(_permissions([wanted])[0])
            else:
                chosen[found["SecurityGroupRuleId"]] = found
    if not chosen:
        raise AwsError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
    group["_Rules"] = [r for r in group["_Rules"] if r["SecurityGroupRuleId"] not in chosen]
    save(ctx, group)
    return list(chosen.values()), unknown


def _describe_rule(rule: Record) -> str:
    """How EC2 names a rule in InvalidPermission.Duplicate."""
    peer = rule.get("CidrIpv4") or rule.get("CidrIpv6") or rule.get("PrefixListId")
    if peer is None:
        peer = rule["ReferencedGroupInfo"]["GroupId"]
    protocol = rule["IpProtocol"]
    if protocol == "-1":
        return f"peer: {peer}, ALL, ALLOW"
    if protocol in ("tcp", "udp"):
        return f"peer: {peer}, {protocol.upper()}, from port: {rule['FromPort']}, to port: {rule['ToPort']}, ALLOW"
    if protocol in ("icmp", "icmpv6"):
        return f"peer: {peer}, {protocol.upper()}, type: {rule['FromPort']}, code: {rule['ToPort']}, ALLOW"
    return f"peer: {peer}, {protocol}, ALLOW"


def _permissions(rules: list[Record]) -> list[Record]:
    """Rules grouped into IpPermission shapes by (protocol, ports), in first-seen order."""
    grouped: dict[tuple[str, int, int], Record] = {}
    for rule in rules:
        slot = (rule["IpProtocol"], rule["FromPort"], rule["ToPort"])
        permission = grouped.get(slot)
        if permission is None:
            permission = {"IpProtocol": rule["IpProtocol"], "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": []}
            permission["UserIdGroupPairs"] = []
            if rule["IpProtocol"] != "-1" and rule["IpProtocol"] in ("tcp", "udp", "icmp", "icmpv6"):
                permission["FromPort"], permission["ToPort"] = rule["FromPort"], rule["ToPort"]
            grouped[slot] = permission
        _add_peer(permission, rule)
    return list(grouped.values())


def _add_peer(permission: Record, rule: Record) -> None:
    extra = {"Description": rule["Description"]} if "Description" in rule else {}
    if "CidrIpv4" in rule:
        permission["IpRanges"].append({"CidrIp": rule["CidrIpv4"], **extra})
    elif "CidrIpv6" in rule:
        permission["Ipv6Ranges"].append({"CidrIpv6": rule["CidrIpv6"], **extra})
    elif "PrefixListId" in rule:
        permission["PrefixListIds"].append({"PrefixListId": rule["PrefixListId"], **extra})
    else:
        info = rule["ReferencedGroupInfo"]
        permission["UserIdGroupPairs"].append({"GroupId": info["GroupId"], "UserId": info["UserId"], **extra})


# --- DescribeSecurityGroupRules ----------------------------------------------------------------------

_RULE_ID = IdFormat("sgr", "InvalidSecurityGroupRuleId.Malformed")

RULE_EXTRACTORS: dict[str, Any] = {
    "group-id": lambda r: [r["GroupId"]],
    "security-group-rule-id": lambda r: [r["SecurityGroupRuleId"]],
}


def describe_security_group_rules(
    ctx: RequestContext, params: shapes.DescribeSecurityGroupRulesRequest
) -> tuple[list[Record], str | None]:
    """Every rule of the account's groups in this region, one `SecurityGroupRule` each."""
    from trunkline.domain.ec2 import filters as ec2_filters
    from trunkline.domain.ec2.paging import page

    filters = params.get("Filters")
    ec2_filters.check_filters(filters, RULE_EXTRACTORS)
    wanted = params.get("SecurityGroupRuleIds") or []
    for rule_id in wanted:
        _RULE_ID.check(rule_id)
    groups = SECURITY_GROUP.find(ctx, "owner", ctx.account_id)
    rules = sorted((r for g in groups for r in g["_Rules"]), key=lambda r: r["SecurityGroupRuleId"])
    if wanted:
        known = {r["SecurityGroupRuleId"] for r in rules}
        missing = [rule_id for rule_id in wanted if rule_id not in known]
        if missing:
            raise AwsError(
                "InvalidSecurityGroupRuleId.NotFound",
                f"The security group rule ID '{missing[0]}' does not exist",
            )
        rules = [r for r in rules if r["SecurityGroupRuleId"] in wanted]
    matching = [r for r in rules if ec2_filters.matches(r, filters, RULE_EXTRACTORS)]
    return page(ctx, "ec2.security-group-rules", matching, "SecurityGroupRuleId", params, minimum=5, maximum=1000)
