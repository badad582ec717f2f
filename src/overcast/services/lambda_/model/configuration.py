"""The full configuration of one function version, as the control plane stores and reports it.

`function.py::FunctionVersion` is the engine's slice of this value; `engine_view` makes it.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum

from overcast.function import LATEST, FunctionVersion
from overcast.services.lambda_.model.layer import LayerRef


class State(StrEnum):
    """Lambda's function states: invoke is refused while Pending."""

    PENDING = "Pending"
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    FAILED = "Failed"


class SnapStartApplyOn(StrEnum):
    """Lambda's SnapStart.ApplyOn: snapshot each published version, or never."""

    PUBLISHED_VERSIONS = "PublishedVersions"
    NONE = "None"


@dataclass(frozen=True)
class VpcConfig:
    """A function's VpcConfig. Overcast has no VPC: a function with subnets runs with no
    network but loopback, as a VPC function reaches only what its VPC reaches."""

    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    ipv6_allowed_for_dual_stack: bool | None = None

    @property
    def isolated(self) -> bool:
        return bool(self.subnet_ids)

    @classmethod
    def from_record(cls, record: dict) -> VpcConfig:
        return cls(
            subnet_ids=tuple(record.get("subnet_ids") or ()),
            security_group_ids=tuple(record.get("security_group_ids") or ()),
            ipv6_allowed_for_dual_stack=record.get("ipv6_allowed_for_dual_stack"),
        )


@dataclass(frozen=True)
class EnvironmentFault:
    """Why a version's environment variables could not be decrypted when loaded: Lambda's
    error code (KMSDisabledException, ...) and message, answered as Environment.Error and
    raised at Invoke."""

    code: str
    message: str


class UpdateStatus(StrEnum):
    """Lambda's LastUpdateStatus: InProgress while new code or configuration is being applied."""

    IN_PROGRESS = "InProgress"
    SUCCESSFUL = "Successful"
    FAILED = "Failed"


@dataclass(frozen=True)
class Configuration:
    """One version of a function: `$LATEST` at some revision, or a published version."""

    name: str
    version: str
    runtime: str
    role: str
    handler: str
    code_sha256: str  # hex: the address of the code in the code store
    code_size: int
    revision_id: str
    last_modified: str  # Lambda's format: 2024-01-01T12:00:00.000+0000
    description: str = ""
    timeout: int = 3
    memory_size: int = 128
    environment: dict[str, str] | None = None  # None: never given (Lambda omits Environment)
    # KMSKeyArn: the customer managed key of the variables (None: the AWS managed aws/lambda).
    kms_key_arn: str | None = None
    # The variables as stored: base64 of a KMS ciphertext of their JSON (environment_seal.py).
    # Memory holds both forms; the store only ever this one.
    sealed_environment: str | None = None
    environment_fault: EnvironmentFault | None = None  # set at load when decryption failed
    ephemeral_storage: int = 512
    architectures: tuple[str, ...] = ("x86_64",)
    tracing_mode: str = "PassThrough"
    log_format: str = "Text"
    application_log_level: str | None = None
    system_log_level: str | None = None
    log_group: str | None = None  # None: /aws/lambda/NAME
    snap_start: SnapStartApplyOn = SnapStartApplyOn.NONE
    vpc: VpcConfig | None = None  # None: never configured (Lambda then omits VpcConfig)
    layers: tuple[LayerRef, ...] = ()  # in the order given: later layers win at /opt
    dead_letter_arn: str | None = None  # DeadLetterConfig.TargetArn: a queue or topic
    state: State = State.ACTIVE
    state_reason: str | None = None
    state_reason_code: str | None = None
    last_update_status: UpdateStatus | None = UpdateStatus.SUCCESSFUL
    last_update_status_reason: str | None = None
    last_update_status_reason_code: str | None = None
    # A published version's: the Description $LATEST had when it was published (the version's
    # own may be PublishVersion's Description). None for $LATEST and older records.
    published_from_description: str | None = None

    @property
    def code_sha256_b64(self) -> str:
        """CodeSha256 as Lambda reports it: base64 of the digest, not hex."""
        return base64.b64encode(bytes.fromhex(self.code_sha256)).decode()

    @property
    def effective_log_group(self) -> str:
        return self.log_group or f"/aws/lambda/{self.name}"

    @property
    def snap_start_on(self) -> bool:
        """SnapStart's OptimizationStatus: On for a version published while ApplyOn was
        PublishedVersions; $LATEST itself is never snapshotted."""
        return self.version != LATEST and self.snap_start is SnapStartApplyOn.PUBLISHED_VERSIONS

    def runs_like(self, other: Configuration) -> bool:
        """True when both would run the same code the same way.

        PublishVersion compares $LATEST with the last published version this way: when nothing
        changed, Lambda hands back that version instead of publishing a new one.
        """
        ignored = {
            "version",
            "revision_id",
            "last_modified",
            "description",
            "state",
            "state_reason",
            "state_reason_code",
            "last_update_status",
            "last_update_status_reason",
            "last_update_status_reason_code",
            "published_from_description",
            "sealed_environment",  # a fresh nonce each time: `environment` is compared
            "environment_fault",
        }
        return all(
            getattr(self, f.name) == getattr(other, f.name)
            for f in fields(self)
            if f.name not in ignored
        )

    def unchanged_since(self, version: Configuration) -> bool:
        """True when PublishVersion would hand back `version` rather than publish $LATEST
        (this): nothing changed since, not even the description (Lambda publishes a new
        version after a description-only update)."""
        described = version.published_from_description
        return self.runs_like(version) and self.description == (
            version.description if described is None else described
        )

    def engine_view(
        self,
        function_arn: str,
        region: str,
        account_id: str,
        reserved_concurrency: int | None = None,
        opt_dir: str | None = None,
    ) -> FunctionVersion:
        """The engine's slice. `reserved_concurrency` is the function's (PutFunctionConcurrency):
        a function-wide setting, so it changes views without changing their revision.
        `opt_dir` is the folder holding this version's layers merged (see CodeStore.merge)."""
        return FunctionVersion(
            name=self.name,
            version=self.version,
            function_arn=function_arn,
            runtime=self.runtime,
            handler=self.handler,
            code_sha256=self.code_sha256,
            revision_id=self.revision_id,
            timeout=self.timeout,
            memory_size=self.memory_size,
            environment=dict(self.environment or {}),
            ephemeral_storage=self.ephemeral_storage,
            region=region,
            account_id=account_id,
            reserved_concurrency=reserved_concurrency,
            network=not (self.vpc and self.vpc.isolated),
            snap_start=self.snap_start_on,
            opt_dir=opt_dir,
            dead_letter_arn=self.dead_letter_arn,
            role=self.role,
        )

    @property
    def layer_shas(self) -> tuple[str, ...]:
        return tuple(layer.code_sha256 for layer in self.layers)

    def to_record(self) -> dict:
        """A JSON-ready dict for the store: the environment variables only sealed."""
        if self.environment is not None and self.sealed_environment is None:
            raise ValueError(f"the environment of {self.name}:{self.version} is not sealed")
        record = asdict(self)
        del record["environment"], record["environment_fault"]
        record["architectures"] = list(self.architectures)
        record["layers"] = [asdict(layer) for layer in self.layers]
        record["state"] = self.state.value
        record["snap_start"] = self.snap_start.value
        record["last_update_status"] = (
            self.last_update_status.value if self.last_update_status else None
        )
        return record

    @classmethod
    def from_record(cls, record: dict) -> Configuration:
        known = {f.name for f in fields(cls)}
        # An old record may hold `environment` in clear: read it (environment_seal seals it).
        values = {key: value for key, value in record.items() if key in known}
        values.pop("environment_fault", None)
        values["architectures"] = tuple(values.get("architectures") or ("x86_64",))
        values["state"] = State(values.get("state") or State.ACTIVE)
        values["snap_start"] = SnapStartApplyOn(values.get("snap_start") or SnapStartApplyOn.NONE)
        values["layers"] = tuple(LayerRef.from_record(r) for r in values.get("layers") or ())
        vpc = values.get("vpc")
        values["vpc"] = VpcConfig.from_record(vpc) if vpc is not None else None
        status = values.get("last_update_status")
        values["last_update_status"] = UpdateStatus(status) if status else None
        return cls(**values)

    def published_as(
        self, version: str, revision_id: str, description: str | None
    ) -> Configuration:
        """This $LATEST configuration frozen as published version `version`."""
        assert self.version == LATEST
        return replace(
            self,
            version=version,
            revision_id=revision_id,
            description=self.description if description is None else description,
            published_from_description=self.description,
        )


@dataclass(frozen=True)
class ConfigurationChange:
    """The settable fields of CreateFunction/UpdateFunctionConfiguration; None = unchanged."""

    runtime: str | None = None
    role: str | None = None
    handler: str | None = None
    description: str | None = None
    timeout: int | None = None
    memory_size: int | None = None
    environment: dict[str, str] | None = None
    kms_key_arn: str | None = None  # "" goes back to the AWS managed key
    ephemeral_storage: int | None = None
    architectures: tuple[str, ...] | None = None
    tracing_mode: str | None = None
    log_format: str | None = None
    application_log_level: str | None = None
    system_log_level: str | None = None
    log_group: str | None = None
    snap_start: SnapStartApplyOn | None = None
    vpc: VpcConfig | None = None
    layers: tuple[str, ...] | None = None  # layer version ARNs; the service resolves them
    dead_letter_arn: str | None = None  # "" removes the DeadLetterConfig

    def given(self) -> dict[str, object]:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


def settle_logging(config: Configuration) -> Configuration:
    """LoggingConfig as Lambda keeps it: JSON logs have both levels (INFO unless given);
    Text logs have none (switching back to Text drops them)."""
    if config.log_format == "JSON":
        return replace(
            config,
            application_log_level=config.application_log_level or "INFO",
            system_log_level=config.system_log_level or "INFO",
        )
    return replace(config, application_log_level=None, system_log_level=None)
