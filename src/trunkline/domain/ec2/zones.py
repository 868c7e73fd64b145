"""Availability Zones per region, as EC2 names them (used by DescribeAvailabilityZones and subnets).

AWS maps zone names to zone ids per account in older regions; trunkline uses one fixed mapping
(REGIONa -> <short>-az1, ...) so every account sees the same, deterministic layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trunkline.domain.ec2.filters import Extractor, check_filters, matches
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

# Regions whose zone count we know differs from the default of three.
_ZONE_COUNT = {"us-east-1": 6, "us-west-2": 4}
_DEFAULT_ZONE_COUNT = 3

_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


@dataclass(frozen=True)
class Zone:
    name: str  # e.g. "us-east-1a"
    zone_id: str  # e.g. "use1-az1"
    region: str


def region_short_code(region: str) -> str:
    """The prefix of zone ids: us-east-1 -> use1, ap-southeast-2 -> apse2, us-gov-west-1 -> usgw1."""
    parts = region.split("-")
    if len(parts) < 3:
        return region.replace("-", "")
    geo, middle, number = parts[0], parts[1:-1], parts[-1]
    code = geo + "".join(_DIRECTIONS.get(p, p[:1]) for p in middle)
    return code + number


def zones(region: str) -> list[Zone]:
    """The region's zones, in name order."""
    short = region_short_code(region)
    count = _ZONE_COUNT.get(region, _DEFAULT_ZONE_COUNT)
    return [Zone(f"{region}{chr(ord('a') + i)}", f"{short}-az{i + 1}", region) for i in range(count)]


def get_zone(region: str, name: str) -> Zone | None:
    """The zone called `name` in `region`, or None."""
    return next((z for z in zones(region) if z.name == name), None)


def zone_id(region: str, name: str) -> str | None:
    """The zone id of zone `name` (e.g. "use1-az1" for "us-east-1a"), or None if the region has no such zone."""
    zone = get_zone(region, name)
    return zone.zone_id if zone else None


def zone_by_id(region: str, zone_id_: str) -> Zone | None:
    """The zone with id `zone_id_` in `region`, or None (subnets may be created by AvailabilityZoneId)."""
    return next((z for z in zones(region) if z.zone_id == zone_id_), None)


# --- DescribeAvailabilityZones ----------------------------------------------------------------------

Record = dict[str, Any]


def zone_record(zone: Zone) -> Record:
    """The zone in DescribeAvailabilityZones' shape."""
    return {
        "State": "available",
        "OptInStatus": "opt-in-not-required",
        "Messages": [],
        "RegionName": zone.region,
        "ZoneName": zone.name,
        "ZoneId": zone.zone_id,
        "GroupName": zone.region,
        "NetworkBorderGroup": zone.region,
        "ZoneType": "availability-zone",
    }


def _field(name: str) -> Extractor:
    return lambda record: [record[name]]


ZONE_FILTERS: dict[str, Extractor] = {
    "zone-name": _field("ZoneName"),
    "zone-id": _field("ZoneId"),
    "state": _field("State"),
    "region-name": _field("RegionName"),
    "group-name": _field("GroupName"),
    "network-border-group": _field("NetworkBorderGroup"),
    "opt-in-status": _field("OptInStatus"),
    "zone-type": _field("ZoneType"),
    "message": lambda record: [m["Message"] for m in record["Messages"]],
}


def _check_known(wanted: list[str], known: set[str], label: str) -> None:
    # EC2 names the first unknown value, in request order.
    for value in wanted:
        if value not in known:
            raise AwsError("InvalidParameterValue", f"Invalid availability {label}: [{value}]")


def describe_zones(region: str, params: shapes.DescribeAvailabilityZonesRequest) -> list[Record]:
    """The region's zones named by ZoneNames/ZoneIds (all must exist), filtered."""
    filters = params.get("Filters")
    check_filters(filters, ZONE_FILTERS)
    region_zones = zones(region)
    names = params.get("ZoneNames") or []
    ids = params.get("ZoneIds") or []
    _check_known(names, {z.name for z in region_zones}, "zone")
    _check_known(ids, {z.zone_id for z in region_zones}, "zone-id")
    if names or ids:
        region_zones = [z for z in region_zones if z.name in names or z.zone_id in ids]
    records = [zone_record(z) for z in region_zones]
    return [r for r in records if matches(r, filters, ZONE_FILTERS)]
