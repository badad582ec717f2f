"""A function's configuration as the engine runs it."""

from __future__ import annotations

from dataclasses import dataclass, field

LATEST = "$LATEST"


@dataclass(frozen=True)
class FunctionVersion:
    """One immutable configuration of a function: `$LATEST` at one revision, or a published version.

    Everything the engine needs to start and run an execution environment. A change of code
    or configuration produces a new value with a new `revision_id`.
    """

    name: str
    version: str  # "$LATEST" or "1", "2", ...
    function_arn: str  # unqualified: arn:aws:lambda:REGION:ACCOUNT:function:NAME
    runtime: str
    handler: str
    code_sha256: str  # hex sha256 of the zip: its address in the code store
    revision_id: str
    timeout: int = 3
    memory_size: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    ephemeral_storage: int = 512
    region: str = "us-east-1"
    account_id: str = "000000000000"
    # Function-level settings copied into every view; changing them is no new revision.
    reserved_concurrency: int | None = None  # PutFunctionConcurrency; 0 throttles everything
    network: bool = True  # False: the environment gets a network namespace with loopback only
    # A published version with SnapStart ApplyOn=PublishedVersions: environments are forked
    # from an initialised template of the version.
    snap_start: bool = False
    # The function's layers merged in order (later layers win), to mount read-only at /opt;
    # None when the version has no layers.
    opt_dir: str | None = None
    dead_letter_arn: str | None = None  # where asynchronous events go when they fail for good
    role: str = ""  # the execution role's ARN: environments get credentials of its session

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    def qualified_arn(self, qualifier: str | None = None) -> str:
        """The ARN as invoked: unqualified when no qualifier was used, as Lambda reports it."""
        return f"{self.function_arn}:{qualifier}" if qualifier else self.function_arn


@dataclass(frozen=True)
class Target:
    """What an invoke request resolved to: the version to run and the ARN the caller named."""

    function: FunctionVersion
    invoked_arn: str
