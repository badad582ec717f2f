"""PutPermission and RemovePermission: an event bus's resource policy, which DescribeEventBus
returns as `Policy`.

What EventBridge does, as its API reference describes and answers recorded from it show:
- PutPermission with `Action`, `Principal` and `StatementId` adds one statement that allows
  the principal (an account, written `{"AWS": "arn:aws:iam::ACCOUNT:root"}`, or `"*"`) the
  action on the bus; a `Condition` ({Type, Key, Value}) becomes `{Type: {Key: Value}}`. A
  statement id already in the policy is replaced; statements for the same principal under
  other ids are kept.
- PutPermission with `Policy` replaces the whole policy with that document.
- The policy may not pass 10 KB (PolicyLengthExceededException).
- RemovePermission removes one statement by id ("Statement with the provided id does not
  exist." when it is not there, policy or none), or every statement (`RemoveAllPermissions`).
  A policy left without statements is gone.

Overcast runs one account: the policy is kept and shown, and grants nothing more.
"""

from __future__ import annotations

import json
from dataclasses import replace

from overcast.aws import json_document
from overcast.aws.arn import partition_for
from overcast.aws.errors import ValidationException
from overcast.services.events.errors import (
    PolicyLengthExceededException,
    ResourceNotFoundException,
)
from overcast.services.events.model import EventBus
from overcast.services.events.registry import EventRegistry

POLICY_MAX_BYTES = 10 * 1024
POLICY_VERSION = "2012-10-17"
ALLOWED_ACTION = "events:PutEvents"  # the one action a bus's statements may grant


class BusPermissions:
    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    def put(
        self,
        region: str,
        bus_name: str,
        *,
        action: str | None = None,
        principal: str | None = None,
        statement_id: str | None = None,
        condition: dict | None = None,
        policy: str | None = None,
    ) -> EventBus:
        with self.registry.lock:
            bus = self.registry.bus(region, bus_name)
            if policy is not None:
                document = _policy_document(policy)
            else:
                statement = _statement(bus, action, principal, statement_id, condition)
                document = _with_statement(bus.policy, statement)
            if len(json.dumps(document, separators=(",", ":")).encode()) > POLICY_MAX_BYTES:
                raise PolicyLengthExceededException(
                    "The event bus policy is too long. For more information, see the limits."
                )
            return self._save(bus, document)

    def remove(
        self, region: str, bus_name: str, statement_id: str | None, remove_all: bool
    ) -> EventBus:
        with self.registry.lock:
            bus = self.registry.bus(region, bus_name)
            if remove_all:
                if bus.policy is None:
                    raise ResourceNotFoundException("EventBus does not have a policy.")
                return self._save(bus, None)
            if not statement_id:
                raise ValidationException("Parameter StatementId must be specified.")
            statements = _statements(bus.policy)
            kept = [s for s in statements if s.get("Sid") != statement_id]
            if len(kept) == len(statements):
                raise ResourceNotFoundException("Statement with the provided id does not exist.")
            document = {**(bus.policy or {}), "Statement": kept} if kept else None
            return self._save(bus, document)

    def _save(self, bus: EventBus, policy: dict | None) -> EventBus:
        changed = replace(bus, policy=policy, modified=self.registry.clock())
        self.registry.save_bus(changed)
        return changed


def _statement(
    bus: EventBus,
    action: str | None,
    principal: str | None,
    statement_id: str | None,
    condition: dict | None,
) -> dict:
    given = {"Action": action, "Principal": principal, "StatementId": statement_id}
    for name, value in given.items():
        if not value:
            raise ValidationException(f"Parameter {name} must be specified.")
    if action != ALLOWED_ACTION:
        raise ValidationException("Provided value in parameter 'action' is not supported.")
    who: str | dict = principal or "*"
    if who != "*":
        who = {"AWS": f"arn:{partition_for(bus.region)}:iam::{principal}:root"}
    statement = {
        "Sid": statement_id,
        "Effect": "Allow",
        "Principal": who,
        "Action": action,
        "Resource": bus.arn,
    }
    if condition:
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    return statement


def _with_statement(policy: dict | None, statement: dict) -> dict:
    """The policy with `statement` in place of the one of its id, or added after the rest."""
    statements = _statements(policy)
    for index, existing in enumerate(statements):
        if existing.get("Sid") == statement["Sid"]:
            statements[index] = statement
            break
    else:
        statements.append(statement)
    return {**(policy or {"Version": POLICY_VERSION}), "Statement": statements}


def _statements(policy: dict | None) -> list[dict]:
    found = (policy or {}).get("Statement") or []
    if isinstance(found, dict):
        found = [found]  # a policy document may hold one statement as an object
    return [statement for statement in found if isinstance(statement, dict)]


def _policy_document(text: str) -> dict:
    try:
        document = json_document.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ValidationException("This policy contains invalid Json")
    return document
