"""Fixtures for CloudFormation's tests: clients on the session server, a stack name unique to
each test, and waiting on a stack as boto3's waiters do (with a short delay)."""

from __future__ import annotations

import uuid

import pytest

from support import RunningServer

QUICK = {"Delay": 0.2, "MaxAttempts": 300}


@pytest.fixture
def cf(server: RunningServer):
    return server.client("cloudformation")


@pytest.fixture
def stack_name() -> str:
    return f"s{uuid.uuid4().hex[:12]}"


def wait(cf, waiter: str, name: str) -> dict:
    """Wait with boto3's own waiter, then the stack as DescribeStacks shows it."""
    cf.get_waiter(waiter).wait(StackName=name, WaiterConfig=QUICK)
    return cf.describe_stacks(StackName=name)["Stacks"][0]


def settled(cf, name: str) -> dict:
    """The stack once its operation is over (whatever its outcome), by polling with a
    deadline: no waiter waits for a rollback's end."""
    import time

    deadline = time.monotonic() + 60
    while True:
        stack = cf.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


def events(cf, name: str) -> list[tuple[str, str, str | None]]:
    """(logical id, status, reason) of each event, oldest first."""
    listed = cf.describe_stack_events(StackName=name)["StackEvents"]
    return [
        (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
        for e in reversed(listed)
    ]
