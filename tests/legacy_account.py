"""An account whose ECS service-linked role is missing while clusters exist: what accounts older
than service-linked roles look like. The API cannot make one (CreateCluster creates the role, and
its deletion task fails while a cluster exists), so the role is deleted from the state while the
server is stopped, and a new server is started on that state (docs/decisions.md, "Service-linked
role deletion tasks")."""

from __future__ import annotations

from collections.abc import Callable

from conftest import ACCOUNT, REGION, Server, stop_process
from trunkline.context import Principal, RequestContext
from trunkline.domain import iam, iam_policies
from trunkline.store import open_store
from trunkline.store.api import Transaction
from trunkline.timing import PROFILES

ECS_ROLE = "AWSServiceRoleForECS"


def without_ecs_role(spawn: Callable[..., Server], server: Server) -> Server:
    """Stop `server` (one `spawn` started), drop the ECS role from its state, and serve it again."""
    stop_process(server)

    def drop(tx: Transaction) -> None:
        ctx = RequestContext(tx, Principal.root(ACCOUNT), REGION, 0.0, PROFILES["fast"])
        iam.ROLES.delete(ctx, ECS_ROLE)
        iam_policies.forget_entity(ctx, "role", ECS_ROLE)

    store = open_store(server.state)
    try:
        store.run(drop)
    finally:
        store.close()
    return spawn(state=server.state)
