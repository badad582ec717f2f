"""Kinesis' control plane through boto3: streams created (provisioned and on demand), described,
listed, paged, deleted; retention, tags, and the errors Kinesis words."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def error_of(caught: pytest.ExceptionInfo) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def test_create_describe_and_delete(kinesis, make_stream) -> None:
    name = make_stream(shards=3)
    described = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert described["StreamStatus"] == "ACTIVE"
    assert described["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert described["RetentionPeriodHours"] == 24
    assert described["StreamARN"].endswith(f":stream/{name}")
    assert described["HasMoreShards"] is False
    shards = described["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(3)]
    # The key space cut in three equal ranges, the last taking the remainder, as Kinesis does.
    width = 2**128 // 3
    assert shards[0]["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(width - 1)}
    assert shards[2]["HashKeyRange"]["EndingHashKey"] == str(2**128 - 1)
    assert all(len(s["SequenceNumberRange"]["StartingSequenceNumber"]) == 56 for s in shards)
    assert all("EndingSequenceNumber" not in s["SequenceNumberRange"] for s in shards)

    summary = kinesis.describe_stream_summary(StreamARN=described["StreamARN"])
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 3

    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=name)
    with pytest.raises(ClientError) as caught:
        kinesis.describe_stream(StreamName=name)
    account = described["StreamARN"].split(":")[4]
    assert error_of(caught) == (
        "ResourceNotFoundException",
        f"Stream {name} under account {account} not found.",
    )


def test_on_demand_starts_with_four_shards(kinesis, make_stream) -> None:
    name = make_stream(shards=None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4


def test_create_twice_is_refused(kinesis, make_stream) -> None:
    name = make_stream()
    with pytest.raises(ClientError) as caught:
        kinesis.create_stream(StreamName=name, ShardCount=1)
    code, message = error_of(caught)
    assert code == "ResourceInUseException"
    assert message.startswith(f"Stream {name} under account ") and message.endswith(
        " already exists."
    )


def test_model_constraints_are_validation_errors(kinesis) -> None:
    with pytest.raises(ClientError) as caught:
        kinesis.create_stream(StreamName="bad name!", ShardCount=1)
    code, message = error_of(caught)
    assert code == "ValidationException"
    assert "at 'streamName' failed to satisfy constraint" in message


def test_list_streams_pages_with_summaries(kinesis, make_stream) -> None:
    names = sorted(make_stream() for _ in range(3))
    seen: list[str] = []
    answer = kinesis.list_streams(Limit=1)
    while True:
        seen += answer["StreamNames"]
        assert [s["StreamName"] for s in answer["StreamSummaries"]] == answer["StreamNames"]
        if not answer["HasMoreStreams"]:
            break
        answer = kinesis.list_streams(NextToken=answer["NextToken"], Limit=1)
    assert set(names) <= set(seen)
    assert seen == sorted(seen)


def test_describe_stream_pages_its_shards(kinesis, make_stream) -> None:
    name = make_stream(shards=3)
    first = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert first["HasMoreShards"] is True and len(first["Shards"]) == 2
    rest = kinesis.describe_stream(
        StreamName=name, ExclusiveStartShardId=first["Shards"][-1]["ShardId"]
    )["StreamDescription"]
    assert [s["ShardId"] for s in rest["Shards"]] == ["shardId-000000000002"]
    assert rest["HasMoreShards"] is False


def test_retention_up_and_down(kinesis, make_stream) -> None:
    name = make_stream()
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 48
    with pytest.raises(ClientError) as caught:
        kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=30)
    assert error_of(caught) == (
        "InvalidArgumentException",
        f"Requested retention period (30 hours) for stream {name} can not be shorter than "
        "existing retention period (48 hours). Use DecreaseRetentionPeriod API.",
    )
    with pytest.raises(ClientError) as caught:
        kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=12)
    assert error_of(caught) == (
        "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. Requested retention period (12 hours) "
        "is too short.",
    )
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    with pytest.raises(ClientError) as caught:
        kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8761)
    assert error_of(caught)[0] == "InvalidArgumentException"


def test_tags_by_stream_and_by_arn(kinesis, make_stream) -> None:
    name = make_stream(Tags={"team": "a"})
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "dev", "cost": "1"})
    page = kinesis.list_tags_for_stream(StreamName=name, Limit=2)
    assert page["Tags"] == [{"Key": "cost", "Value": "1"}, {"Key": "env", "Value": "dev"}]
    assert page["HasMoreTags"] is True
    rest = kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="env")
    assert rest == {**rest, "Tags": [{"Key": "team", "Value": "a"}], "HasMoreTags": False}
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["cost", "team"])
    kinesis.tag_resource(ResourceARN=arn, Tags={"by": "arn"})
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["env"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "by", "Value": "arn"}
    ]


def test_too_many_tags(kinesis, make_stream) -> None:
    name = make_stream()
    with pytest.raises(ClientError) as caught:
        kinesis.add_tags_to_stream(StreamName=name, Tags={f"k{i}": "v" for i in range(51)})
    code, message = error_of(caught)
    assert code == "InvalidArgumentException"
    assert message.startswith(f"Failed to add tags to stream {name} under account ")
    assert message.endswith(
        "because a given stream cannot have more than 50 tags associated with it."
    )


def test_stream_arn_is_accepted_for_stream_name(kinesis, make_stream) -> None:
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    shards = kinesis.list_shards(StreamARN=arn)["Shards"]
    assert [s["ShardId"] for s in shards] == ["shardId-000000000000"]
    with pytest.raises(ClientError) as caught:
        kinesis.describe_stream_summary(StreamARN=arn.replace(name, name + "x"))
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_describe_limits(kinesis, make_stream) -> None:
    make_stream(shards=2)
    limits = kinesis.describe_limits()
    assert limits["ShardLimit"] >= limits["OpenShardCount"] >= 2
