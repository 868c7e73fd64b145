"""Group metrics collection (EnableMetricsCollection, DisableMetricsCollection,
DescribeMetricCollectionTypes): which metrics a group has enabled, shown by
DescribeAutoScalingGroups as `EnabledMetrics` `[{Metric, Granularity}]`. trunkline publishes no
CloudWatch data: the setting is kept and shown, as Terraform's `enabled_metrics` reads it back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trunkline.errors import validation_error

GRANULARITY = "1Minute"  # "The only valid value is 1Minute." (API reference)
#: Every metric, in the API reference's order (EnableMetricsCollection, Metrics).
METRICS = (
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
    "WarmPoolDesiredCapacity",
    "WarmPoolWarmedCapacity",
    "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity",
    "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity",
    "GroupAndWarmPoolTotalCapacity",
)


def chosen(names: Sequence[str] | None) -> list[str]:
    """The metrics a call names ("If you don't specify any metrics, all metrics are enabled" /
    disabled); unknown names are refused."""
    if not names:
        return list(METRICS)
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise validation_error(f"Invalid metrics: {', '.join(unknown)}. Valid metrics are: {', '.join(METRICS)}.")
    return list(dict.fromkeys(names))


def check_granularity(granularity: str) -> None:
    if granularity != GRANULARITY:
        raise validation_error(f"Invalid granularity: {granularity}. The only valid granularity is {GRANULARITY}.")


def enabled(current: list[dict[str, Any]], names: list[str], granularity: str) -> list[dict[str, Any]]:
    """`current` with `names` enabled at `granularity`, in the API reference's metric order."""
    kept = {m["Metric"]: m for m in current}
    kept.update({n: {"Metric": n, "Granularity": granularity} for n in names})
    return [kept[n] for n in METRICS if n in kept]


def disabled(current: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    return [m for m in current if m["Metric"] not in names]


def collection_types() -> dict[str, list[dict[str, str]]]:
    return {"Metrics": [{"Metric": m} for m in METRICS], "Granularities": [{"Granularity": GRANULARITY}]}
