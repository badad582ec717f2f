"""S3's errors: `<Error><Code>...</Code><Message>...` with the elements `extra` names."""

from __future__ import annotations

from overcast.aws.errors import ServiceError


class S3Error(ServiceError, model="s3"):
    """Raised when an S3 request fails. S3 answers `<Error><Code>...</Code><Message>...`;
    `extra` are the further elements it names (BucketName, Key, ArgumentName, ...), in order;
    `headers` are response headers the error carries (a delete marker's, for one)."""

    code = "InvalidRequest"

    def __init__(
        self, message: str, *, headers: dict[str, str] | None = None, **extra: object
    ) -> None:
        super().__init__(message, **extra)
        self._headers = dict(headers or {})

    def headers(self) -> dict[str, str]:
        return dict(self._headers)


class NoSuchBucket(S3Error):
    """Raised when a bucket does not exist."""

    code = "NoSuchBucket"


class NoSuchKey(S3Error):
    """Raised when an object does not exist."""

    code = "NoSuchKey"


class NoSuchVersion(S3Error):
    """Raised when a request names a version of an object that does not exist."""

    status = 404
    code = "NoSuchVersion"


class NoSuchUpload(S3Error):
    """Raised when a multipart upload does not exist (never began, completed or aborted)."""

    code = "NoSuchUpload"


class NoSuchTagSet(S3Error):
    """Raised when a bucket has no tags."""

    status = 404
    code = "NoSuchTagSet"


class NoSuchBucketPolicy(S3Error):
    """Raised when a bucket has no policy."""

    status = 404
    code = "NoSuchBucketPolicy"


class NoSuchCORSConfiguration(S3Error):
    """Raised when a bucket has no CORS configuration."""

    status = 404
    code = "NoSuchCORSConfiguration"


class NoSuchLifecycleConfiguration(S3Error):
    """Raised when a bucket has no lifecycle configuration."""

    status = 404
    code = "NoSuchLifecycleConfiguration"


class NoSuchWebsiteConfiguration(S3Error):
    """Raised when a bucket has no website configuration."""

    status = 404
    code = "NoSuchWebsiteConfiguration"


class ObjectLockConfigurationNotFoundError(S3Error):
    """Raised when a bucket has no Object Lock configuration."""

    status = 404
    code = "ObjectLockConfigurationNotFoundError"


class ReplicationConfigurationNotFoundError(S3Error):
    """Raised when a bucket has no replication configuration."""

    status = 404
    code = "ReplicationConfigurationNotFoundError"


class BucketNotEmpty(S3Error):
    """Raised when a bucket that still holds objects is deleted."""

    status = 409
    code = "BucketNotEmpty"


class BucketAlreadyOwnedByYou(S3Error):
    """Raised when a bucket of that name exists already (bucket names are global)."""

    code = "BucketAlreadyOwnedByYou"


class InvalidBucketName(S3Error):
    """Raised when a bucket name breaks S3's naming rules."""

    code = "InvalidBucketName"


class KeyTooLongError(S3Error):
    """Raised when an object key is longer than 1024 bytes of UTF-8."""

    code = "KeyTooLongError"


class InvalidRange(S3Error):
    """Raised when a Range header asks for bytes past the object's end."""

    status = 416
    code = "InvalidRange"


class PreconditionFailed(S3Error):
    """Raised when an If-Match, If-Unmodified-Since or If-None-Match condition fails."""

    status = 412
    code = "PreconditionFailed"


class NotModified(S3Error):
    """Raised when an If-None-Match or If-Modified-Since condition of a read fails (304,
    which S3 answers without a body, but with the object's ETag and Last-Modified, so that
    a cache can revalidate its copy)."""

    status = 304
    code = "NotModified"

    def __init__(self, message: str, *, etag: str, last_modified: str) -> None:
        super().__init__(message, headers={"ETag": etag, "Last-Modified": last_modified})


class MalformedXML(S3Error):
    """Raised when an XML request body is not well-formed or breaks S3's schema."""

    code = "MalformedXML"


class InvalidArgument(S3Error):
    """Raised when a request parameter is not acceptable (S3's `InvalidArgument`)."""

    code = "InvalidArgument"


class InvalidRequest(S3Error):
    """Raised when a request is not valid as a whole (S3's `InvalidRequest`)."""

    code = "InvalidRequest"


class IllegalLocationConstraintException(S3Error):
    """Raised when a bucket's LocationConstraint does not match the region it is created in."""

    code = "IllegalLocationConstraintException"


class MalformedPolicy(S3Error):
    """Raised when a bucket policy is not a policy document S3 accepts."""

    code = "MalformedPolicy"


class InvalidTag(S3Error):
    """Raised when a tag set has a duplicate, reserved, too long or too many tags."""

    code = "InvalidTag"


class InvalidEncryptionAlgorithmError(S3Error):
    """Raised when an SSE-C request names an algorithm other than AES256."""

    status = 400
    code = "InvalidEncryptionAlgorithmError"


class InvalidPolicyDocument(S3Error):
    """Raised when a browser POST's policy document cannot be read as S3 reads one."""

    status = 400
    code = "InvalidPolicyDocument"


class MalformedPOSTRequest(S3Error):
    """Raised when a browser POST's body is not well-formed multipart/form-data."""

    status = 400
    code = "MalformedPOSTRequest"


class IncorrectNumberOfFilesInPostRequest(S3Error):
    """Raised when a browser POST carries no file field, or more than one."""

    status = 400
    code = "IncorrectNumberOfFilesInPostRequest"


class MaxPostPreDataLengthExceededError(S3Error):
    """Raised when a browser POST's fields before its file are too large."""

    status = 400
    code = "MaxPostPreDataLengthExceededError"


class MalformedACLError(S3Error):
    """Raised when an AccessControlPolicy document is not one S3 can read."""

    code = "MalformedACLError"


class UnresolvableGrantByEmailAddress(S3Error):
    """Raised when a grant names an e-mail address no account has."""

    code = "UnresolvableGrantByEmailAddress"


class AccessControlListNotSupported(S3Error):
    """Raised when an ACL is set on a bucket whose Object Ownership disables ACLs
    (BucketOwnerEnforced)."""

    code = "AccessControlListNotSupported"


class InvalidBucketAclWithObjectOwnership(S3Error):
    """Raised when a bucket's ACL grants others where its Object Ownership disables ACLs."""

    code = "InvalidBucketAclWithObjectOwnership"


class InvalidBucketAclWithBlockPublicAccessError(S3Error):
    """Raised when a new bucket's ACL is public while Block Public Access is on."""

    code = "InvalidBucketAclWithBlockPublicAccessError"


class OwnershipControlsNotFoundError(S3Error):
    """Raised when a bucket has no Object Ownership controls."""

    status = 404
    code = "OwnershipControlsNotFoundError"


class NoSuchPublicAccessBlockConfiguration(S3Error):
    """Raised when a bucket has no Block Public Access configuration."""

    status = 404
    code = "NoSuchPublicAccessBlockConfiguration"


class MissingSecurityHeader(S3Error):
    """Raised when a request lacks a header it needs (an ACL request without an ACL)."""

    code = "MissingSecurityHeader"


class MetadataTooLarge(S3Error):
    """Raised when an object's user metadata (x-amz-meta-*) is over 2 KB."""

    code = "MetadataTooLarge"


class InvalidLocationConstraint(S3Error):
    """Raised when a bucket's LocationConstraint names no region S3 accepts there."""

    code = "InvalidLocationConstraint"


class InvalidURI(S3Error):
    """Raised when a request's path cannot be read as a bucket and key (not UTF-8)."""

    code = "InvalidURI"


class AuthorizationQueryParametersError(S3Error):
    """Raised when a presigned URL's X-Amz-* parameters are malformed or out of range."""

    code = "AuthorizationQueryParametersError"


class BadRequest(S3Error):
    """Raised when a CORS preflight lacks what S3 needs to evaluate it."""

    code = "BadRequest"


class CORSResponse(S3Error):
    """Raised when a CORS preflight is not allowed by the bucket's CORS configuration."""

    status = 403
    code = "CORSResponse"


class MethodNotAllowed(S3Error):
    """Raised when a method is not allowed on a resource (S3's `MethodNotAllowed`)."""

    status = 405
    code = "MethodNotAllowed"


class AccessDenied(S3Error):
    """Raised when a request is refused: a presigned URL or a browser POST's policy that has
    expired, a POST that breaks its policy, a read of an SSE-C object that names another key, a
    change that takes an MFA device's code."""

    code = "AccessDenied"


class S3NotImplemented(S3Error):
    """Raised when a request asks for an S3 feature this server lacks (S3's `NotImplemented`;
    the class keeps a prefix because the bare name would shadow Python's `NotImplemented`)."""

    status = 501
    code = "NotImplemented"


class InternalError(S3Error):
    """Raised when the server failed unexpectedly (what S3 answers instead of a traceback)."""

    status = 500
    code = "InternalError"


# --- authentication, in S3's words (its REST error codes list; aws/signed_request.py's reasons) ---


class InvalidAccessKeyId(S3Error):
    """Raised when a request's access key does not exist."""

    status = 403
    code = "InvalidAccessKeyId"


class SignatureDoesNotMatch(S3Error):
    """Raised when a request's signature does not match the one S3 computes."""

    status = 403
    code = "SignatureDoesNotMatch"


class RequestTimeTooSkewed(S3Error):
    """Raised when a request was signed more than 15 minutes from the server's time."""

    status = 403
    code = "RequestTimeTooSkewed"


class ExpiredToken(S3Error):
    """Raised when a request's temporary credentials have expired."""

    status = 400
    code = "ExpiredToken"


class InvalidToken(S3Error):
    """Raised when a request's session token is missing, malformed or not its key's."""

    status = 400
    code = "InvalidToken"


class AuthorizationHeaderMalformed(S3Error):
    """Raised when an Authorization header lacks a part or names a wrong scope."""

    status = 400
    code = "AuthorizationHeaderMalformed"


class XAmzContentSHA256Mismatch(S3Error):
    """Raised when a body does not have the SHA-256 its x-amz-content-sha256 announced."""

    status = 400
    code = "XAmzContentSHA256Mismatch"
