"""Execution roles made through IAM's API (the default role, the tests' and benchmarks'):
made once, trusted by Lambda, with their policy attached; a role someone else made is taken."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from overcast.cli.default_role import LAMBDA_TRUST, execution_role

from .stubs import StubIam, client_error

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def test_a_missing_role_is_made_trusted_by_lambda_with_its_policy() -> None:
    iam = StubIam()
    arn = execution_role(iam, "worker", ADMIN)
    assert arn == "arn:aws:iam::000000000000:role/worker"
    assert json.loads(iam.roles["worker"]["Trust"]) == LAMBDA_TRUST
    assert LAMBDA_TRUST["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert execution_role(iam, "worker", ADMIN) == arn  # reused, not attached again
    assert iam.attached == {"worker": [ADMIN]}


class _MadeMeanwhile(StubIam):
    """Another caller makes the role between this caller's GetRole and CreateRole."""

    def create_role(self, RoleName: str, AssumeRolePolicyDocument: str, **_: object) -> dict:
        super().create_role(RoleName, AssumeRolePolicyDocument)
        raise client_error("EntityAlreadyExists", f"Role with name {RoleName} already exists.")


def test_a_role_made_meanwhile_is_taken_as_it_is() -> None:
    iam = _MadeMeanwhile()
    assert execution_role(iam, "worker", ADMIN) == "arn:aws:iam::000000000000:role/worker"
    assert iam.attached == {}


class _Refusing(StubIam):
    def get_role(self, RoleName: str) -> dict:
        raise client_error("AccessDenied", "User is not authorized to perform: iam:GetRole")


def test_other_errors_are_raised() -> None:
    with pytest.raises(ClientError):
        execution_role(_Refusing(), "worker", ADMIN)
