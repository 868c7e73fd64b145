"""pytest fixtures for users' own tests, registered through the `pytest11` entry point.

def test_cluster(trunkline_endpoint):
    ecs = boto3.client("ecs", endpoint_url=trunkline_endpoint, region_name="us-east-1")
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trunkline.runtime import Config
from trunkline.server import run_in_thread


@pytest.fixture
def trunkline_endpoint() -> Iterator[str]:
    """A fresh in-memory trunkline on a free port, for one test; yields its endpoint URL."""
    with run_in_thread(Config(state=":memory:")) as url:
        yield url
