"""The queues of a server: created, found (by name, URL or ARN), listed, configured, tagged,
deleted. Queues are regional, as on SQS; one account per server (Settings.account_id).

Everything is in memory and written through to the store. Only the event loop changes
queues; other threads may look them up.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from overcast.aws.arn import Arn
from overcast.aws.paging import InvalidToken, decode_text, encode_text
from overcast.aws.tags import TagError, check_count, merged, removed
from overcast.services.sqs import attributes as queue_attributes
from overcast.services.sqs.errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValueException,
    QueueDoesNotExist,
    QueueNameExists,
)
from overcast.services.sqs.queue import Queue
from overcast.services.sqs.store import QueueRecord, QueueStore

_STANDARD_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
MAX_TAGS = 50
LIST_LIMIT = 1000
NO_QUEUE = "The specified queue does not exist."


class QueueRegistry:
    def __init__(
        self, store: QueueStore, account_id: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.account_id = account_id
        self.clock = clock
        self._by_name: dict[tuple[str, str], Queue] = {}
        self._by_id: dict[int, Queue] = {}

    def load(self) -> list[Queue]:
        """Read every queue (without its messages) from the store."""
        for record in self.store.load_queues():
            self._keep(Queue(record, self.account_id))
        return list(self._by_id.values())

    def _keep(self, queue: Queue) -> None:
        self._by_name[(queue.region, queue.name)] = queue
        self._by_id[queue.record.id] = queue

    # --- finding ----------------------------------------------------------------------------

    def get(self, region: str, name: str) -> Queue:
        queue = self._by_name.get((region, name))
        if queue is None:
            raise QueueDoesNotExist(NO_QUEUE)
        return queue

    def by_id(self, queue_id: int) -> Queue | None:
        return self._by_id.get(queue_id)

    def by_arn(self, arn: str) -> Queue | None:
        """`arn:PARTITION:sqs:REGION:ACCOUNT:NAME`, or None when no such queue is here."""
        try:
            parsed = Arn.parse(arn)
        except ValueError:
            return None
        if parsed.service != "sqs" or parsed.account != self.account_id or ":" in parsed.resource:
            return None
        return self._by_name.get((parsed.region, parsed.resource))

    def kind_of(self, arn: str) -> bool | None:
        """Whether the queue at `arn` is FIFO; None when there is no such queue."""
        queue = self.by_arn(arn)
        return None if queue is None else queue.fifo

    def list(
        self, region: str, prefix: str = "", max_results: int | None = None, token: str = ""
    ) -> tuple[list[Queue], str | None]:
        """Queues whose name starts with `prefix`, by name; paged when `max_results` is given."""
        names = sorted(n for r, n in self._by_name if r == region and n.startswith(prefix))
        if token:
            after = _decode_token(token)
            names = [n for n in names if n > after]
        limit = max_results or LIST_LIMIT
        chosen = names[:limit]
        more = max_results is not None and len(names) > limit
        next_token = encode_text(chosen[-1]) if more and chosen else None
        return [self._by_name[(region, n)] for n in chosen], next_token

    def dead_letter_sources(self, queue: Queue) -> list[Queue]:
        """The queues whose RedrivePolicy sends to `queue` (ListDeadLetterSourceQueues)."""
        return sorted(
            (
                q
                for q in self._by_id.values()
                if q.redrive and q.redrive.dead_letter_arn == queue.arn
            ),
            key=lambda q: q.name,
        )

    # --- changing ---------------------------------------------------------------------------

    def create(
        self, region: str, name: str, given: dict[str, str], tags: dict[str, str]
    ) -> tuple[Queue, bool]:
        """The queue, and whether it is new. An existing queue is returned when every given
        attribute matches it (CreateQueue is idempotent), else QueueNameExists."""
        given = dict(given)
        fifo = _checked_name(name, given.pop("FifoQueue", None))
        queue_arn = str(Arn.build("sqs", region, self.account_id, name))
        settings = self._checked(given, fifo, queue_arn)
        existing = self._by_name.get((region, name))
        if existing is not None:
            for key, value in settings.items():
                if existing.record.attributes.get(key, "") != value:
                    raise QueueNameExists(
                        "A queue already exists with the same name and a different value for "
                        f"attribute {key}"
                    )
            return existing, False
        _check_tag_count(name, tags)
        now = int(self.clock())
        attributes = queue_attributes.defaults(fifo)
        attributes.update({k: v for k, v in settings.items() if v != ""})
        queue_attributes.check_throughput(attributes)
        record = QueueRecord(0, region, name, attributes, dict(tags), now, now)
        queue = Queue(self.store.add_queue(record), self.account_id)
        self._keep(queue)
        return queue, True

    def delete(self, queue: Queue) -> None:
        self.store.delete_queue(queue.record.id)
        self._by_name.pop((queue.region, queue.name), None)
        self._by_id.pop(queue.record.id, None)

    def set_attributes(self, queue: Queue, given: dict[str, str]) -> None:
        given = dict(given)
        _check_fifo_flag(queue, given.pop("FifoQueue", None))
        settings = self._checked(given, queue.fifo, queue.arn)
        attributes = dict(queue.record.attributes)
        for key, value in settings.items():
            if value == "":
                attributes.pop(key, None)
            else:
                attributes[key] = value
        queue_attributes.check_throughput(attributes)
        queue.record.modified_s = int(self.clock())
        queue.configure(attributes)
        self.store.put_queue(queue.record)

    def _checked(self, given: dict[str, str], fifo: bool, source_arn: str) -> dict[str, str]:
        settings = queue_attributes.checked(given, fifo=fifo, kind_of=self.kind_of)
        policy = queue_attributes.redrive_policy(settings)
        if policy is not None:
            target = self.by_arn(policy.dead_letter_arn)
            if target is not None and not queue_attributes.allows_source(
                target.record.attributes, source_arn
            ):
                raise InvalidParameterValueException(
                    f"Value {given['RedrivePolicy']} for parameter RedrivePolicy is invalid. "
                    f"Reason: Queue {target.arn} does not allow this queue to use it as a "
                    "dead-letter queue."
                )
        return settings

    def attributes(self, queue: Queue, names: list[str]) -> dict[str, str]:
        """GetQueueAttributes: the named ones (`All`: every one)."""
        for name in names:
            if not queue_attributes.known_name(name, queue.fifo):
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if not names:
            return {}
        visible, in_flight, delayed = queue.counts(int(self.clock() * 1000))
        every = {
            "QueueArn": queue.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(queue.record.created_s),
            "LastModifiedTimestamp": str(queue.record.modified_s),
            **queue.record.attributes,
        }
        if "All" in names:
            return every
        return {name: every[name] for name in names if name in every}

    def tag(self, queue: Queue, tags: dict[str, str]) -> None:
        try:
            queue.record.tags = merged(queue.record.tags, tags, MAX_TAGS)
        except TagError:
            raise _too_many_tags(queue.name) from None
        self.store.put_queue(queue.record)

    def untag(self, queue: Queue, keys: list[str]) -> None:
        queue.record.tags = removed(queue.record.tags, keys)
        self.store.put_queue(queue.record)


def _checked_name(name: str, fifo_flag: str | None) -> bool:
    """Whether the queue is FIFO, from its name and the FifoQueue attribute (which only a
    FIFO queue has: SQS refuses FifoQueue=false as an unknown attribute)."""
    flag = None if fifo_flag is None else str(fifo_flag).lower()
    if flag is not None and flag not in ("true", "false"):
        raise InvalidAttributeValue("Invalid value for the parameter FifoQueue.")
    if flag == "false":
        raise InvalidAttributeName("Unknown Attribute FifoQueue.")
    fifo = flag == "true"
    if fifo and not _FIFO_NAME.fullmatch(name):
        raise InvalidParameterValueException(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
            "underscores, must end with .fifo suffix and be 1 to 80 in length."
        )
    if not fifo and not _STANDARD_NAME.fullmatch(name):
        raise InvalidParameterValueException(
            f"Value {name} for parameter QueueName is invalid. Reason: Can only include "
            "alphanumeric characters, hyphens, or underscores. 1 to 80 in length."
        )
    return fifo


def _check_fifo_flag(queue: Queue, fifo_flag: str | None) -> None:
    """SetQueueAttributes' FifoQueue: unknown to a standard queue, and only "true" (what it
    is) for a FIFO one."""
    if fifo_flag is None:
        return
    if not queue.fifo:
        raise InvalidAttributeName("Unknown Attribute FifoQueue.")
    if str(fifo_flag).lower() != "true":
        raise InvalidAttributeValue(
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not "
            "supported."
        )


def _check_tag_count(name: str, tags: dict[str, str]) -> None:
    try:
        check_count(tags, MAX_TAGS)
    except TagError:
        raise _too_many_tags(name) from None


def _too_many_tags(name: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(f"Too many tags added for queue {name}.")


def _decode_token(token: str) -> str:
    try:
        return decode_text(token)
    except InvalidToken:
        raise InvalidParameterValueException("Invalid NextToken value.") from None
