"""IAM instance profile associations: which instance profile an instance has, since when, and the
calls that change it after launch (Associate, Replace, Disassociate).

An instance has at most one association. It lives on the instance record as `_ProfileAssociation`
{AssociationId, Timestamp}, next to the served `IamInstanceProfile` {Arn, Id}. RunInstances with a
profile creates one with the launch's time; an instance record from before this module existed gets
one on first sight, with a stable id and its `LaunchTime`.

States: AWS answers Associate and Replace with `associating` and Disassociate with `disassociating`,
and the change is in effect a moment later; trunkline applies it at once, so every Describe shows
`associated` and a removed association is gone (docs/decisions.md). A terminated instance's
association is gone too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from trunkline.context import RequestContext
from trunkline.domain import ids
from trunkline.domain.ec2 import filters, instances, paging
from trunkline.domain.ec2.kinds import INSTANCE
from trunkline.domain.ec2.paging import page
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

FIELD: Final = "_ProfileAssociation"
PREFIX = "iip-assoc"
_GONE = ("shutting-down", "terminated")
EXTRACTORS: dict[str, filters.Extractor] = {
    "instance-id": lambda r: [r["InstanceId"]],
    "state": lambda r: [r["State"]],
}


def _association(record: InstanceRecord) -> Record | None:
    """The instance's association (created on first sight for an older record), or None."""
    if not record.get("IamInstanceProfile") or record["State"]["Name"] in _GONE:
        return None
    found = record.get(FIELD)
    if found is None:
        digest = hashlib.sha256(record["InstanceId"].encode()).hexdigest()[:17]
        found = {"AssociationId": f"{PREFIX}-{digest}", "Timestamp": float(record["LaunchTime"])}
    return dict(found)


def view(record: InstanceRecord, state: str = "associated") -> Record:
    association = _association(record) or {}
    return {
        "AssociationId": association.get("AssociationId", ""),
        "InstanceId": record["InstanceId"],
        "IamInstanceProfile": dict(record.get("IamInstanceProfile") or {}),
        "State": state,
        "Timestamp": association.get("Timestamp", record["LaunchTime"]),
    }


def describe(
    ctx: RequestContext, params: shapes.DescribeIamInstanceProfileAssociationsRequest
) -> tuple[list[Record], str | None]:
    """One page of DescribeIamInstanceProfileAssociations, in association id order."""
    given = params.get("Filters")
    filters.check_filters(given, EXTRACTORS)
    wanted = params.get("AssociationIds")
    paging.refuse_ids_with_max_results(wanted, params, "associationIds")
    instance_ids = filters.filter_value(given, "instance-id")
    if instance_ids is not None:
        found = [instances.find_instance(ctx, i) for i in dict.fromkeys(instance_ids) if _well_formed(i)]
        records = [r for r in found if r is not None and instances.visible(ctx, r)]
    else:
        records = [r for r in INSTANCE.scan(ctx) if instances.visible(ctx, r)]
    views = [view(r) for r in records if _association(r) is not None]
    if wanted:
        known = {v["AssociationId"] for v in views}
        missing = [a for a in wanted if a not in known]
        if missing:
            raise AwsError("InvalidAssociationID.NotFound", f"An association ID '{missing[0]}' does not exist")
        views = [v for v in views if v["AssociationId"] in wanted]
    matching = sorted((v for v in views if filters.matches(v, given, EXTRACTORS)), key=lambda v: v["AssociationId"])
    return page(ctx, "ec2:DescribeIamInstanceProfileAssociations", matching, "AssociationId", params)


def _well_formed(instance_id: str) -> bool:
    try:
        instances.check_instance_id(instance_id)
    except AwsError:
        return False
    return True


def _by_association(ctx: RequestContext, association_id: str) -> InstanceRecord:
    """The instance holding the association; EC2's error when none does."""
    for record in INSTANCE.scan(ctx):
        association = _association(record)
        if association is not None and association["AssociationId"] == association_id:
            return record
    raise AwsError("InvalidAssociationID.NotFound", f"An association ID '{association_id}' does not exist")


def _set(ctx: RequestContext, record: InstanceRecord, wanted: Mapping[str, Any] | None) -> None:
    profile = instances.resolve_profile(ctx, wanted)
    if profile is None:
        raise AwsError("MissingParameter", "The request must contain the parameter iamInstanceProfile")
    record["IamInstanceProfile"] = {"Arn": profile["Arn"], "Id": profile["InstanceProfileId"]}
    record[FIELD] = {"AssociationId": ids.resource_id(PREFIX), "Timestamp": ctx.now}
    instances.save(ctx, record)


def associate(ctx: RequestContext, instance_id: str, wanted: Mapping[str, Any] | None) -> Record:
    record = instances.get_instance(ctx, instance_id)
    if record["State"]["Name"] in _GONE:
        raise AwsError(
            "IncorrectInstanceState",
            f"The instance '{instance_id}' is not in a state from which it can be associated with an instance profile.",
        )
    if _association(record) is not None:
        raise AwsError("IncorrectState", f"There is an existing association for instance {instance_id}")
    _set(ctx, record, wanted)
    return view(record, "associating")


def replace(ctx: RequestContext, association_id: str, wanted: Mapping[str, Any] | None) -> Record:
    """A new association (new id) with the new profile, in place of the named one."""
    record = _by_association(ctx, association_id)
    if record["State"]["Name"] != "running":
        raise AwsError("IncorrectState", f"The association {association_id} is not the active association")
    _set(ctx, record, wanted)
    return view(record, "associating")


def disassociate(ctx: RequestContext, association_id: str) -> Record:
    record = _by_association(ctx, association_id)
    answer = view(record, "disassociating")
    record.pop("IamInstanceProfile", None)
    record.pop(FIELD, None)
    instances.save(ctx, record)
    return answer
