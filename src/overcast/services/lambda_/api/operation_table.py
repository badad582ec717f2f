"""Every operation botocore's Lambda model knows, and whether this server answers it: the
table in the README, made from the model and the operation registry so that it cannot go
stale (tests/services/lambda_/test_readme_operations.py compares the two).

An operation is answered when a handler is registered for it (`OPERATIONS`), or when it takes
its own path ahead of the gateway (Invoke and InvokeWithResponseStream, the hot paths). Every
other one is refused by the gateway: 404 UnknownOperationException.

    python -m overcast.services.lambda_.api.operation_table            # print the table
    python -m overcast.services.lambda_.api.operation_table README.md  # rewrite it there
"""

from __future__ import annotations

import sys
from pathlib import Path

from overcast.aws.protocols.rest_json import service_model
from overcast.services.lambda_.api.rest import OPERATIONS

# Served by their own routes (api/invoke.py, api/invoke_stream.py), not the registry.
OWN_PATHS = frozenset({"Invoke", "InvokeWithResponseStream"})
REFUSAL = "404 `UnknownOperationException`"
BEGIN = "<!-- lambda-operations: python -m overcast.services.lambda_.api.operation_table -->"
END = "<!-- /lambda-operations -->"

# Each operation goes to the first group one of whose words its name holds.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Asynchronous invocation, recursion", ("EventInvokeConfig", "RecursionConfig")),
    ("Invocation", ("Invoke",)),
    ("Durable executions", ("DurableExecution",)),
    ("Capacity providers", ("CapacityProvider",)),
    ("Code signing", ("CodeSigningConfig",)),
    ("Event source mappings", ("EventSourceMapping",)),
    ("Layers", ("Layer",)),
    ("Function URLs", ("FunctionUrlConfig",)),
    ("Aliases", ("Alias",)),
    ("Concurrency and scaling", ("Concurrency", "ScalingConfig")),
    ("Resource-based policies", ("Permission", "Policy")),
    ("Tags", ("Tag", "tag")),
    ("Functions, versions, settings", ("",)),  # the rest
)


def answered() -> set[str]:
    """The operations this server answers."""
    return set(OPERATIONS) | OWN_PATHS


def group_of(operation: str) -> str:
    return next(name for name, words in GROUPS if any(w in operation for w in words))


def table() -> str:
    """The README's block: one row per group, its answered and its refused operations."""
    names = sorted(service_model("lambda").operation_names)
    served = answered()
    lines = [
        BEGIN,
        f"| Group | Answered | Refused ({REFUSAL}) |",
        "| --- | --- | --- |",
    ]
    for group, _ in GROUPS:
        members = [n for n in names if group_of(n) == group]
        yes = ", ".join(n for n in members if n in served) or "—"
        no = ", ".join(n for n in members if n not in served) or "—"
        lines.append(f"| {group} | {yes} | {no} |")
    lines.append(END)
    return "\n".join(lines)


def block_in(text: str) -> str | None:
    """The table as `text` (the README) has it, markers included; None when it has none."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(END)]


def main(argv: list[str]) -> int:
    if not argv:
        print(table())
        return 0
    path = Path(argv[0])
    text = path.read_text()
    current = block_in(text)
    if current is None:
        print(f"{path} has no {BEGIN!r} ... {END!r} block", file=sys.stderr)
        return 1
    path.write_text(text.replace(current, table()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
