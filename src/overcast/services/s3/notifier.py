"""Hands object events on: to a function as an asynchronous invocation (Lambda's queue, so
retries, destinations and loop detection apply), to a queue or topic through the sender
its service registered. Events wait in the catalog's outbox until handed on, so one
acknowledged with its object is delivered even if the server dies first (at least once).

S3 invokes a function, sends to a queue and publishes to a topic as `s3.amazonaws.com`, with
the bucket's ARN as `aws:SourceArn` and its owner's account as `aws:SourceAccount`: the
function's, queue's or topic's resource-based policy must allow it. S3 checks that when the
configuration is put (buckets.py); a permission removed since makes the event
undeliverable, and S3 drops it.
"""

from __future__ import annotations

import json
import logging

from overcast.aws.arn import Arn, function_target
from overcast.aws.errors import ServiceError
from overcast.aws.request_id import new_request_id
from overcast.delivery import Delivery, DeliveryFailed, Destinations
from overcast.function import Target
from overcast.services.s3.catalog import Catalog, Notice
from overcast.types import Acceptor, InvokePermissions, Resolver, ServicePrincipal

log = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self,
        catalog: Catalog,
        queue: Acceptor,
        resolver: Resolver,
        destinations: Destinations,
        permissions: InvokePermissions,
        account_id: str,
    ) -> None:
        self.catalog = catalog
        self.queue = queue
        self.resolver = resolver
        self.destinations = destinations
        self.permissions = permissions
        self.account_id = account_id  # every bucket's owner

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
            caller = self.caller(_bucket_of(notice.body))
            self.destinations.send(Delivery(notice.target, notice.body, notice.hops, sender=caller))
            return
        region, name, qualifier = function_target(notice.target)
        try:
            target = self.resolver.resolve(region, name, qualifier)
        except ServiceError as exc:
            log.warning("object event for %s dropped: %s", notice.target, exc.message)
            return
        refusal = self.refusal(_bucket_of(notice.body), target)
        if refusal is not None:
            log.warning("object event for %s dropped: %s", notice.target, refusal)
            return
        self.queue.accept(target, notice.body, request_id=new_request_id(), hops=notice.hops)

    def refusal(self, bucket: str, target: Target) -> str | None:
        """Why the function's policy does not let S3 invoke it for `bucket`, if it does not."""
        return self.permissions.refusal(target, self.caller(bucket))

    def caller(self, bucket: str) -> ServicePrincipal:
        """S3 as a destination's resource-based policy sees it, for `bucket`."""
        return ServicePrincipal(S3_PRINCIPAL, bucket_arn(bucket), self.account_id)


S3_PRINCIPAL = "s3.amazonaws.com"


def bucket_arn(bucket: str) -> str:
    """A bucket's ARN: no region, no account (`arn:aws:s3:::bucket`)."""
    return f"arn:aws:s3:::{bucket}"


def _bucket_of(body: bytes) -> str:
    """The bucket an object event names (`Records[0].s3.bucket.name`), or a test event
    (`Bucket`)."""
    try:
        event = json.loads(body)
        if "Records" not in event:
            return str(event["Bucket"])
        return str(event["Records"][0]["s3"]["bucket"]["name"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""
