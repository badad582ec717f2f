"""The contract between CloudFormation's engine and the services whose resources it deploys.

Each service that can stand behind a resource type (`AWS::SQS::Queue`, ...) keeps its
providers in its own `resources.py` and registers them, when built, into the kernels'
`ResourceProviders`; the engine (services/cloudformation/) reads the registry by type name.
No service imports another: a provider acts through its own service's API operations,
in-process and authorized as the stack's caller (aws/in_process.py), so that IAM holds for a
template's resources as it does for the same calls made one by one (CloudFormation on AWS
acts with the caller's credentials, or its service role's).
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from typing import Protocol

from overcast.aws.credentials import Identity
from overcast.aws.errors import UserError

# Replacement, as DescribeChangeSet's `ResourceChange.Replacement` words it.
REPLACES = "True"
IN_PLACE = "False"
CONDITIONAL = "Conditional"


@dataclass(frozen=True)
class ResourceRequest:
    """One resource operation: the resource's template properties, resolved (no intrinsic
    functions left), and for an update or a delete what was there before."""

    logical_id: str
    resource_type: str
    properties: dict
    previous_properties: dict | None
    physical_id: str | None
    stack_name: str
    stack_id: str
    region: str
    account_id: str
    caller: Identity | None  # whom CloudFormation acts as: the stack's caller


@dataclass(frozen=True)
class Provisioned:
    """What a created or updated resource is known by: `physical_id` (what Ref returns,
    unless `ref` says otherwise) and the values of its Fn::GetAtt attributes."""

    physical_id: str
    attributes: dict[str, object]
    ref: object | None = None


class ResourceProvider(Protocol):
    """Creates, updates and deletes the resources of one type. Errors are raised as the
    service's `ServiceError`s; the engine words them into the resource's status reason."""

    type_name: str  # "AWS::SQS::Queue"

    def create(self, request: ResourceRequest) -> Provisioned: ...

    def update(self, request: ResourceRequest) -> Provisioned:
        """Changes the resource in place (the engine asks `replaces` first)."""
        ...

    def delete(self, request: ResourceRequest) -> None:
        """Deletes the resource; one that is already gone is success."""
        ...

    def replaces(self, old: dict, new: dict) -> str:
        """Whether changing `old` properties to `new` replaces the resource: "True",
        "False" or "Conditional" (for change sets, and updates that need a new resource)."""
        ...


class ResourceProviders:
    """Every resource type the running services provide, by type name."""

    def __init__(self) -> None:
        self._providers: dict[str, ResourceProvider] = {}

    def register(self, provider: ResourceProvider) -> None:
        if provider.type_name in self._providers:
            raise ValueError(f"two providers for {provider.type_name}")
        self._providers[provider.type_name] = provider

    def get(self, type_name: str) -> ResourceProvider | None:
        return self._providers.get(type_name)

    def types(self) -> list[str]:
        return sorted(self._providers)


def changed_any(old: dict, new: dict, names: frozenset[str] | set[str]) -> bool:
    """Whether any of the properties `names` differ between `old` and `new` (a property
    added or removed counts): how a provider tells a replacing update from an in-place one,
    its names being the type's create-only properties."""
    return any(old.get(name) != new.get(name) for name in names)


def present(props: dict, names: tuple[str, ...] | frozenset[str]) -> dict:
    """The properties among `names` that the template sets."""
    return {name: props[name] for name in names if props.get(name) is not None}


_SUFFIX = string.ascii_uppercase + string.digits


def physical_name(stack_name: str, logical_id: str, max_length: int, ending: str = "") -> str:
    """A name for a resource whose template names none, as CloudFormation makes them:
    `<stack>-<logical id>-<random suffix>`, the stack name and logical id shortened to fit
    `max_length` ("Name type", CloudFormation User Guide). `ending` is kept whole (a FIFO
    queue's `.fifo`)."""
    suffix = "".join(secrets.choice(_SUFFIX) for _ in range(12))
    room = max_length - len(suffix) - len(ending) - 2
    stack_part = stack_name[: max(room // 2, room - len(logical_id))]
    logical_part = logical_id[: room - len(stack_part)]
    return f"{stack_part}-{logical_part}-{suffix}{ending}"


def attribute_text(value: object) -> str:
    """A template property's value as the string attributes of SQS and SNS take it: JSON for
    an object or list (a RedrivePolicy), `true`/`false` for a boolean, digits for a number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def tag_map(tags: object) -> dict[str, str]:
    """A template's `Tags` (a list of `{Key, Value}`) as a dict."""
    if not isinstance(tags, list):
        return {}
    return {
        str(t["Key"]): str(t.get("Value", "")) for t in tags if isinstance(t, dict) and "Key" in t
    }


class InvalidProperties(UserError):
    """Raised when a resource's properties break its type's schema or its handler's rules
    before any call is made, worded as CloudFormation words a validation failure
    ("Properties validation failed for resource <id> with message: #/Type: ...").
    HandlerErrorCode InvalidRequest, as CloudFormation's handlers name the failure."""

    code = "InvalidRequest"


class HandlerRequestRefused(UserError):
    """Raised when a provider's call was refused in a way the service answers as data, not as
    an error (PutTargets' FailedEntries): the handler fails the resource with that refusal's
    message and HandlerErrorCode InvalidRequest."""

    code = "InvalidRequest"


def invalid_property(request: ResourceRequest, pointer: str, problem: str) -> InvalidProperties:
    """CloudFormation's wording for a property its schema refuses: `pointer` is the
    property's JSON pointer (`Type`, `Targets/0/Id`; "" for the properties as a whole)."""
    where = f"#/{pointer}" if pointer else "#"
    return InvalidProperties(
        f"Properties validation failed for resource {request.logical_id} with message: "
        f"{where}: {problem}"
    )


def require(request: ResourceRequest, names: tuple[str, ...]) -> None:
    """Refuse a resource missing any of its type's required properties, as CloudFormation's
    schema check words it ("#: required key [RestApiId] not found"), before any call."""
    missing = [name for name in names if request.properties.get(name) in (None, "")]
    if not missing:
        return
    lines = [f"#: required key [{name}] not found" for name in missing]
    if len(lines) > 1:
        lines.insert(0, f"#: {len(lines)} schema violations found")
    raise InvalidProperties(
        f"Properties validation failed for resource {request.logical_id} with message: "
        + "\n".join(lines)
    )
