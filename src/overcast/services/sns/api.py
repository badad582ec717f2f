"""SNS's API (the `sns` SigV4 service) as the gateway serves it: `POST /` with `Action=...`,
answered in XML (the query protocol, picked from botocore's model).

Each operation calls one method of the topic services. Input the shared protocol code
refuses is answered in SNS's own words (`translate`). The SubscribeURL and UnsubscribeURL
that subscribers are sent are plain unsigned GETs: `SubscriberLinks` claims them; the
certificate that the SigningCertURL names is another (`SigningCertificate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from overcast.aws import errors as protocol_errors
from overcast.aws.authorizer import AllowAll
from overcast.aws.errors import ServiceError
from overcast.aws.gateway import Api, serve
from overcast.aws.operations import Call, Operations
from overcast.aws.protocols.query import QueryInputError
from overcast.aws.protocols.rest_json import service_model
from overcast.aws.request_context import request_context
from overcast.services.sns.access import TopicPolicies, sns_access
from overcast.services.sns.errors import InvalidAction, ValidationException
from overcast.services.sns.model import invalid
from overcast.services.sns.publisher import Publisher
from overcast.services.sns.signing import Signer
from overcast.services.sns.subscriptions import SubscriptionService
from overcast.services.sns.topics import TopicService

# A PublishBatch of 256 KB, form-encoded (up to three bytes a character) with its names.
MAX_BODY_BYTES = 1024 * 1024
SUBSCRIBER_ACTIONS = (b"Action=ConfirmSubscription", b"Action=Unsubscribe")
CERTIFICATE_PREFIX = "/SimpleNotificationService-"
OPERATIONS = Operations()


@dataclass
class Topics:
    """The services behind the API."""

    topics: TopicService
    subscriptions: SubscriptionService
    publisher: Publisher


# --- topics ----------------------------------------------------------------------------------


@OPERATIONS("CreateTopic")
def create_topic(t: Topics, call: Call) -> dict:
    p = call.params
    arn = t.topics.create(
        call.region, p["Name"], p.get("Attributes"), p.get("Tags"), p.get("DataProtectionPolicy")
    )
    return {"TopicArn": arn}


@OPERATIONS("DeleteTopic")
def delete_topic(t: Topics, call: Call) -> None:
    return t.topics.delete(call.params["TopicArn"])


@OPERATIONS("ListTopics")
def list_topics(t: Topics, call: Call) -> dict:
    return t.topics.list(call.region, call.params.get("NextToken"))


@OPERATIONS("GetTopicAttributes")
def get_topic_attributes(t: Topics, call: Call) -> dict:
    return {"Attributes": t.topics.attributes(call.params["TopicArn"])}


@OPERATIONS("SetTopicAttributes")
def set_topic_attributes(t: Topics, call: Call) -> None:
    p = call.params
    return t.topics.set_attribute(p["TopicArn"], p["AttributeName"], p.get("AttributeValue"))


@OPERATIONS("TagResource")
def tag_resource(t: Topics, call: Call) -> dict:
    return t.topics.tag(call.params["ResourceArn"], call.params["Tags"]) or {}


@OPERATIONS("UntagResource")
def untag_resource(t: Topics, call: Call) -> dict:
    return t.topics.untag(call.params["ResourceArn"], call.params["TagKeys"]) or {}


@OPERATIONS("ListTagsForResource")
def list_tags_for_resource(t: Topics, call: Call) -> dict:
    return {"Tags": t.topics.tags(call.params["ResourceArn"])}


@OPERATIONS("AddPermission")
def add_permission(t: Topics, call: Call) -> None:
    p = call.params
    return t.topics.add_permission(p["TopicArn"], p["Label"], p["AWSAccountId"], p["ActionName"])


@OPERATIONS("RemovePermission")
def remove_permission(t: Topics, call: Call) -> None:
    return t.topics.remove_permission(call.params["TopicArn"], call.params["Label"])


# --- subscriptions ---------------------------------------------------------------------------


@OPERATIONS("Subscribe")
def subscribe(t: Topics, call: Call) -> dict:
    p = call.params
    arn = t.subscriptions.subscribe(
        p["TopicArn"],
        p["Protocol"],
        p.get("Endpoint"),
        p.get("Attributes"),
        p.get("ReturnSubscriptionArn", False),
    )
    return {"SubscriptionArn": arn}


@OPERATIONS("ConfirmSubscription")
def confirm_subscription(t: Topics, call: Call) -> dict:
    arn = t.subscriptions.confirm(call.params["TopicArn"], call.params["Token"])
    return {"SubscriptionArn": arn}


@OPERATIONS("Unsubscribe")
def unsubscribe(t: Topics, call: Call) -> None:
    return t.subscriptions.unsubscribe(call.params["SubscriptionArn"])


@OPERATIONS("ListSubscriptions")
def list_subscriptions(t: Topics, call: Call) -> dict:
    return t.subscriptions.list(call.params.get("NextToken"))


@OPERATIONS("ListSubscriptionsByTopic")
def list_subscriptions_by_topic(t: Topics, call: Call) -> dict:
    return t.subscriptions.list_by_topic(call.params["TopicArn"], call.params.get("NextToken"))


@OPERATIONS("GetSubscriptionAttributes")
def get_subscription_attributes(t: Topics, call: Call) -> dict:
    return {"Attributes": t.subscriptions.attributes(call.params["SubscriptionArn"])}


@OPERATIONS("SetSubscriptionAttributes")
def set_subscription_attributes(t: Topics, call: Call) -> None:
    p = call.params
    arn, name = p["SubscriptionArn"], p["AttributeName"]
    return t.subscriptions.set_attribute(arn, name, p.get("AttributeValue"))


# --- publishing ------------------------------------------------------------------------------


@OPERATIONS("Publish")
def publish(t: Topics, call: Call) -> dict:
    # The caller's chain (its trace header) goes on: a function's own Publish continues it.
    return t.publisher.publish(call.params, call.hops)


@OPERATIONS("PublishBatch")
def publish_batch(t: Topics, call: Call) -> dict:
    p = call.params
    return t.publisher.publish_batch(p["TopicArn"], p["PublishBatchRequestEntries"], call.hops)


# --- the API ---------------------------------------------------------------------------------


def _in_snss_words(error: ServiceError) -> ServiceError:
    """What the shared query wire and validation refuse, as SNS words it."""
    if isinstance(error, QueryInputError):  # a field not of its type, or not UTF-8
        return invalid(error.name)
    if isinstance(error, protocol_errors.UnknownOperationException):
        action = error.operation
        return InvalidAction(f"The action {action} is not valid for this web service.")
    if isinstance(error, protocol_errors.ValidationException):  # SNS names it ValidationError
        return ValidationException(error.message)
    return error


def sns_api(topics: Topics) -> Api:
    return Api(
        service_model("sns"),
        OPERATIONS,
        topics,
        translate=_in_snss_words,
        max_body=MAX_BODY_BYTES,
        access=sns_access,
        resource_policies=TopicPolicies(topics),
    )


class SubscriberLinks:
    """A FrontDoor for the links SNS mails its subscribers: `GET /?Action=ConfirmSubscription
    &TopicArn=..&Token=..` and `GET /?Action=Unsubscribe&SubscriptionArn=..`, unsigned."""

    def __init__(self, api: Api, default_region: str, account_id: str) -> None:
        self.api = api
        self.default_region = default_region
        self.account_id = account_id

    def match(self, scope: dict) -> bool:
        return (
            scope["method"] == "GET"
            and scope["path"] == "/"
            and scope["query_string"].startswith(SUBSCRIBER_ACTIONS)
        )

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        request = Request(scope, receive)
        context = request_context(request, self.default_region, self.account_id)
        # Not authorized: AWS lets anyone who holds the link follow it, unsigned (a browser,
        # an endpoint with no credentials): the token in it is the proof. ConfirmSubscription
        # "requires an AWS signature only when the AuthenticateOnUnsubscribe flag is set to
        # true", and Unsubscribe only when the subscription requires authentication to delete
        # (SNS API reference); Overcast keeps neither requirement.
        response = await serve(self.api, request, context, AllowAll())
        await response(scope, receive, send)


class SigningCertificate:
    """A FrontDoor for the certificate SNS signs with: `GET /SimpleNotificationService-
    <digits>.pem`, unsigned, as a subscriber fetches the SigningCertURL to check a message.
    (Bucket names cannot hold capitals, so the path is no S3 path-style request's.)"""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer

    def match(self, scope: dict) -> bool:
        path = scope["path"]
        return (
            scope["method"] == "GET"
            and path.startswith(CERTIFICATE_PREFIX)
            and path == f"/{self.signer.certificate_name()}"
        )

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        # The media type is the one registered for a PEM certificate served alone; what SNS's
        # own endpoint answers with is not documented.
        response = Response(self.signer.certificate(), media_type="application/x-x509-ca-cert")
        await response(scope, receive, send)
