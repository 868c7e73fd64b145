"""The instance-type catalog (package data and its loader) and the EC2 calls that read it:
DescribeInstanceTypes (names, filters, pagination, errors) and DescribeAvailabilityZones."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import CREDENTIALS
from ec2_world import error
from trunkline.domain import catalog
from trunkline.domain.ec2 import zones

REFERENCE_CSV = Path("/work/shared/data/instance-types.csv")


# --- the catalog itself -------------------------------------------------------------------------------


def test_c5_large_limits() -> None:
    entry = catalog.get_instance_type("c5.large")
    assert entry is not None
    assert (entry.max_network_interfaces, entry.awsvpc_tasks, entry.awsvpc_tasks_trunked) == (3, 2, 10)
    assert entry.supports_trunking
    assert entry.trunked_source == "ecs-doc-2023"
    assert (entry.vcpus, entry.memory_mib, entry.architectures) == (2, 4096, ("x86_64",))


def test_burstable_and_documented_exceptions_do_not_trunk() -> None:
    for name in ("t3.medium", "i4i.large", "c5n.large", "a1.metal"):
        entry = catalog.get_instance_type(name)
        assert entry is not None, name
        assert not entry.supports_trunking, name
        assert entry.awsvpc_tasks_trunked is None, name
        assert entry.trunked_source == "not-supported", name


def test_u_types_keep_documented_trunk_limit_below_untrunked() -> None:
    entry = catalog.get_instance_type("u-6tb1.56xlarge")
    assert entry is not None
    assert (entry.awsvpc_tasks, entry.awsvpc_tasks_trunked) == (14, 12)
    assert entry.supports_trunking


def test_retired_type_has_no_vcpu_or_memory_but_an_eni_limit() -> None:
    entry = catalog.get_instance_type("u-18tb1.metal")
    assert entry is not None
    assert (entry.vcpus, entry.memory_mib, entry.architectures, entry.hypervisor) == (None, None, (), None)
    assert entry.bare_metal
    assert entry.max_network_interfaces == entry.awsvpc_tasks + 1 == 15


def test_derived_rows_keep_their_provenance() -> None:
    entry = catalog.get_instance_type("c7i.large")
    assert entry is not None
    assert entry.trunked_source == "derived-eks-branch-limits"
    assert entry.supports_trunking


def test_unknown_type_is_none() -> None:
    assert catalog.get_instance_type("c5.enormous") is None


@pytest.mark.skipif(not REFERENCE_CSV.exists(), reason="the reference data folder is not present")
def test_every_reference_row_loads_with_its_numbers() -> None:
    with REFERENCE_CSV.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    loaded = {entry.name: entry for entry in catalog.all_instance_types()}
    assert len(loaded) == len(rows)
    for row in rows:
        entry = loaded[row["instance_type"]]
        assert entry.awsvpc_tasks == int(row["ecs_awsvpc_tasks"])
        assert entry.trunked_source == row["trunked_source"]
        trunked = row["ecs_awsvpc_tasks_trunked"]
        assert entry.awsvpc_tasks_trunked == (int(trunked) if trunked else None)
        assert entry.supports_trunking == bool(trunked)
        if row["max_network_interfaces"]:
            assert entry.max_network_interfaces == int(row["max_network_interfaces"])
        if row["vcpus"]:
            assert entry.vcpus == int(row["vcpus"])


def test_all_instance_types_is_sorted_by_name() -> None:
    names = [entry.name for entry in catalog.all_instance_types()]
    assert names == sorted(names)


# --- DescribeInstanceTypes ------------------------------------------------------------------------------


def test_describe_c5_large(ec2: Any) -> None:
    [info] = ec2.describe_instance_types(InstanceTypes=["c5.large"])["InstanceTypes"]
    assert info["InstanceType"] == "c5.large"
    assert info["VCpuInfo"] == {"DefaultVCpus": 2, "DefaultCores": 1, "DefaultThreadsPerCore": 2}
    assert info["MemoryInfo"]["SizeInMiB"] == 4096
    assert info["ProcessorInfo"]["SupportedArchitectures"] == ["x86_64"]
    assert info["Hypervisor"] == "nitro"
    assert info["BareMetal"] is False
    network = info["NetworkInfo"]
    assert network["MaximumNetworkInterfaces"] == 3
    assert network["MaximumNetworkCards"] == 1
    assert network["DefaultNetworkCardIndex"] == 0
    assert network["NetworkCards"] == [{"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 3}]
    assert network["Ipv4AddressesPerInterface"] == 10


def test_graviton_types_run_one_thread_per_core(ec2: Any) -> None:
    [info] = ec2.describe_instance_types(InstanceTypes=["c6g.xlarge"])["InstanceTypes"]
    assert info["VCpuInfo"] == {"DefaultVCpus": 4, "DefaultCores": 4, "DefaultThreadsPerCore": 1}


def test_multi_card_type_spreads_its_limit(ec2: Any) -> None:
    [info] = ec2.describe_instance_types(InstanceTypes=["p4d.24xlarge"])["InstanceTypes"]
    network = info["NetworkInfo"]
    assert network["MaximumNetworkInterfaces"] == 60
    assert network["MaximumNetworkCards"] == 4
    assert sum(card["MaximumNetworkInterfaces"] for card in network["NetworkCards"]) == 60


def test_retired_type_omits_unknown_figures(ec2: Any) -> None:
    [info] = ec2.describe_instance_types(InstanceTypes=["u-24tb1.metal"])["InstanceTypes"]
    assert "VCpuInfo" not in info and "MemoryInfo" not in info and "ProcessorInfo" not in info
    assert info["BareMetal"] is True
    assert info["NetworkInfo"]["MaximumNetworkInterfaces"] == 15


def test_unknown_instance_types_are_named_in_the_error(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.describe_instance_types(InstanceTypes=["c5.large", "c5.enormous", "zz9.tiny"])
    assert error(caught) == (
        "InvalidInstanceType",
        "The following supplied instance types do not exist: [c5.enormous, zz9.tiny]",
        400,
    )


def _names(ec2: Any, filters: list[dict[str, Any]]) -> set[str]:
    paginator = ec2.get_paginator("describe_instance_types")
    return {t["InstanceType"] for page in paginator.paginate(Filters=filters) for t in page["InstanceTypes"]}


def test_instance_type_wildcard_filter(ec2: Any) -> None:
    assert _names(ec2, [{"Name": "instance-type", "Values": ["c5.*"]}]) == {
        e.name for e in catalog.all_instance_types() if e.name.startswith("c5.")
    }
    assert _names(ec2, [{"Name": "instance-type", "Values": ["t3.m?cro", "t3.nano"]}]) == {"t3.micro", "t3.nano"}


def test_numeric_and_boolean_filters(ec2: Any) -> None:
    found = _names(
        ec2,
        [
            {"Name": "network-info.maximum-network-interfaces", "Values": ["3"]},
            {"Name": "vcpu-info.default-vcpus", "Values": ["2"]},
            {"Name": "memory-info.size-in-mib", "Values": ["4096"]},
            {"Name": "processor-info.supported-architecture", "Values": ["x86_64"]},
            {"Name": "hypervisor", "Values": ["nitro"]},
            {"Name": "bare-metal", "Values": ["false"]},
        ],
    )
    expected = {
        e.name
        for e in catalog.all_instance_types()
        if e.max_network_interfaces == 3
        and e.vcpus == 2
        and e.memory_mib == 4096
        and "x86_64" in e.architectures
        and e.hypervisor == "nitro"
        and not e.bare_metal
    }
    assert "c5.large" in found
    assert found == expected


def test_bare_metal_and_current_generation_filters(ec2: Any) -> None:
    metal = _names(ec2, [{"Name": "bare-metal", "Values": ["true"]}])
    assert metal == {e.name for e in catalog.all_instance_types() if e.bare_metal}
    previous = _names(ec2, [{"Name": "current-generation", "Values": ["false"]}])
    assert "m3.medium" in previous and "c5.large" not in previous


def test_unknown_filter_name_is_refused(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.describe_instance_types(Filters=[{"Name": "colour", "Values": ["blue"]}])
    assert error(caught) == ("InvalidParameterValue", "The filter 'colour' is invalid", 400)


def test_pagination_walks_every_type_once(ec2: Any) -> None:
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        page = ec2.describe_instance_types(**kwargs)
        assert len(page["InstanceTypes"]) <= 100
        seen.extend(t["InstanceType"] for t in page["InstanceTypes"])
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == len(catalog.all_instance_types())
    assert pages == -(-len(seen) // 100)


def test_small_pages_with_a_filter(ec2: Any) -> None:
    first = ec2.describe_instance_types(Filters=[{"Name": "instance-type", "Values": ["m5.*"]}], MaxResults=5)
    assert len(first["InstanceTypes"]) == 5 and first["NextToken"]
    rest = ec2.describe_instance_types(
        Filters=[{"Name": "instance-type", "Values": ["m5.*"]}], MaxResults=100, NextToken=first["NextToken"]
    )
    names = [t["InstanceType"] for t in first["InstanceTypes"] + rest["InstanceTypes"]]
    assert sorted(names) == sorted(e.name for e in catalog.all_instance_types() if e.name.startswith("m5."))
    assert "NextToken" not in rest


def test_bad_page_size_and_token(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.describe_instance_types(MaxResults=101)
    assert error(caught) == (
        "InvalidParameterValue",
        "Value ( 101 ) for parameter maxResults is invalid. Parameter must be between 5 and 100.",
        400,
    )
    with pytest.raises(ClientError) as caught:
        ec2.describe_instance_types(NextToken="not-a-token")
    assert error(caught)[0] == "InvalidNextToken"


def test_cli_describe_instance_types(cli: Any) -> None:
    out = cli("ec2", "describe-instance-types", "--instance-types", "c5.large", "t3.medium")
    limits = {t["InstanceType"]: t["NetworkInfo"]["MaximumNetworkInterfaces"] for t in out["InstanceTypes"]}
    assert limits == {"c5.large": 3, "t3.medium": 3}


def test_cli_auto_paginates_filtered_listing(cli: Any) -> None:
    out = cli(
        "ec2",
        "describe-instance-types",
        "--filters",
        "Name=network-info.maximum-network-interfaces,Values=15",
        "--query",
        "InstanceTypes[].InstanceType",
    )
    assert sorted(out) == sorted(e.name for e in catalog.all_instance_types() if e.max_network_interfaces == 15)


# --- DescribeAvailabilityZones ---------------------------------------------------------------------------


def test_us_east_1_has_six_zones(ec2: Any) -> None:
    found = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"]) for z in found] == [
        (f"us-east-1{letter}", f"use1-az{i + 1}") for i, letter in enumerate("abcdef")
    ]
    assert all(z["State"] == "available" and z["RegionName"] == "us-east-1" for z in found)
    assert found[0]["ZoneType"] == "availability-zone"


def test_other_region_has_three_zones(server: Any) -> None:
    client = boto3.client("ec2", endpoint_url=server.url, region_name="eu-west-1", **CREDENTIALS)
    found = client.describe_availability_zones()["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"]) for z in found] == [
        ("eu-west-1a", "euw1-az1"),
        ("eu-west-1b", "euw1-az2"),
        ("eu-west-1c", "euw1-az3"),
    ]


def test_zone_filters_and_names(ec2: Any) -> None:
    by_id = ec2.describe_availability_zones(Filters=[{"Name": "zone-id", "Values": ["use1-az3"]}])
    assert [z["ZoneName"] for z in by_id["AvailabilityZones"]] == ["us-east-1c"]
    by_name = ec2.describe_availability_zones(ZoneNames=["us-east-1b", "us-east-1f"])
    assert [z["ZoneName"] for z in by_name["AvailabilityZones"]] == ["us-east-1b", "us-east-1f"]
    wildcard = ec2.describe_availability_zones(
        Filters=[{"Name": "zone-name", "Values": ["*-1a", "*-1b"]}, {"Name": "state", "Values": ["available"]}]
    )
    assert [z["ZoneName"] for z in wildcard["AvailabilityZones"]] == ["us-east-1a", "us-east-1b"]
    assert (
        ec2.describe_availability_zones(Filters=[{"Name": "region-name", "Values": ["eu-west-1"]}])["AvailabilityZones"]
        == []
    )


def test_unknown_zone_name_is_refused(ec2: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2.describe_availability_zones(ZoneNames=["us-east-1a", "us-east-1z"])
    assert error(caught) == ("InvalidParameterValue", "Invalid availability zone: [us-east-1z]", 400)


def test_zone_lookup_helpers() -> None:
    assert zones.zone_id("us-east-1", "us-east-1d") == "use1-az4"
    assert zones.zone_id("us-west-2", "us-west-2d") == "usw2-az4"
    assert zones.zone_id("ap-southeast-2", "ap-southeast-2b") == "apse2-az2"
    assert zones.zone_id("eu-west-1", "eu-west-1d") is None


def test_unpaged_call_still_gets_a_first_page(ec2: Any) -> None:
    first = ec2.describe_instance_types()
    assert len(first["InstanceTypes"]) == 100
    assert first["NextToken"]
