"""What every SQS operation handler is given, the table handlers register in, and how a
request names its queue (a QueueUrl, or the request path as older clients use it)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlparse

from overcast.services.sqs.errors import (
    InvalidAddress,
    MissingRequiredParameterException,
    QueueDoesNotExist,
)
from overcast.services.sqs.queue import Queue
from overcast.services.sqs.registry import NO_QUEUE
from overcast.services.sqs.service import QueueService

# sqs.us-east-1.amazonaws.com, us-east-1.queue.amazonaws.com: hosts that name a region.
_REGION_HOST = re.compile(r"(?:sqs\.([a-z0-9-]+)\.|([a-z]{2}-[a-z]+-\d)\.queue\.)")


@dataclass(frozen=True)
class SqsCall:
    """One parsed SQS request."""

    params: dict
    region: str
    base_url: str  # e.g. http://127.0.0.1:9000/ — queue URLs are made from it
    path: str  # the request path: `/<account>/<queue>` addresses a queue too
    sender_id: str  # who sent it (the SigV4 access key; the account without one)
    hops: int = 0  # the count of the X-Amzn-Trace-Id Lineage: loop detection
    trace_header: str | None = None

    def queue_url(self, queue: Queue) -> str:
        return f"{self.base_url}{queue.account_id}/{queue.name}"


Handler = Callable[[QueueService, SqsCall], Awaitable["dict | None"]]
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        return handler

    return register


def queue_of(sqs: QueueService, call: SqsCall) -> Queue:
    """The queue a request names by its QueueUrl (or its path)."""
    url = call.params.get("QueueUrl")
    if url is None:
        if call.path.strip("/").count("/") != 1:
            raise MissingRequiredParameterException(
                "The request must contain the parameter QueueUrl."
            )
        url = call.path
    parsed = urlparse(url)
    parts = parsed.path.strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        raise InvalidAddress(f"The address {url} is not valid for this endpoint.")
    account, name = parts
    if account != sqs.registry.account_id:
        raise QueueDoesNotExist(NO_QUEUE)
    found = _REGION_HOST.match(parsed.hostname or "")
    region = (found.group(1) or found.group(2)) if found else call.region
    return sqs.registry.get(region, name)
