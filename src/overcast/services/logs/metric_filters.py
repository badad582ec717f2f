"""Metric filters (PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter,
TestMetricFilter), kept in the group's settings with CloudWatch's rules for them.

Overcast has no CloudWatch metrics service yet: the filters are kept and described, and
TestMetricFilter matches with them, but no metric data is published.
"""

from __future__ import annotations

import re

from overcast.aws.operations import Call
from overcast.observe.filter_pattern import matcher
from overcast.services.logs.calls import OPERATIONS, CloudWatchLogs, with_token
from overcast.services.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from overcast.services.logs.named_filters import page_of, put_named

METRIC_FILTERS = "metricFilters"  # the settings key
MAX_FILTERS = 100  # metric filters per log group ("CloudWatch Logs quotas")
MAX_DIMENSIONS = 3
# A number, or the field a JSON pattern names ($.a.b[0]) or a space-delimited one ($name).
_VALUE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|\$(\.[A-Za-z0-9_\-\[\]\.]+|\w+)")


@OPERATIONS("PutMetricFilter")
def put_metric_filter(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    group, name, pattern = body["logGroupName"], body["filterName"], body["filterPattern"]
    matcher(pattern)  # InvalidParameterException when malformed
    for transformation in body["metricTransformations"]:
        _check_transformation(transformation, pattern)
    kept = {
        "filterName": name,
        "filterPattern": pattern,
        "metricTransformations": body["metricTransformations"],
        "creationTime": logs.store.now_ms(),
    }

    def put(settings: dict) -> None:
        filters = settings.get(METRIC_FILTERS, [])
        if name not in {f["filterName"] for f in filters} and len(filters) >= MAX_FILTERS:
            raise LimitExceededException("Resource limit exceeded.")
        settings[METRIC_FILTERS] = put_named(filters, kept)

    logs.store.update_settings(group, put)
    return {}


@OPERATIONS("DescribeMetricFilters")
def describe_metric_filters(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    metric, namespace = body.get("metricName"), body.get("metricNamespace")
    if bool(metric) != bool(namespace):
        raise InvalidParameterException(
            "metricName and metricNamespace must be specified together."
        )
    if body.get("filterNamePrefix") and not body.get("logGroupName"):
        raise InvalidParameterException("filterNamePrefix requires a logGroupName.")
    groups = [body["logGroupName"]] if body.get("logGroupName") else _all_groups(logs)
    found = []
    for group in groups:
        try:
            kept_filters = logs.store.settings(group).get(METRIC_FILTERS, [])
        except ResourceNotFoundException:
            if body.get("logGroupName"):
                raise
            continue  # deleted since it was listed
        for kept in kept_filters:
            if metric and not _publishes(kept, metric, namespace):
                continue
            found.append(kept | {"logGroupName": group})
    chosen, token = page_of(found, body)
    return with_token({"metricFilters": chosen}, "nextToken", token)


@OPERATIONS("DeleteMetricFilter")
def delete_metric_filter(logs: CloudWatchLogs, call: Call) -> dict:
    group, name = call.params["logGroupName"], call.params["filterName"]

    def delete(settings: dict) -> None:
        filters = settings.get(METRIC_FILTERS, [])
        if name not in {f["filterName"] for f in filters}:
            raise ResourceNotFoundException("The specified metric filter does not exist.")
        settings[METRIC_FILTERS] = [f for f in filters if f["filterName"] != name]

    logs.store.update_settings(group, delete)
    return {}


@OPERATIONS("TestMetricFilter")
def test_metric_filter(logs: CloudWatchLogs, call: Call) -> dict:
    matches = matcher(call.params["filterPattern"])
    messages = call.params["logEventMessages"]
    # extractedValues name space-delimited fields, which Overcast's patterns do not have.
    found = [
        {"eventNumber": number, "eventMessage": message, "extractedValues": {}}
        for number, message in enumerate(messages, start=1)
        if matches(message)
    ]
    return {"matches": found}


def _check_transformation(transformation: dict, pattern: str) -> None:
    if not _VALUE.fullmatch(transformation["metricValue"]):
        raise InvalidParameterException(f"Invalid metric value: {transformation['metricValue']}")
    dimensions = transformation.get("dimensions") or {}
    if dimensions and not pattern.strip().startswith(("{", "[")):
        raise InvalidParameterException("The specified filter pattern does not support dimensions")
    if len(dimensions) > MAX_DIMENSIONS:
        raise InvalidParameterException(
            f"A metric filter can have at most {MAX_DIMENSIONS} dimensions."
        )


def _publishes(kept: dict, metric: str, namespace: str) -> bool:
    return any(
        t["metricName"] == metric and t["metricNamespace"] == namespace
        for t in kept["metricTransformations"]
    )


def _all_groups(logs: CloudWatchLogs) -> list[str]:
    return sorted(name for name, _ in logs.store.groups())
