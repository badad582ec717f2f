"""Resource-based policies (AddPermission, RemovePermission, GetPolicy) through boto3 against a
running server. Expected statements and messages are those recorded from Lambda."""

from __future__ import annotations

import json

import pytest
from api_harness import create
from botocore.exceptions import ClientError

from support import error_of

ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function"
INVOKE = "lambda:InvokeFunction"
NO_POLICY = ("ResourceNotFoundException", "The resource you requested does not exist.", 404)


@pytest.fixture
def function(lambda_client, function_name) -> str:
    create(lambda_client, function_name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    return function_name


def policy_of(client, name: str, **qualifier: str) -> tuple[dict, str]:
    got = client.get_policy(FunctionName=name, **qualifier)
    return json.loads(got["Policy"]), got["RevisionId"]


def test_add_get_remove(lambda_client, function) -> None:
    added = lambda_client.add_permission(
        FunctionName=function,
        StatementId="s3",
        Action=INVOKE,
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::bucket",
        SourceAccount="123456789012",
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    s3 = {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": INVOKE,
        "Resource": f"{ARN_PREFIX}:{function}",
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": "123456789012"},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
        },
    }
    assert json.loads(added["Statement"]) == s3
    lambda_client.add_permission(
        FunctionName=function, StatementId="account", Action=INVOKE, Principal="111122223333"
    )

    policy, revision = policy_of(lambda_client, function)
    account = {
        "Sid": "account",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": INVOKE,
        "Resource": f"{ARN_PREFIX}:{function}",
    }
    assert policy == {"Version": "2012-10-17", "Id": "default", "Statement": [s3, account]}
    # A policy change gives the function the policy's RevisionId, as on Lambda.
    config = lambda_client.get_function_configuration(FunctionName=function)
    assert config["RevisionId"] == revision

    removed = lambda_client.remove_permission(FunctionName=function, StatementId="s3")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    policy, after = policy_of(lambda_client, function)
    assert policy["Statement"] == [account] and after != revision

    lambda_client.remove_permission(FunctionName=function, StatementId="account")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_policy(FunctionName=function)
    assert error_of(caught) == NO_POLICY


def test_principals_and_conditions(lambda_client, function) -> None:
    url = lambda_client.add_permission(
        FunctionName=function,
        StatementId="urlPermission",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        SourceArn="arn:aws:s3:::bucket",
        SourceAccount="123456789012",
        PrincipalOrgID="o-1234567890",
        FunctionUrlAuthType="NONE",
    )
    assert json.loads(url["Statement"]) == {
        "Sid": "urlPermission",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:InvokeFunctionUrl",
        "Resource": f"{ARN_PREFIX}:{function}",
        "Condition": {
            "StringEquals": {
                "AWS:SourceAccount": "123456789012",
                "lambda:FunctionUrlAuthType": "NONE",
                "aws:PrincipalOrgID": "o-1234567890",
            },
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
        },
    }
    alexa = lambda_client.add_permission(
        FunctionName=function,
        StatementId="alexaSkill",
        Action=INVOKE,
        Principal="alexa-appkit.amazon.com",
        EventSourceToken="amzn1.ask.skill.xxxx",
    )
    assert json.loads(alexa["Statement"])["Principal"] == {"Service": "alexa-appkit.amazon.com"}
    assert json.loads(alexa["Statement"])["Condition"] == {
        "StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.xxxx"}
    }
    role = "arn:aws:iam::123456789012:role/caller"
    by_arn = lambda_client.add_permission(
        FunctionName=function,
        StatementId="role",
        Action=INVOKE,
        Principal=role,
        InvokedViaFunctionUrl=True,
    )
    statement = json.loads(by_arn["Statement"])
    assert statement["Principal"] == {"AWS": role}
    assert statement["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}

    with pytest.raises(ClientError) as caught:
        lambda_client.add_permission(
            FunctionName=function, StatementId="x", Action=INVOKE, Principal="invalid.nonaws.com"
        )
    assert error_of(caught) == (
        "InvalidParameterValueException",
        "The provided principal was invalid. Please check the principal and try again.",
        400,
    )


def test_errors(lambda_client, function) -> None:
    arn = f"{ARN_PREFIX}:{function}"
    lambda_client.add_permission(
        FunctionName=function, StatementId="s3", Action=INVOKE, Principal="s3.amazonaws.com"
    )
    cases = [
        (
            lambda: lambda_client.add_permission(
                FunctionName=function, StatementId="s3", Action=INVOKE, Principal="*"
            ),
            (
                "ResourceConflictException",
                "The statement id (s3) provided already exists. Please provide a new statement "
                "id, or remove the existing statement.",
                409,
            ),
        ),
        (
            lambda: lambda_client.remove_permission(FunctionName=function, StatementId="gone"),
            ("ResourceNotFoundException", "Statement gone is not found in resource policy.", 404),
        ),
        (
            lambda: lambda_client.add_permission(
                FunctionName="no-such-fn", StatementId="s3", Action=INVOKE, Principal="*"
            ),
            ("ResourceNotFoundException", f"Function not found: {ARN_PREFIX}:no-such-fn", 404),
        ),
        (lambda: lambda_client.get_policy(FunctionName="no-such-fn"), NO_POLICY),
        (lambda: lambda_client.get_policy(FunctionName=function, Qualifier="77"), NO_POLICY),
        (
            lambda: lambda_client.remove_permission(FunctionName="no-such-fn", StatementId="s3"),
            ("ResourceNotFoundException", f"No policy found for: {ARN_PREFIX}:no-such-fn", 404),
        ),
        (
            lambda: lambda_client.add_permission(
                FunctionName=function, StatementId="v", Action=INVOKE, Principal="*", Qualifier="42"
            ),
            ("ResourceNotFoundException", f"Function not found: {arn}:42", 404),
        ),
        (
            lambda: lambda_client.add_permission(
                FunctionName=f"{function}:nope", StatementId="a", Action=INVOKE, Principal="*"
            ),
            ("ResourceNotFoundException", f"Cannot find alias arn: {arn}:nope", 404),
        ),
        (
            lambda: lambda_client.remove_permission(
                FunctionName=function, StatementId="s3", Qualifier="nope"
            ),
            ("ResourceNotFoundException", f"Cannot find alias arn: {arn}:nope", 404),
        ),
        (
            lambda: lambda_client.add_permission(
                FunctionName=function,
                StatementId="l",
                Action=INVOKE,
                Principal="*",
                Qualifier="$LATEST",
            ),
            (
                "InvalidParameterValueException",
                "We currently do not support adding policies for $LATEST.",
                400,
            ),
        ),
        (
            lambda: lambda_client.add_permission(
                FunctionName=f"{function}:1",
                StatementId="q",
                Action=INVOKE,
                Principal="*",
                Qualifier="2",
            ),
            (
                "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified "
                "qualifier.",
                400,
            ),
        ),
        (
            lambda: lambda_client.add_permission(
                FunctionName=function, StatementId="example.com", Action=INVOKE, Principal="*"
            ),
            (
                "ValidationException",
                "1 validation error detected: Value 'example.com' at 'statementId' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: "
                "([a-zA-Z0-9-_]+)",
                400,
            ),
        ),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as caught:
            call()
        assert error_of(caught) == expected


def test_remove_from_a_function_without_a_policy(lambda_client, function) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.remove_permission(FunctionName=function, StatementId="s3")
    assert error_of(caught) == (
        "ResourceNotFoundException",
        "No policy is associated with the given resource.",
        404,
    )


def test_revision_preconditions(lambda_client, function) -> None:
    before = lambda_client.get_function_configuration(FunctionName=function)["RevisionId"]
    with pytest.raises(ClientError) as caught:
        lambda_client.add_permission(
            FunctionName=function, StatementId="a", Action=INVOKE, Principal="*", RevisionId="x"
        )
    assert error_of(caught) == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy "
        "API to retrieve the latest Revision Id",
        412,
    )
    # Without a policy yet, the function's own RevisionId is the one to give.
    lambda_client.add_permission(
        FunctionName=function, StatementId="a", Action=INVOKE, Principal="*", RevisionId=before
    )
    _, revision = policy_of(lambda_client, function)

    # A configuration change moves the function's RevisionId on, not the policy's.
    lambda_client.update_function_configuration(FunctionName=function, Timeout=9)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function)
    config = lambda_client.get_function_configuration(FunctionName=function)
    assert config["RevisionId"] != revision
    assert policy_of(lambda_client, function)[1] == revision
    lambda_client.add_permission(
        FunctionName=function, StatementId="b", Action=INVOKE, Principal="*", RevisionId=revision
    )
    _, revision = policy_of(lambda_client, function)

    with pytest.raises(ClientError) as caught:
        lambda_client.remove_permission(FunctionName=function, StatementId="a", RevisionId="x")
    assert error_of(caught)[::2] == ("PreconditionFailedException", 412)
    lambda_client.remove_permission(FunctionName=function, StatementId="a", RevisionId=revision)
    assert [s["Sid"] for s in policy_of(lambda_client, function)[0]["Statement"]] == ["b"]


def test_versions_and_aliases_have_their_own(lambda_client, function) -> None:
    arn = f"{ARN_PREFIX}:{function}"
    lambda_client.add_permission(
        FunctionName=function, StatementId="s", Action=INVOKE, Principal="*"
    )
    lambda_client.publish_version(FunctionName=function)
    with pytest.raises(ClientError) as caught:  # a new version starts without a policy
        lambda_client.get_policy(FunctionName=function, Qualifier="1")
    assert error_of(caught) == NO_POLICY

    lambda_client.add_permission(
        FunctionName=f"{function}:1", StatementId="s", Action=INVOKE, Principal="*", Qualifier="1"
    )
    version, version_revision = policy_of(lambda_client, function, Qualifier="1")
    assert version["Statement"][0]["Resource"] == f"{arn}:1"
    got = lambda_client.get_function_configuration(FunctionName=function, Qualifier="1")
    assert got["RevisionId"] == version_revision

    alias = lambda_client.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
    lambda_client.add_permission(
        FunctionName=function,
        StatementId="s",
        Action=INVOKE,
        Principal="*",
        Qualifier="live",
        RevisionId=alias["RevisionId"],
    )
    live, live_revision = policy_of(lambda_client, f"{function}:live")
    assert live["Statement"][0]["Resource"] == f"{arn}:live"
    assert lambda_client.get_alias(FunctionName=function, Name="live")["RevisionId"] == (
        live_revision
    )
    own, _ = policy_of(lambda_client, function)
    assert own["Statement"][0]["Resource"] == arn

    # An alias's and a version's policies go with them.
    lambda_client.delete_alias(FunctionName=function, Name="live")
    lambda_client.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_policy(FunctionName=function, Qualifier="live")
    assert error_of(caught) == NO_POLICY
    lambda_client.delete_alias(FunctionName=function, Name="live")
    lambda_client.delete_function(FunctionName=function, Qualifier="1")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_policy(FunctionName=function, Qualifier="1")
    assert error_of(caught) == NO_POLICY


def test_the_policy_goes_with_the_function(lambda_client, function) -> None:
    lambda_client.add_permission(
        FunctionName=function, StatementId="s", Action=INVOKE, Principal="*"
    )
    lambda_client.delete_function(FunctionName=function)
    create(lambda_client, function)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_policy(FunctionName=function)
    assert error_of(caught) == NO_POLICY


def test_policy_size_is_limited(lambda_client, function) -> None:
    source = "arn:aws:s3:::" + "b" * 6000
    for sid in ("a", "b", "c"):
        lambda_client.add_permission(
            FunctionName=function, StatementId=sid, Action=INVOKE, Principal="*", SourceArn=source
        )
    with pytest.raises(ClientError) as caught:
        lambda_client.add_permission(
            FunctionName=function, StatementId="d", Action=INVOKE, Principal="*", SourceArn=source
        )
    code, message, status = error_of(caught)
    assert (code, status) == ("PolicyLengthExceededException", 400)
    assert message.startswith("The final policy size (") and "limit (20480)" in message
    assert len(policy_of(lambda_client, function)[0]["Statement"]) == 3


def test_policies_survive_a_restart(launch, tmp_path) -> None:
    running = launch(tmp_path)
    client = running.client()
    create(client, "kept")
    client.get_waiter("function_active_v2").wait(FunctionName="kept")
    client.publish_version(FunctionName="kept")
    client.add_permission(
        FunctionName="kept", StatementId="s3", Action=INVOKE, Principal="s3.amazonaws.com"
    )
    client.add_permission(
        FunctionName="kept", StatementId="v1", Action=INVOKE, Principal="*", Qualifier="1"
    )
    before = client.get_policy(FunctionName="kept")
    before_v1 = client.get_policy(FunctionName="kept", Qualifier="1")
    running.stop()

    client = launch(tmp_path).client()
    assert client.get_policy(FunctionName="kept")["Policy"] == before["Policy"]
    assert client.get_policy(FunctionName="kept")["RevisionId"] == before["RevisionId"]
    assert client.get_policy(FunctionName="kept", Qualifier="1")["Policy"] == before_v1["Policy"]
    config = client.get_function_configuration(FunctionName="kept")
    assert config["RevisionId"] == before["RevisionId"]
