"""IAM: roles, users, access keys and instance profiles of an account.

Names are unique per account without regard to case, as in IAM; records are stored in the shape
IAM returns them (timestamps as epoch seconds) so services only need to pass them on.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

from trunkline.context import RequestContext
from trunkline.domain import iam_boundaries, identity, pagination
from trunkline.domain.iam_checks import check_path as check_path
from trunkline.domain.iam_checks import checked_tags as checked_tags
from trunkline.domain.iam_kinds import CREDENTIAL as CREDENTIALS
from trunkline.domain.iam_kinds import INSTANCE_PROFILE as PROFILES
from trunkline.domain.iam_kinds import ROLE as ROLES
from trunkline.domain.iam_kinds import USER as USERS
from trunkline.domain.iam_records import CredentialRecord, InstanceProfileRecord, RoleRecord, UserRecord
from trunkline.domain.iam_requests import PathPaged
from trunkline.domain.policy import aws_principals, parse_policy
from trunkline.domain.resource_kind import ResourceKind
from trunkline.errors import AwsError

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import iam as shapes

Record = dict[str, Any]
#: What an IAM list call with `PathPrefix` lists.
Listed = TypeVar("Listed", RoleRecord, UserRecord, InstanceProfileRecord)

SERVICE_LINKED_PATH = "/aws-service-role/{service}/"

#: Service-linked roles trunkline knows: service principal -> role name.
SERVICE_LINKED_ROLES = {
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
}
#: The services whose linked role takes a `CustomSuffix` (EC2 Auto Scaling User Guide: several
#: roles, each named `AWSServiceRoleForAutoScaling_<suffix>`); ECS does not.
SUFFIXED_SERVICES = frozenset({"autoscaling.amazonaws.com"})
#: The AWS managed policy each service-linked role comes with. It is attached only when the
#: package's managed-policy catalog has it: AutoScalingServiceRolePolicy is not there, so the Auto
#: Scaling role comes without it (docs/decisions.md, "The Auto Scaling service-linked role").
SERVICE_LINKED_POLICIES = {
    "ecs.amazonaws.com": "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy",
    "autoscaling.amazonaws.com": "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy",
}


def _key(ctx: RequestContext, name: str) -> str:
    """A user's store key: what its access keys' `user` index holds."""
    return USERS.key(ctx, name)


def _arn(ctx: RequestContext, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{ctx.account_id}:{kind}{path}{name}"


# --- roles --------------------------------------------------------------------------------------


def create_role(ctx: RequestContext, params: shapes.CreateRoleRequest, service_linked: str | None = None) -> RoleRecord:
    name = params["RoleName"]
    path = params.get("Path", "/")
    check_path(path)
    policy_text = params["AssumeRolePolicyDocument"]
    _check_trusted(ctx, parse_policy(policy_text, trust=True))
    if ROLES.get(ctx, name) is not None:
        raise AwsError("EntityAlreadyExists", f"Role with name {name} already exists.")
    boundary = iam_boundaries.checked(ctx, params["PermissionsBoundary"]) if params.get("PermissionsBoundary") else None
    role: RoleRecord = {
        "Path": path,
        "RoleName": name,
        "RoleId": identity.new_unique_id("AROA"),
        "Arn": _arn(ctx, "role", path, name),
        "CreateDate": ctx.now,
        "AssumeRolePolicyDocument": quote(policy_text, safe=""),
        "MaxSessionDuration": params.get("MaxSessionDuration", 3600),
        "RoleLastUsed": {},
    }
    if params.get("Description") is not None:
        role["Description"] = params["Description"]
    tags = checked_tags(params)
    if tags:
        role["Tags"] = tags
    if boundary is not None:
        role["PermissionsBoundary"] = boundary
    if service_linked:
        role["ServiceLinked"] = service_linked
    ROLES.save(ctx, role)
    return role


def get_role(ctx: RequestContext, name: str) -> RoleRecord:
    return ROLES.require(ctx, name)


def role_by_arn(ctx: RequestContext, arn: str) -> RoleRecord | None:
    found = ROLES.find(ctx, "arn", arn)
    return found[0] if found else None


def delete_role(ctx: RequestContext, name: str) -> None:
    from trunkline.domain import iam_policies  # builds on this module

    role = get_role(ctx, name)
    if role.get("ServiceLinked"):
        raise AwsError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{role['RoleName']}' - this role is only modifiable by AWS",
        )
    if PROFILES.count(ctx, "role", role["RoleName"].lower()):
        raise AwsError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    iam_policies.conflicts(ctx, "role", role["RoleName"])
    ROLES.delete(ctx, name)


def role_view(role: RoleRecord) -> Record:
    """The Role shape: the record without trunkline's service-linked marker."""
    return {k: v for k, v in role.items() if k != "ServiceLinked"}


def listed_role(role: RoleRecord) -> Record:
    """A role as ListRoles shows it: no boundary, no tags, no last use (IAM API Reference, ListRoles)."""
    return {k: v for k, v in role_view(role).items() if k not in ("PermissionsBoundary", "Tags", "RoleLastUsed")}


def user_view(user: UserRecord) -> Record:
    """The User shape; the root user has no name, and IAM leaves UserName out for it (observed,
    e.g. aws-vault#152)."""
    return {k: v for k, v in user.items() if not (k == "UserName" and not v)}


def listed_user(user: UserRecord) -> Record:
    """A user as ListUsers shows it: no boundary, no tags (IAM API Reference, ListUsers)."""
    return {k: v for k, v in user.items() if k not in ("PermissionsBoundary", "Tags")}


def create_service_linked_role(
    ctx: RequestContext, service: str, description: str | None = None, custom_suffix: str | None = None
) -> RoleRecord:
    name = SERVICE_LINKED_ROLES.get(service)
    if name is None:
        raise AwsError("InvalidInput", f"Service role name for {service} is not known to trunkline.")
    if custom_suffix is not None:
        name = _suffixed(service, name, custom_suffix)
    if ROLES.get(ctx, name) is not None:
        raise AwsError(
            "InvalidInput",
            f"Service role name {name} has been taken in this account, please try a different suffix.",
        )
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}],
    }
    role_params: shapes.CreateRoleRequest = {
        "RoleName": name,
        "Path": SERVICE_LINKED_PATH.format(service=service),
        "AssumeRolePolicyDocument": json.dumps(trust),
    }
    if description is not None:  # create_role reads an absent and a None description alike
        role_params["Description"] = description
    from trunkline.domain import iam_policies  # builds on this module

    role = create_role(ctx, role_params, service_linked=service)
    policy = SERVICE_LINKED_POLICIES.get(service)
    if policy is not None and iam_policies.find_policy(ctx, policy) is not None:
        iam_policies.attach(ctx, "role", name, policy, by_aws=True)
    return role


def _suffixed(service: str, name: str, suffix: str) -> str:
    """`<name>_<suffix>`, for the services that take a custom suffix; AWS refuses it for the others
    with the text below (observed in CloudFormation's errors for es.amazonaws.com)."""
    if service not in SUFFIXED_SERVICES:
        raise AwsError("InvalidInput", f"Custom suffix is not allowed for {service}")
    suffixed = f"{name}_{suffix}"
    if len(suffixed) > 64:  # a role name's limit; AWS's text for this case is not known (decisions.md)
        raise AwsError("InvalidInput", f"Role name {suffixed} is longer than 64 characters: use a shorter suffix.")
    return suffixed


def ensure_service_linked_role(ctx: RequestContext, service: str) -> RoleRecord:
    """The service's linked role, created first if the account lacks it (as ECS does on
    CreateCluster and Auto Scaling on CreateAutoScalingGroup)."""
    existing = ROLES.get(ctx, SERVICE_LINKED_ROLES[service])
    return existing if existing is not None else create_service_linked_role(ctx, service)


def _check_trusted(ctx: RequestContext, document: dict[str, Any]) -> None:
    """IAM resolves a trusted role or user of the account to its unique id when it stores the trust
    policy, so one that does not exist (yet) is refused: "Invalid principal in policy"."""
    mine = f"arn:aws:iam::{ctx.account_id}:"
    for principal in aws_principals(document):
        kind, _, rest = principal.removeprefix(mine).partition("/")
        if not principal.startswith(mine) or kind not in ("role", "user"):
            continue  # the account, its root, another account, an STS session: nothing to resolve
        kinds: ResourceKind[Any] = ROLES if kind == "role" else USERS
        found = kinds.get(ctx, rest.rsplit("/", 1)[-1])
        if found is None or found["Arn"] != principal:
            raise AwsError("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{principal}"')


def update_assume_role_policy(ctx: RequestContext, name: str, policy_text: str) -> None:
    role = get_role(ctx, name)
    _check_trusted(ctx, parse_policy(policy_text, trust=True))
    role["AssumeRolePolicyDocument"] = quote(policy_text, safe="")
    ROLES.save(ctx, role)


def page(
    ctx: RequestContext, kind: ResourceKind[Listed], listing: str, params: PathPaged
) -> tuple[list[Listed], str | None]:
    """One page of an IAM list call of roles, users or instance profiles (`Marker`/`MaxItems`,
    `PathPrefix`); returns the records and the next marker."""
    limit = params.get("MaxItems", 100)
    prefix = params.get("PathPrefix", "/")
    after = None
    if params.get("Marker") is not None:
        after = pagination.decode(ctx.tx, listing, params["Marker"])
        if not isinstance(after, str):
            raise AwsError("ValidationError", "Invalid Marker.")
    records: list[Listed] = []
    last_key = after
    for key, record in kind.walk(ctx, after=after):
        if record["Path"].startswith(prefix):
            if len(records) == limit:
                return records, pagination.encode(ctx.tx, listing, last_key)
            records.append(record)
        last_key = key
    return records, None


# --- users and access keys ----------------------------------------------------------------------


def create_user(ctx: RequestContext, params: shapes.CreateUserRequest) -> UserRecord:
    name = params["UserName"]
    path = params.get("Path", "/")
    check_path(path)
    if USERS.get(ctx, name) is not None:
        raise AwsError("EntityAlreadyExists", f"User with name {name} already exists.")
    boundary = iam_boundaries.checked(ctx, params["PermissionsBoundary"]) if params.get("PermissionsBoundary") else None
    user: UserRecord = {
        "Path": path,
        "UserName": name,
        "UserId": identity.new_unique_id("AIDA"),
        "Arn": _arn(ctx, "user", path, name),
        "CreateDate": ctx.now,
    }
    tags = checked_tags(params)
    if tags:
        user["Tags"] = tags
    if boundary is not None:
        user["PermissionsBoundary"] = boundary
    USERS.save(ctx, user)
    return user


def get_user(ctx: RequestContext, name: str | None) -> UserRecord:
    if name is None:
        principal = ctx.principal
        if principal.kind == "user":
            name = principal.arn.rsplit("/", 1)[-1]
        elif principal.kind == "root":
            return {"Path": "/", "UserName": "", "UserId": ctx.account_id, "Arn": principal.arn, "CreateDate": 0.0}
        else:
            raise AwsError("ValidationError", "Must specify userName when calling with non-User credentials")
    return USERS.require(ctx, name)


def _user_keys(ctx: RequestContext, user: UserRecord) -> list[CredentialRecord]:
    return [k for k in CREDENTIALS.find(ctx, "user", _key(ctx, user["UserName"])) if k.get("status") != "Deleted"]


def delete_user(ctx: RequestContext, name: str) -> None:
    from trunkline.domain import iam_policies  # builds on this module

    user = get_user(ctx, name)
    if _user_keys(ctx, user):
        raise AwsError("DeleteConflict", "Cannot delete entity, must delete access keys first.")
    iam_policies.conflicts(ctx, "user", user["UserName"])
    USERS.delete(ctx, name)


def create_access_key(ctx: RequestContext, user_name: str | None) -> Record:
    user = get_user(ctx, user_name)
    if not user["UserName"]:
        raise AwsError("ValidationError", "trunkline does not issue access keys for the root user.")
    if len(_user_keys(ctx, user)) >= 2:
        raise AwsError("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    key_id = identity.new_access_key_id("AKIA")
    secret = identity.new_secret()
    identity.issue_credential(
        ctx,
        key_id,
        {
            "account_id": ctx.account_id,
            "arn": user["Arn"],
            "user_id": user["UserId"],
            "kind": "user",
            "user_name": _key(ctx, user["UserName"]),
            "display_user": user["UserName"],
            "access_key_id": key_id,
            "status": "Active",
            "created": ctx.now,
        },
        secret,
    )
    return {
        "UserName": user["UserName"],
        "AccessKeyId": key_id,
        "Status": "Active",
        "SecretAccessKey": secret,
        "CreateDate": ctx.now,
    }


def list_access_keys(ctx: RequestContext, user_name: str | None) -> list[Record]:
    user = get_user(ctx, user_name)
    return [
        {
            "UserName": user["UserName"],
            "AccessKeyId": k["access_key_id"],
            "Status": k["status"],
            "CreateDate": k["created"],
        }
        for k in _user_keys(ctx, user)
    ]


def _access_key(ctx: RequestContext, user_name: str | None, key_id: str) -> CredentialRecord:
    user = get_user(ctx, user_name)
    record = CREDENTIALS.get(ctx, key_id)
    if record is None or record.get("status") == "Deleted" or record.get("user_name") != _key(ctx, user["UserName"]):
        raise AwsError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")
    return record


def update_access_key(ctx: RequestContext, user_name: str | None, key_id: str, status: str) -> None:
    record = _access_key(ctx, user_name, key_id)
    record["status"] = status
    identity.store_credential(ctx.tx, key_id, record)


def delete_access_key(ctx: RequestContext, user_name: str | None, key_id: str) -> None:
    record = _access_key(ctx, user_name, key_id)
    # Kept as a tombstone, so requests still signed with the deleted key are refused as by IAM.
    record["status"] = "Deleted"
    record["user_name"] = None
    identity.store_credential(ctx.tx, key_id, record)


# --- instance profiles --------------------------------------------------------------------------


def create_instance_profile(ctx: RequestContext, params: shapes.CreateInstanceProfileRequest) -> InstanceProfileRecord:
    name = params["InstanceProfileName"]
    path = params.get("Path", "/")
    check_path(path)
    if PROFILES.get(ctx, name) is not None:
        raise AwsError("EntityAlreadyExists", f"Instance Profile {name} already exists.")
    profile: InstanceProfileRecord = {
        "Path": path,
        "InstanceProfileName": name,
        "InstanceProfileId": identity.new_unique_id("AIPA"),
        "Arn": _arn(ctx, "instance-profile", path, name),
        "CreateDate": ctx.now,
        "RoleNames": [],
    }
    tags = checked_tags(params)
    if tags:
        profile["Tags"] = tags
    _save_profile(ctx, profile)
    return profile


def _save_profile(ctx: RequestContext, profile: InstanceProfileRecord) -> None:
    PROFILES.save(ctx, profile)


def instance_profile(ctx: RequestContext, name: str) -> InstanceProfileRecord:
    return PROFILES.require(ctx, name)


def instance_profile_at(ctx: RequestContext, arn: str) -> InstanceProfileRecord | None:
    found = PROFILES.find(ctx, "arn", arn)
    return found[0] if found else None


# EC2's launch path (`domain/ec2/instances.py`) still takes an untyped record: these two give it one
# until it takes `InstanceProfileRecord` (then they go, for the two above).
def get_instance_profile(ctx: RequestContext, name: str) -> Record:
    return cast(Record, instance_profile(ctx, name))


def instance_profile_by_arn(ctx: RequestContext, arn: str) -> Record | None:
    return cast(Record | None, instance_profile_at(ctx, arn))


def profile_view(ctx: RequestContext, profile: InstanceProfileRecord) -> Record:
    """The InstanceProfile shape: with its roles' full records."""
    view = {k: v for k, v in profile.items() if k != "RoleNames"}
    view["Roles"] = [r for r in (ROLES.get(ctx, n) for n in profile["RoleNames"]) if r is not None]
    return view


def add_role_to_instance_profile(ctx: RequestContext, profile_name: str, role_name: str) -> None:
    profile = instance_profile(ctx, profile_name)
    role = get_role(ctx, role_name)
    if profile["RoleNames"]:
        raise AwsError("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    profile["RoleNames"] = [role["RoleName"]]
    _save_profile(ctx, profile)


def remove_role_from_instance_profile(ctx: RequestContext, profile_name: str, role_name: str) -> None:
    profile = instance_profile(ctx, profile_name)
    get_role(ctx, role_name)
    if role_name.lower() not in [n.lower() for n in profile["RoleNames"]]:
        raise AwsError("NoSuchEntity", f"The role with name {role_name} cannot be found.")
    profile["RoleNames"] = []
    _save_profile(ctx, profile)


def delete_instance_profile(ctx: RequestContext, name: str) -> None:
    profile = instance_profile(ctx, name)
    if profile["RoleNames"]:
        raise AwsError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    PROFILES.delete(ctx, name)


def instance_profiles_for_role(ctx: RequestContext, role_name: str) -> list[InstanceProfileRecord]:
    role = get_role(ctx, role_name)
    return PROFILES.find(ctx, "role", role["RoleName"].lower())
