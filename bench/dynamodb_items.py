"""DynamoDB's PutItem and GetItem: p50 latency against the same server's no-op request, and
against moto's server (in memory) in the same run.

    python bench/dynamodb_items.py [--count 2000]

Two views, each on one keep-alive connection, sequential requests:
- through boto3, as users call it: PutItem / GetItem p50 on Overcast and on moto; Overcast's
  baseline is `GET /_overcast/health` sent through the same client's HTTP session (botocore's
  connection pool, without the operation's serialisation, signing and parsing);
- raw (the least client overhead): requests signed once ahead, sent by a bare socket client;
  the server's own cost over its no-op request (Overcast only: moto's werkzeug server does not
  keep such a connection alive).
Target (issue 17): PutItem and GetItem p50 <= 1.5x the no-op's, and no higher than moto's.
Moto is `moto[server]` (pip install 'moto[server]'); without it only Overcast is measured.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import statistics
import subprocess
import sys
import time

import boto3
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
    if not moto:
        return client(endpoint, "dynamodb")
    return boto3.client(
        "dynamodb",
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


def through_boto3(ddb, count: int) -> dict[str, float]:
    put = lambda: ddb.put_item(TableName=TABLE, Item=ITEM)  # noqa: E731
    get = lambda: ddb.get_item(TableName=TABLE, Key=KEY)  # noqa: E731
    timed(put, 200)  # warm: connections, caches
    timed(get, 200)
    return {"PutItem": p50(timed(put, count)), "GetItem": p50(timed(get, count))}


def boto3_health(ddb, endpoint: str, count: int) -> float:
    """GET /_overcast/health through the boto3 client's own HTTP session."""
    session = ddb._endpoint.http_session
    request = AWSRequest(method="GET", url=f"{endpoint}/_overcast/health").prepare()
    send = lambda: session.send(request).content  # noqa: E731
    timed(send, 200)
    return p50(timed(send, count))


def raw(endpoint: str, count: int, health: bool) -> dict[str, float]:
    host, port = endpoint.split("://", 1)[1].split(":")
    connection = RawHttpClient(host, int(port))
    put = json_request(endpoint, "dynamodb", TARGET + "PutItem", {"TableName": TABLE, "Item": ITEM})
    get = json_request(endpoint, "dynamodb", TARGET + "GetItem", {"TableName": TABLE, "Key": KEY})
    found = {}
    for name, request in (("PutItem", put), ("GetItem", get)):
        status, body = connection.send(request)
        assert status == 200, body
        timed(lambda r=request: connection.send(r), 200)
        found[name] = p50(timed(lambda r=request: connection.send(r), count))
    if health:
        ping = lambda: connection.request("GET", "/_overcast/health")  # noqa: E731
        timed(ping, 200)
        found["health"] = p50(timed(ping, count))
    connection.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()

    with overcast_server() as endpoint, moto_server() as moto:
        ddb = ddb_client(endpoint, moto=False)
        create_table(ddb)
        ours = through_boto3(ddb, args.count)
        ours["health"] = boto3_health(ddb, endpoint, args.count)
        ours_raw = raw(endpoint, args.count, health=True)
        theirs = None
        if moto is not None:
            moto_ddb = ddb_client(moto, moto=True)
            create_table(moto_ddb)
            theirs = through_boto3(moto_ddb, args.count)
    report(ours, ours_raw, theirs)


def report(ours: dict, ours_raw: dict, theirs: dict | None) -> None:
    print(f"through boto3: GET /_overcast/health p50 {ours['health']:.3f} ms (the baseline)")
    for name in ("PutItem", "GetItem"):
        line = (
            f"  {name}: Overcast p50 {ours[name]:.3f} ms = {ours[name] / ours['health']:.2f}x "
            "the no-op (target <= 1.5x)"
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
