"""Delivery by ARN in-process: the senders' contract (deliver, or raise DeliveryFailed), the
routing by an ARN's service and resource, and Lambda's log-and-drop on top of it."""

from __future__ import annotations

import logging

import pytest

from overcast.delivery import Delivery, DeliveryFailed, Destinations, string_attributes

QUEUE = "arn:aws:sqs:us-east-1:000000000000:inbox"
TOPIC = "arn:aws:sns:us-east-1:000000000000:news"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:f:1"
LAYER = "arn:aws:lambda:us-east-1:000000000000:layer:l:1"


def refusing(delivery: Delivery) -> None:
    raise DeliveryFailed(f"{delivery.arn} refused the message: too large")


def test_a_delivery_goes_to_the_sender_of_its_service() -> None:
    destinations, sent = Destinations(), []
    destinations.register("sqs", sent.append)
    delivery = Delivery(QUEUE, b"{}", 1, string_attributes({"a": "b"}))
    destinations.send(delivery)
    assert sent == [delivery] and destinations.can_send(QUEUE)
    assert delivery.attributes == {"a": {"DataType": "String", "StringValue": "b"}}


def test_a_service_that_is_not_here_is_a_missing_target() -> None:
    destinations = Destinations()
    assert not destinations.can_send(TOPIC)
    with pytest.raises(DeliveryFailed) as failed:
        destinations.send(Delivery(TOPIC, b"{}", 0))
    assert failed.value.missing


def test_only_the_registered_kind_of_resource_takes_deliveries() -> None:
    destinations, sent = Destinations(), []
    destinations.register("lambda", sent.append, "function:")
    assert destinations.can_send(FUNCTION) and not destinations.can_send(LAYER)
    with pytest.raises(DeliveryFailed):
        destinations.send(Delivery(LAYER, b"{}", 0))
    assert sent == []


@pytest.mark.parametrize(
    "arn",
    [
        "sqs:us-east-1:000000000000:inbox",
        "arn:aws:sqs::000000000000:inbox",
        "arn:aws:sqs:us-east-1::inbox",
        "arn:other:sqs:us-east-1:000000000000:inbox",
    ],
)
def test_a_malformed_arn_has_no_sender(arn: str) -> None:
    destinations = Destinations()
    destinations.register("sqs", refusing)
    assert not destinations.can_send(arn)


def test_lambda_logs_and_drops_what_it_cannot_deliver(caplog) -> None:
    destinations, sent = Destinations(), []
    destinations.register("sqs", refusing)
    destinations.register("sns", sent.append)
    with caplog.at_level(logging.WARNING):
        assert not destinations.send_or_drop(Delivery(QUEUE, b"{}", 0))
        assert destinations.send_or_drop(Delivery(TOPIC, b"{}", 0))
    assert "too large" in caplog.text and len(sent) == 1


def test_a_bucket_arn_names_no_region_nor_account() -> None:
    """S3 takes objects by delivery (a stream mapping's failure records): its ARNs have
    neither region nor account, which other services' ARNs must have."""
    taken: list[Delivery] = []
    destinations = Destinations()
    destinations.register("s3", taken.append)
    destinations.register("sqs", taken.append)
    destinations.send(Delivery("arn:aws:s3:::bucket", b"{}", 0, object_key="k"))
    assert [d.object_key for d in taken] == ["k"]
    assert not destinations.can_send("arn:aws:sqs:::queue")
