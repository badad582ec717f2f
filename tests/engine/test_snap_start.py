"""SnapStart through boto3: init once in a template, restored copies run the restore hooks."""

from __future__ import annotations

import base64
import json

from gate import gate
from support import deploy

APP = """
import os, random, time
from snapshot_restore_py import register_after_restore, register_before_snapshot

INIT_PID = os.getpid()
EVENTS = []
time.sleep(0.2)  # a slow init: restored copies must not pay for it again

@register_before_snapshot
def before():
    EVENTS.append("before_snapshot")

@register_after_restore
def after():
    EVENTS.append("after_restore")

def handler(event, context):
    time.sleep(event.get("hold", 0))
    if "gate" in event:  # wait until the test opens the gate (tests/gate.py)
        import urllib.request
        urllib.request.urlopen(event["gate"], timeout=60).read()
    open(f"/tmp/{os.getpid()}", "w").close()  # a mark only this copy should ever see
    return {
        "tmp": sorted(os.listdir("/tmp")),
        "events": EVENTS,
        "init_pid": INIT_PID,
        "pid": os.getpid(),
        "random": random.random(),
        "type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
        "stream": context.log_stream_name,
    }
"""


def test_restored_environments_skip_init_and_run_the_hooks(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, APP, SnapStart={"ApplyOn": "PublishedVersions"})
    published = lambda_client.publish_version(FunctionName=function_name)
    assert published["State"] == "Pending"  # until its snapshot is ready, as on Lambda
    lambda_client.get_waiter("published_version_active").wait(
        FunctionName=function_name, Qualifier="1"
    )
    response = lambda_client.invoke(
        FunctionName=function_name, Qualifier="1", LogType="Tail", Payload=b'{"hold": 0.5}'
    )
    first = json.loads(response["Payload"].read())
    report = base64.b64decode(response["LogResult"]).decode().strip().splitlines()[-1]
    assert first["events"] == ["before_snapshot", "after_restore"]
    assert first["type"] == "snap-start"
    assert first["pid"] != first["init_pid"]  # a fork of the template, which ran init
    assert "Restore Duration: " in report and "Init Duration" not in report
    # A second copy: restored again from the same template, with its own random sequence.
    # An event holds the warm copy at a gate, so the next call needs a new one.
    with gate() as waiting:
        concurrent_first = lambda_client.invoke(
            FunctionName=function_name,
            Qualifier="1",
            InvocationType="Event",
            Payload=json.dumps({"gate": waiting.url}).encode(),
        )
        assert concurrent_first["StatusCode"] == 202
        assert waiting.reached.wait(30)  # the event runs in the warm copy, which is busy
        second = json.loads(
            lambda_client.invoke(FunctionName=function_name, Qualifier="1")["Payload"].read()
        )
        waiting.open()
    assert second["init_pid"] == first["init_pid"]
    assert second["events"] == ["before_snapshot", "after_restore"]
    assert second["stream"] != first["stream"]
    assert second["random"] != first["random"]
    assert first["tmp"] == [str(first["pid"])]  # each copy has a /tmp of its own
    assert second["tmp"] == [str(second["pid"])]
