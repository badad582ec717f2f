"""SNS's API (the `sns` SigV4 service): `POST /` with `Action=...`, answered in XML.

Each operation parses its form fields by botocore's model (aws/protocols/query.py), checks
them against the model's constraints, calls one method of the topic services and
serializes the result. Errors leave in SNS's XML shape. The SubscribeURL and UnsubscribeURL
that subscribers are sent are plain unsigned GETs: `SubscriberLinks` claims them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws import errors as protocol_errors
from overcast.aws.error_responses import internal_error, request_line
from overcast.aws.errors import ServiceError
from overcast.aws.protocols import query as query_protocol
from overcast.aws.protocols import rest_json as protocol
from overcast.aws.protocols.query import QueryInputError
from overcast.aws.request_context import request_context
from overcast.aws.validation import validate
from overcast.services.sns.errors import InvalidAction, ValidationException
from overcast.services.sns.model import invalid
from overcast.services.sns.publisher import Publisher
from overcast.services.sns.subscriptions import SubscriptionService
from overcast.services.sns.topics import TopicService

# A PublishBatch of 256 KB, form-encoded (up to three bytes a character) with its names.
MAX_BODY_BYTES = 1024 * 1024
SUBSCRIBER_ACTIONS = (b"Action=ConfirmSubscription", b"Action=Unsubscribe")


@dataclass(frozen=True)
class Call:
    params: dict
    region: str
    hops: int  # from the caller's trace header: a function's own Publish continues its chain


@dataclass
class Topics:
    """The services behind the API."""

    topics: TopicService
    subscriptions: SubscriptionService
    publisher: Publisher


Handler = Callable[[Topics, Call], dict | None]
HANDLERS: dict[str, Handler] = {
    "CreateTopic": lambda t, c: {
        "TopicArn": t.topics.create(
            c.region,
            c.params["Name"],
            c.params.get("Attributes"),
            c.params.get("Tags"),
            c.params.get("DataProtectionPolicy"),
        )
    },
    "DeleteTopic": lambda t, c: t.topics.delete(c.params["TopicArn"]),
    "ListTopics": lambda t, c: t.topics.list(c.region, c.params.get("NextToken")),
    "GetTopicAttributes": lambda t, c: {"Attributes": t.topics.attributes(c.params["TopicArn"])},
    "SetTopicAttributes": lambda t, c: t.topics.set_attribute(
        c.params["TopicArn"], c.params["AttributeName"], c.params.get("AttributeValue")
    ),
    "TagResource": lambda t, c: t.topics.tag(c.params["ResourceArn"], c.params["Tags"]) or {},
    "UntagResource": lambda t, c: (
        t.topics.untag(c.params["ResourceArn"], c.params["TagKeys"]) or {}
    ),
    "ListTagsForResource": lambda t, c: {"Tags": t.topics.tags(c.params["ResourceArn"])},
    "Subscribe": lambda t, c: {
        "SubscriptionArn": t.subscriptions.subscribe(
            c.params["TopicArn"],
            c.params["Protocol"],
            c.params.get("Endpoint"),
            c.params.get("Attributes"),
            c.params.get("ReturnSubscriptionArn", False),
        )
    },
    "ConfirmSubscription": lambda t, c: {
        "SubscriptionArn": t.subscriptions.confirm(c.params["TopicArn"], c.params["Token"])
    },
    "Unsubscribe": lambda t, c: t.subscriptions.unsubscribe(c.params["SubscriptionArn"]),
    "ListSubscriptions": lambda t, c: t.subscriptions.list(c.params.get("NextToken")),
    "ListSubscriptionsByTopic": lambda t, c: t.subscriptions.list_by_topic(
        c.params["TopicArn"], c.params.get("NextToken")
    ),
    "GetSubscriptionAttributes": lambda t, c: {
        "Attributes": t.subscriptions.attributes(c.params["SubscriptionArn"])
    },
    "SetSubscriptionAttributes": lambda t, c: t.subscriptions.set_attribute(
        c.params["SubscriptionArn"], c.params["AttributeName"], c.params.get("AttributeValue")
    ),
    "Publish": lambda t, c: t.publisher.publish(c.params, c.hops),
    "PublishBatch": lambda t, c: t.publisher.publish_batch(
        c.params["TopicArn"], c.params["PublishBatchRequestEntries"], c.hops
    ),
}


class SnsApi:
    """The endpoint `build_app` routes SNS-signed requests to."""

    def __init__(self, services: Topics, default_region: str) -> None:
        self.services = services
        self.default_region = default_region
        self.model = protocol.service_model("sns")

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except ServiceError as error:
            return query_protocol.error_response(error, self.model)
        except Exception as error:
            failure = internal_error(error, request_line(request))
            return query_protocol.error_response(failure, self.model)

    async def _handle(self, request: Request) -> Response:
        protocol.check_header_size(request.scope["headers"])
        body = await protocol.read_body(request, "SNS", MAX_BODY_BYTES)
        try:
            fields = query_protocol.form_fields(body, request.url.query)
        except QueryInputError as error:
            raise invalid(error.name) from None
        action = fields.get("Action", "")
        handler = HANDLERS.get(action)
        if handler is None:
            raise InvalidAction(f"The action {action} is not valid for this web service.")
        operation = self.model.operation_model(action)
        try:
            params = query_protocol.parse_input(operation, fields)
        except QueryInputError as error:
            raise invalid(error.name) from None
        try:
            validate(operation.input_shape, params)
        except protocol_errors.ValidationException as error:  # SNS names it ValidationError
            raise ValidationException(error.message) from None
        context = request_context(request, self.default_region)
        call = Call(params, context.region, context.hops)
        result = handler(self.services, call)
        return query_protocol.response(self.model, operation, result)


class SubscriberLinks:
    """A FrontDoor for the links SNS mails its subscribers: `GET /?Action=ConfirmSubscription
    &TopicArn=..&Token=..` and `GET /?Action=Unsubscribe&SubscriptionArn=..`, unsigned."""

    def __init__(self, api: SnsApi) -> None:
        self.api = api

    def match(self, scope: dict) -> bool:
        return (
            scope["method"] == "GET"
            and scope["path"] == "/"
            and scope["query_string"].startswith(SUBSCRIBER_ACTIONS)
        )

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        response = await self.api.handle(Request(scope, receive))
        await response(scope, receive, send)
