"""The AWS SDK for JavaScript v3's Kinesis client, unchanged and with its default request
handler, from a Node script against the server: that handler is NodeHttp2Handler, which
speaks HTTP/2 with prior knowledge to an http:// endpoint, and signs `:authority` instead of
`host` (http/http2.py, aws/signature.py).

The SDK comes from the shared cache (`overcast node-sdk install`, as .ci/run does it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest

from overcast.runtimes.node_sdk import NodeSdk

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="Node.js and npm are not installed",
)

# PutRecord, PutRecords and GetRecords; the records together (~1 MB once base64-encoded in
# JSON) are far past the 64 KB window a Node client opens per stream, and the client closes
# its session (GOAWAY) as soon as the response's headers arrive.
SCRIPT = """
import {
  KinesisClient, CreateStreamCommand, PutRecordCommand, PutRecordsCommand,
  GetShardIteratorCommand, GetRecordsCommand, waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";

const client = new KinesisClient({});
const StreamName = process.argv[2];
const text = (bytes) => new TextDecoder().decode(bytes);
await client.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
await waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName });
const first = await client.send(new PutRecordCommand({
  StreamName, PartitionKey: "k", Data: new TextEncoder().encode("hello"),
}));
const big = "x".repeat(100_000);
const many = await client.send(new PutRecordsCommand({
  StreamName,
  Records: Array.from({ length: 8 }, (_, i) => ({
    PartitionKey: `p${i}`, Data: new TextEncoder().encode(`${i}:${big}`),
  })),
}));
const iterator = await client.send(new GetShardIteratorCommand({
  StreamName, ShardId: first.ShardId, ShardIteratorType: "TRIM_HORIZON",
}));
const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
console.log(JSON.stringify({
  shard: first.ShardId,
  failed: many.FailedRecordCount,
  first: text(got.Records[0].Data),
  rest: got.Records.slice(1).map((r) => [text(r.Data).split(":")[0], r.Data.length]),
  keys: got.Records.map((r) => r.PartitionKey),
  behind: got.MillisBehindLatest,
}));
client.destroy();
"""


@pytest.fixture(scope="module")
def node_sdk() -> NodeSdk:
    """The pinned SDK in the shared cache; installed here only if .ci/run has not done it."""
    sdk = NodeSdk.default()
    sdk.install()
    return sdk


def test_the_default_kinesis_client_puts_and_gets_records_over_http2(server, node_sdk, tmp_path):
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
    stream = f"node-{uuid.uuid4().hex[:8]}"
    ran = subprocess.run(
        ["node", "main.mjs", stream], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {
        "shard": "shardId-000000000000",
        "failed": 0,
        "first": "hello",
        "rest": [[str(i), 100_002] for i in range(8)],
        "keys": ["k"] + [f"p{i}" for i in range(8)],
        "behind": 0,
    }
