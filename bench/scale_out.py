"""Scale-out: N concurrent sync invokes of a fresh function that sleeps 100 ms, from cold.

    python bench/scale_out.py [--count 200] [--sleep 0.1]

Every invoke must succeed (200, no X-Amz-Function-Error). Baseline: the same N concurrent
requests, same client, against a bare asyncio HTTP server that sleeps as long before answering.
Reports Overcast's wall time / the baseline's, and when the last environment was running.
"""

from __future__ import annotations

import argparse
import json

from _harness import (
    SLEEPER,
    create_function,
    echo_server,
    environment_pids,
    environments_seen,
    lambda_client,
    outcome,
    overcast_process,
    post_all_at_once,
    still_running,
    summary,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--sleep", type=float, default=0.1, help="seconds each invoke sleeps")
    args = parser.parse_args()
    body = json.dumps({"sleep": args.sleep}).encode()
    bodies = [body] * args.count

    with echo_server(args.sleep) as port:
        post_all_at_once(port, "/", bodies[:10])  # warm up
        _, baseline_s, baseline = post_all_at_once(port, "/", bodies)

    with overcast_process() as (endpoint, server):
        client = lambda_client(endpoint)
        create_function(client, "warmup", SLEEPER)
        create_function(client, "scale", SLEEPER, Timeout=30)
        port = int(endpoint.rsplit(":", 1)[1])
        post_all_at_once(port, "/2015-03-31/functions/warmup/invocations", [b'{"sleep": 0}'])
        sent_at, overcast_s, replies = post_all_at_once(
            port, "/2015-03-31/functions/scale/invocations", bodies
        )
        environments = environment_pids(server.pid)
    leftover = still_running(environments)

    distinct, last_start_s = environments_seen(sent_at, replies)
    print(f"asyncio server sleeping {args.sleep:g} s, {args.count} at once: ", end="")
    print(f"{outcome(baseline)}; wall {baseline_s:.3f} s")
    print(f"  latency {summary([r.latency_ms for r in baseline])}")
    print(f"overcast, {args.count} concurrent cold invokes: ", end="")
    print(f"{outcome(replies)}; wall {overcast_s:.3f} s")
    print(f"  latency {summary([r.latency_ms for r in replies])}")
    print(f"  {distinct} distinct environments; send to last handler start {last_start_s:.3f} s")
    print(f"  environments left running after the server stopped (5 s grace): {len(leftover)}")
    print(f"ratio (wall overcast / wall asyncio server): {overcast_s / baseline_s:.2f}x")


if __name__ == "__main__":
    main()
