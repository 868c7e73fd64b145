"""EC2 RunInstances, DescribeInstances, DescribeInstanceStatus, Stop/Start/TerminateInstances, ModifyPrivateDnsNameOptions,
the IAM instance profile associations (Describe, Associate, Replace, Disassociate),
Describe/ModifyInstanceAttribute, ModifyInstanceCpuOptions, ModifyInstanceMetadataOptions, Monitor/UnmonitorInstances,
ModifyInstanceMaintenanceOptions, Describe/ModifyInstanceCreditSpecification(s), DescribeVolumes (the volumes launches make). Thin: parameters in, domain call, output shape out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import (
    credit_specifications,
    instance_attributes,
    instance_requests,
    instance_status,
    instance_views,
    instances,
    profile_associations,
    volumes,
)
from trunkline.reconciler import JobHandler

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class InstanceOps:
    def instance_jobs(self) -> dict[str, JobHandler]:
        return {
            instances.RUNNING_JOB: instances.finish_launch_job,
            instances.STOPPED_JOB: instances.finish_stop_job,
            instances.TERMINATED_JOB: instances.finish_terminate_job,
        }

    def run_instances(self, ctx: RequestContext, params: shapes.RunInstancesRequest) -> Params:
        return instance_requests.run(ctx, params)

    def describe_instances(self, ctx: RequestContext, params: shapes.DescribeInstancesRequest) -> Params:
        found, token = instance_views.describe_instances(ctx, params)
        return {"Reservations": found, "NextToken": token}

    def describe_instance_status(self, ctx: RequestContext, params: shapes.DescribeInstanceStatusRequest) -> Params:
        found, token = instance_status.describe(ctx, params)
        return {"InstanceStatuses": found, "NextToken": token}

    def stop_instances(self, ctx: RequestContext, params: shapes.StopInstancesRequest) -> Params:
        return {"StoppingInstances": instances.stop_instances(ctx, params["InstanceIds"])}

    def start_instances(self, ctx: RequestContext, params: shapes.StartInstancesRequest) -> Params:
        return {"StartingInstances": instances.start_instances(ctx, params["InstanceIds"])}

    def terminate_instances(self, ctx: RequestContext, params: shapes.TerminateInstancesRequest) -> Params:
        return {"TerminatingInstances": instances.terminate_instances(ctx, params["InstanceIds"])}

    def modify_private_dns_name_options(
        self, ctx: RequestContext, params: shapes.ModifyPrivateDnsNameOptionsRequest
    ) -> Params:
        instances.modify_private_dns_name_options(
            ctx,
            params["InstanceId"],
            params.get("PrivateDnsHostnameType"),
            params.get("EnableResourceNameDnsARecord"),
            params.get("EnableResourceNameDnsAAAARecord"),
        )
        return {"Return": True}

    # --- IAM instance profile associations ---------------------------------------------------------

    def describe_iam_instance_profile_associations(
        self, ctx: RequestContext, params: shapes.DescribeIamInstanceProfileAssociationsRequest
    ) -> Params:
        found, token = profile_associations.describe(ctx, params)
        return {"IamInstanceProfileAssociations": found, "NextToken": token}

    def associate_iam_instance_profile(
        self, ctx: RequestContext, params: shapes.AssociateIamInstanceProfileRequest
    ) -> Params:
        association = profile_associations.associate(ctx, params["InstanceId"], params.get("IamInstanceProfile"))
        return {"IamInstanceProfileAssociation": association}

    def replace_iam_instance_profile_association(
        self, ctx: RequestContext, params: shapes.ReplaceIamInstanceProfileAssociationRequest
    ) -> Params:
        association = profile_associations.replace(ctx, params["AssociationId"], params.get("IamInstanceProfile"))
        return {"IamInstanceProfileAssociation": association}

    def disassociate_iam_instance_profile(
        self, ctx: RequestContext, params: shapes.DisassociateIamInstanceProfileRequest
    ) -> Params:
        return {"IamInstanceProfileAssociation": profile_associations.disassociate(ctx, params["AssociationId"])}

    def describe_instance_attribute(
        self, ctx: RequestContext, params: shapes.DescribeInstanceAttributeRequest
    ) -> Params:
        return instance_requests.attribute(ctx, params)

    def modify_instance_attribute(self, ctx: RequestContext, params: shapes.ModifyInstanceAttributeRequest) -> Params:
        instance_attributes.modify(ctx, params)
        return {}

    def modify_instance_cpu_options(
        self, ctx: RequestContext, params: shapes.ModifyInstanceCpuOptionsRequest
    ) -> Params:
        return instance_attributes.modify_cpu_options(ctx, params)

    def modify_instance_metadata_options(
        self, ctx: RequestContext, params: shapes.ModifyInstanceMetadataOptionsRequest
    ) -> Params:
        return instance_attributes.modify_metadata_options(ctx, params)

    def monitor_instances(self, ctx: RequestContext, params: shapes.MonitorInstancesRequest) -> Params:
        return {"InstanceMonitorings": instance_attributes.monitor(ctx, params["InstanceIds"], enabled=True)}

    def unmonitor_instances(self, ctx: RequestContext, params: shapes.UnmonitorInstancesRequest) -> Params:
        return {"InstanceMonitorings": instance_attributes.monitor(ctx, params["InstanceIds"], enabled=False)}

    def modify_instance_maintenance_options(
        self, ctx: RequestContext, params: shapes.ModifyInstanceMaintenanceOptionsRequest
    ) -> Params:
        return instance_attributes.modify_maintenance_options(ctx, params)

    def describe_instance_credit_specifications(
        self, ctx: RequestContext, params: shapes.DescribeInstanceCreditSpecificationsRequest
    ) -> Params:
        found, token = credit_specifications.describe(ctx, params)
        return {"InstanceCreditSpecifications": found, "NextToken": token}

    def modify_instance_credit_specification(
        self, ctx: RequestContext, params: shapes.ModifyInstanceCreditSpecificationRequest
    ) -> Params:
        return credit_specifications.modify(ctx, params)

    def describe_volumes(self, ctx: RequestContext, params: shapes.DescribeVolumesRequest) -> Params:
        found, token = volumes.describe_volumes(ctx, params)
        return {"Volumes": found, "NextToken": token}
