"""Cold start: the first invoke of a fresh trivial function over HTTP vs spawning Python.

    python bench/cold_start.py [--count 40] [--pause-ms 0]

--pause-ms leaves that long between Overcast's cold starts (the spare that replaces the one a
cold start took is prepared meanwhile); by default each starts as soon as the last answered.

Baseline: `python -I -S -c pass` with the interpreter Overcast runs on (no pyenv shim).
Target (issue 3): Overcast's p50 <= 0.5x the baseline's p50.

Then SnapStart: the first invoke of a published version whose init imports heavy modules,
restored from its snapshot, vs the same function's version without SnapStart.
Target (issue 3): p50 <= 0.2x the normal cold start.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

from _harness import (
    NODE_NOOP,
    RawHttpClient,
    authorization,
    create_function,
    lambda_client,
    overcast_server,
    summary,
    timed,
)

TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"
HEAVY = (
    "import asyncio, decimal, email.mime.multipart, email.mime.text, http.client\n"
    "import json, logging.handlers, urllib.request, xml.etree.ElementTree\n" + TRIVIAL
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--pause-ms", type=float, default=0.0)
    args = parser.parse_args()

    spawn = [sys.executable, "-I", "-S", "-c", "pass"]
    timed(lambda: subprocess.run(spawn, check=True), 5)
    baseline = timed(lambda: subprocess.run(spawn, check=True), args.count)

    with overcast_server() as endpoint:
        client = lambda_client(endpoint)
        names = [f"cold-{i}" for i in range(args.count + 3)]
        for name in names:
            create_function(client, name, TRIVIAL)
        host, port = endpoint.removeprefix("http://").split(":")
        http = RawHttpClient(host, int(port))

        def first_invoke(name: str) -> None:
            status, body = http.request("POST", f"/2015-03-31/functions/{name}/invocations")
            assert status == 200 and body == b'{"ok": true}', (status, body)

        for name in names:  # sign ahead: signing is the client's work, not the cold start's
            authorization(int(port), "POST", f"/2015-03-31/functions/{name}/invocations", b"")
        for name in names[:3]:  # the zygote starts with the first invoke ever: warm it up
            first_invoke(name)
        remaining = iter(names[3:])
        overcast = timed(lambda: first_invoke(next(remaining)), args.count, args.pause_ms / 1000)
        http.close()

    print(f"spawn python -I -S -c pass: {summary(baseline)}")
    print(f"overcast cold invoke      : {summary(overcast)}")
    ratio = statistics.median(overcast) / statistics.median(baseline)
    print(f"ratio (p50 overcast / p50 spawn): {ratio:.2f}x   target <= 0.5x")
    snap_start(max(10, args.count // 2))
    node_cold(max(10, args.count // 2))


def node_cold(count: int) -> None:
    """First invokes of new Node.js functions, next to Python's figure above."""
    with overcast_server() as endpoint:
        client = lambda_client(endpoint)
        names = [f"node-cold-{i}" for i in range(count + 1)]
        for name in names:
            create_function(client, name, NODE_NOOP, Runtime="nodejs20.x")
        host, port = endpoint.removeprefix("http://").split(":")
        http = RawHttpClient(host, int(port))
        for name in names:  # signed ahead, as above
            authorization(int(port), "POST", f"/2015-03-31/functions/{name}/invocations", b"{}")
        remaining = iter(names)

        def first_invoke() -> None:
            status, body = http.request(
                "POST", f"/2015-03-31/functions/{next(remaining)}/invocations", b"{}"
            )
            assert status == 200 and body == b"{}", (status, body)

        first_invoke()  # the first one also starts the zygote's spares
        samples = timed(first_invoke, count)
        http.close()
    print(f"node.js cold invoke       : {summary(samples)}")


def snap_start(count: int) -> None:
    """First invokes of published versions of a heavy-import function, without and with
    SnapStart, measured by the same client on one server."""
    with overcast_server() as endpoint:
        client = lambda_client(endpoint)
        host, port = endpoint.removeprefix("http://").split(":")
        results = {}
        for label, config in (("plain", {}), ("snap", SNAP)):
            names = [f"heavy-{label}-{i}" for i in range(count)]
            for name in names:
                create_function(client, name, HEAVY, **config)
                client.publish_version(FunctionName=name)
                waiter = client.get_waiter("published_version_active")
                waiter.wait(FunctionName=name, Qualifier="1")
            http = RawHttpClient(host, int(port))  # fresh: an idle keep-alive connection closes
            for name in names:  # signed ahead, as above
                path = f"/2015-03-31/functions/{name}/invocations?Qualifier=1"
                authorization(int(port), "POST", path, b"")
            remaining = iter(names)

            def first_invoke(remaining=remaining, http=http) -> None:
                path = f"/2015-03-31/functions/{next(remaining)}/invocations?Qualifier=1"
                status, body = http.request("POST", path)
                assert status == 200 and body == b'{"ok": true}', (status, body)

            results[label] = timed(first_invoke, count)
            http.close()
    print(f"heavy init, cold invoke   : {summary(results['plain'])}")
    print(f"heavy init, SnapStart     : {summary(results['snap'])}")
    ratio = statistics.median(results["snap"]) / statistics.median(results["plain"])
    print(f"ratio (p50 SnapStart / p50 cold): {ratio:.2f}x   target <= 0.2x")


SNAP = {"SnapStart": {"ApplyOn": "PublishedVersions"}}


if __name__ == "__main__":
    main()
