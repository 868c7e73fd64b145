"""EC2 RunInstances, DescribeInstances, Stop/Start/TerminateInstances, ModifyPrivateDnsNameOptions."""

from __future__ import annotations

from trunkline.reconciler import JobHandler


class InstanceOps:
    def instance_jobs(self) -> dict[str, JobHandler]:
        return {}
