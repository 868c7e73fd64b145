"""`trunkline doctor` call budget (issue 12): how many API calls doctor makes for a cluster of
`--instances` container instances (default 1,000), and how long it takes.

    .venv/bin/python benchmarks/bench_doctor.py                  # 1,000 instances (~1-2 min)
    .venv/bin/python benchmarks/bench_doctor.py --instances 200

An in-memory trunkline on a manual clock (`run_in_thread`): one instance role opted in to
`awsvpcTrunking` and a second one not, c5.large instances registered by the simulated agent
(RunInstances 100 a call, alternating roles, in one /20 subnet per 1,000), then doctor's Python
entry (`trunkline.doctor.run.diagnose`, the same code the CLI runs) against it. Printed: the calls
per operation and in all, and doctor's wall time; the baseline is the same run at a tenth of the
instances, so the ratio shows that the calls stay nearly flat while the instances grow tenfold.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request

import boto3

from trunkline.doctor.run import diagnose
from trunkline.runtime import Config
from trunkline.server import run_in_thread

CREDENTIALS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "bench"}
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def build(url: str, instances: int) -> None:
    client = {
        s: boto3.client(s, endpoint_url=url, region_name="us-east-1", **CREDENTIALS)
        for s in ("ec2", "ecs", "iam", "ssm")
    }
    for role in ("benchOn", "benchOff"):
        client["iam"].create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
        client["iam"].create_instance_profile(InstanceProfileName=role)
        client["iam"].add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
    client["ecs"].put_account_setting(
        name="awsvpcTrunking", value="enabled", principalArn="arn:aws:iam::123456789012:role/benchOn"
    )
    client["ecs"].create_cluster(clusterName="bench")
    vpc = client["ec2"].create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = client["ec2"].create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/18")["Subnet"]["SubnetId"]
    image = client["ssm"].get_parameter(Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
    script = "#!/bin/bash\necho ECS_CLUSTER=bench >> /etc/ecs/ecs.config\n"
    for start in range(0, instances, 100):
        batch = min(100, instances - start)
        client["ec2"].run_instances(
            ImageId=image["Parameter"]["Value"], InstanceType="c5.large", MinCount=batch, MaxCount=batch,
            SubnetId=subnet, UserData=script, IamInstanceProfile={"Name": "benchOn" if start % 200 == 0 else "benchOff"},
        )  # fmt: skip
    headers = {"Content-Type": "application/json"}  # writes to /_trunkline/ are JSON (urllib labels bodies as forms)
    request = urllib.request.Request(url + "/_trunkline/clock/settle", data=b"{}", headers=headers, method="POST")
    urllib.request.urlopen(request, timeout=3600).read()
    for c in client.values():
        c.close()


def measure(instances: int) -> tuple[int, dict[str, int], float, int]:
    with run_in_thread(Config(state=":memory:", timing="manual")) as url:
        build(url, instances)
        start = time.perf_counter()
        facts, verdicts = diagnose(["bench"], endpoint_url=url, region="us-east-1")
        seconds = time.perf_counter() - start
    return facts.total_calls, dict(sorted(facts.calls.items())), seconds, len(verdicts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=1000)
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID=CREDENTIALS["aws_access_key_id"], AWS_SECRET_ACCESS_KEY="bench")
    small = max(args.instances // 10, 1)
    base_calls, _, base_seconds, base_count = measure(small)
    calls, by_operation, seconds, count = measure(args.instances)
    print(f"doctor on {count} container instances: {calls} API calls, {seconds:.1f} s")
    for operation, n in by_operation.items():
        print(f"  {operation}: {n}")
    print(
        f"baseline, {base_count} instances: {base_calls} calls, {base_seconds:.1f} s; calls ratio {calls / base_calls:.2f}x"
    )
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
