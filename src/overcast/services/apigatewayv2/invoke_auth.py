"""IAM authorization of API Gateway's endpoints: a route with AuthorizationType AWS_IAM (an
HTTP API's route, a WebSocket API's `$connect`).

As API Gateway does it ("Control access to an API with IAM permissions"): the request's
SigV4 signature, in the Authorization header or in the query string (the presigned form,
as clients sign a WebSocket URL), is verified with the server's keys in the scope of the
signing name `execute-api`; then IAM must allow the signer `execute-api:Invoke` on the
route's ARN (`arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH`, or
`.../STAGE/$connect`). Any failure is a 403 with the reason in its message. With `--auth
off` nothing is verified and every caller is let in, as for every AWS API here.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.aws.authentication import auth_error
from overcast.aws.authorizer import Access
from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.aws.request_auth import RequestAuth
from overcast.aws.request_context import RequestContext
from overcast.aws.signed_request import AuthFailure, SignedRequest, query_pairs
from overcast.aws.sigv4 import scope_of
from overcast.services.apigatewayv2.errors import InvokeRefused

SIGNING_NAME = "execute-api"
INVOKE = "execute-api:Invoke"


@dataclass(frozen=True)
class Caller:
    """An IAM-authorized caller: who signed, with which access key."""

    identity: Identity
    access_key: str

    def members(self) -> dict:
        """What it adds to the event's `requestContext.identity`."""
        return {
            "accessKey": self.access_key,
            "accountId": self.identity.account_id,
            "caller": self.identity.user_id,
            "user": self.identity.user_id,
            "userArn": self.identity.arn,
        }


class InvokeAuth:
    """Checks AWS_IAM routes' callers against the server's keys and IAM's policies."""

    def __init__(
        self, request_auth: RequestAuth | None, account_id: str, default_region: str
    ) -> None:
        self._auth = request_auth
        self._account_id = account_id
        self._default_region = default_region

    def caller(self, signed: SignedRequest, arn: str, source_ip: str | None) -> Caller | None:
        """Who signed `signed` if IAM lets them invoke `arn`; None with verification off.
        `signed.headers` are by lower-case name. Raises InvokeRefused (403)."""
        auth = self._auth
        if auth is None or not auth.verifying or auth.authenticator is None:
            return None
        scope = scope_of(signed.headers, self._default_region, dict(query_pairs(signed.query)))
        if scope.service and scope.service != SIGNING_NAME:
            # SigV4's answer to a credential scoped to another service
            raise InvokeRefused(
                403, f"Credential should be scoped to correct service: '{SIGNING_NAME}'. "
            )
        try:
            verified = auth.authenticator.authenticate(signed, SIGNING_NAME)
        except AuthFailure as failure:
            raise InvokeRefused(403, auth_error(failure, "rest-json").message) from None
        assert verified is not None  # authenticate raises for an unsigned request
        context = RequestContext(
            access_key=scope.access_key,
            region=scope.region,
            service=SIGNING_NAME,
            account_id=self._account_id,
            identity=verified.identity,
            source_ip=source_ip,
        )
        try:
            auth.authorizer.authorize(context, Access.of(INVOKE, arn))
        except ServiceError as exc:
            raise InvokeRefused(403, exc.message) from None
        return Caller(verified.identity, scope.access_key)
