"""Tags on EC2 resources: `TagSpecifications` at creation, CreateTags and DeleteTags after.

Each record keeps its tags as a `Tags` list of `{"Key", "Value"}`; this module finds the record
for an id by its prefix (`vpc-`, `subnet-`, ...) and edits that list. `KINDS` is the one place
that knows, per taggable resource, its store kind, its name in TagSpecifications and DescribeTags,
the member holding its id, and how EC2 words a missing one.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from trunkline.context import RequestContext
from trunkline.domain.ec2 import lookup
from trunkline.errors import AwsError

Record = dict[str, Any]


class Taggable(NamedTuple):
    kind: str  # store kind
    resource_type: str  # as TagSpecifications and DescribeTags name it
    id_field: str  # the record member holding the resource's id
    not_found_code: str
    not_found: str  # the NotFound message; `{}` is the id

    def missing(self, resource_id: str) -> AwsError:
        return AwsError(self.not_found_code, self.not_found.format(resource_id))


#: id prefix -> the resource behind it
KINDS: dict[str, Taggable] = {
    "vpc": Taggable("ec2.vpc", "vpc", "VpcId", "InvalidVpcID.NotFound", "The vpc ID '{}' does not exist"),
    "subnet": Taggable(
        "ec2.subnet", "subnet", "SubnetId", "InvalidSubnetID.NotFound", "The subnet ID '{}' does not exist"
    ),
    "sg": Taggable(
        "ec2.security-group",
        "security-group",
        "GroupId",
        "InvalidGroup.NotFound",
        "The security group '{}' does not exist",
    ),
    "i": Taggable(
        "ec2.instance", "instance", "InstanceId", "InvalidInstanceID.NotFound", "The instance ID '{}' does not exist"
    ),
    "eni": Taggable(
        "ec2.eni",
        "network-interface",
        "NetworkInterfaceId",
        "InvalidNetworkInterfaceID.NotFound",
        "The networkInterface ID '{}' does not exist",
    ),
    "ami": Taggable("ec2.image", "image", "ImageId", "InvalidAMIID.NotFound", "The image id '[{}]' does not exist"),
    "trunk-assoc": Taggable(
        "ec2.trunk-association",
        "trunk-association",
        "AssociationId",
        "InvalidAssociationID.NotFound",
        "The association ID '{}' does not exist",
    ),
}


def from_specifications(params: dict[str, Any], resource_type: str) -> list[Record]:
    """The tags a create call asks for on resources of `resource_type`."""
    tags: list[Record] = []
    for spec in params.get("TagSpecifications") or []:
        if spec.get("ResourceType") == resource_type:
            tags.extend({"Key": t.get("Key", ""), "Value": t.get("Value", "")} for t in spec.get("Tags") or [])
    return merge([], tags)


def requested(params: dict[str, Any], resource_type: str) -> list[Record]:
    """The tags a call creating one kind of resource asks for; a TagSpecification naming another
    resource type is refused."""
    for spec in params.get("TagSpecifications") or []:
        kind = spec.get("ResourceType")
        if kind != resource_type:
            raise AwsError(
                "InvalidParameterValue", f"'{kind}' is not a valid taggable resource type for this operation."
            )
    return from_specifications(params, resource_type)


def merge(existing: list[Record], new: list[Record]) -> list[Record]:
    by_key = {t["Key"]: t["Value"] for t in existing}
    for tag in new:
        if tag["Key"].lower().startswith("aws:"):
            raise AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
        by_key[tag["Key"]] = tag.get("Value", "")
    return [{"Key": k, "Value": v} for k, v in by_key.items()]


def taggable(resource_id: str) -> Taggable | None:
    return KINDS.get(_prefix(resource_id))


def _prefix(resource_id: str) -> str:
    return resource_id.rsplit("-", 1)[0]


def _named(resource_id: str) -> Taggable:
    """The resource an id names; InvalidID for an unknown kind or a malformed id."""
    entry = taggable(resource_id)
    if entry is None or not lookup.well_formed(resource_id, _prefix(resource_id)):
        raise AwsError("InvalidID", f"The ID '{resource_id}' is not valid")
    return entry


def visible(ctx: RequestContext, record: Record) -> bool:
    """Another account's resource does not exist for this caller (a shared subnet's creator still sees it)."""
    owner = record.get("OwnerId")
    return owner is None or ctx.account_id in (owner, record.get("_Creator"))


def resolve(ctx: RequestContext, resource_ids: list[str]) -> list[tuple[Taggable, Record]]:
    """Every resource named, once each, or an error with nothing changed: first InvalidID for any
    id of an unknown kind or form, then the resource's own NotFound for the first missing one."""
    entries = {resource_id: _named(resource_id) for resource_id in resource_ids}
    found = []
    for resource_id, entry in entries.items():
        record = ctx.tx.get(entry.kind, lookup.key(ctx, resource_id))
        if record is None or not visible(ctx, record):
            raise entry.missing(resource_id)
        found.append((entry, record))
    return found
