"""Sending one matched event to one target of a rule, with EventBridge's retry policy and
dead-letter queue.

What a delivery is, by target:
- a function: an asynchronous invocation, committed to Lambda's queue (`AsyncQueue.accept`).
  Once accepted, EventBridge is done: a function error is the function's business, retried
  and sent on by its own asynchronous settings (MaximumRetryAttempts, destinations).
- an event bus: the event is put on that bus, one hop further along its chain.
- an API destination: an HTTP call, made off this thread (services/events/api_calls); its
  outcome comes back later, to be retried or sent to the dead-letter queue as any other.
- a queue or a topic: a message, through the sender a service registered for it (which
  raises DeliveryFailed when the queue or topic does not exist or refuses the message).

EventBridge invokes a function, sends to a queue and publishes to a topic as
`events.amazonaws.com` with the rule's ARN as `aws:SourceArn`: the function's, queue's or
topic's resource-based policy must allow that ("Using resource-based policies for Amazon
EventBridge"), and so must the policy of the target's dead-letter queue ("Granting
permissions to the dead-letter queue").

What fails, as EventBridge's user guide says: a target that does not exist (or refuses the
event), or one EventBridge lacks the permission to invoke (NO_PERMISSIONS), fails at once,
without retries ("no retry attempts will happen until action is taken to resolve the
underlying issue"), and goes to the target's dead-letter queue. A target that could not
take the event now (a function still being created) is retried with
exponential backoff and jitter until the target's RetryPolicy runs out, 185 retries or 24
hours by default; then the event goes to the dead-letter queue with the condition that
ended it. Without a dead-letter queue the event is dropped and counted as failed. An event
older than MaximumEventAgeInSeconds when it is first due (a schedule that fell due while the
server was down) is treated the same way.

Retries wait in memory: they do not survive a restart of the server.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from overcast.aws.arn import Arn, function_target
from overcast.aws.errors import MissingResource, ServiceError
from overcast.aws.lineage import MAX_HOPS
from overcast.aws.request_id import new_request_id
from overcast.delivery import Delivery, DeliveryFailed, Destinations, string_attributes
from overcast.services.events.input_transform import RuleContext
from overcast.services.events.model import Rule, RuleTarget, bus_name, service_of
from overcast.types import Acceptor, InvokePermissions, Resolver, ServicePrincipal

log = logging.getLogger(__name__)

BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 300.0
RETRIES_EXHAUSTED = "MaximumRetryAttemptsExhausted"
AGE_EXCEEDED = "MaximumEventAgeExhausted"
EVENTS_PRINCIPAL = "events.amazonaws.com"

Later = Callable[[float, Callable[[], None]], None]  # run a callable after some seconds
Forward = Callable[[str, str, dict, int], None]  # put (region, bus, event, hops) on a bus


@dataclass(frozen=True)
class Attempt:
    """One event on its way to one target. `sent_at` (epoch seconds) is when it was first due
    there: its age counts from it."""

    rule: Rule
    target: RuleTarget
    event: dict
    hops: int
    sent_at: float
    retries: int = 0


class TargetFailed(Exception):
    """Raised when a target did not take an event; `code` is EventBridge's ERROR_CODE."""

    def __init__(self, code: str, message: str, retriable: bool) -> None:
        super().__init__(message)
        self.code = code
        self.retriable = retriable


# Call an API destination with a payload, off the caller's thread; the callback gets the
# failure (None when the call was delivered).
ApiCall = Callable[["Attempt", str, Callable[["TargetFailed | None"], None]], None]

# A schedule that fell due while the server was down, found too old when it came back.
EXPIRED = TargetFailed(
    "SERVICE_UNAVAILABLE",
    "The event fell due while the server was down and is older than the target's "
    "MaximumEventAgeInSeconds.",
    retriable=False,
)


class TargetDelivery:
    def __init__(
        self,
        queue: Acceptor,
        resolver: Resolver,
        destinations: Destinations,
        transaction: Callable[[], AbstractContextManager],
        forward: Forward,
        later: Later,
        *,
        api: ApiCall | None = None,
        clock: Callable[[], float] = time.time,
        delay_scale: float = 1.0,
        permissions: InvokePermissions,
    ) -> None:
        self.api = api
        self.permissions = permissions
        self.queue = queue
        self.resolver = resolver
        self.destinations = destinations
        self.transaction = transaction
        self.forward = forward
        self.later = later
        self.clock = clock
        self.delay_scale = delay_scale
        self.invocations: Counter[str] = Counter()  # by rule ARN, as CloudWatch counts them
        self.failed: Counter[str] = Counter()

    def deliver(self, attempt: Attempt) -> None:
        if self._age_s(attempt) > self._max_age_s(attempt):
            self._give_up(attempt, EXPIRED, AGE_EXCEEDED)
            return
        try:
            self._send(attempt)
        except TargetFailed as failure:
            if failure.retriable:
                self._retry(attempt, failure)
            else:
                self._give_up(attempt, failure, None)
            return
        self.invocations[attempt.rule.arn] += 1

    # --- sending ------------------------------------------------------------------------

    def _send(self, attempt: Attempt) -> None:
        arn = attempt.target.arn
        service = service_of(arn)
        if service == "events" and ":api-destination/" not in arn:
            self._to_bus(attempt)
            return
        payload = attempt.target.input.render(attempt.event, self._context(attempt))
        if payload is None:
            log.info("rule %s: its input for %s is empty; nothing sent", attempt.rule.arn, arn)
            return
        if service == "events":
            self._to_api(attempt, payload)
            return
        if service == "lambda":
            self._to_function(attempt, payload.encode())
            return
        delivery = Delivery(arn, payload.encode(), attempt.hops, sender=_caller(attempt))
        try:
            self.destinations.send(delivery)
        except DeliveryFailed as failure:
            raise TargetFailed(_error_code(failure), failure.message, False) from None

    def _to_function(self, attempt: Attempt, payload: bytes) -> None:
        region, name, qualifier = function_target(attempt.target.arn)
        try:
            target = self.resolver.resolve(region, name, qualifier)
        except MissingResource as exc:
            raise TargetFailed("RESOURCE_NOT_FOUND", exc.message, False) from None
        except ServiceError as exc:  # e.g. still Pending: it may take the event later
            raise TargetFailed("SDK_CLIENT_ERROR", exc.message, True) from None
        refusal = self.permissions.refusal(target, _caller(attempt))
        if refusal is not None:
            raise TargetFailed("NO_PERMISSIONS", refusal, False)
        self.queue.accept(target, payload, request_id=new_request_id(), hops=attempt.hops)

    def _to_bus(self, attempt: Attempt) -> None:
        # Buses that feed each other would pass an event round for ever: the chain is
        # counted, as Lambda counts its own, and stopped at the same length.
        if attempt.hops + 1 >= MAX_HOPS:
            log.warning(
                "rule %s: event %s stopped in a loop", attempt.rule.arn, attempt.event["id"]
            )
            return
        region = Arn.parse(attempt.target.arn).region
        self.forward(region, bus_name(attempt.target.arn), attempt.event, attempt.hops + 1)

    def _to_api(self, attempt: Attempt, payload: str) -> None:
        if self.api is None:
            raise TargetFailed("SDK_CLIENT_ERROR", "API destinations are not served here.", False)
        self.api(attempt, payload, lambda failure: self._called(attempt, failure))

    def _called(self, attempt: Attempt, failure: TargetFailed | None) -> None:
        """An API destination's answer, on the thread that called it."""
        if failure is None:
            return
        if failure.retriable:
            self._retry(attempt, failure)
        else:
            self._give_up(attempt, failure, None)

    def _context(self, attempt: Attempt) -> RuleContext:
        received = datetime.fromtimestamp(attempt.sent_at, UTC)
        return RuleContext(attempt.rule.name, attempt.rule.arn, received)

    # --- failures -----------------------------------------------------------------------

    def _retry(self, attempt: Attempt, failure: TargetFailed) -> None:
        policy = attempt.target.retry_policy
        if attempt.retries >= policy.maximum_retry_attempts:
            self._give_up(attempt, failure, RETRIES_EXHAUSTED)
            return
        ceiling = min(BACKOFF_FIRST_S * 2**attempt.retries, BACKOFF_MAX_S)
        delay = random.uniform(ceiling / 2, ceiling) * self.delay_scale  # jitter
        if self._age_s(attempt) + delay > self._max_age_s(attempt):
            self._give_up(attempt, failure, AGE_EXCEEDED)
            return
        log.info(
            "rule %s: target %s failed (%s); retrying", attempt.rule.arn, attempt.target.id, failure
        )
        self.later(delay, lambda: self.deliver(replace(attempt, retries=attempt.retries + 1)))

    def _give_up(self, attempt: Attempt, failure: TargetFailed, condition: str | None) -> None:
        rule, target = attempt.rule, attempt.target
        self.failed[rule.arn] += 1
        dead_letter = target.dead_letter_arn
        log.warning(
            "rule %s: event %s not delivered to %s (%s: %s)%s",
            rule.arn,
            attempt.event.get("id"),
            target.arn,
            failure.code,
            failure,
            f"; sent to {dead_letter}" if dead_letter else "; dropped",
        )
        if dead_letter is None:
            return
        attributes = {
            "RULE_ARN": rule.arn,
            "TARGET_ARN": target.arn,
            "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": str(failure),
            "RETRY_ATTEMPTS": str(attempt.retries),
        }
        if condition is not None:
            attributes["EXHAUSTED_RETRY_CONDITION"] = condition
        body = json.dumps(attempt.event).encode()
        delivery = Delivery(
            dead_letter, body, attempt.hops, string_attributes(attributes), sender=_caller(attempt)
        )
        with self.transaction():
            try:
                self.destinations.send(delivery)
            except DeliveryFailed as lost:
                log.warning("rule %s: dead-letter queue %s: %s", rule.arn, dead_letter, lost)

    def _age_s(self, attempt: Attempt) -> float:
        return self.clock() - attempt.sent_at

    def _max_age_s(self, attempt: Attempt) -> float:
        return attempt.target.retry_policy.maximum_event_age_s * self.delay_scale


def _caller(attempt: Attempt) -> ServicePrincipal:
    """EventBridge as the target's resource-based policy sees it: `events.amazonaws.com`,
    the rule's ARN as aws:SourceArn."""
    rule = attempt.rule.arn
    return ServicePrincipal(EVENTS_PRINCIPAL, rule, Arn.parse(rule).account)


def _error_code(failure: DeliveryFailed) -> str:
    """The ERROR_CODE of a queue or topic that did not take the event."""
    if failure.missing:
        return "RESOURCE_NOT_FOUND"
    return "NO_PERMISSIONS" if failure.denied else "SDK_CLIENT_ERROR"
