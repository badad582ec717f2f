"""Objects other services write into buckets by delivery (`delivery.Destinations`, ARN
service `s3`): Lambda's failure records of stream event source mappings, written as the
`object_key` the delivery names ("The S3 object containing the invocation record uses the
following naming convention: aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/
YYYY-MM-DDTHH.MM.SS-<Random UUID>", Lambda Developer Guide). The write is a PutObject: the
bucket's event notifications see it, as Lambda's documentation suggests using them."""

from __future__ import annotations

import uuid

from overcast.aws.arn import Arn
from overcast.aws.protocols import rest_xml
from overcast.delivery import Delivery, DeliveryFailed
from overcast.services.s3.checksums import DEFAULT_ALGORITHM
from overcast.services.s3.errors import NoSuchBucket
from overcast.services.s3.notifications import Caller
from overcast.services.s3.store import ObjectStore

CONTENT_TYPE = "application/json"
# Who wrote it, as the object's event records tell: Lambda, for the function's role.
LAMBDA_PRINCIPAL = "AWS:lambda.amazonaws.com"


class ObjectDeliveries:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def deliver(self, delivery: Delivery) -> None:
        """Write the delivery's body as its `object_key` in the bucket its ARN names, or raise
        DeliveryFailed (no such bucket, no key, an ARN that names an object)."""
        bucket = Arn.parse(delivery.arn).resource
        if not delivery.object_key or not bucket or "/" in bucket:
            raise DeliveryFailed(f"No object can be written to {delivery.arn}")
        request_id = uuid.uuid4().hex[:16].upper()
        caller = Caller(
            LAMBDA_PRINCIPAL, "127.0.0.1", request_id, rest_xml.host_id(request_id), delivery.hops
        )
        writer = self.store.blobs.writer(DEFAULT_ALGORITHM)  # as PutObject adds
        writer.write(delivery.body)
        try:
            # Encrypted as the bucket's default says, as a PutObject without encryption is.
            encryption = self.store.encryption.for_write(bucket, {})
            self.store.objects.put(
                bucket,
                delivery.object_key,
                writer,
                caller,
                headers={"ContentType": CONTENT_TYPE, **encryption},
                metadata={},
            )
        except NoSuchBucket:
            message = f"The bucket of {delivery.arn} does not exist"
            raise DeliveryFailed(message, missing=True) from None
