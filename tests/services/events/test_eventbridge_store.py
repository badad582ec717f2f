"""EventBridgeStore: buses, rules and firings written are what a new store over the same file
loads, beside the control plane's own tables in the same file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from overcast.services.events.model import EventBus, Rule, RuleTarget
from overcast.services.events.store import SqliteEventBridgeStore
from overcast.services.lambda_.store.sqlite import SqliteStore

WHEN = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


def test_what_is_written_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "overcast.db"
    control = SqliteStore(path)  # the same file, open at the same time
    store = SqliteEventBridgeStore(path)
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "s", "Principal": "*"}]}
    bus = EventBus(
        "us-east-1", "orders", "0" * 12, WHEN, WHEN, "d", {"LogConfig": {}}, {"k": "v"}, policy
    )
    target = {
        "Id": "t",
        "Arn": "arn:aws:lambda:us-east-1:000000000000:function:f",
        "InputTransformer": {"InputPathsMap": {"s": "$.source"}, "InputTemplate": "<s>"},
        "RetryPolicy": {"MaximumRetryAttempts": 2},
    }
    rule = Rule(
        "us-east-1",
        "orders",
        "r",
        "0" * 12,
        WHEN,
        WHEN,
        event_pattern='{"source": ["s"]}',
        description="d",
        targets=(RuleTarget.from_spec(target),),
        tags={"a": "b"},
    )
    store.put_bus(bus)
    store.put_rule(rule)
    store.put_firing(rule.key, WHEN)
    store.close()

    again = SqliteEventBridgeStore(path)
    assert again.load_buses() == [bus]
    [loaded] = again.load_rules()
    assert loaded.to_record() == rule.to_record()
    assert loaded.targets[0].retry_policy.maximum_retry_attempts == 2
    assert again.load_firings() == {rule.key: WHEN}

    again.delete_rule(rule.key)
    again.delete_bus("us-east-1", "orders")
    assert again.load_rules() == [] and again.load_buses() == [] and again.load_firings() == {}
    again.close()
    control.close()
