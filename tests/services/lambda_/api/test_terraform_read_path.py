"""Terraform's AWS provider reading Lambda resources (its refresh, and the read that ends every
create and update), scripted with boto3 in the provider's order, each answer checked for the
fields the provider reads and in the types its Go structs decode.

From hashicorp/terraform-provider-aws, internal/service/lambda/:
- function.go, resourceFunctionRead (aws_lambda_function, unqualified, zip): GetFunction
  (Configuration and Code must both be there; Tags are the resource's tags, so no ListTags);
  ListVersionsByFunction with MaxItems=10000, every page, the last version of the last page
  (the list runs oldest to newest) giving `version` and `qualified_arn`;
  GetFunctionCodeSigningConfig (zip functions, commercial regions with AWS Signer).
  A function that is gone answers ResourceNotFoundException and leaves the state.
- permission.go, resourcePermissionRead (aws_lambda_permission): GetPolicy (with Qualifier
  when the permission has one), the policy unmarshalled into
  `{Version, Id string; Statement []{Condition map[string]map[string]string; Action,
  Resource, Effect string; Principal any; Sid string}}`, the statement found by Sid, the
  function name and qualifier taken from its Resource with the provider's functionRegexp.
- runtime_management_config.go and function_recursion_config.go: one Get each.
"""

from __future__ import annotations

import json
import re

import pytest
from api_harness import create
from botocore.exceptions import ClientError

# permission.go's functionRegexp: group 5 is the function's name, group 7 its qualifier.
FUNCTION_REGEXP = re.compile(
    r"^(arn:[\w-]+:lambda:)?([a-z]{2}-(?:[a-z]+-){1,2}\d{1}:)?(\d{12}:)?(function:)?"
    r"([0-9A-Za-z_-]+)(:(\$LATEST|[0-9A-Za-z_-]+))?$"
)
LIST_VERSIONS_MAX_ITEMS = 10000  # function.go's listVersionsMaxItems


# --- aws_lambda_function ---------------------------------------------------------------------


def read_function(client, name: str, page_size: int = LIST_VERSIONS_MAX_ITEMS) -> dict:
    """resourceFunctionRead's calls, in its order; what it sets in the state."""
    output = client.get_function(FunctionName=name)
    assert output.get("Code") and output.get("Configuration")  # else an EmptyResultError
    function = output["Configuration"]
    state = {
        "arn": function["FunctionArn"],
        "architectures": function["Architectures"],
        "code_sha256": function["CodeSha256"],
        "description": function["Description"],
        "environment": function.get("Environment", {}).get("Variables"),
        "ephemeral_storage": function["EphemeralStorage"]["Size"],
        "handler": function["Handler"],
        "last_modified": function["LastModified"],
        "layers": [layer["Arn"] for layer in function.get("Layers", [])],
        "logging_config": function["LoggingConfig"],
        "memory_size": function["MemorySize"],
        "package_type": function["PackageType"],
        "reserved_concurrent_executions": output.get("Concurrency", {}).get(
            "ReservedConcurrentExecutions", -1
        ),
        "role": function["Role"],
        "runtime": function["Runtime"],
        "snap_start": function.get("SnapStart"),
        "source_code_size": function["CodeSize"],
        "timeout": function["Timeout"],
        "tracing_config": function.get("TracingConfig", {}).get("Mode", "PassThrough"),
        "vpc_config": function.get("VpcConfig"),
        "tags": output.get("Tags", {}),
    }
    latest = None
    pages = client.get_paginator("list_versions_by_function").paginate(
        FunctionName=name,
        PaginationConfig={"PageSize": min(page_size, LIST_VERSIONS_MAX_ITEMS)},
    )
    for page in pages:
        if page["Versions"] and not page.get("NextMarker"):
            latest = page["Versions"][-1]
    assert latest is not None  # else "reading Lambda Function latest version" fails
    state["qualified_arn"], state["version"] = latest["FunctionArn"], latest["Version"]
    if function["PackageType"] == "Zip":
        signing = client.get_function_code_signing_config(FunctionName=name)
        state["code_signing_config_arn"] = signing.get("CodeSigningConfigArn", "")
    return state


def test_aws_lambda_function_is_read(lambda_client, function_name) -> None:
    created = create(
        lambda_client,
        function_name,
        Environment={"Variables": {"STAGE": "test"}},
        Tags={"owner": "terraform"},
        Publish=True,
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    lambda_client.update_function_configuration(FunctionName=function_name, Timeout=5)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.put_function_concurrency(
        FunctionName=function_name, ReservedConcurrentExecutions=3
    )
    state = read_function(lambda_client, function_name)
    assert state["arn"] == created["FunctionArn"]
    assert (state["runtime"], state["handler"], state["package_type"]) == (
        "python3.12",
        "app.handler",
        "Zip",
    )
    assert state["environment"] == {"STAGE": "test"}
    assert state["tags"] == {"owner": "terraform"}
    assert state["reserved_concurrent_executions"] == 3
    assert state["logging_config"]["LogFormat"] == "Text"
    assert state["logging_config"]["LogGroup"] == f"/aws/lambda/{function_name}"
    assert state["tracing_config"] == "PassThrough"
    assert (state["ephemeral_storage"], state["timeout"]) == (512, 5)
    assert (state["version"], state["qualified_arn"]) == ("2", f"{created['FunctionArn']}:2")
    assert state["code_signing_config_arn"] == ""

    # The same read across pages of one version each: the last page still ends with "2".
    assert read_function(lambda_client, function_name, page_size=1)["version"] == "2"


def test_aws_lambda_function_with_a_code_signing_config(lambda_client, function_name) -> None:
    config = lambda_client.create_code_signing_config(
        AllowedPublishers={
            "SigningProfileVersionArns": [
                "arn:aws:signer:us-east-1:000000000000:/signing-profiles/tf"
            ]
        }
    )["CodeSigningConfig"]
    create(lambda_client, function_name, CodeSigningConfigArn=config["CodeSigningConfigArn"])
    state = read_function(lambda_client, function_name)
    assert state["code_signing_config_arn"] == config["CodeSigningConfigArn"]
    assert (state["version"], state["qualified_arn"]) == ("$LATEST", f"{state['arn']}:$LATEST")


def test_a_deleted_aws_lambda_function_leaves_the_state(lambda_client, function_name) -> None:
    create(lambda_client, function_name)
    lambda_client.delete_function(FunctionName=function_name)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function(FunctionName=function_name)


# --- aws_lambda_permission -------------------------------------------------------------------


def policy_statement(client, function_name: str, statement_id: str, qualifier: str = ""):
    """findPolicyStatementByTwoPartKey: GetPolicy, unmarshalled as the provider's Go structs
    would (a string field given a list, or a condition value that is no string, fails)."""
    params = {"FunctionName": function_name}
    if qualifier:
        params["Qualifier"] = qualifier
    policy = json.loads(client.get_policy(**params)["Policy"])
    assert isinstance(policy["Version"], str) and isinstance(policy["Id"], str)
    for statement in policy["Statement"]:
        for field in ("Action", "Resource", "Effect", "Sid"):
            assert isinstance(statement[field], str), (field, statement)
        for values in statement.get("Condition", {}).values():
            assert all(isinstance(v, str) for v in values.values()), statement
    return next((s for s in policy["Statement"] if s["Sid"] == statement_id), None)


def read_permission(client, function_name: str, statement_id: str, qualifier: str = "") -> dict:
    """resourcePermissionRead: what it sets from the statement."""
    statement = policy_statement(client, function_name, statement_id, qualifier)
    assert statement is not None  # else the permission leaves the state
    match = FUNCTION_REGEXP.match(statement["Resource"])
    assert match is not None, statement["Resource"]
    principal = statement["Principal"]
    if isinstance(principal, dict):
        principal = principal.get("AWS", principal.get("Service"))
    equals = statement.get("Condition", {}).get("StringEquals", {})
    return {
        "function_name": match[5],
        "qualifier": match[7] or "",
        "action": statement["Action"],
        "principal": principal,
        "source_account": equals.get("AWS:SourceAccount"),
        "principal_org_id": equals.get("aws:PrincipalOrgID"),
        "function_url_auth_type": equals.get("lambda:FunctionUrlAuthType"),
        "source_arn": statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn"),
        "statement_id": statement["Sid"],
    }


def test_aws_lambda_permission_is_read(lambda_client, function_name) -> None:
    create(lambda_client, function_name, Publish=True)
    lambda_client.create_alias(FunctionName=function_name, Name="live", FunctionVersion="1")
    bucket = "arn:aws:s3:::uploads"
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="AllowS3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=bucket,
        SourceAccount="000000000000",
    )
    lambda_client.add_permission(
        FunctionName=function_name,
        Qualifier="live",
        StatementId="AllowUrl",
        Action="lambda:InvokeFunctionUrl",
        Principal="123456789012",
        FunctionUrlAuthType="AWS_IAM",
    )
    lambda_client.add_permission(
        FunctionName=function_name,
        StatementId="AllowOrg",
        Action="lambda:GetFunction",
        Principal="*",
        PrincipalOrgID="o-a1b2c3d4e5",
    )

    s3 = read_permission(lambda_client, function_name, "AllowS3")
    assert s3 == {
        "function_name": function_name,
        "qualifier": "",
        "action": "lambda:InvokeFunction",
        "principal": "s3.amazonaws.com",
        "source_account": "000000000000",
        "principal_org_id": None,
        "function_url_auth_type": None,
        "source_arn": bucket,
        "statement_id": "AllowS3",
    }
    url = read_permission(lambda_client, function_name, "AllowUrl", qualifier="live")
    assert (url["function_name"], url["qualifier"]) == (function_name, "live")
    assert url["principal"] == "arn:aws:iam::123456789012:root"
    assert url["function_url_auth_type"] == "AWS_IAM"
    org = read_permission(lambda_client, function_name, "AllowOrg")
    assert (org["principal"], org["principal_org_id"]) == ("*", "o-a1b2c3d4e5")

    # Refresh after the statement went: not found, so the permission leaves the state.
    lambda_client.remove_permission(FunctionName=function_name, StatementId="AllowOrg")
    assert policy_statement(lambda_client, function_name, "AllowOrg") is None
    lambda_client.remove_permission(
        FunctionName=function_name, Qualifier="live", StatementId="AllowUrl"
    )
    with pytest.raises(ClientError) as caught:  # no policy left on the alias
        policy_statement(lambda_client, function_name, "AllowUrl", qualifier="live")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- aws_lambda_runtime_management_config, aws_lambda_function_recursion_config ---------------


def test_the_function_settings_resources_are_read(lambda_client, function_name) -> None:
    created = create(lambda_client, function_name)
    running = created["RuntimeVersionConfig"]["RuntimeVersionArn"]
    lambda_client.put_runtime_management_config(
        FunctionName=function_name, UpdateRuntimeOn="Manual", RuntimeVersionArn=running
    )
    read = lambda_client.get_runtime_management_config(FunctionName=function_name)
    assert read["FunctionArn"] == created["FunctionArn"]
    assert (read["UpdateRuntimeOn"], read["RuntimeVersionArn"]) == ("Manual", running)
    assert re.fullmatch(r"arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}", running)

    lambda_client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Allow")
    read = lambda_client.get_function_recursion_config(FunctionName=function_name)
    assert read["RecursiveLoop"] == "Allow"
