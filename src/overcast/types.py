"""Protocols shared between the layers of DESIGN.md (api -> engine -> sandbox -> runtimes),
and the values they pass: how services and front doors reach the engine without importing it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from overcast.function import FunctionVersion, Target

if TYPE_CHECKING:
    from overcast.aws.credentials import Identity
    from overcast.aws.request_context import RequestContext


class Resolver(Protocol):
    """Turns what a caller named into the function version to run (control plane -> engine)."""

    def resolve(self, region: str, function_name: str, qualifier: str | None) -> Target:
        """Resolve a name, partial ARN or ARN (optionally `name:qualifier`) and a Qualifier.

        Functions are regional, as on Lambda: `region` comes from the request's SigV4 scope.

        Aliases with a weighted RoutingConfig pick a version at random by weight. Raises
        ResourceNotFoundException (an `aws.errors.MissingResource`, which callers that import
        no service catch), or ResourceConflictException while the function is Pending.
        """
        ...


class EnvironmentRetirer(Protocol):
    """Lets the control plane tell the engine that environments of a function are stale."""

    def retire(self, function_arn: str) -> None:
        """Stop idle environments of the function now and busy ones when they finish."""
        ...


class LogSink(Protocol):
    """Where the engine writes each invocation's log lines (observe/logs.py)."""

    def append(self, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Append (timestamp_ms, message) events to a stream, creating group and stream."""
        ...


@dataclass(frozen=True)
class ProvisionedStatus:
    """What the engine reports of one provisioned-concurrency config (Lambda's fields)."""

    requested: int
    allocated: int  # environments started and initialised
    available: int  # of those, idle right now
    status: str  # "IN_PROGRESS" | "READY" | "FAILED"
    reason: str | None = None


class Capacity(Protocol):
    """The engine's side of concurrency settings (control plane -> engine)."""

    def provision(self, key: str, function: FunctionVersion, count: int) -> None:
        """Keep `count` initialised environments of `function` for invokes through `key`
        (a qualified ARN: version or alias). Replaces an earlier config of the same key."""
        ...

    def unprovision(self, key: str) -> None:
        """Drop a provisioned-concurrency config; its environments become ordinary ones."""
        ...

    def provisioned_status(self, key: str) -> ProvisionedStatus | None:
        """Live numbers for a config, or None if the engine knows no config for `key`."""
        ...

    def prepare_snapshot(
        self, function: FunctionVersion, done: Callable[[str | None], None]
    ) -> None:
        """SnapStart: initialise a template of a newly published version in the background,
        then call `done(None)`, or `done(reason)` if its init failed (from a worker thread)."""
        ...


class FrontDoor(Protocol):
    """An HTTP entry that claims some requests ahead of the API (function URLs)."""

    def match(self, scope: dict) -> object | None:
        """Something (truthy) when this front door answers the ASGI request `scope`."""
        ...

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None: ...


@dataclass(frozen=True)
class InvokeResult:
    """What a synchronous invoke returns: Lambda's status, payload and headers."""

    request_id: str
    status_code: int
    payload: bytes
    executed_version: str
    function_error: str | None = None  # "Unhandled" when the function failed
    log_result: str | None = None  # base64 of the last 4 KB of the log, for LogType=Tail
    log_group: str = ""  # where the invocation's log went, for front doors that add to it
    log_stream: str = ""


@dataclass(frozen=True)
class StreamError:
    """How a streamed invocation failed: InvokeComplete's ErrorCode and ErrorDetails."""

    code: str
    details: str


class Runner(Protocol):
    """The engine's side of a service that invokes on its own schedule (Lambda's async queue,
    SQS pollers): wait for a concurrency slot, then run (engine.Engine)."""

    async def admitted(self, function: FunctionVersion, timeout_s: float) -> bool: ...

    def run_admitted(
        self, target: Target, payload: bytes, request_id: str, hops: int = 0
    ) -> Awaitable[InvokeResult]: ...


class InvocationStream(Protocol):
    """A streamed invocation as a front door reads it (engine/streaming.py's ResponseStream):
    the response's chunks as the function writes them, then how the invocation ended."""

    request_id: str
    content_type: str | None  # the runtime's, known with the first chunk
    result: InvokeResult | None  # set once the invocation has ended

    @property
    def error(self) -> StreamError | None:
        """What ended the stream (a function error, a timeout, a crash), if anything did."""
        ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    def close(self) -> None:
        """The reader is gone: drop what is left and let the function write on."""
        ...


class Invoker(Protocol):
    """The engine as the HTTP front doors use it (engine.Engine): function URLs and API
    Gateway endpoints invoke synchronously and may add a line to the invocation's log."""

    async def invoke(self, target: Target, payload: bytes) -> InvokeResult:
        """Run `target` with `payload`; throttled with TooManyRequestsException (429)."""
        ...

    async def invoke_stream(self, target: Target, payload: bytes) -> InvocationStream:
        """Run `target`, its response read in chunks; refusals raise before any chunk."""
        ...

    def note(self, result: InvokeResult, message: str) -> None:
        """Add a line to the invocation's log stream (a front door explaining a refusal)."""
        ...


@dataclass(frozen=True)
class Source:
    """What an event source mapping's rules need to know of its source: a queue, or a stream
    (`kind` "dynamodb" or "kinesis": the ARN service of the sources that read it)."""

    fifo: bool
    visibility_timeout_s: int
    policy: str | None = None  # the queue's own policy (JSON text), which may allow the role
    kind: str = "sqs"

    @property
    def stream(self) -> bool:
        return self.kind != "sqs"


class PolledMapping(Protocol):
    """An event source mapping as its poller reads it (services/lambda_/model/
    event_source_mapping.py's EventSourceMapping)."""

    @property
    def uuid(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def event_source_arn(self) -> str: ...
    @property
    def function_arn(self) -> str: ...  # qualified when the caller named a version or alias
    @property
    def batch_size(self) -> int: ...
    @property
    def maximum_batching_window_s(self) -> int: ...
    @property
    def filters(self) -> tuple[str, ...]: ...  # FilterCriteria patterns, as given
    @property
    def maximum_concurrency(self) -> int | None: ...  # ScalingConfig.MaximumConcurrency
    @property
    def polls(self) -> bool:
        """Whether a poller should run for it now."""
        ...

    @property
    def reports_item_failures(self) -> bool: ...


class StreamMapping(PolledMapping, Protocol):
    """An event source mapping on a stream (DynamoDB Streams, Kinesis), as the stream pollers
    (overcast/stream_pollers) read it: the stream settings of CreateEventSourceMapping."""

    @property
    def starting_position(self) -> str | None: ...  # TRIM_HORIZON, LATEST, AT_TIMESTAMP
    @property
    def starting_position_timestamp(self) -> float | None: ...
    @property
    def parallelization_factor(self) -> int | None: ...
    @property
    def bisect_batch_on_function_error(self) -> bool | None: ...
    @property
    def maximum_retry_attempts(self) -> int | None: ...  # -1: until the records expire
    @property
    def maximum_record_age_s(self) -> int | None: ...  # -1: no limit
    @property
    def tumbling_window_s(self) -> int | None: ...
    @property
    def on_failure(self) -> str | None: ...  # DestinationConfig.OnFailure.Destination


class EventSources(Protocol):
    """The pollers' side of Lambda's event source mappings (services/sqs/pollers.py), which
    services/lambda_/control/event_source_mappings.py hands each mapping to."""

    def check_source(self, region: str, arn: str) -> Source:
        """The queue at `arn`; raises InvalidParameterValueException when it is no source
        Overcast reads or does not exist."""
        ...

    def apply(self, mapping: PolledMapping, done: Callable[[], None]) -> None:
        """Start, restart or stop the mapping's poller (from any thread); then `done()`."""
        ...


class PollerPermissions(Protocol):
    """What the pollers ask Lambda of a mapping's function's execution role before each
    receive, and where they report a refusal (services/lambda_/control/
    event_source_mappings.py): Lambda polls with the function's role."""

    @property
    def enforced(self) -> bool:
        """Whether roles are checked at all (not with `--auth off`, nor without IAM)."""
        ...

    def refusal(self, mapping: PolledMapping, queue_policy: str | None) -> str | None:
        """The mapping's LastProcessingResult ("PROBLEM: ...") when its function's role may
        not call what the poller does on its queue (or stream); None when it may."""
        ...

    def report(self, mapping: PolledMapping, problem: str | None) -> None:
        """Record how the mapping's last poll went: `problem`, or None for a poll that
        was allowed (which clears a problem recorded before)."""
        ...


@dataclass(frozen=True)
class ServicePrincipal:
    """An AWS service invoking a function for one of its resources, as the function's
    resource-based policy sees it: `service` is the principal (`s3.amazonaws.com`),
    `source_arn` and `source_account` are the `aws:SourceArn` and `aws:SourceAccount` the
    service sets (a bucket's ARN and its owner's account; a topic's, a rule's ARN; an HTTP
    API's `arn:aws:execute-api:REGION:ACCOUNT:api-id/stage/METHOD/path`)."""

    service: str
    source_arn: str
    source_account: str


class InvokePermissions(Protocol):
    """Lambda's resource-based policies as the services that invoke functions ask them
    (services/lambda_/control/invoke_permissions.py): S3 notifications, SNS subscriptions,
    EventBridge targets and HTTP API integrations invoke only what a policy allows."""

    def refusal(self, target: Target, caller: ServicePrincipal) -> str | None:
        """Why the policy of the function (version, alias) `target` names does not let
        `caller` do lambda:InvokeFunction, in AWS's words; None when it does."""
        ...


class Acceptor(Protocol):
    """Lambda's asynchronous queue as other services hand it events (engine/async_queue.py):
    an event accepted is kept until a function has run it (or it fails for good)."""

    def accept(
        self, target: Target, payload: bytes, *, request_id: str, hops: int = 0
    ) -> object: ...


class Functions(Runner, Invoker, Protocol):
    """The engine as the services' kernel (services/base.py): it runs functions for those
    that invoke on their own schedule and for the HTTP front doors."""


class ObjectUnreadable(Exception):
    """Raised by an `ObjectReader` when the object is not there to read: `code` and `message`
    are S3's error, as a service that read it quotes it ("NoSuchBucket", "The specified bucket
    does not exist"; NoSuchKey, NoSuchVersion; PermanentRedirect when the bucket is in another
    region than the reader's caller)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ObjectTooLarge(Exception):
    """Raised by an `ObjectReader` when the object holds more than the caller will read."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the object holds {size} bytes")
        self.size = size


class ObjectReader(Protocol):
    """S3's objects as another service reads them (Lambda's code from S3), without importing
    services/s3: S3 registers its reader with the kernels' `object_readers.ObjectReaders`."""

    def read(
        self,
        region: str,
        bucket: str,
        key: str,
        version: str | None,
        max_bytes: int,
        caller: Identity | None = None,
    ) -> bytes:
        """The bytes of `key` in `bucket` (of its `version`, if named), read for a caller in
        `region`. Raises `ObjectUnreadable` when the bucket, key or version does not exist
        or the bucket is in another region, `ObjectTooLarge` past `max_bytes`. The read is
        `caller`'s GetObject: IAM and the bucket's policy must allow it s3:GetObject
        (AccessDenied otherwise), as for CloudFormation's TemplateURL; while requests are
        verified, a read without a caller is AccessDenied (never the root's by default)."""
        ...


@dataclass(frozen=True)
class KeyCaller:
    """The caller a service uses a KMS key for. AWS's services call KMS on their caller's
    behalf, so KMS authorizes the use as that caller's own request arriving through the
    service (`kms:ViaService` `<service>.<region>.amazonaws.com`, `kms:CallerAccount`):
    the caller needs the KMS action on the key from the key policy (and, where the key policy
    delegates to IAM, from its identity policies). An AWS managed key's policy lets every
    principal of the account use it through its own service ("Permissions for the KMS key",
    Secrets Manager User Guide; "Restricting decryption of SecureString parameter values",
    Systems Manager User Guide).

    `request` is the caller's request to the service; `service` the service's endpoint prefix
    (`ssm`, `secretsmanager`). `envelope`: the service seals with a data key, so encrypting
    needs `kms:GenerateDataKey` rather than `kms:Encrypt` (Secrets Manager; Parameter Store's
    advanced tier)."""

    request: RequestContext
    service: str
    envelope: bool = False


class Keys(Protocol):
    """Encryption at rest with KMS keys, for the services that keep secrets (Lambda's
    environment variables, Secrets Manager, SSM SecureString): KMS's implementation, handed
    to services through `Kernels.keys` (see keys.py).

    `key_id` is whatever KMS's `KeyId` takes: a key id, key ARN, alias name or alias ARN;
    an AWS managed alias (`alias/aws/lambda`) creates its key on first use, as on AWS.
    `context` is KMS's EncryptionContext: decrypt needs the same one. Both raise KMS's own
    errors (ServiceError subclasses: NotFoundException, DisabledException,
    KMSInvalidStateException, InvalidCiphertextException), which a caller may reword.

    With a `caller`, KMS first authorizes the use for it (`KeyCaller`) and raises
    `aws.errors.AccessDeniedException` with KMS's sentence when its policies refuse; without
    one the service uses the key on its own account (Lambda starting an environment).
    """

    def encrypt(
        self,
        region: str,
        key_id: str,
        plaintext: bytes,
        context: dict[str, str] | None = None,
        caller: KeyCaller | None = None,
    ) -> tuple[bytes, str]:
        """The ciphertext blob of `plaintext` under the key, and the key's ARN."""
        ...

    def decrypt(
        self,
        region: str,
        blob: bytes,
        context: dict[str, str] | None = None,
        caller: KeyCaller | None = None,
    ) -> tuple[bytes, str]:
        """The plaintext a blob holds (the blob names its key), and that key's ARN."""
        ...
