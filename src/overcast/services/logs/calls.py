"""What every CloudWatch Logs operation shares: the operation table, the service's backend,
and reading a log group out of a request (by name, or by ARN)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from overcast.aws.arn import Arn
from overcast.aws.operations import Call, Operations
from overcast.aws.paging import InvalidToken, decode_token
from overcast.observe.logs import LogStore
from overcast.services.logs.errors import InvalidParameterException, ResourceNotFoundException

if TYPE_CHECKING:
    from overcast.services.logs.forwarder import Forwarder
    from overcast.services.logs.insights import Queries
    from overcast.services.logs.retention import Retention

OPERATIONS = Operations()


@dataclass
class CloudWatchLogs:
    """The backend each operation is handed: the log store the engine writes too, and what
    the service runs beside it."""

    store: LogStore
    forwarder: Forwarder  # subscription filters' deliveries
    queries: Queries  # Logs Insights queries
    retention: Retention  # purges expired events


def group(call: Call) -> str:
    """The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN)."""
    name, identifier = call.params.get("logGroupName"), call.params.get("logGroupIdentifier")
    if bool(name) == bool(identifier):
        raise InvalidParameterException(
            "Exactly one of logGroupName or logGroupIdentifier must be specified."
        )
    if identifier and identifier.startswith("arn:"):
        return group_of_arn(identifier, call, InvalidParameterException)
    return name or identifier


def group_of_arn(text: str, call: Call, error: type = ResourceNotFoundException) -> str:
    """The name in `arn:aws:logs:REGION:ACCOUNT:log-group:NAME` (a trailing `:*` allowed);
    `error` when it names no log group of the caller's account."""
    try:
        parsed = Arn.parse(text)
        fields = parsed.resource.split(":")
    except ValueError:
        parsed, fields = None, []
    if (
        parsed is None
        or parsed.service != "logs"
        or len(fields) < 2
        or fields[0] != "log-group"
        or not fields[1]
        or fields[2:] not in ([], ["*"])
    ):
        raise error(f"Invalid log group ARN: {text}")
    if parsed.account != call.context.account_id:
        raise ResourceNotFoundException("The specified log group does not exist.")
    return fields[1]


def group_arn(call: Call, name: str) -> str:
    """The group's ARN in the caller's region and account."""
    return str(Arn.build("logs", call.region, call.context.account_id, f"log-group:{name}"))


def with_token(result: dict, key: str, token: str | None) -> dict:
    return result | {key: token} if token else result


def token_start(token: str | None) -> int:
    """Where a page starts, from a `nextToken` of ours (an offset)."""
    if not token:
        return 0
    try:
        start = decode_token(token)
    except InvalidToken:
        start = None
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise InvalidParameterException("The specified nextToken is invalid.")
    return start
