"""What a service handler is given for one AWS call: who is calling, where, when, and the one
transaction its work happens in. Knows nothing of HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from trunkline.quotas import DEFAULTS, Quotas
from trunkline.reactions import NONE, Reactions
from trunkline.store.api import Transaction
from trunkline.timing import Timing

if TYPE_CHECKING:
    from trunkline.domain.identity import Keyring


@dataclass(frozen=True)
class Principal:
    """The identity a request acts as."""

    account_id: str
    arn: str  # e.g. arn:aws:iam::123456789012:root, arn:aws:sts::…:assumed-role/ROLE/SESSION
    user_id: str  # what GetCallerIdentity reports as UserId
    kind: str  # "root", "user" or "assumed-role"
    role_arn: str | None = None  # for assumed-role sessions: the IAM role behind the session

    @property
    def settings_arn(self) -> str:
        """The ARN ECS account settings are keyed by: the role for a role session."""
        return self.role_arn or self.arn

    @staticmethod
    def root(account_id: str) -> Principal:
        return Principal(account_id, f"arn:aws:iam::{account_id}:root", account_id, "root")


@dataclass
class RequestContext:
    tx: Transaction
    principal: Principal
    region: str
    now: float
    timing: Timing
    request_id: str = ""
    keyring: Keyring | None = None  # the server's keys and the sealer for secrets it issues
    earliest_due: float | None = None  # the soonest job this context scheduled, to wake the reconciler
    enforce_iam: bool = False  # --enforce-iam: identity policies decide (the agent's calls included)
    reactions: Reactions = NONE  # cross-service reactions (reactions.py); the runtime passes its own
    quotas: Quotas = DEFAULTS  # the server's service quotas (`trunkline serve --vcpu-quota ...`)
    # Values this transaction found unused and has not used yet, by purpose (ENI MACs checked in a
    # batch): the request's next ENI takes one without asking the store again.
    spare: dict[str, list[str]] = field(default_factory=dict)
    # A job's context on a real clock: the moment it runs, so a job whose own follow-up is due by
    # then may take it at once (task_lifecycle). None: each follow-up is a job of its own.
    horizon: float | None = None

    @property
    def account_id(self) -> str:
        return self.principal.account_id

    @property
    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)

    def schedule(self, step: str, job: str, payload: dict[str, Any]) -> float:
        """Schedule `job` to run when `step` (a timing profile entry) has elapsed; returns its due time."""
        due = self.now + self.timing.duration(step)
        self.tx.schedule(due, job, payload)
        self.earliest_due = due if self.earliest_due is None else min(self.earliest_due, due)
        return due
