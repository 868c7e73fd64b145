"""Instructions per Python function inside RunTask, under callgrind: bench_runtask_cpu's world
(bench_vs_moto's setup, 100 instances, the manual clock settled after every call), in which up to
seven chosen functions are called, while a RunTask and its settling run, through C functions of
their own; callgrind counts instructions per C function, so each one's inclusive cost is that
Python function's count (nested calls included). The RunTask calls with their settling run inside
`functools.reduce`: its inclusive cost is the total the shares are of.

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python benchmarks/callgrind_functions.py --rounds 6 \\
        trunkline.domain.ecs.task_usage:refresh trunkline.store.sql:SqlTransaction._put_with_entries
    callgrind_annotate --inclusive=yes --threshold=100 /tmp/cg.out | grep -E "reduce|_next|_operator_call"

The targets, in order, go through: itertools.starmap (`starmap_next`), operator.call
(`_operator_call`), itertools.filterfalse, takewhile, dropwhile, accumulate and groupby (`*_next`);
trunkline uses none of these on the RunTask path. A target is `module:function`,
`module:Class.method` or `module:OBJECT.attribute` (a kind's `indexes`); a function imported by
name into other modules is patched there too with `module:function:other.module`. `--seeded`
draws ids and placements from seeds (same_answers.py), so two trees run the same workload.
`--phases` (no targets) counts the bridge and awsvpc RunTask calls and their settling apart, as
benchmarks/README.md's tables since session 8 give them:

    valgrind --tool=callgrind --toggle-collect=functools_reduce --toggle-collect=starmap_next \
        --toggle-collect=_operator_call --toggle-collect=filterfalse_next --callgrind-out-file=/tmp/cg.out \
        .venv/bin/python benchmarks/callgrind_functions.py --rounds 6 --seeded --phases
"""

from __future__ import annotations

import argparse
import functools
import importlib
import itertools
import operator
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
Call = Callable[..., Any]


def _starmap(f: Call, a: tuple[Any, ...], k: dict[str, Any]) -> Any:
    return next(itertools.starmap(lambda: f(*a, **k), [()]))


def _opcall(f: Call, a: tuple[Any, ...], k: dict[str, Any]) -> Any:
    return operator.call(f, *a, **k)


def _through(iterate: Callable[[Callable[[Any], Any]], Any]) -> Callable[[Call, tuple[Any, ...], dict[str, Any]], Any]:
    """A caller through an itertools function that calls a predicate once on one item."""

    def via(f: Call, a: tuple[Any, ...], k: dict[str, Any]) -> Any:
        out: list[Any] = []
        list(iterate(lambda _: out.append(f(*a, **k))))
        return out[0]

    return via


VIAS = [
    _starmap,
    _opcall,
    _through(lambda p: itertools.filterfalse(p, [None])),
    _through(lambda p: itertools.takewhile(p, [None])),
    _through(lambda p: itertools.dropwhile(p, [None])),
    _through(lambda p: itertools.accumulate([None, None], lambda x, y: p(y))),
    _through(lambda p: (g for g, _ in itertools.groupby([None], key=p))),
]
#: The C function each target's count is read from, in the order of VIAS.
NAMES = ["starmap_next", "_operator_call", "filterfalse_next", "takewhile_next", "dropwhile_next", "accumulate_next"]
NAMES.append("groupby_next")
ON = [False]  # inside a RunTask phase


def _patch(via: Callable[[Call, tuple[Any, ...], dict[str, Any]], Any], target: str) -> None:
    module, attribute, *others = target.split(":")
    owner: Any = importlib.import_module(module)
    name = attribute
    if "." in attribute:
        holder, name = attribute.split(".")
        owner = getattr(owner, holder)
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapped(*a: Any, **k: Any) -> Any:
        return via(original, a, k) if ON[0] else original(*a, **k)

    try:
        setattr(owner, name, wrapped)
    except AttributeError:  # a frozen dataclass's field (a kind's `indexes`)
        object.__setattr__(owner, name, wrapped)
    for other in others:
        setattr(importlib.import_module(other), name, wrapped)


def _phases(label: str, call: Call, params: dict[str, Any], settle: Callable[[], Any]) -> Any:
    """Session 8's layout: the bridge RunTask call in `functools_reduce`, its settling in
    `starmap_next`; the awsvpc call in `_operator_call`, its settling in `filterfalse_next` (run
    valgrind with `--toggle-collect=` each of the four to count only these)."""
    if "bridge" in label:
        answer = functools.reduce(lambda _a, _b: call(**params), [None], None)
        list(itertools.starmap(settle, [()]))
        return answer
    answer = operator.call(call, **params)
    list(itertools.filterfalse(lambda _: settle() and False, [None]))
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="up to seven module:function targets")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--seeded", action="store_true")
    parser.add_argument("--phases", action="store_true", help="no targets: the four phases (see _phases)")
    args = parser.parse_args()
    if len(args.targets) > len(VIAS) or (args.phases and args.targets):
        parser.error(f"at most {len(VIAS)} targets, none with --phases")
    sys.path.insert(0, str(HERE))
    if args.seeded:
        import same_answers

        same_answers._seed()
    import bench_vs_moto
    from trunkline.plan.sandbox import Client
    from trunkline.runtime import Config, Runtime
    from trunkline.wire import models

    for via, target in zip(VIAS, args.targets, strict=False):
        _patch(via, target)
    for name, target in zip(NAMES, args.targets, strict=False):
        print(f"{name}: {target}", file=sys.stderr)
    models.load_all()
    runtime = Runtime(Config(state=":memory:", timing="manual"))
    clients = {s: Client(runtime, s) for s in ("ec2", "ecs", "ssm", "iam")}

    def settled(call: Call, params: dict[str, Any]) -> Any:
        answer = call(**params)
        runtime.settle()
        return answer

    def timer(label: str, call: Call, /, **params: Any) -> Any:
        if not label.startswith("RunTask"):
            return settled(call, params)
        if args.phases:
            return _phases(label, call, params, runtime.settle)
        ON[0] = True
        try:
            return functools.reduce(lambda _a, _b: settled(call, params), [None], None)
        finally:
            ON[0] = False

    world = bench_vs_moto.setup(clients, timer, args.instances, runtime.settle)  # type: ignore[arg-type]
    bench_vs_moto.workload(clients, timer, world, args.rounds)  # type: ignore[arg-type]
    runtime.close()


if __name__ == "__main__":
    main()
