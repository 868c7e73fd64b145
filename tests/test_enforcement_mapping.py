"""The --enforce-iam mapping from an operation to its action, resources and condition keys, for
every operation of every service trunkline serves, with parameters of the model's types: it never
crashes, and a user with no policies is denied every call (in the service's own error code) except
those IAM itself exempts (GetCallerIdentity; AssumeRole, which the trust policy decides)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trunkline.context import Principal, RequestContext
from trunkline.domain import enforcement, iam, iam_policies
from trunkline.errors import AwsError
from trunkline.store import open_store
from trunkline.store.api import Store
from trunkline.timing import PROFILES

ACCOUNT = "123456789012"
NOBODY = Principal(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/nobody", "AIDAEXAMPLEEXAMPLE12", "user")
SERVICES = ("ecs", "ec2", "iam", "ssm", "sts")
EXEMPT = {("sts", "GetCallerIdentity"), ("sts", "AssumeRole")}
CODES = {"ecs": "AccessDeniedException", "ssm": "AccessDeniedException", "ec2": "UnauthorizedOperation"}

_session = botocore.session.get_session()
_OPERATIONS = [(s, op) for s in SERVICES for op in _session.get_service_model(s).operation_names]
_text = st.text(max_size=12) | st.sampled_from(["default", "arn:aws:ecs:us-east-1:123456789012:cluster/x", "web:1"])


def _value(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if depth > 2:
            return st.just({})
        members = shape.members  # type: ignore[attr-defined]
        return st.fixed_dictionaries({}, optional={n: _value(m, depth + 1) for n, m in list(members.items())[:12]})
    if kind == "list":
        return st.lists(_value(shape.member, depth + 1), max_size=3) if depth <= 2 else st.just([])  # type: ignore[attr-defined]
    if kind == "map":
        return st.dictionaries(_text, _text, max_size=2)
    if kind in ("integer", "long"):
        return st.integers(0, 100)
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        return st.floats(0, 10)
    if kind == "timestamp":
        return st.floats(0, 2e9)
    if kind == "blob":
        return st.binary(max_size=8)
    return _text


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    service, operation = draw(st.sampled_from(_OPERATIONS))
    shape = _session.get_service_model(service).operation_model(operation).input_shape
    params = draw(_value(shape)) if shape is not None else {}
    return service, operation, params


ADMIN = Principal(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/admin", "AIDAEXAMPLEEXAMPLE34", "user")
ALLOW_ALL = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(str(Path(tmp_path_factory.mktemp("map")) / "s.sqlite3"))

    def admin(tx: Any) -> None:
        ctx = RequestContext(tx, Principal.root(ACCOUNT), "us-east-1", 1_700_000_000.0, PROFILES["fast"])
        iam.create_user(ctx, {"UserName": "admin"})
        iam_policies.put_inline(ctx, "user", "admin", "all", ALLOW_ALL)

    store.run(admin)
    yield store
    store.close()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls())
def test_a_user_without_policies_is_denied_everything_and_nothing_crashes(
    opened: Store, call: tuple[str, str, dict[str, Any]]
) -> None:
    service, operation, params = call

    def work(tx: Any) -> AwsError | None:
        ctx = RequestContext(tx, NOBODY, "us-east-1", 1_700_000_000.0, PROFILES["fast"], enforce_iam=True)
        try:
            enforcement.check_call(ctx, service, operation, params)
        except AwsError as error:
            return error
        return None

    error = opened.run(work)
    if (service, operation) in EXEMPT:
        assert error is None
        return
    assert error is not None, (service, operation, params)
    assert error.code == CODES.get(service, "AccessDenied")
    if service != "ec2":
        assert error.message.startswith(f"User: {NOBODY.arn} is not authorized to perform: {service}:{operation}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls())
def test_a_user_allowed_everything_is_never_denied(opened: Store, call: tuple[str, str, dict[str, Any]]) -> None:
    service, operation, params = call

    def work(tx: Any) -> None:
        ctx = RequestContext(tx, ADMIN, "us-east-1", 1_700_000_000.0, PROFILES["fast"], enforce_iam=True)
        enforcement.check_call(ctx, service, operation, params)

    opened.run(work)


def test_tagging_calls_are_authorized_on_the_resource_they_name(opened: Store) -> None:
    prod = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"
    policy = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:TagResource", '
        f'"Resource": "{prod}"}}]}}'
    )
    tagger = Principal(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/tagger", "AIDAEXAMPLEEXAMPLE56", "user")

    def work(tx: Any) -> str:
        root = RequestContext(tx, Principal.root(ACCOUNT), "us-east-1", 1_700_000_000.0, PROFILES["fast"])
        iam.create_user(root, {"UserName": "tagger"})
        iam_policies.put_inline(root, "user", "tagger", "tag", policy)
        ctx = RequestContext(tx, tagger, "us-east-1", 1_700_000_000.0, PROFILES["fast"], enforce_iam=True)
        enforcement.check_call(ctx, "ecs", "TagResource", {"resourceArn": prod, "tags": []})
        with pytest.raises(AwsError) as caught:
            enforcement.check_call(ctx, "ecs", "TagResource", {"resourceArn": prod.replace("prod", "dev"), "tags": []})
        return caught.value.message

    message = opened.run(work)
    assert "ecs:TagResource on resource: arn:aws:ecs:us-east-1:123456789012:cluster/dev because" in message
