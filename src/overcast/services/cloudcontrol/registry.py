"""What Cloud Control answers: one resource's model (GetResource), or every resource's of a
type (ListResources), read through the owning service's API as the request's caller.

Cloud Control acts with the caller's credentials ("Cloud Control API makes calls to the
underlying services on your behalf", Cloud Control API User Guide): the caller's policies
must allow both `cloudformation:GetResource` and the owning service's read
(`lambda:GetFunctionUrlConfig`), as on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from overcast.aws.credentials import Identity
from overcast.aws.errors import AccessDeniedException, ServiceError
from overcast.aws.in_process import InProcessApi
from overcast.aws.paging import InvalidToken, decode_text, encode_text
from overcast.services.cloudcontrol.errors import (
    CloudControlError,
    GeneralServiceException,
    InvalidRequestException,
    ResourceNotFoundException,
    TypeNotFoundException,
    UnsupportedActionException,
)
from overcast.services.cloudcontrol.resource_types import RESOURCE_TYPES, Caller, ResourceType

# The codes each service answers a missing resource with (those that answer no 404).
_MISSING = frozenset(
    {
        "ResourceNotFoundException", "QueueDoesNotExist", "NoSuchBucket", "NotFound",
        "AWS.SimpleQueueService.NonExistentQueue",
    }
)  # fmt: skip
PAGE = 100  # ListResources' MaxResults at most
T = TypeVar("T")


class CloudControl:
    """`services(name)` is the in-process API of the service `name` (None: not served);
    `known_types()` every type CloudFormation deploys here (its resource providers)."""

    def __init__(
        self,
        services: Callable[[str], InProcessApi | None],
        known_types: Callable[[], list[str]],
    ) -> None:
        self._services = services
        self._known_types = known_types

    def get(self, type_name: str, identifier: str, caller: Identity | None, region: str) -> dict:
        kind = self._type(type_name, "READ")
        properties = self._read(kind, identifier, self._caller(caller, region))
        return self._description(kind, properties)

    def list(
        self,
        type_name: str,
        model: dict,
        token: str | None,
        size: int | None,
        caller: Identity | None,
        region: str,
    ) -> tuple[list[dict], str | None]:
        """A page of the type's resources after `token`, and the next page's token."""
        kind = self._type(type_name, "LIST")
        missing = [name for name in kind.required if not model.get(name)]
        if missing:
            raise InvalidRequestException(
                f"Missing or invalid ResourceModel property in {type_name} list handler "
                f"request input. Required property: {missing}"
            )
        call = self._caller(caller, region)
        listed = self._guarded(type_name, "", lambda: list(kind.list(call, model)))
        identifiers = sorted(set(listed))
        if token:
            try:
                after = decode_text(token)
            except InvalidToken as exc:
                raise InvalidRequestException("Invalid NextToken") from exc
            identifiers = [i for i in identifiers if i > after]
        chosen = identifiers[: size or PAGE]
        found = []
        for identifier in chosen:
            try:
                found.append(self._description(kind, self._read(kind, identifier, call)))
            except ResourceNotFoundException:
                continue  # deleted between the listing and its read
        following = encode_text(chosen[-1]) if len(identifiers) > len(chosen) else None
        return found, following

    def _type(self, type_name: str, action: str) -> ResourceType:
        kind = RESOURCE_TYPES.get(type_name)
        if kind is not None and self._services(_service_of(type_name)) is not None:
            return kind
        if type_name in self._known_types():
            raise UnsupportedActionException(
                f"Resource type {type_name} does not support {action} action"
            )
        raise TypeNotFoundException(f"The type '{type_name}' cannot be found.")

    def _caller(self, identity: Identity | None, region: str) -> Caller:
        # InProcessApi reads a None identity as the account's root: a read must name who asks.
        if identity is None:
            raise GeneralServiceException("The request names no caller")

        def call(service: str, operation: str, params: dict) -> dict:
            api = self._services(service)
            if api is None:
                raise GeneralServiceException(f"The service {service} is not served here")
            return api.call(operation, params, identity, region)

        return call

    def _read(self, kind: ResourceType, identifier: str, call: Caller) -> dict:
        return self._guarded(kind.type_name, identifier, lambda: kind.read(call, identifier))

    @staticmethod
    def _guarded(type_name: str, identifier: str, work: Callable[[], T]) -> T:
        """`work()`, its service's errors as Cloud Control words them."""
        try:
            return work()
        except CloudControlError:
            raise
        except ServiceError as exc:
            if exc.code in _MISSING or exc.status == 404:
                raise ResourceNotFoundException(
                    f"Resource of type '{type_name}' with identifier '{identifier}' was not found."
                ) from None
            if exc.code.startswith("AccessDenied"):  # IAM refused the owning service's read
                raise AccessDeniedException(exc.message) from None
            raise GeneralServiceException(f"{exc.code}: {exc.message}") from None

    @staticmethod
    def _description(kind: ResourceType, properties: dict) -> dict:
        """A ResourceDescription: the identifier, and the properties as a JSON string."""
        return {
            "Identifier": str(properties[kind.identifier_property]),
            "Properties": json.dumps(properties, separators=(",", ":"), default=str),
        }


def _service_of(type_name: str) -> str:
    """The service that owns `AWS::<Service>::<Type>`, as its API is named."""
    return type_name.split("::")[1].lower()
