"""Resource-based policies: what AddPermission writes into a function's (a version's, an
alias's) policy, statement by statement, in the words Lambda uses.

A statement as Lambda returns it (AddPermission's `Statement`, GetPolicy's `Policy`):

    {"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
     "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:...:function:f",
     "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"},
                   "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}}}

The shapes follow responses recorded from Lambda (principals, condition keys and their
order); control/invoke_permissions.py and resource_policies.py enforce them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from overcast.aws.arn import Arn

POLICY_VERSION = "2012-10-17"
POLICY_ID = "default"
# Lambda's quota on a function's (version's, alias's) resource-based policy, in bytes.
POLICY_LIMIT = 20_480
# Service principals: a domain of AWS's (`s3.amazonaws.com`, `alexa-appkit.amazon.com`,
# `events.amazonaws.com.cn`).
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]*\.(amazonaws\.com(\.cn)?|amazon\.com)")
_ACCOUNT = re.compile(r"\d{12}")


class InvalidPrincipal(ValueError):
    """A Principal that is no account, ARN, service or `*`."""


@dataclass(frozen=True)
class Grant:
    """One AddPermission request's statement: who may do what, under which conditions."""

    statement_id: str
    action: str
    principal: str
    source_arn: str | None = None
    source_account: str | None = None
    event_source_token: str | None = None
    principal_org_id: str | None = None
    function_url_auth_type: str | None = None
    invoked_via_function_url: bool | None = None

    def statement(self, resource: str) -> dict:
        """The statement as Lambda writes it, for the function (version, alias) `resource`."""
        statement: dict = {
            "Sid": self.statement_id,
            "Effect": "Allow",
            "Principal": principal_of(self.principal, Arn.parse(resource).partition),
            "Action": self.action,
            "Resource": resource,
        }
        condition = self._condition()
        if condition:
            statement["Condition"] = condition
        return statement

    def _condition(self) -> dict:
        equals = {
            key: value
            for key, value in (
                ("AWS:SourceAccount", self.source_account),
                ("lambda:EventSourceToken", self.event_source_token),
                ("lambda:FunctionUrlAuthType", self.function_url_auth_type),
                ("aws:PrincipalOrgID", self.principal_org_id),
            )
            if value
        }
        condition: dict = {}
        if equals:
            condition["StringEquals"] = equals
        if self.source_arn:
            condition["ArnLike"] = {"AWS:SourceArn": self.source_arn}
        if self.invoked_via_function_url is not None:
            flag = "true" if self.invoked_via_function_url else "false"
            condition["Bool"] = {"lambda:InvokedViaFunctionUrl": flag}
        return condition


def principal_of(principal: str, partition: str) -> str | dict:
    """A Principal as a statement holds it: `*` as is, an account id as its root user's ARN
    (`arn:aws:iam::123456789012:root`, in the function's partition), an ARN under `AWS`, a
    service's domain under `Service`. InvalidPrincipal for anything else."""
    if principal == "*":
        return "*"
    if _ACCOUNT.fullmatch(principal):
        return {"AWS": str(Arn(partition, "iam", "", principal, "root"))}
    if _SERVICE.fullmatch(principal):
        return {"Service": principal}
    try:
        named = Arn.parse(principal)
    except ValueError:
        raise InvalidPrincipal(principal) from None
    if named.service not in ("iam", "sts") or not _ACCOUNT.fullmatch(named.account):
        raise InvalidPrincipal(principal)
    return {"AWS": principal}


@dataclass(frozen=True)
class Policy:
    """The statements of one function's, version's or alias's policy, in the order they were
    added, and the policy's RevisionId (see control/permissions.py)."""

    statements: tuple[dict, ...]
    revision_id: str

    def document(self) -> dict:
        return {"Version": POLICY_VERSION, "Id": POLICY_ID, "Statement": list(self.statements)}

    def has(self, statement_id: str) -> bool:
        return any(s["Sid"] == statement_id for s in self.statements)

    def size(self) -> int:
        return len(compact(self.document()).encode())

    def to_record(self) -> dict:
        return {"statements": [dict(s) for s in self.statements], "revision_id": self.revision_id}

    @classmethod
    def from_record(cls, record: dict) -> Policy:
        return cls(tuple(record.get("statements") or ()), str(record["revision_id"]))


def compact(document: dict) -> str:
    """A statement or policy as the string Lambda returns: compact JSON."""
    return json.dumps(document, separators=(",", ":"))
