"""EC2 DescribeInstanceStatus: each instance's state and its two status checks (instance and
system reachability), as `aws ec2 wait instance-status-ok` reads them.

A running instance's checks read `initializing` until `ec2.instance.status-checks` (timing.py) has
passed since it last reached running, then `ok`/`passed`; nothing here ever fails a check. Only
running instances are shown unless `IncludeAllInstances`; the others then show `not-applicable`.
No scheduled events exist, so the `event.*` filters match nothing (docs/decisions.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import filters, instance_views, paging, zones
from trunkline.domain.ec2.kinds import INSTANCE
from trunkline.domain.ec2.records import InstanceRecord

if TYPE_CHECKING:
    from trunkline.wire.shapes import ec2 as shapes

Record = dict[str, Any]

CHECKS_STEP = "ec2.instance.status-checks"
_ORDER = "_order"


def _nothing(_: Record) -> list[Any]:
    return []


def _reachability(check: str) -> filters.Extractor:
    return lambda r: [d["Status"] for d in r[check].get("Details", []) if d["Name"] == "reachability"]


STATUS_FILTERS: dict[str, filters.Extractor] = {
    "availability-zone": filters.field("AvailabilityZone"),
    "availability-zone-id": filters.field("AvailabilityZoneId"),
    "instance-state-code": filters.field("InstanceState", "Code"),
    "instance-state-name": filters.field("InstanceState", "Name"),
    "instance-status.reachability": _reachability("InstanceStatus"),
    "instance-status.status": filters.field("InstanceStatus", "Status"),
    "system-status.reachability": _reachability("SystemStatus"),
    "system-status.status": filters.field("SystemStatus", "Status"),
    "operator.managed": lambda r: [False],  # no instance here is managed by a service operator
    "operator.principal": _nothing,
    "attached-ebs-status.status": _nothing,
    "application-status.status": _nothing,
    **{
        f"event.{name}": _nothing
        for name in ("code", "description", "instance-event-id", "not-after", "not-before", "not-before-deadline")
    },
}


def _check(status: str) -> Record:
    if status == "not-applicable":
        return {"Status": status}
    return {"Status": status, "Details": [{"Name": "reachability", "Status": "passed" if status == "ok" else status}]}


def checks_status(ctx: RequestContext, record: InstanceRecord) -> str:
    """`ok` once the checks have had their time since the instance reached running, `initializing`
    before; `not-applicable` when it is not running."""
    if record["State"]["Name"] != "running":
        return "not-applicable"
    since = record.get("_RunningSince")
    if since is None:  # running before trunkline kept the time: long enough ago
        return "ok"
    return "ok" if ctx.now >= since + ctx.timing.duration(CHECKS_STEP) else "initializing"


def status_view(ctx: RequestContext, record: InstanceRecord) -> Record:
    zone = record["Placement"]["AvailabilityZone"]
    status = checks_status(ctx, record)
    view: Record = {
        "InstanceId": record["InstanceId"],
        "AvailabilityZone": zone,
        "InstanceState": dict(record["State"]),
        "InstanceStatus": _check(status),
        "SystemStatus": _check(status),
    }
    zone_id = zones.zone_id(ctx.region, zone)
    if zone_id is not None:
        view["AvailabilityZoneId"] = zone_id
    return view


def describe(ctx: RequestContext, params: shapes.DescribeInstanceStatusRequest) -> tuple[list[Record], str | None]:
    """One page of DescribeInstanceStatus, in DescribeInstances' order, and the next token."""
    given = params.get("Filters")
    filters.check_filters(given, STATUS_FILTERS)
    records = instance_views.instances_asked(ctx, params)
    include_all = bool(params.get("IncludeAllInstances"))
    views = []
    for record in records:
        if not include_all and record["State"]["Name"] != "running":
            continue
        view = status_view(ctx, record)
        if filters.matches(view, given, STATUS_FILTERS):
            view[_ORDER] = instance_views.launch_order(record)
            views.append(view)
    views.sort(key=lambda v: v[_ORDER])
    chosen, token = paging.page(ctx, f"{INSTANCE.name}-status", views, _ORDER, params)
    for view in chosen:
        view.pop(_ORDER)
    return chosen, token
