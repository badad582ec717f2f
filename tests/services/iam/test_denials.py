"""IAM's refusals as each service words them, through boto3: the whole platform in-process
behind the gateway with IAM's authorizer, and a stand-in for SigV4 verification that takes
the request's access key id as the caller (the root's `ROOTKEY`, a user's `AKIA` key)."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from overcast.aws.authorizer import Access, AllowAll, Authorizer, ResourcePolicies
from overcast.aws.credentials import Identity
from overcast.aws.gateway import Gateway
from overcast.aws.request_context import RequestContext
from overcast.config import Settings
from overcast.factory import authorizer_for, build_platform
from overcast.services.iam.authorizer import IamAuthorizer
from overcast.services.lambda_.api.rest import lambda_api

ACCOUNT = "000000000000"
ROOT = Identity(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ACCOUNT)
NOBODY = f"arn:aws:iam::{ACCOUNT}:user/nobody"
CALLERS: dict[str, Identity] = {}  # access key id -> the caller it stands for


class Verified:
    """Stands in for SigV4 verification: the access key id names the caller."""

    def __init__(self, inner: Authorizer, callers: dict[str, Identity]) -> None:
        self.inner = inner
        self.callers = callers

    def authorize(
        self, context: RequestContext, access: Access, policies: ResourcePolicies | None = None
    ) -> None:
        identity = self.callers.get(context.access_key)
        self.inner.authorize(replace(context, identity=identity), access, policies)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: object):
        yield self.data


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    data_dir: Path = tmp_path_factory.mktemp("denials")
    settings = Settings(data_dir=data_dir, isolation=False, log_level="warning")
    platform = build_platform(settings)
    iam_authorizer = authorizer_for(settings, platform.services)
    assert isinstance(iam_authorizer, IamAuthorizer)
    assert isinstance(authorizer_for(replace(settings, auth=False), platform.services), AllowAll)
    callers = CALLERS
    callers["ROOTKEY"] = ROOT
    authorizer = Verified(iam_authorizer, callers)
    gateway = Gateway(
        [s.api for s in platform.services if s.api is not None],
        lambda_api(platform.control),
        "us-east-1",
        ACCOUNT,
        authorizer,
    )
    http = TestClient(Starlette(routes=[Route("/{path:path}", gateway.handle, methods=_ALL)]))

    def client(service: str, key: str = "ROOTKEY", **extra: object):
        made = boto3.client(
            service,
            region_name="us-east-1",
            endpoint_url="http://overcast.test",
            aws_access_key_id=key,
            aws_secret_access_key="secret",
            config=Config(retries={"max_attempts": 0}, **extra),
        )

        def send(request, **_: object) -> AWSResponse:
            headers = {
                k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
            }
            path = request.url.split("overcast.test", 1)[1] or "/"
            answer = http.request(request.method, path, content=request.body, headers=headers)
            return AWSResponse(
                request.url, answer.status_code, answer.headers, _Body(answer.content)
            )

        made.meta.events.register("before-send", send)
        return made

    user = client("iam").create_user(UserName="nobody")["User"]
    callers["AKIANOBODY"] = Identity(NOBODY, ACCOUNT, user["UserId"])
    yield client, http
    for service in reversed(platform.services):
        service.close()
    platform.store.close()


_ALL = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"]


def refused(call) -> dict:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def because(action: str, resource: str | None = None) -> str:
    on = f" on resource: {resource}" if resource else ""
    return (
        f"User: {NOBODY} is not authorized to perform: {action}{on} because no "
        f"identity-based policy allows the {action} action"
    )


@pytest.mark.parametrize(
    ("service", "call", "code", "status", "message"),
    [
        (
            "lambda",
            lambda c: c.get_function(FunctionName="secret-holder"),
            "AccessDeniedException",
            403,
            because(
                "lambda:GetFunction",
                f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:secret-holder",
            ),
        ),
        (
            "sqs",
            lambda c: c.list_queues(),
            "AccessDenied",
            403,
            because("sqs:listqueues"),
        ),
        (
            "sns",
            lambda c: c.list_topics(),
            "AuthorizationError",
            403,
            because("SNS:ListTopics"),
        ),
        ("iam", lambda c: c.list_users(), "AccessDenied", 403, because("iam:ListUsers")),
        (
            "sts",
            lambda c: c.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE"),
            "AccessDenied",
            403,
            because("sts:GetAccessKeyInfo"),
        ),
        (
            "events",
            lambda c: c.list_rules(),
            "AccessDeniedException",
            400,
            because("events:ListRules"),
        ),
        (
            "logs",
            lambda c: c.describe_log_groups(),
            "AccessDeniedException",
            400,
            because("logs:DescribeLogGroups"),
        ),
        ("kms", lambda c: c.list_keys(), "AccessDeniedException", 400, because("kms:ListKeys")),
        (
            "ssm",
            lambda c: c.describe_parameters(),
            "AccessDeniedException",
            400,
            because("ssm:DescribeParameters"),
        ),
        (
            "secretsmanager",
            lambda c: c.list_secrets(),
            "AccessDeniedException",
            400,
            because("secretsmanager:ListSecrets"),
        ),
        (
            "apigatewayv2",
            lambda c: c.get_apis(),
            "AccessDeniedException",
            403,
            because("apigateway:GET", "arn:aws:apigateway:us-east-1::/apis"),
        ),
    ],
)
def test_each_service_words_a_refusal_its_way(world, service, call, code, status, message) -> None:
    client, _ = world
    answer = refused(lambda: call(client(service, "AKIANOBODY")))
    assert answer["Error"]["Code"] == code
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == status
    assert answer["Error"]["Message"] == message


def test_s3_quotes_the_resource_and_tells_anonymous_callers_only_access_denied(world) -> None:
    client, http = world
    root = client("s3")
    root.create_bucket(Bucket="private")
    root.put_object(Bucket="private", Key="k", Body=b"secret")
    answer = refused(lambda: client("s3", "AKIANOBODY").get_object(Bucket="private", Key="k"))
    assert answer["Error"]["Code"] == "AccessDenied"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert answer["Error"]["Message"] == (
        f"User: {NOBODY} is not authorized to perform: s3:GetObject on resource: "
        '"arn:aws:s3:::private/k" because no identity-based policy allows the s3:GetObject '
        "action"
    )
    anonymous = http.get("/private/k")
    assert anonymous.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Access Denied</Message>" in anonymous.text
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::private/*",
            }
        ],
    }
    root.delete_public_access_block(Bucket="private")  # new buckets block public policies
    root.put_bucket_policy(Bucket="private", Policy=json.dumps(public))
    opened = http.get("/private/k")
    assert opened.status_code == 200 and opened.content == b"secret"


def _user_with(client, name: str, *statements: dict) -> object:
    """A user whose inline policy holds `statements`, and a boto3 client signing as it."""
    iam = client("iam")
    made = iam.create_user(UserName=name)["User"]
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(document))
    key = f"AKIA{name.upper()}"
    CALLERS[key] = Identity(made["Arn"], ACCOUNT, made["UserId"])
    return lambda service: client(service, key)


def test_a_user_decrypts_with_the_key_its_policy_names_and_no_other(world) -> None:
    client, _ = world
    kms = client("kms")
    mine, other = (kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2))
    blobs = {k: kms.encrypt(KeyId=k, Plaintext=b"s")["CiphertextBlob"] for k in (mine, other)}
    as_user = _user_with(
        client, "decrypter", {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": mine}
    )
    assert as_user("kms").decrypt(CiphertextBlob=blobs[mine])["Plaintext"] == b"s"
    answer = refused(lambda: as_user("kms").decrypt(CiphertextBlob=blobs[other]))
    assert answer["Error"]["Code"] == "AccessDeniedException"
    assert answer["Error"]["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/decrypter is not authorized to perform: "
        f"kms:Decrypt on resource: {other} because no identity-based policy allows the "
        "kms:Decrypt action"
    )


def test_a_key_policy_without_the_account_refuses_even_admins_and_root(world) -> None:
    client, _ = world
    kms = client("kms")
    role = f"arn:aws:iam::{ACCOUNT}:role/keeper"
    only_role = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:*", "Resource": "*"}
        ],
    }
    key = kms.create_key(Policy=json.dumps(only_role), BypassPolicyLockoutSafetyCheck=True)
    key_arn = key["KeyMetadata"]["Arn"]
    admin = _user_with(client, "admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    for caller in (admin("kms"), kms):
        answer = refused(lambda c=caller: c.encrypt(KeyId=key_arn, Plaintext=b"s"))
        assert answer["Error"]["Code"] == "AccessDeniedException"
        assert answer["Error"]["Message"].endswith(
            f"kms:Encrypt on resource: {key_arn} because no resource-based policy allows the "
            "kms:Encrypt action"
        )
    # A key with the default policy (the account's root) lets IAM policies decide.
    default = kms.create_key()["KeyMetadata"]["Arn"]
    assert admin("kms").encrypt(KeyId=default, Plaintext=b"s")["KeyId"] == default


def test_a_user_reads_the_parameters_under_its_path_only(world) -> None:
    client, _ = world
    ssm = client("ssm")
    for name in ("/app/x", "/other/x"):
        ssm.put_parameter(Name=name, Value="v", Type="String")
    under_app = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/app/*"
    as_user = _user_with(
        client, "reader", {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": under_app}
    )
    assert as_user("ssm").get_parameter(Name="/app/x")["Parameter"]["Value"] == "v"
    answer = refused(lambda: as_user("ssm").get_parameter(Name="/other/x"))
    assert answer["Error"]["Code"] == "AccessDeniedException"
    assert "parameter/other/x because no identity-based policy" in answer["Error"]["Message"]


def test_a_secrets_resource_policy_denying_a_user_wins(world) -> None:
    client, _ = world
    sm = client("secretsmanager")
    secret = sm.create_secret(Name="db/password", SecretString="hunter2")["ARN"]
    as_user = _user_with(
        client, "secrets", {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}
    )
    assert as_user("secretsmanager").get_secret_value(SecretId="db/password")["SecretString"] == (
        "hunter2"
    )
    user = f"arn:aws:iam::{ACCOUNT}:user/secrets"
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Principal": {"AWS": user}, "Resource": "*",
             "Action": "secretsmanager:GetSecretValue"}
        ],
    }  # fmt: skip
    sm.put_resource_policy(SecretId=secret, ResourcePolicy=json.dumps(deny))
    for named in ("db/password", secret, secret[:-7]):
        answer = refused(lambda n=named: as_user("secretsmanager").get_secret_value(SecretId=n))
        assert answer["Error"]["Code"] == "AccessDeniedException"
        assert answer["Error"]["Message"] == (
            f"User: {user} is not authorized to perform: secretsmanager:GetSecretValue on "
            f"resource: {secret} with an explicit deny in a resource-based policy"
        )
    assert as_user("secretsmanager").describe_secret(SecretId=secret)["ARN"] == secret
