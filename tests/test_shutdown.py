"""SIGTERM ends `trunkline serve` cleanly (issue 13): requests in flight finish and are answered,
then the process exits with status 0, as service managers and container runtimes expect."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from conftest import CREDENTIALS, REGION, fresh_state, release_state
from trunkline import child_server


def test_sigterm_finishes_in_flight_requests_and_exits_0(tmp_path: Path) -> None:
    state = fresh_state(tmp_path)
    process, url = child_server.start([sys.executable, "-m", "trunkline", "serve", "--port", "0", "--state", state])
    try:
        config = BotoConfig(retries={"max_attempts": 1}, read_timeout=120)
        ec2 = boto3.client("ec2", endpoint_url=url, region_name=REGION, config=config, **CREDENTIALS)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20")["Subnet"]["SubnetId"]
        image = ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"]
        answers: list[Any] = []

        def launch() -> None:  # long enough to be in flight when the signal comes
            try:
                answers.append(
                    ec2.run_instances(
                        ImageId=image, InstanceType="t3.micro", MinCount=150, MaxCount=150, SubnetId=subnet
                    )
                )
            except Exception as error:
                answers.append(error)

        caller = threading.Thread(target=launch)
        caller.start()
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        caller.join(timeout=60)
        assert len(answers) == 1 and isinstance(answers[0], dict), answers
        assert len(answers[0]["Instances"]) == 150
    finally:
        child_server.stop(process)
        release_state(state)
