"""Cold start: the first invoke of a fresh trivial function over HTTP vs spawning Python.

    python bench/cold_start.py [--count 40]

Baseline: `python -I -S -c pass` with the interpreter Overcast runs on (no pyenv shim).
Target (issue 3): Overcast's p50 <= 0.5x the baseline's p50.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

from _harness import (
    RawHttpClient,
    create_function,
    lambda_client,
    overcast_server,
    summary,
    timed,
)

TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=40)
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

        for name in names[:3]:  # the zygote starts with the first invoke ever: warm it up
            first_invoke(name)
        remaining = iter(names[3:])
        overcast = timed(lambda: first_invoke(next(remaining)), args.count)
        http.close()

    print(f"spawn python -I -S -c pass: {summary(baseline)}")
    print(f"overcast cold invoke      : {summary(overcast)}")
    ratio = statistics.median(overcast) / statistics.median(baseline)
    print(f"ratio (p50 overcast / p50 spawn): {ratio:.2f}x   target <= 0.5x")


if __name__ == "__main__":
    main()
