"""Waiting on stacks in CloudFormation's tests, as boto3's waiters do (with a short delay)."""

from __future__ import annotations

QUICK = {"Delay": 0.2, "MaxAttempts": 300}


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
