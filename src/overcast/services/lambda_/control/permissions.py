"""AddPermission, RemovePermission and GetPolicy: the resource-based policies of functions,
their versions and their aliases.

A policy lives in the function's record under its qualifier ($LATEST for the function
itself, a version number, an alias name), so it is stored, loaded and deleted with the
function; a version's or an alias's goes with the version or alias (`forget`). Writers hold
the catalog's lock and write the store first.

RevisionId, as recorded from Lambda: a change of the policy gives it a new RevisionId and
gives the function (version, alias) the same one, so GetFunction's RevisionId equals
GetPolicy's right after; later changes of the function move its own on, not the policy's.
AddPermission's and RemovePermission's RevisionId precondition is checked against the
policy's, or against the target's own while it has no policy.

The statements are enforced where a caller invokes: the IAM authorizer reads them for
Invoke (resource_policies.py), and the services that invoke on their own (S3, SNS,
EventBridge, HTTP APIs) ask invoke_permissions.py.
"""

from __future__ import annotations

import re
from dataclasses import replace

from overcast.aws.clock import new_revision_id
from overcast.aws.errors import InvalidParameterValueException
from overcast.function import LATEST
from overcast.services.lambda_.control.catalog import Catalog, FunctionEntry
from overcast.services.lambda_.control.naming import name_function
from overcast.services.lambda_.control.versions import check_idle, check_revision
from overcast.services.lambda_.errors import (
    PolicyLengthExceededException,
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from overcast.services.lambda_.model.arn import function_arn
from overcast.services.lambda_.model.configuration import Configuration, State
from overcast.services.lambda_.model.policy import POLICY_LIMIT, Grant, InvalidPrincipal, Policy

NO_POLICY = "The resource you requested does not exist."
NOT_ASSOCIATED = "No policy is associated with the given resource."
ADD_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetPolicy API to retrieve the latest Revision Id"
)
# An alias name as Lambda tells it from a version number: not all digits.
_ALIAS = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9-_]+")


class PermissionService:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def add(
        self,
        region: str,
        function_name: str,
        qualifier: str | None,
        grant: Grant,
        *,
        revision_id: str | None = None,
    ) -> dict:
        """Add `grant` to the policy; returns the statement as written."""
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        if named.qualifier == LATEST:
            raise InvalidParameterValueException(
                "We currently do not support adding policies for $LATEST."
            )
        with self.catalog.lock:
            entry = self.catalog.require(named.region, named.name)
            key = _qualifier(entry, named.qualifier)
            if entry.latest.state is State.PENDING:
                check_idle(entry)  # being created: its record is not stored yet
            current = entry.record.policies.get(key)
            expected = current.revision_id if current else _revision_of(entry, key)
            if revision_id and revision_id != expected:
                raise PreconditionFailedException(ADD_REVISION_MISMATCH)
            if current is not None and current.has(grant.statement_id):
                raise ResourceConflictException(
                    f"The statement id ({grant.statement_id}) provided already exists. "
                    "Please provide a new statement id, or remove the existing statement."
                )
            statement = _statement(grant, _arn(entry, key))
            kept = current.statements if current else ()
            policy = Policy((*kept, statement), new_revision_id())
            if policy.size() > POLICY_LIMIT:
                raise PolicyLengthExceededException(
                    f"The final policy size ({policy.size()}) is bigger than the limit "
                    f"({POLICY_LIMIT})."
                )
            self._save(entry, key, policy, policy.revision_id)
        return statement

    def remove(
        self,
        region: str,
        function_name: str,
        qualifier: str | None,
        statement_id: str,
        *,
        revision_id: str | None = None,
    ) -> None:
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        with self.catalog.lock:
            entry = self.catalog.get(named.region, named.name)
            if entry is None:
                unqualified = function_arn(named.region, self.catalog.account_id, named.name)
                raise ResourceNotFoundException(f"No policy found for: {unqualified}")
            key = _qualifier(entry, named.qualifier)
            current = entry.record.policies.get(key)
            if current is None:
                raise ResourceNotFoundException(NOT_ASSOCIATED)
            if not current.has(statement_id):
                raise ResourceNotFoundException(
                    f"Statement {statement_id} is not found in resource policy."
                )
            check_revision(revision_id, current.revision_id)
            kept = tuple(s for s in current.statements if s["Sid"] != statement_id)
            revision = new_revision_id()
            # Lambda drops a policy with its last statement: GetPolicy then finds none.
            self._save(entry, key, Policy(kept, revision) if kept else None, revision)

    def get(self, region: str, function_name: str, qualifier: str | None) -> Policy:
        """The policy; Lambda answers its one not-found error whatever is missing (the
        function, the version or alias, the policy)."""
        named = name_function(self.catalog.account_id, region, function_name, qualifier)
        entry = self.catalog.get(named.region, named.name)
        policy = None if entry is None else entry.record.policies.get(named.version)
        if policy is None:
            raise ResourceNotFoundException(NO_POLICY)
        return policy

    def forget(self, entry: FunctionEntry, qualifier: str) -> None:
        """Drop the policy of a version or alias being deleted (the caller holds the catalog
        lock, in the store transaction that deletes it)."""
        if qualifier in entry.record.policies:
            policies = {q: p for q, p in entry.record.policies.items() if q != qualifier}
            record = replace(entry.record, policies=policies)
            self.catalog.store.put_function(record)
            entry.record = record

    # --- helpers ----------------------------------------------------------------------------

    def _save(
        self, entry: FunctionEntry, key: str, policy: Policy | None, revision_id: str
    ) -> None:
        """Keep the policy (None: no policy left) and give its target `revision_id`."""
        policies = {q: p for q, p in entry.record.policies.items() if q != key}
        if policy is not None:
            policies[key] = policy
        record = replace(entry.record, policies=policies)
        store = self.catalog.store
        alias = entry.aliases.get(key)
        with store.transaction():
            store.put_function(record)
            if alias is not None:
                alias = replace(alias, revision_id=revision_id)
                store.put_alias(entry.region, entry.name, alias)
            else:
                config = replace(_config(entry, key), revision_id=revision_id)
                store.put_version(entry.region, config)
        entry.record = record
        if alias is not None:
            entry.aliases[key] = alias
        else:
            entry.restamp(config)


def _qualifier(entry: FunctionEntry, qualifier: str | None) -> str:
    """The key of the policy a request names ($LATEST for the function itself), with
    Lambda's not-found errors for a version or alias the function lacks."""
    if qualifier in (None, LATEST):
        return LATEST
    if qualifier in entry.aliases or qualifier in entry.versions:
        return qualifier
    qualified = f"{entry.arn}:{qualifier}"
    if _ALIAS.fullmatch(qualifier):
        raise ResourceNotFoundException(f"Cannot find alias arn: {qualified}")
    raise ResourceNotFoundException(f"Function not found: {qualified}")


def _config(entry: FunctionEntry, key: str) -> Configuration:
    config = entry.version(key)
    assert config is not None, key  # _qualifier checked it
    return config


def _revision_of(entry: FunctionEntry, key: str) -> str:
    alias = entry.aliases.get(key)
    return alias.revision_id if alias is not None else _config(entry, key).revision_id


def _arn(entry: FunctionEntry, key: str) -> str:
    """A statement's Resource: the function's ARN, qualified for a version or alias."""
    return entry.arn if key == LATEST else f"{entry.arn}:{key}"


def _statement(grant: Grant, resource: str) -> dict:
    try:
        return grant.statement(resource)
    except InvalidPrincipal:
        raise InvalidParameterValueException(
            "The provided principal was invalid. Please check the principal and try again."
        ) from None
