"""A stack's service role (RoleARN) through boto3 against a real server: the caller must be
allowed iam:PassRole, CloudFormation must be trusted by the role, and the stack's resources
are made as the role's session (its policies decide, not the caller's), for later
operations too."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError
from stack_waits import QUICK, settled, wait

from support import RunningServer, user_client

QUEUE = "Resources:\n  Queue: {Type: AWS::SQS::Queue}\nOutputs:\n  Url: {Value: !Ref Queue}\n"
ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def role(server: RunningServer, service: str, *statements: dict) -> str:
    iam = server.client("iam")
    name = f"cfn-{uuid.uuid4().hex[:10]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if statements:
        document = {"Version": "2012-10-17", "Statement": list(statements)}
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(document))
    return arn


def error(caught) -> tuple[str, str]:
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_resources_are_made_as_the_roles_session(
    server: RunningServer, cf, stack_name: str
) -> None:
    arn = role(server, "cloudformation.amazonaws.com", ALL)
    cf.create_stack(StackName=stack_name, TemplateBody=QUEUE, RoleARN=arn)
    stack = wait(cf, "stack_create_complete", stack_name)
    assert stack["RoleARN"] == arn
    # A role that may not make queues: the stack's resources fail as its session.
    narrow = role(server, "cloudformation.amazonaws.com")
    other = f"{stack_name}x"
    cf.create_stack(StackName=other, TemplateBody=QUEUE, RoleARN=narrow)
    failed = settled(cf, other)
    assert failed["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason", "")
        for e in cf.describe_stack_events(StackName=other)["StackEvents"]
        if e["LogicalResourceId"] == "Queue" and e["ResourceStatus"] == "CREATE_FAILED"
    ]
    session = f"assumed-role/{narrow.rsplit('/', 1)[1]}/AWSCloudFormation"
    assert reasons and session in reasons[0] and "sqs:createqueue" in reasons[0].lower()
    # Later operations keep the role: a delete needs no RoleARN again.
    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)
    cf.delete_stack(StackName=other)


def test_a_role_cloudformation_may_not_assume_is_refused(
    server: RunningServer, cf, stack_name: str
) -> None:
    lambdas = role(server, "lambda.amazonaws.com", ALL)
    missing = "arn:aws:iam::000000000000:role/no-such-role"
    for arn in (lambdas, missing):
        with pytest.raises(ClientError) as caught:
            cf.create_stack(StackName=stack_name, TemplateBody=QUEUE, RoleARN=arn)
        assert error(caught) == ("ValidationError", f"Role {arn} is invalid or cannot be assumed")
        with pytest.raises(ClientError) as caught:
            cf.create_change_set(
                StackName=stack_name,
                ChangeSetName="c",
                ChangeSetType="CREATE",
                TemplateBody=QUEUE,
                RoleARN=arn,
            )
        assert error(caught)[0] == "ValidationError"


def test_passing_the_role_needs_iam_pass_role(server: RunningServer, stack_name: str) -> None:
    arn = role(server, "cloudformation.amazonaws.com", ALL)
    deploys = {"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"}
    caller, user = user_client(server, "cloudformation", deploys)
    with pytest.raises(ClientError) as caught:
        caller.create_stack(StackName=stack_name, TemplateBody=QUEUE, RoleARN=arn)
    code, message = error(caught)
    assert code == "AccessDenied"
    assert message.startswith(f"User: {user} is not authorized to perform: iam:PassRole")
    passes = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn}
    caller, _ = user_client(server, "cloudformation", deploys, passes)
    # The user may not make queues itself: the role's session makes them.
    caller.create_stack(StackName=stack_name, TemplateBody=QUEUE, RoleARN=arn)
    assert wait(caller, "stack_create_complete", stack_name)["StackStatus"] == "CREATE_COMPLETE"
    caller.delete_stack(StackName=stack_name)
    caller.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)
