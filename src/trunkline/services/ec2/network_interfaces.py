"""EC2 network interfaces: Create/Attach/Detach/Delete/DescribeNetworkInterfaces and trunk associations."""

from __future__ import annotations

from trunkline.reconciler import JobHandler


class NetworkInterfaceOps:
    def network_interface_jobs(self) -> dict[str, JobHandler]:
        return {}
