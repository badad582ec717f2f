"""Where a warm invoke's CPU goes: per request, the server's and the environment's CPU time.

    python bench/invoke_cpu.py [--count 5000]

Baselines in the same run: the same server answering `GET /_overcast/health` (its HTTP path
with no environment), and a bare Unix-socket round trip between an event loop and a blocking
child process (the least any process boundary costs). CPU comes from /proc (utime + stime).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import time

import uvloop
from _harness import (
    RawHttpClient,
    children,
    cpu_s,
    create_function,
    lambda_client,
    overcast_process,
    zygotes,
)

NOOP = "def handler(event, context):\n    return event\n"


def per_request(client: RawHttpClient, method: str, path: str, body: bytes, count: int, pids):
    """(wall, server CPU, environments' CPU) per request, in microseconds."""
    server, environments = pids
    before = cpu_s(server), sum(cpu_s(p) for p in environments), time.perf_counter()
    for _ in range(count):
        client.request(method, path, body)
    after = cpu_s(server), sum(cpu_s(p) for p in environments), time.perf_counter()
    wall, server_cpu, env_cpu = (
        after[2] - before[2],
        after[0] - before[0],
        after[1] - before[1],
    )
    return wall * 1e6 / count, server_cpu * 1e6 / count, env_cpu * 1e6 / count


def socket_round_trip_us(count: int) -> float:
    """p50 of a 200-byte round trip: uvloop parent, blocking child echoing it back."""
    ours, theirs = socket.socketpair()
    if os.fork() == 0:
        ours.close()
        while data := theirs.recv(65536):
            theirs.sendall(data)
        os._exit(0)
    theirs.close()

    class Echo(asyncio.Protocol):
        waiter: asyncio.Future

        def data_received(self, data: bytes) -> None:
            self.waiter.set_result(data)

    async def run() -> list[float]:
        loop = asyncio.get_running_loop()
        transport, echo = await loop.create_connection(Echo, sock=ours)
        samples = []
        for _ in range(count):
            echo.waiter = loop.create_future()
            started = time.perf_counter()
            transport.write(b"x" * 200)
            await echo.waiter
            samples.append((time.perf_counter() - started) * 1e6)
        transport.close()
        return sorted(samples)

    samples = uvloop.run(run())
    os.wait()
    return samples[len(samples) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    boundary = socket_round_trip_us(args.count)
    with overcast_process() as (endpoint, server):
        create_function(lambda_client(endpoint), "noop", NOOP)
        client = RawHttpClient("127.0.0.1", int(endpoint.rsplit(":", 1)[1]))
        invoke = ("POST", "/2015-03-31/functions/noop/invocations", b'{"a": 1}')
        for _ in range(300):
            client.request(*invoke)
        pids = server.pid, [c for z in zygotes(server.pid) for c in children(z)]
        health = per_request(client, "GET", "/_overcast/health", b"", args.count, pids)
        warm = per_request(client, *invoke, args.count, pids)
    print(f"unix socket round trip (uvloop <-> blocking child): p50 {boundary:.1f} us")
    rows = (("HTTP only (health)", health), ("warm invoke", warm))
    for label, (wall, server_cpu, env_cpu) in rows:
        print(
            f"{label:<19}: wall {wall:6.0f} us/request  server CPU {server_cpu:5.0f} us  "
            f"environment CPU {env_cpu:4.0f} us"
        )
    print(f"ratio (server CPU, invoke / HTTP only): {warm[1] / max(health[1], 1e-9):.2f}x")


if __name__ == "__main__":
    main()
