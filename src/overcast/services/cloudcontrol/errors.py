"""Cloud Control API's errors, by the names of its JSON 1.0 API (botocore's `cloudcontrol`
model). Its model states no statuses: AWS answers them 400 with `{"__type": <Name>,
"Message": ...}`."""

from __future__ import annotations

from overcast.aws.errors import UserError


class CloudControlError(UserError):
    """Raised when a Cloud Control request fails."""

    model = "cloudcontrol"


class ResourceNotFoundException(CloudControlError):
    """Raised when the resource an identifier names does not exist."""

    code = "ResourceNotFoundException"


class TypeNotFoundException(CloudControlError):
    """Raised when a type name is no resource type Overcast's CloudFormation knows."""

    code = "TypeNotFoundException"


class UnsupportedActionException(CloudControlError):
    """Raised when a known resource type does not serve the action asked (Overcast deploys
    the type but does not read it through Cloud Control, or an action other than reading)."""

    code = "UnsupportedActionException"


class InvalidRequestException(CloudControlError):
    """Raised when a request is malformed: a list handler's required ResourceModel property
    missing, a paging token that is not one of ours."""

    code = "InvalidRequestException"


class GeneralServiceException(CloudControlError):
    """Raised when the service behind a resource type refused the read for another reason
    than the resource being missing; the message carries that service's error."""

    code = "GeneralServiceException"
