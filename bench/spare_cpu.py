"""What a spare environment costs in CPU before any function needs it, vs spawning Python.

    python bench/spare_cpu.py [--count 20]

A cold start takes a spare that the zygote forked and confined ahead of need, and the spare
that replaces it is prepared on the same CPUs: in a run of cold starts back to back (the
default of bench/cold_start.py), each cold start also pays for one spare. This reads the CPU
time of each spare of a fresh server once it waits for its function (the scheduler's count
in /proc/<pid>/schedstat, in ns: the fork's copy-on-write faults, the confinement, the
rehearsal); the /tmp volume a spare holds is made by the server (kernel time), not counted.

Baseline in the same run: the CPU time of `python -I -S -c pass`, from the children's rusage.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _harness import children, overcast_process, zygotes


def spawn_cpu_ms() -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-I", "-S", "-c", "pass"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000.0


def schedstat_ms(pid: int) -> float:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6


def spares_cpu_ms(server_pid: int, deadline_s: float = 20.0) -> list[float]:
    """Each spare's CPU once every spare has stopped using any (it waits for ASSIGN)."""
    deadline = time.monotonic() + deadline_s
    last: dict[int, float] = {}
    while time.monotonic() < deadline:
        spares = [p for z in zygotes(server_pid) for p in children(z)]
        now = {p: schedstat_ms(p) for p in spares}
        if spares and now == last:
            return list(now.values())
        last = now
        time.sleep(0.5)
    raise SystemExit("the spares did not settle")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    spawn_cpu_ms()
    baseline = [spawn_cpu_ms() for _ in range(args.count)]
    spares: list[float] = []
    for _ in range(max(1, args.count // 5)):  # a fresh server each time: its first spares
        with overcast_process() as (_endpoint, server):
            spares += spares_cpu_ms(server.pid)
    spawn, spare = statistics.median(baseline), statistics.median(spares)
    print(f"spawn python -I -S -c pass: CPU p50 {spawn:.2f} ms ({len(baseline)} runs)")
    print(f"overcast spare            : CPU p50 {spare:.2f} ms ({len(spares)} spares)")
    print(f"ratio (spare CPU / spawn CPU): {spare / spawn:.2f}x")


if __name__ == "__main__":
    main()
