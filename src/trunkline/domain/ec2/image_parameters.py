"""`resolve:ssm:<parameter>` in place of an AMI id (RunInstances' ImageId, a launch template's
ImageId): EC2 reads the Systems Manager parameter at launch and launches the image it names.

Only parameters of data type `aws:ec2:image` name an image (AWS refuses any other with
SsmInvalidParameter); trunkline's parameters are SSM's public `/aws/service/...` ones.
"""

from __future__ import annotations

from trunkline.context import RequestContext
from trunkline.domain import ssm
from trunkline.errors import AwsError

PREFIX = "resolve:ssm:"
_IMAGE_DATA_TYPE = "aws:ec2:image"


def resolve(ctx: RequestContext, image_id: str) -> str:
    """The AMI id `image_id` stands for: itself, or the value of the parameter it references."""
    if not image_id.startswith(PREFIX):
        return image_id
    name = image_id[len(PREFIX) :]
    try:
        parameter = ssm.get_parameter(ctx, name)
    except AwsError:  # no such parameter, or no such version of it (decisions.md)
        raise AwsError(
            "InvalidParameterValue",
            f"Value ({image_id}) for parameter imageId is invalid. "
            f"The Systems Manager parameter {name} could not be found.",
        ) from None
    if parameter.get("DataType") != _IMAGE_DATA_TYPE:
        raise AwsError(
            "SsmInvalidParameter",
            "Unsupported data type. The following parameter data types are supported: aws:ec2:image",
        )
    return str(parameter["Value"])
