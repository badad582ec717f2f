"""Delivering what topics owe their subscribers, from the store, retried until done.

- A function subscriber gets an asynchronous invocation through Lambda's async queue (kept
  there durably, retried, sent to its destinations as any async event), carrying the
  message's hop count so that loops stop. SNS invokes as `sns.amazonaws.com` with the
  topic's ARN as `aws:SourceArn`: a function whose resource-based policy does not allow
  that refuses the message, a client-side error.
- A queue subscriber gets the envelope (or the raw message, with its typed attributes)
  through `Destinations`, where the queue service registers its sender; a FIFO topic's
  message carries its group and deduplication ids on to the queue.
- An HTTP/S subscriber gets a POST; a 2xx answer is a delivery. Posts run beside the rest,
  so a slow endpoint holds up nobody else. Its SubscriptionConfirmation and, once it is
  unsubscribed, its UnsubscribeConfirmation are posted the same way.
- An email, email-json or sms subscriber's message (and an email subscriber's confirmation)
  is written to the outbox, not sent.

SNS sends to a queue as `sns.amazonaws.com` with the topic's ARN as `aws:SourceArn`: a queue
whose policy does not allow that refuses the message, a client-side error as well.

A failed delivery is retried as SNS's default HTTP/S policy retries (3 more times, 20 s
apart, times `delay_scale`); then it goes to the subscription's dead-letter queue
(RedrivePolicy) if it has one, or is dropped with a warning. What SNS calls a client-side
error is not retried but goes to the dead-letter queue at once, as SNS does: a function or
queue that does not exist, a function whose policy does not let SNS invoke it ("changes the
policy attached to the endpoint in a way that prevents Amazon SNS from delivering"), or a
queue that refuses the message (`DeliveryFailed`).
"""

from __future__ import annotations

import asyncio
import heapq
import http.client
import itertools
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable

from overcast.aws.arn import Arn, function_target
from overcast.aws.errors import MissingResource
from overcast.aws.request_id import new_request_id
from overcast.delivery import Delivery as Handover
from overcast.delivery import DeliveryFailed, Destinations
from overcast.services.sns import notification
from overcast.services.sns.message import Message
from overcast.services.sns.model import RECORDED_PROTOCOLS, Subscription, dead_letter_arn
from overcast.services.sns.notification import Urls
from overcast.services.sns.outbox import Outbox
from overcast.services.sns.registry import Registry
from overcast.services.sns.store import CONFIRMATION, FAREWELL, NOTIFICATION, Delivery
from overcast.types import Acceptor, InvokePermissions, Resolver, ServicePrincipal

log = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY_S = 20.0
HTTP_TIMEOUT_S = 15.0
SNS_PRINCIPAL = "sns.amazonaws.com"

Poster = Callable[[str, bytes, dict[str, str]], Awaitable[bool]]


async def post(url: str, body: bytes, headers: dict[str, str]) -> bool:
    """POST in a worker thread; True for a 2xx answer."""
    return await asyncio.to_thread(_post, url, body, headers)


def _post(url: str, body: bytes, headers: dict[str, str]) -> bool:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        log.info("POST %s failed: %s", url, error)
        return False


class Fanout:
    def __init__(
        self,
        registry: Registry,
        acceptor: Acceptor,
        resolver: Resolver,
        destinations: Destinations,
        urls: Urls,
        *,
        delay_scale: float = 1.0,
        clock: Callable[[], float] = time.time,
        poster: Poster = post,
        permissions: InvokePermissions,
    ) -> None:
        self.registry = registry
        self.permissions = permissions
        self.store = registry.store
        self.acceptor = acceptor
        self.resolver = resolver
        self.destinations = destinations
        self.urls = urls
        self.outbox = Outbox(self.store, urls)
        self.delay_scale = delay_scale
        self.clock = clock
        self.poster = poster
        self._heap: list[tuple[int, int, Delivery]] = []
        self._order = itertools.count()
        self._messages: dict[str, Message] = {}
        self._owed: Counter[str] = Counter()  # deliveries left, by message id
        # Deliveries given up on, by topic ARN: CloudWatch's NumberOfNotificationsFailed.
        self.failed: Counter[str] = Counter()
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pump: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Needs the running loop: resume every delivery kept from before."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._push(self.store.deliveries(), None)
        self._pump = self._loop.create_task(self._run())

    async def stop(self) -> None:
        for task in [self._pump, *self._tasks]:
            if task is not None:
                task.cancel()

    def submit(self, deliveries: list[Delivery], message: Message | None = None) -> None:
        """Deliver these (already kept in the store); callable from any thread."""
        loop = self._loop
        if loop is None:
            return  # not started: the deliveries run from the store at start
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._push(deliveries, message)
        else:
            loop.call_soon_threadsafe(self._push, deliveries, message)

    def confirm(self, subscription: Subscription) -> None:
        """Send an HTTP/S (or email) subscriber its SubscriptionConfirmation."""
        self.submit([self.store.add_confirmation(subscription.arn, self._now_ms())])

    def farewell(self, subscription: Subscription) -> None:
        """Unsubscribe an HTTP/S subscriber, keeping it restorable by its token, and send it
        its UnsubscribeConfirmation."""
        self.submit([self.registry.retire(subscription, self._now_ms())])

    # --- the pump ---------------------------------------------------------------------------

    def _push(self, deliveries: list[Delivery], message: Message | None) -> None:
        if message is not None:
            self._messages[message.message_id] = message
        for delivery in deliveries:
            if delivery.message_id is not None:
                self._owed[delivery.message_id] += 1
            heapq.heappush(self._heap, (delivery.due_ms, next(self._order), delivery))
        if self._wakeup is not None:
            self._wakeup.set()

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            now = self._now_ms()
            done: list[Delivery] = []
            while self._heap and self._heap[0][0] <= now:
                _, _, delivery = heapq.heappop(self._heap)
                try:
                    self._dispatch(delivery, done)
                except Exception:  # one bad delivery must not stop the others
                    log.exception("topic delivery %s", delivery.id)
            self._finish(done)
            delay = (self._heap[0][0] - self._now_ms()) / 1000 if self._heap else None
            try:
                await asyncio.wait_for(self._wakeup.wait(), delay)
            except TimeoutError:
                pass

    def _dispatch(self, delivery: Delivery, done: list[Delivery]) -> None:
        subscription = self._subscriber(delivery)
        message = self._message(delivery)
        if subscription is None or (delivery.kind == NOTIFICATION and message is None):
            done.append(delivery)  # unsubscribed (or its topic deleted) meanwhile
            return
        if subscription.protocol in RECORDED_PROTOCOLS:
            self._record(delivery, subscription, message)
            done.append(delivery)
            return
        if delivery.kind != NOTIFICATION or subscription.protocol in ("http", "https"):
            task = self._loop.create_task(self._post(delivery, subscription, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        try:
            if subscription.protocol == "lambda":
                self._to_function(subscription, message)
            else:
                self.destinations.send(self._handover(subscription.endpoint, subscription, message))
        except DeliveryFailed as failure:  # a client-side error: no retries
            log.warning("topic subscriber %s: %s", subscription.endpoint, failure.message)
            self._give_up(subscription, message)
        except Exception as error:  # a server-side error (a function still Pending): retried
            log.warning("topic subscriber %s: %s", subscription.endpoint, error)
            self._failed(delivery, subscription, message, done)
            return
        done.append(delivery)

    # --- the three kinds of subscriber -----------------------------------------------------

    def _to_function(self, subscription: Subscription, message: Message) -> None:
        region, name, qualifier = function_target(subscription.endpoint)
        try:
            target = self.resolver.resolve(region, name, qualifier)
        except MissingResource as error:
            raise DeliveryFailed(error.message, missing=True) from None
        topic = subscription.topic_arn
        caller = ServicePrincipal(SNS_PRINCIPAL, topic, Arn.parse(topic).account)
        refusal = self.permissions.refusal(target, caller)
        if refusal is not None:
            raise DeliveryFailed(refusal)
        version = self._version(subscription)
        payload = notification.lambda_event(message, subscription, self.urls, version)
        self.acceptor.accept(target, payload, request_id=new_request_id(), hops=message.hops)

    def _handover(self, arn: str, subscription: Subscription, message: Message) -> Handover:
        """What a queue gets, subscribed or as the dead-letter queue: the envelope, or the raw
        message with its attributes; a FIFO topic's group and deduplication ids. SNS sends
        as `sns.amazonaws.com` for the topic: the queue's policy must allow it, for a
        subscribed queue and a dead-letter queue alike ("Amazon SQS queue policy" in SNS's
        dead-letter queue guide)."""
        if subscription.raw:
            body = notification.raw(message, subscription)
            attributes = notification.queue_attributes(message) or None
        else:
            version = self._version(subscription)
            body = notification.envelope(message, subscription, self.urls, version)
            attributes = None
        topic = subscription.topic_arn
        return Handover(
            arn,
            body,
            message.hops,
            attributes,
            group_id=message.group_id,
            deduplication_id=message.deduplication_id,
            sender=ServicePrincipal(SNS_PRINCIPAL, topic, Arn.parse(topic).account),
        )

    async def _post(
        self, delivery: Delivery, subscription: Subscription, message: Message | None
    ) -> None:
        version = self._version(subscription)
        if delivery.kind == NOTIFICATION:
            message_id = message.message_id
            body = (
                notification.raw(message, subscription)
                if subscription.raw
                else notification.envelope(message, subscription, self.urls, version)
            )
        else:
            message_id = _handshake_id(delivery)
            handshake = (
                notification.confirmation
                if delivery.kind == CONFIRMATION
                else notification.unsubscribe_confirmation
            )
            timestamp = _timestamp_ms(delivery.due_ms)
            body = handshake(subscription, message_id, timestamp, self.urls, version)
        headers = notification.http_headers(delivery.kind, message_id, subscription)
        done: list[Delivery] = []
        try:
            delivered = await self.poster(subscription.endpoint, body, headers)
        except Exception:  # a post that fails oddly is a failed post, retried as any
            log.exception("POST to %s", subscription.endpoint)
            delivered = False
        if delivered:
            done.append(delivery)
        else:
            self._failed(delivery, subscription, message, done)
        self._finish(done)

    # --- outcomes ---------------------------------------------------------------------------

    def _failed(
        self,
        delivery: Delivery,
        subscription: Subscription,
        message: Message | None,
        done: list[Delivery],
    ) -> None:
        if delivery.attempts < RETRIES:
            delivery.attempts += 1
            delivery.due_ms = self._now_ms() + int(RETRY_DELAY_S * self.delay_scale * 1000)
            self.store.reschedule(delivery)
            heapq.heappush(self._heap, (delivery.due_ms, next(self._order), delivery))
            self._wakeup.set()
            return
        self._give_up(subscription, message)
        done.append(delivery)

    def _give_up(self, subscription: Subscription, message: Message | None) -> None:
        """To the subscription's dead-letter queue if it has one (and it takes the message),
        else dropped. Either way the topic counts a failed notification."""
        self.failed[subscription.topic_arn] += 1
        dead_letter = dead_letter_arn(subscription)
        if not dead_letter or message is None:
            log.warning("gave up delivering to %s", subscription.endpoint)
            return
        try:
            self.destinations.send(self._handover(dead_letter, subscription, message))
        except DeliveryFailed as failure:
            log.warning(
                "gave up delivering to %s; dead-letter queue: %s",
                subscription.endpoint,
                failure.message,
            )

    def _finish(self, done: list[Delivery]) -> None:
        if not done:
            return
        self.store.finish_all(done)
        for delivery in done:
            message_id = delivery.message_id
            if message_id is None:
                continue
            self._owed[message_id] -= 1
            if self._owed[message_id] <= 0:
                del self._owed[message_id]
                self._messages.pop(message_id, None)

    def _record(
        self, delivery: Delivery, subscription: Subscription, message: Message | None
    ) -> None:
        version = self._version(subscription)
        if delivery.kind == NOTIFICATION:
            self.outbox.notification(message, subscription, version)
        elif delivery.kind == CONFIRMATION:
            timestamp = _timestamp_ms(delivery.due_ms)
            self.outbox.confirmation(subscription, _handshake_id(delivery), timestamp, version)

    def _subscriber(self, delivery: Delivery) -> Subscription | None:
        """Who a delivery is for: a live subscription, or for an UnsubscribeConfirmation the
        subscription just retired (unless it was restored or its topic deleted since)."""
        if delivery.kind == FAREWELL:
            return self.store.retired(delivery.subscription_arn)
        return self.registry.subscriptions.get(delivery.subscription_arn)

    def _version(self, subscription: Subscription) -> str:
        topic = self.registry.topics.get(subscription.topic_arn)
        return "1" if topic is None else topic.signature_version

    def _message(self, delivery: Delivery) -> Message | None:
        if delivery.message_id is None:
            return None
        message = self._messages.get(delivery.message_id)
        if message is None:
            message = self.store.message(delivery.message_id)
            if message is not None:
                self._messages[delivery.message_id] = message
        return message

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)


def _handshake_id(delivery: Delivery) -> str:
    """A confirmation's MessageId: a UUID, as SNS gives, the same on every retry."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{delivery.subscription_arn}#{delivery.id}"))


def _timestamp_ms(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"
