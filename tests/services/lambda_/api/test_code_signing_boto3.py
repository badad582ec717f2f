"""Code signing configs and the functions that use them, through boto3 against a running
server. Expected answers and messages are those recorded from Lambda."""

from __future__ import annotations

import re

import pytest
from api_harness import create
from botocore.exceptions import ClientError

from support import error_of

ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000"
PROFILE = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/test"
CSC_ARN = re.compile(
    r"^arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-[0-9a-f]{17}$"
)
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def new_config(client, **options) -> dict:
    created = client.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}, **options
    )
    return created["CodeSigningConfig"]


def missing(arn: str) -> str:
    """Another config's ARN, of one that does not exist."""
    return arn[:-1] + ("0" if arn[-1] != "0" else "1")


def test_config_lifecycle(lambda_client, function_name) -> None:
    created = lambda_client.create_code_signing_config(
        Description="signed",
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    config = created["CodeSigningConfig"]
    arn = config["CodeSigningConfigArn"]
    assert CSC_ARN.match(arn) and arn.endswith(f":{config['CodeSigningConfigId']}")
    assert config["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]}
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert config["Description"] == "signed" and STAMP.match(config["LastModified"])
    assert lambda_client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] == (
        config
    )

    updated = lambda_client.update_code_signing_config(
        CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"}
    )["CodeSigningConfig"]
    assert updated["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert updated["Description"] == "signed"  # not given: kept
    assert updated["AllowedPublishers"] == config["AllowedPublishers"]

    create(lambda_client, function_name)
    put = lambda_client.put_function_code_signing_config(
        FunctionName=function_name, CodeSigningConfigArn=arn
    )
    assert (put["CodeSigningConfigArn"], put["FunctionName"]) == (arn, function_name)
    got = lambda_client.get_function_code_signing_config(
        FunctionName=f"{ARN_PREFIX}:function:{function_name}"
    )
    assert (got["CodeSigningConfigArn"], got["FunctionName"]) == (arn, function_name)
    users = lambda_client.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)
    assert users["FunctionArns"] == [f"{ARN_PREFIX}:function:{function_name}"]

    with pytest.raises(ClientError) as caught:  # in use
        lambda_client.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert error_of(caught)[::2] == ("ResourceConflictException", 409)

    deleted = lambda_client.delete_function_code_signing_config(FunctionName=function_name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    gone = lambda_client.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert gone["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        lambda_client.get_code_signing_config(CodeSigningConfigArn=arn)
    assert error_of(caught) == (
        "ResourceNotFoundException",
        f"The Lambda code signing configuration {arn} can not be found.",
        404,
    )


def test_defaults(lambda_client) -> None:
    config = new_config(lambda_client)
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert config["Description"] == ""


def test_a_function_without_a_config(lambda_client, function_name) -> None:
    create(lambda_client, function_name)
    got = lambda_client.get_function_code_signing_config(FunctionName=function_name)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(got) == {"ResponseMetadata"}  # Lambda sends an empty object
    nothing = lambda_client.delete_function_code_signing_config(FunctionName=function_name)
    assert nothing["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_errors(lambda_client, function_name) -> None:
    create(lambda_client, function_name)
    arn = new_config(lambda_client)["CodeSigningConfigArn"]
    absent = missing(arn)
    no_function = (
        "ResourceNotFoundException",
        f"Function not found: {ARN_PREFIX}:function:no-such-fn",
        404,
    )
    no_config = (
        "ResourceNotFoundException",
        f"The Lambda code signing configuration {absent} can not be found.",
        404,
    )
    not_found = (
        "CodeSigningConfigNotFoundException",
        "The code signing configuration cannot be found. Check that the provided configuration "
        f"is not deleted: {absent}.",
        404,
    )
    cases = [
        (
            lambda_client.get_function_code_signing_config,
            {"FunctionName": "no-such-fn"},
            no_function,
        ),
        (
            lambda_client.delete_function_code_signing_config,
            {"FunctionName": "no-such-fn"},
            no_function,
        ),
        (
            lambda_client.put_function_code_signing_config,
            {"FunctionName": "no-such-fn", "CodeSigningConfigArn": arn},
            no_function,
        ),
        (
            lambda_client.put_function_code_signing_config,
            {"FunctionName": function_name, "CodeSigningConfigArn": absent},
            not_found,
        ),
        (
            lambda_client.put_function_code_signing_config,
            {"FunctionName": "no-such-fn", "CodeSigningConfigArn": absent},
            not_found,
        ),
        (lambda_client.get_code_signing_config, {"CodeSigningConfigArn": absent}, no_config),
        (lambda_client.update_code_signing_config, {"CodeSigningConfigArn": absent}, no_config),
        (lambda_client.delete_code_signing_config, {"CodeSigningConfigArn": absent}, no_config),
        (
            lambda_client.list_functions_by_code_signing_config,
            {"CodeSigningConfigArn": absent},
            no_config,
        ),
    ]
    for operation, params, expected in cases:
        with pytest.raises(ClientError) as caught:
            operation(**params)
        assert error_of(caught) == expected


def test_paging(lambda_client, function_name) -> None:
    mine = {new_config(lambda_client)["CodeSigningConfigArn"] for _ in range(3)}
    first = lambda_client.list_code_signing_configs(MaxItems=2)
    assert len(first["CodeSigningConfigs"]) == 2 and first["NextMarker"]
    seen = [c["CodeSigningConfigArn"] for c in first["CodeSigningConfigs"]]
    marker = first["NextMarker"]
    while marker:
        following = lambda_client.list_code_signing_configs(Marker=marker, MaxItems=2)
        seen += [c["CodeSigningConfigArn"] for c in following["CodeSigningConfigs"]]
        marker = following.get("NextMarker")
    assert len(seen) == len(set(seen)) and mine <= set(seen)

    arn = sorted(mine)[0]
    names = [f"{function_name}-{i}" for i in range(3)]
    for name in names:
        create(lambda_client, name, CodeSigningConfigArn=arn)
    page = lambda_client.list_functions_by_code_signing_config(CodeSigningConfigArn=arn, MaxItems=2)
    rest = lambda_client.list_functions_by_code_signing_config(
        CodeSigningConfigArn=arn, Marker=page["NextMarker"]
    )
    listed = page["FunctionArns"] + rest["FunctionArns"]
    assert listed == [f"{ARN_PREFIX}:function:{name}" for name in names]
    assert "NextMarker" not in rest


def test_create_function_with_a_config(lambda_client, function_name) -> None:
    arn = new_config(lambda_client)["CodeSigningConfigArn"]
    create(lambda_client, function_name, CodeSigningConfigArn=arn)
    got = lambda_client.get_function_code_signing_config(FunctionName=function_name)
    assert got["CodeSigningConfigArn"] == arn

    with pytest.raises(ClientError) as caught:
        create(lambda_client, f"{function_name}-x", CodeSigningConfigArn=missing(arn))
    assert error_of(caught)[::2] == ("CodeSigningConfigNotFoundException", 404)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function(FunctionName=f"{function_name}-x")
    assert error_of(caught)[0] == "ResourceNotFoundException"

    # Deleting the function frees the config.
    lambda_client.delete_function(FunctionName=function_name)
    lambda_client.delete_code_signing_config(CodeSigningConfigArn=arn)


def test_configs_survive_a_restart(launch, tmp_path) -> None:
    running = launch(tmp_path)
    client = running.client()
    config = new_config(client, Description="kept")
    create(client, "kept", CodeSigningConfigArn=config["CodeSigningConfigArn"])
    running.stop()

    client = launch(tmp_path).client()
    arn = config["CodeSigningConfigArn"]
    assert client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] == config
    assert client.get_function_code_signing_config(FunctionName="kept")["CodeSigningConfigArn"] == (
        arn
    )
    listed = client.list_code_signing_configs()["CodeSigningConfigs"]
    assert [c["CodeSigningConfigArn"] for c in listed] == [arn]
