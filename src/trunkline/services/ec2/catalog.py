"""EC2 DescribeInstanceTypes, DescribeAvailabilityZones, DescribeImages."""

from __future__ import annotations


class CatalogOps:
    pass
