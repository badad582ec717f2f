"""Change sets: CreateChangeSet (CREATE makes a stack in REVIEW_IN_PROGRESS), DescribeChangeSet,
ExecuteChangeSet, DeleteChangeSet, ListChangeSets.

A change set's changes are worked out when it is created (Overcast is quick about it: its
Status is CREATE_COMPLETE by the time CreateChangeSet answers). One that would change
nothing is FAILED with CloudFormation's reason ("The submitted information didn't contain
changes...", which `aws cloudformation deploy` reads as "No changes to deploy"). Executing a
change set deletes the stack's other change sets, as CloudFormation does.
"""

from __future__ import annotations

from overcast.aws.credentials import Identity
from overcast.services.cloudformation.changes import changes
from overcast.services.cloudformation.errors import (
    AlreadyExistsException,
    ChangeSetNotFoundException,
    InvalidChangeSetStatusException,
    ValidationError,
)
from overcast.services.cloudformation.model import (
    ChangeSet,
    Operation,
    Stack,
    StackStatus,
    identity_record,
    new_change_set_id,
    new_stack_id,
)
from overcast.services.cloudformation.plans import check_capabilities
from overcast.services.cloudformation.stacks import (
    StackRequest,
    StackService,
    check_name,
    check_updatable,
    mark,
    repeated,
)
from overcast.services.cloudformation.steps import Steps

NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create "
    "a change set."
)


class ChangeSetService:
    def __init__(self, stacks: StackService) -> None:
        self.stacks = stacks
        self.store = stacks.store

    def create(self, params: dict, region: str, caller: Identity | None) -> dict:
        name, stack_name = params["ChangeSetName"], params["StackName"]
        kind = params.get("ChangeSetType") or "UPDATE"
        if params.get("RoleARN"):  # refused now, before a stack under review is made
            self.stacks.acting_as(params["RoleARN"], caller, region)
        stack = self._stack_for(kind, stack_name, name, region)
        for existing in self.store.change_sets(stack.stack_id):
            if existing.name != name:
                continue
            if existing.execution_status in ("AVAILABLE", "UNAVAILABLE"):
                raise AlreadyExistsException(f"ChangeSet [{name}] already exists")
            # An executed change set is gone from CloudFormation's list once its stack moved
            # on; `aws cloudformation deploy` names its change sets by the second, and may
            # reuse a name.
            self.store.delete_change_set(existing.change_set_id)
        request = StackRequest.of(params)
        previous = stack if kind == "UPDATE" else None
        plan = self.stacks.plan(request, stack.name, stack.stack_id, region, previous, caller)
        check_capabilities(plan, request.capabilities, change_set=True)
        change_set = ChangeSet(
            new_change_set_id(region, self.stacks.account_id, name),
            name,
            stack.stack_id,
            stack.name,
            kind,
            description=params.get("Description"),
            template_body=plan.body,
            template=plan.processed,
            parameters=dict(plan.parameters.given),
            values=dict(plan.parameters.values),
            no_echo=sorted(plan.parameters.no_echo),
            capabilities=list(request.capabilities),
            tags=list(request.tags if request.tags is not None else stack.tags),
            role_arn=request.role_arn,
            notification_arns=list(request.notification_arns or stack.notification_arns),
            caller=identity_record(caller),
        )
        change_set.changes = changes(self.store, self.stacks.engine.providers, stack, plan)
        unchanged = (
            kind == "UPDATE"
            and not change_set.changes
            and change_set.parameters == stack.parameters
            and change_set.tags == stack.tags
        )
        if unchanged:
            change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
            change_set.reason = NO_CHANGES
        if (
            kind == "CREATE"
            and stack.status == StackStatus.REVIEW_IN_PROGRESS
            and not stack.template
        ):
            self.store.put(stack)
        self.store.put_change_set(change_set)
        return {"Id": change_set.change_set_id, "StackId": stack.stack_id}

    def _stack_for(self, kind: str, stack_name: str, name: str, region: str) -> Stack:
        if kind == "UPDATE":
            stack = self.stacks.live(region, stack_name)
            if stack.status == StackStatus.REVIEW_IN_PROGRESS:
                raise ValidationError(
                    f"Stack [{stack_name}] does not exist"  # a stack under review has none yet
                )
            return stack
        if kind != "CREATE":
            raise ValidationError(f"ChangeSetType {kind} is not supported")
        check_name(stack_name)
        existing = self.store.live(region, stack_name)
        if existing is not None:
            if existing.status == StackStatus.REVIEW_IN_PROGRESS:
                return existing
            raise ValidationError(
                f"Stack [{stack_name}] already exists and cannot be created again with the "
                f"changeSet [{name}]."
            )
        stack_id = new_stack_id(region, self.stacks.account_id, stack_name)
        stack = Stack(stack_id, stack_name, region, StackStatus.REVIEW_IN_PROGRESS)
        Steps(self.store, self.stacks.engine.providers, stack).stack_status(
            StackStatus.REVIEW_IN_PROGRESS, "User Initiated"
        )
        return stack

    def find(self, region: str, name_or_id: str, stack_name: str | None) -> ChangeSet:
        found = None
        if name_or_id.startswith("arn:"):
            found = self.store.change_set(name_or_id)
        elif stack_name:
            try:
                stack = self.stacks.find(region, stack_name)
            except ValidationError:
                stack = None
            if stack is not None:
                found = next(
                    (c for c in self.store.change_sets(stack.stack_id) if c.name == name_or_id),
                    None,
                )
        else:
            raise ValidationError(
                "StackName must be specified if ChangeSetName is not specified as an ARN."
            )
        if found is None or not found.change_set_id.split(":")[3] == region:
            raise ChangeSetNotFoundException(f"ChangeSet [{name_or_id}] does not exist")
        return found

    def execute(self, params: dict, region: str, caller: Identity | None) -> None:
        change_set = self.find(region, params["ChangeSetName"], params.get("StackName"))
        if repeated(self.store.get(change_set.stack_id), params, "ExecuteChangeSet"):
            return
        if change_set.status != "CREATE_COMPLETE" or change_set.execution_status != "AVAILABLE":
            raise InvalidChangeSetStatusException(
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
                f"status of [{change_set.status}]"
            )
        stack = self.stacks.live(region, change_set.stack_id)
        request = StackRequest(
            change_set.template_body,
            [{"ParameterKey": k, "ParameterValue": v} for k, v in change_set.parameters.items()],
            change_set.capabilities,
            change_set.tags,
            change_set.role_arn,
            change_set.notification_arns,
        )
        plan = self.stacks.plan(request, stack.name, stack.stack_id, region, caller=caller)
        for other in self.store.change_sets(stack.stack_id):
            if other.change_set_id != change_set.change_set_id:
                self.store.delete_change_set(other.change_set_id)
        change_set.execution_status = "EXECUTE_IN_PROGRESS"
        self.store.put_change_set(change_set)
        stack.change_set_id = change_set.change_set_id
        mark(stack, params, "ExecuteChangeSet")
        disable_rollback = bool(params.get("DisableRollback"))
        if change_set.change_set_type == "CREATE":
            self.stacks.apply_plan(stack, plan, request, caller)
            stack.status = StackStatus.CREATE_IN_PROGRESS
            on_failure = "DO_NOTHING" if disable_rollback else "ROLLBACK"
            stack.disable_rollback = disable_rollback
            self.stacks.begin(stack, Operation("CREATE", on_failure=on_failure), "User Initiated")
        else:
            check_updatable(stack)
            self.stacks.start_update(stack, plan, request, caller, disable_rollback)

    def delete(self, params: dict, region: str) -> None:
        change_set = self.find(region, params["ChangeSetName"], params.get("StackName"))
        if change_set.execution_status == "EXECUTE_IN_PROGRESS":
            raise InvalidChangeSetStatusException(
                f"Cannot delete ChangeSet [{change_set.change_set_id}] in its current status of "
                "[EXECUTE_IN_PROGRESS]"
            )
        self.store.delete_change_set(change_set.change_set_id)

    def listed(self, region: str, stack_name: str) -> list[ChangeSet]:
        stack = self.stacks.find(region, stack_name)
        return self.store.change_sets(stack.stack_id)


def execution_status(change_set: ChangeSet, stack: Stack | None) -> str:
    """A change set's ExecutionStatus: while and once its stack runs it, the stack's."""
    if change_set.execution_status != "EXECUTE_IN_PROGRESS" or stack is None:
        return change_set.execution_status
    if stack.change_set_id != change_set.change_set_id or stack.in_progress:
        return "EXECUTE_IN_PROGRESS"
    if stack.status in (StackStatus.CREATE_COMPLETE, StackStatus.UPDATE_COMPLETE):
        return "EXECUTE_COMPLETE"
    return "EXECUTE_FAILED"
