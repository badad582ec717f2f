"""`stream` events compiled as stream.js does: DynamoDB and Kinesis mappings, role statements."""

from __future__ import annotations

import json

import pytest

from overcast.deploy.serverless.model import TranslationError

from .sls_project import compiled

TABLE_STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/notes/stream/2024-01-01T00:00:00.000"
PROJECT = f"""
service: notes
functions:
  index:
    handler: h.h
    events:
      - stream: {TABLE_STREAM}
      - stream:
          type: kinesis
          arn: {{"Fn::GetAtt": [Clicks, Arn]}}
          batchSize: 100
          startingPosition: LATEST
          parallelizationFactor: 2
          batchWindow: 5
          maximumRetryAttempts: 3
          maximumRecordAgeInSeconds: 120
          bisectBatchOnFunctionError: true
          functionResponseType: ReportBatchItemFailures
          tumblingWindowInSeconds: 30
          filterPatterns: [{{data: {{kind: [click]}}}}]
          destinations: {{onFailure: arn:aws:sqs:us-east-1:123456789012:failed}}
          consumer: true
"""


def test_each_stream_gets_a_mapping_named_for_its_type_and_name() -> None:
    stack = compiled(PROJECT, "stream")
    table = stack.resources["IndexEventSourceMappingDynamodbNotes"]
    assert table["DependsOn"] == ["IamRoleLambdaExecution"]
    assert table["Properties"] == {
        "BatchSize": 10,
        "Enabled": True,
        "EventSourceArn": TABLE_STREAM,
        "FunctionName": {"Fn::GetAtt": ["IndexLambdaFunction", "Arn"]},
        "StartingPosition": "TRIM_HORIZON",
    }
    kinesis = stack.resources["IndexEventSourceMappingKinesisClicks"]["Properties"]
    assert kinesis["EventSourceArn"] == {"Fn::GetAtt": ["Clicks", "Arn"]}
    assert (kinesis["BatchSize"], kinesis["StartingPosition"]) == (100, "LATEST")
    assert kinesis["ParallelizationFactor"] == 2
    assert kinesis["MaximumBatchingWindowInSeconds"] == 5
    assert kinesis["MaximumRetryAttempts"] == 3
    assert kinesis["MaximumRecordAgeInSeconds"] == 120
    assert kinesis["BisectBatchOnFunctionError"] is True
    assert kinesis["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert kinesis["TumblingWindowInSeconds"] == 30
    assert json.loads(kinesis["FilterCriteria"]["Filters"][0]["Pattern"]) == {
        "data": {"kind": ["click"]}
    }
    assert kinesis["DestinationConfig"] == {
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failed"}
    }
    assert any("consumer" in note for note in stack.notes)


def test_the_role_may_read_the_streams_and_send_failures() -> None:
    actions = {s["Action"][0]: s["Resource"] for s in compiled(PROJECT, "stream").role_statements}
    assert actions == {
        "dynamodb:GetRecords": [TABLE_STREAM],
        "kinesis:GetRecords": [{"Fn::GetAtt": ["Clicks", "Arn"]}],
        "sqs:ListQueues": ["arn:aws:sqs:us-east-1:123456789012:failed"],
    }


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("{arn: {Ref: S}}", "give `type: dynamodb` or `type: kinesis`"),
        (
            "{arn: 'arn:aws:kinesis:us-east-1:1:stream/s', startingPosition: AT_TIMESTAMP}",
            "startingPositionTimestamp",
        ),
        ("{arn: 'arn:aws:kinesis:us-east-1:1:stream/s', batchSize: 0}", r"stream.batchSize"),
    ],
)
def test_a_wrong_stream_names_the_key_at_fault(event: str, message: str) -> None:
    text = f"service: s\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - stream: {event}\n"
    with pytest.raises(TranslationError, match=message):
        compiled(text, "stream")
