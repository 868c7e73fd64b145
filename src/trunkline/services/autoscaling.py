"""EC2 Auto Scaling operations (query protocol, API 2011-01-01). Thin: parameters in, domain call,
output shape out. Groups reconcile on the clock (`domain/autoscaling/scaling.py`) and follow their
instances' lifecycle through `wiring.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.autoscaling import (
    attachment,
    groups,
    lifecycle,
    listings,
    metrics,
    processes,
    refreshes,
    scaling,
    standby,
)
from trunkline.domain.ec2 import default_vpc
from trunkline.reconciler import JobHandler
from trunkline.services.provider import Operation, Provider

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import autoscaling as shapes

Params = dict[str, Any]


class AutoScalingProvider(Provider):
    service = "autoscaling"

    def invoke(self, ctx: RequestContext, operation: str, params: Params, method: Operation) -> Params:
        default_vpc.ensure(ctx)  # a group given zones alone launches into the default VPC
        return method(ctx, params)

    def jobs(self) -> dict[str, JobHandler]:
        return {
            scaling.JOB: scaling.reconcile_job,
            lifecycle.JOB: lifecycle.timeout_job,
            refreshes.JOB: refreshes.step_job,
        }

    def create_auto_scaling_group(self, ctx: RequestContext, params: shapes.CreateAutoScalingGroupType) -> Params:
        groups.create(ctx, params)
        return {}

    def update_auto_scaling_group(self, ctx: RequestContext, params: shapes.UpdateAutoScalingGroupType) -> Params:
        groups.update(ctx, params)
        return {}

    def delete_auto_scaling_group(self, ctx: RequestContext, params: shapes.DeleteAutoScalingGroupType) -> Params:
        groups.delete(ctx, params["AutoScalingGroupName"], bool(params.get("ForceDelete")))
        return {}

    def describe_auto_scaling_groups(self, ctx: RequestContext, params: shapes.AutoScalingGroupNamesType) -> Params:
        page, token = listings.describe_groups(ctx, params)
        return {"AutoScalingGroups": page, "NextToken": token}

    def set_desired_capacity(self, ctx: RequestContext, params: shapes.SetDesiredCapacityType) -> Params:
        groups.set_desired_capacity(ctx, params["AutoScalingGroupName"], params["DesiredCapacity"])
        return {}

    def terminate_instance_in_auto_scaling_group(
        self, ctx: RequestContext, params: shapes.TerminateInstanceInAutoScalingGroupType
    ) -> Params:
        one, many = groups.terminate_requested(ctx, params)
        return {"Activity": one} if one is not None else {"Activities": many}

    def set_instance_protection(self, ctx: RequestContext, params: shapes.SetInstanceProtectionQuery) -> Params:
        groups.set_instance_protection(
            ctx, params["AutoScalingGroupName"], params["InstanceIds"], params["ProtectedFromScaleIn"]
        )
        return {}

    def suspend_processes(self, ctx: RequestContext, params: shapes.ScalingProcessQuery) -> Params:
        groups.suspend_processes(ctx, params["AutoScalingGroupName"], params.get("ScalingProcesses"))
        return {}

    def resume_processes(self, ctx: RequestContext, params: shapes.ScalingProcessQuery) -> Params:
        groups.resume_processes(ctx, params["AutoScalingGroupName"], params.get("ScalingProcesses"))
        return {}

    def describe_scaling_process_types(self, ctx: RequestContext, params: Params) -> Params:
        return {"Processes": processes.process_types()}

    def enable_metrics_collection(self, ctx: RequestContext, params: shapes.EnableMetricsCollectionQuery) -> Params:
        groups.enable_metrics(ctx, params["AutoScalingGroupName"], params.get("Metrics"), params["Granularity"])
        return {}

    def disable_metrics_collection(self, ctx: RequestContext, params: shapes.DisableMetricsCollectionQuery) -> Params:
        groups.disable_metrics(ctx, params["AutoScalingGroupName"], params.get("Metrics"))
        return {}

    def describe_metric_collection_types(self, ctx: RequestContext, params: Params) -> Params:
        return metrics.collection_types()

    def start_instance_refresh(self, ctx: RequestContext, params: shapes.StartInstanceRefreshType) -> Params:
        group = groups.get(ctx, params["AutoScalingGroupName"])
        return {"InstanceRefreshId": refreshes.start(ctx, group, params)["InstanceRefreshId"]}

    def describe_instance_refreshes(self, ctx: RequestContext, params: shapes.DescribeInstanceRefreshesType) -> Params:
        page, token = listings.describe_refreshes(ctx, params)
        return {"InstanceRefreshes": page, "NextToken": token}

    def cancel_instance_refresh(self, ctx: RequestContext, params: shapes.CancelInstanceRefreshType) -> Params:
        groups.get(ctx, params["AutoScalingGroupName"])
        wait = params.get("WaitForTransitioningInstances")
        refresh = refreshes.cancel(ctx, params["AutoScalingGroupName"], True if wait is None else wait)
        return {"InstanceRefreshId": refresh["InstanceRefreshId"]}

    def enter_standby(self, ctx: RequestContext, params: shapes.EnterStandbyQuery) -> Params:
        group = groups.get(ctx, params["AutoScalingGroupName"])
        ids, decrement = params.get("InstanceIds") or [], params["ShouldDecrementDesiredCapacity"]
        return {"Activities": standby.enter(ctx, group, ids, decrement)}

    def exit_standby(self, ctx: RequestContext, params: shapes.ExitStandbyQuery) -> Params:
        group = groups.get(ctx, params["AutoScalingGroupName"])
        return {"Activities": standby.exit_standby(ctx, group, params.get("InstanceIds") or [])}

    def detach_instances(self, ctx: RequestContext, params: shapes.DetachInstancesQuery) -> Params:
        group = groups.get(ctx, params["AutoScalingGroupName"])
        ids, decrement = params.get("InstanceIds") or [], params["ShouldDecrementDesiredCapacity"]
        return {"Activities": attachment.detach(ctx, group, ids, decrement)}

    def attach_instances(self, ctx: RequestContext, params: shapes.AttachInstancesQuery) -> Params:
        group = groups.get(ctx, params["AutoScalingGroupName"])
        groups.check_not_deleting(group)
        attachment.attach(ctx, group, params.get("InstanceIds") or [])
        return {}

    def describe_auto_scaling_instances(
        self, ctx: RequestContext, params: shapes.DescribeAutoScalingInstancesType
    ) -> Params:
        page, token = listings.describe_instances(ctx, params)
        return {"AutoScalingInstances": page, "NextToken": token}

    def describe_scaling_activities(self, ctx: RequestContext, params: shapes.DescribeScalingActivitiesType) -> Params:
        page, token = listings.describe_activities(ctx, params)
        return {"Activities": page, "NextToken": token}

    def create_or_update_tags(self, ctx: RequestContext, params: shapes.CreateOrUpdateTagsType) -> Params:
        groups.create_or_update_tags(ctx, params["Tags"])
        return {}

    def delete_tags(self, ctx: RequestContext, params: shapes.DeleteTagsType) -> Params:
        groups.delete_tags(ctx, params["Tags"])
        return {}

    def describe_tags(self, ctx: RequestContext, params: shapes.DescribeTagsType) -> Params:
        page, token = listings.describe_tags(ctx, params)
        return {"Tags": page, "NextToken": token}

    def put_scaling_policy(self, ctx: RequestContext, params: shapes.PutScalingPolicyType) -> Params:
        policy = groups.put_scaling_policy(ctx, params)
        return {"PolicyARN": policy["PolicyARN"], "Alarms": policy["Alarms"]}

    def describe_policies(self, ctx: RequestContext, params: shapes.DescribePoliciesType) -> Params:
        page, token = listings.describe_policies(ctx, params)
        return {"ScalingPolicies": page, "NextToken": token}

    def delete_policy(self, ctx: RequestContext, params: shapes.DeletePolicyType) -> Params:
        groups.delete_policy(ctx, params.get("AutoScalingGroupName"), params["PolicyName"])
        return {}

    def put_lifecycle_hook(self, ctx: RequestContext, params: shapes.PutLifecycleHookType) -> Params:
        groups.put_lifecycle_hook(ctx, params)
        return {}

    def describe_lifecycle_hooks(self, ctx: RequestContext, params: shapes.DescribeLifecycleHooksType) -> Params:
        hooks = groups.describe_lifecycle_hooks(ctx, params["AutoScalingGroupName"], params.get("LifecycleHookNames"))
        return {"LifecycleHooks": hooks}

    def delete_lifecycle_hook(self, ctx: RequestContext, params: shapes.DeleteLifecycleHookType) -> Params:
        groups.delete_lifecycle_hook(ctx, params["AutoScalingGroupName"], params["LifecycleHookName"])
        return {}

    def complete_lifecycle_action(self, ctx: RequestContext, params: shapes.CompleteLifecycleActionType) -> Params:
        lifecycle.complete(
            ctx,
            params["AutoScalingGroupName"],
            params["LifecycleHookName"],
            params["LifecycleActionResult"],
            params.get("LifecycleActionToken"),
            params.get("InstanceId"),
        )
        return {}

    def record_lifecycle_action_heartbeat(
        self, ctx: RequestContext, params: shapes.RecordLifecycleActionHeartbeatType
    ) -> Params:
        lifecycle.heartbeat(
            ctx,
            params["AutoScalingGroupName"],
            params["LifecycleHookName"],
            params.get("LifecycleActionToken"),
            params.get("InstanceId"),
        )
        return {}
