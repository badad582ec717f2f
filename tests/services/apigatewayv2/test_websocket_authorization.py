"""WebSocket APIs' `$connect` authorization end to end: a Lambda REQUEST authorizer written
as AWS's blueprints write it, and AWS_IAM with a presigned URL, configured with boto3 and
connected to with the `websockets` client."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import websockets
from botocore.exceptions import ClientError

from support import allow, deploy, presigned_url, wait_for

APIGATEWAY = "apigateway.amazonaws.com"
EXECUTE_API = "arn:aws:execute-api:us-east-1:000000000000"

# AWS's Lambda authorizer blueprint, REQUEST type: a policy on the method ARN, a context.
# It allows whatever it is asked about unless the token says otherwise, so a refusal
# without a token shows it was never asked.
AUTHORIZER = """
def handler(event, context):
    token = (event.get("queryStringParameters") or {}).get("token")
    if token == "boom":
        raise Exception("Unauthorized")
    if token == "broken":
        raise RuntimeError("bug")
    effect = "Deny" if token == "bad" else "Allow"
    return {
        "principalId": "user-1",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
            ],
        },
        "context": {
            "tier": "gold",
            "count": 3,
            "type": event["type"],
            "methodArn": event["methodArn"],
            "headerNames": ",".join(sorted(event["headers"])),
        },
    }
"""

# $connect admits the client only if its event carries what the query says to expect of
# the authorizer; $default echoes the message event's requestContext.
BACKEND = """
import json

def handler(event, context):
    request = event["requestContext"]
    if request["routeKey"] == "$connect":
        expect = (event.get("queryStringParameters") or {}).get("expect")
        found = (request.get("authorizer") or {}).get("principalId")
        return {"statusCode": 200 if expect in (None, found) else 418}
    return {"statusCode": 200, "body": json.dumps(request)}
"""


@pytest.fixture(scope="module")
def gateway(server):
    return server.client("apigatewayv2")


def function(server, source: str, prefix: str) -> str:
    client = server.client("lambda")
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    deploy(client, name, source, Timeout=20)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def socket_api(gateway, backend: str) -> tuple[str, dict[str, str], str]:
    """An API with $connect and a two-way $default over `backend`; (id, route ids, url)."""
    api = gateway.create_api(
        Name="guarded", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.a"
    )
    api_id = api["ApiId"]
    made = gateway.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=backend
    )
    target = "integrations/" + made["IntegrationId"]
    routes = {
        key: gateway.create_route(ApiId=api_id, RouteKey=key, Target=target)["RouteId"]
        for key in ("$connect", "$default")
    }
    gateway.create_route_response(
        ApiId=api_id, RouteId=routes["$default"], RouteResponseKey="$default"
    )
    gateway.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    return api_id, routes, api["ApiEndpoint"] + "/prod"


def invocation_uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture(scope="module")
def custom(server, gateway) -> dict:
    backend = function(server, BACKEND, "backend")
    api_id, routes, url = socket_api(gateway, backend)
    authorizer = gateway.create_authorizer(
        ApiId=api_id,
        Name="blueprint",
        AuthorizerType="REQUEST",
        AuthorizerUri=invocation_uri(function(server, AUTHORIZER, "authorizer")),
        IdentitySource=["route.request.header.Auth", "route.request.querystring.token"],
    )
    gateway.update_route(
        ApiId=api_id,
        RouteId=routes["$connect"],
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer["AuthorizerId"],
    )
    return {"id": api_id, "routes": routes, "url": url, "authorizer": authorizer}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def refusal(url: str, **options) -> int:
    async def connect():
        async with websockets.connect(url, **options):
            pass

    with pytest.raises(websockets.InvalidStatus) as refused:
        run(connect())
    return refused.value.response.status_code


def context_of(url: str, **options) -> dict:
    async def talk():
        async with websockets.connect(url, **options) as socket:
            await socket.send("{}")
            return json.loads(await socket.recv())

    return run(talk())


def test_authorizer_context_reaches_every_event(custom) -> None:
    context = context_of(
        custom["url"] + "?token=good&expect=user-1", additional_headers={"Auth": "secret"}
    )
    authorizer = context["authorizer"]
    assert authorizer["principalId"] == "user-1"
    assert (authorizer["tier"], authorizer["count"], authorizer["type"]) == ("gold", 3, "REQUEST")
    assert authorizer["methodArn"] == f"{EXECUTE_API}:{custom['id']}/prod/$connect"
    assert isinstance(authorizer["integrationLatency"], int)
    # The authorizer saw the client's own header names, as API Gateway passes them on.
    assert {"Auth", "Host", "Sec-WebSocket-Key"} <= set(authorizer["headerNames"].split(","))


def test_missing_identity_source_is_401_without_asking(custom) -> None:
    assert refusal(custom["url"] + "?token=good") == 401  # no Auth header
    assert refusal(custom["url"], additional_headers={"Auth": "secret"}) == 401  # no token
    assert refusal(custom["url"] + "?token=", additional_headers={"Auth": "secret"}) == 401


def test_deny_unauthorized_and_failures(custom) -> None:
    auth = {"additional_headers": {"Auth": "secret"}}
    assert refusal(custom["url"] + "?token=bad", **auth) == 403
    assert refusal(custom["url"] + "?token=boom", **auth) == 401
    assert refusal(custom["url"] + "?token=broken", **auth) == 500


def test_authorizers_control_plane(gateway, custom) -> None:
    api_id, authorizer_id = custom["id"], custom["authorizer"]["AuthorizerId"]
    found = gateway.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
    assert found["AuthorizerType"] == "REQUEST" and found["Name"] == "blueprint"
    assert found["IdentitySource"] == [
        "route.request.header.Auth",
        "route.request.querystring.token",
    ]
    listed = gateway.get_authorizers(ApiId=api_id)["Items"]
    assert [a["AuthorizerId"] for a in listed] == [authorizer_id]
    route = gateway.get_route(ApiId=api_id, RouteId=custom["routes"]["$connect"])
    assert (route["AuthorizationType"], route["AuthorizerId"]) == ("CUSTOM", authorizer_id)

    def refused(call, code: str, **params) -> None:
        with pytest.raises(ClientError) as caught:
            call(**params)
        assert caught.value.response["Error"]["Code"] == code

    in_use = {"ApiId": api_id, "AuthorizerId": authorizer_id}
    refused(gateway.delete_authorizer, "BadRequestException", **in_use)
    refused(
        gateway.update_route,
        "BadRequestException",
        ApiId=api_id,
        RouteId=custom["routes"]["$default"],
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer_id,
    )
    refused(
        gateway.create_route,
        "BadRequestException",
        ApiId=api_id,
        RouteKey="other",
        AuthorizationType="AWS_IAM",
    )
    refused(
        gateway.create_authorizer,
        "BadRequestException",
        ApiId=api_id,
        Name="jwt",
        AuthorizerType="JWT",
        IdentitySource=["route.request.header.Auth"],
    )
    refused(
        gateway.create_authorizer,
        "BadRequestException",
        ApiId=api_id,
        Name="bad-source",
        AuthorizerType="REQUEST",
        AuthorizerUri=found["AuthorizerUri"],
        IdentitySource=["$request.header.Auth"],
    )
    refused(gateway.get_authorizer, "NotFoundException", ApiId=api_id, AuthorizerId="nope123")


@pytest.fixture(scope="module")
def iam_api(server, gateway) -> dict:
    api_id, routes, url = socket_api(gateway, function(server, BACKEND, "iam-backend"))
    gateway.update_route(ApiId=api_id, RouteId=routes["$connect"], AuthorizationType="AWS_IAM")
    return {"id": api_id, "url": url}


def test_iam_connect_verifies_a_presigned_url(server, iam_api) -> None:
    url = iam_api["url"]
    http_url = "http" + url.removeprefix("ws")
    root = tuple(server.credentials.values())
    assert refusal(url) == 403
    forged = {"Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/execute-api"}
    assert refusal(url, additional_headers=forged) == 403
    assert refusal("ws" + presigned_url(http_url, *root, service="lambda")[4:]) == 403
    context = context_of("ws" + presigned_url(http_url, *root)[4:])
    assert context["identity"]["userArn"] == "arn:aws:iam::000000000000:root"
    assert context["identity"]["accessKey"] == root[0]

    iam = server.client("iam")
    name = f"caller-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = (key["AccessKeyId"], key["SecretAccessKey"])
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "execute-api:Invoke",
                "Resource": f"{EXECUTE_API}:{iam_api['id']}/prod/$connect",
            }
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))

    def connects() -> dict | None:
        try:
            return context_of("ws" + presigned_url(http_url, *user)[4:])
        except websockets.InvalidStatus:
            return None

    context = wait_for(connects)
    assert context["identity"]["userArn"] == f"arn:aws:iam::000000000000:user/{name}"
    # The same known key without the policy: IAM refuses it.
    iam.delete_user_policy(UserName=name, PolicyName="p")
    assert wait_for(lambda: connects() is None)
