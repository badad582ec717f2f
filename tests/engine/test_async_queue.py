"""Asynchronous invocations end to end: durable acceptance, retries, destinations, maximum
event age and recursive-loop protection, through boto3 against a real server.

The server runs with `--async-delay-scale 0.01`: Lambda's 1 and 2 minute retry delays become
0.6 and 1.2 s, and a 60 s maximum event age 0.6 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from support import (
    RECORDER,
    RunningServer,
    deploy,
    failed_for_good,
    log_messages,
    queue_idle,
    records,
    start_server,
    wait_for,
    wait_logs_written,
)

FAIL = """
def handler(event, context):
    print("ATTEMPT", context.aws_request_id)
    raise ValueError("nope: " + str(event.get("n")))
"""
ECHO = """
def handler(event, context):
    return {"got": event}
"""


@pytest.fixture
def client(fast_server: RunningServer):
    return fast_server.client("lambda")


def function_arn(client, name: str) -> str:
    return client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_retries_then_on_failure_destination(fast_server, client, function_name) -> None:
    recorder = function_name + "-rec"
    deploy(client, function_name, FAIL)
    deploy(client, recorder, RECORDER)
    client.put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": function_arn(client, recorder)}},
    )
    answer = client.invoke(
        FunctionName=function_name, InvocationType="Event", Payload=json.dumps({"n": 7})
    )
    assert answer["StatusCode"] == 202
    request_id = answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]

    record = wait_for(lambda: records(fast_server, recorder))[0]
    assert record["version"] == "1.0" and record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": function_arn(client, function_name) + ":$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 2,
    }
    assert record["requestPayload"] == {"n": 7}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "ValueError"
    messages = log_messages(fast_server, function_name)
    attempts = [m.strip() for m in messages if m.startswith("ATTEMPT")]
    assert attempts == [f"ATTEMPT {request_id}"] * 2  # the same request id each time


NODE_FAIL = """
export const handler = async (event, context) => {
  console.log("ATTEMPT", context.awsRequestId);
  throw new Error("nope");
};
"""


@pytest.mark.parametrize("runtime", ["python3.12", "nodejs20.x"])
def test_every_retry_keeps_the_request_id(fast_server, client, function_name, runtime) -> None:
    """Lambda runs each retry of an Event invocation under the request id it answered with:
    the handler's context, and START/END/REPORT, say the same id on all three attempts (the
    default MaximumRetryAttempts is 2), on Overcast's framed protocol and the Runtime API."""
    if runtime.startswith("nodejs"):
        if shutil.which("node") is None:
            pytest.skip("Node.js is not installed")
        code = {
            "Runtime": runtime,
            "Handler": "index.handler",
            "ZipFiles": {"index.mjs": NODE_FAIL},
        }
        deploy(client, function_name, "", **code)
    else:
        deploy(client, function_name, FAIL)
    answer = client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b"{}")
    request_id = answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    wait_for(lambda: failed_for_good(fast_server, function_name) == 1)

    def reports() -> int:
        return sum(m.startswith("REPORT ") for m in log_messages(fast_server, function_name))

    wait_for(lambda: reports() == 3)  # the last attempt's lines may still be on their way
    messages = log_messages(fast_server, function_name)
    attempts = [m.split()[-1] for m in messages if "ATTEMPT" in m]
    assert attempts == [request_id] * 3
    for mark in ("START", "END", "REPORT"):
        ids = [m.split()[2] for m in messages if m.startswith(mark + " RequestId:")]
        assert ids == [request_id] * 3, mark


def test_success_destination_gets_the_response(fast_server, client, function_name) -> None:
    recorder = function_name + "-rec"
    deploy(client, function_name, ECHO)
    deploy(client, recorder, RECORDER)
    version = client.publish_version(FunctionName=function_name)["Version"]
    client.create_alias(FunctionName=function_name, Name="live", FunctionVersion=version)
    client.put_function_event_invoke_config(
        FunctionName=function_name,
        Qualifier="live",
        DestinationConfig={"OnSuccess": {"Destination": function_arn(client, recorder)}},
    )
    client.invoke(
        FunctionName=function_name, Qualifier="live", InvocationType="Event", Payload=b'{"a":1}'
    )
    record = wait_for(lambda: records(fast_server, recorder))[0]
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestContext"]["functionArn"].endswith(f":{function_name}:{version}")
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": version}
    assert record["responsePayload"] == {"got": {"a": 1}}


def test_event_age_exceeded_while_throttled(fast_server, client, function_name) -> None:
    recorder = function_name + "-rec"
    deploy(client, function_name, ECHO)
    deploy(client, recorder, RECORDER)
    client.put_function_concurrency(FunctionName=function_name, ReservedConcurrentExecutions=0)
    client.put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": function_arn(client, recorder)}},
    )
    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b'{"late":1}')
    record = wait_for(lambda: records(fast_server, recorder))[0]
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record and record["requestPayload"] == {"late": 1}


def test_recursive_loop_is_stopped_after_16(fast_server, client, function_name) -> None:
    # A loop through destinations: each of two functions succeeds into the other (Lambda
    # refuses a function as its own destination).
    names = [function_name, f"{function_name}-b"]
    for name in names:
        deploy(client, name, "def handler(event, context):\n    print('RUN')\n")
    marker = f"{function_name}-mark"
    deploy(client, marker, ECHO)
    for name, other in zip(names, reversed(names), strict=True):
        client.put_function_event_invoke_config(
            FunctionName=name,
            DestinationConfig={"OnSuccess": {"Destination": function_arn(client, other)}},
        )
    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b"{}")

    def runs() -> int:
        messages = [m for name in names for m in log_messages(fast_server, name)]
        return sum(m.startswith("RUN") for m in messages)

    # The loop's end is decided when the queue refuses the 17th event: counted as failed for
    # good (no destination takes it), with nothing of either function left to run. Then every
    # run's log line is recorded, and once the marker's is readable, theirs are too.
    def stopped() -> bool:
        refused = sum(failed_for_good(fast_server, name) for name in names)
        return refused == 1 and all(queue_idle(fast_server, name) for name in names)

    wait_for(stopped)
    wait_logs_written(fast_server, marker)
    assert runs() == 16


def test_sync_invoke_deep_in_a_chain_is_refused(fast_server, client, function_name) -> None:
    deploy(client, function_name, ECHO)

    def add_lineage(request, **kwargs) -> None:
        request.headers["X-Amzn-Trace-Id"] = "Root=1-0-0;Lineage=0badf00d:16"

    client.meta.events.register("before-sign.lambda.Invoke", add_lineage)
    with pytest.raises(client.exceptions.RecursiveInvocationException):
        client.invoke(FunctionName=function_name, Payload=b"{}")
    client.put_function_recursion_config(FunctionName=function_name, RecursiveLoop="Allow")
    assert client.invoke(FunctionName=function_name, Payload=b"{}")["StatusCode"] == 200


def test_accepted_events_survive_kill_9(tmp_path, function_name) -> None:
    data_dir = tmp_path / "data"
    first = start_server(data_dir, "--async-delay-scale", "0.01")
    client = first.client("lambda")
    deploy(client, function_name, "def handler(event, context):\n    print('RAN', event['i'])\n")
    # Reserved concurrency 0 keeps the events queued: none can run before the kill.
    client.put_function_concurrency(FunctionName=function_name, ReservedConcurrentExecutions=0)
    for i in range(20):
        answer = client.invoke(
            FunctionName=function_name, InvocationType="Event", Payload=json.dumps({"i": i})
        )
        assert answer["StatusCode"] == 202
    first.process.kill()  # SIGKILL: no shutdown code runs
    first.process.wait()

    second = start_server(data_dir, "--async-delay-scale", "0.01")
    try:
        second.client("lambda").delete_function_concurrency(FunctionName=function_name)

        def ran() -> set[str]:
            return {
                m.split()[1] for m in log_messages(second, function_name) if m.startswith("RAN")
            }

        assert wait_for(lambda: len(ran()) == 20 and ran()) == {str(i) for i in range(20)}
    finally:
        second.stop()


def test_queue_stats_shows_waiting_events(fast_server, client, function_name) -> None:
    deploy(client, function_name, ECHO)
    client.put_function_concurrency(FunctionName=function_name, ReservedConcurrentExecutions=0)
    for _ in range(3):
        client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b"{}")
    shown = subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", "queue", "stats"],
        env={**os.environ, "OVERCAST_ENDPOINT": fast_server.endpoint},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    row = next(line.split() for line in shown.stdout.splitlines() if function_name in line)
    assert row == [function_name, "3", "0", "0", "0", "0"]
    header = ["FUNCTION", "QUEUED", "RETRYING", "RUNNING", "FAILED", "DROPPED"]
    assert shown.stdout.splitlines()[0].split() == header


def queue_stats(server: RunningServer) -> dict[str, list[str]]:
    """`overcast queue stats`'s rows, by function name."""
    shown = subprocess.run(
        [sys.executable, "-m", "overcast.cli.main", "queue", "stats"],
        env={**os.environ, "OVERCAST_ENDPOINT": server.endpoint},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    return {line.split()[0]: line.split() for line in shown.stdout.splitlines()[1:]}


def test_queue_stats_counts_events_that_failed_for_good(fast_server, client, function_name):
    # Both fail for good at once (no retries); one has an OnFailure destination, which
    # keeps its record; the other has nothing to take it: dropped, and shown as such.
    lost, kept, recorder = function_name, function_name + "-kept", function_name + "-rec"
    deploy(client, recorder, RECORDER)
    for name in (lost, kept):
        deploy(client, name, FAIL)
    client.put_function_event_invoke_config(FunctionName=lost, MaximumRetryAttempts=0)
    client.put_function_event_invoke_config(
        FunctionName=kept,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": function_arn(client, recorder)}},
    )
    for name in (lost, kept):
        client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    wait_for(lambda: records(fast_server, recorder))
    wait_for(lambda: queue_idle(fast_server, lost) and queue_idle(fast_server, kept))
    rows = queue_stats(fast_server)
    assert rows[lost] == [lost, "0", "0", "0", "1", "1"]
    assert rows[kept] == [kept, "0", "0", "0", "1", "0"]


SELF_INVOKER = """
import os
import boto3

lam = boto3.client("lambda", endpoint_url=os.environ["OVERCAST_URL"], region_name="us-east-1")

def handler(event, context):
    print("RUN")
    try:
        lam.invoke(FunctionName=context.function_name, InvocationType="Event", Payload=b"{}")
    except lam.exceptions.RecursiveInvocationException:
        print("STOPPED")
"""


def test_a_function_invoking_itself_with_boto3_is_stopped(
    fast_server, client, function_name
) -> None:
    # botocore passes the function's _X_AMZN_TRACE_ID (with its Lineage count) on as the
    # X-Amzn-Trace-Id header: the 17th invocation of the chain is refused to the caller
    # (uncaught, that would fail the 16th and Lambda would retry it).
    deploy(
        client,
        function_name,
        SELF_INVOKER,
        Environment={"Variables": {"OVERCAST_URL": fast_server.endpoint}},
        Timeout=10,
    )
    client.invoke(FunctionName=function_name, InvocationType="Event", Payload=b"{}")

    def runs() -> int:
        return sum(m.startswith("RUN") for m in log_messages(fast_server, function_name))

    wait_for(lambda: runs() >= 16)
    wait_for(lambda: queue_idle(fast_server, function_name))
    assert runs() == 16
    assert [m for m in log_messages(fast_server, function_name) if m.startswith("STOPPED")]
