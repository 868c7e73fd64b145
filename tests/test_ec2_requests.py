"""EC2's DryRun and ClientToken are handled in one place for every operation that has them
(`domain/ec2/requests.py`), so a new operation cannot forget them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore import xform_name

from ec2_world import error, new_vpc_id
from trunkline.errors import AwsError
from trunkline.runtime import Config, Runtime
from trunkline.wire.gateway import AwsCall

MODEL = botocore.session.get_session().get_service_model("ec2")


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    opened = Runtime(Config(state=":memory:", timing="manual"))
    yield opened
    opened.close()


def _implemented_with(member: str, runtime: Runtime) -> list[str]:
    provider = runtime.providers["ec2"]
    return [
        name
        for name in MODEL.operation_names
        if hasattr(provider, xform_name(name))
        and MODEL.operation_model(name).input_shape is not None
        and member in MODEL.operation_model(name).input_shape.members
    ]


def test_every_operation_with_dry_run_answers_dry_run_operation_and_changes_nothing(runtime: Runtime) -> None:
    operations = _implemented_with("DryRun", runtime)
    assert len(operations) > 30
    before = runtime.store.run(lambda tx: tx.digest())
    for name in operations:
        with pytest.raises(AwsError) as caught:  # DryRun is answered before the operation looks at anything
            runtime.invoke(AwsCall("ec2", name, {"DryRun": True}, None, "request"))
        assert (caught.value.code, caught.value.status) == ("DryRunOperation", 412), name
    assert runtime.store.run(lambda tx: tx.digest()) == before


def test_the_operations_with_a_client_token_include_the_launching_ones(runtime: Runtime) -> None:
    """The token is honoured by `requests.invoke` for each of these (and any operation added later),
    not by the operations themselves."""
    assert {"AssociateTrunkInterface", "CreateNetworkInterface", "DisassociateTrunkInterface", "RunInstances"} <= set(
        _implemented_with("ClientToken", runtime)
    )


def test_a_repeated_client_token_gets_the_first_answer(ec2: Any) -> None:
    subnet = ec2.create_subnet(VpcId=new_vpc_id(ec2), CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    first = ec2.create_network_interface(SubnetId=subnet, ClientToken="once")["NetworkInterface"]
    again = ec2.create_network_interface(SubnetId=subnet, ClientToken="once")["NetworkInterface"]
    assert again["NetworkInterfaceId"] == first["NetworkInterfaceId"]
    with pytest.raises(ec2.exceptions.ClientError) as caught:
        ec2.create_network_interface(SubnetId=subnet, ClientToken="once", Description="other")
    assert error(caught)[0] == "IdempotentParameterMismatch"
