"""DescribeInstanceCreditSpecifications and ModifyInstanceCreditSpecification: the CPU credit
option (`standard` or `unlimited`) of burstable instances, set at launch (`cpu_options.py`).

Terraform's `aws_instance` reads it for every burstable type, so a t3 instance could not be read
back without it. As the API reference says: named instances are answered (an instance of a type
without CPU credits is refused); with none named, the burstable instances running `unlimited`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import cpu_options, filters, instance_views, instances, paging
from trunkline.domain.ec2.kinds import INSTANCE
from trunkline.domain.ec2.records import InstanceRecord
from trunkline.errors import AwsError

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

_ORDER = "_order"
CREDIT_FILTERS: dict[str, filters.Extractor] = {"instance-id": filters.field("InstanceId")}


def credits_of(record: InstanceRecord) -> str | None:
    """The instance's option; instances launched before trunkline kept it have their family's default."""
    if not cpu_options.burstable(record["InstanceType"]):
        return record.get("_CpuCredits")
    return record.get("_CpuCredits") or cpu_options.credit_option(record["InstanceType"], None)


def describe(
    ctx: RequestContext, params: shapes.DescribeInstanceCreditSpecificationsRequest
) -> tuple[list[Record], str | None]:
    given = params.get("Filters")
    filters.check_filters(given, CREDIT_FILTERS)
    named = bool(params.get("InstanceIds"))
    views: list[Record] = []
    for record in instance_views.instances_asked(ctx, params):
        option = credits_of(record)
        if named and option is None:
            raise cpu_options.not_supported(record["InstanceType"])
        if not named and option != "unlimited":
            continue
        view: Record = {"InstanceId": record["InstanceId"], "CpuCredits": option}
        if filters.matches(view, given, CREDIT_FILTERS):
            views.append({**view, _ORDER: instance_views.launch_order(record)})
    views.sort(key=lambda v: v[_ORDER])
    chosen, token = paging.page(ctx, f"{INSTANCE.name}-credits", views, _ORDER, params)
    return [{k: v for k, v in view.items() if k != _ORDER} for view in chosen], token


def modify(ctx: RequestContext, params: shapes.ModifyInstanceCreditSpecificationRequest) -> Record:
    """Each instance on its own: a change that cannot be made is listed, not raised."""
    done: list[Record] = []
    failed: list[Record] = []
    for item in params["InstanceCreditSpecifications"]:
        instance_id = item.get("InstanceId") or ""
        try:
            _modify_one(ctx, instance_id, item.get("CpuCredits"))
        except AwsError as error:
            failed.append({"InstanceId": instance_id, "Error": {"Code": error.code, "Message": error.message}})
            continue
        done.append({"InstanceId": instance_id})
    return {"SuccessfulInstanceCreditSpecifications": done, "UnsuccessfulInstanceCreditSpecifications": failed}


def _modify_one(ctx: RequestContext, instance_id: str, wanted: str | None) -> None:
    record = instances.get_instance(ctx, instance_id)
    if record["State"]["Name"] in ("shutting-down", "terminated"):
        raise AwsError(
            "IncorrectInstanceState", f"The instance '{instance_id}' is not in a valid state for this operation."
        )
    option = cpu_options.credit_option(record["InstanceType"], {"CpuCredits": wanted or ""})
    if option is not None and option != record.get("_CpuCredits"):
        record["_CpuCredits"] = option
        instances.save(ctx, record)
