"""Subscription filters (PutSubscriptionFilter, DescribeSubscriptionFilters,
DeleteSubscriptionFilter), kept in the group's settings; their deliveries are forwarder.py's.

Overcast delivers to Lambda functions, the one same-account destination it serves. A function
that cannot be found, or whose resource-based policy does not let CloudWatch Logs invoke it
for the group (invoke_permission.py), is refused with the words CloudWatch uses when it cannot
invoke the destination. Each group may have two filters, as the API reference says.
"""

from __future__ import annotations

from overcast.aws.arn import Arn
from overcast.aws.operations import Call
from overcast.observe.filter_pattern import matcher
from overcast.services.logs.calls import OPERATIONS, CloudWatchLogs, with_token
from overcast.services.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from overcast.services.logs.forwarder import FILTERS
from overcast.services.logs.named_filters import page_of, put_named

MAX_FILTERS = 2
NOT_INVOKED = (
    "Could not execute the lambda function. Make sure you have given CloudWatch Logs "
    "permission to execute your function."
)


@OPERATIONS("PutSubscriptionFilter")
def put_subscription_filter(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    group, name = body["logGroupName"], body["filterName"]
    matcher(body["filterPattern"])  # InvalidParameterException when malformed
    logs.store.settings(group)  # ResourceNotFoundException first, as for any missing group
    _check_destination(logs, group, body["destinationArn"], call.context.account_id)
    kept = {
        "filterName": name,
        "filterPattern": body["filterPattern"],
        "destinationArn": body["destinationArn"],
        "distribution": body.get("distribution", "ByLogStream"),
        "creationTime": logs.store.now_ms(),
    }
    if body.get("roleArn"):
        kept["roleArn"] = body["roleArn"]

    def put(settings: dict) -> None:
        filters = settings.get(FILTERS, [])
        if name not in {f["filterName"] for f in filters} and len(filters) >= MAX_FILTERS:
            raise LimitExceededException("Resource limit exceeded.")
        settings[FILTERS] = put_named(filters, kept)

    logs.store.update_settings(group, put)
    logs.forwarder.refresh(group)
    return {}


@OPERATIONS("DescribeSubscriptionFilters")
def describe_subscription_filters(logs: CloudWatchLogs, call: Call) -> dict:
    body = call.params
    group = body["logGroupName"]
    filters = logs.store.settings(group).get(FILTERS, [])
    chosen, token = page_of(filters, body)
    shaped = [{"logGroupName": group} | kept for kept in chosen]
    return with_token({"subscriptionFilters": shaped}, "nextToken", token)


@OPERATIONS("DeleteSubscriptionFilter")
def delete_subscription_filter(logs: CloudWatchLogs, call: Call) -> dict:
    group, name = call.params["logGroupName"], call.params["filterName"]

    def delete(settings: dict) -> None:
        filters = settings.get(FILTERS, [])
        if name not in {f["filterName"] for f in filters}:
            raise ResourceNotFoundException("The specified subscription filter does not exist.")
        settings[FILTERS] = [f for f in filters if f["filterName"] != name]

    logs.store.update_settings(group, delete)
    logs.forwarder.refresh(group)
    return {}


def _check_destination(logs: CloudWatchLogs, group: str, arn: str, account: str) -> None:
    try:
        parsed = Arn.parse(arn)
    except ValueError:
        raise InvalidParameterException(f"Invalid destination ARN: {arn}") from None
    service = parsed.service
    if service != "lambda":
        raise InvalidParameterException(
            "Overcast delivers subscription filters to Lambda functions only, "
            f"not to {service} destinations."
        )
    # A function of the same account, as AWS requires, that lets CloudWatch Logs invoke it.
    if parsed.account != account or logs.forwarder.permission.refusal(group, arn) is not None:
        raise InvalidParameterException(NOT_INVOKED)
