"""Stacks' lifecycle at the API: CreateStack, UpdateStack, DeleteStack and what finds a stack
by name or id. Each request is checked whole (template, parameters, capabilities) before the
stack is written with its operation and the engine is started on it; the request answers
at once, as CloudFormation's does, and the operation's progress is the stack's status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from overcast.aws.credentials import Identity
from overcast.services.cloudformation.dynamic_references import DynamicReferences
from overcast.services.cloudformation.engine import SETTLE_S, Engine
from overcast.services.cloudformation.errors import (
    AlreadyExistsException,
    TokenAlreadyExistsException,
    ValidationError,
)
from overcast.services.cloudformation.model import (
    UPDATABLE,
    Operation,
    Stack,
    StackStatus,
    identity_record,
    new_stack_id,
    now,
)
from overcast.services.cloudformation.plans import Plan, Planner, check_capabilities, pseudo_of
from overcast.services.cloudformation.service_roles import ServiceRoles
from overcast.services.cloudformation.store import StackStore
from overcast.services.cloudformation.template_locations import TemplateReader

# "A stack name can contain only alphanumeric characters (case-sensitive) and hyphens. It
# must start with an alphabetical character and can't be longer than 128 characters."
_STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,127}")
NO_UPDATES = "No updates are to be performed."


@dataclass(frozen=True)
class StackRequest:
    """What CreateStack, UpdateStack and CreateChangeSet share."""

    body: str | None
    parameters: list[dict]
    capabilities: list[str]
    tags: list[dict] | None
    role_arn: str | None
    notification_arns: list[str] | None
    use_previous_template: bool = False

    @classmethod
    def of(cls, params: dict) -> StackRequest:
        return cls(
            params.get("TemplateBody"),
            params.get("Parameters") or [],
            params.get("Capabilities") or [],
            params.get("Tags"),
            params.get("RoleARN"),
            params.get("NotificationARNs"),
            bool(params.get("UsePreviousTemplate")),
        )


class StackService:
    def __init__(
        self,
        store: StackStore,
        engine: Engine,
        planner: Planner,
        account_id: str,
        templates: TemplateReader | None = None,
        roles: ServiceRoles | None = None,
        ssm: DynamicReferences | None = None,
    ) -> None:
        self.store = store
        self.engine = engine
        self.planner = planner
        self.account_id = account_id
        # Templates and AWS::Include snippets in S3 (None: no S3 to read them from)
        self.templates = templates
        self.roles = roles or ServiceRoles()
        self.ssm = ssm  # SSM's parameters, for AWS::SSM::Parameter::Value<...> types

    # --- finding stacks -------------------------------------------------------------------

    def find(self, region: str, name_or_id: str) -> Stack:
        """A stack by name (a live one) or by id (deleted ones too): ValidationError "Stack
        with id X does not exist" otherwise, as CloudFormation answers."""
        stack = (
            self.store.get(name_or_id)
            if name_or_id.startswith("arn:")
            else self.store.live(region, name_or_id)
        )
        if stack is None or stack.region != region:
            raise ValidationError(f"Stack with id {name_or_id} does not exist")
        return stack

    def live(self, region: str, name_or_id: str) -> Stack:
        stack = self.find(region, name_or_id)
        if stack.status == StackStatus.DELETE_COMPLETE:
            raise ValidationError(f"Stack with id {name_or_id} does not exist")
        return stack

    # --- plans ----------------------------------------------------------------------------

    def plan(
        self, request: StackRequest, name: str, stack_id: str, region: str,
        previous: Stack | None = None, caller: Identity | None = None,
    ) -> Plan:  # fmt: skip
        body = request.body
        if request.use_previous_template:
            if previous is None:
                raise ValidationError("UsePreviousTemplate is only valid for an existing stack")
            body = previous.template_body
        if not body:
            raise ValidationError("Either Template URL or Template Body must be specified.")
        pseudo = pseudo_of(region, self.account_id, name, stack_id, request.notification_arns or [])
        given_before = previous.parameters if previous is not None else None
        return self.planner.plan(
            body,
            request.parameters,
            given_before,
            pseudo,
            self.include_reader(region, caller),
            self.ssm.for_parameters(region, caller) if self.ssm is not None else None,
        )

    def include_reader(self, region: str, caller: Identity | None) -> Callable[[str], str] | None:
        """What reads AWS::Include snippets from S3 as `caller` (None without S3)."""
        templates = self.templates
        if templates is None:
            return None
        return lambda location: templates.include(location, region, caller)

    # --- create, update, delete -----------------------------------------------------------

    def create(self, params: dict, region: str, caller: Identity | None) -> str:
        name = params["StackName"]
        check_name(name)
        existing = self.store.live(region, name)
        if repeated(existing, params, "CreateStack"):
            return existing.stack_id  # type: ignore[union-attr]
        if existing is not None:
            raise AlreadyExistsException(f"Stack [{name}] already exists")
        stack_id = new_stack_id(region, self.account_id, name)
        request = StackRequest.of(params)
        plan = self.plan(request, name, stack_id, region, caller=caller)
        check_capabilities(plan, request.capabilities, change_set=False)
        on_failure = params.get("OnFailure") or (
            "DO_NOTHING" if params.get("DisableRollback") else "ROLLBACK"
        )
        stack = Stack(stack_id, name, region, StackStatus.CREATE_IN_PROGRESS)
        self.apply_plan(stack, plan, request, caller)
        stack.termination_protection = bool(params.get("EnableTerminationProtection"))
        stack.disable_rollback = on_failure == "DO_NOTHING"
        stack.timeout_minutes = params.get("TimeoutInMinutes")
        mark(stack, params, "CreateStack")
        self.begin(stack, Operation("CREATE", on_failure=on_failure), "User Initiated")
        return stack_id

    def update(self, params: dict, region: str, caller: Identity | None) -> str:
        stack = self.live(region, params["StackName"])
        if repeated(stack, params, "UpdateStack"):
            return stack.stack_id
        check_updatable(stack)
        request = StackRequest.of(params)
        plan = self.plan(request, stack.name, stack.stack_id, region, stack, caller)
        check_capabilities(plan, request.capabilities, change_set=False)
        tags = request.tags if request.tags is not None else stack.tags
        if (
            plan.processed == stack.template
            and plan.parameters.given == stack.parameters
            and tags == stack.tags
        ):
            raise ValidationError(NO_UPDATES)
        mark(stack, params, "UpdateStack")
        self.start_update(stack, plan, request, caller, bool(params.get("DisableRollback")))
        return stack.stack_id

    def start_update(
        self,
        stack: Stack,
        plan: Plan,
        request: StackRequest,
        caller: Identity | None,
        disable_rollback: bool,
    ) -> None:
        operation = Operation(
            "UPDATE",
            previous_template=stack.template,
            previous_parameters=stack.parameters,
            previous_values=stack.values,
            previous_outputs=stack.outputs,
            previous_body=stack.template_body,
            previous_imports=stack.imports,
            previous_resources={k: r.to_dict() for k, r in stack.resources.items()},
            disable_rollback=disable_rollback,
        )
        self.apply_plan(stack, plan, request, caller)
        stack.updated = now()
        stack.status = StackStatus.UPDATE_IN_PROGRESS
        self.begin(stack, operation, "User Initiated")

    def delete(self, params: dict, region: str, caller: Identity | None) -> None:
        name = params["StackName"]
        try:
            stack = self.find(region, name)
        except ValidationError:
            return  # deleting a stack that does not exist succeeds, as on AWS
        if stack.status == StackStatus.DELETE_COMPLETE or repeated(stack, params, "DeleteStack"):
            return
        if stack.termination_protection:
            raise ValidationError(
                f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled"
            )
        if stack.status == StackStatus.DELETE_IN_PROGRESS:
            return
        if stack.in_progress and stack.status != StackStatus.REVIEW_IN_PROGRESS:
            raise ValidationError(
                f"Stack [{stack.name}] cannot be deleted while in status {stack.status}"
            )
        retain = params.get("RetainResources") or []
        stack.role_arn = params.get("RoleARN") or stack.role_arn
        if caller is not None or stack.role_arn:
            stack.caller = identity_record(self.acting_as(stack.role_arn, caller, region))
        mark(stack, params, "DeleteStack")
        self.begin(stack, Operation("DELETE", retain=list(retain)), "User Initiated")

    def apply_plan(
        self, stack: Stack, plan: Plan, request: StackRequest, caller: Identity | None
    ) -> None:
        stack.template_body = plan.body
        stack.template = plan.processed
        stack.parameters = dict(plan.parameters.given)
        stack.values = dict(plan.parameters.values)
        stack.no_echo = sorted(plan.parameters.no_echo)
        stack.capabilities = list(request.capabilities)
        if request.tags is not None:
            stack.tags = list(request.tags)
        stack.description = plan.processed.get("Description")
        stack.role_arn = request.role_arn or stack.role_arn
        if request.notification_arns is not None:
            stack.notification_arns = list(request.notification_arns)
        if caller is not None or stack.role_arn:
            stack.caller = identity_record(self.acting_as(stack.role_arn, caller, stack.region))

    def acting_as(
        self, role_arn: str | None, caller: Identity | None, region: str
    ) -> Identity | None:
        """Whom CloudFormation acts as: the stack's service role's session where it has one
        (kept for every later operation, as CloudFormation does), else the caller."""
        if not role_arn:
            return caller
        return self.roles.session(role_arn, caller, region)

    def begin(self, stack: Stack, operation: Operation, reason: str) -> None:
        """Write the stack with its operation, its first event, and start the engine."""
        from overcast.services.cloudformation.steps import Steps

        stack.operation = operation
        status = {
            "CREATE": StackStatus.CREATE_IN_PROGRESS,
            "UPDATE": StackStatus.UPDATE_IN_PROGRESS,
            "DELETE": StackStatus.DELETE_IN_PROGRESS,
        }[operation.kind]
        if operation.kind != "DELETE":
            Steps(self.store, self.engine.providers, stack).stack_status(status, reason)
        else:
            stack.status = status
            self.store.put(stack)
        self.engine.launch(stack.stack_id, SETTLE_S)

    def set_termination_protection(self, region: str, name: str, enabled: bool) -> str:
        stack = self.live(region, name)
        stack.termination_protection = enabled
        self.store.put(stack)
        return stack.stack_id


def check_name(name: str) -> None:
    if not _STACK_NAME.fullmatch(name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"
        )


def check_updatable(stack: Stack) -> None:
    if stack.status not in UPDATABLE:
        raise ValidationError(
            f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
        )


def repeated(stack: Stack | None, params: dict, action: str) -> bool:
    """Whether the request retries the stack's latest operation: the same ClientRequestToken
    ("so that CloudFormation knows that you're not attempting to create a stack with the same
    name"), answered as the first was. A token that began another action is refused."""
    token = params.get("ClientRequestToken")
    if not token or stack is None or stack.request_token != token:
        return False
    if stack.request_action != action:
        raise TokenAlreadyExistsException("A client request token already exists.")
    return True


def mark(stack: Stack, params: dict, action: str) -> None:
    """Remember the operation's ClientRequestToken: its events carry it."""
    stack.request_token = params.get("ClientRequestToken")
    stack.request_action = action
