"""Bursts of cold starts end to end, through boto3 against a real server: a burst of events
(or of synchronous invocations) of a function whose init is slow must all run, exactly once,
however many more there are than the host can initialise at once (engine/starts.py).

The function's module-level code burns CPU, as importing boto3 does (~300 ms), rather than
sleeping: inits launched together then contend for the host's CPUs, which is what used to
time all of them out.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from support import deploy, log_messages, queue_idle, wait_for

SLOW_INIT = """
import os, time

# Burn CPU at import, as a heavy import does: the time counted is CPU time, so inits that
# share the CPUs take longer in wall-clock time, as they would with boto3.
_until = time.process_time() + float(os.environ["INIT_CPU_S"])
while time.process_time() < _until:
    pass

def handler(event, context):
    print("RAN", event["i"])
    return event["i"]
"""


def ran(server, name: str) -> Counter:
    """How many times each event's handler ran, by its number."""
    lines = (m.split() for m in log_messages(server, name) if m.startswith("RAN "))
    return Counter(int(words[1]) for words in lines)


def all_logged(server, client, name: str) -> Counter:
    """Every run's line, once all are written: a last invocation's line appears after every
    line held before it (the log buffer writes in order)."""
    assert client.invoke(FunctionName=name, Payload=b'{"i": -1}')["StatusCode"] == 200

    def with_the_last() -> Counter | None:
        runs = ran(server, name)
        return runs if runs[-1] else None

    runs = wait_for(with_the_last)
    del runs[-1]
    return runs


def stats_row(server, name: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{server.endpoint}/_overcast/queue", timeout=10) as answer:
        stats = json.load(answer)
    return stats.get(f"us-east-1:{name}", {})


@pytest.mark.timeout(300)
def test_a_burst_of_events_with_a_slow_init_all_run_once(launch, tmp_path, function_name):
    server = launch(tmp_path / "data", "--async-delay-scale", "0.01")
    client = server.client("lambda")
    deploy(client, function_name, SLOW_INIT, Environment={"Variables": {"INIT_CPU_S": "0.3"}})
    count = 100
    for i in range(count):
        answer = client.invoke(
            FunctionName=function_name, InvocationType="Event", Payload=json.dumps({"i": i})
        )
        assert answer["StatusCode"] == 202

    wait_for(lambda: queue_idle(server, function_name), timeout=240)
    runs = all_logged(server, client, function_name)
    assert runs == Counter(range(count))  # every event, exactly once
    row = stats_row(server, function_name)
    assert row.get("failed", 0) == 0 and row.get("dropped", 0) == 0
    errors = [m for m in log_messages(server, function_name) if "Init timed out" in m]
    assert errors == []


@pytest.mark.timeout(300)
def test_a_burst_of_sync_invocations_with_a_slow_init_all_succeed(launch, tmp_path, function_name):
    server = launch(tmp_path / "data")
    deploy(
        server.client("lambda"),
        function_name,
        SLOW_INIT,
        Environment={"Variables": {"INIT_CPU_S": "0.6"}},
    )
    count = 40
    clients = [server.client("lambda") for _ in range(count)]

    def invoke(i: int) -> dict:
        answer = clients[i].invoke(FunctionName=function_name, Payload=json.dumps({"i": i}))
        return {"error": answer.get("FunctionError"), "payload": json.load(answer["Payload"])}

    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(invoke, range(count)))
    assert [a for a in answers if a["error"]] == []
    assert [a["payload"] for a in answers] == list(range(count))
