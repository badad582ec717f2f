"""Bucket notification configurations: S3's checks (event types, filter rules, overlaps),
which events a configuration wants, and the record S3 sends."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from overcast.aws.protocols.rest_json import service_model
from overcast.services.s3.errors import InvalidArgument
from overcast.services.s3.notifications import (
    AMBIGUOUS,
    OVERLAP,
    Caller,
    ObjectEvent,
    configuration_of,
    parse_configuration,
    record,
)

EVENTS = frozenset(service_model("s3").shape_for("Event").enum)
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:f"
QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"
SAMPLE = Path(__file__).parents[2] / "events" / "s3-event.json"


def lambda_config(events, prefix=None, suffix=None, arn=FUNCTION, id_=None) -> dict:
    entry: dict = {"LambdaFunctionArn": arn, "Events": events}
    rules = [{"Name": n, "Value": v} for n, v in (("prefix", prefix), ("suffix", suffix)) if v]
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    if id_:
        entry["Id"] = id_
    return entry


def parse(*entries: dict, queues: list[dict] = ()) -> tuple:
    config = {"LambdaFunctionConfigurations": list(entries), "QueueConfigurations": list(queues)}
    return parse_configuration(config, EVENTS)


def test_rules_match_event_types_and_key_filters() -> None:
    (rule,) = parse(lambda_config(["s3:ObjectCreated:*"], prefix="in/", suffix=".jpg"))
    assert rule.matches("ObjectCreated:Put", "in/a.jpg")
    assert rule.matches("ObjectCreated:CompleteMultipartUpload", "in/b.jpg")
    assert not rule.matches("ObjectRemoved:Delete", "in/a.jpg")
    assert not rule.matches("ObjectCreated:Put", "out/a.jpg")
    assert not rule.matches("ObjectCreated:Put", "in/a.png")
    (put_only,) = parse(lambda_config(["s3:ObjectCreated:Put"]))
    assert not put_only.matches("ObjectCreated:Copy", "k")


def test_unknown_event_and_filter_rules_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="not supported"):
        parse(lambda_config(["s3:ObjectCreated"]))
    doubled = lambda_config(["s3:ObjectCreated:*"])
    doubled["Filter"] = {
        "Key": {"FilterRules": [{"Name": "prefix", "Value": "a"}, {"Name": "Prefix", "Value": "b"}]}
    }
    with pytest.raises(InvalidArgument, match="more than one prefix"):
        parse(doubled)


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        # The same events, no filters: S3's "overlap" message.
        (lambda_config(["s3:ObjectRemoved:*"]), lambda_config(["s3:ObjectRemoved:*"]), OVERLAP),
        # A wildcard shares its events with each of its kind.
        (lambda_config(["s3:ObjectCreated:*"]), lambda_config(["s3:ObjectCreated:Put"]), OVERLAP),
        # One filtered, one not: every key of the first matches the second.
        (
            lambda_config(["s3:ObjectCreated:Put"], prefix="images/"),
            lambda_config(["s3:ObjectCreated:*"]),
            AMBIGUOUS,
        ),
        # Prefixes where one starts the other, suffixes where one ends the other.
        (
            lambda_config(["s3:ObjectCreated:*"], prefix="a/", suffix=".jpg"),
            lambda_config(["s3:ObjectCreated:*"], prefix="a/b/", suffix="pg"),
            AMBIGUOUS,
        ),
    ],
)
def test_overlapping_configurations_are_refused(first, second, message) -> None:
    with pytest.raises(InvalidArgument) as raised:
        parse(first, second)
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (lambda_config(["s3:ObjectCreated:*"]), lambda_config(["s3:ObjectRemoved:*"])),
        (
            lambda_config(["s3:ObjectCreated:*"], prefix="a/"),
            lambda_config(["s3:ObjectCreated:*"], prefix="b/"),
        ),
        (
            lambda_config(["s3:ObjectCreated:*"], prefix="a/", suffix=".jpg"),
            lambda_config(["s3:ObjectCreated:*"], prefix="a/", suffix=".png"),
        ),
    ],
)
def test_disjoint_configurations_are_accepted(first, second) -> None:
    assert len(parse(first, second)) == 2


def test_overlap_is_checked_across_kinds_of_destination() -> None:
    with pytest.raises(InvalidArgument):
        parse(
            lambda_config(["s3:ObjectCreated:*"]),
            queues=[{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Put"]}],
        )


def test_configuration_round_trips_with_ids() -> None:
    rules = parse(lambda_config(["s3:ObjectCreated:*"], prefix="p/", id_="mine"))
    (entry,) = configuration_of(rules)["LambdaFunctionConfigurations"]
    assert entry["Id"] == "mine" and entry["LambdaFunctionArn"] == FUNCTION
    assert entry["Filter"] == {"Key": {"FilterRules": [{"Name": "prefix", "Value": "p/"}]}}
    (unnamed,) = parse(lambda_config(["s3:ObjectCreated:*"]))
    assert unnamed.id  # S3 names a configuration given no Id


def shape_of(value: object) -> object:
    """A document's keys, recursively (values aside)."""
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape_of(item) for item in value]
    return type(value).__name__


def test_record_matches_lambdas_sample_field_for_field() -> None:
    (rule,) = parse(lambda_config(["s3:ObjectCreated:*"], id_="testConfigRule"))
    event = ObjectEvent(
        "ObjectCreated:Put",
        "us-east-1",
        "sourcebucket",
        "Happy Face.jpg",
        "0055AED6DCD90281E5",
        datetime(1970, 1, 1, 0, 0, 0, 123000, UTC),
        1024,
        "d41d8cd98f00b204e9800998ecf8427e",
    )
    caller = Caller("AWS:EXAMPLE", "127.0.0.1", "C3D13FE58DE4C810", "FMyUVURIY8/IgAtTv8xRjsk")
    made = record(event, rule, caller, "EXAMPLE")
    sample = json.loads(SAMPLE.read_text())["Records"][0]
    # Buckets here are unversioned: S3 then sends no versionId.
    del sample["s3"]["object"]["versionId"]
    assert shape_of(made) == shape_of(sample)
    assert made["eventTime"] == sample["eventTime"]
    assert made["s3"]["object"]["key"] == "Happy+Face.jpg"  # form-encoded, as S3 sends it
    assert (
        made["eventName"] == "ObjectCreated:Put"
        and made["s3"]["configurationId"] == "testConfigRule"
    )


def test_removed_records_carry_no_size_or_etag() -> None:
    (rule,) = parse(lambda_config(["s3:ObjectRemoved:*"]))
    event = ObjectEvent(
        "ObjectRemoved:Delete", "us-east-1", "b", "dir/a b+c", "01", datetime.now(UTC)
    )
    made = record(event, rule, Caller("p", "1.2.3.4", "r", "h"), "o")
    assert made["s3"]["object"] == {"key": "dir/a+b%2Bc", "sequencer": "01"}
