"""A schedule's target, invoked as EventBridge Scheduler invokes it: as the schedule's
execution role ("Set up the execution role": its trust policy lets `scheduler.amazonaws.com`
assume it, its permission policy allows the target's action).

Templated targets served here, each the API call AWS makes ("Using templated targets"):
- a function (`arn:aws:lambda:...`): Invoke with InvocationType Event, Input as the payload
  (`{}` when there is none); the role needs lambda:InvokeFunction on it;
- a queue (`arn:aws:sqs:...`): SendMessage with Input as the body, SqsParameters'
  MessageGroupId for a FIFO queue;
- a topic (`arn:aws:sns:...`): Publish with Input as the message;
- an event bus (`arn:aws:events:...:event-bus/...`): PutEvents of one entry whose Detail is
  Input, with EventBridgeParameters' DetailType and Source.
Universal targets (`arn:aws:scheduler:::aws-sdk:service:apiAction`) and templated targets of
services Overcast does not run are refused when the schedule is made.

Input may carry Scheduler's context attributes (`<aws.scheduler.schedule-arn>`,
`<aws.scheduler.scheduled-time>`, `<aws.scheduler.execution-id>`,
`<aws.scheduler.attempt-number>`), replaced at each invocation.

A failure the target may get over (throttling, a server error, a function still Pending) is
retried with backoff within the RetryPolicy (185 attempts and 24 hours by default); any
other (no such target, the role cannot be assumed or is not allowed) is final. A final
failure sends the input to the DeadLetterConfig queue, as the role, with the error.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from overcast.aws.arn import Arn, arn, function_target
from overcast.aws.authorizer import Access, Authorizer
from overcast.aws.credentials import Identity
from overcast.aws.errors import MissingResource, ServiceError
from overcast.aws.in_process import InProcessApi
from overcast.aws.policy.document import PolicyKind, parse_policy
from overcast.aws.policy.errors import MalformedPolicyDocumentError
from overcast.aws.policy.evaluation import Request, evaluate
from overcast.aws.request_context import RequestContext
from overcast.aws.request_id import new_request_id
from overcast.aws.sessions import assumed_role_identity
from overcast.identities import Identities
from overcast.services.scheduler.errors import ValidationException
from overcast.types import Acceptor, Resolver

log = logging.getLogger(__name__)

PRINCIPAL = "scheduler.amazonaws.com"
SESSION = "AWSScheduler"
SERVED = ("lambda", "sqs", "sns", "events")
DEFAULT_ATTEMPTS, DEFAULT_AGE_S = 185, 86400
BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 300.0

Later = Callable[[float, Callable[[], None]], None]  # run a callable after some seconds
Services = Callable[[str], InProcessApi | None]  # a service's API by its ARN name


def check_target(target: dict) -> None:
    """Refuses a target Overcast cannot invoke, when the schedule is made (wording ours:
    AWS's refusal of a target it does not know is not documented)."""
    target_arn = str(target.get("Arn", ""))
    if target_arn.startswith("arn:aws:scheduler:::aws-sdk:"):
        raise ValidationException(
            f"Universal targets are not supported by this server: {target_arn}. Use a "
            "templated target (Lambda, SQS, SNS or EventBridge)."
        )
    try:
        service = Arn.parse(target_arn).service
    except ValueError:
        raise ValidationException(f"Invalid target ARN {target_arn}.") from None
    if service == "lambda":
        try:
            function_target(target_arn)
        except ValueError:
            raise ValidationException(f"Invalid target ARN {target_arn}.") from None
    if service not in SERVED:
        raise ValidationException(
            f"Targets of the service {service} are not supported by this server: {target_arn}."
        )


@dataclass(frozen=True)
class Invocation:
    """One firing of one schedule, on its way to the target."""

    schedule: dict  # the schedule as GetSchedule answers it
    region: str
    scheduled: datetime  # the moment it fell due
    first_at: float  # epoch seconds of its first attempt: its age counts from it
    execution_id: str
    attempt: int = 1


class TargetFailed(Exception):
    def __init__(self, code: str, message: str, retriable: bool) -> None:
        super().__init__(message)
        self.code = code
        self.retriable = retriable


class TargetInvoker:
    def __init__(
        self,
        identities: Identities | None,
        services: Services,
        resolver: Resolver,
        queue: Acceptor,
        authorizer: Callable[[], Authorizer],
        account_id: str,
        later: Later,
        clock: Callable[[], float],
    ) -> None:
        self.identities = identities
        self.services = services
        self.resolver = resolver
        self.queue = queue
        self.authorizer = authorizer
        self.account_id = account_id
        self.later = later
        self.clock = clock

    def fire(self, schedule: dict, region: str, scheduled: datetime) -> None:
        started = self.clock()
        self.invoke(Invocation(schedule, region, scheduled, started, str(uuid.uuid4())))

    def invoke(self, invocation: Invocation) -> None:
        try:
            role = self.session(invocation)
            self._send(invocation, role)
        except TargetFailed as failure:
            if failure.retriable and self._retry(invocation, failure):
                return
            self._dead_letter(invocation, failure)

    # --- the role -----------------------------------------------------------------------

    def session(self, invocation: Invocation) -> Identity:
        """The session of the schedule's role, if Scheduler may assume it."""
        role_arn = str(invocation.schedule["Target"].get("RoleArn", ""))
        if self.identities is not None and self.identities.has_roles:
            role = self.identities.role(role_arn)
            if role is None or not _trusts_scheduler(role.trust_policy, role.arn, invocation):
                raise TargetFailed(
                    "AccessDenied",
                    f"EventBridge Scheduler cannot assume the role {role_arn}.",
                    False,
                )
        return assumed_role_identity(role_arn, SESSION)

    # --- sending ------------------------------------------------------------------------

    def _send(self, invocation: Invocation, role: Identity) -> None:
        target = invocation.schedule["Target"]
        target_arn = str(target["Arn"])
        service = Arn.parse(target_arn).service
        payload = _payload(invocation)
        if service == "lambda":
            self._to_function(invocation, role, target_arn, payload)
        elif service == "sqs":
            params = {"QueueUrl": self._queue_url(target_arn), "MessageBody": payload}
            group = (target.get("SqsParameters") or {}).get("MessageGroupId")
            if group:
                params["MessageGroupId"] = group
            self._call(invocation, role, "sqs", "SendMessage", params)
        elif service == "sns":
            params = {"TopicArn": target_arn, "Message": payload}
            self._call(invocation, role, "sns", "Publish", params)
        else:
            self._to_bus(invocation, role, target_arn, payload)

    def _to_function(
        self, invocation: Invocation, role: Identity, function_arn: str, payload: str
    ) -> None:
        region, name, qualifier = function_target(function_arn)
        context = RequestContext(
            "", region, "lambda", account_id=role.account_id or self.account_id, identity=role
        )
        try:
            self.authorizer().authorize(context, Access.of("lambda:InvokeFunction", function_arn))
            target = self.resolver.resolve(region, name, qualifier)
        except ServiceError as exc:
            raise _failed(exc) from None
        self.queue.accept(target, payload.encode(), request_id=new_request_id())

    def _to_bus(self, invocation: Invocation, role: Identity, bus_arn: str, payload: str) -> None:
        parameters = invocation.schedule["Target"].get("EventBridgeParameters") or {}
        entry = {
            "EventBusName": bus_arn,
            "Detail": payload,
            "DetailType": parameters.get("DetailType", ""),
            "Source": parameters.get("Source", ""),
        }
        answer = self._call(invocation, role, "events", "PutEvents", {"Entries": [entry]})
        if answer.get("FailedEntryCount"):
            failed = (answer.get("Entries") or [{}])[0]
            raise TargetFailed(
                str(failed.get("ErrorCode", "")), str(failed.get("ErrorMessage", "")), False
            )

    def _call(
        self, invocation: Invocation, role: Identity, service: str, operation: str, params: dict
    ) -> dict:
        api = self.services(service)
        if api is None:
            raise TargetFailed("ResourceNotFound", f"The service {service} is not served.", False)
        try:
            return api.call(operation, params, role, invocation.region)
        except ServiceError as exc:
            raise _failed(exc) from None

    def _queue_url(self, queue_arn: str) -> str:
        parsed = Arn.parse(queue_arn)
        api = self.services("sqs")
        base = api.base_url.rstrip("/") if api is not None else ""
        return f"{base}/{parsed.account}/{parsed.resource}"

    # --- failures -----------------------------------------------------------------------

    def _retry(self, invocation: Invocation, failure: TargetFailed) -> bool:
        policy = invocation.schedule["Target"].get("RetryPolicy") or {}
        attempts = policy.get("MaximumRetryAttempts", DEFAULT_ATTEMPTS)
        max_age = policy.get("MaximumEventAgeInSeconds", DEFAULT_AGE_S)
        if invocation.attempt > attempts:
            return False
        ceiling = min(BACKOFF_FIRST_S * 2 ** (invocation.attempt - 1), BACKOFF_MAX_S)
        delay = random.uniform(ceiling / 2, ceiling)  # jitter
        if self.clock() + delay - invocation.first_at > max_age:
            return False
        log.info("schedule %s: %s; retrying", invocation.schedule["Arn"], failure)
        following = replace(invocation, attempt=invocation.attempt + 1)
        self.later(delay, lambda: self.invoke(following))
        return True

    def _dead_letter(self, invocation: Invocation, failure: TargetFailed) -> None:
        schedule = invocation.schedule
        queue = (schedule["Target"].get("DeadLetterConfig") or {}).get("Arn")
        log.warning(
            "schedule %s: not delivered to %s (%s: %s)%s",
            schedule["Arn"], schedule["Target"]["Arn"], failure.code, failure,
            f"; sent to {queue}" if queue else "; dropped",
        )  # fmt: skip
        if not queue:
            return
        attributes = {
            "ERROR_CODE": failure.code,
            "ERROR_MESSAGE": str(failure),
            "RETRY_ATTEMPTS": str(invocation.attempt - 1),
            "TARGET_ARN": schedule["Target"]["Arn"],
            "X-Amz-Scheduler-Schedule-Arn": schedule["Arn"],
            "X-Amz-Scheduler-Attempt": str(invocation.attempt),
        }
        params = {
            "QueueUrl": self._queue_url(queue),
            "MessageBody": _payload(invocation),
            "MessageAttributes": {
                key: {"DataType": "String", "StringValue": value or "-"}
                for key, value in attributes.items()
            },
        }
        try:
            role = assumed_role_identity(str(schedule["Target"].get("RoleArn", "")), SESSION)
            self._call(invocation, role, "sqs", "SendMessage", params)
        except TargetFailed as lost:
            log.warning("schedule %s: dead-letter queue %s: %s", schedule["Arn"], queue, lost)


def _payload(invocation: Invocation) -> str:
    text = invocation.schedule["Target"].get("Input")
    if text is None:
        return "{}"
    context = {
        "<aws.scheduler.schedule-arn>": invocation.schedule["Arn"],
        "<aws.scheduler.scheduled-time>": invocation.scheduled.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": invocation.execution_id,
        "<aws.scheduler.attempt-number>": str(invocation.attempt),
    }
    for name, value in context.items():
        text = text.replace(name, value)
    return text


def _failed(exc: ServiceError) -> TargetFailed:
    """Whether the target may take it later: throttled, a server error, not ready yet."""
    retriable = not isinstance(exc, MissingResource) and (
        exc.status >= 500 or exc.status == 429 or "Throttl" in exc.code or exc.status == 409
    )
    return TargetFailed(exc.code, exc.message, retriable)


def _trusts_scheduler(trust_policy: str, role_arn: str, invocation: Invocation) -> bool:
    """Whether the role's trust policy lets `scheduler.amazonaws.com` assume it, with the
    condition keys Scheduler sets (aws:SourceAccount, aws:SourceArn: the schedule's group)."""
    try:
        trust = parse_policy(trust_policy, PolicyKind.TRUST)
    except MalformedPolicyDocumentError:
        return False
    schedule_arn = Arn.parse(invocation.schedule["Arn"])
    group = f"schedule-group/{invocation.schedule['GroupName']}"
    group_arn = arn("scheduler", schedule_arn.region, schedule_arn.account, group)
    decision = evaluate(
        Request(
            identity=None,
            service=PRINCIPAL,
            action="sts:AssumeRole",
            resource=role_arn,
            context={"aws:SourceAccount": schedule_arn.account, "aws:SourceArn": group_arn},
            resource_policy=trust,
            resource_policy_required=True,
        )
    )
    return decision.allowed
