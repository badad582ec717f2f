"""Warm invoke: sequential sync invokes of a no-op function over HTTP vs a bare asyncio echo.

    python bench/warm_invoke.py [--count 3000]

Target (issue 3): Overcast's p50 <= 3x the echo server's p50, same client, same run.
"""

from __future__ import annotations

import argparse
import json
import statistics

from _harness import (
    NODE_NOOP,
    RawHttpClient,
    create_function,
    echo_server,
    lambda_client,
    overcast_server,
    summary,
    timed,
)

NOOP = "def handler(event, context):\n    return event\n"
PAYLOAD = b'{"hello": "world"}'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()

    with echo_server() as port:
        client = RawHttpClient("127.0.0.1", port)
        timed(lambda: client.request("POST", "/", PAYLOAD), 300)  # warm up
        baseline = timed(lambda: client.request("POST", "/", PAYLOAD), args.count)
        client.close()

    with overcast_server() as endpoint:
        create_function(lambda_client(endpoint), "noop", NOOP)
        create_function(lambda_client(endpoint), "node-noop", NODE_NOOP, Runtime="nodejs20.x")
        host, port = endpoint.removeprefix("http://").split(":")
        overcast = warm(host, int(port), "noop", args.count)
        node = warm(host, int(port), "node-noop", args.count)
        http_only = health(host, int(port), args.count)

    print(f"asyncio echo server : {summary(baseline)}")
    print(f"overcast warm invoke: {summary(overcast)}")
    ratio = statistics.median(overcast) / statistics.median(baseline)
    print(f"ratio (p50 overcast / p50 echo): {ratio:.2f}x   target <= 3x")
    node_ratio = statistics.median(node) / statistics.median(baseline)
    print(f"node.js warm invoke : {summary(node)}  ({node_ratio:.2f}x the echo)")
    # Where the time goes: the same server's HTTP path without any environment.
    http_ratio = statistics.median(http_only) / statistics.median(baseline)
    print(f"overcast HTTP only  : {summary(http_only)}  ({http_ratio:.2f}x the echo)")


def health(host: str, port: int, count: int) -> list[float]:
    client = RawHttpClient(host, port)
    timed(lambda: client.request("GET", "/_overcast/health"), 300)
    samples = timed(lambda: client.request("GET", "/_overcast/health"), count)
    client.close()
    return samples


def warm(host: str, port: int, name: str, count: int) -> list[float]:
    client = RawHttpClient(host, port)
    path = f"/2015-03-31/functions/{name}/invocations"
    status, body = client.request("POST", path, PAYLOAD)
    assert status == 200 and json.loads(body) == json.loads(PAYLOAD), (status, body)
    timed(lambda: client.request("POST", path, PAYLOAD), 300)
    samples = timed(lambda: client.request("POST", path, PAYLOAD), count)
    client.close()
    return samples


if __name__ == "__main__":
    main()
