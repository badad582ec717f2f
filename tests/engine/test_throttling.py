"""Lambda's concurrency model through boto3: reserved concurrency, scaling rate, memory budget,
provisioned concurrency in use."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from gate import gate
from support import deploy

APP = """
import os, time
def handler(event, context):
    time.sleep(event.get("hold", 0))
    if "gate" in event:  # wait until the test opens the gate (tests/gate.py)
        import urllib.request
        urllib.request.urlopen(event["gate"], timeout=60).read()
    return {"type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"], "pid": os.getpid()}
"""


def invoke(client, name: str, hold: float = 0, **kwargs):
    return client.invoke(FunctionName=name, Payload=json.dumps({"hold": hold}).encode(), **kwargs)


def at_once(client, name: str, count: int) -> list[str]:
    """Invoke `count` times concurrently (each holding 1 s): "ok" or the throttle's Reason."""

    def attempt(_: int) -> str:
        try:
            invoke(client, name, hold=1.0)
            return "ok"
        except ClientError as error:
            return error.response["Reason"]

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def throttle_of(call) -> tuple[str, str, dict]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Error"]["Code"] == "TooManyRequestsException"
    return response["Reason"], response["Error"]["Message"], response["ResponseMetadata"]


def test_reserved_zero_throttles_sync_and_queues_async(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, APP)
    lambda_client.put_function_concurrency(
        FunctionName=function_name, ReservedConcurrentExecutions=0
    )
    reason, message, metadata = throttle_of(lambda: invoke(lambda_client, function_name))
    assert reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert message == "Rate Exceeded."
    assert metadata["HTTPHeaders"]["retry-after"]
    assert invoke(lambda_client, function_name, InvocationType="Event")["StatusCode"] == 202
    lambda_client.delete_function_concurrency(FunctionName=function_name)
    assert invoke(lambda_client, function_name)["StatusCode"] == 200


def test_reserved_n_caps_concurrent_invocations(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, APP)
    lambda_client.put_function_concurrency(
        FunctionName=function_name, ReservedConcurrentExecutions=1
    )

    outcomes = at_once(lambda_client, function_name, 3)
    assert outcomes.count("ok") == 1
    assert outcomes.count("ReservedFunctionConcurrentInvocationLimitExceeded") == 2


def test_provisioned_environments_are_used(lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, APP)
    lambda_client.publish_version(FunctionName=function_name)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=function_name, Qualifier="1", ProvisionedConcurrentExecutions=2
    )
    deadline = time.monotonic() + 20
    while True:
        config = lambda_client.get_provisioned_concurrency_config(
            FunctionName=function_name, Qualifier="1"
        )
        if config["Status"] == "READY":
            break
        assert config["Status"] == "IN_PROGRESS" and time.monotonic() < deadline
        time.sleep(0.05)  # polling the API's status with a deadline
    assert config["AllocatedProvisionedConcurrentExecutions"] == 2
    response = invoke(lambda_client, function_name, Qualifier="1", LogType="Tail")
    assert json.loads(response["Payload"].read())["type"] == "provisioned-concurrency"
    assert "Init Duration" not in base64.b64decode(response["LogResult"]).decode()


def test_scaling_rate_throttles_new_environments(launch, tmp_path, function_name) -> None:
    client = launch(tmp_path / "data", "--scale-rate", "2").client("lambda")
    deploy(client, function_name, APP)

    outcomes = at_once(client, function_name, 3)
    assert sorted(outcomes) == ["ConcurrentInvocationLimitExceeded", "ok", "ok"]


def test_account_concurrency_limit(launch, tmp_path, function_name) -> None:
    client = launch(tmp_path / "data", "--concurrency", "1").client("lambda")
    deploy(client, function_name, APP)
    settings = client.get_account_settings()["AccountLimit"]
    assert settings["ConcurrentExecutions"] == 1

    assert sorted(at_once(client, function_name, 2)) == ["ConcurrentInvocationLimitExceeded", "ok"]


HUNGRY = APP + '\nBALLAST = b"x" * (30 * 1024 * 1024)  # written, so charged to its cgroup\n'


def test_memory_budget_reclaims_idle_then_throttles(launch, tmp_path, function_name) -> None:
    client = launch(tmp_path / "data", "--memory-budget", "36").client("lambda")
    first, second = function_name, function_name + "-b"
    for name in (first, second):
        deploy(client, name, HUNGRY)

    def cold(name: str) -> bool:
        log = base64.b64decode(invoke(client, name, LogType="Tail")["LogResult"]).decode()
        return "Init Duration" in log

    assert cold(first)
    assert not cold(first)  # warm while it fits
    assert cold(second)  # no room for both: the idle environment of `first` is reclaimed
    assert cold(first)  # so `first` starts again (and `second` is reclaimed in turn)

    # `first`, warm (its ballast long charged), busy at a gate: nothing idle to reclaim.
    with ThreadPoolExecutor(1) as pool, gate() as waiting:
        payload = json.dumps({"gate": waiting.url}).encode()
        busy = pool.submit(client.invoke, FunctionName=first, Payload=payload)
        assert waiting.reached.wait(30)
        with pytest.raises(ClientError) as caught:
            invoke(client, second)
        waiting.open()
        assert busy.result()["StatusCode"] == 200
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert "memory budget" in error["Error"]["Message"]
