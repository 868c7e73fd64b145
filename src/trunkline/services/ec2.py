"""EC2 operations (none implemented yet: every call answers UnsupportedOperation)."""

from __future__ import annotations

from trunkline.services import Provider


class Ec2Provider(Provider):
    service = "ec2"
