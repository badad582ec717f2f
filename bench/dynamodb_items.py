"""DynamoDB's PutItem and GetItem: p50 latency against the same server's no-op request, and
against moto's server (in memory) in the same run.

    python bench/dynamodb_items.py [--count 2000]

Three views, each on one keep-alive connection, sequential requests, the requests of a view
taken in turn (`interleaved`):
- through boto3, as users call it: PutItem / GetItem p50 on Overcast and on moto, against
  two baselines: `GET /_overcast/health` as a boto3 operation (a one-operation service model
  made here, so the no-op pays all of botocore's per-call work as PutItem does: validation,
  serialisation, signing, the send, parsing), and the same GET sent through the client's
  HTTP session alone (botocore's connection pool, none of that work: a ratio no server can
  bring under ~3x, boto3's own work being over 1 ms a call here);
- raw (the least client overhead): requests signed once ahead, sent by a bare socket client;
  the server's own cost over its no-op request (Overcast only: moto's werkzeug server does not
  keep such a connection alive).
Target (issue 17): PutItem and GetItem p50 through boto3 <= 1.5x the no-op's, and no higher
than moto's. Moto is `moto[server]` (pip install 'moto[server]'); without it only Overcast is
measured.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import botocore.session
from _harness import (
    RawHttpClient,
    client,
    free_port,
    json_request,
    overcast_server,
    timed,
    wait_for,
)
from botocore.awsrequest import AWSRequest
from botocore.config import Config

TABLE = "bench"
TARGET = "DynamoDB_20120810."
ITEM = {
    "pk": {"S": "user#1"},
    "name": {"S": "Ada Lovelace"},
    "email": {"S": "ada@example.com"},
    "visits": {"N": "42"},
    "tags": {"SS": ["admin", "math"]},
    "address": {"M": {"city": {"S": "London"}, "zip": {"S": "W1"}}},
}
KEY = {"pk": ITEM["pk"]}


@contextlib.contextmanager
def moto_server():
    """moto's server on a free port, or None when moto[server] is not installed."""
    if importlib.util.find_spec("moto.server") is None or importlib.util.find_spec("flask") is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(f"{endpoint}/moto-api/")
        yield endpoint
    finally:
        process.kill()
        process.wait()


def ddb_client(endpoint: str, moto: bool):
    if moto:
        return keyless_client(boto3.Session(), "dynamodb", endpoint)
    return client(endpoint, "dynamodb")


def keyless_client(session: boto3.Session, service: str, endpoint: str):
    """A client that never retries, signing with made-up keys (moto, and the health model's
    endpoint, check no signature)."""
    return session.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 0}),
    )


def create_table(ddb) -> None:
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.get_waiter("table_exists").wait(TableName=TABLE)


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def interleaved(calls: dict, count: int) -> dict[str, float]:
    """Each call's p50 (ms), the calls taken in turn `count` times: a noisy machine's drift
    then weighs on every one alike, and the ratios between them hold."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        timed(call, 200)  # warm: connections, caches
    for _ in range(count):
        for name, call in calls.items():
            samples[name] += timed(call, 1)
    return {name: p50(found) for name, found in samples.items()}


def item_calls(ddb) -> dict:
    return {
        "PutItem": lambda: ddb.put_item(TableName=TABLE, Item=ITEM),
        "GetItem": lambda: ddb.get_item(TableName=TABLE, Key=KEY),
    }


def bare_health(ddb, endpoint: str):
    """GET /_overcast/health through the boto3 client's own HTTP session."""
    session = ddb._endpoint.http_session
    request = AWSRequest(method="GET", url=f"{endpoint}/_overcast/health").prepare()
    return lambda: session.send(request).content


# `GET /_overcast/health` as an operation of a service botocore loads like any other.
HEALTH_MODEL = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2026-01-01",
        "endpointPrefix": "overcast",
        "protocol": "rest-json",
        "serviceId": "Overcast",
        "serviceFullName": "Overcast",
        "signatureVersion": "v4",
        "signingName": "overcast",
        "uid": "overcast-2026-01-01",
    },
    "operations": {
        "Health": {
            "name": "Health",
            "http": {"method": "GET", "requestUri": "/_overcast/health"},
            "output": {"shape": "HealthOutput"},
        }
    },
    "shapes": {
        "HealthOutput": {"type": "structure", "members": {"status": {"shape": "String"}}},
        "String": {"type": "string"},
    },
}


def health_client(endpoint: str):
    """A boto3 client whose one operation, `health()`, is GET /_overcast/health
    (HEALTH_MODEL)."""
    with tempfile.TemporaryDirectory() as models:
        folder = Path(models, "overcast", "2026-01-01")
        folder.mkdir(parents=True)
        (folder / "service-2.json").write_text(json.dumps(HEALTH_MODEL))
        session = botocore.session.get_session()
        session.get_component("data_loader").search_paths.append(models)
        health = keyless_client(boto3.Session(botocore_session=session), "overcast", endpoint)
        assert health.health()["status"] == "ok"  # the model is loaded: the folder may go
    return health


def raw(endpoint: str, count: int) -> dict[str, float]:
    host, port = endpoint.split("://", 1)[1].split(":")
    connection = RawHttpClient(host, int(port))
    put = json_request(endpoint, "dynamodb", TARGET + "PutItem", {"TableName": TABLE, "Item": ITEM})
    get = json_request(endpoint, "dynamodb", TARGET + "GetItem", {"TableName": TABLE, "Key": KEY})
    for request in (put, get):
        status, body = connection.send(request)
        assert status == 200, body
    calls = {
        "PutItem": lambda: connection.send(put),
        "GetItem": lambda: connection.send(get),
        "health": lambda: connection.request("GET", "/_overcast/health"),
    }
    found = interleaved(calls, count)
    connection.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()

    with overcast_server() as endpoint, moto_server() as moto:
        ddb = ddb_client(endpoint, moto=False)
        create_table(ddb)
        calls = item_calls(ddb)
        calls["noop"] = health_client(endpoint).health
        calls["health"] = bare_health(ddb, endpoint)
        ours = interleaved(calls, args.count)
        ours_raw = raw(endpoint, args.count)
        theirs = None
        if moto is not None:
            moto_ddb = ddb_client(moto, moto=True)
            create_table(moto_ddb)
            theirs = interleaved(item_calls(moto_ddb), args.count)
    report(ours, ours_raw, theirs)


def report(ours: dict, ours_raw: dict, theirs: dict | None) -> None:
    print(
        f"through boto3: GET /_overcast/health p50 {ours['noop']:.3f} ms as a boto3 operation "
        f"(the baseline), {ours['health']:.3f} ms through the client's HTTP session alone"
    )
    for name in ("PutItem", "GetItem"):
        line = (
            f"  {name}: Overcast p50 {ours[name]:.3f} ms = {ours[name] / ours['noop']:.2f}x "
            f"the no-op (target <= 1.5x), {ours[name] / ours['health']:.2f}x the bare GET"
        )
        if theirs is not None:
            ratio = ours[name] / theirs[name]
            line += f"; moto p50 {theirs[name]:.3f} ms, Overcast/moto {ratio:.2f}x"
        print(line)
    print(f"raw signed requests: GET /_overcast/health p50 {ours_raw['health']:.3f} ms")
    for name in ("PutItem", "GetItem"):
        ratio = ours_raw[name] / ours_raw["health"]
        print(f"  {name}: Overcast p50 {ours_raw[name]:.3f} ms = {ratio:.2f}x the no-op")
    if theirs is None:
        print("moto[server] is not installed: no moto comparison (pip install 'moto[server]')")
    print(f"(measured {time.strftime('%Y-%m-%d %H:%M')})")


if __name__ == "__main__":
    main()
