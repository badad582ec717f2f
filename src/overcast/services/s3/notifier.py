"""Hands object events on: to a function as an asynchronous invocation (Lambda's queue, so
retries, destinations and loop detection apply), to a queue or topic through the sender
its service registered. Events wait in the catalog's outbox until handed on, so one
acknowledged with its object is delivered even if the server dies first (at least once).
"""

from __future__ import annotations

import logging

from overcast.aws.arn import Arn, function_target
from overcast.aws.errors import ServiceError
from overcast.aws.request_id import new_request_id
from overcast.delivery import Delivery, DeliveryFailed, Destinations
from overcast.services.s3.catalog import Catalog, Notice
from overcast.types import Acceptor, Resolver

log = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self,
        catalog: Catalog,
        queue: Acceptor,
        resolver: Resolver,
        destinations: Destinations,
    ) -> None:
        self.catalog = catalog
        self.queue = queue
        self.resolver = resolver
        self.destinations = destinations

    def deliver(self, notices: list[Notice]) -> None:
        """Hand each event on, then take it out of the outbox."""
        for notice in notices:
            try:
                self._send(notice)
            except DeliveryFailed as exc:  # S3 drops what it cannot deliver
                log.warning("object event for %s not delivered: %s", notice.target, exc)
            except Exception:  # one destination's failure must not hold the others
                log.exception("object event for %s not delivered", notice.target)
        self.catalog.delivered([notice.id for notice in notices])

    def recover(self) -> None:
        """At start (after Lambda's queue): what was kept but not handed on before a crash."""
        pending = self.catalog.notices()
        if pending:
            log.info("delivering %d object events kept from before", len(pending))
            self.deliver(pending)

    def send_now(self, arn: str, body: bytes) -> None:
        """A message that need not survive a crash (S3's test event to a new destination)."""
        self._send(Notice(arn, body, 0))

    def _send(self, notice: Notice) -> None:
        if Arn.parse(notice.target).service != "lambda":
            self.destinations.send(Delivery(notice.target, notice.body, notice.hops))
            return
        region, name, qualifier = function_target(notice.target)
        try:
            target = self.resolver.resolve(region, name, qualifier)
        except ServiceError as exc:
            log.warning("object event for %s dropped: %s", notice.target, exc.message)
            return
        self.queue.accept(target, notice.body, request_id=new_request_id(), hops=notice.hops)
