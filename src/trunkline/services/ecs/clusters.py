"""ECS CreateCluster, DescribeClusters, ListClusters, DeleteCluster."""

from __future__ import annotations


class ClusterOps:
    pass
