"""DynamoDB's GetItem and PutItem answered in-process: the server's HTTP app called as ASGI,
no socket, against the same app's no-op request (`GET /_overcast/health`). What is left is
the gateway's pipeline and the item's own work, without the network or a client.

    python bench/dynamodb_inprocess.py [--count 3000]
    python bench/dynamodb_inprocess.py --spin GetItem --seconds 20   # for a profiler:
    py-spy record -f raw -o spin.txt -- python bench/dynamodb_inprocess.py --spin GetItem

Prints each request's mean (best of 3 rounds of `count`) and its ratio to the no-op's.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import uvloop
from _harness import json_request, register
from dynamodb_items import ITEM, KEY, TABLE, TARGET

from overcast.config import Settings
from overcast.factory import build_platform

ENDPOINT = "http://127.0.0.1:4566"  # named in the requests; nothing listens
CREATE = {
    "TableName": TABLE,
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def signed(operation: str, params: dict) -> tuple:
    return asgi_parts(json_request(ENDPOINT, "dynamodb", TARGET + operation, params))


def asgi_parts(raw: bytes) -> tuple[str, bytes, list[tuple[bytes, bytes]], bytes]:
    """(method, path, headers, body) of a whole HTTP/1.1 request."""
    head, _, body = raw.partition(b"\r\n\r\n")
    first, *lines = head.split(b"\r\n")
    method, path, _ = first.split(b" ")
    headers = [(n.strip().lower(), v.strip()) for n, _, v in (x.partition(b":") for x in lines)]
    return method.decode(), path, headers, body


async def call(app, parts: tuple) -> int:
    """The request through the app as uvicorn would hand it over; its status."""
    method, path, headers, body = parts
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 4566),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "root_path": "",
        "headers": list(headers),
        "state": {},
        "method": method,
        "path": path.decode(),
        "raw_path": path,
        "query_string": b"",
    }
    given, statuses = [], []

    async def receive() -> dict:
        if given:
            await asyncio.Future()  # no disconnect while it is answered
        given.append(True)
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def measure(app, requests: dict, count: int) -> dict[str, float]:
    found = {}
    for name, parts in requests.items():
        for _ in range(300):  # warm: caches, the table's first rows
            await call(app, parts)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(count):
                await call(app, parts)
            best = min(best, (time.perf_counter() - started) / count * 1e6)
        found[name] = best
    return found


async def run(app, args: argparse.Namespace) -> None:
    requests = {
        "health": ("GET", b"/_overcast/health", [(b"host", b"127.0.0.1:4566")], b""),
        "GetItem": signed("GetItem", {"TableName": TABLE, "Key": KEY}),
        "PutItem": signed("PutItem", {"TableName": TABLE, "Item": ITEM}),
    }
    for name, parts in (
        ("CreateTable", signed("CreateTable", CREATE)),
        ("PutItem", requests["PutItem"]),
    ):
        assert await call(app, parts) == 200, name
    if args.spin:
        until = time.perf_counter() + args.seconds
        while time.perf_counter() < until:
            await call(app, requests[args.spin])
        return
    found = await measure(app, requests, args.count)
    print(f"in-process GET /_overcast/health: {found['health']:.1f} us (the baseline)")
    for name in ("GetItem", "PutItem"):
        print(f"  {name}: {found[name]:.1f} us = {found[name] / found['health']:.1f}x the no-op")
    print(f"(measured {time.strftime('%Y-%m-%d %H:%M')})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--spin", choices=("health", "GetItem", "PutItem"))
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=Path(scratch), isolation=False, log_level="warning")
        platform = build_platform(settings)
        register(ENDPOINT, scratch)  # json_request signs with the data dir's root key
        try:
            uvloop.run(run(platform.app, args))
        finally:
            for service in reversed(platform.services):
                service.close()
            platform.store.close()


if __name__ == "__main__":
    main()
