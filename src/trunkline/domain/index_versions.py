"""Index entries of records written by an earlier trunkline, brought up to date on start.

A kind's `indexes` is computed when a record is saved, so a new index field (managed scaling's
counts of live group members and busy container instances) would be missing for every record
saved before it, and a count would silently be low until each record happened to be saved again.
A kind that changes its indexes raises its `index_version`; on start, every kind below whose
stored version differs is re-indexed once, in the start-up transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trunkline.domain.autoscaling.kinds import MEMBER
from trunkline.domain.ecs.kinds import CONTAINER_INSTANCE, TASK
from trunkline.domain.resource_kind import ResourceKind
from trunkline.store.api import Transaction

#: The kinds whose index functions have changed since a release could have written them.
VERSIONED: Sequence[ResourceKind[Any]] = (MEMBER, CONTAINER_INSTANCE, TASK)


def _meta_key(kind: ResourceKind[Any]) -> str:
    return f"index-version/{kind.name}"


def refresh(tx: Transaction, kinds: Sequence[ResourceKind[Any]] = VERSIONED) -> dict[str, int]:
    """Re-index each kind whose stored index version is not its declared one; returns how many
    records were re-indexed per kind (kinds already current are left out)."""
    done: dict[str, int] = {}
    for kind in kinds:
        wanted = str(kind.index_version)
        if tx.get_meta(_meta_key(kind)) == wanted:
            continue
        done[kind.name] = kind.reindex_stored(tx)
        tx.set_meta(_meta_key(kind), wanted)
    return done
