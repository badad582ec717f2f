"""HTTP APIs' authorizers end to end: Lambda REQUEST authorizers (payload 1.0 and 2.0,
simple and IAM-policy answers, caching by identity source) and JWT authorizers against an
issuer served here, configured with boto3 and called with urllib."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from support import allow, deploy, http_call

APIGATEWAY = "apigateway.amazonaws.com"
EXECUTE_API = "arn:aws:execute-api:us-east-1:000000000000"

# A simple-response authorizer (format 2.0) and an IAM-policy one (format 1.0): each says
# what it was sent, with a fresh `draw` so a cached answer shows itself.
SIMPLE = """
import uuid

def handler(event, context):
    token = event["headers"].get("authorization")
    return {
        "isAuthorized": token != "deny",
        "context": {
            "draw": uuid.uuid4().hex,
            "version": event["version"],
            "routeArn": event["routeArn"],
            "identitySource": ",".join(event["identitySource"]),
        },
    }
"""
POLICY = """
def handler(event, context):
    token = event["authorizationToken"]
    if token == "broken":
        raise RuntimeError("bug")
    return {
        "principalId": "user-" + token,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "execute-api:Invoke",
                "Effect": "Deny" if token == "deny" else "Allow",
                "Resource": event["methodArn"],
            }],
        },
        "context": {"methodArn": event["methodArn"], "type": event["type"]},
    }
"""
BACKEND = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
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


def invocation_uri(arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


@pytest.fixture(scope="module")
def backend(server) -> str:
    return function(server, BACKEND, "backend")


def guarded_api(gateway, backend: str, version: str, **authorizer) -> tuple[str, str, str]:
    """An API whose `GET /items/{id}` needs the authorizer; (api id, route id, stage URL)."""
    api = gateway.create_api(Name="guarded", ProtocolType="HTTP")
    api_id = api["ApiId"]
    made = gateway.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=backend,
        PayloadFormatVersion=version,
    )
    created = gateway.create_authorizer(ApiId=api_id, Name="guard", **authorizer)
    kind = "JWT" if authorizer["AuthorizerType"] == "JWT" else "CUSTOM"
    route = gateway.create_route(
        ApiId=api_id,
        RouteKey="GET /items/{id}",
        Target="integrations/" + made["IntegrationId"],
        AuthorizationType=kind,
        AuthorizerId=created["AuthorizerId"],
        AuthorizationScopes=["items/read"] if kind == "JWT" else [],
    )
    gateway.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    return api_id, route["RouteId"], api["ApiEndpoint"] + "/prod"


def call(url: str, **headers) -> tuple[int, dict | None, dict]:
    status, head, body = http_call(url, headers=headers)
    return status, json.loads(body) if body else None, dict(head)


def test_simple_responses_with_caching(server, gateway, backend) -> None:
    api_id, _, url = guarded_api(
        gateway,
        backend,
        "2.0",
        AuthorizerType="REQUEST",
        AuthorizerUri=invocation_uri(function(server, SIMPLE, "simple")),
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
        IdentitySource=["$request.header.Authorization"],
        AuthorizerResultTtlInSeconds=300,
    )
    # No identity source: 401 without asking the function.
    status, body, _ = call(url + "/items/1")
    assert (status, body) == (401, {"message": "Unauthorized"})
    status, first, _ = call(url + "/items/1", Authorization="alice")
    assert status == 200
    lam = first["lambda"]
    assert lam["version"] == "2.0" and lam["identitySource"] == "alice"
    assert lam["routeArn"] == f"{EXECUTE_API}:{api_id}/prod/GET/items/1"
    # The same identity within the TTL: the kept answer, not a new call.
    assert call(url + "/items/2", Authorization="alice")[1] == first
    other = call(url + "/items/1", Authorization="bob")[1]
    assert other["lambda"]["draw"] != lam["draw"]
    status, body, _ = call(url + "/items/1", Authorization="deny")
    assert (status, body) == (403, {"message": "Forbidden"})


def test_policy_answers_in_format_1(server, gateway, backend) -> None:
    api_id, _, url = guarded_api(
        gateway,
        backend,
        "1.0",
        AuthorizerType="REQUEST",
        AuthorizerUri=invocation_uri(function(server, POLICY, "policy")),
        AuthorizerPayloadFormatVersion="1.0",
        IdentitySource=["$request.querystring.token"],
    )
    status, granted, _ = call(url + "/items/7?token=carol")
    assert status == 200
    assert granted["principalId"] == "user-carol"
    assert granted["methodArn"] == f"{EXECUTE_API}:{api_id}/prod/GET/items/7"
    assert granted["type"] == "REQUEST"
    assert call(url + "/items/7?token=deny")[0] == 403
    status, body, _ = call(url + "/items/7?token=broken")
    assert (status, body) == (500, {"message": "Internal Server Error"})
    assert call(url + "/items/7?token=")[0] == 401


def test_authorizer_operations(server, gateway, backend) -> None:
    arn = function(server, SIMPLE, "ops")
    api_id, route_id, _ = guarded_api(
        gateway,
        backend,
        "2.0",
        AuthorizerType="REQUEST",
        AuthorizerUri=invocation_uri(arn),
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
        IdentitySource=["$request.header.Authorization"],
    )
    [found] = gateway.get_authorizers(ApiId=api_id)["Items"]
    assert found["AuthorizerPayloadFormatVersion"] == "2.0" and found["EnableSimpleResponses"]
    updated = gateway.update_authorizer(
        ApiId=api_id, AuthorizerId=found["AuthorizerId"], IdentitySource=["$context.stage"]
    )
    assert updated["IdentitySource"] == ["$context.stage"]
    with pytest.raises(ClientError) as caught:  # a route still uses it
        gateway.delete_authorizer(ApiId=api_id, AuthorizerId=found["AuthorizerId"])
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    gateway.update_route(ApiId=api_id, RouteId=route_id, AuthorizationType="NONE")
    gateway.delete_authorizer(ApiId=api_id, AuthorizerId=found["AuthorizerId"])
    for bad in (
        {"AuthorizerType": "REQUEST", "AuthorizerUri": invocation_uri(arn)},  # no version
        {
            "AuthorizerType": "REQUEST",
            "AuthorizerUri": invocation_uri(arn),
            "AuthorizerPayloadFormatVersion": "1.0",
            "EnableSimpleResponses": True,
        },
        {"AuthorizerType": "JWT"},  # no issuer
        {"AuthorizerType": "TOKEN"},
    ):
        with pytest.raises(ClientError) as caught:
            gateway.create_authorizer(
                ApiId=api_id, Name="bad", IdentitySource=["$request.header.A"], **bad
            )
        assert caught.value.response["Error"]["Code"] == "BadRequestException"


# --- JWT ---------------------------------------------------------------------------------


class Issuer:
    """An OpenID issuer on a local port: its configuration, its key set (an RSA and an EC
    key), and tokens it signs."""

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/.well-known/openid-configuration":
                    doc = {"issuer": issuer.url, "jwks_uri": issuer.url + "/keys"}
                elif self.path == "/keys":
                    issuer.fetches += 1
                    doc = {"keys": issuer.jwks()}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jwks(self) -> list[dict]:
        keys = []
        for kid, key, alg in (("r1", self.rsa, "RS256"), ("e1", self.ec, "ES256")):
            algorithm = (
                jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
            )
            jwk = json.loads(algorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})
        return keys

    def token(self, kid: str = "r1", **claims) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": "app", "exp": now + 600, "iat": now, "sub": "u1"}
        body.update(claims)
        body = {name: value for name, value in body.items() if value is not None}
        key, alg = (self.rsa, "RS256") if kid == "r1" else (self.ec, "ES256")
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture(scope="module")
def issuer():
    found = Issuer()
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_jwt_authorizer(gateway, backend, issuer) -> None:
    _, _, url = guarded_api(
        gateway,
        backend,
        "2.0",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer.url, "Audience": ["app"]},
    )
    good = issuer.token(scope="items/read openid", groups=["a", "b"])
    status, granted, _ = call(url + "/items/1", Authorization="Bearer " + good)
    assert status == 200
    claims = granted["jwt"]["claims"]
    assert claims["sub"] == "u1" and claims["groups"] == "[a b]"
    assert granted["jwt"]["scopes"] == ["items/read", "openid"]
    # ES256, a client_id instead of aud, and a token without the Bearer prefix
    es = issuer.token("e1", aud=None, client_id="app", scope="items/read")
    assert call(url + "/items/1", Authorization=es)[0] == 200
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for refused in (
        None,
        "garbage",
        forged,
        issuer.token(exp=int(time.time()) - 10, scope="items/read"),
        issuer.token(aud="other", scope="items/read"),
        issuer.token(iss="https://elsewhere.example", scope="items/read"),
        jwt.encode({"iss": issuer.url, "aud": "app", "exp": 2**40}, "s" * 32, "HS256"),
    ):
        headers = {} if refused is None else {"Authorization": "Bearer " + refused}
        status, body, head = call(url + "/items/1", **headers)
        assert (status, body) == (401, {"message": "Unauthorized"}), refused
    status, body, head = call(url + "/items/1", Authorization=issuer.token(scope="other"))
    assert (status, body) == (403, {"message": "Forbidden"})
    assert "insufficient_scope" in head.get("www-authenticate", "")
    assert issuer.fetches == 1  # the key set is kept
