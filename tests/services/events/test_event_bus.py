"""Events matched to rules and sent to targets, with stand-ins for Lambda's queue and the
control plane: what each target receives, hop counts, entry checks, retries and dead letters."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from overcast.delivery import Delivery, DeliveryFailed, Destinations
from overcast.services.events.bus import EventRouter, entry_error
from overcast.services.events.buses import EventBusService
from overcast.services.events.registry import EventRegistry
from overcast.services.events.rules import RuleService
from overcast.services.events.store import SqliteEventBridgeStore
from overcast.services.lambda_.errors import ResourceConflictException, ResourceNotFoundException
from support import StubPermissions

REGION, ACCOUNT = "us-east-1", "000000000000"
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
DLQ = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"


@dataclass
class Queue:
    accepted: list[tuple[str, dict, int]] = field(default_factory=list)

    def accept(self, target, payload: bytes, *, request_id: str, hops: int = 0) -> None:
        self.accepted.append((target.name, json.loads(payload), hops))


class Resolver:
    """Functions that exist; `pending` ones answer as Lambda does while they are created."""

    def __init__(self, *names: str) -> None:
        self.names = set(names)
        self.pending: set[str] = set()

    def resolve(self, region: str, name: str, qualifier: str | None):
        if name in self.pending:
            raise ResourceConflictException(f"The function {name} is Pending")
        if name not in self.names:
            raise ResourceNotFoundException(f"Function not found: {FN}{name}")
        return SimpleNamespace(name=name if qualifier is None else f"{name}:{qualifier}")


class World:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.registry = EventRegistry(SqliteEventBridgeStore(":memory:"), ACCOUNT)
        self.rules = RuleService(self.registry)
        self.buses = EventBusService(self.registry)
        self.queue = Queue()
        self.resolver = Resolver("fn", "other")
        self.destinations = Destinations()
        self.sent: list[Delivery] = []
        self.destinations.register("sqs", self.sent.append)
        self.timers: list[tuple[float, object]] = []
        self.permissions = StubPermissions()
        self.router = EventRouter(
            self.registry,
            self.queue,
            self.resolver,
            self.destinations,
            nullcontext,
            timer=lambda delay, fn: self.timers.append((delay, fn)),
            clock=lambda: self.now,
            permissions=self.permissions,
        )

    def rule(self, name: str, pattern: dict, *targets: dict, bus: str = "default") -> None:
        self.rules.put(REGION, bus, name, event_pattern=json.dumps(pattern))
        self.rules.put_targets(REGION, bus, name, list(targets))

    def put(self, detail: dict, hops: int = 0, **entry: object) -> list[dict]:
        base = {"Source": "shop", "DetailType": "order", "Detail": json.dumps(detail)}
        return self.router.put_events(REGION, [{**base, **entry}], hops)

    def run_timers(self) -> None:
        timers, self.timers = self.timers, []
        for _, fn in timers:
            fn()


@pytest.fixture
def world() -> World:
    return World()


def texts(delivery: Delivery) -> dict[str, str]:
    """A dead letter's attributes, all of them Strings, by name."""
    assert {value["DataType"] for value in delivery.attributes.values()} == {"String"}
    return {name: value["StringValue"] for name, value in delivery.attributes.items()}


def test_a_matching_event_reaches_each_target_of_each_matching_rule(world: World) -> None:
    world.rule("orders", {"source": ["shop"]}, {"Id": "a", "Arn": FN + "fn"})
    world.rule(
        "big",
        {"detail": {"total": [{"numeric": [">", 100]}]}},
        {"Id": "b", "Arn": FN + "other:live"},
    )
    world.rule("elsewhere", {"source": ["bank"]}, {"Id": "c", "Arn": FN + "fn"})

    [result] = world.put({"total": 250}, Time=1_700_000_000, Resources=["arn:x"])

    assert [(name, hops) for name, _, hops in world.queue.accepted] == [
        ("other:live", 0),
        ("fn", 0),
    ]
    event = world.queue.accepted[0][1]
    assert event == {
        "version": "0",
        "id": result["EventId"],
        "detail-type": "order",
        "source": "shop",
        "account": ACCOUNT,
        "time": "2023-11-14T22:13:20Z",
        "region": REGION,
        "resources": ["arn:x"],
        "detail": {"total": 250},
    }


def test_disabled_rules_and_other_buses_see_nothing(world: World) -> None:
    world.buses.create(REGION, "orders")
    world.rule("on-orders", {"source": ["shop"]}, {"Id": "a", "Arn": FN + "fn"}, bus="orders")
    world.rule("off", {"source": ["shop"]}, {"Id": "a", "Arn": FN + "fn"})
    world.rules.set_state(REGION, "default", "off", "DISABLED")

    world.put({})
    assert world.queue.accepted == []
    world.put({}, EventBusName=f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/orders")
    assert len(world.queue.accepted) == 1


def test_an_event_for_a_bus_that_does_not_exist_is_accepted_and_dropped(world: World) -> None:
    [result] = world.put({}, EventBusName="nowhere")
    assert "EventId" in result and world.queue.accepted == []


def test_input_settings_shape_what_the_function_gets(world: World) -> None:
    world.rule(
        "shaped",
        {"source": ["shop"]},
        {"Id": "constant", "Arn": FN + "fn", "Input": '{"fixed": true}'},
        {"Id": "path", "Arn": FN + "fn", "InputPath": "$.detail.order"},
        {
            "Id": "template",
            "Arn": FN + "fn",
            "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.order.id", "src": "$.source"},
                "InputTemplate": (
                    '{"order": <id>, "text": "from <src>", "rule": <aws.events.rule-name>}'
                ),
            },
        },
    )
    world.put({"order": {"id": 7}})
    assert [payload for _, payload, _ in world.queue.accepted] == [
        {"fixed": True},
        {"id": 7},
        {"order": 7, "text": "from shop", "rule": "shaped"},
    ]


def test_events_caused_by_a_function_carry_its_hop_count(world: World) -> None:
    world.rule("r", {"source": ["shop"]}, {"Id": "a", "Arn": FN + "fn"})
    world.put({}, hops=5)
    assert world.queue.accepted[0][2] == 5


def test_buses_feeding_each_other_are_stopped_after_16_hops(world: World) -> None:
    world.buses.create(REGION, "ping")
    pong = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/pong"
    world.buses.create(REGION, "pong")
    world.rule("to-pong", {"source": ["shop"]}, {"Id": "p", "Arn": pong}, bus="ping")
    world.rule(
        "to-ping",
        {"source": ["shop"]},
        {"Id": "p", "Arn": pong.replace("pong", "ping")},
        bus="pong",
    )
    world.rule("watch", {"source": ["shop"]}, {"Id": "w", "Arn": FN + "fn"}, bus="pong")

    world.put({}, EventBusName="ping")

    assert sorted(hops for _, _, hops in world.queue.accepted) == list(range(1, 16, 2))


def test_a_missing_function_is_not_retried_and_goes_to_the_dead_letter_queue(world: World) -> None:
    world.rule(
        "r",
        {"source": ["shop"]},
        {"Id": "gone", "Arn": FN + "nobody", "DeadLetterConfig": {"Arn": DLQ}},
    )
    [result] = world.put({"n": 1})

    assert world.timers == [] and world.queue.accepted == []
    [letter] = world.sent
    assert letter.arn == DLQ and json.loads(letter.body)["id"] == result["EventId"]
    assert texts(letter) == {
        "RULE_ARN": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r",
        "TARGET_ARN": FN + "nobody",
        "ERROR_CODE": "RESOURCE_NOT_FOUND",
        "ERROR_MESSAGE": f"Function not found: {FN}nobody",
        "RETRY_ATTEMPTS": "0",
    }
    assert world.router.delivery.failed[f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r"] == 1


def test_a_target_that_cannot_take_the_event_yet_is_retried(world: World) -> None:
    world.resolver.pending.add("fn")
    world.rule("r", {"source": ["shop"]}, {"Id": "a", "Arn": FN + "fn"})
    world.put({})
    assert len(world.timers) == 1 and world.queue.accepted == []
    world.run_timers()  # still pending: backs off again
    assert len(world.timers) == 1
    world.resolver.pending.clear()
    world.run_timers()
    assert [name for name, _, _ in world.queue.accepted] == ["fn"] and world.timers == []


def test_retries_end_with_the_retry_policy(world: World) -> None:
    world.resolver.pending.add("fn")
    world.rule(
        "r",
        {"source": ["shop"]},
        {
            "Id": "a",
            "Arn": FN + "fn",
            "RetryPolicy": {"MaximumRetryAttempts": 2},
            "DeadLetterConfig": {"Arn": DLQ},
        },
    )
    world.put({})
    world.run_timers()
    world.run_timers()
    assert world.timers == []
    [letter] = world.sent
    assert texts(letter)["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttemptsExhausted"
    assert texts(letter)["RETRY_ATTEMPTS"] == "2"
    assert texts(letter)["ERROR_CODE"] == "SDK_CLIENT_ERROR"


def test_retries_end_with_the_maximum_event_age(world: World) -> None:
    world.resolver.pending.add("fn")
    world.rule(
        "r",
        {"source": ["shop"]},
        {
            "Id": "a",
            "Arn": FN + "fn",
            "RetryPolicy": {"MaximumEventAgeInSeconds": 60},
            "DeadLetterConfig": {"Arn": DLQ},
        },
    )
    world.put({})
    world.now += 61
    world.run_timers()
    assert texts(world.sent[0])["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeExhausted"


def test_queue_targets_without_a_queue_service_count_as_failed(world: World) -> None:
    world.rule(
        "r", {"source": ["shop"]}, {"Id": "q", "Arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic"}
    )
    world.put({})
    assert world.router.delivery.failed[f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r"] == 1


def test_queue_targets_go_through_their_service(world: World) -> None:
    world.rule("r", {"source": ["shop"]}, {"Id": "q", "Arn": DLQ, "InputPath": "$.detail"})
    world.put({"a": 1})
    assert [(d.arn, json.loads(d.body)) for d in world.sent] == [(DLQ, {"a": 1})]


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (DeliveryFailed("The queue does not exist.", missing=True), "RESOURCE_NOT_FOUND"),
        (DeliveryFailed("Message must be shorter than 1048576 bytes."), "SDK_CLIENT_ERROR"),
    ],
)
def test_a_queue_that_cannot_take_the_event_fails_it_without_retries(
    world: World, failure: DeliveryFailed, code: str
) -> None:
    target = f"arn:aws:sqs:{REGION}:{ACCOUNT}:inbox"

    def sender(delivery: Delivery) -> None:
        if delivery.arn == target:
            raise failure
        world.sent.append(delivery)

    world.destinations.register("sqs", sender)
    world.rule(
        "r", {"source": ["shop"]}, {"Id": "q", "Arn": target, "DeadLetterConfig": {"Arn": DLQ}}
    )
    world.put({"n": 1})
    assert world.timers == []  # not retried
    assert world.router.delivery.failed[f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r"] == 1
    [letter] = world.sent
    assert letter.arn == DLQ and json.loads(letter.body)["detail"] == {"n": 1}
    assert texts(letter)["ERROR_CODE"] == code
    assert texts(letter)["ERROR_MESSAGE"] == failure.message


def test_a_dead_letter_queue_that_cannot_take_the_event_drops_it(world: World) -> None:
    gone = f"arn:aws:sqs:{REGION}:{ACCOUNT}:gone"
    world.destinations.register("sqs", Destinations().send)  # no queue exists
    world.rule(
        "r", {"source": ["shop"]}, {"Id": "q", "Arn": gone, "DeadLetterConfig": {"Arn": gone}}
    )
    world.put({})
    assert world.router.delivery.failed[f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r"] == 1


def test_a_scheduled_firing_sends_the_scheduled_event(world: World) -> None:
    world.rules.put(REGION, "default", "tick", schedule="rate(5 minutes)")
    world.rules.put_targets(REGION, "default", "tick", [{"Id": "a", "Arn": FN + "fn"}])
    rule = world.registry.rule(REGION, "default", "tick")
    world.router.fire(rule, datetime(2024, 1, 1, 9, 5, tzinfo=UTC))
    [(_, event, hops)] = world.queue.accepted
    assert hops == 0 and event == {
        "version": "0",
        "id": event["id"],
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2024-01-01T09:05:00Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/tick"],
        "detail": {},
    }


def test_a_firing_too_old_for_a_target_goes_to_its_dead_letter_queue(world: World) -> None:
    world.rules.put(REGION, "default", "tick", schedule="rate(5 minutes)")
    world.rules.put_targets(
        REGION,
        "default",
        "tick",
        [
            {
                "Id": "a",
                "Arn": FN + "fn",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 60},
                "DeadLetterConfig": {"Arn": DLQ},
            }
        ],
    )
    world.router.fire(
        world.registry.rule(REGION, "default", "tick"), datetime.fromtimestamp(world.now - 120, UTC)
    )
    assert world.queue.accepted == []
    assert texts(world.sent[0])["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeExhausted"


def test_a_lambda_destination_puts_the_record_on_the_bus(world: World) -> None:
    world.rule(
        "results",
        {"source": ["lambda"], "detail-type": [{"prefix": "Lambda Function Invocation Result"}]},
        {"Id": "a", "Arn": FN + "fn"},
    )
    record = {
        "version": "1.0",
        "requestContext": {"functionArn": FN + "src:$LATEST", "condition": "RetriesExhausted"},
    }
    bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    world.destinations.send(
        Delivery(bus, json.dumps(record).encode(), 3, condition="RetriesExhausted")
    )

    [(_, event, hops)] = world.queue.accepted
    assert hops == 3
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["resources"] == [bus, FN + "src:$LATEST"]
    assert event["detail"] == record

    missing = bus.replace("default", "nowhere")
    with pytest.raises(DeliveryFailed) as failed:
        world.destinations.send(Delivery(missing, json.dumps(record).encode(), 3))
    assert failed.value.missing


@pytest.mark.parametrize(
    ("entry", "code", "message"),
    [
        (
            {"DetailType": "t", "Detail": "{}"},
            "InvalidArgument",
            "Parameter Source is not valid. Reason: Source is a required argument.",
        ),
        (
            {"Source": "s", "Detail": "{}"},
            "InvalidArgument",
            "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
        ),
        (
            {"Source": "s", "DetailType": "t"},
            "InvalidArgument",
            "Parameter Detail is not valid. Reason: Detail is a required argument.",
        ),
        (
            {"Source": "s", "DetailType": "t", "Detail": "{nope"},
            "MalformedDetail",
            "Detail is malformed.",
        ),
        (
            {"Source": "s", "DetailType": "t", "Detail": "[1]"},
            "MalformedDetail",
            "Detail is malformed.",
        ),
        (
            {"Source": "aws.ec2", "DetailType": "t", "Detail": "{}"},
            "NotAuthorizedForSourceException",
            "Not authorized for the source.",
        ),
    ],
)
def test_entries_are_checked_as_eventbridge_checks_them(
    entry: dict, code: str, message: str
) -> None:
    assert entry_error(entry) == {"ErrorCode": code, "ErrorMessage": message}


def test_a_bad_entry_fails_alone(world: World) -> None:
    world.rule("r", {"source": ["shop"]}, {"Id": "a", "Arn": FN + "fn"})
    results = world.router.put_events(
        REGION,
        [
            {"Source": "shop", "DetailType": "t"},
            {"Source": "shop", "DetailType": "t", "Detail": "{}"},
        ],
    )
    assert results[0]["ErrorCode"] == "InvalidArgument" and "EventId" in results[1]
    assert len(world.queue.accepted) == 1
