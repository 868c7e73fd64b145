"""Tags on EC2 resources: `TagSpecifications` at creation, CreateTags and DeleteTags after.

Each record keeps its tags as a `Tags` list of `{"Key", "Value"}`; this module finds the record
for an id by its prefix (`vpc-`, `subnet-`, ...) and edits that list.
"""

from __future__ import annotations

from typing import Any

from trunkline.context import RequestContext
from trunkline.errors import AwsError

Record = dict[str, Any]

#: id prefix -> (store kind, NotFound error code, resource type as TagSpecifications name it)
KINDS: dict[str, tuple[str, str, str]] = {
    "vpc": ("ec2.vpc", "InvalidVpcID.NotFound", "vpc"),
    "subnet": ("ec2.subnet", "InvalidSubnetID.NotFound", "subnet"),
    "sg": ("ec2.security-group", "InvalidGroup.NotFound", "security-group"),
    "i": ("ec2.instance", "InvalidInstanceID.NotFound", "instance"),
    "eni": ("ec2.eni", "InvalidNetworkInterfaceID.NotFound", "network-interface"),
    "ami": ("ec2.image", "InvalidAMIID.NotFound", "image"),
    "trunk-assoc": ("ec2.trunk-association", "InvalidAssociationID.NotFound", "trunk-association"),
}


def from_specifications(params: dict[str, Any], resource_type: str) -> list[Record]:
    """The tags a create call asks for on resources of `resource_type`."""
    tags: list[Record] = []
    for spec in params.get("TagSpecifications") or []:
        if spec.get("ResourceType") == resource_type:
            tags.extend({"Key": t.get("Key", ""), "Value": t.get("Value", "")} for t in spec.get("Tags") or [])
    return merge([], tags)


def merge(existing: list[Record], new: list[Record]) -> list[Record]:
    by_key = {t["Key"]: t["Value"] for t in existing}
    for tag in new:
        if tag["Key"].lower().startswith("aws:"):
            raise AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
        by_key[tag["Key"]] = tag.get("Value", "")
    return [{"Key": k, "Value": v} for k, v in by_key.items()]


def _kind_for(resource_id: str) -> tuple[str, str, str]:
    prefix = resource_id.rsplit("-", 1)[0]
    if prefix not in KINDS:
        raise AwsError("InvalidID", f"The ID '{resource_id}' is not valid")
    return KINDS[prefix]


def resolve(ctx: RequestContext, resource_ids: list[str]) -> list[tuple[str, str, Record]]:
    """Every resource named, or the NotFound error of the first missing one (nothing changed)."""
    found = []
    for resource_id in resource_ids:
        kind, not_found, _ = _kind_for(resource_id)
        key = f"{ctx.region}/{resource_id}"
        record = ctx.tx.get(kind, key)
        if record is None:
            raise AwsError(not_found, f"The ID '{resource_id}' does not exist")
        found.append((kind, key, record))
    return found
