"""The query protocol helper against botocore itself: what its QuerySerializer writes is read
back as the same input, and what we write its QueryParser reads as the same output."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer

from overcast.aws.protocols import query as query_protocol
from overcast.aws.protocols.rest_json import service_model
from overcast.services.lambda_.errors import ResourceNotFoundException
from overcast.services.sns.errors import InvalidParameterException

SNS = service_model("sns")


def round_trip(operation_name: str, params: dict) -> dict:
    operation = SNS.operation_model(operation_name)
    request = QuerySerializer().serialize_to_request(params, operation)
    body = urlencode(request["body"]).encode()
    fields = query_protocol.form_fields(body)
    assert fields["Action"] == operation_name
    return query_protocol.parse_input(operation, fields)


@pytest.mark.parametrize(
    "operation, params",
    [
        (
            "CreateTopic",
            {
                "Name": "orders.fifo",
                "Attributes": {"FifoTopic": "true", "DisplayName": "Ünïcode & <xml>"},
                "Tags": [{"Key": "team", "Value": "core"}, {"Key": "env", "Value": ""}],
            },
        ),
        (
            "Publish",
            {
                "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
                "Message": "a=b&c=d\nline two",
                "MessageAttributes": {
                    "text": {"DataType": "String", "StringValue": "x y"},
                    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
                },
            },
        ),
        (
            "PublishBatch",
            {
                "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
                "PublishBatchRequestEntries": [
                    {"Id": "1", "Message": "one"},
                    {
                        "Id": "2",
                        "Message": "two",
                        "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "7"}},
                    },
                ],
            },
        ),
        ("Subscribe", {"TopicArn": "t", "Protocol": "sqs", "ReturnSubscriptionArn": True}),
        ("UntagResource", {"ResourceArn": "r", "TagKeys": []}),
        ("ListTopics", {}),
    ],
)
def test_what_botocore_writes_is_read_back(operation: str, params: dict) -> None:
    assert round_trip(operation, params) == params


def parsed(operation_name: str, result: dict | None, status: int = 200) -> dict:
    operation = SNS.operation_model(operation_name)
    response = query_protocol.response(SNS, operation, result)
    assert response.media_type == "text/xml"
    return QueryParser().parse(
        {"status_code": status, "headers": dict(response.headers), "body": response.body},
        operation.output_shape,
    )


def test_outputs_read_back_by_botocore() -> None:
    attributes = {"DisplayName": "a < b & c", "Policy": '{"x": "y"}'}
    out = parsed("GetTopicAttributes", {"Attributes": attributes})
    assert out["Attributes"] == attributes
    assert out["ResponseMetadata"]["RequestId"]

    batch = {
        "Successful": [{"Id": "1", "MessageId": "m", "SequenceNumber": "10"}],
        "Failed": [{"Id": "2", "Code": "X", "Message": "y", "SenderFault": True}],
    }
    assert {k: v for k, v in parsed("PublishBatch", batch).items() if k in batch} == batch

    listed = parsed("ListTopics", {"Topics": [{"TopicArn": "a"}, {"TopicArn": "b"}]})
    assert listed["Topics"] == [{"TopicArn": "a"}, {"TopicArn": "b"}]
    assert "NextToken" not in listed


def test_operations_without_output_answer_their_metadata() -> None:
    response = query_protocol.response(SNS, SNS.operation_model("DeleteTopic"), None, "rid")
    assert response.body == (
        b'<DeleteTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
        b"<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteTopicResponse>"
    )


def test_errors_are_sender_or_receiver_faults() -> None:
    operation = SNS.operation_model("Publish")
    for error, fault in (
        (InvalidParameterException("Invalid parameter: <Subject>"), "Sender"),
        (ResourceNotFoundException("gone"), "Sender"),
    ):
        response = query_protocol.error_response(error, SNS)
        assert response.status_code == error.status
        parsed_error = QueryParser().parse(
            {"status_code": error.status, "headers": {}, "body": response.body},
            operation.output_shape,
        )["Error"]
        assert parsed_error == {"Type": fault, "Code": error.code, "Message": error.message}


def test_a_field_that_is_not_its_type_is_named() -> None:
    operation = SNS.operation_model("ListOriginationNumbers")
    with pytest.raises(query_protocol.QueryInputError) as excinfo:
        query_protocol.parse_input(operation, {"MaxResults": "many"})
    assert excinfo.value.name == "MaxResults"
