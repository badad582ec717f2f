"""The Lineage field of X-Amzn-Trace-Id: how Lambda counts an invocation chain to stop
recursive loops across services (Lambda -> SQS/SNS/S3/EventBridge -> Lambda ...).

The engine writes `Lineage=<id>:<count>` into each invocation's trace header (`trace_id`);
the AWS SDKs pass that header on from the function's own calls, and every service's API reads
the count back (`lineage_hops`) so the message, object event or delivery it creates carries it.
A chain reaching MAX_HOPS is stopped where the function's recursive-loop setting says so.
"""

from __future__ import annotations

import random
import time

MAX_HOPS = 16  # Lambda stops the 17th invocation of a chain
_random = random.Random()


def lineage_hops(trace_header: str | None) -> int:
    """How many invocations came before this one in its chain: the count in the trace
    header's `Lineage=<id>:<count>`, which the SDKs pass on from inside a function."""
    if not trace_header or "Lineage=" not in trace_header:
        return 0
    lineage = trace_header.split("Lineage=", 1)[1].split(";", 1)[0]
    try:
        return int(lineage.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0


def trace_id(count: int) -> str:
    """X-Amzn-Trace-Id for an invocation, `count`-th of its chain. The Lineage field is how
    Lambda tracks loops: the AWS SDKs send this header on from the function's calls."""
    root, parent = _random.getrandbits(96), _random.getrandbits(64)
    return (
        f"Root=1-{int(time.time()):08x}-{root:024x};Parent={parent:016x};Sampled=0;"
        f"Lineage={root & 0xFFFFFFFF:08x}:{count}"
    )
