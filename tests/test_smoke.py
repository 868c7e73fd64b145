"""The server answers health checks and identifies the default caller."""

from __future__ import annotations


def test_health(server):
    body = server.get("/_trunkline/health").json()
    assert body["status"] == "ok"
    assert body["region"] == "us-east-1"


def test_default_identity_is_account_root(aws):
    identity = aws("sts").get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"
    assert identity["Account"] == "123456789012"
