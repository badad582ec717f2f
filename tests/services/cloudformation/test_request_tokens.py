"""ClientRequestToken through boto3 against a real server: a retried stack operation (same
token) is answered as the first was instead of refused, the operation's events carry its
token, and a token that began another action is refused."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from stack_waits import QUICK, wait

QUEUE = "Resources:\n  Queue: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 1}}\n"


def test_retried_operations_are_answered_as_the_first(cf, stack_name: str) -> None:
    first = cf.create_stack(StackName=stack_name, TemplateBody=QUEUE, ClientRequestToken="c1")
    again = cf.create_stack(StackName=stack_name, TemplateBody=QUEUE, ClientRequestToken="c1")
    assert again["StackId"] == first["StackId"]
    with pytest.raises(ClientError) as caught:
        cf.create_stack(StackName=stack_name, TemplateBody=QUEUE, ClientRequestToken="c2")
    assert caught.value.response["Error"]["Code"] == "AlreadyExistsException"
    wait(cf, "stack_create_complete", stack_name)
    tokens = {
        e.get("ClientRequestToken")
        for e in cf.describe_stack_events(StackName=stack_name)["StackEvents"]
    }
    assert tokens == {"c1"}

    changed = QUEUE.replace("DelaySeconds: 1", "DelaySeconds: 2")
    cf.update_stack(StackName=stack_name, TemplateBody=changed, ClientRequestToken="u1")
    # A retry while the update runs (or after it) is not "in progress" nor "No updates".
    assert (
        cf.update_stack(StackName=stack_name, TemplateBody=changed, ClientRequestToken="u1")[
            "StackId"
        ]
        == first["StackId"]
    )
    wait(cf, "stack_update_complete", stack_name)
    with pytest.raises(ClientError) as caught:
        cf.delete_stack(StackName=stack_name, ClientRequestToken="u1")
    assert caught.value.response["Error"] == {
        "Type": "Sender",
        "Code": "TokenAlreadyExistsException",
        "Message": "A client request token already exists.",
    }
    cf.delete_stack(StackName=stack_name, ClientRequestToken="d1")
    cf.delete_stack(StackName=stack_name, ClientRequestToken="d1")
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)


def test_a_retried_change_set_execution(cf, stack_name: str) -> None:
    cf.create_change_set(
        StackName=stack_name, ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=QUEUE
    )
    cf.get_waiter("change_set_create_complete").wait(
        StackName=stack_name, ChangeSetName="c", WaiterConfig=QUICK
    )
    cf.execute_change_set(StackName=stack_name, ChangeSetName="c", ClientRequestToken="x1")
    cf.execute_change_set(StackName=stack_name, ChangeSetName="c", ClientRequestToken="x1")
    with pytest.raises(ClientError) as caught:
        cf.execute_change_set(StackName=stack_name, ChangeSetName="c")
    assert caught.value.response["Error"]["Code"] == "InvalidChangeSetStatus"
    wait(cf, "stack_create_complete", stack_name)
    cf.delete_stack(StackName=stack_name)
    cf.get_waiter("stack_delete_complete").wait(StackName=stack_name, WaiterConfig=QUICK)
