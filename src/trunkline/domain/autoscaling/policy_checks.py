"""PutScalingPolicy's checks of a policy's type, adjustment type and adjustments, before it is
stored (the API reference says which members each policy type requires)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trunkline.errors import validation_error

POLICY_TYPES = ("SimpleScaling", "StepScaling", "TargetTrackingScaling", "PredictiveScaling")
ADJUSTMENT_TYPES = ("ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity")


def check_policy(policy_type: str, params: Mapping[str, Any]) -> None:
    """Refuse what AWS refuses; `policy_type` is the request's, SimpleScaling when absent."""
    if policy_type not in POLICY_TYPES:
        raise validation_error(f"Invalid policy type: {policy_type}. Valid policy types are {', '.join(POLICY_TYPES)}.")
    adjustment_type = params.get("AdjustmentType")
    if adjustment_type is not None and adjustment_type not in ADJUSTMENT_TYPES:
        raise validation_error(
            f"Invalid adjustment type: {adjustment_type}. Valid adjustment types are {', '.join(ADJUSTMENT_TYPES)}."
        )
    if policy_type not in ("SimpleScaling", "StepScaling"):
        return
    if adjustment_type is None:  # AWS's text (aws/aws-cdk#28794)
        raise validation_error(f"You must specify an AdjustmentType for policy type: {policy_type}")
    if policy_type == "SimpleScaling":
        if params.get("ScalingAdjustment") is None:
            raise validation_error("You must specify a ScalingAdjustment for policy type: SimpleScaling")
        adjustments = [params["ScalingAdjustment"]]
    else:
        if not params.get("StepAdjustments"):
            raise validation_error("You must specify at least one StepAdjustment for policy type: StepScaling")
        adjustments = [step["ScalingAdjustment"] for step in params["StepAdjustments"]]
    if adjustment_type == "ExactCapacity" and min(adjustments) < 0:  # AWS's text (hashicorp/terraform#19332)
        raise validation_error("The lower range for adjustment is 0 with the specified adjustment type.")
