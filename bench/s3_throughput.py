"""S3 PutObject throughput against writing the same bytes to a file, and put -> handler latency.

    python bench/s3_throughput.py [--small-count 2000] [--large-mb 100] [--large-count 5]
                                  [--events 200]

Baseline (same run, same disk): each body written to a new file in a folder beside the
server's data, as a plain `open/write/close` (no fsync; the server does not fsync either:
its writes survive kill -9, not power loss).

Overcast, two clients:
- raw: a minimal keep-alive HTTP/1.1 client sending `PUT /<bucket>/<key>` with an unsigned
  payload: what the server itself sustains;
- boto3: `put_object`, as applications call it (the client also computes a CRC32 and, over
  plain HTTP, the SHA-256 of the body for its signature).

Then put -> handler: a function subscribed to the bucket's ObjectCreated events logs the
time its handler starts; p50/p90 of (handler start - client send), puts paced at 20/s.

The MD5 line is a second reference: S3's ETag is the MD5 of the body and must be in the
PUT's answer, so no PutObject can beat hashing the bytes once. The server hashes and writes
on a worker thread while it reads the next megabyte from the socket; on a 2-core machine the
client, the socket copies and MD5 share the cores, and MD5 (~0.75 GB/s) sets the pace.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import socket
import statistics
import tempfile
import time
from pathlib import Path

from _harness import (
    allow,
    client,
    create_function,
    lambda_client,
    log_messages,
    overcast_process,
    percentile,
    s3_authorization,
)

RECORDER = """import json, time
def handler(event, context):
    print("STARTED", time.time(), event["Records"][0]["s3"]["object"]["key"])
"""


class RawS3Client:
    """Keep-alive PUTs with the least client work Python allows."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        port = int(endpoint.rsplit(":", 1)[1])
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def signed(self, path: str) -> str:
        """The signature lines of a PUT to `path`: made before the timed loop."""
        return s3_authorization(self.endpoint, "PUT", path)

    def put(self, path: str, body: bytes, signature: str | None = None) -> int:
        signature = signature or self.signed(path)
        host = self.endpoint.removeprefix("http://")
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n{signature}\r\n"
        ).encode()
        if len(body) < 65536:
            self.sock.sendall(head + body)
        else:
            self.sock.sendall(head)
            self.sock.sendall(body)
        status = int(self.file.readline().split()[1])
        length = 0
        while (line := self.file.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        self.file.read(length)
        return status

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def s3_client(endpoint: str):
    return client(endpoint, "s3")


def file_writes(folder: Path, body: bytes, count: int) -> list[float]:
    """Seconds per write of `body` to a new file."""
    samples = []
    for n in range(count):
        path = folder / f"f{n}"
        started = time.perf_counter()
        with open(path, "wb") as out:
            out.write(body)
        samples.append(time.perf_counter() - started)
        if len(body) > 1024 * 1024:
            path.unlink()
    return samples


def timed(fn, count: int) -> list[float]:
    samples = []
    for n in range(count):
        started = time.perf_counter()
        fn(n)
        samples.append(time.perf_counter() - started)
    return samples


def rate(label: str, size: int, samples: list[float]) -> float:
    """Print and return MB/s from the median duration."""
    median = statistics.median(samples)
    mb_s = size / median / 1e6
    per_s = 1 / median
    print(f"  {label:<28} median {median * 1000:8.3f} ms  {mb_s:9.1f} MB/s  {per_s:9.0f} puts/s")
    return mb_s


def md5s(body: bytes, count: int) -> list[float]:
    return timed(lambda n: hashlib.md5(body).digest(), count)


def measure(endpoint: str, folder: Path, size: int, count: int) -> None:
    body = os.urandom(size)
    print(f"{size:,} bytes, {count} times:")
    file_writes(folder, body, 2)  # warm up: the first large write also allocates page cache
    base = rate("file write (baseline)", size, file_writes(folder, body, count))
    rate("MD5 of the bytes (the ETag)", size, md5s(body, count))
    raw = RawS3Client(endpoint)
    s3 = s3_client(endpoint)
    bucket = f"bench-{size}"
    s3.create_bucket(Bucket=bucket)
    raw.put(f"/{bucket}/warm", body)
    signatures = [raw.signed(f"/{bucket}/r{n}") for n in range(count)]
    raw_rate = rate(
        "overcast, raw HTTP client",
        size,
        timed(lambda n: raw.put(f"/{bucket}/r{n}", body, signatures[n]), count),
    )
    boto_rate = rate(
        "overcast, boto3 put_object",
        size,
        timed(lambda n: s3.put_object(Bucket=bucket, Key=f"b{n}", Body=body), count),
    )
    raw.close()
    print(f"  ratio raw/file: {raw_rate / base:.2f}x   boto3/file: {boto_rate / base:.2f}x")


def put_to_handler(endpoint: str, count: int) -> None:
    functions, s3 = lambda_client(endpoint), s3_client(endpoint)
    create_function(functions, "on-put", RECORDER)
    arn = functions.get_function(FunctionName="on-put")["Configuration"]["FunctionArn"]
    s3.create_bucket(Bucket="events")
    allow(functions, "on-put", "s3.amazonaws.com", "arn:aws:s3:::events")
    s3.put_bucket_notification_configuration(
        Bucket="events",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    s3.put_object(Bucket="events", Key="warm", Body=b"x")  # one warm environment
    sent: dict[str, float] = {}
    for n in range(count):
        key = f"k{n}"
        sent[key] = time.time()
        s3.put_object(Bucket="events", Key=key, Body=b"x" * 1024)
        time.sleep(0.05)  # pacing the load (20 puts/s), not synchronising
    logs = client(endpoint, "logs")
    started = _handler_starts(logs, count)
    delays = [(started[k] - sent[k]) * 1000 for k in sent if k in started]
    print(
        f"put -> handler start ({len(delays)}/{count} events): "
        f"p50 {percentile(delays, 0.5):.1f} ms  p90 {percentile(delays, 0.9):.1f} ms"
    )


def _handler_starts(logs, count: int) -> dict[str, float]:
    deadline = time.monotonic() + 60
    while True:
        found = {}
        for message in log_messages(logs, "on-put"):
            if message.startswith("STARTED "):
                _, at, key = message.split()
                found[key] = float(at)
        if len(found) >= count + 1 or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small-count", type=int, default=2000)
    parser.add_argument("--large-mb", type=int, default=100)
    parser.add_argument("--large-count", type=int, default=5)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.path.expanduser("~")) as scratch:
        data, files = Path(scratch) / "data", Path(scratch) / "files"
        files.mkdir()
        with overcast_process(data_dir=str(data)) as (endpoint, _):
            measure(endpoint, files, 1024, args.small_count)
            measure(endpoint, files, args.large_mb * 1_000_000, args.large_count)
            put_to_handler(endpoint, args.events)
    print("target: raw/file >= 0.5x for the large object")


if __name__ == "__main__":
    main()
