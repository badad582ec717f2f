"""CPU and page faults per cold start, in every process of the server (perf stat, inherited).

    python bench/cold_start_cpu.py [--count 30]

Wall time on a shared 2-CPU host is noisy; the CPU a cold start costs (the server's threads,
the zygote's fork, the environment, and making the spare that replaces it) is steadier. The
counters are enabled only around the cold starts (perf's --control fifo), after the functions
are created and the zygote is warm. For an A/B of a change, run this in both trees, in turn,
a few times each (paired runs), and compare the figures. Needs `perf` (linux-perf).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

from _harness import (
    RawHttpClient,
    authorization,
    create_function,
    free_port,
    lambda_client,
    register,
    summary,
    timed,
    wait_for,
)

TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"
EVENTS = ("task-clock", "page-faults", "context-switches")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        control, ack, out = (os.path.join(scratch, name) for name in ("ctl", "ack", "perf"))
        os.mkfifo(control)
        os.mkfifo(ack)
        port = free_port()
        data_dir = os.path.join(scratch, "data")
        server = [sys.executable, "-m", "overcast.cli.main", "server", "--port", str(port)]
        server += ["--tls-port", "0", "--data-dir", data_dir, "--log-level", "warning"]
        perf = ["perf", "stat", "-x,", "-o", out, "-e", ",".join(EVENTS), "-D", "-1"]
        perf += ["--control", f"fifo:{control},{ack}", "--"]
        process = subprocess.Popen(
            [*perf, *server], start_new_session=True, stdout=subprocess.DEVNULL
        )
        to_perf, from_perf = os.open(control, os.O_WRONLY), os.open(ack, os.O_RDONLY)
        endpoint = f"http://127.0.0.1:{port}"
        register(endpoint, data_dir)
        try:
            wait_for(f"{endpoint}/_overcast/health", 60)
            samples = cold_starts(endpoint, port, args.count, to_perf, from_perf)
        finally:
            os.killpg(process.pid, signal.SIGINT)  # perf writes its counts as it ends
            process.wait(timeout=60)
        counts = perf_counts(out)
    print(f"overcast cold invoke: {summary(samples)}")
    for event in EVENTS:
        print(f"  {event:17s} per cold start: {counts[event] / args.count:9.2f}")


def cold_starts(endpoint: str, port: int, count: int, to_perf: int, from_perf: int):
    client = lambda_client(endpoint)
    names = [f"cold-{i}" for i in range(count + 3)]
    for name in names:
        create_function(client, name, TRIVIAL)
        authorization(port, "POST", f"/2015-03-31/functions/{name}/invocations", b"")
    http = RawHttpClient("127.0.0.1", port)

    def first_invoke(name: str) -> None:
        status, body = http.request("POST", f"/2015-03-31/functions/{name}/invocations")
        assert status == 200, (status, body)

    for name in names[:3]:  # the zygote starts with the first invoke ever: warm it up
        first_invoke(name)
    time.sleep(1.0)  # the spares are made before counting starts
    remaining = iter(names[3:])
    tell(to_perf, from_perf, "enable")
    samples = timed(lambda: first_invoke(next(remaining)), count, 0.05)
    time.sleep(0.5)  # the spares replacing the ones taken are part of a cold start's cost
    tell(to_perf, from_perf, "disable")
    http.close()
    return samples


def tell(to_perf: int, from_perf: int, word: str) -> None:
    os.write(to_perf, word.encode() + b"\n")
    os.read(from_perf, 16)  # perf's "ack"


def perf_counts(path: str) -> dict[str, float]:
    counts = {}
    for line in open(path).read().splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2] in EVENTS:
            counts[fields[2]] = float(fields[0])
    return counts


if __name__ == "__main__":
    main()
