"""SSM parameters and secrets in templates through boto3 against a real server: parameter
types `AWS::SSM::Parameter::Value<...>`, `{{resolve:ssm:...}}` and
`{{resolve:secretsmanager:...}}` references read from Overcast's SSM and Secrets Manager as
the caller; missing and SecureString parameters refused in CloudFormation's words."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError
from stack_waits import QUICK, settled, wait

from support import RunningServer, user_client

TYPED = """
Parameters:
  Delay: {Type: "AWS::SSM::Parameter::Value<String>"}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {DelaySeconds: !Ref Delay}
Outputs:
  Url: {Value: !Ref Queue}
"""

REFERENCED = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: "{{resolve:ssm:NAME}}"
      MaximumMessageSize: "{{resolve:ssm:NAME2:1}}"
Outputs:
  Url: {Value: !Ref Queue}
"""


@pytest.fixture
def names(server: RunningServer) -> tuple[str, str]:
    ssm = server.client("ssm")
    base = f"/cfn/{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"{base}/delay", Value="7", Type="String")
    ssm.put_parameter(Name=f"{base}/size", Value="2048", Type="String")
    ssm.put_parameter(Name=f"{base}/size", Value="4096", Type="String", Overwrite=True)
    return f"{base}/delay", f"{base}/size"


def attributes(server: RunningServer, stack: dict) -> dict:
    url = stack["Outputs"][0]["OutputValue"]
    return server.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
        "Attributes"
    ]


def test_a_parameter_type_reads_the_ssm_parameter(
    server: RunningServer, cf, stack_name: str, names: tuple[str, str]
) -> None:
    given = [{"ParameterKey": "Delay", "ParameterValue": names[0]}]
    cf.create_stack(StackName=stack_name, TemplateBody=TYPED, Parameters=given)
    stack = wait(cf, "stack_create_complete", stack_name)
    assert stack["Parameters"] == [
        {"ParameterKey": "Delay", "ParameterValue": names[0], "ResolvedValue": "7"}
    ]
    assert attributes(server, stack)["DelaySeconds"] == "7"
    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)


def test_missing_and_secure_parameters_are_refused(
    server: RunningServer, cf, stack_name: str
) -> None:
    missing = f"/cfn/{uuid.uuid4().hex[:8]}/none"
    with pytest.raises(ClientError) as caught:
        cf.create_stack(
            StackName=stack_name,
            TemplateBody=TYPED,
            Parameters=[{"ParameterKey": "Delay", "ParameterValue": missing}],
        )
    assert caught.value.response["Error"]["Message"] == f"Parameters: [{missing}] cannot be found."
    secure = f"/cfn/{uuid.uuid4().hex[:8]}/secret"
    server.client("ssm").put_parameter(Name=secure, Value="s3cr3t", Type="SecureString")
    with pytest.raises(ClientError) as caught:
        cf.create_stack(
            StackName=stack_name,
            TemplateBody=TYPED,
            Parameters=[{"ParameterKey": "Delay", "ParameterValue": secure}],
        )
    assert caught.value.response["Error"]["Message"] == (
        f"Parameters [{secure}] referenced by template have types not supported by CloudFormation."
    )


def test_the_parameter_is_read_as_the_caller(
    server: RunningServer, stack_name: str, names: tuple[str, str]
) -> None:
    deploys = {"Effect": "Allow", "Action": ["cloudformation:*", "sqs:*"], "Resource": "*"}
    caller, user = user_client(server, "cloudformation", deploys)
    with pytest.raises(ClientError) as caught:
        caller.create_stack(
            StackName=stack_name,
            TemplateBody=TYPED,
            Parameters=[{"ParameterKey": "Delay", "ParameterValue": names[0]}],
        )
    code, message = (
        caught.value.response["Error"]["Code"],
        caught.value.response["Error"]["Message"],
    )
    assert code == "ValidationError"
    assert message.startswith(f"User: {user} is not authorized to perform: ssm:GetParameter")


def test_dynamic_references_are_resolved_and_not_kept(
    server: RunningServer, cf, stack_name: str, names: tuple[str, str]
) -> None:
    template = REFERENCED.replace("NAME2", names[1]).replace("NAME", names[0])
    cf.create_stack(StackName=stack_name, TemplateBody=template)
    stack = wait(cf, "stack_create_complete", stack_name)
    found = attributes(server, stack)
    assert (found["DelaySeconds"], found["MaximumMessageSize"]) == ("7", "2048")
    recorded = cf.describe_stack_events(StackName=stack_name)["StackEvents"]
    properties = [e["ResourceProperties"] for e in recorded if e.get("ResourceProperties")]
    assert properties and all("{{resolve:ssm:" in p for p in properties)
    missing = REFERENCED.replace("NAME2:1", names[1]).replace("NAME", "/cfn/none/at-all")
    other = f"{stack_name}x"
    cf.create_stack(StackName=other, TemplateBody=missing)
    failed = settled(cf, other)
    assert failed["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason")
        for e in cf.describe_stack_events(StackName=other)["StackEvents"]
    ]
    assert (
        "Unable to fetch parameters [/cfn/none/at-all] from parameter store for this account."
        in reasons
    )
    cf.delete_stack(StackName=stack_name)
    cf.delete_stack(StackName=other)


def test_secrets_manager_references(server: RunningServer, cf, stack_name: str) -> None:
    secrets = server.client("secretsmanager")
    name = f"cfn-{uuid.uuid4().hex[:8]}"
    arn = secrets.create_secret(Name=name, SecretString=json.dumps({"delay": "3", "n": 4}))["ARN"]
    plain = f"cfn-{uuid.uuid4().hex[:8]}"
    secrets.create_secret(Name=plain, SecretString="2048")
    template = f"""
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: "{{{{resolve:secretsmanager:{arn}:SecretString:delay}}}}"
      MaximumMessageSize: "{{{{resolve:secretsmanager:{plain}}}}}"
      MessageRetentionPeriod: "6{{{{resolve:secretsmanager:{name}:SecretString:n:AWSCURRENT}}}}0"
Outputs:
  Url: {{Value: !Ref Queue}}
"""
    cf.create_stack(StackName=stack_name, TemplateBody=template)
    found = attributes(server, wait(cf, "stack_create_complete", stack_name))
    assert (found["DelaySeconds"], found["MaximumMessageSize"]) == ("3", "2048")
    assert found["MessageRetentionPeriod"] == "640"
    other = f"{stack_name}x"
    cf.create_stack(StackName=other, TemplateBody=template.replace(plain, "no-such-secret"))
    assert settled(cf, other)["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason")
        for e in cf.describe_stack_events(StackName=other)["StackEvents"]
    ]
    assert "Secrets Manager can't find the specified secret." in reasons
    cf.delete_stack(StackName=stack_name)
    cf.delete_stack(StackName=other)
