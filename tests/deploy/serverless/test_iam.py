"""iam.py: the shared execution role IamRoleLambdaExecution."""

from __future__ import annotations

from pathlib import Path

import pytest

from overcast.deploy.serverless.model import TranslationError

from .compiling import compile

LOGS = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"


def role(tmp_path: Path, functions: dict | None = None, **config) -> dict | None:
    functions = functions or {"h": {"handler": "a.b"}}
    return compile(tmp_path, functions, **config)[0]["Resources"].get("IamRoleLambdaExecution")


def statements(found: dict) -> list:
    return found["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def test_the_role_is_named_as_the_framework_names_it(tmp_path: Path):
    found = role(tmp_path)
    props = found["Properties"]
    assert props["RoleName"] == {
        "Fn::Join": ["-", ["notes", "dev", {"Ref": "AWS::Region"}, "lambdaRole"]]
    }
    assert props["Path"] == "/"
    assert props["Policies"][0]["PolicyName"] == {"Fn::Join": ["-", ["notes", "dev", "lambda"]]}
    assert props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["lambda.amazonaws.com"]
    }
    logs = statements(found)[:2]
    assert logs[0]["Resource"] == [{"Fn::Sub": f"{LOGS}/aws/lambda/notes-dev*:*"}]
    assert logs[1] == {
        "Effect": "Allow",
        "Action": ["logs:PutLogEvents"],
        "Resource": [{"Fn::Sub": f"{LOGS}/aws/lambda/notes-dev*:*:*"}],
    }


def test_a_function_named_otherwise_gets_its_own_log_grant(tmp_path: Path):
    found = role(tmp_path, {"h": {"handler": "a.b", "name": "custom"}})
    assert statements(found)[0]["Resource"] == [{"Fn::Sub": f"{LOGS}/aws/lambda/custom:*"}]


def test_the_projects_statements_policies_and_settings(tmp_path: Path):
    statement = {"Effect": "Allow", "Action": ["dynamodb:*"], "Resource": "*"}
    iam = {
        "role": {
            "name": "my-role",
            "path": "/app/",
            "statements": [statement],
            "managedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "permissionsBoundary": "arn:aws:iam::123456789012:policy/b",
            "tags": {"k": "v"},
        }
    }
    props = role(tmp_path, provider={"iam": iam})["Properties"]
    assert (props["RoleName"], props["Path"]) == ("my-role", "/app/")
    assert props["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert props["PermissionsBoundary"] == "arn:aws:iam::123456789012:policy/b"
    assert props["Tags"] == [{"Key": "k", "Value": "v"}]
    assert props["Policies"][0]["PolicyDocument"]["Statement"][2] == statement


def test_the_older_iam_role_statements_key(tmp_path: Path):
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    assert statements(role(tmp_path, provider={"iamRoleStatements": [statement]}))[2] == statement


@pytest.mark.parametrize(
    "provider",
    [
        {"iam": {"role": "arn:aws:iam::123456789012:role/existing"}},
        {"iam": {"role": {"Fn::GetAtt": ["MyRole", "Arn"]}}},
        {"role": "MyRole"},
    ],
)
def test_a_role_of_the_projects_own_means_none_is_made(tmp_path: Path, provider):
    compiled, _ = compile(tmp_path, {"h": {"handler": "a.b"}}, provider=provider)
    assert "IamRoleLambdaExecution" not in compiled["Resources"]
    assert compiled["Resources"]["HLambdaFunction"]["Properties"]["Role"] != {
        "Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"]
    }


def test_per_function_statements_join_the_shared_role_with_a_note(tmp_path: Path):
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    functions = {"h": {"handler": "a.b", "iamRoleStatements": [statement]}}
    compiled, notes = compile(tmp_path, functions, plugins=["serverless-iam-roles-per-function"])
    assert statement in statements(compiled["Resources"]["IamRoleLambdaExecution"])
    assert any(note.startswith("functions.h: its own IAM statements") for note in notes)


def test_vpc_adds_the_vpc_access_policy(tmp_path: Path):
    vpc = {"securityGroupIds": ["sg-1"], "subnetIds": ["subnet-1"]}
    compiled, notes = compile(tmp_path, {"h": {"handler": "a.b"}}, provider={"vpc": vpc})
    props = compiled["Resources"]["IamRoleLambdaExecution"]["Properties"]
    assert "AWSLambdaVPCAccessExecutionRole" in str(props["ManagedPolicyArns"])
    function = compiled["Resources"]["HLambdaFunction"]["Properties"]
    assert function["VpcConfig"] == {"SecurityGroupIds": ["sg-1"], "SubnetIds": ["subnet-1"]}
    assert any(note.startswith("vpc: accepted") for note in notes)


def test_per_function_mode_is_refused_clearly(tmp_path: Path):
    with pytest.raises(TranslationError, match="provider.iam.role.mode: perFunction"):
        role(tmp_path, provider={"iam": {"role": {"mode": "perFunction"}}})
