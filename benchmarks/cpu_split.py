"""Where the CPU goes during a benchmark run on this machine: the trunkline server processes,
their PostgreSQL backends, the benchmark's own client threads, and everything else (other
sessions, PostgreSQL's background writers), from /proc (Linux).

The backends are found by the `application_name` the benchmark puts in the servers' database
URL, so other users of the same database are counted as "other", not as ours.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # The command name may hold spaces: the fields after it start after the last ')'.
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, over all cores."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / _TICK, sum(values[:8]) / _TICK


def backend_pids(database: str, application: str) -> list[int]:
    """The PostgreSQL backends serving connections that named themselves `application`."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (application,)).fetchall()
    return [int(row[0]) for row in rows]


@dataclass
class Snapshot:
    servers: float
    backends: dict[int, float]
    clients: float
    busy: float
    total: float


def snapshot(server_pids: list[int], backends: list[int]) -> Snapshot:
    busy, total = machine_seconds()
    return Snapshot(
        servers=sum(process_seconds(pid) for pid in server_pids),
        backends={pid: process_seconds(pid) for pid in backends},
        clients=process_seconds(os.getpid()),
        busy=busy,
        total=total,
    )


@dataclass
class Split:
    """CPU seconds spent during a run, by whom; `wall` seconds of it; `cores` on the machine."""

    wall: float
    servers: float
    backends: float
    clients: float
    other: float
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def ours(self) -> float:
        return self.servers + self.backends + self.clients

    def per_pair_ms(self, pairs: int) -> dict[str, float]:
        n = max(pairs, 1)
        return {
            "server": 1000 * self.servers / n,
            "postgres": 1000 * self.backends / n,
            "clients": 1000 * self.clients / n,
            "total": 1000 * self.ours / n,
        }

    def ceiling(self, pairs: int) -> float:
        """Pairs a second this machine's cores allow at this CPU cost per pair, were nothing else
        running: the bound on any number of processes doing the same work per pair."""
        return self.cores / max(self.ours / max(pairs, 1), 1e-9)

    def describe(self, pairs: int) -> str:
        ms = self.per_pair_ms(pairs)
        busy = {
            "servers": self.servers / self.wall,
            "postgres": self.backends / self.wall,
            "clients": self.clients / self.wall,
            "other": self.other / self.wall,
        }
        return (
            "CPU (cores busy on average): "
            + ", ".join(f"{k} {v:.2f}" for k, v in busy.items())
            + f" of {self.cores}; per pair: server {ms['server']:.1f} ms, PostgreSQL {ms['postgres']:.1f} ms, "
            f"clients {ms['clients']:.1f} ms, total {ms['total']:.1f} ms; cores allow at most "
            f"{self.ceiling(pairs):.1f} pairs/s"
        )


class BackendSampler:
    """Reads the backends' CPU every `every` seconds while a run goes on: a server closes its
    session after a failed statement and opens another, and a closed backend's CPU can no longer
    be read at the end, so each is counted up to its last reading (at most `every` short)."""

    def __init__(self, database: str, application: str, every: float = 0.2) -> None:
        import threading

        self._database, self._application, self._every = database, application, every
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> BackendSampler:
        self.sample()
        self._thread.start()
        return self

    def sample(self) -> None:
        for pid in backend_pids(self._database, self._application):
            seconds = process_seconds(pid)
            if seconds or pid not in self.last:
                self.last[pid] = max(seconds, self.last.get(pid, 0.0))

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            self.sample()

    def stop(self) -> dict[int, float]:
        self._stop.set()
        self._thread.join()
        self.sample()
        return dict(self.last)


def between(before: Snapshot, after: Snapshot, wall: float) -> Split:
    # A backend that went away between the snapshots (a reconnection) is counted up to its
    # last reading; one that appeared is counted from 0.
    backends = sum(max(0.0, seconds - before.backends.get(pid, 0.0)) for pid, seconds in after.backends.items())
    servers = after.servers - before.servers
    clients = after.clients - before.clients
    busy = after.busy - before.busy
    return Split(
        wall=wall,
        servers=servers,
        backends=backends,
        clients=clients,
        other=max(0.0, busy - servers - backends - clients),
    )
