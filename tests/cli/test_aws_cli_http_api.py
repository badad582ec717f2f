"""The AWS CLI, unchanged, quick-creating an HTTP API; then the API called with curl."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from support import deploy

from .aws_cli import aws, needs_aws_cli

pytestmark = [
    needs_aws_cli,
    pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed"),
]


def test_quick_create_with_the_cli_then_curl(server, lambda_client, function_name) -> None:
    source = "def handler(event, context):\n    return {'path': event['rawPath']}\n"
    deploy(lambda_client, function_name, source)
    arn = lambda_client.get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    created = aws(
        server, "apigatewayv2", "create-api", "--name", "x", "--protocol-type", "HTTP",
        "--target", arn,
    )  # fmt: skip
    assert created["ProtocolType"] == "HTTP" and created["ApiEndpoint"]
    routes = aws(server, "apigatewayv2", "get-routes", "--api-id", created["ApiId"])
    assert [r["RouteKey"] for r in routes["Items"]] == ["$default"]
    # As AWS's tutorials do: API Gateway may invoke the function for this API's routes.
    source = f"arn:aws:execute-api:us-east-1:000000000000:{created['ApiId']}/*"
    aws(
        server, "lambda", "add-permission", "--function-name", function_name,
        "--statement-id", "api", "--action", "lambda:InvokeFunction",
        "--principal", "apigateway.amazonaws.com", "--source-arn", source,
    )  # fmt: skip

    completed = subprocess.run(
        ["curl", "-s", "-w", "\\n%{http_code}", created["ApiEndpoint"] + "/hello/cli"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    body, status = completed.stdout.rsplit("\n", 1)
    assert status == "200" and json.loads(body) == {"path": "/hello/cli"}
    aws(server, "apigatewayv2", "delete-api", "--api-id", created["ApiId"])
