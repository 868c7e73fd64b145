"""EC2 CreateLaunchTemplate, CreateLaunchTemplateVersion, DescribeLaunchTemplates,
DescribeLaunchTemplateVersions, ModifyLaunchTemplate, DeleteLaunchTemplate,
DeleteLaunchTemplateVersions. (RunInstances with `LaunchTemplate` is in instances.py.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ec2 import launch_templates as domain
from trunkline.domain.ec2 import lookup

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ec2 as shapes

Params = dict[str, Any]


class LaunchTemplateOps:
    def create_launch_template(self, ctx: RequestContext, params: shapes.CreateLaunchTemplateRequest) -> Params:
        template, _ = domain.create_launch_template(ctx, params)
        return {"LaunchTemplate": lookup.public(template)}

    def create_launch_template_version(
        self, ctx: RequestContext, params: shapes.CreateLaunchTemplateVersionRequest
    ) -> Params:
        return {"LaunchTemplateVersion": domain.create_launch_template_version(ctx, params)}

    def describe_launch_templates(self, ctx: RequestContext, params: shapes.DescribeLaunchTemplatesRequest) -> Params:
        found, token = domain.describe_launch_templates(ctx, params)
        return {"LaunchTemplates": found, "NextToken": token}

    def describe_launch_template_versions(
        self, ctx: RequestContext, params: shapes.DescribeLaunchTemplateVersionsRequest
    ) -> Params:
        found, token = domain.describe_launch_template_versions(ctx, params)
        return {"LaunchTemplateVersions": found, "NextToken": token}

    def modify_launch_template(self, ctx: RequestContext, params: shapes.ModifyLaunchTemplateRequest) -> Params:
        return {"LaunchTemplate": lookup.public(domain.modify_launch_template(ctx, params))}

    def delete_launch_template(self, ctx: RequestContext, params: shapes.DeleteLaunchTemplateRequest) -> Params:
        return {"LaunchTemplate": lookup.public(domain.delete_launch_template(ctx, params))}

    def delete_launch_template_versions(
        self, ctx: RequestContext, params: shapes.DeleteLaunchTemplateVersionsRequest
    ) -> Params:
        deleted, refused = domain.delete_launch_template_versions(ctx, params)
        return {
            "SuccessfullyDeletedLaunchTemplateVersions": deleted,
            "UnsuccessfullyDeletedLaunchTemplateVersions": refused,
        }
