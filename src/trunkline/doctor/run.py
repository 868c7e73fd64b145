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
) -> tuple[Facts, list[checks.Verdict]]:
    facts = Collector(region, profile, endpoint_url).collect(clusters)
    return facts, checks.diagnose_all(facts)


def main(
    clusters: Sequence[str],
    endpoint_url: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    output: str = "table",
) -> int:
    """Print the diagnosis; 1 when an eligible instance lacks a trunk, 2 on an error (one line)."""
    try:
        facts, verdicts = diagnose(clusters, endpoint_url, profile, region)
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
