"""Who may call a function URL whose auth type is AWS_IAM ("Control access to Lambda function
URLs", Lambda Developer Guide): the request is signed with SigV4 for the service `lambda`
(Authorization header or presigned query), and the signer is allowed, by their identity
policies or the function's resource policy, both `lambda:InvokeFunctionUrl` and (for URLs
made since October 2025, as every Overcast URL is) `lambda:InvokeFunction` on the function
(the alias's ARN for an alias's URL). The request sets `lambda:FunctionUrlAuthType` =
AWS_IAM and `lambda:InvokedViaFunctionUrl` = true, the keys AddPermission's
`FunctionUrlAuthType` and `InvokedViaFunctionUrl` write conditions on.

How the URL front end answers a refusal: an unsigned request, and one whose signer is not
allowed, 403 `{"Message":"Forbidden"}`; a signature that does not hold, 403 with the
signature check's sentence (`{"message":"The request signature we calculated does not
match ..."}`, as reported by callers of real URLs).

AuthType NONE URLs are not checked here: see function_urls.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

from overcast.aws.authentication import Authenticator, auth_error
from overcast.aws.authorizer import Access, Authorizer, Need, ResourcePolicies
from overcast.aws.errors import AccessDeniedException
from overcast.aws.request_context import RequestContext
from overcast.aws.signed_request import INCOMPLETE, AuthFailure, SignedRequest
from overcast.aws.sigv4 import scope_of
from overcast.http.payload_v2 import HttpRequest, HttpResponse
from overcast.services.lambda_.access import named_arn
from overcast.services.lambda_.model.url import UrlRoute

SERVICE = "lambda"
JSON_TYPE = ("content-type", "application/json")
FORBIDDEN = HttpResponse(403, [JSON_TYPE], json.dumps({"Message": "Forbidden"}).encode())


@lru_cache(maxsize=4096)
def url_access(region: str, account_id: str, function_name: str, qualifier: str | None) -> Access:
    """What calling a URL needs (cached: a warm URL asks with the same few names)."""
    function = named_arn(region, account_id, function_name, qualifier)
    needs = (Need("lambda:InvokeFunctionUrl", function), Need("lambda:InvokeFunction", function))
    conditions = {"lambda:FunctionUrlAuthType": "AWS_IAM", "lambda:InvokedViaFunctionUrl": "true"}
    return Access(needs, conditions)


@dataclass(frozen=True)
class UrlAuth:
    """The AWS_IAM check of function URLs. With `--auth off` (the authenticator verifies
    nothing) a request only has to carry a signature, as before verification existed."""

    authenticator: Authenticator
    authorizer: Authorizer
    policies: ResourcePolicies | None
    account_id: str

    def refusal(self, route: UrlRoute, path: str, request: HttpRequest) -> HttpResponse | None:
        """The front end's answer if the request may not call the URL, else None."""
        headers = request.header_map
        if not self.authenticator.enabled:
            signed = "authorization" in headers or "X-Amz-Signature=" in request.raw_query
            return None if signed else FORBIDDEN
        signed_request = SignedRequest(
            request.method, path, request.raw_query, headers, request.body
        )
        try:
            verified = self.authenticator.authenticate(signed_request, SERVICE, anonymous=True)
            if verified is not None:
                _check_service(headers, request.raw_query)
        except AuthFailure as failure:
            return _signature_refusal(failure)
        if verified is None:
            return FORBIDDEN
        context = RequestContext(
            verified.key.access_key_id,
            route.region,
            SERVICE,
            account_id=self.account_id,
            identity=verified.identity,
            source_ip=request.source_ip,
        )
        access = url_access(route.region, self.account_id, route.function_name, route.qualifier)
        try:
            self.authorizer.authorize(context, access, self.policies)
        except AccessDeniedException:
            return FORBIDDEN
        return None


def _check_service(headers: dict[str, str], raw_query: str) -> None:
    """A URL takes signatures scoped to `lambda` only (SigV4's credential scope names the
    service; AWS: "Credential should be scoped to correct service")."""
    query = None if "authorization" in headers else dict(parse_qsl(raw_query))
    if scope_of(headers, "", query).service != SERVICE:
        raise AuthFailure(
            INCOMPLETE, f"Credential should be scoped to correct service: '{SERVICE}'. "
        )


def _signature_refusal(failure: AuthFailure) -> HttpResponse:
    error = auth_error(failure, "rest-json")
    body = json.dumps({"message": error.message}).encode()
    return HttpResponse(403, [JSON_TYPE, ("x-amzn-errortype", error.code)], body)
