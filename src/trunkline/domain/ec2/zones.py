"""Availability Zones per region, as EC2 names them (used by DescribeAvailabilityZones and subnets).

AWS maps zone names to zone ids per account in older regions; trunkline uses one fixed mapping
(REGIONa -> <short>-az1, ...) so every account sees the same, deterministic layout.
"""

from __future__ import annotations

from dataclasses import dataclass

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
