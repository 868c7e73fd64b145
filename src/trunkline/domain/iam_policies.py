"""IAM permissions policies: inline policies of roles and users, managed policies with their
versions, attachments, and the AWS managed policies every account sees.

AWS managed policies are package data (`data/aws-managed-policies.json`, with its provenance): they
are never written to the store, so reading them changes nothing; only an account's attachments of
them are stored. Customer managed policies keep all their versions (at most five) in one record.
Documents are stored as sent and returned URL-encoded, as IAM's query API returns them (botocore
decodes them back into JSON).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from trunkline.context import RequestContext
from trunkline.domain import iam_checks, iam_kinds, identity, pagination
from trunkline.domain.iam_records import (
    AwsManagedPolicy,
    InlinePolicyRecord,
    ManagedPolicyRecord,
    Policy,
    PolicyAttachmentRecord,
    PolicyVersion,
    RoleRecord,
    UserRecord,
)
from trunkline.domain.iam_requests import Marked
from trunkline.domain.policy import parse_policy
from trunkline.domain.resource_kind import ResourceKind
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

INLINE = iam_kinds.INLINE_POLICY
POLICY = iam_kinds.MANAGED_POLICY
ATTACHMENT = iam_kinds.POLICY_ATTACHMENT

Record = dict[str, Any]
Entity = RoleRecord | UserRecord
Owned = TypeVar("Owned", InlinePolicyRecord, PolicyAttachmentRecord)

MAX_VERSIONS = 5
MAX_ATTACHED = 10  # IAM's default quota of managed policies per role or user
MAX_TAGS = 50
MANAGED_POLICY_SIZE = 6144
INLINE_SIZE = {"role": 10240, "user": 2048}  # aggregate of one entity's inline policies
ECS_SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"


# --- AWS managed policies (package data) ---------------------------------------------------------


@cache
def _aws_catalog() -> dict[str, Record]:
    text = resources.files("trunkline").joinpath("data", "aws-managed-policies.json").read_text(encoding="utf-8")
    out: dict[str, Record] = {}
    for name, entry in json.loads(text)["policies"].items():
        out[entry["arn"]] = {"PolicyName": name, **entry}
    return out


def _iso_epoch(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _aws_policy(arn: str) -> AwsManagedPolicy | None:
    entry = _aws_catalog().get(arn)
    if entry is None:
        return None
    version = entry["default_version_id"]
    return {
        "PolicyName": entry["PolicyName"],
        "PolicyId": entry["policy_id"],
        "Arn": arn,
        "Path": entry["path"],
        "DefaultVersionId": version,
        "IsAttachable": entry["is_attachable"],
        "CreateDate": _iso_epoch(entry["create_date"]),
        "UpdateDate": _iso_epoch(entry["update_date"]),
        "Versions": [
            {
                "VersionId": version,
                "Document": json.dumps(entry["document"], indent=4),
                "IsDefaultVersion": True,
                "CreateDate": _iso_epoch(entry["update_date"]),
            }
        ],
        "AwsManaged": True,
    }


# --- helpers -------------------------------------------------------------------------------------


def _size(text: str) -> int:
    """IAM counts policy size without whitespace."""
    return sum(1 for c in text if not c.isspace())


def encoded(text: str) -> str:
    return quote(text, safe="")


def page(
    ctx: RequestContext, listing: str, items: list[tuple[str, Any]], params: Marked
) -> tuple[list[Any], str | None]:
    """One page (`Marker`/`MaxItems`) of items already sorted by their key."""
    limit = params.get("MaxItems", 100)
    after = None
    if params.get("Marker") is not None:
        after = pagination.decode(ctx.tx, listing, params["Marker"])
        if not isinstance(after, str):
            raise AwsError("ValidationError", "Invalid Marker.")
    remaining = [(k, v) for k, v in items if after is None or k > after]
    chosen = remaining[:limit]
    marker = pagination.encode(ctx.tx, listing, chosen[-1][0]) if len(remaining) > limit else None
    return [v for _, v in chosen], marker


def _entity(ctx: RequestContext, kind: str, name: str) -> Entity:
    return iam_kinds.ROLE.require(ctx, name) if kind == "role" else iam_kinds.USER.require(ctx, name)


def changeable(kind: str, entity: Entity) -> None:
    """Only AWS changes a service-linked role's permissions (its policies and its boundary)."""
    if kind == "role" and entity.get("ServiceLinked"):
        raise AwsError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{entity.get('RoleName')}' - this role is only "
            "modifiable by AWS",
        )


def _entity_name(kind: str, entity: Entity) -> str:
    return str(entity.get("RoleName") if kind == "role" else entity.get("UserName"))


def _owned(ctx: RequestContext, stored: ResourceKind[Owned], kind: str, name: str) -> list[tuple[str, Owned]]:
    """What a role or user holds of a kind (its inline policies, its attachments), in key order.
    The kind's own key function scopes the prefix; `scan` of the kind would list the whole account."""
    return stored.batch(ctx, f"{kind}/{name.lower()}/")


def _owned_id(kind: str, name: str, leaf: str) -> str:
    return f"{kind}/{name.lower()}/{leaf}"


# --- inline policies -----------------------------------------------------------------------------


def put_inline(ctx: RequestContext, kind: str, name: str, policy_name: str, text: str) -> None:
    entity = _entity(ctx, kind, name)
    changeable(kind, entity)
    parse_policy(text)
    owner = _entity_name(kind, entity)
    others = sum(
        _size(r["PolicyDocument"]) for _, r in _owned(ctx, INLINE, kind, owner) if r["PolicyName"] != policy_name
    )
    if others + _size(text) > INLINE_SIZE[kind]:
        raise AwsError(
            "LimitExceeded",
            f"Maximum policy size of {INLINE_SIZE[kind]} bytes exceeded for {kind} {_entity_name(kind, entity)}",
        )
    INLINE.save(ctx, {"EntityKind": kind, "EntityName": owner, "PolicyName": policy_name, "PolicyDocument": text})


def get_inline(ctx: RequestContext, kind: str, name: str, policy_name: str) -> Record:
    entity = _entity(ctx, kind, name)
    record = INLINE.get(ctx, _owned_id(kind, _entity_name(kind, entity), policy_name))
    if record is None:
        raise AwsError("NoSuchEntity", f"The {kind} policy with name {policy_name} cannot be found.")
    return {"PolicyName": policy_name, "PolicyDocument": record["PolicyDocument"], "Owner": _entity_name(kind, entity)}


def list_inline(ctx: RequestContext, kind: str, name: str) -> list[str]:
    entity = _entity(ctx, kind, name)
    return [r["PolicyName"] for _, r in _owned(ctx, INLINE, kind, _entity_name(kind, entity))]


def delete_inline(ctx: RequestContext, kind: str, name: str, policy_name: str) -> None:
    entity = _entity(ctx, kind, name)
    changeable(kind, entity)
    inline_id = _owned_id(kind, _entity_name(kind, entity), policy_name)
    if INLINE.get(ctx, inline_id) is None:
        raise AwsError("NoSuchEntity", f"The {kind} policy with name {policy_name} cannot be found.")
    INLINE.delete(ctx, inline_id)


# --- managed policies ----------------------------------------------------------------------------


def create_policy(ctx: RequestContext, params: shapes.CreatePolicyRequest) -> ManagedPolicyRecord:
    name = params["PolicyName"]
    path = params.get("Path", "/")
    iam_checks.check_path(path)
    text = params["PolicyDocument"]
    parse_policy(text)
    _check_size(text)
    tags = iam_checks.checked_tags(params)
    if POLICY.get(ctx, name) is not None:
        raise AwsError(
            "EntityAlreadyExists", f"A policy called {name} already exists. Duplicate names are not allowed."
        )
    policy: ManagedPolicyRecord = {
        "PolicyName": name,
        "PolicyId": identity.new_unique_id("ANPA"),
        "Arn": f"arn:aws:iam::{ctx.account_id}:policy{path}{name}",
        "Path": path,
        "DefaultVersionId": "v1",
        "IsAttachable": True,
        "CreateDate": ctx.now,
        "UpdateDate": ctx.now,
        "Versions": [{"VersionId": "v1", "Document": text, "IsDefaultVersion": True, "CreateDate": ctx.now}],
        "NextVersion": 2,
    }
    if params.get("Description") is not None:
        policy["Description"] = params["Description"]
    if tags:
        policy["Tags"] = tags
    save(ctx, policy)
    return policy


def _check_size(text: str) -> None:
    if _size(text) > MANAGED_POLICY_SIZE:
        raise AwsError("LimitExceeded", f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")


def save(ctx: RequestContext, policy: ManagedPolicyRecord) -> None:
    POLICY.save(ctx, policy)


def find_policy(ctx: RequestContext, arn: str) -> Policy | None:
    """A managed policy the account can see (its own, or an AWS managed one), or None."""
    aws = _aws_policy(arn)
    if aws is not None:
        return aws
    found = POLICY.find(ctx, "arn", arn)
    return found[0] if found else None


def get_policy(ctx: RequestContext, arn: str) -> Policy:
    policy = find_policy(ctx, arn)
    if policy is None:
        raise AwsError("NoSuchEntity", f"Policy {arn} was not found.")
    return policy


def _own_policy(ctx: RequestContext, arn: str, action: str) -> ManagedPolicyRecord:
    """A policy the caller may change: AWS managed policies live in AWS's account."""
    policy = get_policy(ctx, arn)
    if "AwsManaged" in policy:  # always true where present
        raise AwsError(
            "AccessDenied",
            f"User: {ctx.principal.arn} is not authorized to perform: iam:{action} on resource: policy {arn}",
            403,
        )
    return policy


def attachment_count(ctx: RequestContext, arn: str) -> int:
    return ATTACHMENT.count(ctx, "policy", arn)


def boundary_count(ctx: RequestContext, arn: str) -> int:
    """How many roles and users have the policy as their permissions boundary
    (PermissionsBoundaryUsageCount)."""
    return iam_kinds.ROLE.count(ctx, "boundary", arn) + iam_kinds.USER.count(ctx, "boundary", arn)


def policy_view(ctx: RequestContext, policy: Policy, listed: bool = False) -> Record:
    """The Policy shape (ListPolicies leaves Description and tags out)."""
    view = {k: v for k, v in policy.items() if k not in ("Versions", "NextVersion", "AwsManaged")}
    view["AttachmentCount"] = attachment_count(ctx, policy["Arn"])
    view["PermissionsBoundaryUsageCount"] = boundary_count(ctx, policy["Arn"])
    if listed:
        view.pop("Description", None)
        view.pop("Tags", None)
    return view


def delete_policy(ctx: RequestContext, arn: str) -> None:
    policy = _own_policy(ctx, arn, "DeletePolicy")
    if attachment_count(ctx, arn) or boundary_count(ctx, arn):
        # A boundary counts as an attachment here (observed, gruntwork-io/cloud-nuke#972).
        raise AwsError("DeleteConflict", "Cannot delete a policy attached to entities.")
    if len(policy["Versions"]) > 1:
        raise AwsError(
            "DeleteConflict",
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy.",
        )
    POLICY.delete(ctx, policy["PolicyName"])


def list_policies(ctx: RequestContext, params: shapes.ListPoliciesRequest) -> tuple[list[Record], str | None]:
    scope = params.get("Scope", "All")
    prefix = params.get("PathPrefix", "/")
    only_attached = bool(params.get("OnlyAttached", False))
    candidates: list[tuple[str, Policy]] = []
    if scope in ("All", "AWS"):
        candidates += [(f"0/{p['PolicyName'].lower()}", p) for p in map(_aws_policy, sorted(_aws_catalog())) if p]
    if scope in ("All", "Local"):
        candidates += [(f"1/{p['PolicyName'].lower()}", p) for p in POLICY.scan(ctx)]
    candidates.sort(key=lambda item: item[0])
    chosen = [
        (k, policy_view(ctx, p, listed=True))
        for k, p in candidates
        if p["Path"].startswith(prefix) and (not only_attached or attachment_count(ctx, p["Arn"]))
    ]
    if params.get("PolicyUsageFilter") == "PermissionsBoundary":  # those some role or user has as its boundary
        chosen = [(k, v) for k, v in chosen if v["PermissionsBoundaryUsageCount"]]
    return page(ctx, "iam:ListPolicies", chosen, params)


# --- versions ------------------------------------------------------------------------------------


def _version_view(version: PolicyVersion, with_document: bool) -> Record:
    view: Record = {k: v for k, v in version.items() if k != "Document"}
    if with_document:
        view["Document"] = encoded(version["Document"])
    return view


def create_version(ctx: RequestContext, arn: str, text: str, set_default: bool) -> Record:
    policy = _own_policy(ctx, arn, "CreatePolicyVersion")
    parse_policy(text)
    _check_size(text)
    if len(policy["Versions"]) >= MAX_VERSIONS:
        raise AwsError(
            "LimitExceeded",
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
            "existing version.",
        )
    version_id = f"v{policy['NextVersion']}"
    policy["NextVersion"] += 1
    version: PolicyVersion = {
        "VersionId": version_id,
        "Document": text,
        "IsDefaultVersion": False,
        "CreateDate": ctx.now,
    }
    policy["Versions"].append(version)
    if set_default:
        _make_default(policy, version_id)
    policy["UpdateDate"] = ctx.now
    save(ctx, policy)
    return _version_view(version, with_document=False)


def _make_default(policy: ManagedPolicyRecord, version_id: str) -> None:
    for version in policy["Versions"]:
        version["IsDefaultVersion"] = version["VersionId"] == version_id
    policy["DefaultVersionId"] = version_id


def _version(policy: Policy, version_id: str) -> PolicyVersion:
    for version in policy["Versions"]:
        if version["VersionId"] == version_id:
            return version.copy()
    raise AwsError("NoSuchEntity", f"Policy {policy['Arn']} version {version_id} does not exist or is not attachable.")


def get_version(ctx: RequestContext, arn: str, version_id: str) -> Record:
    return _version_view(_version(get_policy(ctx, arn), version_id), with_document=True)


def list_versions(ctx: RequestContext, arn: str) -> list[Record]:
    """Newest first, as IAM lists them."""
    versions = get_policy(ctx, arn)["Versions"]
    return [_version_view(v, with_document=False) for v in sorted(versions, key=lambda v: -int(v["VersionId"][1:]))]


def delete_version(ctx: RequestContext, arn: str, version_id: str) -> None:
    policy = _own_policy(ctx, arn, "DeletePolicyVersion")
    version = _version(policy, version_id)
    if version["IsDefaultVersion"]:
        raise AwsError("DeleteConflict", "Cannot delete the default version of a policy.")
    policy["Versions"] = [v for v in policy["Versions"] if v["VersionId"] != version_id]
    save(ctx, policy)


def set_default_version(ctx: RequestContext, arn: str, version_id: str) -> None:
    policy = _own_policy(ctx, arn, "SetDefaultPolicyVersion")
    _version(policy, version_id)
    _make_default(policy, version_id)
    policy["UpdateDate"] = ctx.now
    save(ctx, policy)


def default_document(policy: Policy) -> str:
    return str(_version(policy, policy["DefaultVersionId"])["Document"])


# --- attachments ---------------------------------------------------------------------------------


def attach(ctx: RequestContext, kind: str, name: str, arn: str, by_aws: bool = False) -> None:
    """Attach a managed policy; `by_aws` is AWS itself (a service-linked role's own policy)."""
    entity = _entity(ctx, kind, name)
    if not by_aws:
        changeable(kind, entity)
    policy = find_policy(ctx, arn)
    if policy is None or not policy["IsAttachable"]:
        raise AwsError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")
    if policy["Path"].startswith("/aws-service-role/") and not (kind == "role" and entity.get("ServiceLinked")):
        raise AwsError("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
    entity_name = _entity_name(kind, entity)
    if ATTACHMENT.get(ctx, _owned_id(kind, entity_name, arn)) is not None:
        return  # attaching twice changes nothing, as in IAM
    if len(_owned(ctx, ATTACHMENT, kind, entity_name)) >= MAX_ATTACHED:
        quota = "PoliciesPerRole" if kind == "role" else "PoliciesPerUser"
        raise AwsError("LimitExceeded", f"Cannot exceed quota for {quota}: {MAX_ATTACHED}")
    record: PolicyAttachmentRecord = {
        "PolicyArn": arn,
        "PolicyName": policy["PolicyName"],
        "PolicyPath": policy["Path"],
        "EntityKind": kind,
        "EntityName": entity_name,
        "EntityId": str(entity.get("RoleId") if kind == "role" else entity.get("UserId")),
        "EntityPath": entity["Path"],
    }
    ATTACHMENT.save(ctx, record)


def detach(ctx: RequestContext, kind: str, name: str, arn: str) -> None:
    entity = _entity(ctx, kind, name)
    changeable(kind, entity)
    attachment_id = _owned_id(kind, _entity_name(kind, entity), arn)
    if ATTACHMENT.get(ctx, attachment_id) is None:
        raise AwsError("NoSuchEntity", f"Policy {arn} was not found.")
    ATTACHMENT.delete(ctx, attachment_id)


def attached(ctx: RequestContext, kind: str, name: str) -> list[PolicyAttachmentRecord]:
    """The managed policies attached to a role or user, by ARN."""
    entity = _entity(ctx, kind, name)
    return [r for _, r in _owned(ctx, ATTACHMENT, kind, _entity_name(kind, entity))]


def entities_for_policy(ctx: RequestContext, arn: str) -> list[PolicyAttachmentRecord]:
    get_policy(ctx, arn)
    found = ATTACHMENT.find(ctx, "policy", arn)
    return sorted(found, key=lambda r: (r["EntityKind"], r["EntityName"].lower()))


def conflicts(ctx: RequestContext, kind: str, name: str) -> None:
    """DeleteRole/DeleteUser refuse while managed policies are attached or inline ones exist."""
    if _owned(ctx, ATTACHMENT, kind, name):
        raise AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    if _owned(ctx, INLINE, kind, name):
        raise AwsError("DeleteConflict", "Cannot delete entity, must delete policies first.")


def forget_entity(ctx: RequestContext, kind: str, name: str) -> None:
    """Drop what a deleted entity held (a service-linked role is deleted with its policies)."""
    for key, _ in _owned(ctx, ATTACHMENT, kind, name):
        ATTACHMENT.delete_at_key(ctx, key)
    for key, _ in _owned(ctx, INLINE, kind, name):
        INLINE.delete_at_key(ctx, key)


# --- what a principal's identity policies say ---------------------------------------------------


def identity_documents(ctx: RequestContext, kind: str, name: str) -> list[dict[str, Any]]:
    """Every identity-based policy of a role or user (inline, and the default version of each
    attached managed policy), parsed; empty when the entity no longer exists."""
    texts = [r["PolicyDocument"] for _, r in _owned(ctx, INLINE, kind, name)]
    for _, attachment in _owned(ctx, ATTACHMENT, kind, name):
        policy = find_policy(ctx, attachment["PolicyArn"])
        if policy is not None:
            texts.append(default_document(policy))
    documents = []
    for text in texts:
        try:
            documents.append(json.loads(text))
        except ValueError:
            continue
    return documents


#: The SourcePolicyType IAM's simulator gives an identity-based policy (docs/decisions.md).
IDENTITY_SOURCE = "IAM Policy"


def named_identity_documents(ctx: RequestContext, kind: str, name: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The same policies as `identity_documents`, each with the id and type IAM's policy simulator
    names it by, as AWS answers: a managed policy by its name, an inline one as
    `<role|user>_<entity>_<policy>`, all of type `IAM Policy` (observed output, not the model's enum)."""
    named = [
        (f"{kind}_{name}_{r['PolicyName']}", IDENTITY_SOURCE, str(r["PolicyDocument"]))
        for _, r in _owned(ctx, INLINE, kind, name)
    ]
    for _, attachment in _owned(ctx, ATTACHMENT, kind, name):
        policy = find_policy(ctx, attachment["PolicyArn"])
        if policy is not None:
            named.append((attachment["PolicyArn"].rsplit("/", 1)[-1], IDENTITY_SOURCE, default_document(policy)))
    out = []
    for policy_id, source_type, text in named:
        try:
            out.append((policy_id, source_type, json.loads(text)))
        except ValueError:
            continue
    return out
