"""`trunkline doctor` end to end: collect, diagnose, print; the exit status for CI."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich.console import Console

from trunkline.doctor import checks, render
from trunkline.doctor.collect import Collector, DoctorError, Facts

EXIT_OK, EXIT_LACKING, EXIT_ERROR = 0, 1, 2


def diagnose(
    clusters: Sequence[str],
    endpoint_url: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    instances: Sequence[str] = (),
) -> tuple[Facts, list[checks.Verdict]]:
    collector = Collector(region, profile, endpoint_url)
    facts = collector.collect(clusters)
    verdicts = checks.diagnose_all(facts)
    verdicts += [checks.not_registered(facts, r, [r["cluster"]]) for r in collector.group_strays()]
    if instances:
        verdicts = chosen(collector, verdicts, instances, clusters)
    return facts, verdicts


def chosen(
    collector: Collector, verdicts: list[checks.Verdict], instances: Sequence[str], clusters: Sequence[str]
) -> list[checks.Verdict]:
    """The verdicts of the instances asked for (an EC2 instance id, a container instance id or its
    ARN). The whole cluster is still read and diagnosed: a role's other instances are the evidence
    of when its setting took effect (doctor-checks §4). An EC2 instance that is no container
    instance gets a verdict saying why its agent never registered; an id found nowhere is an error."""

    def names(v: checks.Verdict) -> set[str]:
        return {v.ec2_instance_id, v.container_instance_arn, v.container_instance_arn.rsplit("/", 1)[-1]}

    missing = [i for i in instances if not any(i in names(v) for v in verdicts)]
    strays = [checks.not_registered(collector.facts, r, list(clusters)) for r in collector.unregistered(missing)]
    unknown = [i for i in missing if i not in {s.ec2_instance_id for s in strays}]
    if unknown:
        where = f"cluster {', '.join(clusters)}" if clusters else "any cluster"
        raise DoctorError(
            f"no container instance {', '.join(unknown)} in {where}, and no such EC2 instance "
            "(an EC2 instance id, or a container instance id or ARN)"
        )
    return [v for v in verdicts if names(v) & set(instances)] + strays


def main(
    clusters: Sequence[str],
    endpoint_url: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    output: str = "table",
    instances: Sequence[str] = (),
) -> int:
    """Print the diagnosis; 1 when an eligible instance lacks a trunk, 2 on an error (one line)."""
    try:
        facts, verdicts = diagnose(clusters, endpoint_url, profile, region, instances)
    except DoctorError as error:
        print(f"trunkline doctor: {error}", file=sys.stderr)
        return EXIT_ERROR
    if output == "json":
        print(render.as_json(facts, verdicts))
    else:
        console = Console()
        if console.is_terminal:
            render.table(console, facts, verdicts)
        else:
            print(render.plain(facts, verdicts))
    return EXIT_LACKING if any(v.lacks_trunk for v in verdicts) else EXIT_OK
