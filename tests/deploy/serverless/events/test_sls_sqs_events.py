"""`sqs` events compiled as sqs.js does: one mapping per queue, the role allowed to read."""

from __future__ import annotations

import json

import pytest

from overcast.deploy.serverless.model import TranslationError

from .sls_project import compiled

PROJECT = """
service: notes
functions:
  worker:
    handler: worker.handler
    events:
      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs
      - sqs:
          arn: {"Fn::GetAtt": [Queue, Arn]}
          batchSize: 5
          maximumBatchingWindow: 2
          enabled: false
          functionResponseType: ReportBatchItemFailures
          filterPatterns: [{body: {kind: [paid]}}]
          maximumConcurrency: 4
"""


def test_each_queue_gets_a_mapping_named_for_the_function_and_the_queue() -> None:
    stack = compiled(PROJECT, "sqs")
    plain = stack.resources["WorkerEventSourceMappingSQSJobs"]
    assert plain["Type"] == "AWS::Lambda::EventSourceMapping"
    assert plain["DependsOn"] == ["IamRoleLambdaExecution"]
    assert plain["Properties"] == {
        "BatchSize": 10,
        "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:jobs",
        "FunctionName": {"Fn::GetAtt": ["WorkerLambdaFunction", "Arn"]},
        "Enabled": True,
    }
    tuned = stack.resources["WorkerEventSourceMappingSQSQueue"]["Properties"]
    assert tuned["BatchSize"] == 5
    assert tuned["MaximumBatchingWindowInSeconds"] == 2
    assert tuned["Enabled"] is False
    assert tuned["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert json.loads(tuned["FilterCriteria"]["Filters"][0]["Pattern"]) == {
        "body": {"kind": ["paid"]}
    }
    assert tuned["ScalingConfig"] == {"MaximumConcurrency": 4}


def test_the_role_may_read_every_queue_in_one_statement() -> None:
    stack = compiled(PROJECT, "sqs")
    assert stack.role_statements == [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": [
                "arn:aws:sqs:us-east-1:123456789012:jobs",
                {"Fn::GetAtt": ["Queue", "Arn"]},
            ],
        }
    ]


def test_a_target_alias_is_invoked_and_waited_for() -> None:
    text = PROJECT.replace(
        "    handler: worker.handler\n",
        "    handler: worker.handler\n    provisionedConcurrency: 2\n",
    )
    mapping = compiled(text, "sqs").resources["WorkerEventSourceMappingSQSJobs"]
    assert mapping["DependsOn"] == ["IamRoleLambdaExecution", "WorkerProvConcLambdaAlias"]
    assert mapping["Properties"]["FunctionName"] == {
        "Fn::Join": [":", [{"Fn::GetAtt": ["WorkerLambdaFunction", "Arn"]}, "provisioned"]]
    }


@pytest.mark.parametrize(
    ("event", "where"),
    [
        ("{batchSize: 5}", "functions.worker.events[0].sqs: 'arn' is a required property"),
        ("{arn: 'arn:aws:sqs:us-east-1:1:q', batchSize: 0}", "events[0].sqs.batchSize"),
        ("{arn: {Ref: Queue}}", "functions.worker.events[0].sqs.arn"),
    ],
)
def test_a_wrong_event_names_the_key_at_fault(event: str, where: str) -> None:
    text = (
        f"service: s\nfunctions:\n  worker:\n    handler: h.h\n    events:\n      - sqs: {event}\n"
    )
    with pytest.raises(TranslationError, match=where.replace("[", r"\[").replace("]", r"\]")):
        compiled(text, "sqs")
