"""S3's API as the gateway serves it: requests signed for `s3` (SigV4's scope, SigV2's
`AWS` header, a presigned URL's query) come here, read and answered by S3's own wire
(wire.py), which addresses buckets and keys as S3 does.

S3 checks its input in its own words (names.py, the handlers), not by botocore's model
constraints; an error of the shared protocol code (a body too large) is S3's InvalidArgument.
"""

from __future__ import annotations

from botocore.model import OperationModel

from overcast.aws.errors import AccessDeniedException, ServiceError
from overcast.aws.gateway import Api
from overcast.aws.protocols.rest_json import service_model
from overcast.services.s3.access import BucketPolicies, s3_access
from overcast.services.s3.api import acl as _acl  # noqa: F401 (registers its operations)
from overcast.services.s3.api import buckets as _buckets  # noqa: F401 (registers its operations)
from overcast.services.s3.api import configuration as _configuration  # noqa: F401 (likewise)
from overcast.services.s3.api import cors as _cors  # noqa: F401 (registers its operations)
from overcast.services.s3.api import encryption as _encryption  # noqa: F401 (likewise)
from overcast.services.s3.api import lifecycle as _lifecycle  # noqa: F401 (likewise)
from overcast.services.s3.api import listing as _listing  # noqa: F401 (registers its operations)
from overcast.services.s3.api import multipart as _multipart  # noqa: F401 (registers its operations)
from overcast.services.s3.api import object_attributes as _attributes  # noqa: F401 (likewise)
from overcast.services.s3.api import object_tags as _object_tags  # noqa: F401 (likewise)
from overcast.services.s3.api import objects as _objects  # noqa: F401 (registers its operations)
from overcast.services.s3.api import versioning as _versioning  # noqa: F401 (likewise)
from overcast.services.s3.api.authentication import access_denied, s3_auth_error
from overcast.services.s3.api.call import OPERATIONS
from overcast.services.s3.api.wire import MAX_XML_BYTES, S3Wire, addressed_to_s3
from overcast.services.s3.errors import InvalidArgument, S3Error
from overcast.services.s3.store import ObjectStore


def _as_s3_error(exc: ServiceError) -> ServiceError:
    """An error raised by shared code in another service's terms, in S3's."""
    if isinstance(exc, AccessDeniedException):
        return access_denied(exc)
    return exc if isinstance(exc, S3Error) else InvalidArgument(exc.message)


def _unchecked(operation: OperationModel, params: dict) -> None:
    return None


def s3_api(store: ObjectStore) -> Api:
    model = service_model("s3")
    return Api(
        model,
        OPERATIONS,
        store,
        wires=(S3Wire(model, store.buckets.cors_rules),),
        validate=_unchecked,
        translate=_as_s3_error,
        max_body=MAX_XML_BYTES,
        claims_unsigned=lambda request: addressed_to_s3(request, store.buckets.exists),
        anonymous=True,  # S3 serves unsigned requests, as anonymous's
        auth_error=s3_auth_error,
        access=s3_access,
        resource_policies=BucketPolicies(store),
    )
