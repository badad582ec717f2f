"""What every service's access tests share: a request context, the shape check of an Access,
and a gateway whose authorizer records what it is asked and refuses it all (so that no
operation runs: the services' Apis are built without backends)."""

from __future__ import annotations

import re
import warnings

from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from overcast.aws.authorizer import Access, ResourcePolicies
from overcast.aws.errors import UserError
from overcast.aws.gateway import Api, Gateway
from overcast.aws.request_context import RequestContext

REGION = "eu-west-1"
ACCOUNT = "123456789012"
CONTEXT = RequestContext("AKIDEXAMPLE", REGION, "", account_id=ACCOUNT)
SIGNED = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/eu-west-1/{}/aws4_request, Sig=x"
_ACTION = re.compile(r"[a-z0-9-]+:[A-Za-z0-9]+")


def check_shape(access: Access, prefix: str, arn_start: str) -> None:
    """Every need is `prefix:Action` on `*` or an ARN beginning `arn_start`."""
    assert isinstance(access, Access) and access.needs
    for need in access.needs:
        assert _ACTION.fullmatch(need.action), need
        if need.action.startswith("iam:") and prefix != "iam":  # PassRole, on the role named
            assert need.resource.startswith("arn:aws:iam::"), need
            continue
        assert need.action.startswith(f"{prefix}:"), need
        assert need.resource == "*" or need.resource.startswith(arn_start), need
    for key, value in access.conditions.items():
        assert ":" in key and isinstance(value, str | list), (key, value)


class Denied(UserError):
    status = 403
    code = "AccessDeniedException"


class Recording:
    """Records each Access it is asked about, and the policies offered with it; refuses."""

    def __init__(self) -> None:
        self.asked: list[Access] = []
        self.policies: list[ResourcePolicies | None] = []

    def authorize(
        self, context: RequestContext, access: Access, policies: ResourcePolicies | None = None
    ) -> None:
        self.asked.append(access)
        self.policies.append(policies)
        raise Denied("recorded")


def recording_client(apis: list[Api], default: Api | None = None) -> tuple[TestClient, Recording]:
    """A gateway over `apis` (Lambda's REST API the default, as the server has it)."""
    from overcast.services.lambda_.api.rest import lambda_api

    gateway = Gateway(apis, default or lambda_api(None), REGION, ACCOUNT)
    recording = Recording()
    gateway.authorizer = recording
    app = Starlette(
        routes=[
            Route("/{path:path}", gateway.handle, methods=["GET", "POST", "PUT", "DELETE", "HEAD"])
        ]
    )
    return TestClient(app, raise_server_exceptions=False), recording
