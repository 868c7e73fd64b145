"""One running trunkline: its configuration, store, clock, providers and reconciler. It is the
backend the wire gateway calls: it resolves the caller, opens the request's transaction and hands
the call to the provider method for the operation."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore import xform_name

from trunkline.clock import Clock
from trunkline.context import Principal, RequestContext
from trunkline.domain import index_versions
from trunkline.domain.ec2 import default_vpc
from trunkline.domain.identity import Keyring, StaticKey, resolve_principal
from trunkline.errors import AuthFailure, AwsError
from trunkline.housekeeping import DEFAULT_EVENT_COUNT, DEFAULT_EVENT_HOURS, Retention, Swept, sweep
from trunkline.quotas import DEFAULTS, Quotas
from trunkline.reconciler import Reconciler
from trunkline.secret_box import open_box
from trunkline.services import JobHandlers, Providers
from trunkline.store import open_store
from trunkline.store.api import Keyed, Store, StoreBusy, StoreUnavailable, Transaction, UnstorableText
from trunkline.store_clock import start_clock
from trunkline.timing import PROFILES
from trunkline.wiring import build_reactions

if TYPE_CHECKING:
    from trunkline.wire.gateway import AwsCall, HttpRequest

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
# X-Amz-Date tolerance, as observed: ECS, SSM (JSON) 5 minutes; STS, EC2 (and IAM, by STS) 15.
_JSON_SKEW = 300
_QUERY_SKEW = 900
# The wire layer refuses NUL in every string parameter; this answers one that got past it anyway.
_INVALID_PARAMETER = {"ec2": "InvalidParameterValue", "ecs": "InvalidParameterException"}
_NUL_MESSAGE = "A parameter value must not contain the NUL character (U+0000)."


# What AWS answers when it sheds load: clients (botocore's retry handler) retry both.
_THROTTLING = {
    "ec2": ("RequestLimitExceeded", "Request limit exceeded.", 503),
    "iam": ("Throttling", "Rate exceeded", 400),
    "sts": ("Throttling", "Rate exceeded", 400),
}


def throttled(service: str) -> AwsError:
    """The store's retry budget ran out on conflicts: the service's throttling error."""
    code, message, status = _THROTTLING.get(service, ("ThrottlingException", "Rate exceeded", 400))
    return AwsError(code, message, status)


def unavailable() -> AwsError:
    """The database cannot be reached: every AWS service's 503."""
    return AwsError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.", 503)


@dataclass(frozen=True)
class Config:
    state: str = ":memory:"
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    timing: str = "fast"
    host: str = "127.0.0.1"
    port: int = 4590
    enforce_iam: bool = False  # evaluate identity-based policies for every call (issue 14)
    auth: str = "open"  # "open": any credentials act as their account's root; "strict": SigV4 verified
    allow_hosts: tuple[str, ...] = ()  # Host names accepted besides loopback ones (guard.py)
    static_keys: tuple[StaticKey, ...] = ()  # from --credentials / the environment / --account-for-key
    key_file: str | None = None  # the 0600 file with the key that encrypts stored secrets (secrets.py)
    vcpu_quota: int = DEFAULTS.vcpus
    eni_quota: int = DEFAULTS.enis
    event_retention_hours: float = DEFAULT_EVENT_HOURS
    event_retention_count: int = DEFAULT_EVENT_COUNT
    #: Every account and region starts with AWS's default VPC (`--no-default-vpc`: an empty account).
    default_vpc: bool = True


class Runtime:
    def __init__(self, config: Config, store: Store | None = None) -> None:
        """`store`: one made by the caller (`plan --simulate`'s in-memory one) instead of `config.state`'s."""
        if config.timing not in PROFILES:
            raise ValueError(f"unknown timing {config.timing!r}; choose from {', '.join(PROFILES)}")
        self.config = config
        self.timing = PROFILES[config.timing]
        self.quotas = Quotas(vcpus=config.vcpu_quota, enis=config.eni_quota)
        self.retention = Retention(config.event_retention_hours * 3600, config.event_retention_count)
        self.store = store if store is not None else open_store(config.state)
        self.keyring = Keyring(config.account_id, config.static_keys, open_box(config.state, config.key_file))
        self.clock: Clock = self._make_clock()
        # Each service's provider is imported on its first call (or by `warm_up`): start-up does
        # not wait for every domain module (benchmarks/README.md, "Where the start-up goes").
        self.providers = Providers()
        self.reactions = build_reactions()  # every cross-service reaction, reached through the context
        # Called after a request scheduled work, with its soonest due time, so a sleeping
        # reconciler wakes up by then (see app.py, wake_up.py).
        self.on_scheduled: Callable[[float], None] = lambda due: None
        started = self.clock.now()  # read outside the transaction: a manual clock lives in the store
        self.store.run(lambda tx: self._start_world(tx, started))
        self.reconciler = Reconciler(
            self.store,
            self.clock,
            self.timing,
            config.account_id,
            config.region,
            # On a real clock a late job may take its follow-ups that are due by now (task
            # steps); a manual clock runs each job at its own time.
            JobHandlers(self.providers, None if self.clock.manual else self.clock.now),
            config.enforce_iam,
            keyring=self.keyring,
            reactions=self.reactions,
            quotas=self.quotas,
            repeatable_writes=_repeatable_writes,
        )

    def _start_world(self, tx: Transaction, now: float) -> None:
        index_versions.refresh(tx)
        default_vpc.init_world(tx, self.config.default_vpc)
        self._give_default_vpc(tx, now)

    def _make_clock(self) -> Clock:
        # Kept in the store, so a restart (in any --timing) and every other process agree on it.
        return start_clock(self.store, manual=self.config.timing == "manual")

    def invoke(self, call: AwsCall) -> dict[str, Any]:
        provider = self.providers.get(call.service)
        method = getattr(provider, xform_name(call.operation), None)
        if provider is None or method is None:
            raise AwsError("UnsupportedOperation", f"trunkline does not implement {call.service}:{call.operation} yet.")
        region = call.scope.region if call.scope else self.config.region
        access_key = call.scope.access_key_id if call.scope else None
        now = self.clock.now()
        enforce = self.config.enforce_iam
        identify = self._strict_identity(call, now) if self.config.auth == "strict" else None
        # The account an unissued key stands for: most requests' own, so the operation's first
        # reads can be asked before the credential is (issue 16; a wrong guess costs unused answers).
        ahead = self.keyring.account_for(access_key) if call.operation in provider.asks_ahead else None

        def work(tx: Transaction) -> dict[str, Any]:
            if ahead is not None:  # the operation's first reads travel with the credential's
                guess = RequestContext(tx, Principal.root(ahead), region, now, self.timing, keyring=self.keyring)
                provider.ask_ahead(guess, call.operation, call.params)
            principal = identify(tx) if identify else resolve_principal(tx, access_key, self.keyring, now)
            ctx = RequestContext(
                tx,
                principal,
                region,
                now,
                self.timing,
                call.request_id,
                enforce_iam=enforce,
                keyring=self.keyring,
                reactions=self.reactions,
                quotas=self.quotas,
            )
            if enforce:
                from trunkline.domain import enforcement

                # The one place a call is authorized: the principal and the operation are both known.
                enforcement.check_call(ctx, call.service, call.operation, call.params)
            result: dict[str, Any] = provider.invoke(ctx, call.operation, call.params, method)
            scheduled.append(ctx.earliest_due)
            return result

        scheduled: list[float | None] = []
        try:
            # The same call on the same cluster takes the same lock (the PostgreSQL store remembers it).
            key = (call.service, call.operation, region, access_key, str(call.params.get("cluster")))
            result = self.store.run(Keyed(work, key))
        except UnstorableText:
            raise AwsError(_INVALID_PARAMETER.get(call.service, "ValidationError"), _NUL_MESSAGE) from None
        except StoreBusy:
            raise throttled(call.service) from None
        except StoreUnavailable:
            raise unavailable() from None
        if scheduled and scheduled[-1] is not None:
            self.on_scheduled(scheduled[-1])
        return result

    def _strict_identity(self, call: AwsCall, now: float) -> Callable[[Transaction], Principal]:
        """`--auth strict`: the signature is read (and its form checked) before the transaction;
        the key, token, scope, time and HMAC inside it. Clients sign in real time, so skew is
        measured on the wall clock even when trunkline's own clock is manual; or on trunkline's
        clock, by which the answers' Date header tells skew-correcting SDKs to sign."""
        from trunkline.domain.authentication import authenticate
        from trunkline.wire import models, sigv4

        if call.request is None:
            raise AuthFailure("missing", "Request is missing Authentication Token")
        signed = sigv4.read_signed_request(call.request)
        model = models.service_model(call.service)
        signing_name = model.metadata.get("signingName") or model.metadata["endpointPrefix"]
        skew = _JSON_SKEW if model.protocol == "json" else _QUERY_SKEW
        wall_now = time.time()
        return lambda tx: authenticate(tx, signed, self.keyring, now, wall_now, signing_name, skew)

    def authentication_failure(self, service: str, request: HttpRequest) -> AuthFailure | None:
        """Why a request that failed validation would also fail authentication, if it would:
        AWS answers the authentication error first (called by the gateway on invalid requests)."""
        if self.config.auth != "strict":
            return None
        from trunkline.wire.gateway import AwsCall

        try:
            identify = self._strict_identity(AwsCall(service, "", {}, None, "", request), self.clock.now())
            self.store.run(identify)
        except AuthFailure as failure:
            return failure
        return None

    # --- the clock, as /_trunkline/clock exposes it ---------------------------------------------

    def advance(self, seconds: float) -> int:
        ran = self.reconciler.advance(seconds)  # the manual clock keeps each new reading in the store
        self.housekeep()
        return ran

    def settle(self) -> int:
        ran = self.reconciler.settle()
        self.housekeep()
        return ran

    def housekeep(self) -> Swept:
        """Retention: old events, and tasks stopped longer ago than ECS shows them (housekeeping.py)."""
        now = self.clock.now()
        config = self.config
        return self.store.run(lambda tx: sweep(tx, now, self.retention, self.timing, config.account_id, config.region))

    def reset(self, with_default_vpc: bool | None = None) -> None:
        """Back to a new account's world (the clock keeps its time): empty, but for the default
        VPC of the server's account and region unless `--no-default-vpc` (or `with_default_vpc`
        False: an empty account for this world, in every region, until the next reset)."""
        give = self.config.default_vpc if with_default_vpc is None else with_default_vpc

        now = self.clock.now()

        def clear(tx: Transaction) -> None:
            tx.clear()
            default_vpc.set_world(tx, give)
            self._give_default_vpc(tx, now)

        self.store.run(clear)

    def _give_default_vpc(self, tx: Transaction, now: float) -> None:
        """The server's own account has its default VPC from the start (others get theirs on first use)."""
        ctx = RequestContext(
            tx,
            Principal.root(self.config.account_id),
            self.config.region,
            now,
            self.timing,
            reactions=self.reactions,  # a VPC's main route table and ACL come through the reactions
        )
        default_vpc.ensure(ctx)

    def warm_up(self) -> None:
        """Import and load what the first calls would otherwise wait for (see `warm_up_steps`)."""
        for step in self.warm_up_steps():
            step()

    def warm_up_steps(self) -> list[Callable[[], object]]:
        """The wire layer, each service's model and provider, every reaction's module, the
        instance type catalog: one step each. `trunkline serve` runs them on the store's worker after its ready line, one at a
        time at the back of its queue, so a request that arrives meanwhile waits for one step, not
        for all (and loads what it needs itself)."""
        from trunkline import lazy
        from trunkline.wire import models

        steps: list[Callable[[], object]] = [partial(importlib.import_module, "trunkline.wire.gateway")]
        for service in models.SERVICE_NAMES:  # the order they are most often called in is no better
            steps += [partial(models.load, service), partial(self.providers.__getitem__, service)]
        steps.append(lazy.warm_up)
        steps.append(_instance_types)
        if self.config.enforce_iam:
            steps.append(partial(importlib.import_module, "trunkline.domain.enforcement"))
        if self.config.auth == "strict":
            steps.append(partial(importlib.import_module, "trunkline.domain.authentication"))
        return steps

    def next_due_at(self) -> float | None:
        # On the reading connection: committed state is what the reconciler's sleep needs, and on
        # PostgreSQL a SERIALIZABLE read of the queue's head, where every request adds its jobs,
        # would put each of those requests in a read/write dependency (docs/design.md).
        return self.store.read(lambda tx: tx.next_due_at())

    def close(self) -> None:
        self.store.close()


def _repeatable_writes(scope: str) -> frozenset[str]:
    """The reconciler's REPEATABLE READ kinds for a lock scope (the ECS domain says; imported with
    the first due step, not at start-up)."""
    from trunkline.domain.ecs import cluster_lock

    return cluster_lock.repeatable_writes(scope)


def _instance_types() -> object:
    """The instance type catalog (1,400 types, ~35 ms to parse), which the first RunInstances or
    RegisterContainerInstance would otherwise parse while its caller waits."""
    from trunkline.domain import catalog

    return catalog.all_instance_types()
