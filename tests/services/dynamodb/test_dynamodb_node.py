"""The AWS SDK for JavaScript v3, unchanged, against DynamoDB on the server: the document client
(`@aws-sdk/lib-dynamodb` over `@aws-sdk/client-dynamodb`) doing Put / Get / Query / Update /
Delete / Scan, imported unbundled in an ESM Node.js function (the runtime's SDK, the function's
role), and the same module run by Node on the host with the root key.

The SDK comes from the shared cache (`overcast node-sdk install`, as .ci/run does it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from overcast.runtimes.node_sdk import NodeSdk
from support import deploy

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="Node.js and npm are not installed",
)

# The CRUD an HTTP API's functions do (the reference application), as one module.
CRUD = """
import { DynamoDBClient, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, QueryCommand, UpdateCommand,
  DeleteCommand, ScanCommand,
} from "@aws-sdk/lib-dynamodb";

const client = new DynamoDBClient({});
const marshallOptions = { removeUndefinedValues: true };
const doc = DynamoDBDocumentClient.from(client, { marshallOptions });

export async function crud(TableName) {
  const seen = {};
  for (const [sk, price] of [[1, 9.5], [2, 20], [3, 31.25]]) {
    await doc.send(new PutCommand({
      TableName, Item: { pk: "cart", sk, price, tags: new Set(["a", "b"]), meta: { n: [1, "x"] },
                         gone: undefined },
    }));
  }
  try {
    await doc.send(new PutCommand({
      TableName, Item: { pk: "cart", sk: 1 }, ConditionExpression: "attribute_not_exists(pk)",
    }));
  } catch (error) {
    seen.conditional = error.name;
  }
  seen.get = (await doc.send(new GetCommand({ TableName, Key: { pk: "cart", sk: 1 } }))).Item;
  seen.get.tags = [...seen.get.tags].sort();
  const query = await doc.send(new QueryCommand({
    TableName, KeyConditionExpression: "pk = :pk AND sk > :from",
    FilterExpression: "price < :max",
    ExpressionAttributeValues: { ":pk": "cart", ":from": 1, ":max": 30 },
    ScanIndexForward: false,
  }));
  seen.query = query.Items.map((item) => [item.sk, item.price]);
  const updated = await doc.send(new UpdateCommand({
    TableName, Key: { pk: "cart", sk: 2 },
    UpdateExpression:
      "SET price = price + :inc, #n = list_append(if_not_exists(#n, :empty), :more)",
    ExpressionAttributeNames: { "#n": "notes" },
    ExpressionAttributeValues: { ":inc": 0.5, ":empty": [], ":more": ["hi"] },
    ReturnValues: "ALL_NEW",
  }));
  seen.update = [updated.Attributes.price, updated.Attributes.notes];
  const deleted = await doc.send(new DeleteCommand({
    TableName, Key: { pk: "cart", sk: 3 }, ReturnValues: "ALL_OLD",
  }));
  seen.delete = deleted.Attributes.price;
  const scan = await doc.send(new ScanCommand({ TableName, ConsistentRead: true }));
  seen.scan = scan.Items.map((item) => item.sk).sort();
  const table = await client.send(new DescribeTableCommand({ TableName }));
  seen.count = table.Table.ItemCount;
  return seen;
}
"""

HANDLER = """
import { crud } from "./crud.mjs";
export const handler = async (event) => crud(event.table);
"""

SCRIPT = """
import { crud } from "./crud.mjs";
console.log(JSON.stringify(await crud(process.argv[2])));
"""

EXPECTED = {
    "conditional": "ConditionalCheckFailedException",
    "get": {"pk": "cart", "sk": 1, "price": 9.5, "tags": ["a", "b"], "meta": {"n": [1, "x"]}},
    "query": [[2, 20]],
    "update": [20.5, ["hi"]],
    "delete": 31.25,
    "scan": [1, 2],
    "count": 2,
}


@pytest.fixture(scope="module")
def node_sdk() -> NodeSdk:
    """The pinned SDK in the shared cache; installed here only if .ci/run has not done it."""
    sdk = NodeSdk.default()
    sdk.install()
    return sdk


def test_the_document_client_in_an_esm_function(lambda_client, function_name, make_table, node_sdk):
    table = make_table("N")
    deploy(
        lambda_client,
        function_name,
        "",
        Runtime="nodejs20.x",
        Handler="index.handler",
        Timeout=30,
        ZipFiles={"index.mjs": HANDLER, "crud.mjs": CRUD},
    )
    response = lambda_client.invoke(
        FunctionName=function_name, Payload=json.dumps({"table": table}).encode()
    )
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    assert body == EXPECTED


def test_the_document_client_from_a_node_script(server, make_table, node_sdk, tmp_path):
    table = make_table("N")
    (tmp_path / "crud.mjs").write_text(CRUD)
    (tmp_path / "main.mjs").write_text(SCRIPT)
    # ESM resolves packages from the script's folder up, never NODE_PATH: link the SDK there.
    (tmp_path / "node_modules").symlink_to(node_sdk.node_modules)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_ENDPOINT_URL": server.endpoint,
        "AWS_REGION": "us-east-1",
        **server.aws_env,
    }
    ran = subprocess.run(
        ["node", "main.mjs", table], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == EXPECTED
