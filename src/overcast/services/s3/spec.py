"""S3 as SERVICES lists it: its API, served by the gateway (requests signed for `s3`); its
object events go out through Lambda's async queue and the destinations; its objects are read
by Lambda (code from S3) through the kernels' object readers; other services deliver objects
into its buckets by ARN (deliveries.py)."""

from __future__ import annotations

from overcast.services.base import BuiltService, Kernels, ServiceSpec


def build(kernels: Kernels) -> BuiltService:
    # Imported here, not above: `overcast.services` imports this module (see services/base).
    from overcast.services.s3 import resources
    from overcast.services.s3.access import BucketPolicies
    from overcast.services.s3.api.cors import CorsPreflight
    from overcast.services.s3.api.post_object import BrowserUpload
    from overcast.services.s3.api.service import s3_api
    from overcast.services.s3.deliveries import ObjectDeliveries
    from overcast.services.s3.reader import S3Reader
    from overcast.services.s3.store import ObjectStore

    settings = kernels.settings
    objects = ObjectStore(
        settings.data_dir,
        settings.account_id,
        kernels.queue,
        kernels.control,
        kernels.destinations,
        permissions=kernels.control.invoke_permissions,
        auth=kernels.request_auth,
    )
    kernels.objects.register(
        S3Reader(objects.objects, BucketPolicies(objects), kernels.request_auth)
    )
    api = s3_api(objects)
    for provider in resources.providers(kernels.in_process(api)):
        kernels.resource_providers.register(provider)
    return BuiltService(
        api=api,
        # browsers' preflights (unsigned) and form uploads (their policies signed)
        front_doors=(CorsPreflight(objects), BrowserUpload(objects, auth=kernels.request_auth)),
        # Delivers the object events kept from before: the queue has started by then.
        start=objects.start,
        # After the queue has stopped: its last deliveries still mark events done here.
        close=objects.close,
        # Lambda's failure records of stream mappings with an S3 OnFailure destination.
        senders={"s3": ObjectDeliveries(objects).deliver},
    )


SPEC = ServiceSpec("s3", build)
