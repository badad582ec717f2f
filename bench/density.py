"""Density: how fast N warm environments of one function come up, and what each costs idle.

    python bench/density.py [--count 1000] [--hold 10] [--baseline-count 100] [--settle 3]

N concurrent sync invokes of a function that holds its environment for --hold seconds make N
environments (keep N <= 1000: Lambda's account concurrency and scaling burst). Once they are
idle, the PSS of the environment processes (the zygote's children) is compared with that of
bare interpreters, `python -I -c 'import time; time.sleep(...)'`, all running at once.
Targets (issue 3): PSS per environment <= 10 MB; 0 -> 1,000 environments in <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _harness import (
    SLEEPER,
    available_kb,
    create_function,
    environment_pids,
    environments_seen,
    lambda_client,
    memory_kb,
    outcome,
    overcast_process,
    post_all_at_once,
    still_running,
)

MB = 1024.0  # kB per MB


def bare_python(count: int, settle_s: float) -> tuple[float, float]:
    """PSS and RSS per process, in MB, of `count` idle bare interpreters running at once."""
    code = "import time; print(flush=True); time.sleep(120)"
    processes = [
        subprocess.Popen([sys.executable, "-I", "-c", code], stdout=subprocess.PIPE)
        for _ in range(count)
    ]
    try:
        for process in processes:
            process.stdout.readline()
        time.sleep(settle_s)
        pss, rss = memory_kb([p.pid for p in processes])
    finally:
        for process in processes:
            process.kill()
            process.wait()
    return pss / count / MB, rss / count / MB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=10.0, help="seconds each invoke holds")
    parser.add_argument("--baseline-count", type=int, default=100)
    parser.add_argument("--settle", type=float, default=3.0, help="idle seconds before measuring")
    parser.add_argument(
        "--no-isolation", action="store_true", help="run the server unisolated, for comparison"
    )
    args = parser.parse_args()

    base_pss, base_rss = bare_python(args.baseline_count, args.settle)

    flags = ["--keep-alive", "600", *(["--no-isolation"] if args.no_isolation else [])]
    with overcast_process(*flags) as (endpoint, server):
        create_function(lambda_client(endpoint), "density", SLEEPER, MemorySize=128, Timeout=60)
        port = int(endpoint.rsplit(":", 1)[1])
        body = json.dumps({"sleep": args.hold}).encode()
        available_before = available_kb()
        sent_at, wall_s, replies = post_all_at_once(
            port, "/2015-03-31/functions/density/invocations", [body] * args.count, args.hold + 120
        )
        time.sleep(args.settle)
        environments = environment_pids(server.pid)
        pss, rss = memory_kb(environments)
        host_used = available_before - available_kb()
    leftover = still_running(environments)

    count = max(1, len(environments))
    env_pss, env_rss, host_mb = pss / count / MB, rss / count / MB, host_used / count / MB
    distinct, last_start_s = environments_seen(sent_at, replies)
    succeeded = sum(r.ok for r in replies)
    more_hold = "  (fewer than succeeded: raise --hold)" if distinct < succeeded else ""
    print(f"bare python -I, {args.baseline_count} at once: ", end="")
    print(f"PSS {base_pss:.2f} MB  RSS {base_rss:.2f} MB each")
    print(f"overcast, {args.count} concurrent invokes holding {args.hold:g} s: {outcome(replies)}")
    print(f"  distinct environments that answered: {distinct}{more_hold}")
    print(f"  0 -> {distinct} running (send to last handler start): {last_start_s:.2f} s", end="")
    print("   target 0 -> 1,000 <= 5 s")
    print(f"  all answered: {wall_s:.2f} s (each held {args.hold:g} s)")
    print(f"  idle after {args.settle:g} s: {len(environments)} environment processes, ", end="")
    print(f"PSS {env_pss:.2f} MB  RSS {env_rss:.2f} MB each   target PSS <= 10 MB")
    print(f"  host MemAvailable drop per environment (server's growth too): {host_mb:.2f} MB")
    print(f"  environments left running after the server stopped (5 s grace): {len(leftover)}")
    print(f"ratio (PSS per environment / PSS per bare python): {env_pss / base_pss:.2f}x")


if __name__ == "__main__":
    main()
