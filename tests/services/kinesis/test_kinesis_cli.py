"""The AWS CLI against Kinesis (create, wait, put, read, delete), and what a client that
speaks CBOR (the AWS SDKs for Java, by default) is told."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from support import RunningServer, signed


def test_cli_round_trip(server: RunningServer, tmp_path: Path) -> None:
    env = {
        **os.environ, "AWS_ENDPOINT_URL": server.endpoint, **server.aws_env,
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }  # fmt: skip

    def aws(*args: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "awscli", "kinesis", *args], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    name = f"cli-{uuid.uuid4().hex[:12]}"
    aws("create-stream", "--stream-name", name, "--shard-count", "1")
    aws("wait", "stream-exists", "--stream-name", name)
    put = aws("put-record", "--stream-name", name, "--partition-key", "k", "--data", "hello")
    assert put["ShardId"] == "shardId-000000000000"
    token = aws("get-shard-iterator", "--stream-name", name, "--shard-id", put["ShardId"],
                "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]  # fmt: skip
    records = aws("get-records", "--shard-iterator", token)["Records"]
    assert [r["SequenceNumber"] for r in records] == [put["SequenceNumber"]]
    aws("delete-stream", "--stream-name", name)


def test_cbor_is_refused_clearly(server: RunningServer) -> None:
    body = b"\xa1jStreamNameas"  # CBOR: {"StreamName": "s"}
    headers = {"Content-Type": "application/x-amz-cbor-1.1",
               "X-Amz-Target": "Kinesis_20131202.DescribeStreamSummary"}  # fmt: skip
    url = server.endpoint + "/"
    request = urllib.request.Request(
        url, data=body, method="POST", headers=signed(url, "POST", body, headers, "kinesis")
    )
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("a CBOR request was answered")
    except urllib.error.HTTPError as refused:
        answer = json.loads(refused.read())
        assert refused.code == 400
    assert answer["__type"] == "SerializationException"
    assert "AWS_CBOR_DISABLE=true" in answer["message"]
