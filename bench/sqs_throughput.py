"""Queues to functions: how soon a sent message starts a handler, and how many messages/s an
event source mapping drains.

    python bench/sqs_throughput.py [--count 10000] [--latency-count 200] [--rate 20]

Latency: `latency-count` messages are sent with boto3 at `rate` per second to a queue mapped
to a warm function; each handler logs when it starts. Reported: from send_message returning
(and from it being called) to the handler starting. Baseline, same client and pacing: direct
asynchronous invokes (InvocationType=Event) of the same function, from the invoke call.

Throughput: `count` messages are queued with SendMessageBatch while the mapping is disabled;
then it is enabled (BatchSize 10) and timed until the queue is empty. Baseline, same server,
same function, same batches: `count / 10` synchronous invokes, each with a 10-record SQS
event, from 5 keep-alive connections (the concurrency a mapping polls with).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from _harness import (
    client,
    create_function,
    lambda_client,
    log_messages,
    overcast_process,
    percentile,
)

RECORDER = """import json, time
def handler(event, context):
    started = time.time()
    for record in event["Records"]:
        body = json.loads(record["body"])
        print("RAN", body["i"], started)
"""
NOOP = "def handler(event, context):\n    return None\n"
EVENT_RECORDER = """import time
def handler(event, context):
    print("RAN", event["i"], time.time())
"""
CONNECTIONS = 5


def started_at(logs, name: str) -> dict[int, float]:
    """i -> when its handler started, from the RAN lines of the function's log."""
    found: dict[int, float] = {}
    try:
        for message in log_messages(logs, name):
            if message.startswith("RAN "):
                _, i, started = message.split()
                found.setdefault(int(i), float(started))
    except logs.exceptions.ResourceNotFoundException:
        pass  # no log group yet: nothing ran
    return found


def wait_for_runs(logs, name: str, count: int, timeout_s: float = 60.0) -> dict[int, float]:
    deadline = time.monotonic() + timeout_s
    while True:
        found = started_at(logs, name)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def paced(count: int, rate: float, send) -> list[tuple[float, float]]:
    """Call send(i) `count` times, `rate` per second; (called, returned) times of each."""
    times, start = [], time.perf_counter()
    for i in range(count):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        called = time.time()
        send(i)
        times.append((called, time.time()))
    return times


def delays(times: list[tuple[float, float]], started: dict[int, float], which: int) -> list[float]:
    return [(started[i] - t[which]) * 1000 for i, t in enumerate(times) if i in started]


def stats(samples: list[float]) -> str:
    if not samples:
        return "none ran"
    p = lambda q: percentile(samples, q)  # noqa: E731
    return f"p50 {p(0.5):.1f} ms  p90 {p(0.9):.1f} ms  p99 {p(0.99):.1f} ms"


def latency(endpoint: str, count: int, rate: float) -> None:
    lam, sqs, logs = lambda_client(endpoint), client(endpoint, "sqs"), client(endpoint, "logs")
    create_function(lam, "queued", RECORDER)
    create_function(lam, "direct", EVENT_RECORDER)
    url = sqs.create_queue(QueueName="latency")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    lam.create_event_source_mapping(EventSourceArn=arn["QueueArn"], FunctionName="queued")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"i": -1}))  # a warm environment
    lam.invoke(FunctionName="direct", Payload=b'{"i": -1}')
    wait_for_runs(logs, "queued", 1)

    def send(i: int) -> None:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"i": i}))

    def invoke(i: int) -> None:
        lam.invoke(FunctionName="direct", InvocationType="Event", Payload=json.dumps({"i": i}))

    direct_times = paced(count, rate, invoke)
    queued_times = paced(count, rate, send)
    direct = wait_for_runs(logs, "direct", count + 1)
    queued = wait_for_runs(logs, "queued", count + 1)
    # From the call, not its return: an Event invoke's handler may start before its 202 is
    # read (the event is scheduled as soon as it is committed), so "returning" can be < 0.
    baseline = delays(direct_times, direct, 0)
    from_return, from_call = delays(queued_times, queued, 1), delays(queued_times, queued, 0)
    print(f"direct Event invoke called -> handler start: {stats(baseline)}")
    print(f"send_message returning -> handler start: {stats(from_return)} (target p50 <= 20 ms)")
    print(f"send_message called -> handler start:    {stats(from_call)}")
    if baseline and from_call:
        ratio = percentile(from_call, 0.5) / max(percentile(baseline, 0.5), 0.001)
        print(f"  ratio of p50s from the call, queue/direct invoke: {ratio:.2f}x")


def fill(sqs, url: str, count: int) -> float:
    started = time.perf_counter()
    for start in range(0, count, 10):
        entries = [
            {"Id": str(i), "MessageBody": json.dumps({"i": i})}
            for i in range(start, min(start + 10, count))
        ]
        answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert not answer.get("Failed"), answer["Failed"]
    return time.perf_counter() - started


def queued(sqs, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(found[n]) for n in names)


def drain_time(endpoint: str, count: int) -> float:
    lam, sqs = lambda_client(endpoint), client(endpoint, "sqs")
    create_function(lam, "drainer", NOOP)
    url = sqs.create_queue(QueueName="throughput")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn["QueueArn"], FunctionName="drainer", BatchSize=10, Enabled=False
    )["UUID"]
    sent_s = fill(sqs, url, count)
    print(f"SendMessageBatch: {count} messages queued in {sent_s:.2f} s = {count / sent_s:,.0f}/s")
    started = time.perf_counter()
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    while queued(sqs, url):
        time.sleep(0.01)
    return time.perf_counter() - started


async def _invoke_all(port: int, bodies: list[bytes]) -> None:
    path = "/2015-03-31/functions/drainer/invocations"

    async def connection(share: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for body in share:
            head = f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(body)}\r\n\r\n"
            writer.write(head.encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.split()[1] == b"200", head
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
        writer.close()

    await asyncio.gather(*(connection(bodies[k::CONNECTIONS]) for k in range(CONNECTIONS)))


def invoke_time(endpoint: str, count: int) -> float:
    """The baseline: the same batches as direct synchronous invokes."""
    record = {
        "messageId": "0",
        "receiptHandle": "r",
        "body": "",
        "attributes": {},
        "messageAttributes": {},
        "md5OfMessageAttributes": None,
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:throughput",
        "awsRegion": "us-east-1",
    }
    bodies = [
        json.dumps(
            {"Records": [{**record, "body": json.dumps({"i": i})} for i in range(n, n + 10)]}
        ).encode()
        for n in range(0, count, 10)
    ]
    started = time.perf_counter()
    asyncio.run(_invoke_all(int(endpoint.rsplit(":", 1)[1]), bodies))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--latency-count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="messages/s when pacing")
    args = parser.parse_args()

    with overcast_process() as (endpoint, _):
        latency(endpoint, args.latency_count, args.rate)
        drained_s = drain_time(endpoint, args.count)
        invoked_s = invoke_time(endpoint, args.count)
    mapping_rate, invoke_rate = args.count / drained_s, args.count / invoked_s
    print(
        f"event source mapping (BatchSize 10): {args.count} messages in {drained_s:.2f} s "
        f"= {mapping_rate:,.0f} messages/s (target >= 3,000/s)"
    )
    print(
        f"direct invokes of the same batches ({CONNECTIONS} connections): {invoked_s:.2f} s "
        f"= {invoke_rate:,.0f} messages/s"
    )
    print(f"  ratio mapping/direct invokes: {mapping_rate / invoke_rate:.2f}x")


if __name__ == "__main__":
    main()
