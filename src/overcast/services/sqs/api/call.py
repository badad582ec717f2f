"""The table SQS's operation handlers register in, and what they read from their `Call`
beyond its input: the queue a request names (a QueueUrl, or the request path as older
clients use it), the URL a queue is known by, and who sent the request."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from overcast.aws.operations import Call, Operations
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

# A queue's name and nothing else (a standard or a FIFO queue's).
_BARE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo")

OPERATIONS = Operations()


def queue_url(call: Call, queue: Queue) -> str:
    """The queue's URL as this request reached the server (e.g. http://127.0.0.1:9000/)."""
    return f"{call.base_url}{queue.account_id}/{queue.name}"


def sender_id(sqs: QueueService, call: Call) -> str:
    """Who sent the request: the SigV4 access key, the account without one (SenderId)."""
    return call.context.access_key or sqs.registry.account_id


def queue_of(sqs: QueueService, call: Call) -> Queue:
    """The queue a request names by its QueueUrl (or its path: `/<account>/<queue>`). SQS
    also takes a bare queue name as the QueueUrl: the queue of that name in the request's
    region."""
    url = call.params.get("QueueUrl")
    if url is not None and _BARE_NAME.fullmatch(url):
        return sqs.registry.get(call.region, url)
    if url is None:
        path = call.request.url.path
        if path.strip("/").count("/") != 1:
            raise MissingRequiredParameterException(
                "The request must contain the parameter QueueUrl."
            )
        url = path
    address = queue_address(url, call.region)
    if address is None:
        raise InvalidAddress(f"The address {url} is not valid for this endpoint.")
    region, account, name = address
    if account != sqs.registry.account_id:
        raise QueueDoesNotExist(NO_QUEUE)
    return sqs.registry.get(region, name)


def queue_address(url: str, default_region: str) -> tuple[str, str, str] | None:
    """(region, account, name) of a queue URL (`<scheme://host>/<account>/<name>`; the host
    may name the region), or None when it is not one. A bare name is the caller's to read."""
    try:
        parsed = urlparse(url)
        hostname = parsed.hostname or ""
    except ValueError:  # a malformed netloc (an unclosed IPv6 bracket)
        return None
    parts = parsed.path.strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        return None
    found = _REGION_HOST.match(hostname)
    region = (found.group(1) or found.group(2)) if found else default_region
    return region, parts[0], parts[1]


def is_bare_name(text: str) -> bool:
    return _BARE_NAME.fullmatch(text) is not None
