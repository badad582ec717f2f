"""What the object store acknowledged survives `kill -9`: objects, buckets with their tags
and notification configurations, unfinished multipart uploads; object events kept in the
outbox are delivered after the restart; files a crash left half-done are swept away."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
from pathlib import Path

from support import RECORDER, RunningServer, allow, deploy, log_messages, wait_for


def kill_hard(running: RunningServer) -> None:
    os.killpg(running.process.pid, signal.SIGKILL)
    running.process.wait()


def recorded(server: RunningServer, name: str) -> list[str]:
    return [m for m in log_messages(server, name) if m.startswith("RECORD ")]


def test_acknowledged_writes_survive_kill_9(launch, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = launch(data)
    s3, functions = first.client("s3"), first.client("lambda")
    s3.create_bucket(Bucket="durable")
    s3.put_bucket_tagging(Bucket="durable", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    deploy(functions, "recorder", RECORDER)
    allow(functions, "recorder", "s3.amazonaws.com", "arn:aws:s3:::durable")
    arn = functions.get_function(FunctionName="recorder")["Configuration"]["FunctionArn"]
    s3.put_bucket_notification_configuration(
        Bucket="durable",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"Id": "rec", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    bodies = {f"obj-{i}": os.urandom(1000 * (i + 1)) for i in range(20)}
    for key, body in bodies.items():
        s3.put_object(Bucket="durable", Key=key, Body=body, Metadata={"n": key})
    upload = s3.create_multipart_upload(Bucket="durable", Key="unfinished")["UploadId"]
    s3.upload_part(Bucket="durable", Key="unfinished", UploadId=upload, PartNumber=1, Body=b"p")
    kill_hard(first)

    # What a crash can leave: a body half received, a blob no record names, an event kept
    # but not yet handed on.
    (data / "s3" / "tmp" / "half-received").write_bytes(b"partial")
    stray = data / "s3" / "blobs" / "ff" / "ff-stray"
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"orphan")
    kept = {"eventName": "ObjectCreated:Put", "kept": True, "s3": {"bucket": {"name": "durable"}}}
    record = {"Records": [kept]}
    with sqlite3.connect(data / "s3.db") as db:
        db.execute(
            "INSERT INTO outbox (target, body, hops) VALUES (?,?,0)",
            (arn, json.dumps(record).encode()),
        )

    second = launch(data)
    s3 = second.client("s3")
    for key, body in bodies.items():
        got = s3.get_object(Bucket="durable", Key=key)
        assert got["Body"].read() == body and got["Metadata"] == {"n": key}
        assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert s3.get_bucket_tagging(Bucket="durable")["TagSet"] == [{"Key": "k", "Value": "v"}]
    config = s3.get_bucket_notification_configuration(Bucket="durable")
    assert config["LambdaFunctionConfigurations"][0]["Id"] == "rec"
    parts = s3.list_parts(Bucket="durable", Key="unfinished", UploadId=upload)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1]
    assert not (data / "s3" / "tmp" / "half-received").exists() and not stray.exists()
    wait_for(lambda: any('"kept": true' in m for m in recorded(second, "recorder")))
