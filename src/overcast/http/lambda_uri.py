"""The Lambda function an API Gateway integration or authorizer URI names, as REST, HTTP and
WebSocket APIs all write it: a function ARN alone, or wrapped in Lambda's invoke path
(`arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`), and
stage variables standing in for parts of it (`function:${stageVariables.fn}`)."""

from __future__ import annotations

import re

_LAMBDA_URI = re.compile(
    r"^(?:arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/)?"
    r"(?P<arn>arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):\d{12}:function:[^/]+?)"
    r"(?:/invocations)?$"
)
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def with_stage_variables(text: str, variables: dict[str, str]) -> str:
    """`function:${stageVariables.fn}` with the stage's `fn` put in (empty when unset)."""
    if "${" not in text:
        return text
    return _STAGE_VARIABLE.sub(lambda found: variables.get(found[1], ""), text)


def function_of(uri: str) -> tuple[str, str] | None:
    """(function or alias ARN, its region) that a Lambda integration URI names, or None."""
    found = _LAMBDA_URI.match(uri)
    return (found["arn"], found["region"]) if found else None
