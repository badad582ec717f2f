"""Destinations in-process: the senders' contract (deliver, or raise DeliveryFailed), Lambda's
log-and-drop on top of it, and the attributes of a dead letter."""

from __future__ import annotations

import logging

import pytest

from overcast.engine.destinations import (
    Delivery,
    Destinations,
    dead_letter_attributes,
    string_attributes,
)
from overcast.engine.invocation import InvokeResult
from overcast.errors import DeliveryFailed

QUEUE = "arn:aws:sqs:us-east-1:000000000000:inbox"
TOPIC = "arn:aws:sns:us-east-1:000000000000:news"


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


def test_lambda_logs_and_drops_what_it_cannot_deliver(caplog) -> None:
    destinations, sent = Destinations(), []
    destinations.register("sqs", refusing)
    destinations.register("sns", sent.append)
    with caplog.at_level(logging.WARNING):
        assert not destinations.send_or_drop(Delivery(QUEUE, b"{}", 0))
        assert destinations.send_or_drop(Delivery(TOPIC, b"{}", 0))
    assert "too large" in caplog.text and len(sent) == 1


def test_dead_letter_attributes_are_strings() -> None:
    result = InvokeResult("req-1", 200, b'{"errorMessage": "boom"}', "1", "Unhandled")
    assert dead_letter_attributes("req-1", result, "RetriesExhausted") == {
        "RequestID": {"DataType": "String", "StringValue": "req-1"},
        "ErrorCode": {"DataType": "String", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "boom"},
    }
