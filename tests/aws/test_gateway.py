"""The gateway is one pipeline for every service: it routes by X-Amz-Target, then SigV4
signing name, then path; asks the authorizer with the access the operation needs; and
renders every error, unexpected ones included, in the answering service's protocol.

The services here are botocore's own models with operations of this test's making, so what
is tested is the gateway, not a service.
"""

from __future__ import annotations

import warnings

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from overcast.aws.authorizer import Access, ResourcePolicies
from overcast.aws.errors import UserError
from overcast.aws.gateway import Api, Gateway
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import RequestContext

SIGNED = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/eu-west-1/{}/aws4_request, Sig=x"


class AccessDenied(UserError):
    status = 403
    code = "AccessDeniedException"


class Refusing:
    """An authorizer that records what it was asked and refuses one action."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.asked: list[tuple[str, str, str]] = []

    def authorize(
        self, context: RequestContext, access: Access, policies: ResourcePolicies | None = None
    ) -> None:
        for need in access.needs:
            self.asked.append((context.access_key, need.action, need.resource))
            if need.action == self.refused:
                raise AccessDenied(f"not allowed: {need.action}")


def lambda_like() -> Api:
    operations = Operations()

    @operations("GetFunction")
    def get_function(backend: dict, call: Call) -> dict:
        if call.params["FunctionName"] == "boom":
            raise RuntimeError("a bug in the handler")
        return {"Configuration": {"FunctionName": call.params["FunctionName"]}}

    return Api(service_model("lambda"), operations, {})


def sqs_like() -> Api:
    operations = Operations()

    @operations("GetQueueUrl")
    async def get_queue_url(backend: dict, call: Call) -> dict:
        return {"QueueUrl": f"{call.base_url}{call.context.account_id}/{call.params['QueueName']}"}

    return Api(service_model("sqs"), operations, {})


def sns_like() -> Api:
    operations = Operations()

    @operations("ListTopics")
    def list_topics(backend: dict, call: Call) -> dict:
        return {"Topics": [{"TopicArn": f"arn:aws:sns:{call.region}:1:t"}]}

    return Api(service_model("sns"), operations, {})


@pytest.fixture
def authorizer() -> Refusing:
    return Refusing("sns:ListTopics")


@pytest.fixture
def client(authorizer: Refusing) -> TestClient:
    gateway = Gateway([sqs_like(), sns_like()], lambda_like(), "us-east-1", "123456789012")
    gateway.authorizer = authorizer
    app = Starlette(routes=[Route("/{path:path}", gateway.handle, methods=["GET", "POST"])])
    return TestClient(app, raise_server_exceptions=False)


def test_routes_by_target_signing_name_and_path(client: TestClient, authorizer: Refusing) -> None:
    sqs = client.post(
        "/",
        json={"QueueName": "q"},
        headers={
            "x-amz-target": "AmazonSQS.GetQueueUrl",
            "content-type": "application/x-amz-json-1.0",
        },
    )
    assert sqs.status_code == 200
    assert sqs.json() == {"QueueUrl": "http://testserver/123456789012/q"}
    assert sqs.headers["x-amzn-requestid"]

    lam = client.get("/2015-03-31/functions/f", headers={"authorization": SIGNED.format("lambda")})
    assert lam.json() == {"Configuration": {"FunctionName": "f"}}
    unsigned = client.get("/2015-03-31/functions/g")  # nothing claims it: the default service
    assert unsigned.json() == {"Configuration": {"FunctionName": "g"}}
    assert [(key, action) for key, action, _ in authorizer.asked] == [
        ("", "sqs:GetQueueUrl"),
        ("AKIDEXAMPLE", "lambda:GetFunction"),
        ("", "lambda:GetFunction"),
    ]


def test_a_refusal_is_rendered_in_the_service_s_protocol(client: TestClient) -> None:
    response = client.post(
        "/", data={"Action": "ListTopics"}, headers={"authorization": SIGNED.format("sns")}
    )
    assert response.status_code == 403
    assert "<Code>AccessDeniedException</Code>" in response.text
    assert "<Type>Sender</Type>" in response.text


def test_an_unexpected_error_is_a_500_in_the_protocol_without_a_traceback(
    client: TestClient,
) -> None:
    response = client.get("/2015-03-31/functions/boom")
    assert response.status_code == 500
    assert response.headers["x-amzn-errortype"] == "ServiceException"
    assert "Traceback" not in response.text and "a bug" not in response.text


def test_an_unknown_target_is_a_json_error(client: TestClient) -> None:
    response = client.post("/", json={}, headers={"x-amz-target": "DynamoDB_20120810.ListTables"})
    assert response.status_code == 404
    assert response.json()["__type"] == "UnknownOperationException"


def test_a_body_that_is_not_json_is_a_serialization_error(client: TestClient) -> None:
    response = client.post("/", content=b"{oops", headers={"x-amz-target": "AmazonSQS.GetQueueUrl"})
    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"


def test_an_operation_without_a_handler_is_unknown(client: TestClient) -> None:
    response = client.post("/", json={}, headers={"x-amz-target": "AmazonSQS.ListQueues"})
    assert response.status_code == 404
    assert response.json()["__type"] == "UnknownOperationException"


def test_invoke_asks_the_same_authorizer_before_it_resolves_the_function() -> None:
    """Invoke takes its own hot path past the gateway, but not past the authorizer."""
    import asyncio

    from overcast.http.invoke_shortcut import InvokeCall
    from overcast.services.lambda_.api.invoke import InvokeEndpoint

    class NoResolver:
        def resolve(self, *args: object) -> None:
            raise AssertionError("resolved before it was authorized")

    authorizer = Refusing("lambda:InvokeFunction")
    endpoint = InvokeEndpoint(None, NoResolver(), "us-east-1", None, None, authorizer, "1")
    call = InvokeCall("f", "live", {"authorization": SIGNED.format("lambda")}, b"{}")
    answer = asyncio.run(endpoint.answer(call))
    assert answer.status == 403
    # On the function as named, qualified by the Qualifier (Lambda's resource for Invoke).
    function = "arn:aws:lambda:eu-west-1:1:function:f:live"
    assert authorizer.asked == [("AKIDEXAMPLE", "lambda:InvokeFunction", function)]
