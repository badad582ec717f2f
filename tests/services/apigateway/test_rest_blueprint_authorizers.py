"""Lambda authorizers written the way AWS's own samples write them, behind a REST API:

- a TOKEN authorizer built on the `AuthPolicy` helper of the `api-gateway-authorizer-python`
  blueprint (its interface: `allowMethod(HttpVerb.GET, "/pets/*")`, `denyAllMethods()`,
  `build()`; one statement per effect whose Resource is a *list* of method ARNs with `*`
  wildcards), with the blueprint's context (`'number': 1, 'bool': True`);
- a REQUEST authorizer as the guide's example writes it (HeaderAuth1 header, QueryString1
  query parameter, StageVar1 stage variable; `generateAllow` with the request's methodArn,
  `raise Exception('Unauthorized')` otherwise).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import uuid

import pytest
from rest_support import APIGATEWAY, EXECUTE_API, RestApi, lambda_uri

from support import allow, deploy

APP = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
"""

# The blueprint's AuthPolicy, as its users call it; the handler decides by token.
TOKEN_AUTHORIZER = """
import re


class HttpVerb:
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    HEAD = "HEAD"
    DELETE = "DELETE"
    OPTIONS = "OPTIONS"
    ALL = "*"


class AuthPolicy(object):
    pathRegex = r"^[/.a-zA-Z0-9-\\*]+$"
    restApiId = "*"
    region = "*"
    stage = "*"

    def __init__(self, principal, awsAccountId):
        self.awsAccountId = awsAccountId
        self.principalId = principal
        self.version = "2012-10-17"
        self.allowMethods = []
        self.denyMethods = []

    def _addMethod(self, effect, verb, resource, conditions):
        if verb != "*" and not hasattr(HttpVerb, verb):
            raise NameError("Invalid HTTP verb " + verb)
        if not re.match(self.pathRegex, resource):
            raise NameError("Invalid resource path: " + resource)
        arn = "arn:aws:execute-api:{}:{}:{}/{}/{}/{}".format(
            self.region, self.awsAccountId, self.restApiId, self.stage, verb,
            resource[1:] if resource.startswith("/") else resource)
        methods = self.allowMethods if effect.lower() == "allow" else self.denyMethods
        methods.append({"resourceArn": arn, "conditions": conditions})

    def _statements(self, effect, methods):
        if not methods:
            return []
        plain = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": []}
        statements = []
        for method in methods:
            if method["conditions"]:
                statements.append({"Action": "execute-api:Invoke", "Effect": effect,
                                   "Resource": [method["resourceArn"]],
                                   "Condition": method["conditions"]})
            else:
                plain["Resource"].append(method["resourceArn"])
        return statements + [plain]

    def allowAllMethods(self):
        self._addMethod("Allow", HttpVerb.ALL, "*", [])

    def denyAllMethods(self):
        self._addMethod("Deny", HttpVerb.ALL, "*", [])

    def allowMethod(self, verb, resource):
        self._addMethod("Allow", verb, resource, [])

    def denyMethod(self, verb, resource):
        self._addMethod("Deny", verb, resource, [])

    def build(self):
        if not self.allowMethods and not self.denyMethods:
            raise NameError("No statements defined for the policy")
        statements = self._statements("Allow", self.allowMethods)
        statements += self._statements("Deny", self.denyMethods)
        return {"principalId": self.principalId,
                "policyDocument": {"Version": self.version, "Statement": statements}}


def lambda_handler(event, context):
    print("Method ARN: " + event["methodArn"])
    token = event["authorizationToken"]
    if token == "expired":
        raise Exception("Unauthorized")
    tmp = event["methodArn"].split(":")
    apiGatewayArnTmp = tmp[5].split("/")
    policy = AuthPolicy("user|" + token, tmp[4])
    policy.restApiId = apiGatewayArnTmp[0]
    policy.region = tmp[3]
    policy.stage = apiGatewayArnTmp[1]
    if token == "admin":
        policy.allowAllMethods()
    elif token == "reader":
        policy.allowMethod(HttpVerb.GET, "/pets")
        policy.allowMethod(HttpVerb.GET, "/pets/*")
    elif token == "keeper":  # everything but deleting pets
        policy.allowAllMethods()
        policy.denyMethod(HttpVerb.DELETE, "/pets/*")
    else:
        policy.denyAllMethods()
    authResponse = policy.build()
    authResponse["context"] = {"key": "value", "number": 1, "bool": True}
    return authResponse
"""

# As the guide's "Example REQUEST authorizer Lambda function" (Python) writes it.
REQUEST_AUTHORIZER = """
def lambda_handler(event, context):
    headers = event['headers']
    queryStringParameters = event['queryStringParameters']
    stageVariables = event['stageVariables']
    tmp = event['methodArn'].split(':')
    apiGatewayArnTmp = tmp[5].split('/')
    resource = '/'
    if apiGatewayArnTmp[3]:
        resource += apiGatewayArnTmp[3]
    if (headers['HeaderAuth1'] == "headerValue1"
            and queryStringParameters['QueryString1'] == "queryValue1"
            and stageVariables['StageVar1'] == "stageValue1"):
        return generateAllow('me', event['methodArn'])
    raise Exception('Unauthorized')


def generatePolicy(principalId, effect, resource):
    authResponse = {}
    authResponse['principalId'] = principalId
    if effect and resource:
        policyDocument = {}
        policyDocument['Version'] = '2012-10-17'
        policyDocument['Statement'] = []
        statementOne = {}
        statementOne['Action'] = 'execute-api:Invoke'
        statementOne['Effect'] = effect
        statementOne['Resource'] = resource
        policyDocument['Statement'].append(statementOne)
        authResponse['policyDocument'] = policyDocument
    authResponse['context'] = {"stringKey": "stringval", "numberKey": 123, "booleanKey": True}
    return authResponse


def generateAllow(principalId, resource):
    return generatePolicy(principalId, 'Allow', resource)
"""

UNAUTHORIZED = (401, {"message": "Unauthorized"})
EXPLICIT_DENY = (
    403, {"Message": "User is not authorized to access this resource with an explicit deny"},
)  # fmt: skip
NOT_ALLOWED = (403, {"Message": "User is not authorized to access this resource"})


def _function(server, source: str, handler: str = "app.handler") -> str:
    client = server.client("lambda")
    name = f"rest-blueprint-{uuid.uuid4().hex[:8]}"
    deploy(client, name, source, Handler=handler)
    allow(client, name, APIGATEWAY, f"{EXECUTE_API}:*")
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


@pytest.fixture(scope="module")
def api(server) -> RestApi:
    apigw = server.client("apigateway")
    backend = _function(server, APP)
    token = _function(server, TOKEN_AUTHORIZER, "app.lambda_handler")
    request = _function(server, REQUEST_AUTHORIZER, "app.lambda_handler")
    built = RestApi(apigw, "blueprints")
    token_id = apigw.create_authorizer(
        restApiId=built.id, name="blueprint", type="TOKEN", authorizerUri=lambda_uri(token),
        identitySource="method.request.header.Authorization",
    )["id"]  # fmt: skip
    request_id = apigw.create_authorizer(
        restApiId=built.id, name="docs", type="REQUEST", authorizerUri=lambda_uri(request),
        identitySource="method.request.header.HeaderAuth1, "
        "method.request.querystring.QueryString1, stageVariables.StageVar1",
    )["id"]  # fmt: skip
    for path in ("/pets", "/pets/{id}"):
        built.proxy(path, "ANY", backend, authorization="CUSTOM", authorizerId=token_id)
    built.proxy("/request", "GET", backend, authorization="CUSTOM", authorizerId=request_id)
    built.deploy("prod", variables={"StageVar1": "stageValue1"})
    return built


def call(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict]:
    """A request whose header names are sent exactly as given (urllib would capitalize
    them), as the guide's REQUEST authorizer reads them: `headers['HeaderAuth1']`."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_blueprint_policies_allow_and_deny_per_method_arn(server, api) -> None:
    base = api.url(server.endpoint)

    def as_(token: str, method: str, path: str) -> tuple[int, dict]:
        return call(f"{base}{path}", method, {"Authorization": token})

    status, context = as_("admin", "DELETE", "/pets/1")
    assert status == 200
    # The blueprint's context, as the integration sees it: strings, booleans as `true`.
    assert context["principalId"] == "user|admin"
    assert (context["key"], context["number"], context["bool"]) == ("value", "1", "true")
    assert as_("reader", "GET", "/pets")[0] == 200
    assert as_("reader", "GET", "/pets/7")[0] == 200
    # The cached policy (TTL 300 s) is applied to other methods as it is: no statement
    # allows DELETE, which is an implicit deny.
    assert as_("reader", "DELETE", "/pets/7") == NOT_ALLOWED
    assert as_("keeper", "POST", "/pets")[0] == 200
    assert as_("keeper", "DELETE", "/pets/7") == EXPLICIT_DENY  # Deny beats `*/*` Allow
    assert as_("keeper", "GET", "/pets/7")[0] == 200
    assert as_("stranger", "GET", "/pets") == EXPLICIT_DENY  # denyAllMethods
    assert as_("expired", "GET", "/pets") == UNAUTHORIZED
    assert call(f"{base}/pets") == UNAUTHORIZED  # no token: the function is not asked


def test_docs_request_authorizer(server, api) -> None:
    url = f"{api.url(server.endpoint)}/request"
    good = {"HeaderAuth1": "headerValue1"}
    status, context = call(f"{url}?QueryString1=queryValue1", headers=good)
    assert status == 200
    assert context["principalId"] == "me"
    assert (context["stringKey"], context["numberKey"], context["booleanKey"]) == (
        "stringval", "123", "true",
    )  # fmt: skip
    wrong = {"HeaderAuth1": "other"}
    assert call(f"{url}?QueryString1=queryValue1", headers=wrong) == UNAUTHORIZED
    # A missing identity source (caching is on): 401 without calling the function.
    assert call(url, headers=good) == UNAUTHORIZED
