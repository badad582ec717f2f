"""Change sets through boto3 and `aws cloudformation deploy` (which deploys by change sets)
against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from stack_waits import QUICK, wait

from support import RunningServer

V1 = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {VisibilityTimeout: 30}\n"
V2 = """Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 60}
  Named:
    Type: AWS::SNS::Topic
    Properties: {TopicName: %s}
"""


def resource_changes(cf, name: str, stack: str) -> dict[str, dict]:
    described = cf.describe_change_set(ChangeSetName=name, StackName=stack)
    return {
        c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]
    }


def test_change_sets_create_review_and_update(cf, stack_name: str) -> None:
    made = cf.create_change_set(
        StackName=stack_name, ChangeSetName="first", ChangeSetType="CREATE", TemplateBody=V1
    )
    assert made["Id"].startswith("arn:aws:cloudformation:us-east-1:000000000000:changeSet/first/")
    cf.get_waiter("change_set_create_complete").wait(ChangeSetName=made["Id"], WaiterConfig=QUICK)
    review = cf.describe_stacks(StackName=stack_name)["Stacks"][0]
    assert review["StackStatus"] == "REVIEW_IN_PROGRESS"
    described = cf.describe_change_set(ChangeSetName=made["Id"])
    assert (described["Status"], described["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    assert resource_changes(cf, "first", stack_name)["Queue"]["Action"] == "Add"
    cf.execute_change_set(ChangeSetName="first", StackName=stack_name)
    wait(cf, "stack_create_complete", stack_name)
    assert cf.describe_change_set(ChangeSetName=made["Id"])["ExecutionStatus"] == "EXECUTE_COMPLETE"

    cf.create_change_set(
        StackName=stack_name, ChangeSetName="second", TemplateBody=V2 % f"{stack_name}-t"
    )
    changes = resource_changes(cf, "second", stack_name)
    assert changes["Named"]["Action"] == "Add"
    assert changes["Queue"]["Action"] == "Modify" and changes["Queue"]["Replacement"] == "False"
    detail = changes["Queue"]["Details"][0]["Target"]
    assert detail == {
        "Attribute": "Properties",
        "Name": "VisibilityTimeout",
        "RequiresRecreation": "Never",
    }
    listed = cf.list_change_sets(StackName=stack_name)["Summaries"]
    assert [s["ChangeSetName"] for s in listed] == ["first", "second"]
    cf.execute_change_set(ChangeSetName="second", StackName=stack_name)
    wait(cf, "stack_update_complete", stack_name)

    renamed = (V2 % f"{stack_name}-u").replace("60", "60")
    cf.create_change_set(StackName=stack_name, ChangeSetName="third", TemplateBody=renamed)
    changes = resource_changes(cf, "third", stack_name)
    assert changes["Named"]["Replacement"] == "True" and "Queue" not in changes
    cf.delete_change_set(ChangeSetName="third", StackName=stack_name)
    with pytest.raises(ClientError) as caught:
        cf.describe_change_set(ChangeSetName="third", StackName=stack_name)
    assert caught.value.response["Error"]["Code"] == "ChangeSetNotFound"

    cf.create_change_set(
        StackName=stack_name, ChangeSetName="same", TemplateBody=V2 % f"{stack_name}-t"
    )
    same = cf.describe_change_set(ChangeSetName="same", StackName=stack_name)
    assert same["Status"] == "FAILED" and same["StatusReason"].startswith(
        "The submitted information didn't contain changes."
    )
    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)


def test_capabilities_are_required(cf, stack_name: str) -> None:
    template = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: r}\n"
    with pytest.raises(ClientError) as caught:
        cf.create_change_set(
            StackName=stack_name, ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=template
        )
    error = caught.value.response["Error"]
    # A type Overcast provides no resource for is refused first; with one it would be
    # InsufficientCapabilitiesException "Requires capabilities : [CAPABILITY_NAMED_IAM]".
    assert error["Code"] in ("InsufficientCapabilitiesException", "ValidationError")


def test_aws_cli_deploy(server: RunningServer, tmp_path: Path, stack_name: str) -> None:
    env = {
        **os.environ, "AWS_ENDPOINT_URL": server.endpoint, **server.aws_env,
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }  # fmt: skip
    template = tmp_path / "template.yaml"
    template.write_text(
        "Parameters:\n  Days: {Type: Number, Default: 3}\n"
        "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n"
        "    Properties: {RetentionInDays: !Ref Days}\n"
        "Outputs:\n  Group: {Value: !Ref Logs}\n"
    )

    def aws(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "awscli", "cloudformation", *args],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    done = aws("deploy", "--template-file", str(template), "--stack-name", stack_name)
    assert done.returncode == 0, done.stderr
    assert f"Successfully created/updated stack - {stack_name}" in done.stdout
    done = aws("deploy", "--template-file", str(template), "--stack-name", stack_name,
               "--parameter-overrides", "Days=5")  # fmt: skip
    assert done.returncode == 0, done.stderr
    again = aws("deploy", "--template-file", str(template), "--stack-name", stack_name,
                "--parameter-overrides", "Days=5", "--no-fail-on-empty-changeset")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "No changes to deploy" in again.stdout
    described = json.loads(aws("describe-stacks", "--stack-name", stack_name).stdout)["Stacks"][0]
    assert described["StackStatus"] == "UPDATE_COMPLETE"
    group = described["Outputs"][0]["OutputValue"]
    logs = server.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert logs[0]["retentionInDays"] == 5
    assert aws("delete-stack", "--stack-name", stack_name).returncode == 0
    # boto3's waiter with a short delay: the CLI's `wait stack-delete-complete` polls every 30 s.
    server.client("cloudformation").get_waiter("stack_delete_complete").wait(
        StackName=stack_name, WaiterConfig=QUICK
    )
