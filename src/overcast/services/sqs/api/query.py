"""SQS's query protocol (`Action=SendMessage&QueueUrl=...`, XML answers), as SDKs older than
SQS's move to JSON speak it.

botocore's SQS model is the JSON protocol's: it no longer names members as the query protocol
did (`Attribute.1.Name`, `MessageAttribute.1.Value.StringValue`, `<Message>`...). Those names
are put back here, from the query protocol's 2012-11-05 API, and the generic query wire
(aws/protocols/query.QueryWire over `query_model()`) does the rest.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from botocore.model import ServiceModel

from overcast.aws.errors import ServiceError
from overcast.aws.protocols import query as query_protocol
from overcast.aws.service_models import service_document
from overcast.services.sqs.errors import (
    InvalidMessageContents,
    InvalidParameterValueException,
)
from overcast.services.sqs.message import ALLOWED_CHARACTERS

XML_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"
# A message body, or a message attribute's value, whose text SQS's character rules govern.
_MESSAGE_CONTENT = re.compile(r"(^|\.)MessageBody$|MessageAttribute\.\d+\.Value\.")

# (shape, member) -> the member's name in the query protocol.
MEMBER_NAMES = {
    ("CreateQueueRequest", "Attributes"): "Attribute",
    ("CreateQueueRequest", "tags"): "Tag",
    ("SetQueueAttributesRequest", "Attributes"): "Attribute",
    ("GetQueueAttributesRequest", "AttributeNames"): "AttributeName",
    ("GetQueueAttributesResult", "Attributes"): "Attribute",
    ("ReceiveMessageRequest", "AttributeNames"): "AttributeName",
    ("ReceiveMessageRequest", "MessageSystemAttributeNames"): "MessageSystemAttributeName",
    ("ReceiveMessageRequest", "MessageAttributeNames"): "MessageAttributeName",
    ("ReceiveMessageResult", "Messages"): "Message",
    ("Message", "Attributes"): "Attribute",
    ("Message", "MessageAttributes"): "MessageAttribute",
    ("SendMessageRequest", "MessageAttributes"): "MessageAttribute",
    ("SendMessageRequest", "MessageSystemAttributes"): "MessageSystemAttribute",
    ("SendMessageBatchRequest", "Entries"): "SendMessageBatchRequestEntry",
    ("SendMessageBatchRequestEntry", "MessageAttributes"): "MessageAttribute",
    ("SendMessageBatchRequestEntry", "MessageSystemAttributes"): "MessageSystemAttribute",
    ("SendMessageBatchResult", "Successful"): "SendMessageBatchResultEntry",
    ("SendMessageBatchResult", "Failed"): "BatchResultErrorEntry",
    ("DeleteMessageBatchRequest", "Entries"): "DeleteMessageBatchRequestEntry",
    ("DeleteMessageBatchResult", "Successful"): "DeleteMessageBatchResultEntry",
    ("DeleteMessageBatchResult", "Failed"): "BatchResultErrorEntry",
    ("ChangeMessageVisibilityBatchRequest", "Entries"): "ChangeMessageVisibilityBatchRequestEntry",
    ("ChangeMessageVisibilityBatchResult", "Successful"): "ChangeMessageVisibilityBatchResultEntry",
    ("ChangeMessageVisibilityBatchResult", "Failed"): "BatchResultErrorEntry",
    ("ListQueuesResult", "QueueUrls"): "QueueUrl",
    ("ListDeadLetterSourceQueuesResult", "queueUrls"): "QueueUrl",
    ("ListQueueTagsResult", "Tags"): "Tag",
    ("ListMessageMoveTasksResult", "Results"): "ListMessageMoveTasksResultEntry",
    ("TagQueueRequest", "Tags"): "Tag",
    ("UntagQueueRequest", "TagKeys"): "TagKey",
    ("MessageAttributeValue", "StringListValues"): "StringListValue",
    ("MessageAttributeValue", "BinaryListValues"): "BinaryListValue",
    ("MessageSystemAttributeValue", "StringListValues"): "StringListValue",
    ("MessageSystemAttributeValue", "BinaryListValues"): "BinaryListValue",
}
# map shape -> the names of its entries' key and value.
MAP_ENTRY_NAMES = {
    "QueueAttributeMap": ("Name", "Value"),
    "MessageBodyAttributeMap": ("Name", "Value"),
    "MessageSystemAttributeMap": ("Name", "Value"),
    "MessageBodySystemAttributeMap": ("Name", "Value"),
    "TagMap": ("Key", "Value"),
}


@lru_cache(maxsize=1)
def query_model() -> ServiceModel:
    """botocore's SQS model with the query protocol's member names."""
    document = copy.deepcopy(service_document("sqs"))
    shapes = document["shapes"]
    for (shape, member), name in MEMBER_NAMES.items():
        shapes[shape]["members"][member]["locationName"] = name
    for shape, (key, value) in MAP_ENTRY_NAMES.items():
        shapes[shape]["key"]["locationName"] = key
        shapes[shape]["value"]["locationName"] = value
    document["metadata"] = {**document["metadata"], "xmlNamespace": XML_NAMESPACE}
    return ServiceModel(document, "sqs")


def undecodable(exc: query_protocol.QueryEncodingError) -> ServiceError:
    """SQS's answer to a field that is not UTF-8: a message's body or attribute value breaks
    SQS's character rules (InvalidMessageContents); any other field is an invalid value."""
    if _MESSAGE_CONTENT.search(exc.name):
        return InvalidMessageContents(
            f"Invalid binary data was found in {exc.name}: byte 0x{exc.byte:02X} is not "
            f"UTF-8, the set of allowed characters is {ALLOWED_CHARACTERS}"
        )
    return InvalidParameterValueException(f"Value for parameter {exc.name} is not valid UTF-8.")
