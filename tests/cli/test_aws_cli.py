"""The AWS CLI, unchanged, pointed at Overcast with --endpoint-url."""

from __future__ import annotations

import json
from pathlib import Path

from support import RunningServer, make_zip

from .aws_cli import aws, needs_aws_cli

pytestmark = needs_aws_cli


def test_aws_cli_lifecycle(server: RunningServer, tmp_path: Path, function_name: str) -> None:
    source = "def handler(event, context):\n    return {'got': event}\n"
    (tmp_path / "fn.zip").write_bytes(make_zip({"app.py": source}))
    created = aws(
        server,
        "lambda",
        "create-function",
        "--function-name",
        function_name,
        "--runtime",
        "python3.12",
        "--role",
        "arn:aws:iam::000000000000:role/lambda",
        "--handler",
        "app.handler",
        "--zip-file",
        "fileb://fn.zip",
        cwd=tmp_path,
    )
    assert created["FunctionName"] == function_name
    aws(server, "lambda", "wait", "function-active-v2", "--function-name", function_name)

    result = aws(
        server,
        "lambda",
        "invoke",
        "--function-name",
        function_name,
        "--payload",
        '{"hello": "cli"}',
        "out.json",
        cwd=tmp_path,
    )
    assert result["StatusCode"] == 200
    assert json.loads((tmp_path / "out.json").read_text()) == {"got": {"hello": "cli"}}

    names = [f["FunctionName"] for f in aws(server, "lambda", "list-functions")["Functions"]]
    assert function_name in names
    version = aws(server, "lambda", "publish-version", "--function-name", function_name)
    assert version["Version"] == "1"
    alias = aws(
        server,
        "lambda",
        "create-alias",
        "--function-name",
        function_name,
        "--name",
        "live",
        "--function-version",
        "1",
    )
    assert alias["AliasArn"].endswith(f":function:{function_name}:live")
    aws(server, "lambda", "delete-function", "--function-name", function_name)
    names = [f["FunctionName"] for f in aws(server, "lambda", "list-functions")["Functions"]]
    assert function_name not in names
