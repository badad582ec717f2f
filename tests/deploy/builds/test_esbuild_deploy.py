"""End to end: `overcast deploy template.yaml` of a SAM TypeScript function with `BuildMethod:
esbuild`, bundled here (the SDK left to the runtime), deployed, and invoked with boto3; the
function calls DynamoDB through @aws-sdk/client-dynamodb, which the runtime provides."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from overcast.runtimes.node_sdk import NodeSdk

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="Node.js and npm are not installed",
)

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Tables:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: NAME
      CodeUri: src/
      Handler: handlers/tables.handler
      Runtime: nodejs20.x
      Timeout: 30
      Policies:
        - Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Action: dynamodb:ListTables, Resource: "*"}
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Minify: false
        Target: es2022
        EntryPoints: [handlers/tables.ts]
"""
HANDLER = """\
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { describe } from "../lib/describe";

const client = new DynamoDBClient({});

export const handler = async (event: { prefix: string }) => {
  const listed = await client.send(new ListTablesCommand({}));
  return describe(event.prefix, listed.TableNames ?? []);
};
"""
LIB = """\
export interface Summary { prefix: string; tables: number; typed: boolean }
export const describe = (prefix: string, names: string[]): Summary =>
  ({ prefix, tables: names.filter((name) => name.startsWith(prefix)).length, typed: true });
"""


@pytest.fixture(scope="module")
def node_sdk() -> NodeSdk:
    """The pinned SDK in the shared cache; installed here only if .ci/run has not done it."""
    sdk = NodeSdk.default()
    sdk.install()
    return sdk


def test_a_typescript_function_bundled_deployed_and_invoked(server, tmp_path: Path, node_sdk):
    name = f"ts-{uuid.uuid4().hex[:10]}"
    (tmp_path / "src" / "handlers").mkdir(parents=True)
    (tmp_path / "src" / "lib").mkdir()
    (tmp_path / "src" / "handlers" / "tables.ts").write_text(HANDLER)
    (tmp_path / "src" / "lib" / "describe.ts").write_text(LIB)
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("NAME", name))
    dynamodb = server.client("dynamodb")
    dynamodb.create_table(
        TableName=f"{name}-notes",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    env = {
        **os.environ,
        "OVERCAST_ENDPOINT": server.endpoint,
        "OVERCAST_DATA_DIR": str(server.data_dir),
    }
    deployed = subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", "deploy", str(tmp_path), "--stack-name", name],
        capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "building Tables (src/)" in deployed.stderr

    code = server.client("lambda").get_function(FunctionName=name)
    # esbuild writes a lone entry point at the package's root: `sam build` points the handler
    # there, and so does Overcast.
    assert code["Configuration"]["Handler"] == "tables.handler"
    answer = server.client("lambda").invoke(
        FunctionName=name, Payload=json.dumps({"prefix": name}).encode()
    )
    body = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, body
    assert body == {"prefix": name, "tables": 1, "typed": True}
