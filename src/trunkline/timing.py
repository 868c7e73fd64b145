"""How long each asynchronous AWS step takes, per `--timing` profile.

`fast` keeps every transitional state observable while settling within about a second;
`realistic` uses durations of the order AWS shows; `manual` uses the realistic durations on a
clock that only moves when told to.
"""

from __future__ import annotations

from dataclasses import dataclass

_REALISTIC: dict[str, float] = {
    "ec2.instance.launch": 15.0,  # pending -> running
    "ec2.instance.stop": 20.0,  # stopping -> stopped
    "ec2.instance.start": 15.0,  # pending -> running after a start
    "ec2.instance.terminate": 30.0,  # shutting-down -> terminated
    "ec2.instance.status-checks": 120.0,  # running -> status checks ok (DescribeInstanceStatus)
    "ec2.eni.attach": 2.0,  # attaching -> attached
    "ec2.eni.detach": 2.0,  # detaching -> detached
    "ec2.volume.create": 8.0,  # EBS volume creating -> available
    "ec2.volume.attach": 3.0,  # volume attachment attaching -> attached
    "ec2.volume.detach": 3.0,  # volume attachment detaching -> detached (volume available)
    "ec2.volume.modify": 10.0,  # volume modification modifying -> optimizing (new size usable)
    "ec2.volume.optimize": 30.0,  # volume modification optimizing -> completed
    "ec2.snapshot.create": 60.0,  # EBS snapshot pending -> completed
    "ec2.nat.create": 60.0,  # NAT gateway pending -> available
    "ec2.nat.delete": 30.0,  # NAT gateway deleting -> deleted
    "autoscaling.reconcile": 10.0,  # a group acts on a change of desired capacity or membership
    "autoscaling.instance-refresh": 15.0,  # an instance refresh checks on its batch
    "ecs.agent.register": 20.0,  # instance running -> agent registers
    "ecs.trunk.provision": 10.0,  # REGISTERING -> ACTIVE
    "ecs.trunk.deprovision": 10.0,  # DEREGISTERING -> INACTIVE
    "ecs.task.step": 3.0,  # each task lifecycle step
    "ecs.service.scheduler": 5.0,  # a service scheduler pass after something changed
    "ecs.capacity-provider.managed-scaling": 60.0,  # CapacityProviderReservation is published each minute
    "ecs.capacity-provider.wake": 5.0,  # a managed scaling round soon after tasks start waiting
    "ecs.task.provisioning-timeout": 1800.0,  # a task waiting for capacity stops after 30 minutes
}

_FAST_SCALE = 0.02  # 15 s becomes 0.3 s


@dataclass(frozen=True)
class Timing:
    name: str
    durations: dict[str, float]
    tick: float  # how often the reconciler looks for due work
    scale: float = 1.0  # how this profile's durations compare with AWS's (fast: 0.02)

    def duration(self, step: str) -> float:
        return self.durations[step]

    def period(self, seconds: float) -> float:
        """A period AWS waits out in the simulated world (a user-given instanceWarmupPeriod or
        lifecycle hook timeout, the service scheduler's retry backoff), in this profile's time: scaled
        like the profile's own durations, so their proportions stay AWS's (docs/decisions.md,
        "Fast timing scales every period that gates simulated work"). The API keeps showing the
        value as set."""
        return seconds * self.scale


PROFILES: dict[str, Timing] = {
    "fast": Timing("fast", {k: round(v * _FAST_SCALE, 3) for k, v in _REALISTIC.items()}, 0.02, _FAST_SCALE),
    "realistic": Timing("realistic", dict(_REALISTIC), tick=0.25),
    "manual": Timing("manual", dict(_REALISTIC), tick=0.0),
}
