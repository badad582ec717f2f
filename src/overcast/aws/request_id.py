"""Request ids in Lambda's form, for every id a service hands out with an invocation or a
message it delivers (invokes, async events, SQS/SNS/S3/EventBridge deliveries)."""

from __future__ import annotations

import random

_random = random.Random()


def new_request_id() -> str:
    """A version-4 UUID, as Lambda's request ids are; drawn without a syscall (not a secret).
    Formatted by hand: uuid.UUID costs more than the rest of the id's making."""
    h = f"{_random.getrandbits(128):032x}"
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"
