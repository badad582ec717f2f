"""A template's properties checked against the type's required properties before a provider
acts, refused in CloudFormation's words for a resource type's schema ("Properties validation
failed for resource Api with message: #: required key [RestApiId] not found").
"""

from __future__ import annotations

from overcast.aws.errors import UserError
from overcast.resource_providers import ResourceRequest


class PropertiesInvalid(UserError):
    """Raised when a resource's properties break its type's schema (a required property
    missing): CloudFormation fails the resource with this message, calling no service."""

    code = "ValidationError"


def require(request: ResourceRequest, names: tuple[str, ...]) -> None:
    missing = [name for name in names if request.properties.get(name) in (None, "")]
    if not missing:
        return
    lines = [f"#: required key [{name}] not found" for name in missing]
    if len(lines) > 1:
        lines.insert(0, f"#: {len(lines)} schema violations found")
    raise PropertiesInvalid(
        f"Properties validation failed for resource {request.logical_id} with message: "
        + "\n".join(lines)
    )
