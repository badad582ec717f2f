"""A SAM function with a `ScheduleV2` event, deployed through CloudFormation with boto3: SAM
translates it into an AWS::Scheduler::Schedule and the role it runs as (trusting
scheduler.amazonaws.com, allowed lambda:InvokeFunction on the function), both deployed; the
schedule then invokes the function as that role. A template's own AWS::Scheduler::
ScheduleGroup holds a second schedule, and deleting the stack removes them all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from stack_waits import QUICK, wait

from support import records, wait_for

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Tick:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${AWS::StackName}-tick"
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            print("RECORD " + json.dumps(event))
      Events:
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 3 * * ? *)
            ScheduleExpressionTimezone: Europe/Paris
            Input: '{"job": "nightly"}'
            RetryPolicy:
              MaximumRetryAttempts: 3
  Jobs:
    Type: AWS::Scheduler::ScheduleGroup
    Properties:
      Tags: [{Key: team, Value: ops}]
  Weekly:
    Type: AWS::Scheduler::Schedule
    Properties:
      GroupName: !Ref Jobs
      ScheduleExpression: rate(7 days)
      FlexibleTimeWindow: {Mode: FLEXIBLE, MaximumWindowInMinutes: 60}
      Target:
        Arn: !GetAtt Tick.Arn
        RoleArn: !GetAtt TickNightlyRole.Arn
Outputs:
  Group: {Value: !GetAtt Jobs.Arn}
  Weekly: {Value: !GetAtt Weekly.Arn}
"""


def test_a_schedule_v2_event_deploys_and_invokes_its_function(server, cf, stack_name) -> None:
    capabilities = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    cf.create_stack(StackName=stack_name, TemplateBody=TEMPLATE, Capabilities=capabilities)
    stack = wait(cf, "stack_create_complete", stack_name)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    resources = {
        r["LogicalResourceId"]: r
        for r in cf.describe_stack_resources(StackName=stack_name)["StackResources"]
    }
    assert resources["TickNightly"]["ResourceType"] == "AWS::Scheduler::Schedule"
    scheduler, iam = server.client("scheduler"), server.client("iam")
    schedule_name = resources["TickNightly"]["PhysicalResourceId"]
    schedule = scheduler.get_schedule(Name=schedule_name)
    function = f"{stack_name}-tick"
    assert schedule["Target"]["Arn"].endswith(f":function:{function}")
    assert schedule["Target"]["Input"] == '{"job": "nightly"}'
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    role_name = schedule["Target"]["RoleArn"].rsplit("/", 1)[1]
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": ["scheduler.amazonaws.com"]}

    group = outputs["Group"].rsplit("/", 1)[1]
    weekly = scheduler.get_schedule(Name=outputs["Weekly"].rsplit("/", 1)[1], GroupName=group)
    assert weekly["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 60}
    tags = scheduler.list_tags_for_resource(ResourceArn=outputs["Group"])["Tags"]
    assert tags == [{"Key": "team", "Value": "ops"}]

    # The role SAM made lets the schedule invoke the function: fire it now, once.
    moment = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler.update_schedule(
        Name=schedule_name, ScheduleExpression=f"at({moment})",
        FlexibleTimeWindow={"Mode": "OFF"}, Target=schedule["Target"],
    )  # fmt: skip
    assert wait_for(lambda: records(server, function)) == [{"job": "nightly"}]

    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)
    with pytest.raises(ClientError):
        scheduler.get_schedule(Name=schedule_name)
    with pytest.raises(ClientError):
        scheduler.get_schedule_group(Name=group)
