"""AWS integrations to services other than Lambda, for REST and WebSocket APIs alike (REST
API Developer Guide, "AWS integrations"; the SQS SendMessage, SNS Publish, DynamoDB PutItem
and EventBridge PutEvents patterns): the integration URI names the service and the action,
`arn:aws:apigateway:REGION:SERVICE:action/ACTION` (or, for SQS, `path/ACCOUNT/QUEUE` with
`Action=...` in the form body), and the integration request (its template's output) is the
action's input: a JSON object, or form fields as the query protocol writes them.

The action runs in-process through the service's own pipeline (aws/in_process.py: access,
IAM authorization, validation, the operation) as the integration's `credentials` role, so
the role's policies must allow it, as on AWS; an integration without a role is API
Gateway's configuration error (500). The service's answer is the backend's: its output as
JSON with status 200 (query-protocol services' output wrapped as their JSON responses are,
`{"SendMessageResponse": {"SendMessageResult": ..., "ResponseMetadata": ...}}`), an error as
its status and `{"__type", "message"}`, for the integration responses to select and map.
A URI or role that names nothing usable is a BadConfiguration (errors.py).
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import unquote

from overcast.aws.credentials import Identity
from overcast.aws.errors import ServiceError
from overcast.aws.in_process import InProcessApi, run_in_thread
from overcast.aws.protocols.query import form_fields, parse_input
from overcast.aws.request_id import new_request_id
from overcast.aws.service_apis import ServiceApis
from overcast.http.integration.errors import BadConfiguration
from overcast.http.integration.mapping import BackendAnswer

log = logging.getLogger(__name__)
_URI = re.compile(
    r"^arn:aws[a-z-]*:apigateway:(?P<region>[a-z0-9-]+):(?P<service>[A-Za-z0-9.-]+):"
    r"(?P<kind>action|path)/(?P<rest>.+)$"
)
_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[^/]+)$")
SESSION = "ApiGateway"


class ServiceActions:
    def __init__(self, apis: ServiceApis, in_process) -> None:
        self._apis = apis
        self._in_process = in_process  # Api -> InProcessApi (Kernels.in_process)
        self._callers: dict[str, InProcessApi] = {}

    async def call(
        self, uri: str, credentials: str | None, body: bytes, where: str
    ) -> BackendAnswer:
        """The action `uri` names (stage variables already put in), called with `body` as its
        input as the `credentials` role; `where` names the API in the logs."""
        found = _URI.match(uri)
        role = _ROLE.match(credentials or "")
        if found is None or role is None:
            log.warning(
                "%s: an AWS integration needs a service action URI and a role "
                "(credentials): %r, %r",
                where, uri, credentials,
            )  # fmt: skip
            raise BadConfiguration("an AWS integration needs a service action URI and a role")
        service = found["service"].rsplit(".", 1)[-1]
        caller = self._caller(service)
        if caller is None:
            log.warning("%s: no service %r here", where, service)
            raise BadConfiguration(f"no service {service!r} here")
        identity = Identity(
            f"arn:aws:sts::{role['account']}:assumed-role/{role['name']}/{SESSION}",
            role["account"],
            f"AROA{role['name'].upper()[:16]}:{SESSION}",
            role_arn=role.group(0),
        )
        try:
            operation, params = _operation(caller, found["kind"], found["rest"], body)
            output = await run_in_thread(caller.call, operation, params, identity, found["region"])
        except ServiceError as exc:
            body = json.dumps({"__type": exc.code, "message": exc.message}).encode()
            return BackendAnswer(str(exc.status), body, {"content-type": "application/json"})
        if caller.api.model.protocol == "query" or service in ("sqs", "sns"):
            output = {
                f"{operation}Response": {
                    f"{operation}Result": output,
                    "ResponseMetadata": {"RequestId": new_request_id()},
                }
            }
        body = json.dumps(output, default=str).encode()
        return BackendAnswer("200", body, {"content-type": "application/json"})

    def _caller(self, service: str) -> InProcessApi | None:
        caller = self._callers.get(service)
        if caller is None:
            api = self._apis.get(service)
            if api is None:
                return None
            caller = self._callers[service] = self._in_process(api)
        return caller


def _operation(caller: InProcessApi, kind: str, rest: str, body: bytes) -> tuple[str, dict]:
    """The operation and its input, from the URI and the integration request's body."""
    try:
        document = json.loads(body) if body.strip().startswith(b"{") else None
    except ValueError:
        document = None
    if kind == "action":
        action, _, query = rest.partition("&")
        if isinstance(document, dict):
            return action, document
        fields = form_fields(body, query)
    else:
        fields = form_fields(body)
        action = fields.get("Action", "")
        if caller.api.model.endpoint_prefix == "sqs" and "QueueUrl" not in fields:
            fields["QueueUrl"] = f"{caller.base_url.rstrip('/')}/{unquote(rest)}"
    for name in ("Action", "Version"):
        fields.pop(name, None)
    if action not in caller.api.model.operation_names:
        log.warning("an AWS integration names no action of its service: %r", action)
        raise BadConfiguration(f"no action {action!r} in its service")
    return action, parse_input(caller.api.model.operation_model(action), fields)
