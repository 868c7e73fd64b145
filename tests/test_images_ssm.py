"""The AMI catalog and the SSM public parameters that point into it: resolving the ECS-optimized
AMIs the way users' tooling does (SSM, then DescribeImages), DescribeImages' filters and errors,
and SSM's GetParameter / GetParameters / GetParametersByPath."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import CREDENTIALS
from ec2_world import digest, error
from trunkline.domain.ec2 import images

AL2023 = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended"
AL2023_ARM = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended"
AL2 = "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended"
AL2_ARM = "/aws/service/ecs/optimized-ami/amazon-linux-2/arm64/recommended"
WINDOWS = "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-ECS_Optimized"


@pytest.fixture
def ssm(aws: Any) -> Any:
    return aws("ssm")


# --- SSM -> DescribeImages -----------------------------------------------------------------------------


def test_al2023_image_id_resolves_to_an_ecs_image(ssm: Any, ec2: Any) -> None:
    parameter = ssm.get_parameter(Name=f"{AL2023}/image_id")["Parameter"]
    assert parameter["Type"] == "String"
    assert parameter["DataType"] == "aws:ec2:image"
    assert parameter["ARN"] == f"arn:aws:ssm:us-east-1::parameter{AL2023}/image_id"
    assert parameter["Version"] >= 1
    image_id = parameter["Value"]
    assert image_id.startswith("ami-") and len(image_id) == 21

    [image] = ec2.describe_images(ImageIds=[image_id])["Images"]
    assert image["ImageId"] == image_id
    assert image["Name"].startswith("al2023-ami-ecs-hvm-") and image["Name"].endswith("-kernel-6.1-x86_64")
    assert image["Architecture"] == "x86_64"
    assert image["OwnerId"] == "591542846629"
    assert image["ImageOwnerAlias"] == "amazon"
    assert (image["State"], image["Public"], image["RootDeviceType"]) == ("available", True, "ebs")
    assert (image["VirtualizationType"], image["Hypervisor"], image["PlatformDetails"]) == ("hvm", "xen", "Linux/UNIX")
    assert "Platform" not in image
    assert image["CreationDate"].endswith("Z")


def test_al2023_json_parameter_matches_its_children(ssm: Any) -> None:
    parameter = ssm.get_parameter(Name=AL2023)["Parameter"]
    assert parameter["DataType"] == "text"
    value = json.loads(parameter["Value"])
    assert set(value) == {
        "ecs_agent_version",
        "ecs_runtime_version",
        "image_id",
        "image_name",
        "os",
        "schema_version",
        "source_image_name",
    }
    assert value["os"] == "Amazon Linux 2023"
    assert value["schema_version"] == 1
    children = ssm.get_parameters(Names=[f"{AL2023}/{key}" for key in ("image_id", "image_name", "ecs_agent_version")])
    by_name = {p["Name"].rsplit("/", 1)[1]: p["Value"] for p in children["Parameters"]}
    assert by_name == {key: value[key] for key in ("image_id", "image_name", "ecs_agent_version")}
    assert children["InvalidParameters"] == []


def test_al2_json_parameter_parses_and_matches_image(ssm: Any, ec2: Any) -> None:
    value = json.loads(ssm.get_parameter(Name=AL2)["Parameter"]["Value"])
    assert value["os"] == "Amazon Linux 2"
    assert value["image_name"].startswith("amzn2-ami-ecs-hvm-2.0.") and value["image_name"].endswith("-x86_64-ebs")
    assert ssm.get_parameter(Name=f"{AL2}/image_id")["Parameter"]["Value"] == value["image_id"]
    [image] = ec2.describe_images(ImageIds=[value["image_id"]])["Images"]
    assert image["Name"] == value["image_name"]


@pytest.mark.parametrize(("name", "architecture"), [(AL2023_ARM, "arm64"), (AL2_ARM, "arm64")])
def test_arm64_variants(ssm: Any, ec2: Any, name: str, architecture: str) -> None:
    value = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    [image] = ec2.describe_images(ImageIds=[value["image_id"]])["Images"]
    assert image["Architecture"] == architecture
    assert image["Name"] == value["image_name"]


def test_windows_parameter(ssm: Any, ec2: Any) -> None:
    value = json.loads(ssm.get_parameter(Name=WINDOWS)["Parameter"]["Value"])
    assert set(value) == {"image_name", "image_id", "ecs_runtime_version", "ecs_agent_version"}
    assert ssm.get_parameter(Name=f"{WINDOWS}/image_id")["Parameter"]["Value"] == value["image_id"]
    [image] = ec2.describe_images(ImageIds=[value["image_id"]])["Images"]
    assert image["Platform"] == "windows"
    assert image["PlatformDetails"] == "Windows"
    assert image["Name"].startswith("Windows_Server-2022-English-Full-ECS_Optimized-")


def test_parameters_differ_per_region_and_match_that_region(server: Any) -> None:
    def client(service: str, region: str) -> Any:
        return boto3.client(service, endpoint_url=server.url, region_name=region, **CREDENTIALS)

    east = client("ssm", "us-east-1").get_parameter(Name=f"{AL2023}/image_id")["Parameter"]["Value"]
    west = client("ssm", "eu-west-1").get_parameter(Name=f"{AL2023}/image_id")["Parameter"]
    assert west["ARN"].startswith("arn:aws:ssm:eu-west-1::parameter/")
    assert west["Value"] != east
    [image] = client("ec2", "eu-west-1").describe_images(ImageIds=[west["Value"]])["Images"]
    assert image["Name"].startswith("al2023-ami-ecs-hvm-")
    with pytest.raises(ClientError) as caught:
        client("ec2", "eu-west-1").describe_images(ImageIds=[east])
    assert error(caught)[0] == "InvalidAMIID.NotFound"


# --- SSM errors and listings -------------------------------------------------------------------------------


def test_unknown_parameter_is_not_found(ssm: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ssm.get_parameter(Name="/aws/service/ecs/optimized-ami/amazon-linux-2099/recommended")
    assert error(caught) == ("ParameterNotFound", "", 400)


def test_get_parameters_reports_missing_names(ssm: Any) -> None:
    missing = "/aws/service/ecs/optimized-ami/no-such-os/recommended"
    out = ssm.get_parameters(Names=[f"{AL2023}/image_id", missing])
    assert [p["Name"] for p in out["Parameters"]] == [f"{AL2023}/image_id"]
    assert out["InvalidParameters"] == [missing]


def test_version_selector(ssm: Any) -> None:
    current = ssm.get_parameter(Name=AL2023)["Parameter"]
    selected = ssm.get_parameter(Name=f"{AL2023}:{current['Version']}")["Parameter"]
    assert selected["Selector"] == f":{current['Version']}"
    assert selected["Value"] == current["Value"]
    with pytest.raises(ClientError) as caught:
        ssm.get_parameter(Name=f"{AL2023}:{current['Version'] + 1}")
    assert error(caught)[0] == "ParameterVersionNotFound"


def test_get_parameters_by_path_one_level(ssm: Any) -> None:
    out = ssm.get_parameters_by_path(Path=AL2023)
    assert sorted(p["Name"].rsplit("/", 1)[1] for p in out["Parameters"]) == [
        "ecs_agent_version",
        "ecs_runtime_version",
        "image_id",
        "image_name",
        "os",
        "schema_version",
        "source_image_name",
    ]
    assert "NextToken" not in out
    top = ssm.get_parameters_by_path(Path="/aws/service/ecs/optimized-ami/amazon-linux-2023/")
    names = {p["Name"] for p in top["Parameters"]}
    assert AL2023 in names
    assert not any(name.startswith(f"{AL2023}/") for name in names)  # grandchildren need Recursive


def test_get_parameters_by_path_recursive_pages(ssm: Any) -> None:
    seen: list[str] = []
    kwargs: dict[str, Any] = {"Path": "/aws/service/ecs/optimized-ami", "Recursive": True, "MaxResults": 4}
    while True:
        page = ssm.get_parameters_by_path(**kwargs)
        assert len(page["Parameters"]) <= 4
        seen.extend(p["Name"] for p in page["Parameters"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert len(seen) == len(set(seen))
    for name in (f"{AL2023}/image_id", f"{AL2}/image_id", f"{AL2023_ARM}/image_id", f"{AL2_ARM}/image_id"):
        assert name in seen
    assert all(name.startswith("/aws/service/ecs/optimized-ami/") for name in seen)


def test_get_parameters_by_path_rejects_bad_page_size_and_token(ssm: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ssm.get_parameters_by_path(Path="/aws/service/ecs", MaxResults=11)
    assert error(caught)[0] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        ssm.get_parameters_by_path(Path="/aws/service/ecs", NextToken="garbage")
    assert error(caught)[0] == "InvalidNextToken"


def test_cli_get_parameters(cli: Any) -> None:
    out = cli("ssm", "get-parameters", "--names", f"{AL2023}/image_id", "/nope")
    assert out["InvalidParameters"] == ["/nope"]
    image_id = out["Parameters"][0]["Value"]
    described = cli("ec2", "describe-images", "--image-ids", image_id)
    assert described["Images"][0]["ImageId"] == image_id


# --- DescribeImages -----------------------------------------------------------------------------------------


def test_name_wildcard_and_owner_alias(ec2: Any) -> None:
    found = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-ecs-hvm-*"]}])[
        "Images"
    ]
    assert sorted(i["Architecture"] for i in found) == ["arm64", "x86_64"]
    by_alias = ec2.describe_images(Filters=[{"Name": "owner-alias", "Values": ["amazon"]}])["Images"]
    assert {i["Name"] for i in found} <= {i["Name"] for i in by_alias}


def test_architecture_platform_and_image_id_filters(ec2: Any) -> None:
    arm = ec2.describe_images(Filters=[{"Name": "architecture", "Values": ["arm64"]}])["Images"]
    assert arm and all(i["Architecture"] == "arm64" for i in arm)
    windows = ec2.describe_images(Filters=[{"Name": "platform", "Values": ["windows"]}])["Images"]
    assert [i["Platform"] for i in windows] == ["windows"]
    target = arm[0]["ImageId"]
    by_id = ec2.describe_images(Filters=[{"Name": "image-id", "Values": [target]}])["Images"]
    assert [i["ImageId"] for i in by_id] == [target]


def test_owners(ec2: Any) -> None:
    ecs_owned = ec2.describe_images(Owners=["591542846629"])["Images"]
    assert ecs_owned and all(i["OwnerId"] == "591542846629" for i in ecs_owned)
    assert ec2.describe_images(Owners=["self"])["Images"] == []
    with pytest.raises(ClientError) as caught:
        ec2.describe_images(Owners=["nobody"])
    assert error(caught) == ("InvalidUserID.Malformed", 'Invalid user id: "nobody"', 400)


def test_old_agent_image_is_deprecated_but_describable(ec2: Any) -> None:
    name_filter = [{"Name": "name", "Values": ["amzn-ami-2018.03.*-amazon-ecs-optimized"]}]
    assert ec2.describe_images(Filters=name_filter)["Images"] == []
    [old] = ec2.describe_images(Filters=name_filter, IncludeDeprecated=True)["Images"]
    assert old["DeprecationTime"] < "2021"
    [again] = ec2.describe_images(ImageIds=[old["ImageId"]])["Images"]
    assert again["Name"] == old["Name"]
    agent = images.agent_info("us-east-1", old["ImageId"])
    assert agent is not None and agent.agent_version == "1.21.0" and agent.os_type == "linux"


def test_agent_info_for_published_images(ssm: Any) -> None:
    al2023 = ssm.get_parameter(Name=f"{AL2023}/image_id")["Parameter"]["Value"]
    windows = json.loads(ssm.get_parameter(Name=WINDOWS)["Parameter"]["Value"])
    linux_agent = images.agent_info("us-east-1", al2023)
    windows_agent = images.agent_info("us-east-1", windows["image_id"])
    assert linux_agent is not None and windows_agent is not None
    assert linux_agent.ecs_init_version == f"{linux_agent.agent_version}-1"
    assert (windows_agent.os_type, windows_agent.ecs_init_version) == ("windows", None)
    assert windows_agent.agent_version == windows["ecs_agent_version"]
    plain = images.image_id("us-east-1", images.AL2023_PLAIN)
    assert images.agent_info("us-east-1", plain) is None


def test_unknown_and_malformed_ids_change_nothing(server: Any, ec2: Any) -> None:
    before = digest(server)
    with pytest.raises(ClientError) as caught:
        ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])
    assert error(caught) == ("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist", 400)
    with pytest.raises(ClientError) as caught:
        ec2.describe_images(ImageIds=["ami-nothex"])
    assert error(caught) == ("InvalidAMIID.Malformed", 'Invalid id: "ami-nothex" (expecting "ami-...")', 400)
    assert digest(server) == before


def test_image_ids_with_max_results_are_refused(ec2: Any, ssm: Any) -> None:
    image_id = ssm.get_parameter(Name=f"{AL2023}/image_id")["Parameter"]["Value"]
    with pytest.raises(ClientError) as caught:
        ec2.describe_images(ImageIds=[image_id], MaxResults=5)
    assert error(caught) == (
        "InvalidParameterCombination",
        "The parameter imageIdsSet cannot be used with the parameter maxResults",
        400,
    )


def test_describe_images_pages(ec2: Any) -> None:
    paginator = ec2.get_paginator("describe_images")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}, IncludeDeprecated=True))
    ids = [i["ImageId"] for page in pages for i in page["Images"]]
    assert len(pages) >= 2
    assert len(ids) == len(set(ids)) == len(images.SPECS)


def test_get_parameters_by_path_filters(ssm: Any) -> None:
    strings = ssm.get_parameters_by_path(Path=AL2023, ParameterFilters=[{"Key": "Type", "Values": ["String"]}])
    assert len(strings["Parameters"]) == 7
    secure = ssm.get_parameters_by_path(Path=AL2023, ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}])
    assert secure["Parameters"] == []
    with pytest.raises(ClientError) as caught:
        ssm.get_parameters_by_path(Path=AL2023, ParameterFilters=[{"Key": "Name", "Values": ["x"]}])
    assert error(caught)[0] == "InvalidFilterKey"
