"""EC2 CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute."""

from __future__ import annotations


class SubnetOps:
    pass
