"""Doctor's output: a Rich table per cluster on a terminal, plain lines when piped, or JSON."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from trunkline.doctor.checks import Verdict
from trunkline.doctor.collect import Facts

Record = dict[str, Any]


def as_json(facts: Facts, verdicts: list[Verdict]) -> str:
    answer: Record = {
        "account": facts.account,
        "region": facts.region,
        "caller": facts.caller,
        "serviceLinkedRole": facts.service_linked_role,
        "accountDefault": facts.account_default,
        "apiCalls": facts.total_calls,
        "apiCallsByOperation": dict(sorted(facts.calls.items())),
        "notDeterminable": dict(sorted(facts.refused.items())),
        "containerInstances": [v.as_json() for v in verdicts],
        "lackingTrunk": sum(1 for v in verdicts if v.lacks_trunk),
    }
    return json.dumps(answer, indent=2, default=str)


def _summary(facts: Facts, verdicts: list[Verdict]) -> list[str]:
    trunked = sum(1 for v in verdicts if v.trunked)
    lacking = sum(1 for v in verdicts if v.lacks_trunk)
    starting = sum(1 for v in verdicts if v.status == "STARTING")
    strays = sum(1 for v in verdicts if not v.container_instance_arn) - starting
    also = f" and {_count(strays, 'EC2 instance')} that never registered" if strays else ""
    also += f" and {_count(starting, 'EC2 instance')} still starting" if starting else ""
    registered = len(verdicts) - strays - starting
    lines = [
        f"{_count(registered, 'container instance')}{also}: {trunked} trunked, {lacking} eligible without a "
        f"trunk; {_count(facts.total_calls, 'API call')} (account {facts.account}, {facts.region})"
    ]
    for call, why in sorted(facts.refused.items()):
        lines.append(f"not determinable: {call} ({why})")
    return lines


def _trunk(v: Verdict) -> str:
    """An instance on its way to a trunk (REGISTERING, or an EC2 instance still starting) has none yet."""
    if v.trunked:
        return "trunked"
    return "no trunk" if v.lacks_trunk or not v.eligible else "no trunk yet"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _tasks(v: Verdict) -> str:
    held = "?" if v.awsvpc_tasks is None else str(v.awsvpc_tasks)
    return f"{held}/{v.awsvpc_capacity}" + (" (limit estimated)" if v.capacity_estimated else "")


def plain(facts: Facts, verdicts: list[Verdict]) -> str:
    lines: list[str] = []
    for v in verdicts:
        state = _trunk(v)
        lines.append(f"{v.cluster} {v.ec2_instance_id} {v.instance_type} {v.status} {state} awsvpc tasks {_tasks(v)}")
        for f in v.findings:
            lines.append(f"  [{f.severity}] {f.code}: {f.message}")
            if f.fix:
                lines.append(f"    fix: {f.fix}")
    return "\n".join([*lines, *_summary(facts, verdicts)])


def table(console: Console, facts: Facts, verdicts: list[Verdict]) -> None:
    for cluster in sorted({v.cluster for v in verdicts}):
        grid = Table(title=f"cluster {cluster}", show_lines=True)
        for column in ("instance", "type", "status", "trunk", "awsvpc tasks", "findings"):
            grid.add_column(column, overflow="fold")
        for v in (v for v in verdicts if v.cluster == cluster):
            colour = {"error": "red", "warning": "yellow", "info": "cyan", "unknown": "magenta"}
            text = "\n".join(
                f"[{colour[f.severity]}]{f.code}[/]: {f.message}" + (f"\n  [dim]fix: {f.fix}[/]" if f.fix else "")
                for f in v.findings
            )
            trunk = {"trunked": "[green]yes[/]", "no trunk yet": "not yet"}.get(
                _trunk(v), "[red]no[/]" if v.lacks_trunk else "no"
            )
            grid.add_row(v.ec2_instance_id, v.instance_type, v.status, trunk, _tasks(v), text)
        console.print(grid)
    for line in _summary(facts, verdicts):
        console.print(line, markup=False, highlight=False)
