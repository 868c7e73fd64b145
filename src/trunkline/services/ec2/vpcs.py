"""EC2 CreateVpc, DescribeVpcs, DeleteVpc, ModifyVpcAttribute, DescribeVpcAttribute."""

from __future__ import annotations


class VpcOps:
    pass
