"""Topic fan-out: from Publish to each subscribed function's handler starting.

    python bench/sns_fanout.py [--subscribers 4] [--count 200] [--rate 20]

N functions (warm) subscribe to one topic; `count` messages are published at `rate` per
second with boto3, each carrying the time it was sent. Every function logs when its handler
starts. Baseline, in the same run and with the same client and pacing: direct asynchronous
invokes (InvocationType=Event) of one of those functions, the path a topic's deliveries also
end on. Reported: publish-to-start per delivery and to the last of the N subscribers, and
the ratio of their p50 to the baseline's.
"""

from __future__ import annotations

import argparse
import json
import time

from _harness import (
    allow,
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
    if "Records" in event:
        event = json.loads(event["Records"][0]["Sns"]["Message"])
    print("RAN", event["i"], event["sent"], started)
"""


def paced(count: int, rate: float, send) -> None:
    """Call send(i, sent_at) `count` times, `rate` per second."""
    start = time.perf_counter()
    for i in range(count):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        send(i, time.time())


def runs(logs, name: str) -> list[tuple[int, float, float]]:
    """(i, sent, started) of every RAN line in the function's log."""
    try:
        lines = [m.split() for m in log_messages(logs, name) if m.startswith("RAN ")]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [(int(i), float(sent), float(started)) for _, i, sent, started in lines]


def wait_for_runs(logs, names: list[str], count: int, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        found = {name: [r for r in runs(logs, name) if r[0] >= 0] for name in names}
        if all(len(r) >= count for r in found.values()) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def describe(samples: list[float]) -> str:
    if not samples:
        return "none ran"
    p = lambda q: percentile(samples, q)  # noqa: E731
    return f"p50 {p(0.5):.1f} ms  p90 {p(0.9):.1f} ms  p99 {p(0.99):.1f} ms  (n={len(samples)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=4)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="messages (invokes) per second")
    args = parser.parse_args()

    with overcast_process() as (endpoint, _):
        functions, logs = lambda_client(endpoint), client(endpoint, "logs")
        sns = client(endpoint, "sns")
        names = [f"subscriber-{n}" for n in range(args.subscribers)]
        for name in [*names, "direct"]:
            create_function(functions, name, RECORDER)
            functions.invoke(FunctionName=name, Payload=b'{"i": -1, "sent": 0}')  # warm

        def invoke(i: int, sent: float) -> None:
            payload = json.dumps({"i": i, "sent": sent}).encode()
            functions.invoke(FunctionName="direct", InvocationType="Event", Payload=payload)

        paced(args.count, args.rate, invoke)
        direct = wait_for_runs(logs, ["direct"], args.count)["direct"]

        topic = sns.create_topic(Name="fanout")["TopicArn"]
        for name in names:
            arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
            allow(functions, name, "sns.amazonaws.com", topic)
            sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)

        def publish(i: int, sent: float) -> None:
            sns.publish(TopicArn=topic, Message=json.dumps({"i": i, "sent": sent}))

        paced(args.count, args.rate, publish)
        fanned = wait_for_runs(logs, names, args.count)

    baseline = [(started - sent) * 1000 for _, sent, started in direct]
    deliveries = [(s - sent) * 1000 for found in fanned.values() for _, sent, s in found]
    last: dict[int, float] = {}
    for found in fanned.values():
        for i, sent, started in found:
            last[i] = max(last.get(i, 0.0), (started - sent) * 1000)
    print(f"direct async invoke, send to handler start: {describe(baseline)}")
    print(f"publish to each of {args.subscribers} subscribers' start: {describe(deliveries)}")
    print(f"publish to the last subscriber's start:     {describe(list(last.values()))}")
    if baseline and deliveries:
        ratio = percentile(deliveries, 0.5) / percentile(baseline, 0.5)
        slowest = percentile(list(last.values()), 0.5) / percentile(baseline, 0.5)
        print(f"  ratio of p50s, fan-out/direct: {ratio:.2f}x (last subscriber: {slowest:.2f}x)")
    missing = args.count * args.subscribers - len(deliveries)
    print(f"  deliveries missing: {missing}")


if __name__ == "__main__":
    main()
