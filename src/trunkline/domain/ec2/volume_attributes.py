"""DescribeVolumeAttribute and ModifyVolumeAttribute: a volume's `autoEnableIO` and `productCodes`.

`autoEnableIO` says whether EC2 resumes I/O by itself on a volume whose data it finds possibly
inconsistent (by default it suspends I/O until the owner enables it). Nothing here ever finds a
volume inconsistent, so the setting is kept and shown, as EC2 keeps it, and has no other effect.
Volumes here come from no AWS Marketplace product, so `productCodes` is always empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2.kinds import VOLUME
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]


def describe(ctx: RequestContext, request: shapes.DescribeVolumeAttributeRequest) -> Record:
    """The volume's id and the one attribute asked for (the model's enum admits only these two)."""
    record = VOLUME.require(ctx, request["VolumeId"])
    out: Record = {"VolumeId": record["VolumeId"]}
    if request["Attribute"] == "autoEnableIO":
        out["AutoEnableIO"] = {"Value": bool(record.get("_AutoEnableIO", False))}
    else:
        out["ProductCodes"] = []
    return out


def modify(ctx: RequestContext, request: shapes.ModifyVolumeAttributeRequest) -> None:
    """`AutoEnableIO` is the one attribute it changes; a call without a value changes nothing and
    is refused (docs/decisions.md)."""
    record = VOLUME.require(ctx, request["VolumeId"])
    wanted = (request.get("AutoEnableIO") or {}).get("Value")
    if wanted is None:
        raise AwsError("MissingParameter", "The request must contain the parameter autoEnableIO")
    record["_AutoEnableIO"] = bool(wanted)
    VOLUME.save(ctx, record)
