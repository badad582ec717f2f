"""functions.py: the function resources, versions, aliases, URLs and destinations the framework
compiles for `functions:`."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from overcast.deploy.serverless import template as compiler
from overcast.deploy.serverless.model import TranslationError

from .compiling import artifacts, compile, service


def resources(tmp_path: Path, functions: dict, **config) -> dict:
    return compile(tmp_path, functions, **config)[0]["Resources"]


def test_a_function_gets_the_framework_names_and_defaults(tmp_path: Path):
    compiled = resources(tmp_path, {"hello": {"handler": "app.handler"}})
    function = compiled["HelloLambdaFunction"]
    assert function["Type"] == "AWS::Lambda::Function"
    assert function["DependsOn"] == ["HelloLogGroup"]
    props = function["Properties"]
    assert props["FunctionName"] == "notes-dev-hello"
    assert props["Handler"] == "app.handler"
    assert props["Runtime"] == "python3.12"
    assert (props["MemorySize"], props["Timeout"]) == (1024, 6)
    assert props["Code"] == str(tmp_path / "service.zip")
    assert props["Role"] == {"Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]}
    group = compiled["HelloLogGroup"]["Properties"]
    assert group == {"LogGroupName": "/aws/lambda/notes-dev-hello"}


def test_names_with_dashes_and_underscores_are_normalized(tmp_path: Path):
    compiled = resources(tmp_path, {"get-note_x": {"handler": "a.b"}})
    assert compiled["GetDashnoteUnderscorexLambdaFunction"]["Properties"]["FunctionName"] == (
        "notes-dev-get-note_x"
    )


def test_provider_settings_apply_and_the_function_wins(tmp_path: Path):
    provider = {
        "memorySize": 512,
        "timeout": 10,
        "architecture": "arm64",
        "environment": {"A": "provider", "B": "provider"},
        "tags": {"team": "x", "tier": "p"},
        "layers": ["arn:aws:lambda:us-east-1:123456789012:layer:l:1"],
        "tracing": {"lambda": True},
        "kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k",
    }
    own = {
        "handler": "a.b",
        "timeout": 20,
        "environment": {"B": "own"},
        "tags": {"tier": "f"},
        "reservedConcurrency": 0,
        "description": "hi",
    }
    props = resources(tmp_path, {"f": own}, provider=provider)["FLambdaFunction"]["Properties"]
    assert (props["MemorySize"], props["Timeout"]) == (512, 20)
    assert props["Architectures"] == ["arm64"]
    assert props["Environment"] == {"Variables": {"A": "provider", "B": "own"}}
    assert props["Tags"] == [{"Key": "team", "Value": "x"}, {"Key": "tier", "Value": "f"}]
    assert props["Layers"] == provider["layers"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["KmsKeyArn"] == provider["kmsKeyArn"]
    assert props["ReservedConcurrentExecutions"] == 0
    assert props["Description"] == "hi"


def test_a_version_is_published_under_an_id_that_follows_the_code(tmp_path: Path):
    template, _ = compile(tmp_path, {"hello": {"handler": "a.b"}})
    versions = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::Lambda::Version"]
    assert len(versions) == 1 and versions[0].startswith("HelloLambdaVersion")
    version = template["Resources"][versions[0]]
    code_sha = base64.b64encode(hashlib.sha256(b"code").digest()).decode()
    assert version["DeletionPolicy"] == "Retain"
    assert version["Properties"] == {
        "FunctionName": {"Ref": "HelloLambdaFunction"},
        "CodeSha256": code_sha,
    }
    assert template["Outputs"]["HelloLambdaFunctionQualifiedArn"] == {
        "Description": "Current Lambda function version",
        "Value": {"Ref": versions[0]},
    }
    (tmp_path / "other").mkdir()
    project = service(tmp_path / "other", {"hello": {"handler": "a.b"}})
    changed, _ = compiler.compile(project, artifacts(project, code=b"new code"))
    assert versions[0] not in changed["Resources"]


def test_version_functions_false_publishes_none(tmp_path: Path):
    template, _ = compile(tmp_path, {"h": {"handler": "a.b"}}, provider={"versionFunctions": False})
    assert not [v for v in template["Resources"].values() if v["Type"] == "AWS::Lambda::Version"]
    assert "HLambdaFunctionQualifiedArn" not in template["Outputs"]


def test_provisioned_concurrency_makes_the_provisioned_alias(tmp_path: Path):
    compiled = resources(tmp_path, {"h": {"handler": "a.b", "provisionedConcurrency": 3}})
    alias = compiled["HProvConcLambdaAlias"]
    assert alias["Properties"]["Name"] == "provisioned"
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {
        "ProvisionedConcurrentExecutions": 3
    }
    assert alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0].startswith("HLambdaVersion")


def test_snap_start_is_applied_on_published_versions(tmp_path: Path):
    compiled = resources(tmp_path, {"h": {"handler": "a.b", "snapStart": True}})
    snap_start = compiled["HLambdaFunction"]["Properties"]["SnapStart"]
    assert snap_start == {"ApplyOn": "PublishedVersions"}
    assert compiled["HSnapStartLambdaAlias"]["Properties"]["Name"] == "snapstart"


def test_a_public_url_with_cors_and_its_output(tmp_path: Path):
    template, _ = compile(tmp_path, {"h": {"handler": "a.b", "url": {"cors": {"maxAge": 60}}}})
    url = template["Resources"]["HLambdaFunctionUrl"]
    assert url["Properties"]["AuthType"] == "NONE"
    assert url["Properties"]["TargetFunctionArn"] == {"Fn::GetAtt": ["HLambdaFunction", "Arn"]}
    assert url["Properties"]["Cors"]["AllowOrigins"] == ["*"]
    assert url["Properties"]["Cors"]["MaxAge"] == 60
    assert template["Outputs"]["HLambdaFunctionUrl"]["Value"] == {
        "Fn::GetAtt": ["HLambdaFunctionUrl", "FunctionUrl"]
    }
    assert template["Resources"]["HLambdaPermissionFnUrl"]["Properties"]["Action"] == (
        "lambda:InvokeFunctionUrl"
    )
    invoke = template["Resources"]["HLambdaPermissionFnUrlInvokeFunction"]["Properties"]
    assert invoke["InvokedViaFunctionUrl"] is True


def test_an_iam_url_grants_nobody(tmp_path: Path):
    compiled = resources(tmp_path, {"h": {"handler": "a.b", "url": {"authorizer": "aws_iam"}}})
    assert compiled["HLambdaFunctionUrl"]["Properties"]["AuthType"] == "AWS_IAM"
    assert "HLambdaPermissionFnUrl" not in compiled


def test_destinations_and_on_error(tmp_path: Path):
    topic = "arn:aws:sns:us-east-1:123456789012:dlq"
    queue = "arn:aws:sqs:us-east-1:123456789012:q"
    functions = {
        "h": {
            "handler": "a.b",
            "onError": topic,
            "destinations": {"onSuccess": "other", "onFailure": queue},
            "maximumRetryAttempts": 0,
        },
        "other": {"handler": "a.b"},
    }
    compiled = resources(tmp_path, functions)
    assert compiled["HLambdaFunction"]["Properties"]["DeadLetterConfig"] == {"TargetArn": topic}
    config = compiled["HLambdaEvConf"]["Properties"]
    assert config["Qualifier"] == "$LATEST"
    assert config["MaximumRetryAttempts"] == 0
    assert config["DestinationConfig"] == {
        "OnSuccess": {"Destination": {"Fn::GetAtt": ["OtherLambdaFunction", "Arn"]}},
        "OnFailure": {"Destination": queue},
    }
    statements = compiled["IamRoleLambdaExecution"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]
    assert {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic]} in statements
    assert {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue} in statements


def test_an_unknown_destination_function_is_named(tmp_path: Path):
    with pytest.raises(TranslationError, match=r"functions.h.destinations.onSuccess: no function"):
        compile(tmp_path, {"h": {"handler": "a.b", "destinations": {"onSuccess": "nope"}}})


def test_an_image_is_refused_by_name(tmp_path: Path):
    with pytest.raises(TranslationError, match=r"^functions.h.image: container images"):
        compile(tmp_path, {"h": {"image": "repo:tag"}})


def test_a_function_without_a_handler_is_refused(tmp_path: Path):
    with pytest.raises(TranslationError, match=r'^functions.h: "handler" is required'):
        compile(tmp_path, {"h": {"memorySize": 128}})


def test_disable_logs_and_retention(tmp_path: Path):
    compiled = resources(
        tmp_path,
        {"quiet": {"handler": "a.b", "disableLogs": True}, "kept": {"handler": "a.b"}},
        provider={"logRetentionInDays": 14},
    )
    assert "QuietLogGroup" not in compiled
    assert "DependsOn" not in compiled["QuietLambdaFunction"]
    assert compiled["KeptLogGroup"]["Properties"]["RetentionInDays"] == 14


def test_a_role_of_the_functions_own(tmp_path: Path):
    arn = "arn:aws:iam::123456789012:role/mine"
    compiled = resources(
        tmp_path, {"a": {"handler": "a.b", "role": arn}, "b": {"handler": "a.b", "role": "MyRole"}}
    )
    assert compiled["ALambdaFunction"]["Properties"]["Role"] == arn
    assert compiled["BLambdaFunction"]["Properties"]["Role"] == {"Fn::GetAtt": ["MyRole", "Arn"]}
    assert compiled["BLambdaFunction"]["DependsOn"] == ["BLogGroup", "MyRole"]
    assert "IamRoleLambdaExecution" not in compiled
