"""REST API AWS integrations to other services, end to end: SQS SendMessage (the path form
with a form body, as SAM's patterns write it) and DynamoDB PutItem (the action form with a
JSON body), run as the integration's credentials role; a role-less integration is 500."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_support import RestApi

from support import LAMBDA_ROLE, create_lambda_role, http_call

SQS_TEMPLATE = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
DDB_TEMPLATE = (
    '{"TableName": "$stageVariables.table", "Item": {"id": {"S": "$input.params(\'id\')"},'
    ' "note": {"S": $input.json(\'$.note\')}}}'
)


@pytest.fixture(scope="module")
def built(server):
    create_lambda_role(server)  # allows everything: the integrations' credentials role
    apigw, sqs, ddb = (server.client(n) for n in ("apigateway", "sqs", "dynamodb"))
    queue = sqs.create_queue(QueueName=f"rest-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    table = f"rest-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    )  # fmt: skip
    api = RestApi(apigw, "services")
    account, name = queue.rsplit("/", 2)[-2:]
    api.method("/queue", "POST", {
        "type": "AWS", "integrationHttpMethod": "POST", "credentials": LAMBDA_ROLE,
        "uri": f"arn:aws:apigateway:us-east-1:sqs:path/{account}/{name}",
        "requestParameters": {"integration.request.header.Content-Type":
                              "'application/x-www-form-urlencoded'"},
        "requestTemplates": {"application/json": SQS_TEMPLATE},
        "responses": {"200": {"responseTemplates": {"application/json":
            '{"id": "$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}'}},
                      "400": {"selectionPattern": "4\\d\\d"}},
    })  # fmt: skip
    api.method("/items/{id}", "PUT", {
        "type": "AWS", "integrationHttpMethod": "POST", "credentials": LAMBDA_ROLE,
        "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
        "requestTemplates": {"application/json": DDB_TEMPLATE},
        "responses": {"200": {"responseTemplates": {"application/json": '{"saved": true}'}},
                      "400": {"selectionPattern": "4\\d\\d"}},
    })  # fmt: skip
    api.method("/roleless", "POST", {
        "type": "AWS", "integrationHttpMethod": "POST",
        "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
        "responses": {"200": {}},
    })  # fmt: skip
    api.deploy("prod", variables={"table": table})
    return api, queue, table


def test_sqs_send_message(server, built) -> None:
    api, queue, _ = built
    status, _, body = http_call(f"{api.url(server.endpoint)}/queue", "POST",
                                body=b'{"order": 7}',
                                headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 200, body
    message_id = json.loads(body)["id"]
    received = server.client("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=5)
    message = received["Messages"][0]
    assert message["MessageId"] == message_id and json.loads(message["Body"]) == {"order": 7}


def test_dynamodb_put_item_and_its_errors(server, built) -> None:
    api, _, table = built
    url = f"{api.url(server.endpoint)}/items/a1"
    status, _, body = http_call(url, "PUT", body=b'{"note": "hi"}',
                                headers={"Content-Type": "application/json"})  # fmt: skip
    assert (status, json.loads(body)) == (200, {"saved": True})
    item = server.client("dynamodb").get_item(TableName=table, Key={"id": {"S": "a1"}})["Item"]
    assert item["note"] == {"S": "hi"}
    # A note that is no string: DynamoDB's validation error, selected by the 4xx pattern.
    status, _, body = http_call(url, "PUT", body=b'{"note": 5}',
                                headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 400 and b"__type" in body


def test_an_aws_integration_without_a_role_is_a_configuration_error(server, built) -> None:
    api, _, _ = built
    status, _, body = http_call(f"{api.url(server.endpoint)}/roleless", "POST", body=b"{}")
    assert (status, json.loads(body)) == (500, {"message": "Internal server error"})
