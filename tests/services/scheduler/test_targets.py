"""The target invoker in-process: Scheduler acts as the role only if the role's trust policy
lets scheduler.amazonaws.com assume it (else the input goes to the dead-letter queue, as
the role), throttled targets are retried within the RetryPolicy, and universal targets are
refused when the schedule is made."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from overcast.aws.errors import ServiceError
from overcast.identities import Identities, RoleRecord
from overcast.services.scheduler.errors import ValidationException
from overcast.services.scheduler.targets import TargetInvoker, check_target

ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/runner"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
DEAD = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dead"


def trust(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


class Roles:
    def __init__(self, trusted: str) -> None:
        self.record = RoleRecord(ROLE, "AROAEXAMPLE", "runner", "/", trust(trusted), 3600)

    def role(self, arn: str) -> RoleRecord | None:
        return self.record if arn == ROLE else None


class Throttled(ServiceError):
    status = 400
    code = "ThrottlingException"


class Sqs:
    """SQS as the invoker calls it: records each call, refusing the first `refusals`."""

    base_url = "http://localhost:9000/"

    def __init__(self, refusals: int = 0) -> None:
        self.calls: list[tuple[str, dict, str]] = []
        self.refusals = refusals

    def call(self, operation: str, params: dict, identity, region: str) -> dict:
        if params["QueueUrl"].endswith("/jobs") and self.refusals:
            self.refusals -= 1
            raise Throttled("Rate exceeded")
        self.calls.append((params["QueueUrl"].rsplit("/", 1)[1], params, identity.arn))
        return {}


def invoker(trusted: str, sqs: Sqs, later=None) -> TargetInvoker:
    identities = Identities()
    identities.register_roles(Roles(trusted))  # type: ignore[arg-type]
    pending: list = []
    return TargetInvoker(
        identities, lambda name: sqs if name == "sqs" else None, None, None,  # type: ignore[arg-type]
        lambda: None, ACCOUNT, later or (lambda delay, work: pending.append(work)), lambda: 0.0,  # type: ignore[arg-type]
    )  # fmt: skip


def schedule(**target: object) -> dict:
    return {
        "Arn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/s",
        "GroupName": "default",
        "Target": {"Arn": QUEUE, "RoleArn": ROLE, "Input": "hello", **target},
    }


WHEN = datetime(2024, 1, 1, tzinfo=UTC)


def test_a_role_trusted_by_scheduler_sends_as_its_session() -> None:
    sqs = Sqs()
    invoker("scheduler.amazonaws.com", sqs).fire(schedule(), "us-east-1", WHEN)
    [(queue, params, caller)] = sqs.calls
    assert (queue, params["MessageBody"]) == ("jobs", "hello")
    assert caller == f"arn:aws:sts::{ACCOUNT}:assumed-role/runner/AWSScheduler"


def test_a_role_that_does_not_trust_scheduler_is_not_assumed() -> None:
    sqs = Sqs()
    dead = {"DeadLetterConfig": {"Arn": DEAD}}
    invoker("events.amazonaws.com", sqs).fire(schedule(**dead), "us-east-1", WHEN)
    [(queue, params, _)] = sqs.calls
    assert queue == "dead" and params["MessageBody"] == "hello"
    assert params["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "AccessDenied"


def test_a_throttled_target_is_retried_within_the_retry_policy() -> None:
    sqs, later = Sqs(refusals=5), []
    target = {"RetryPolicy": {"MaximumRetryAttempts": 2}, "DeadLetterConfig": {"Arn": DEAD}}
    runner = invoker("scheduler.amazonaws.com", sqs, lambda delay, work: later.append(work))
    runner.fire(schedule(**target), "us-east-1", WHEN)
    while later:
        later.pop(0)()
    [(queue, params, _)] = sqs.calls  # two retries, both throttled: the dead-letter queue
    assert queue == "dead"
    assert params["MessageAttributes"]["RETRY_ATTEMPTS"]["StringValue"] == "2"


def test_universal_and_unserved_targets_are_refused() -> None:
    with pytest.raises(ValidationException, match="Universal targets"):
        check_target({"Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage"})
    with pytest.raises(ValidationException, match="states"):
        check_target({"Arn": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m"})
    check_target({"Arn": QUEUE})
