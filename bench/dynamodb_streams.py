"""DynamoDB Streams to functions: how soon an item write starts a handler, and how many
records/s a stream event source mapping delivers.

    python bench/dynamodb_streams.py [--count 10000] [--latency-count 200] [--rate 20]

Latency: `latency-count` PutItems are sent with boto3 at `rate` per second to a table whose
stream is mapped (BatchSize 1) to a warm function; each handler logs when it starts. Reported:
from put_item returning (and from it being called) to the handler starting. Baseline, same
client and pacing: direct asynchronous invokes (InvocationType=Event) of the same function,
from the invoke call. Target (issue 17): p50 <= 20 ms.

Throughput: `count` items are written with BatchWriteItem while the mapping is disabled; then
it is enabled (BatchSize 100, TRIM_HORIZON) and timed until the handler has seen the last
record (one shard, in order: the last record's batch is the last batch). Baseline, same server,
same function: the same number of synchronous invokes, each with a 100-record event, one after
another (one shard's batches are delivered one at a time). Target: >= 3,000 records/s.
"""

from __future__ import annotations

import argparse
import json
import time

from _harness import client, create_function, lambda_client, log_messages, percentile, timed
from _harness import overcast_process as overcast
from botocore.exceptions import ClientError

from overcast.cli.default_role import execution_role

STREAM_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"
RECORDER = """import time
def handler(event, context):
    started = time.time()
    for record in event["Records"]:
        print("RAN", record["dynamodb"]["Keys"]["pk"]["S"], started)
"""
EVENT_RECORDER = """import time
def handler(event, context):
    print("RAN", event["i"], time.time())
"""
LAST = """import time
def handler(event, context):
    if any(r["dynamodb"]["Keys"]["pk"]["S"] == "last" for r in event["Records"]):
        print("LAST", time.time())
"""


def stream_table(ddb, name: str) -> str:
    arn = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    ddb.get_waiter("table_exists").wait(TableName=name)
    return arn


def started_at(logs, name: str, mark: str = "RAN") -> dict[str, float]:
    """key -> when its handler started, from the function's `mark` lines."""
    found: dict[str, float] = {}
    try:
        for message in log_messages(logs, name):
            if message.startswith(mark + " "):
                parts = message.split()
                found.setdefault(parts[1] if len(parts) == 3 else mark, float(parts[-1]))
    except logs.exceptions.ResourceNotFoundException:
        pass  # no log group yet: nothing ran
    return found


def wait_for_runs(logs, name: str, count: int, mark: str = "RAN", timeout_s: float = 120.0):
    deadline = time.monotonic() + timeout_s
    while True:
        found = started_at(logs, name, mark)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def wait_enabled(lam, uuid: str) -> None:
    deadline = time.monotonic() + 60
    while lam.get_event_source_mapping(UUID=uuid)["State"] != "Enabled":
        if time.monotonic() > deadline:
            raise TimeoutError(uuid)
        time.sleep(0.05)


def paced(count: int, rate: float, send) -> list[tuple[float, float]]:
    """Call send(i) `count` times, `rate` per second; (called, returned) times of each."""
    times, start = [], time.perf_counter()
    for i in range(count):
        time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        called = time.time()
        send(i)
        times.append((called, time.time()))
    return times


def delays(times, started: dict[str, float], which: int) -> list[float]:
    return [(started[str(i)] - t[which]) * 1000 for i, t in enumerate(times) if str(i) in started]


def stats(samples: list[float]) -> str:
    if not samples:
        return "none ran"
    p = lambda q: percentile(samples, q)  # noqa: E731
    return f"p50 {p(0.5):.1f} ms  p90 {p(0.9):.1f} ms  p99 {p(0.99):.1f} ms"


def latency(endpoint: str, role: str, count: int, rate: float) -> None:
    lam, ddb, logs = lambda_client(endpoint), client(endpoint, "dynamodb"), client(endpoint, "logs")
    create_function(lam, "streamed", RECORDER, Role=role)
    create_function(lam, "direct", EVENT_RECORDER)
    arn = stream_table(ddb, "latency")
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="streamed", StartingPosition="LATEST", BatchSize=1
    )["UUID"]
    wait_enabled(lam, uuid)
    ddb.put_item(TableName="latency", Item={"pk": {"S": "warm"}})  # a warm environment
    lam.invoke(FunctionName="direct", Payload=b'{"i": -1}')
    wait_for_runs(logs, "streamed", 1)

    def put(i: int) -> None:
        ddb.put_item(TableName="latency", Item={"pk": {"S": str(i)}})

    def invoke(i: int) -> None:
        lam.invoke(FunctionName="direct", InvocationType="Event", Payload=json.dumps({"i": i}))

    direct_times = paced(count, rate, invoke)
    streamed_times = paced(count, rate, put)
    direct = wait_for_runs(logs, "direct", count + 1)
    streamed = wait_for_runs(logs, "streamed", count + 1)
    baseline = delays(direct_times, direct, 0)
    from_return = delays(streamed_times, streamed, 1)
    from_call = delays(streamed_times, streamed, 0)
    print(f"direct Event invoke called -> handler start: {stats(baseline)}")
    print(f"put_item returning -> handler start: {stats(from_return)} (target p50 <= 20 ms)")
    print(f"put_item called -> handler start:    {stats(from_call)}")
    if baseline and from_call:
        ratio = percentile(from_call, 0.5) / max(percentile(baseline, 0.5), 0.001)
        print(f"  ratio of p50s from the call, stream/direct invoke: {ratio:.2f}x")


def fill(ddb, table: str, count: int) -> None:
    for start in range(0, count, 25):
        keys = [str(i) for i in range(start, min(start + 25, count))]
        if start + 25 >= count:
            keys[-1] = "last"
        requests = [{"PutRequest": {"Item": {"pk": {"S": k}, "v": {"N": "1"}}}} for k in keys]
        answer = ddb.batch_write_item(RequestItems={table: requests})
        assert not answer["UnprocessedItems"], answer


def drain_time(endpoint: str, role: str, count: int) -> float:
    lam, ddb, logs = lambda_client(endpoint), client(endpoint, "dynamodb"), client(endpoint, "logs")
    create_function(lam, "drainer", LAST, Role=role)
    arn = stream_table(ddb, "throughput")
    uuid = lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="drainer",
        StartingPosition="TRIM_HORIZON",
        BatchSize=100,
        Enabled=False,
    )["UUID"]
    started = time.perf_counter()
    fill(ddb, "throughput", count)
    written_s = time.perf_counter() - started
    rate = count / written_s
    print(f"BatchWriteItem: {count} items written in {written_s:.2f} s = {rate:,.0f}/s")
    enabled_at = time.time()
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    done = wait_for_runs(logs, "drainer", 1, mark="LAST", timeout_s=300)
    if not done:
        raise TimeoutError("the mapping did not deliver the last record")
    return done["LAST"] - enabled_at


def invoke_time(endpoint: str, count: int) -> float:
    """The baseline: the same number of 100-record events, invoked one after another."""
    lam = lambda_client(endpoint)
    record = {
        "eventID": "0",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {"Keys": {"pk": {"S": "0"}}, "NewImage": {"pk": {"S": "0"}, "v": {"N": "1"}},
                     "SequenceNumber": "1", "SizeBytes": 20, "StreamViewType": "NEW_IMAGE"},
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/throughput/stream/x",
    }  # fmt: skip
    payload = json.dumps({"Records": [record] * 100}).encode()
    samples = timed(lambda: lam.invoke(FunctionName="drainer", Payload=payload), count // 100)
    return sum(samples) / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--latency-count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="writes/s when pacing")
    args = parser.parse_args()

    with overcast() as (endpoint, _):
        try:
            role = execution_role(client(endpoint, "iam"), "bench-streams", STREAM_POLICY)
        except ClientError as exc:
            raise SystemExit(f"cannot make the stream reader role: {exc}") from exc
        latency(endpoint, role, args.latency_count, args.rate)
        drained_s = drain_time(endpoint, role, args.count)
        invoked_s = invoke_time(endpoint, args.count)
    mapping_rate, invoke_rate = args.count / drained_s, args.count / invoked_s
    print(
        f"stream mapping (BatchSize 100): {args.count} records in {drained_s:.2f} s "
        f"= {mapping_rate:,.0f} records/s (target >= 3,000/s)"
    )
    print(
        f"direct invokes of {args.count // 100} 100-record events, one at a time: "
        f"{invoked_s:.2f} s = {invoke_rate:,.0f} records/s"
    )
    print(f"  ratio mapping/direct invokes: {mapping_rate / invoke_rate:.2f}x")


if __name__ == "__main__":
    main()
