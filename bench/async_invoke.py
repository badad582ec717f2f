"""Asynchronous invokes: how fast events are accepted, how soon they start, and that each runs
exactly once when nothing fails, bursts of cold starts included.

    python bench/async_invoke.py [--count 10000] [--connections 16] [--bursts 200,1000]

Sends `count` Event invocations of a no-op function over keep-alive connections and reports
accepted events/s (each is committed to SQLite before its 202). Baseline: the same client and
requests against a bare asyncio HTTP server that answers at once, stores nothing. Then waits
until every event has run and reports enqueue-to-start latency (from the client's send to the
handler's first line) and how many ran more or less than once.

Bursts: each size in `--bursts` sends that many Event invocations at once to a fresh function
whose init imports boto3 (~350 ms of CPU), so far more cold starts are wanted than the host can
initialise at once. Every event must run exactly once, none fail or be dropped. Baseline: a
process pool of one worker per CPU, each importing boto3 as it starts, running as many no-op
tasks: the least this host needs to get through the burst. Reports the time from the first
send to the last handler's start against the pool's time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import time
import urllib.request
from collections import Counter

from _harness import (
    client,
    create_function,
    echo_server,
    lambda_client,
    log_messages,
    overcast_process,
    percentile,
)

RECORDER = """import time
def handler(event, context):
    print("RAN", event["i"], event["sent"], time.time())
"""
BOTO3_RECORDER = "import boto3  # the init: ~350 ms of CPU\n" + RECORDER
PATH = "/2015-03-31/functions/{name}/invocations"


async def _send(
    port: int,
    path: str,
    payloads: list[bytes],
    statuses: Counter,
    interval_s: float,
    phase_s: float = 0.0,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.perf_counter() + phase_s
    for n, body in enumerate(payloads):
        if interval_s:
            await asyncio.sleep(max(0.0, start + n * interval_s - time.perf_counter()))
        body = body.replace(b'"SENT"', str(time.time()).encode())
        writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(body)}\r\n"
                "X-Amz-Invocation-Type: Event\r\nContent-Type: application/json\r\n\r\n"
            ).encode()
            + body
        )
        head = await reader.readuntil(b"\r\n\r\n")
        statuses[int(head.split()[1])] += 1
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                await reader.readexactly(int(line.split(b":")[1]))
    writer.close()


def send_all(
    port: int, path: str, count: int, connections: int, rate: float = 0.0
) -> tuple[float, Counter]:
    """Send `count` events spread over `connections`, as fast as answered or at `rate` per
    second in all; return (seconds, statuses)."""
    interval_s = connections / rate if rate else 0.0
    payloads = [json.dumps({"i": i, "sent": "SENT"}).encode() for i in range(count)]
    shares = [payloads[k::connections] for k in range(connections)]
    statuses: Counter = Counter()

    async def run() -> None:
        # Connections start a fraction of the interval apart: arrivals evenly spaced.
        await asyncio.gather(
            *(
                _send(port, path, share, statuses, interval_s, k * interval_s / connections)
                for k, share in enumerate(shares)
            )
        )

    started = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - started, statuses


def runs(logs, name: str) -> list[tuple[int, float, float]]:
    """(i, sent, started) of every RAN line in the function's log."""
    lines = [m.split() for m in log_messages(logs, name) if m.startswith("RAN ")]
    return [(int(i), float(sent), float(started)) for _, i, sent, started in lines]


def wait_for_all(logs, name: str, count: int, timeout_s: float = 300.0) -> list:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            found = runs(logs, name)
        except logs.exceptions.ResourceNotFoundException:
            found = []
        if len({i for i, _, _ in found}) >= count or time.monotonic() > deadline:
            time.sleep(1.0)  # a moment more, so a duplicate would show
            return runs(logs, name)
        time.sleep(0.5)


def _import_boto3() -> None:
    import boto3  # noqa: F401


def _noop(i: int) -> int:
    return i


def process_pool_s(count: int) -> float:
    """Seconds for one fresh worker process per CPU, each importing boto3 first, to run
    `count` no-op tasks."""
    workers = len(os.sched_getaffinity(0))
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers, _import_boto3) as pool:
        pool.map(_noop, range(count), chunksize=1)
    return time.perf_counter() - started


def run_burst(endpoint: str, client, logs, count: int, connections: int) -> tuple[list, dict]:
    """`count` Event invokes at once of a fresh function whose init imports boto3; (runs,
    the function's row of the queue's stats once all have run or the wait gave up)."""
    name = f"boto3-burst-{count}"
    create_function(client, name, BOTO3_RECORDER, Timeout=30)
    port = int(endpoint.rsplit(":", 1)[1])
    send_all(port, PATH.format(name=name), count, connections)
    found = wait_for_all(logs, name, count)
    with urllib.request.urlopen(f"{endpoint}/_overcast/queue", timeout=10) as answer:
        stats = json.load(answer).get(f"us-east-1:{name}", {})
    return found, stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--paced", type=float, default=500.0, help="events/s of the paced run")
    parser.add_argument(
        "--bursts", default="200,1000", help="sizes of the bursts of a boto3-importing function"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.bursts.split(",") if size]

    with echo_server() as port:
        send_all(port, "/", 500, args.connections)  # warm up
        baseline_s, _ = send_all(port, "/", args.count, args.connections)
    process_pool_s(2)  # warm up: boto3's files into the page cache
    pool_s = {size: process_pool_s(size) for size in sizes}

    with overcast_process() as (endpoint, _):
        client, logs = lambda_client(endpoint), logs_client(endpoint)
        port = int(endpoint.rsplit(":", 1)[1])
        for name in ("burst", "paced"):
            create_function(client, name, RECORDER)
            client.invoke(FunctionName=name, Payload=b'{"i": -1, "sent": 0}')  # one warm env
        burst_s, statuses = send_all(port, PATH.format(name="burst"), args.count, args.connections)
        burst = wait_for_all(logs, "burst", args.count)
        paced_count = int(args.paced * 4)
        send_all(port, PATH.format(name="paced"), paced_count, args.connections, args.paced)
        paced = wait_for_all(logs, "paced", paced_count)
        bursts = {size: run_burst(endpoint, client, logs, size, args.connections) for size in sizes}

    baseline_rate, overcast_rate = args.count / baseline_s, args.count / burst_s
    print(f"asyncio server: {args.count} requests in {baseline_s:.2f} s = {baseline_rate:,.0f}/s")
    print(
        f"overcast: {args.count} async invokes accepted in {burst_s:.2f} s "
        f"= {overcast_rate:,.0f}/s (target >= 2,000/s); statuses {dict(statuses)}"
    )
    print(f"  ratio overcast/asyncio: {overcast_rate / baseline_rate:.2f}x")
    counts = Counter(i for i, _, _ in burst if i >= 0)
    once = sum(1 for n in counts.values() if n == 1)
    twice = sum(1 for n in counts.values() if n > 1)
    print(f"  ran exactly once: {once}; never: {args.count - len(counts)}; more: {twice}")
    print(f"  enqueue-to-start, all at once: {delays(burst)}")
    print(f"  enqueue-to-start, {paced_count} at {args.paced:g}/s: {delays(paced)} (p50 <= 5 ms)")
    for size, (found, stats) in bursts.items():
        print_burst(size, found, stats, pool_s[size])


def print_burst(size: int, found: list, stats: dict, pool_s: float) -> None:
    workers = len(os.sched_getaffinity(0))
    print(f"process pool, {workers} workers importing boto3, {size} no-op tasks: {pool_s:.2f} s")
    counts = Counter(i for i, _, _ in found)
    once = sum(1 for n in counts.values() if n == 1)
    more = sum(1 for n in counts.values() if n > 1)
    print(
        f"overcast: {size} Event invokes at once, init imports boto3: ran exactly once {once}; "
        f"never {size - len(counts)}; more {more}; failed {stats.get('failed', 0)}, "
        f"dropped {stats.get('dropped', 0)} (target: all exactly once)"
    )
    if found:
        span_s = max(started for _, _, started in found) - min(sent for _, sent, _ in found)
        print(f"  first send to last handler start: {span_s:.2f} s; {delays(found)}")
        print(f"  ratio overcast/process pool: {span_s / pool_s:.2f}x")


def delays(found: list[tuple[int, float, float]]) -> str:
    samples = [(started - sent) * 1000 for i, sent, started in found if i >= 0]
    if not samples:
        return "none ran"
    p = lambda q: percentile(samples, q)  # noqa: E731
    return f"p50 {p(0.5):.1f} ms  p90 {p(0.9):.1f} ms  p99 {p(0.99):.1f} ms"


def logs_client(endpoint: str):
    return client(endpoint, "logs")


if __name__ == "__main__":
    main()
