"""The server's work per function URL request, counted in instructions: the same number on
every run, however busy or noisy the machine (wall-clock figures here move by 30%).

    python bench/server_instructions.py [--requests 1000] [--auth on|off|both]
    python bench/server_instructions.py --service dynamodb [--requests 1000]

Needs valgrind (Debian package `valgrind`). Each server runs under callgrind with counting
off; after a warm-up, counting is on for `--requests` sequential requests over two keep-alive
connections (two, so the engine's lone-invocation spin stays off, as under load), and the
count is read back. User-space instructions of the server process only: not the kernel's,
not the function's environment. Baseline in the same run: the Lambda-shaped floor
(bench/_floor.py), which does only the per-request work a function URL's semantics require.

A function URL (AuthType NONE, the function's policy letting everyone call it) and an HTTP
API carry no signature; the signed request counted
is a Lambda API Invoke (SigV4 by the root key, signed once and sent again: the server verifies
each). `--auth both` (the default) counts it on servers with verification on and `--auth off`,
to show what verification costs per request.

`--service dynamodb` counts instead a signed DynamoDB GetItem and PutItem (the item of
bench/dynamodb_items.py, signed once by the root key and sent again) against the same
server's no-op request (`GET /_overcast/health`): issue 17's target is <= 1.5x the no-op.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable

from _floor import LAMBDA_FLOOR_SERVER
from _harness import (
    RawHttpClient,
    client,
    create_function,
    free_port,
    http_api,
    json_request,
    lambda_client,
    public_url,
    register,
    wait_for,
)

NOOP = "def handler(event, context):\n    return {'ok': True}\n"
WARM_UP = 200


def counted(
    command: Callable[[int, str], list[str]],
    ready: Callable[[subprocess.Popen, int], str | bytes],
    requests: int,
    method: str = "GET",
) -> float:
    """Instructions per request of the server `command(port, scratch_dir)` starts;
    `ready(process, port)` waits for it and returns the path to request (or the whole
    request, already signed)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "callgrind.out")
        process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}.%p"]
            + command(port, scratch),
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        register(f"http://127.0.0.1:{port}", scratch)  # raw Lambda API requests are signed
        try:
            path = ready(process, port)
            clients = [RawHttpClient("127.0.0.1", port) for _ in range(2)]
            for i in range(WARM_UP):
                _send(clients[i % 2], method, path)
            control(process, "-i", "on")
            for i in range(requests):
                status, body = _send(clients[i % 2], method, path)
                assert status == 200, (status, body)
            control(process, "--dump")
            return instructions(f"{out}.{process.pid}") / requests
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _send(client: RawHttpClient, method: str, request: str | bytes) -> tuple[int, bytes]:
    if isinstance(request, bytes):
        return client.send(request)
    return client.request(method, request)


def control(process: subprocess.Popen, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(process.pid)], capture_output=True, check=True)


def instructions(out: str) -> int:
    """The instructions counted in the server's dumps: `out` and `out.N` (forked workers
    write files of their own, named for their pids)."""
    total = 0
    for name in [out, *glob.glob(out + ".*")]:
        if not os.path.exists(name):
            continue
        with open(name) as dump:
            for line in dump:
                if line.startswith(("summary:", "totals:")):
                    total = max(total, int(line.split()[1]))
    return total


def overcast_server(port: int, scratch: str, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "overcast.cli.main", "server", "--port", str(port)]
    command += ["--tls-port", "0"]  # the port + 443 may be taken
    # Without the access log: nobody reads the server's stdout here, and a full pipe would
    # stall it (and each line would be counted as the server's work).
    return command + ["--data-dir", scratch, "--log-level", "warning", *extra]


def overcast_server_auth_off(port: int, scratch: str) -> list[str]:
    return overcast_server(port, scratch, "--auth", "off")


def floor_server(port: int, scratch: str) -> list[str]:
    return [sys.executable, "-c", LAMBDA_FLOOR_SERVER, str(port), "2"]


def floor_ready(process: subprocess.Popen, port: int) -> str:
    process.stdout.readline()  # "ready"
    return "/"


def overcast_ready(kind: str) -> Callable[[subprocess.Popen, int], str]:
    def ready(process: subprocess.Popen, port: int) -> str:
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(f"{endpoint}/_overcast/health", deadline_s=300)
        functions = lambda_client(endpoint)
        create_function(functions, "noop", NOOP)
        if kind == "invoke":
            return "/2015-03-31/functions/noop/invocations"
        if kind == "url":
            return public_url(functions, "noop").removeprefix(endpoint)
        return http_api(endpoint, functions, "noop").removeprefix(endpoint) + "/"

    return ready


def dynamodb_ready(operation: str) -> Callable[[subprocess.Popen, int], str | bytes]:
    """A table with bench/dynamodb_items.py's item in it; the request is `operation` on it
    (signed by the root key), or the no-op for "health"."""

    def ready(process: subprocess.Popen, port: int) -> str | bytes:
        from dynamodb_items import ITEM, KEY, TABLE, TARGET, create_table

        endpoint = f"http://127.0.0.1:{port}"
        wait_for(f"{endpoint}/_overcast/health", deadline_s=300)
        ddb = client(endpoint, "dynamodb")
        create_table(ddb)
        ddb.put_item(TableName=TABLE, Item=ITEM)
        if operation == "health":
            return "/_overcast/health"
        params = {"TableName": TABLE, "Key": KEY, "Item": ITEM}
        del params["Item" if operation == "GetItem" else "Key"]
        return json_request(endpoint, "dynamodb", TARGET + operation, params)

    return ready


def dynamodb(requests: int) -> None:
    noop = counted(overcast_server, dynamodb_ready("health"), requests)
    print(f"no-op (GET /_overcast/health): {noop:9,.0f} instructions per request", flush=True)
    for operation in ("GetItem", "PutItem"):
        count = counted(overcast_server, dynamodb_ready(operation), requests, "POST")
        label = f"signed {operation}"
        print(f"{label:<30}: {count:9,.0f} instructions per request ({count / noop:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--auth", choices=("on", "off", "both"), default="both")
    parser.add_argument("--service", choices=("lambda", "dynamodb"), default="lambda")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    if args.service == "dynamodb":
        dynamodb(args.requests)
        return
    servers = {"on": overcast_server, "off": overcast_server_auth_off}
    modes = ("on", "off") if args.auth == "both" else (args.auth,)
    floor = counted(floor_server, floor_ready, args.requests)
    print(f"Lambda-shaped floor  : {floor:9,.0f} instructions per request", flush=True)
    invokes = {}
    for mode in modes:
        server = servers[mode]
        rows = (
            ("function URL", counted(server, overcast_ready("url"), args.requests)),
            ("HTTP API", counted(server, overcast_ready("api"), args.requests)),
            ("signed Invoke", counted(server, overcast_ready("invoke"), args.requests, "POST")),
        )
        invokes[mode] = rows[-1][1]
        for label, count in rows:
            label = f"{label} (auth {mode})"
            print(f"{label:<26}: {count:9,.0f} instructions per request ({count / floor:.2f}x)")
    if len(invokes) == 2:
        extra = invokes["on"] / invokes["off"] - 1
        print(f"verification adds {extra:+.1%} to a signed Invoke")


if __name__ == "__main__":
    main()
