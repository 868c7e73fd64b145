"""EC2 Create/Describe/DeleteSecurityGroup, Authorize/RevokeSecurityGroupIngress/Egress."""

from __future__ import annotations


class SecurityGroupOps:
    pass
