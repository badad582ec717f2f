"""One resource's step in a stack operation: create, update in place, replace or delete it
through its type's provider, with the events CloudFormation records for it and the stack
written down before and after (model.py: what was done survives a crash).

Providers block (they call their services' stores): each call runs in a worker thread
(aws/in_process.py), and the resources of one wave run side by side.
"""

from __future__ import annotations

import logging

from overcast.aws.errors import ServiceError
from overcast.aws.in_process import run_in_thread
from overcast.resource_providers import (
    REPLACES,
    InvalidProperties,
    ResourceProviders,
    ResourceRequest,
)
from overcast.services.cloudformation.dynamic_references import DynamicReferences
from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.model import Event, Resource, Stack, now
from overcast.services.cloudformation.store import StackStore

log = logging.getLogger(__name__)

STACK_TYPE = "AWS::CloudFormation::Stack"
REPLACING = "Requested update requires the creation of a new physical resource; hence creating one."
RETAINED = "Resource is retained per its DeletionPolicy"


class StepFailed(Exception):
    """Raised when a resource's step fails: `reason` is its status reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reason_of(exc: BaseException) -> str:
    """A provider's failure as the resource's status reason."""
    if isinstance(exc, (TemplateError, InvalidProperties)):  # CloudFormation's own checks
        return exc.message
    if isinstance(exc, ServiceError):
        # CloudFormation's words for a failed handler call (the error code after it).
        return f'Resource handler returned message: "{exc.message}" (HandlerErrorCode: {exc.code})'
    log.exception("a resource provider failed", exc_info=exc)
    return f"Internal Failure: {type(exc).__name__}"


class Steps:
    """The steps of one stack's operation (the stack object is changed in place)."""

    def __init__(
        self,
        store: StackStore,
        providers: ResourceProviders,
        stack: Stack,
        references: DynamicReferences | None = None,
    ) -> None:
        self.store = store
        self.providers = providers
        self.stack = stack
        self.references = references  # {{resolve:ssm:...}} in properties

    # --- events and status ----------------------------------------------------------------

    def stack_status(self, status: str, reason: str | None = None) -> None:
        stack = self.stack
        stack.status, stack.reason = status, reason
        self.store.put(stack)
        self.store.add_event(
            Event(
                stack.stack_id,
                stack.name,
                stack.name,
                STACK_TYPE,
                status,
                stack.stack_id,
                reason,
                token=stack.request_token,
            )
        )

    def record(
        self, resource: Resource, status: str, reason: str | None = None, *, attach: bool = True
    ) -> None:
        """The resource's new status, and its event; `attach`: the stack's record of it
        (not for a replaced or dropped resource being deleted)."""
        resource.status, resource.reason, resource.updated = status, reason, now()
        if attach:
            self.stack.resources[resource.logical_id] = resource
        self.store.put(self.stack)
        self.store.add_event(
            Event(
                self.stack.stack_id,
                self.stack.name,
                resource.logical_id,
                resource.resource_type,
                status,
                resource.physical_id,
                reason,
                resource.properties or None,
                token=self.stack.request_token,
            )
        )

    # --- the steps ------------------------------------------------------------------------

    async def create(self, resource: Resource, props: dict, *, replacing: bool = False) -> None:
        """Create `resource` (a new one, or the replacement of one: UPDATE_* statuses)."""
        begin, done, failed = (
            ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_FAILED")
            if replacing
            else ("CREATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_FAILED")
        )
        if replacing:
            resource = Resource(
                resource.logical_id,
                resource.resource_type,
                begin,
                deletion_policy=resource.deletion_policy,
                update_replace_policy=resource.update_replace_policy,
            )
        resource.properties, resource.physical_id = props, None
        self.record(resource, begin, REPLACING if replacing else None)
        try:
            made = await run_in_thread(self._call, "create", resource, props, None, None)
        except Exception as exc:  # noqa: BLE001 - every failure becomes the resource's reason
            reason = reason_of(exc)
            self.record(resource, failed, reason)
            raise StepFailed(reason) from None
        resource.physical_id, resource.attributes, resource.ref = (
            made.physical_id,
            dict(made.attributes),
            made.ref,
        )
        self.record(resource, done)

    async def update(self, resource: Resource, props: dict) -> None:
        """Update `resource` in place to `props`."""
        previous = resource.properties
        resource.properties = props
        self.record(resource, "UPDATE_IN_PROGRESS")
        try:
            made = await run_in_thread(
                self._call, "update", resource, props, previous, resource.physical_id
            )
        except Exception as exc:  # noqa: BLE001
            resource.properties = previous
            reason = reason_of(exc)
            self.record(resource, "UPDATE_FAILED", reason)
            raise StepFailed(reason) from None
        resource.physical_id, resource.attributes, resource.ref = (
            made.physical_id,
            dict(made.attributes),
            made.ref,
        )
        self.record(resource, "UPDATE_COMPLETE")

    async def delete(
        self, resource: Resource, *, retain: bool = False, attach: bool = True
    ) -> None:
        """Delete `resource` (kept when `retain`: DELETE_SKIPPED). A resource never made
        (no physical id) is deleted at once."""
        if retain:
            self.record(resource, "DELETE_SKIPPED", RETAINED, attach=attach)
            return
        self.record(resource, "DELETE_IN_PROGRESS", attach=attach)
        if resource.physical_id is not None:
            try:
                await run_in_thread(
                    self._call, "delete", resource, resource.properties, None, resource.physical_id
                )
            except Exception as exc:  # noqa: BLE001
                reason = reason_of(exc)
                self.record(resource, "DELETE_FAILED", reason, attach=attach)
                raise StepFailed(reason) from None
        self.record(resource, "DELETE_COMPLETE", attach=attach)

    def replaces(self, resource: Resource, resource_type: str, props: dict) -> bool:
        if resource.resource_type != resource_type:
            return True
        return self._provider(resource).replaces(resource.properties, props) == REPLACES

    def _provider(self, resource: Resource):  # noqa: ANN202 - a ResourceProvider
        provider = self.providers.get(resource.resource_type)
        if provider is None:  # the type was provided when the template was checked
            raise TemplateError(f"Unrecognized resource types: [{resource.resource_type}]")
        return provider

    def _call(
        self,
        action: str,
        resource: Resource,
        props: dict,
        previous: dict | None,
        physical_id: str | None,
    ) -> object:
        """The provider's `action` (create, update, delete), in a worker thread: its
        properties' dynamic references are resolved here, as the stack's caller, so that
        the stack keeps the references and never their values. A delete needs only the
        physical id: a parameter deleted since does not keep the resource."""
        provider = self._provider(resource)
        if self.references is not None and action != "delete":
            stack, caller = self.stack, self.stack.identity()
            props = self.references.resolve(props, stack.region, caller)  # type: ignore[assignment]
            if previous is not None:
                previous = self.references.resolve(previous, stack.region, caller)  # type: ignore[assignment]
        request = self._request(resource, props, previous, physical_id)
        return getattr(provider, action)(request)

    def _request(
        self, resource: Resource, props: dict, previous: dict | None, physical_id: str | None
    ) -> ResourceRequest:
        stack = self.stack
        account_id = stack.stack_id.split(":")[4]
        return ResourceRequest(
            resource.logical_id,
            resource.resource_type,
            props,
            previous,
            physical_id,
            stack.name,
            stack.stack_id,
            stack.region,
            account_id,
            stack.identity(),
        )
