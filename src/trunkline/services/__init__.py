"""Service providers: one class per AWS service, one method per operation (named as botocore's
`xform_name` spells it, e.g. `run_task` for RunTask), taking a `RequestContext` and the parsed
parameters and returning the output shape as plain data."""

from __future__ import annotations

from typing import Any

from trunkline.services.autoscaling import AutoScalingProvider
from trunkline.services.ec2 import Ec2Provider
from trunkline.services.ecs import EcsProvider
from trunkline.services.iam import IamProvider
from trunkline.services.logs import LogsProvider
from trunkline.services.provider import Provider
from trunkline.services.ssm import SsmProvider
from trunkline.services.sts import StsProvider


def build_providers() -> dict[str, Any]:
    providers: list[Provider] = [
        AutoScalingProvider(),
        Ec2Provider(),
        EcsProvider(),
        IamProvider(),
        LogsProvider(),
        SsmProvider(),
        StsProvider(),
    ]
    return {p.service: p for p in providers}
