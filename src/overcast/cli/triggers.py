"""What still points at a function once it is deleted, for `overcast rm` to say.

Lambda's DeleteFunction removes the function's versions, aliases, URL and resource policy,
not what other services point at it (its API reference: "To delete Lambda event source
mappings that invoke a function, use DeleteEventSourceMapping. For AWS services and resources
that invoke your function directly, delete the trigger in the service where you originally
configured it"). Overcast keeps them too, and they behave as AWS's do: an event source mapping
stays Enabled and receives nothing until a function of that name exists again, a rule's
delivery fails (counted as a failed invocation), an HTTP API answers 500.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from overcast.cli.client import CliContext
from overcast.services.apigatewayv2.model.http_api import lambda_arn_of


@dataclass(frozen=True)
class Trigger:
    """One thing that points at the function, and the command that removes it."""

    what: str
    remove: str


@dataclass(frozen=True)
class Pointee:
    """The deleted function (or version): which ARNs name it."""

    arn: str  # unqualified for a whole function, else qualified with the version deleted
    whole: bool

    def named_by(self, arn: str | None) -> bool:
        if not arn:
            return False
        arn = lambda_arn_of(arn) or arn  # API Gateway's URI wraps it in Lambda's invoke path
        return arn == self.arn or (self.whole and arn.startswith(self.arn + ":"))


def pointing_at(ctx: CliContext, pointee: Pointee) -> tuple[list[Trigger], list[str]]:
    """The triggers that name `pointee`, and the services that could not be asked."""
    import botocore.exceptions as failures

    found: list[Trigger] = []
    unchecked: list[str] = []
    finders: dict[str, Callable[[CliContext, Pointee], Iterator[Trigger]]] = {
        "event source mappings": _mappings,
        "EventBridge rules": _rules,
        "HTTP APIs": _http_apis,
        "SNS subscriptions": _subscriptions,
        "S3 bucket notifications": _bucket_notifications,
    }
    for kind, finder in finders.items():
        try:
            found.extend(finder(ctx, pointee))
        except (failures.BotoCoreError, failures.ClientError) as error:
            unchecked.append(f"{kind} ({error})")
    return found, unchecked


def _mappings(ctx: CliContext, pointee: Pointee) -> Iterator[Trigger]:
    for mapping in _paged(
        ctx.client("lambda"), "list_event_source_mappings", "EventSourceMappings"
    ):
        if pointee.named_by(mapping.get("FunctionArn")):
            uuid = mapping["UUID"]
            yield Trigger(
                f"event source mapping {uuid} from {mapping.get('EventSourceArn', '-')}",
                f"aws lambda delete-event-source-mapping --uuid {uuid}",
            )


def _rules(ctx: CliContext, pointee: Pointee) -> Iterator[Trigger]:
    events = ctx.client("events")
    for bus in _event_buses(events):
        on_bus = "" if bus == "default" else f" --event-bus-name {bus}"
        for rule in _paged(events, "list_rules", "Rules", EventBusName=bus):
            name = rule["Name"]
            targets = _paged(events, "list_targets_by_rule", "Targets", Rule=name, EventBusName=bus)
            for target in targets:
                if pointee.named_by(target.get("Arn")):
                    yield Trigger(
                        f"EventBridge rule {name} (bus {bus}, target {target['Id']})",
                        f"aws events remove-targets --rule {name} --ids {target['Id']}{on_bus}",
                    )


def _event_buses(events: Any) -> Iterator[str]:
    token: dict = {}
    while True:  # ListEventBuses has no paginator in botocore
        answer = events.list_event_buses(**token)
        yield from (bus["Name"] for bus in answer.get("EventBuses", []))
        if not answer.get("NextToken"):
            return
        token = {"NextToken": answer["NextToken"]}


def _http_apis(ctx: CliContext, pointee: Pointee) -> Iterator[Trigger]:
    gateway = ctx.client("apigatewayv2")
    for api in _paged(gateway, "get_apis", "Items"):
        integrations = _paged(gateway, "get_integrations", "Items", ApiId=api["ApiId"])
        for integration in integrations:
            if pointee.named_by(integration.get("IntegrationUri")):
                yield Trigger(
                    f"HTTP API {api.get('Name', '-')} ({api['ApiId']}), integration "
                    f"{integration['IntegrationId']}",
                    f"aws apigatewayv2 delete-api --api-id {api['ApiId']}",
                )


def _subscriptions(ctx: CliContext, pointee: Pointee) -> Iterator[Trigger]:
    for subscription in _paged(ctx.client("sns"), "list_subscriptions", "Subscriptions"):
        if subscription.get("Protocol") == "lambda" and pointee.named_by(
            subscription.get("Endpoint")
        ):
            arn = subscription["SubscriptionArn"]
            yield Trigger(
                f"SNS subscription to {subscription.get('TopicArn', '-')}",
                f"aws sns unsubscribe --subscription-arn {arn}",
            )


def _bucket_notifications(ctx: CliContext, pointee: Pointee) -> Iterator[Trigger]:
    s3 = ctx.client("s3")
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        configuration = s3.get_bucket_notification_configuration(Bucket=name)
        for notification in configuration.get("LambdaFunctionConfigurations", []):
            if pointee.named_by(notification.get("LambdaFunctionArn")):
                yield Trigger(
                    f"S3 bucket {name} notification {notification.get('Id', '-')}",
                    f"aws s3api put-bucket-notification-configuration --bucket {name} "
                    "--notification-configuration ... (without it)",
                )


def _paged(client: Any, operation: str, key: str, **params: object) -> Iterator[dict]:
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])
