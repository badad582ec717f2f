"""Metric filters through boto3, in-process: kept, described and deleted with CloudWatch's
rules; TestMetricFilter matches with Overcast's filter patterns."""

from __future__ import annotations

import pytest
from logs_world import Clock

GROUP = "/app/orders"


def transformation(name: str = "Errors", **extra) -> list[dict]:
    return [{"metricName": name, "metricNamespace": "App", "metricValue": "1", **extra}]


@pytest.fixture
def group(logs) -> str:
    logs.create_log_group(logGroupName=GROUP)
    return GROUP


def test_put_describe_delete(logs, group: str, clock: Clock) -> None:
    logs.put_metric_filter(
        logGroupName=group,
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=transformation(defaultValue=0.0),
    )
    logs.put_metric_filter(
        logGroupName=group,
        filterName="latency",
        filterPattern="{ $.latency > 0 }",
        metricTransformations=transformation("Latency", metricValue="$.latency"),
    )

    found = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["filterName"] for f in found] == ["errors", "latency"]
    assert found[0] == {
        "filterName": "errors",
        "filterPattern": "ERROR",
        "metricTransformations": transformation(defaultValue=0.0),
        "creationTime": clock.ms,
        "logGroupName": group,
    }
    by_metric = logs.describe_metric_filters(metricName="Latency", metricNamespace="App")
    assert [f["filterName"] for f in by_metric["metricFilters"]] == ["latency"]
    [shown] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert shown["metricFilterCount"] == 2

    logs.delete_metric_filter(logGroupName=group, filterName="errors")
    assert [f["filterName"] for f in logs.describe_metric_filters()["metricFilters"]] == ["latency"]
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_metric_filter(logGroupName=group, filterName="errors")


def test_rules_of_metric_filters(logs, group: str) -> None:
    with pytest.raises(logs.exceptions.InvalidParameterException, match="does not support dim"):
        logs.put_metric_filter(
            logGroupName=group,
            filterName="f",
            filterPattern="ERROR",
            metricTransformations=transformation(dimensions={"Host": "$.host"}),
        )
    with pytest.raises(logs.exceptions.InvalidParameterException, match="metric value"):
        logs.put_metric_filter(
            logGroupName=group,
            filterName="f",
            filterPattern="ERROR",
            metricTransformations=transformation(metricValue="lots"),
        )
    with pytest.raises(logs.exceptions.InvalidParameterException, match="Invalid filter"):
        logs.put_metric_filter(
            logGroupName=group,
            filterName="f",
            filterPattern="{ $.x = }",
            metricTransformations=transformation(),
        )
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.put_metric_filter(
            logGroupName="/none",
            filterName="f",
            filterPattern="",
            metricTransformations=transformation(),
        )
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.describe_metric_filters(metricName="Errors")  # without its namespace


def test_test_metric_filter(logs) -> None:
    answer = logs.test_metric_filter(
        filterPattern="{ $.level = error }",
        logEventMessages=['{"level": "info"}', '{"level": "error"}', "not json"],
    )
    assert answer["matches"] == [
        {"eventNumber": 2, "eventMessage": '{"level": "error"}', "extractedValues": {}}
    ]
