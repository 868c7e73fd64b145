"""Task placement: which container instance takes each task. One engine for RunTask, StartTask and
services; it sees only `Candidate`s (an in-memory picture of instances) and never reads the store,
so callers decide which instances to show it (see `placement_candidates.py`).

Checks, in this fixed order; the first that fails is the instance's reason:

1. `ATTRIBUTE`: an attribute the task needs is missing (the task definition's
   `requiresAttributes`; `ecs.capability.task-eni` for awsvpc), or the awsvpc subnets are in
   another VPC than the instance (S9: AWS reports a VPC mismatch as an attribute error);
2. `LOCATION`: no awsvpc subnet is in the instance's Availability Zone;
3. `MemberOf placement constraint unsatisfied.` (AWS's observed wording), then
   `DistinctInstance placement constraint unsatisfied.` (by analogy);
4. `AGENT`: the agent is disconnected (or its EC2 instance is no longer running);
5. `RESOURCE:CPU`, `RESOURCE:MEMORY`, `RESOURCE:PORTS`, `RESOURCE:PORTS_UDP`, `RESOURCE:GPU`
   (remaining resources; GPUs: see gpus.py);
6. `RESOURCE:ENI`: no awsvpc ENI slot left (capacity.py; a slot whose ENI is still deprovisioning
   is used).

Only ACTIVE instances are candidates at all (callers filter; StartTask reports others itself).

Failures (AWS leaves the exact rule open, aws-behaviour §10 q5): one `{arn, reason}` per task not
placed, naming the "closest matching" instance, the one whose failing check comes latest in the
order above (ties: the first in strategy order). The order runs from "this instance can never take
the task" to "it could, once something stops", so the closest match is the most useful hint: the
same instance AWS's service events call "the closest matching container-instance".

Strategies apply in order, each breaking the previous one's ties: `binpack` (cpu|memory: least
remaining first), `spread` (instanceId|host, or attribute:NAME: fewest tasks of the task's group
per value first; standalone tasks spread by task group, as the placement guide says), `random`.
Without strategies RunTask places randomly (trunkline's decision). Tasks are placed one by one,
each updating the picture (resources, ports, ENI slots, group counts) before the next is placed.

Cost: a task's checks run lazily in strategy order and stop at the first instance that passes, so
the ENI slot count (a ledger read) is taken only for instances reached; only a task that fits
nowhere evaluates every candidate. A lone `binpack` strategy need not see every instance at all:
callers may hand `place` a `BinpackWindow` instead of a list, which yields instances in ascending
order of the binpacked resource from an ordered index, starting at the task's demand. Instances
the window never shows would fail a check anyway (below the demand, short of the other resource or,
for awsvpc, of ENI room: see `container_instances`), and every instance it has not yet shown has
at least as much left as any it has shown (placing only lowers what an instance has left), so
walking the window gives the very instance a sort of the whole list would. When the window runs
out without a fit, the task is placed (or its failure named) from the window's full list, so the
"closest matching" instance is the same one either way.

Likewise the default, a lone `random` strategy, need not see every instance: callers may hand
`place` a `RandomDraw`, which shows one instance at a time by its position in a list of keys.
Each task draws positions uniformly among those not yet ruled out and takes the first instance
that passes; an instance that fails is ruled out for the rest of the launch (placing only takes
resources away, so it could not pass later). That is the same distribution as a random order of
the whole list, first fit, and a launch reads a few instances where the full list reads all.
When every position is ruled out, the failure is named from the full list, as with the window.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from trunkline.domain.ecs.query import Query, parse
from trunkline.errors import AwsError

TASK_ENI_ATTRIBUTE = "ecs.capability.task-eni"
MEMBER_OF_FAILED = "MemberOf placement constraint unsatisfied."
DISTINCT_FAILED = "DistinctInstance placement constraint unsatisfied."

#: Every reason `check` can give, earliest first ("closest matching" = latest).
CHECK_ORDER = (
    "ATTRIBUTE",
    "LOCATION",
    MEMBER_OF_FAILED,
    DISTINCT_FAILED,
    "AGENT",
    "RESOURCE:CPU",
    "RESOURCE:MEMORY",
    "RESOURCE:PORTS",
    "RESOURCE:PORTS_UDP",
    "RESOURCE:GPU",
    "RESOURCE:ENI",
)
_RANK = {reason: rank for rank, reason in enumerate(CHECK_ORDER)}

MAX_CONSTRAINTS = 10
MAX_STRATEGIES = 5


# --- what is asked -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """What one task needs of an instance."""

    cpu: int = 0
    memory: int = 0
    tcp_ports: frozenset[int] = frozenset()
    udp_ports: frozenset[int] = frozenset()
    needs_eni: bool = False  # awsvpc on EC2: one task ENI slot
    required_attributes: tuple[str, ...] = ()
    vpc_id: str | None = None  # awsvpc: the subnets' VPC
    zones: frozenset[str] | None = None  # awsvpc: the subnets' Availability Zones
    group: str = ""  # the task group (distinctInstance and spread count its tasks)
    gpus: int = 0  # GPUs the task's containers ask for, summed


@dataclass(frozen=True)
class Constraint:
    type: str  # memberOf | distinctInstance
    query: Query | None = None


@dataclass(frozen=True)
class Strategy:
    type: str  # binpack | spread | random
    field: str | None = None


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def parse_constraints(given: Iterable[Mapping[str, Any]]) -> list[Constraint]:
    """PlacementConstraint entries (the request's and the task definition's), checked."""
    entries = list(given)
    if len(entries) > MAX_CONSTRAINTS:
        raise _invalid(
            f"A maximum of {MAX_CONSTRAINTS} placement constraints can be specified, including those of the "
            "task definition."
        )
    constraints: list[Constraint] = []
    for entry in entries:
        kind, expression = entry.get("type"), entry.get("expression")
        if kind == "distinctInstance":
            if expression:
                raise _invalid("An expression cannot be specified for the distinctInstance placement constraint.")
            constraints.append(Constraint("distinctInstance"))
        elif kind == "memberOf":
            if not expression:
                raise _invalid("An expression must be specified for the memberOf placement constraint.")
            constraints.append(Constraint("memberOf", parse(expression)))
        elif kind is None:
            raise _invalid("A type must be specified for each placement constraint: use memberOf or distinctInstance.")
        else:
            raise _invalid(f"Invalid placement constraint type '{kind}': use memberOf or distinctInstance.")
    return constraints


def parse_strategies(given: Iterable[Mapping[str, Any]]) -> list[Strategy]:
    entries = list(given)
    if len(entries) > MAX_STRATEGIES:
        raise _invalid(f"A maximum of {MAX_STRATEGIES} placement strategies can be specified.")
    strategies: list[Strategy] = []
    for entry in entries:
        kind, name = entry.get("type"), str(entry.get("field") or "")
        if kind in ("binpack", "spread") and not name:
            raise _invalid(f"A field must be specified for the {kind} placement strategy.")
        if kind == "binpack":
            if name.lower() not in ("cpu", "memory"):
                raise _invalid(f"Invalid field '{name}' for the binpack placement strategy: use cpu or memory.")
            strategies.append(Strategy("binpack", name.lower()))
        elif kind == "spread":
            if not (name in ("instanceId", "host") or _spread_attribute(name)):
                raise _invalid(
                    f"Invalid field '{name}' for the spread placement strategy: use instanceId, host or "
                    "attribute:<name>."
                )
            strategies.append(Strategy("spread", name))
        elif kind == "random":
            strategies.append(Strategy("random"))
        elif kind is None:
            raise _invalid("A type must be specified for each placement strategy: use random, spread or binpack.")
        else:
            raise _invalid(f"Invalid placement strategy type '{kind}': use random, spread or binpack.")
    return strategies


def _spread_attribute(name: str) -> str | None:
    prefix, _, attribute = name.partition(":")
    return attribute if prefix == "attribute" and attribute else None


# --- the picture of one instance ------------------------------------------------------------------------


class CandidateReads(Protocol):
    """What placement reads of an instance only when a check first asks (see `Candidate`)."""

    def group_tasks(self) -> int: ...  # live tasks of the request's group
    def eni_free(self) -> int: ...  # free task ENI slots
    def task_groups(self) -> Collection[str]: ...  # task:group of its live tasks
    def host_running(self) -> bool: ...  # whether its EC2 instance is running


@dataclass(eq=False, slots=True)
class Candidate:
    """One ACTIVE container instance as placement sees it, updated as tasks are placed on it.
    Implements `query.InstanceFacts`, so memberOf expressions read it directly.

    What is read only when a check asks comes from `reads` (one object for the four facts; without
    it: no group tasks, no ENI slot, no task groups, a running host). A launch builds a candidate
    per listed instance (a hundred by default) and checks a few: slots, the picture's port sets
    shared until a task is placed, and one `reads` object instead of four closures keep building
    them cheap, and they leave the garbage collector little to track (their closures, cells and
    sets were most of its work in RunTask)."""

    arn: str
    ec2_instance_id: str
    attributes: Mapping[str, str | None]
    cpu: int  # remaining CPU units
    memory: int  # remaining MiB
    tcp_ports: AbstractSet[int]  # ports in use (reserved by the agent or held by tasks); never mutated
    udp_ports: AbstractSet[int]
    agent_connected: bool = True
    agent_version: str | None = None
    registered_at: float = 0.0
    running_tasks_count: int = 0
    vpc_id: str | None = None
    zone: str | None = None
    gpus: int = 0  # GPUs no live task holds
    reads: CandidateReads | None = None  # the facts read only when a check first asks
    _group_tasks: int | None = field(default=None, repr=False)  # as loaded, before this call
    _group_placed: int = field(default=0, repr=False)  # tasks placed in this call (none read for them)
    _eni_free: int | None = field(default=None, repr=False)
    _host_running: bool | None = field(default=None, repr=False)
    _groups: list[str] | None = field(default=None, repr=False)
    _added: tuple[str, ...] = field(default=(), repr=False)  # groups of tasks placed in this call

    @property
    def group_tasks(self) -> int:
        """Live tasks of the request's task group on the instance, those placed in this call included."""
        if self._group_tasks is None:
            self._group_tasks = self.reads.group_tasks() if self.reads is not None else 0
        return self._group_tasks + self._group_placed

    def amount(self, resource: str) -> int:
        """What is left of `cpu` or `memory` (binpack's fields)."""
        return self.cpu if resource == "cpu" else self.memory

    @property
    def eni_free(self) -> int:
        if self._eni_free is None:
            self._eni_free = self.reads.eni_free() if self.reads is not None else 0
        return self._eni_free

    @property
    def host_running(self) -> bool:
        """An agent on an EC2 instance that is stopping or shutting down cannot start tasks, even
        before ECS notices it is gone."""
        if self._host_running is None:
            self._host_running = self.reads.host_running() if self.reads is not None else True
        return self._host_running

    @property
    def task_groups(self) -> Collection[str]:
        if self._groups is None:
            self._groups = list(self.reads.task_groups()) if self.reads is not None else []
        return [*self._groups, *self._added]

    def take(self, demand: Demand) -> None:
        """Reserve one task's demand on the picture (new port sets: the old ones may be shared)."""
        self.cpu -= demand.cpu
        self.memory -= demand.memory
        if demand.tcp_ports:
            self.tcp_ports = self.tcp_ports | demand.tcp_ports
        if demand.udp_ports:
            self.udp_ports = self.udp_ports | demand.udp_ports
        self.gpus -= demand.gpus
        if demand.needs_eni:
            self._eni_free = self.eni_free - 1
        self._group_placed += 1  # counted without loading: a strategy that never asks never reads
        self._added = (*self._added, demand.group)


# --- checks ---------------------------------------------------------------------------------------------


def check(candidate: Candidate, demand: Demand, constraints: Sequence[Constraint]) -> str | None:
    """The reason the instance cannot take the task now, or None if it can."""
    attributes = candidate.attributes
    if any(name not in attributes for name in demand.required_attributes):
        return "ATTRIBUTE"
    if demand.vpc_id is not None and (candidate.vpc_id != demand.vpc_id or TASK_ENI_ATTRIBUTE not in attributes):
        return "ATTRIBUTE"
    if demand.zones is not None and candidate.zone not in demand.zones:
        return "LOCATION"
    for constraint in constraints:
        if constraint.query is not None and not constraint.query.matches(candidate):
            return MEMBER_OF_FAILED
    if any(c.type == "distinctInstance" for c in constraints) and candidate.group_tasks:
        return DISTINCT_FAILED
    if not candidate.agent_connected or not candidate.host_running:
        return "AGENT"
    return _resources(candidate, demand)


def _resources(candidate: Candidate, demand: Demand) -> str | None:
    if demand.cpu > candidate.cpu:
        return "RESOURCE:CPU"
    if demand.memory > candidate.memory:
        return "RESOURCE:MEMORY"
    if demand.tcp_ports & candidate.tcp_ports:
        return "RESOURCE:PORTS"
    if demand.udp_ports & candidate.udp_ports:
        return "RESOURCE:PORTS_UDP"
    if demand.gpus > candidate.gpus:
        return "RESOURCE:GPU"
    if demand.needs_eni and candidate.eni_free < 1:
        return "RESOURCE:ENI"
    return None


# --- ordering -------------------------------------------------------------------------------------------


def _spread_counts(candidates: Sequence[Candidate], name: str) -> dict[str | None, int]:
    """Tasks of the group per value of the attribute (instances without it share the value None)."""
    counts: Counter[str | None] = Counter()
    for candidate in candidates:
        counts[candidate.attributes.get(name)] += candidate.group_tasks
    return dict(counts)


def order(candidates: Sequence[Candidate], strategies: Sequence[Strategy], rng: random.Random) -> list[Candidate]:
    """The candidates in the order the strategies prefer them (ties keep the given order).

    Each strategy's key is computed for every candidate at once (a column), and the positions are
    sorted by the columns: the same order as sorting the candidates by a tuple of their keys, and
    the random strategy draws the same numbers in the same order. Every task of a launch orders the
    whole list again (a hundred instances by default), and building a tuple per candidate through
    a generator was most of that."""
    columns: list[list[Any]] = []
    for strategy in strategies:
        if strategy.type == "binpack":
            resource = strategy.field or ""
            columns.append([c.amount(resource) for c in candidates])
        elif strategy.type == "spread":
            attribute = _spread_attribute(strategy.field or "")
            if attribute is None:
                columns.append([c.group_tasks for c in candidates])
            else:
                counts = _spread_counts(candidates, attribute)
                columns.append([counts[c.attributes.get(attribute)] for c in candidates])
        else:
            columns.append([rng.random() for _ in candidates])
    positions = range(len(candidates))
    if not columns:
        return list(candidates)
    rows: Sequence[Any] = columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))
    return [candidates[i] for i in sorted(positions, key=rows.__getitem__)]


# --- placing --------------------------------------------------------------------------------------------


class BinpackWindow(Protocol):
    """Instances for a lone binpack strategy, read lazily in ascending order of what they have
    left of `resource`, from the demand up (see the module doc)."""

    resource: str  # cpu | memory

    def shown(self) -> list[Candidate]:
        """Every instance shown so far (their pictures as placement left them)."""

    def next_page(self) -> list[Candidate]:
        """The next instances in index order, after every one shown so far; [] at the end."""

    def everyone(self) -> list[Candidate]:
        """Every candidate a full placement would see, the pictures already shown among them."""


@runtime_checkable
class RandomDraw(Protocol):
    """Instances for a lone random strategy, shown one at a time by position (see the module doc)."""

    def size(self) -> int:
        """How many positions there are (instances that may be candidates)."""

    def at(self, position: int) -> Candidate | None:
        """The candidate at `position` (the same object each time), or None if that instance is
        not a candidate after all (e.g. no longer ACTIVE)."""

    def everyone(self) -> list[Candidate]:
        """Every candidate a full placement would see, the pictures already shown among them."""


def lone_random(strategies: Sequence[Strategy] | None) -> bool:
    """Whether the strategies place at random and nothing else (the default): what a
    `RandomDraw` serves."""
    return strategies is None or (len(strategies) == 1 and strategies[0].type == "random")


def lone_binpack(strategies: Sequence[Strategy] | None) -> str | None:
    """The resource a strategy list binpacks on when binpack is all it asks, else None: the
    only case a `BinpackWindow` serves."""
    if strategies is not None and len(strategies) == 1 and strategies[0].type == "binpack":
        return strategies[0].field
    return None


@dataclass
class Outcome:
    placed: list[Candidate]  # the instance of each placed task, in placement order
    failures: list[dict[str, str]]  # one {arn, reason} per task not placed


def _closest(evaluated: list[tuple[Candidate, str]]) -> tuple[Candidate, str]:
    best = evaluated[0]
    for candidate, reason in evaluated[1:]:
        if _RANK[reason] > _RANK[best[1]]:
            best = (candidate, reason)
    return best


def place_one(
    candidates: Sequence[Candidate],
    demand: Demand,
    constraints: Sequence[Constraint],
    strategies: Sequence[Strategy],
    rng: random.Random,
) -> Candidate | dict[str, str]:
    """The instance that takes one task (its picture updated), or the failure to report."""
    evaluated: list[tuple[Candidate, str]] = []
    for candidate in order(candidates, strategies, rng):
        reason = check(candidate, demand, constraints)
        if reason is None:
            candidate.take(demand)
            return candidate
        evaluated.append((candidate, reason))
    closest, reason = _closest(evaluated)
    return {"arn": closest.arn, "reason": reason}


def _first_fit_in_window(window: BinpackWindow, demand: Demand, constraints: Sequence[Constraint]) -> Candidate | None:
    """The first instance in binpack order that takes the task (its picture updated), if the
    window holds one. Instances left with less than the demand are skipped: they would fail."""
    resource = window.resource
    needed = demand.cpu if resource == "cpu" else demand.memory
    shown = sorted(window.shown(), key=lambda c: (c.amount(resource), c.arn))
    page = [c for c in shown if c.amount(resource) >= needed]
    while True:
        for candidate in page:
            if check(candidate, demand, constraints) is None:
                candidate.take(demand)
                return candidate
        page = window.next_page()
        if not page:
            return None


def _first_fit_drawn(
    draw: RandomDraw, open_positions: list[int], demand: Demand, constraints: Sequence[Constraint], rng: random.Random
) -> Candidate | None:
    """A uniformly drawn instance among those that take the task (its picture updated), if any;
    positions that fail are closed for the rest of the launch."""
    while open_positions:
        drawn = rng.randrange(len(open_positions))
        candidate = draw.at(open_positions[drawn])
        if candidate is not None and check(candidate, demand, constraints) is None:
            candidate.take(demand)
            return candidate
        open_positions[drawn] = open_positions[-1]
        open_positions.pop()
    return None


Candidates = Sequence[Candidate] | BinpackWindow | RandomDraw


def _first_fit(
    window: BinpackWindow | RandomDraw | None,
    open_positions: list[int],
    demand: Demand,
    constraints: Sequence[Constraint],
    rng: random.Random,
) -> Candidate | None:
    if window is None:
        return None
    if isinstance(window, RandomDraw):
        return _first_fit_drawn(window, open_positions, demand, constraints, rng)
    return _first_fit_in_window(window, demand, constraints)


def place(
    candidates: Candidates,
    demand: Demand,
    count: int,
    constraints: Sequence[Constraint] = (),
    strategies: Sequence[Strategy] | None = None,
    rng: random.Random | None = None,
) -> Outcome:
    """Place `count` tasks one by one. `candidates` must not be empty (callers answer an empty
    cluster themselves); a `BinpackWindow` only with a lone binpack strategy on its resource. Once
    a task fits nowhere, no later one can (nothing was freed), so each remaining task gets the
    same failure."""
    chosen = list(strategies) if strategies is not None else [Strategy("random")]
    generator = rng or random.Random()
    window: BinpackWindow | RandomDraw | None = None
    open_positions: list[int] = []
    if isinstance(candidates, RandomDraw):
        if not lone_random(strategies):
            raise ValueError("a RandomDraw serves only a lone random strategy")
        window, open_positions = candidates, list(range(candidates.size()))
    elif not isinstance(candidates, Sequence):
        if lone_binpack(chosen) != candidates.resource:
            raise ValueError("a BinpackWindow serves only a lone binpack strategy on its own resource")
        window = candidates
    outcome = Outcome([], [])
    for placed_so_far in range(count):
        found = _first_fit(window, open_positions, demand, constraints, generator)
        if found is not None:
            outcome.placed.append(found)
            continue
        if window is not None:
            # Nothing in the window fits: decide from every candidate, as without the window.
            candidates, window = window.everyone(), None
        assert isinstance(candidates, Sequence)
        result = place_one(candidates, demand, constraints, chosen, generator)
        if isinstance(result, dict):
            outcome.failures.extend(dict(result) for _ in range(count - placed_so_far))
            break
        outcome.placed.append(result)
    return outcome
