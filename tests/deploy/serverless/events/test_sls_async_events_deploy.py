"""End to end: a function with every asynchronous event type, compiled by the event compilers
into a template (the function, its role and the `resources:` written here as core would make
them), created by boto3 through Overcast's CloudFormation; then each source is fed through
its own client and the function sees the event. The hourly schedule is checked by its rule's
target; the Scheduler schedule is moved to fire in two seconds, as its own tests do."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.events import COMPILERS
from overcast.deploy.serverless.model import Stack
from support import RECORDER, records, wait_for

from .sls_project import service, uses

QUICK = {"Delay": 1, "MaxAttempts": 120}
PROJECT = """
service: {name}
functions:
  recorder:
    handler: index.handler
    events:
      - sqs: {{arn: {{"Fn::GetAtt": [Queue, Arn]}}, batchSize: 1}}
      - sns: {name}-topic
      - s3: {name}-photos
      - s3: {{bucket: {name}-legacy, existing: true, rules: [{{prefix: in/}}]}}
      - schedule: rate(1 hour)
      - schedule: {{rate: ['cron(0 3 * * ? *)'], method: scheduler, input: {{from: scheduler}}}}
      - eventBridge: {{pattern: {{source: [{name}.test]}}}}
      - stream: {{type: dynamodb, arn: {{"Fn::GetAtt": [Table, StreamArn]}}}}
"""


def _template(name: str) -> dict:
    project = service(PROJECT.format(name=name))
    stack = Stack()
    role = {"Fn::GetAtt": [naming.ROLE_LOGICAL_ID, "Arn"]}
    function = {
        "FunctionName": project.function_name("recorder"),
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": role,
        "Code": {"ZipFile": RECORDER},
    }
    stack.add("RecorderLambdaFunction", "AWS::Lambda::Function", function)
    for event_type in ("sqs", "sns", "s3", "schedule", "eventBridge", "stream"):
        module = __import__(
            f"overcast.deploy.serverless.events.{COMPILERS[event_type]}", fromlist=["compile"]
        )
        module.compile(stack, project, uses(project, event_type))
    stack.add("Queue", "AWS::SQS::Queue", {})
    stack.add(
        "Table",
        "AWS::DynamoDB::Table",
        {
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
        },
    )
    logs = {"Effect": "Allow", "Action": ["logs:*"], "Resource": "*"}
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": ["lambda.amazonaws.com", *stack.role_principals]},
        "Action": ["sts:AssumeRole"],
    }
    document = {"Version": "2012-10-17", "Statement": [logs, *stack.role_statements]}
    stack.add(
        naming.ROLE_LOGICAL_ID,
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
            "Policies": [{"PolicyName": f"{name}-lambda", "PolicyDocument": document}],
        },
    )
    return stack.template()


@pytest.mark.timeout(180)
def test_every_async_event_reaches_the_deployed_function(fast_server) -> None:
    name = f"ae{uuid.uuid4().hex[:8]}"
    cf, s3 = fast_server.client("cloudformation"), fast_server.client("s3")
    s3.create_bucket(Bucket=f"{name}-legacy")  # made before, outside the stack
    cf.create_stack(
        StackName=f"{name}-dev",
        TemplateBody=json.dumps(_template(name)),
        Capabilities=["CAPABILITY_IAM"],
    )
    cf.get_waiter("stack_create_complete").wait(StackName=f"{name}-dev", WaiterConfig=QUICK)
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cf.describe_stack_resources(StackName=f"{name}-dev")["StackResources"]
    }
    function = f"{name}-dev-recorder"
    account = fast_server.client("sts").get_caller_identity()["Account"]

    fast_server.client("sqs").send_message(QueueUrl=physical["Queue"], MessageBody="from-sqs")
    topic = f"arn:aws:sns:us-east-1:{account}:{name}-topic"
    fast_server.client("sns").publish(TopicArn=topic, Message="from-sns")
    s3.put_object(Bucket=f"{name}-photos", Key="a.jpg", Body=b"x")
    s3.put_object(Bucket=f"{name}-legacy", Key="in/b.jpg", Body=b"x")
    s3.put_object(Bucket=f"{name}-legacy", Key="out/c.jpg", Body=b"x")  # outside the rule
    entry = {"Source": f"{name}.test", "DetailType": "t", "Detail": '{"x": 1}'}
    fast_server.client("events").put_events(Entries=[entry])
    fast_server.client("dynamodb").put_item(TableName=physical["Table"], Item={"id": {"S": "n1"}})

    def seen() -> set[str]:
        found = set()
        for event in records(fast_server, function):
            record = (event.get("Records") or [{}])[0]
            source = record.get("eventSource") or record.get("EventSource") or event.get("source")
            if source == "aws:s3":
                source += ":" + record["s3"]["object"]["key"]
            found.add(str(source))
        return found

    expected = {
        "aws:sqs",
        "aws:sns",
        "aws:s3:a.jpg",
        "aws:s3:in/b.jpg",
        f"{name}.test",
        "aws:dynamodb",
    }
    wait_for(lambda: expected <= seen())
    assert "aws:s3:out/c.jpg" not in seen()

    # The hourly rule targets the function (not waited for).
    rule = physical["RecorderEventsRuleSchedule1"]
    [target] = fast_server.client("events").list_targets_by_rule(Rule=rule)["Targets"]
    assert target["Arn"].endswith(f":function:{function}") and target["Id"] == "recorderSchedule"

    # The Scheduler schedule invokes the function as its role, which trusts the Scheduler.
    scheduler = fast_server.client("scheduler")
    schedule = scheduler.get_schedule(Name=physical["RecorderSchedulerSchedule2"])
    moment = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler.update_schedule(
        Name=schedule["Name"], ScheduleExpression=f"at({moment})",
        FlexibleTimeWindow={"Mode": "OFF"}, Target=schedule["Target"],
    )  # fmt: skip
    wait_for(lambda: {"from": "scheduler"} in records(fast_server, function))

    s3.delete_object(Bucket=f"{name}-photos", Key="a.jpg")  # a bucket with objects stays
    cf.delete_stack(StackName=f"{name}-dev")
    cf.get_waiter("stack_delete_complete").wait(StackName=f"{name}-dev", WaiterConfig=QUICK)
    left = s3.get_bucket_notification_configuration(Bucket=f"{name}-legacy")
    assert not left.get("LambdaFunctionConfigurations")
