"""What CloudFormation keeps: stacks, their resources, their events and change sets, with the
status names of CloudFormation's API (StackStatus, ResourceStatus, ChangeSetStatus).

A stack's in-flight operation is kept with it (`Stack.operation`), written before each step
takes effect, so that a server stopped mid-deploy can roll it back or finish it on restart.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from overcast.aws.credentials import Identity
from overcast.aws.root_key import root_identity


class StackStatus(StrEnum):
    CREATE_IN_PROGRESS = "CREATE_IN_PROGRESS"
    CREATE_FAILED = "CREATE_FAILED"
    CREATE_COMPLETE = "CREATE_COMPLETE"
    ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
    ROLLBACK_FAILED = "ROLLBACK_FAILED"
    ROLLBACK_COMPLETE = "ROLLBACK_COMPLETE"
    DELETE_IN_PROGRESS = "DELETE_IN_PROGRESS"
    DELETE_FAILED = "DELETE_FAILED"
    DELETE_COMPLETE = "DELETE_COMPLETE"
    UPDATE_IN_PROGRESS = "UPDATE_IN_PROGRESS"
    UPDATE_COMPLETE_CLEANUP_IN_PROGRESS = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    UPDATE_COMPLETE = "UPDATE_COMPLETE"
    UPDATE_FAILED = "UPDATE_FAILED"
    UPDATE_ROLLBACK_IN_PROGRESS = "UPDATE_ROLLBACK_IN_PROGRESS"
    UPDATE_ROLLBACK_FAILED = "UPDATE_ROLLBACK_FAILED"
    UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
    UPDATE_ROLLBACK_COMPLETE = "UPDATE_ROLLBACK_COMPLETE"
    REVIEW_IN_PROGRESS = "REVIEW_IN_PROGRESS"


# Where a stack can be updated from ("... is in X state and can not be updated").
UPDATABLE = frozenset(
    {
        StackStatus.CREATE_COMPLETE,
        StackStatus.UPDATE_COMPLETE,
        StackStatus.UPDATE_ROLLBACK_COMPLETE,
    }
)
IN_PROGRESS_SUFFIX = "_IN_PROGRESS"


def now() -> float:
    return time.time()


def new_stack_id(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:cloudformation:{region}:{account_id}:stack/{name}/{uuid.uuid4()}"


def new_change_set_id(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:cloudformation:{region}:{account_id}:changeSet/{name}/{uuid.uuid4()}"


@dataclass
class Resource:
    """One resource of a stack, as last deployed: its resolved properties, and what Ref
    and Fn::GetAtt give for it."""

    logical_id: str
    resource_type: str
    status: str
    physical_id: str | None = None
    reason: str | None = None
    properties: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)
    ref: object | None = None
    updated: float = field(default_factory=now)
    deletion_policy: str = "Delete"
    update_replace_policy: str = "Delete"

    @property
    def ref_value(self) -> object:
        return self.ref if self.ref is not None else self.physical_id

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Resource:
        return cls(**data)


@dataclass
class Operation:
    """A stack operation in flight: what it is, and what the stack was before it (for an
    update's rollback: the template, parameter values and each resource's record)."""

    kind: str  # CREATE | UPDATE | DELETE
    previous_template: dict | None = None
    previous_parameters: dict | None = None  # as given
    previous_values: dict | None = None  # as Ref gives them
    previous_body: str | None = None
    previous_imports: list[str] | None = None
    previous_outputs: list | None = None
    previous_resources: dict[str, dict] = field(default_factory=dict)
    rollback: bool = False  # set once the operation turned to rolling back
    disable_rollback: bool = False
    on_failure: str = "ROLLBACK"  # CreateStack's OnFailure: ROLLBACK | DELETE | DO_NOTHING
    retain: list[str] = field(default_factory=list)  # DeleteStack's RetainResources


@dataclass
class Stack:
    stack_id: str
    name: str
    region: str
    status: str
    created: float = field(default_factory=now)
    updated: float | None = None
    deleted: float | None = None
    reason: str | None = None
    template_body: str = ""
    template: dict = field(default_factory=dict)  # the processed template
    parameters: dict = field(default_factory=dict)  # each parameter's value as given
    values: dict = field(default_factory=dict)  # each parameter's value as Ref gives it
    no_echo: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)  # the exports its Fn::ImportValue read
    description: str | None = None
    termination_protection: bool = False
    disable_rollback: bool = False
    role_arn: str | None = None
    notification_arns: list[str] = field(default_factory=list)
    timeout_minutes: int | None = None
    caller: dict | None = None  # the Identity CloudFormation acts as
    change_set_id: str | None = None
    operation: Operation | None = None
    resources: dict[str, Resource] = field(default_factory=dict)
    # The ClientRequestToken of its latest operation, and the action that began it
    # (CreateStack, UpdateStack, DeleteStack, ExecuteChangeSet): a retry answers as the first.
    request_token: str | None = None
    request_action: str | None = None

    @property
    def in_progress(self) -> bool:
        return self.status.endswith(IN_PROGRESS_SUFFIX)

    def identity(self) -> Identity:
        """Whom CloudFormation acts as for this stack. A stack an older Overcast recorded
        without its caller acts as its account's root, as it did then."""
        if self.caller is None:
            return root_identity(self.stack_id.split(":")[4])
        data = dict(self.caller)
        data["session_policies"] = tuple(data.get("session_policies") or ())
        return Identity(**data)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["resources"] = {k: r.to_dict() for k, r in self.resources.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Stack:
        data = dict(data)
        resources = {k: Resource.from_dict(r) for k, r in data.pop("resources", {}).items()}
        operation = data.pop("operation", None)
        stack = cls(**data, resources=resources)
        stack.operation = Operation(**operation) if operation else None
        return stack


@dataclass
class Event:
    stack_id: str
    stack_name: str
    logical_id: str
    resource_type: str
    status: str
    physical_id: str | None = None
    reason: str | None = None
    properties: dict | None = None
    timestamp: float = field(default_factory=now)
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    token: str | None = None  # the ClientRequestToken of the operation it belongs to


@dataclass
class ChangeSet:
    change_set_id: str
    name: str
    stack_id: str
    stack_name: str
    change_set_type: str  # CREATE | UPDATE
    status: str = "CREATE_COMPLETE"
    execution_status: str = "AVAILABLE"
    reason: str | None = None
    created: float = field(default_factory=now)
    description: str | None = None
    template_body: str = ""
    template: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    no_echo: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    role_arn: str | None = None
    notification_arns: list[str] = field(default_factory=list)
    caller: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ChangeSet:
        return cls(**data)


def identity_record(identity: Identity | None) -> dict | None:
    if identity is None:
        return None
    data = asdict(identity)
    data["session_policies"] = list(identity.session_policies)
    return data
