"""STS through boto3, in-process (sts_world.py): who the caller is, AssumeRole's trust
policy, durations, session names, session policies and tags, GetSessionToken and
GetAccessKeyInfo, with AWS's answers."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from sts_world import ACCOUNT, World

from overcast.aws.access_key_ids import account_of_key
from overcast.aws.credentials import Identity
from overcast.aws.policy.context import principal_keys
from overcast.aws.root_key import root_identity
from overcast.aws.sessions import assumed_role_identity
from overcast.services.iam.access_keys import AccessKeyRing

ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def trust(principal: dict, condition: dict | None = None) -> str:
    statement: dict = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(world: World, name: str = "demo", document: str | None = None, **extra) -> str:
    document = document or trust({"AWS": ROOT})
    role = world.iam.create_role(RoleName=name, AssumeRolePolicyDocument=document, **extra)
    return role["Role"]["Arn"]


def make_user(world: World, name: str, policy: dict | None = None) -> Identity:
    user = world.iam.create_user(UserName=name)["User"]
    if policy is not None:
        world.iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    return Identity(user["Arn"], ACCOUNT, user["UserId"])


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    return response["Error"]["Code"], response["Error"]["Message"], status


ALLOW_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


# --- GetCallerIdentity ---------------------------------------------------------------------


def test_an_unverified_caller_is_the_accounts_root(sts_world: World) -> None:
    answer = sts_world.sts.get_caller_identity()
    assert (answer["Account"], answer["Arn"], answer["UserId"]) == (ACCOUNT, ROOT, ACCOUNT)


def test_caller_identity_of_a_user_and_of_a_session(sts_world: World) -> None:
    alice = make_user(sts_world, "alice")
    sts_world.caller.identity = alice
    answer = sts_world.sts.get_caller_identity()
    assert answer["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert answer["UserId"].startswith("AIDA")
    role_arn = make_role(sts_world, "reader")
    sts_world.caller.identity = None
    sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="bob")
    session, _ = sts_world.issuer.issued[-1]
    sts_world.caller.identity = session.identity
    answer = sts_world.sts.get_caller_identity()
    assert answer["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/bob"
    role_id = sts_world.iam.get_role(RoleName="reader")["Role"]["RoleId"]
    assert answer["UserId"] == f"{role_id}:bob"


# --- AssumeRole ----------------------------------------------------------------------------


def test_assume_role_answers_credentials_and_the_sessions_arns(sts_world: World) -> None:
    role_arn = make_role(sts_world, "demo", Path="/team/")
    before = datetime.now(UTC)
    answer = sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="Bob")
    role_id = sts_world.iam.get_role(RoleName="demo")["Role"]["RoleId"]
    user = answer["AssumedRoleUser"]
    # The session's ARN names the role without its path.
    assert user["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/demo/Bob"
    assert user["AssumedRoleId"] == f"{role_id}:Bob"
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert account_of_key(credentials["AccessKeyId"]) == ACCOUNT
    assert credentials["SessionToken"] and len(credentials["SecretAccessKey"]) == 40
    expires = credentials["Expiration"]
    assert before + timedelta(seconds=3590) < expires < before + timedelta(seconds=3700)
    assert "PackedPolicySize" not in answer
    key, duration = sts_world.issuer.issued[-1]
    assert duration == 3600
    assert key.identity.role_arn == role_arn
    assert key.identity.user_id == f"{role_id}:Bob"


def test_a_trust_policy_that_does_not_name_the_caller_refuses(sts_world: World) -> None:
    role_arn = make_role(sts_world, "fn-role", trust({"Service": "lambda.amazonaws.com"}))
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    message = f"User: {ROOT} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    assert error_of(excinfo) == ("AccessDenied", message, 403)
    assert sts_world.issuer.issued == []


def test_a_role_that_does_not_exist_is_the_same_access_denied(sts_world: World) -> None:
    missing = f"arn:aws:iam::{ACCOUNT}:role/nowhere"
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=missing, RoleSessionName="s1")
    assert error_of(excinfo)[:2] == (
        "AccessDenied",
        f"User: {ROOT} is not authorized to perform: sts:AssumeRole on resource: {missing}",
    )


def test_a_verified_root_may_not_assume_roles(sts_world: World) -> None:
    role_arn = make_role(sts_world)
    sts_world.caller.identity = Identity(ROOT, ACCOUNT, ACCOUNT)
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    assert error_of(excinfo) == ("AccessDenied", "Roles may not be assumed by root accounts.", 403)


def test_a_trust_policy_naming_the_account_needs_the_users_own_policy(sts_world: World) -> None:
    role_arn = make_role(sts_world)
    sts_world.caller.identity = make_user(sts_world, "carol")
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    assert error_of(excinfo)[0] == "AccessDenied"
    assert "User: arn:aws:iam::123456789012:user/carol is not authorized" in error_of(excinfo)[1]
    sts_world.caller.identity = make_user(sts_world, "dave", ALLOW_ASSUME)
    answer = sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/demo/s1")


def test_a_trust_policy_naming_the_user_itself_is_enough(sts_world: World) -> None:
    erin = make_user(sts_world, "erin")
    role_arn = make_role(sts_world, "direct", trust({"AWS": erin.arn}))
    sts_world.caller.identity = erin
    assert sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")["Credentials"]


def test_external_id_condition(sts_world: World) -> None:
    condition = {"StringEquals": {"sts:ExternalId": "secret-123"}}
    role_arn = make_role(sts_world, "partner", trust({"AWS": ROOT}, condition))
    for external_id in (None, "wrong-id"):
        extra = {"ExternalId": external_id} if external_id else {}
        with pytest.raises(ClientError) as excinfo:
            sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", **extra)
        assert error_of(excinfo)[0] == "AccessDenied"
    answer = sts_world.sts.assume_role(
        RoleArn=role_arn, RoleSessionName="s1", ExternalId="secret-123"
    )
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (
            899,
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value greater than or equal to 900",
        ),
        (7200, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
    ],
)
def test_duration_bounds(sts_world: World, duration: int, message: str) -> None:
    role_arn = make_role(sts_world)
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", DurationSeconds=duration)
    assert error_of(excinfo) == ("ValidationError", message, 400)


def test_a_longer_max_session_duration_allows_longer_sessions(sts_world: World) -> None:
    role_arn = make_role(sts_world, "long", MaxSessionDuration=43200)
    sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", DurationSeconds=43200)
    assert sts_world.issuer.issued[-1][1] == 43200


def test_role_chaining_is_limited_to_one_hour(sts_world: World) -> None:
    first = make_role(sts_world, "first")
    second = make_role(sts_world, "second", MaxSessionDuration=7200)
    sts_world.sts.assume_role(RoleArn=first, RoleSessionName="first-session")
    session = sts_world.issuer.issued[-1][0].identity
    sts_world.iam.put_role_policy(
        RoleName="first", PolicyName="chain", PolicyDocument=json.dumps(ALLOW_ASSUME)
    )
    sts_world.caller.identity = session
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(
            RoleArn=second, RoleSessionName="second-session", DurationSeconds=7200
        )
    assert error_of(excinfo)[:2] == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    answer = sts_world.sts.assume_role(RoleArn=second, RoleSessionName="second-session")
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/second/second-session")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a b", "Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
        ("team/alice", "Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
        ("x" * 65, "Member must have length less than or equal to 64"),
    ],
)
def test_session_name_rules(sts_world: World, name: str, problem: str) -> None:
    role_arn = make_role(sts_world)
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName=name)
    message = (
        f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy "
        f"constraint: {problem}"
    )
    assert error_of(excinfo) == ("ValidationError", message, 400)


def test_a_role_arn_that_is_not_one(sts_world: World) -> None:
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn="arn:aws:s3:::not-a-role", RoleSessionName="s1")
    assert error_of(excinfo)[:2] == ("ValidationError", "arn:aws:s3:::not-a-role is invalid")


# --- session policies, tags, SourceIdentity -------------------------------------------------

EXAMPLE_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Sid":"Stmt1","Effect":"Allow",'
    '"Action":"s3:ListAllMyBuckets","Resource":"*"}]}'
)
EXAMPLE_TAGS = [
    {"Key": "Project", "Value": "Unicorn"},
    {"Key": "Team", "Value": "Automation"},
    {"Key": "Cost-Center", "Value": "12345"},
]


def test_session_policies_tags_and_source_identity_shape_the_session(sts_world: World) -> None:
    role_arn = make_role(sts_world, Tags=[{"Key": "Team", "Value": "Platform"}])
    read_only = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    answer = sts_world.sts.assume_role(
        RoleArn=role_arn,
        RoleSessionName="testAssumeRoleSession",
        Policy=EXAMPLE_POLICY,
        PolicyArns=[{"arn": read_only}],
        Tags=EXAMPLE_TAGS,
        TransitiveTagKeys=["Project", "Cost-Center"],
        SourceIdentity="alice@example.com",
    )
    assert 0 < answer["PackedPolicySize"] <= 100
    assert answer["SourceIdentity"] == "alice@example.com"
    identity = sts_world.issuer.issued[-1][0].identity
    version = sts_world.iam.get_policy(PolicyArn=read_only)["Policy"]["DefaultVersionId"]
    managed = sts_world.iam.get_policy_version(PolicyArn=read_only, VersionId=version)
    assert identity.session_policies[0] == EXAMPLE_POLICY
    assert json.loads(identity.session_policies[1]) == managed["PolicyVersion"]["Document"]
    # The session's tags override the role's (Team), as AWS documents.
    assert identity.attributes["aws:PrincipalTag/Team"] == "Automation"
    assert identity.attributes["aws:PrincipalTag/Project"] == "Unicorn"
    assert identity.attributes["aws:SourceIdentity"] == "alice@example.com"


def test_the_models_example_packs_to_its_answered_size(sts_world: World) -> None:
    role_arn = make_role(sts_world)
    answer = sts_world.sts.assume_role(
        RoleArn=role_arn, RoleSessionName="s1", Policy=EXAMPLE_POLICY, Tags=EXAMPLE_TAGS
    )
    assert answer["PackedPolicySize"] == 8  # botocore's sts examples-1.json


def test_a_malformed_session_policy(sts_world: World) -> None:
    role_arn = make_role(sts_world)
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]})
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", Policy=document)
    assert error_of(excinfo) == (
        "MalformedPolicyDocument",
        "Policy statement must contain actions.",
        400,
    )


def test_session_tags_too_large_when_packed(sts_world: World) -> None:
    role_arn = make_role(sts_world)
    tags = [
        {"Key": f"k{i}-{secrets.token_hex(40)}", "Value": secrets.token_hex(60)} for i in range(50)
    ]
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", Tags=tags)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("PackedPolicyTooLarge", 400)
    assert message.startswith("Packed size of session tags consumes ")
    assert message.endswith("% of allotted space.")


def test_an_external_id_and_tags_are_condition_keys_of_the_trust(sts_world: World) -> None:
    condition = {"StringEquals": {"aws:RequestTag/Team": "Automation"}}
    role_arn = make_role(sts_world, "tagged", trust({"AWS": ROOT}, condition))
    with pytest.raises(ClientError):
        sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1", Tags=EXAMPLE_TAGS)


# --- GetSessionToken, GetAccessKeyInfo ------------------------------------------------------


def test_get_session_token_for_a_user_keeps_the_user(sts_world: World) -> None:
    frank = make_user(sts_world, "frank")
    sts_world.caller.identity = frank
    answer = sts_world.sts.get_session_token()
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    key, duration = sts_world.issuer.issued[-1]
    assert (key.identity, duration) == (frank, 43200)
    sts_world.sts.get_session_token(DurationSeconds=129600)
    assert sts_world.issuer.issued[-1][1] == 129600


def test_get_session_token_for_the_root_lasts_at_most_an_hour(sts_world: World) -> None:
    sts_world.sts.get_session_token(DurationSeconds=7200)
    key, duration = sts_world.issuer.issued[-1]
    assert (key.identity.arn, duration) == (ROOT, 3600)


def test_get_session_token_duration_bounds(sts_world: World) -> None:
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.get_session_token(DurationSeconds=129601)
    assert error_of(excinfo) == (
        "ValidationError",
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 129600",
        400,
    )


def test_session_credentials_cannot_get_a_session_token(sts_world: World) -> None:
    role_arn = make_role(sts_world)
    sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    key = sts_world.issuer.issued[-1][0]
    sts_world.caller.identity = key.identity
    sts_world.caller.access_key = key.access_key_id
    with pytest.raises(ClientError) as excinfo:
        sts_world.sts.get_session_token()
    assert error_of(excinfo) == (
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
        403,
    )


def test_get_access_key_info_reads_the_account_from_the_id(sts_world: World) -> None:
    sts_world.iam.create_user(UserName="gina")
    key = sts_world.iam.create_access_key(UserName="gina")["AccessKey"]["AccessKeyId"]
    assert sts_world.sts.get_access_key_info(AccessKeyId=key)["Account"] == ACCOUNT
    # A real AWS key id answers its real account (the documented example's decoding).
    answer = sts_world.sts.get_access_key_info(AccessKeyId="AKIASP2TPHJSQH3FJXYZ")
    assert answer["Account"] == "171436882533"


# --- who each issued identity is to a policy ------------------------------------------------


def test_each_principal_s_type_username_and_userid(sts_world: World) -> None:
    """aws:PrincipalType, aws:username and aws:userid of every principal Overcast signs for,
    as the IAM User Guide's "Principal key values" table gives them: the root is Account
    (userid the account id), an IAM user User (and so its GetSessionToken session, the same
    principal), a root's session Account, a role session AssumedRole (userid role-id:session,
    as an environment's credentials are too), an STS federated user FederatedUser."""
    sts_world.iam.create_user(UserName="frank")
    key = sts_world.iam.create_access_key(UserName="frank")["AccessKey"]["AccessKeyId"]
    frank = AccessKeyRing(sts_world.iam_directory).find(key).identity  # type: ignore[union-attr]
    sts_world.caller.identity = frank
    sts_world.sts.get_session_token()
    frank_session = sts_world.issuer.issued[-1][0].identity
    sts_world.caller.identity = root_identity(ACCOUNT)
    sts_world.sts.get_session_token()
    root_session = sts_world.issuer.issued[-1][0].identity
    sts_world.caller.identity = frank
    role_arn = make_role(sts_world, "worker", trust({"AWS": frank.arn}))
    sts_world.sts.assume_role(RoleArn=role_arn, RoleSessionName="s1")
    role_session = sts_world.issuer.issued[-1][0].identity
    role_id = sts_world.iam.get_role(RoleName="worker")["Role"]["RoleId"]
    environment = assumed_role_identity(role_arn, "fn")
    federated = Identity(f"arn:aws:sts::{ACCOUNT}:federated-user/jean", ACCOUNT, f"{ACCOUNT}:jean")

    def keys(identity: Identity) -> tuple:
        found = principal_keys(identity)
        return tuple(found.get(f"aws:{k}", (None,))[0] for k in ("principaltype", "username"))

    assert keys(root_identity(ACCOUNT)) == ("Account", None)
    assert keys(root_session) == ("Account", None)
    assert keys(frank) == keys(frank_session) == ("User", "frank")
    assert principal_keys(frank_session)["aws:userid"] == (frank.user_id,)
    assert frank.user_id.startswith("AIDA")
    assert keys(role_session) == keys(environment) == ("AssumedRole", None)
    assert principal_keys(role_session)["aws:userid"] == (f"{role_id}:s1",)
    assert principal_keys(role_session)["aws:principalarn"] == (role_arn,)
    assert keys(federated) == ("FederatedUser", None)
    assert principal_keys(root_session)["aws:userid"] == (ACCOUNT,)
