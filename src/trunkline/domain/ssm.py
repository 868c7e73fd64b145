"""SSM public parameters: the `/aws/service/...` names tooling reads to find the ECS-optimized
AMIs (and the plain Amazon Linux one). They are derived from the AMI catalog of the same region,
so an image id read here is one DescribeImages and RunInstances know.

Layout, as AWS publishes it: a "recommended" parameter whose value is the image metadata as JSON,
one child parameter per metadata field (`.../recommended/image_id`, ...), and the same again under
each release's image name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain import pagination
from trunkline.domain.ec2 import images
from trunkline.domain.ec2.images import ImageSpec
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ssm as shapes

Record = dict[str, Any]

ECS_AMI_ROOT = "/aws/service/ecs/optimized-ami"
WINDOWS_ROOT = "/aws/service/ami-windows-latest"
AMAZON_LINUX_ROOT = "/aws/service/ami-amazon-linux-latest"

_LISTING = "ssm:GetParametersByPath"
_DEFAULT_PAGE = 10
_IMAGE_DATA_TYPE = "aws:ec2:image"

_PATH_RULES = (
    "The parameter doesn't meet the parameter name requirements. "
    'The parameter name must begin with a forward slash "/".'
)


@dataclass(frozen=True)
class Variant:
    """One published image family: where its parameters live and how often AWS has updated them."""

    prefix: str  # e.g. /aws/service/ecs/optimized-ami/amazon-linux-2023
    spec: ImageSpec
    version: int  # the recommended parameter's version (its count of updates so far)
    windows: bool = False


VARIANTS: tuple[Variant, ...] = (
    Variant(f"{ECS_AMI_ROOT}/amazon-linux-2023", images.AL2023_X86, 163),
    Variant(f"{ECS_AMI_ROOT}/amazon-linux-2023/arm64", images.AL2023_ARM, 161),
    Variant(f"{ECS_AMI_ROOT}/amazon-linux-2", images.AL2_X86, 318),
    Variant(f"{ECS_AMI_ROOT}/amazon-linux-2/arm64", images.AL2_ARM, 297),
    Variant(f"{ECS_AMI_ROOT}/amazon-linux-2/gpu", images.AL2_GPU, 301),
    Variant(f"{WINDOWS_ROOT}/Windows_Server-2022-English-Full-ECS_Optimized", images.WINDOWS_2022_FULL, 58, True),
)

# Plain Amazon Linux: a single image-id parameter per name.
AMAZON_LINUX_LATEST: tuple[tuple[str, ImageSpec, int], ...] = (
    (f"{AMAZON_LINUX_ROOT}/al2023-ami-kernel-default-x86_64", images.AL2023_PLAIN, 121),
    (f"{AMAZON_LINUX_ROOT}/al2023-ami-kernel-6.1-x86_64", images.AL2023_PLAIN, 121),
)


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str
    version: int
    modified: float  # epoch seconds
    data_type: str  # "text" or "aws:ec2:image"

    def record(self, region: str) -> Record:
        """The parameter in GetParameter's shape."""
        return {
            "Name": self.name,
            "Type": "String",
            "Value": self.value,
            "Version": self.version,
            "LastModifiedDate": self.modified,
            "ARN": f"arn:aws:ssm:{region}::parameter{self.name}",
            "DataType": self.data_type,
        }


def _published(spec: ImageSpec) -> float:
    # The parameters follow the image by a few hours, once its copies reach every region.
    created = datetime.strptime(spec.created, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return (created + timedelta(hours=3)).timestamp()


def metadata(region: str, variant: Variant) -> dict[str, Any]:
    """The JSON metadata AWS publishes for an image, with its fields in AWS's order."""
    spec = variant.spec
    agent = spec.agent
    assert agent is not None  # every published ECS variant ships the agent
    image_id = images.image_id(region, spec)
    if variant.windows:
        return {
            "image_name": spec.name,
            "image_id": image_id,
            "ecs_runtime_version": agent.runtime_version,
            "ecs_agent_version": agent.agent_version,
        }
    return {
        "ecs_agent_version": agent.agent_version,
        "ecs_runtime_version": agent.runtime_version,
        "image_id": image_id,
        "image_name": spec.name,
        "os": spec.os_name,
        "schema_version": 1,
        "source_image_name": spec.source_image_name,
    }


def _tree(name: str, fields: dict[str, Any], version: int, modified: float) -> list[Parameter]:
    """A JSON parameter and one child per field."""
    value = json.dumps(fields, separators=(",", ":"))
    out = [Parameter(name, value, version, modified, "text")]
    for key, field in fields.items():
        data_type = _IMAGE_DATA_TYPE if key == "image_id" else "text"
        out.append(Parameter(f"{name}/{key}", str(field), version, modified, data_type))
    return out


def _variant_parameters(region: str, variant: Variant) -> list[Parameter]:
    fields = metadata(region, variant)
    modified = _published(variant.spec)
    if variant.windows:
        return _tree(variant.prefix, fields, variant.version, modified)
    recommended = _tree(f"{variant.prefix}/recommended", fields, variant.version, modified)
    release = _tree(f"{variant.prefix}/{variant.spec.name}", fields, 1, modified)
    return recommended + release


@cache
def public_parameters(region: str) -> dict[str, Parameter]:
    """Every public parameter of the region, by name (sorted)."""
    found: list[Parameter] = []
    for variant in VARIANTS:
        found.extend(_variant_parameters(region, variant))
    for name, spec, version in AMAZON_LINUX_LATEST:
        found.append(Parameter(name, images.image_id(region, spec), version, _published(spec), _IMAGE_DATA_TYPE))
    return {p.name: p for p in sorted(found, key=lambda p: p.name)}


# --- lookups ----------------------------------------------------------------------------------------


def _split_selector(name: str) -> tuple[str, str | None]:
    """`/a/b:3` -> ("/a/b", "3"); a full parameter ARN stands for its name."""
    if name.startswith("arn:"):
        marker = ":parameter"
        name = name[name.index(marker) + len(marker) :] if marker in name else name
    base, sep, selector = name.rpartition(":")
    if sep and base and "/" not in selector:
        return base, selector
    return name, None


def _find(region: str, name: str) -> tuple[Parameter, str | None] | None:
    base, selector = _split_selector(name)
    parameter = public_parameters(region).get(base)
    if parameter is None:
        return None
    return parameter, selector


def _with_selector(region: str, parameter: Parameter, selector: str | None) -> Record:
    """The record for a `name:version` lookup; labels are not supported (public parameters have none)."""
    record = parameter.record(region)
    if selector is not None:
        if not selector.isdigit() or int(selector) != parameter.version:
            raise AwsError(
                "ParameterVersionNotFound",
                f"Systems Manager could not find version {selector} of {parameter.name}. "
                "Verify the version and try again.",
            )
        record["Selector"] = f":{selector}"
    return record


def get_parameter(ctx: RequestContext, name: str) -> Record:
    found = _find(ctx.region, name)
    if found is None:
        # SSM answers an unknown name with an empty message.
        raise AwsError("ParameterNotFound", "")
    return _with_selector(ctx.region, *found)


def get_parameters(ctx: RequestContext, names: list[str]) -> tuple[list[Record], list[str]]:
    """The parameters found, and the names that were not (SSM's InvalidParameters)."""
    found: list[Record] = []
    invalid: list[str] = []
    for name in dict.fromkeys(names):
        match = _find(ctx.region, name)
        try:
            record = _with_selector(ctx.region, *match) if match else None
        except AwsError:
            record = None
        if record is None:
            invalid.append(name)
        else:
            found.append(record)
    return found, invalid


def _under(name: str, path: str, recursive: bool) -> bool:
    prefix = path.rstrip("/") + "/"
    if not name.startswith(prefix):
        return False
    return recursive or "/" not in name[len(prefix) :]


def _filters_allow_strings(filters: Sequence[Mapping[str, Any]] | None) -> bool:
    """Whether public parameters (plain Strings, no KMS key, no labels) pass ParameterFilters."""
    allowed = True
    for f in filters or []:
        key = f.get("Key")
        if key not in ("Type", "KeyId", "Label"):
            raise AwsError("InvalidFilterKey", f"The following filter key is not valid: {key}")
        if f.get("Option", "Equals") != "Equals":
            raise AwsError("InvalidFilterOption", f"The following filter option is not valid: {f.get('Option')}")
        if key != "Type" or "String" not in (f.get("Values") or []):
            allowed = False
    return allowed


def get_parameters_by_path(
    ctx: RequestContext, params: shapes.GetParametersByPathRequest
) -> tuple[list[Record], str | None]:
    """One page (at most MaxResults, default 10) of the parameters under Path, by name."""
    path = params["Path"]
    if not path.startswith("/"):
        raise AwsError("ValidationException", _PATH_RULES)
    allowed = _filters_allow_strings(params.get("ParameterFilters"))
    recursive = bool(params.get("Recursive"))
    names = [n for n in public_parameters(ctx.region) if _under(n, path, recursive)]
    if not allowed:
        names = []
    token = params.get("NextToken")
    if token is not None:
        after = pagination.decode(ctx.tx, _LISTING, token)
        if not isinstance(after, list) or len(after) != 2 or after[0] != path:
            raise AwsError("InvalidNextToken", "The specified token is not valid.")
        names = [n for n in names if n > after[1]]
    limit = params.get("MaxResults") or _DEFAULT_PAGE
    chosen = names[:limit]
    next_token = None
    if len(names) > limit:
        next_token = pagination.encode(ctx.tx, _LISTING, [path, chosen[-1]])
    parameters = public_parameters(ctx.region)
    return [parameters[n].record(ctx.region) for n in chosen], next_token
