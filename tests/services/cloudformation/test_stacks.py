"""Stacks through boto3 against a real server: queues, topics, subscriptions and log groups
with Ref, Fn::GetAtt, Outputs, Exports and Fn::ImportValue; updates in place and by
replacement; deletes; failures that roll back; unsupported types refused."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, WaiterError
from stack_waits import events, settled, wait

from support import RunningServer

APP = """
Parameters:
  Retention: {Type: Number, Default: 7}
  Timeout: {Type: Number, Default: 40}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: !Ref Timeout}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: app}
  Subscription:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: !GetAtt Queue.Arn}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: !Ref Retention}
Outputs:
  QueueUrl:
    Value: !Ref Queue
    Export: {Name: !Sub "${AWS::StackName}-queue-url"}
  QueueArn: {Value: !GetAtt Queue.Arn, Description: the queue}
  TopicName: {Value: !GetAtt Topic.TopicName}
  Group: {Value: !Ref Logs}
"""


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_a_stack_is_created_updated_and_deleted(server: RunningServer, cf, stack_name: str) -> None:
    sqs, sns, logs = server.client("sqs"), server.client("sns"), server.client("logs")
    stack_id = cf.create_stack(StackName=stack_name, TemplateBody=APP)["StackId"]
    assert stack_id.startswith(f"arn:aws:cloudformation:us-east-1:000000000000:stack/{stack_name}/")
    stack = wait(cf, "stack_create_complete", stack_name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    out = outputs(stack)
    url = out["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "40" and attributes["QueueArn"] == out["QueueArn"]
    topic_arn = f"arn:aws:sns:us-east-1:000000000000:{out['TopicName']}"
    subscribed = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert [s["Endpoint"] for s in subscribed] == [out["QueueArn"]]
    group = logs.describe_log_groups(logGroupNamePrefix=out["Group"])["logGroups"][0]
    assert group["retentionInDays"] == 7
    exported = {e["Name"]: e["Value"] for e in cf.list_exports()["Exports"]}
    assert exported[f"{stack_name}-queue-url"] == url

    # Dependencies first: the subscription after its topic and its queue.
    order = [(name, status) for name, status, _ in events(cf, stack_name)]
    assert order[0] == (stack_name, "CREATE_IN_PROGRESS") and order[-1] == (
        stack_name,
        "CREATE_COMPLETE",
    )
    done = [name for name, status in order if status == "CREATE_COMPLETE"]
    assert done.index("Subscription") > max(done.index("Queue"), done.index("Topic"))
    listed = cf.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["ResourceStatus"] for r in listed} == dict.fromkeys(
        ["Queue", "Topic", "Subscription", "Logs"], "CREATE_COMPLETE"
    )
    detail = cf.describe_stack_resource(StackName=stack_name, LogicalResourceId="Queue")
    assert detail["StackResourceDetail"]["PhysicalResourceId"] == url
    assert cf.get_template(StackName=stack_name)["TemplateBody"] == APP

    # In place: the same queue, a new timeout; the log group's retention goes.
    cf.update_stack(
        StackName=stack_name,
        TemplateBody=APP,
        Parameters=[
            {"ParameterKey": "Timeout", "ParameterValue": "90"},
            {"ParameterKey": "Retention", "UsePreviousValue": True},
        ],
    )
    stack = wait(cf, "stack_update_complete", stack_name)
    assert stack["StackStatus"] == "UPDATE_COMPLETE" and outputs(stack)["QueueUrl"] == url
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    assert attributes["Attributes"]["VisibilityTimeout"] == "90"
    with pytest.raises(ClientError) as caught:
        cf.update_stack(
            StackName=stack_name,
            TemplateBody=APP,
            Parameters=[{"ParameterKey": "Timeout", "ParameterValue": "90"}],
        )
    assert caught.value.response["Error"]["Message"] == "No updates are to be performed."

    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig={"Delay": 0.2})
    with pytest.raises(ClientError) as caught:
        sqs.get_queue_attributes(QueueUrl=url)
    assert "NonExistentQueue" in caught.value.response["Error"]["Code"]
    with pytest.raises(ClientError) as caught:
        cf.describe_stacks(StackName=stack_name)
    assert caught.value.response["Error"] == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": f"Stack with id {stack_name} does not exist",
    }
    gone = cf.describe_stacks(StackName=stack_id)["Stacks"][0]
    assert gone["StackStatus"] == "DELETE_COMPLETE" and "DeletionTime" in gone


def test_a_named_property_change_replaces_the_resource(
    server: RunningServer, cf, stack_name: str
) -> None:
    template = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: %s}\n"
    cf.create_stack(StackName=stack_name, TemplateBody=template % f"{stack_name}-a")
    wait(cf, "stack_create_complete", stack_name)
    first = cf.describe_stack_resource(StackName=stack_name, LogicalResourceId="Queue")
    first_url = first["StackResourceDetail"]["PhysicalResourceId"]
    cf.update_stack(StackName=stack_name, TemplateBody=template % f"{stack_name}-b")
    wait(cf, "stack_update_complete", stack_name)
    second = cf.describe_stack_resource(StackName=stack_name, LogicalResourceId="Queue")
    assert second["StackResourceDetail"]["PhysicalResourceId"].endswith(f"{stack_name}-b")
    sqs = server.client("sqs")
    with pytest.raises(ClientError):
        sqs.get_queue_attributes(QueueUrl=first_url)  # the old one, deleted at cleanup
    statuses = [s for _, s, _ in events(cf, stack_name)]
    assert "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" in statuses
    cf.delete_stack(StackName=stack_name)


def test_a_failing_resource_rolls_the_create_back(
    server: RunningServer, cf, stack_name: str
) -> None:
    template = """
Resources:
  Good:
    Type: AWS::SQS::Queue
  Bad:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 99999
      Tags: [{Key: of, Value: !GetAtt Good.Arn}]
"""
    cf.create_stack(StackName=stack_name, TemplateBody=template)
    with pytest.raises(WaiterError):
        cf.get_waiter("stack_create_complete").wait(
            StackName=stack_name, WaiterConfig={"Delay": 0.2}
        )
    stack = settled(cf, stack_name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "The following resource(s) failed to create: [Bad]" in stack["StackStatusReason"]
    seen = events(cf, stack_name)
    failed = [reason for name, status, reason in seen if (name, status) == ("Bad", "CREATE_FAILED")]
    assert failed and "VisibilityTimeout" in failed[0]
    assert ("Good", "DELETE_COMPLETE") in [(n, s) for n, s, _ in seen]
    good_url = [
        r["PhysicalResourceId"]
        for r in cf.describe_stack_resources(StackName=stack_name)["StackResources"]
        if r["LogicalResourceId"] == "Good"
    ][0]
    with pytest.raises(ClientError):
        server.client("sqs").get_queue_attributes(QueueUrl=good_url)  # nothing half-made
    with pytest.raises(ClientError) as caught:
        cf.update_stack(StackName=stack_name, TemplateBody=template)
    assert "ROLLBACK_COMPLETE state and can not be updated" in str(caught.value)
    cf.delete_stack(StackName=stack_name)
    wait_gone(cf, stack_name)


def wait_gone(cf, name: str) -> None:
    cf.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})


def test_a_failing_update_rolls_back_to_what_was_there(
    server: RunningServer, cf, stack_name: str
) -> None:
    template = (
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {VisibilityTimeout: 30}\n"
    )
    cf.create_stack(StackName=stack_name, TemplateBody=template)
    wait(cf, "stack_create_complete", stack_name)
    broken = template.replace("30", "45") + (
        "  Extra:\n    Type: AWS::SNS::Topic\n    DependsOn: Queue\n"
        "  Bad:\n    Type: AWS::Logs::LogGroup\n    DependsOn: Extra\n"
        "    Properties: {RetentionInDays: 8}\n"  # not one of the retention periods
    )
    cf.update_stack(StackName=stack_name, TemplateBody=broken)
    stack = settled(cf, stack_name)
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    url = cf.describe_stack_resource(StackName=stack_name, LogicalResourceId="Queue")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    found = server.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert found["Attributes"]["VisibilityTimeout"] == "30"  # put back
    names = {
        r["LogicalResourceId"]
        for r in cf.describe_stack_resources(StackName=stack_name)["StackResources"]
    }
    assert names == {"Queue"}
    topics = server.client("sns").list_topics()["Topics"]
    assert not [t for t in topics if f":{stack_name}-Extra-" in t["TopicArn"]]  # deleted again
    assert cf.get_template(StackName=stack_name)["TemplateBody"] == template
    cf.delete_stack(StackName=stack_name)
    wait_gone(cf, stack_name)


def test_imports_exports_and_retain(server: RunningServer, cf, stack_name: str) -> None:
    producer = f"{stack_name}-p"
    consumer = f"{stack_name}-c"
    cf.create_stack(
        StackName=producer,
        TemplateBody="""
Resources:
  Topic: {Type: AWS::SNS::Topic}
  Kept:
    Type: AWS::SQS::Queue
    DeletionPolicy: Retain
Outputs:
  Arn:
    Value: !Ref Topic
    Export: {Name: !Sub "${AWS::StackName}-topic"}
""",
    )
    wait(cf, "stack_create_complete", producer)
    cf.create_stack(
        StackName=consumer,
        TemplateBody="""
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: {"Fn::ImportValue": "PRODUCER-topic"}
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
""".replace("PRODUCER", producer),
    )
    wait(cf, "stack_create_complete", consumer)
    assert cf.list_imports(ExportName=f"{producer}-topic")["Imports"] == [consumer]
    cf.delete_stack(StackName=producer)
    stack = settled(cf, producer)
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert stack["StackStatusReason"] == (
        f"Export {producer}-topic cannot be deleted as it is in use by {consumer}"
    )
    cf.delete_stack(StackName=consumer)
    wait_gone(cf, consumer)
    kept = cf.describe_stack_resource(StackName=producer, LogicalResourceId="Kept")
    kept_url = kept["StackResourceDetail"]["PhysicalResourceId"]
    cf.delete_stack(StackName=producer)
    wait_gone(cf, producer)
    server.client("sqs").get_queue_attributes(QueueUrl=kept_url)  # retained


def test_an_unsupported_type_is_refused_naming_it(cf, stack_name: str) -> None:
    template = "Resources:\n  Web:\n    Type: AWS::EC2::Instance\n  Q:\n    Type: AWS::SQS::Queue\n"
    with pytest.raises(ClientError) as caught:
        cf.create_stack(StackName=stack_name, TemplateBody=template)
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert "AWS::EC2::Instance" in error["Message"] and "Web" in error["Message"]
    with pytest.raises(ClientError) as caught:
        cf.validate_template(TemplateBody=template)
    assert "AWS::EC2::Instance" in caught.value.response["Error"]["Message"]


def test_template_errors_and_names(cf, stack_name: str) -> None:
    with pytest.raises(ClientError) as caught:
        cf.create_stack(
            StackName=stack_name,
            TemplateBody="Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
            "    Properties: {QueueName: !Ref Nope}\n",
        )
    assert "Unresolved resource dependencies [Nope]" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        cf.create_stack(StackName="1bad", TemplateBody="Resources: {}")
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    summary = cf.get_template_summary(TemplateBody=APP)
    assert {p["ParameterKey"] for p in summary["Parameters"]} == {"Retention", "Timeout"}
    assert set(summary["ResourceTypes"]) == {
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::Logs::LogGroup",
    }
    cf.delete_stack(StackName="never-made")  # succeeds, as on AWS


def test_termination_protection(cf, stack_name: str) -> None:
    cf.create_stack(
        StackName=stack_name,
        TemplateBody="Resources:\n  T: {Type: AWS::SNS::Topic}\n",
        EnableTerminationProtection=True,
    )
    wait(cf, "stack_create_complete", stack_name)
    with pytest.raises(ClientError) as caught:
        cf.delete_stack(StackName=stack_name)
    assert "TerminationProtection is enabled" in caught.value.response["Error"]["Message"]
    cf.update_termination_protection(StackName=stack_name, EnableTerminationProtection=False)
    cf.delete_stack(StackName=stack_name)
    wait_gone(cf, stack_name)
    summaries = cf.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
    assert stack_name in [s["StackName"] for s in summaries]
