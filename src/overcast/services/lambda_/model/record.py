"""What a function has beyond its versions and aliases."""

from __future__ import annotations

from dataclasses import dataclass, field

from overcast.services.lambda_.model.event_invoke import EventInvokeConfig
from overcast.services.lambda_.model.policy import Policy
from overcast.services.lambda_.model.runtime_management import RuntimeManagement


@dataclass(frozen=True)
class ProvisionedConfig:
    """One PutProvisionedConcurrencyConfig, kept under the version number or alias name."""

    requested: int
    last_modified: str  # Lambda's format here: 2024-01-01T12:00:00+0000

    def to_record(self) -> dict:
        return {"requested": self.requested, "last_modified": self.last_modified}

    @classmethod
    def from_record(cls, record: dict) -> ProvisionedConfig:
        return cls(requested=int(record["requested"]), last_modified=record["last_modified"])


@dataclass(frozen=True)
class FunctionRecord:
    """Function-wide state: tags, the last version number handed out, concurrency settings,
    resource-based policies, the code signing config, runtime management configs.

    Lambda never reuses a version number, even after the version is deleted, so the counter
    is kept apart from the versions themselves. Reserved concurrency belongs to the function,
    provisioned concurrency to a version or alias (keyed by its qualifier).
    """

    region: str
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    last_version: int = 0
    reserved_concurrency: int | None = None
    provisioned: dict[str, ProvisionedConfig] = field(default_factory=dict)
    # Asynchronous invocation settings, by qualifier ($LATEST, a version or an alias).
    event_invoke: dict[str, EventInvokeConfig] = field(default_factory=dict)
    recursive_loop: str = "Terminate"  # PutFunctionRecursionConfig: Terminate | Allow
    # Resource-based policies (AddPermission), by qualifier: $LATEST for the function itself.
    policies: dict[str, Policy] = field(default_factory=dict)
    code_signing_config_arn: str | None = None  # PutFunctionCodeSigningConfig
    # PutRuntimeManagementConfig, by version ($LATEST or a number); Auto where absent.
    runtime_management: dict[str, RuntimeManagement] = field(default_factory=dict)

    @property
    def provisioned_total(self) -> int:
        return sum(config.requested for config in self.provisioned.values())

    def to_record(self) -> dict:
        return {
            "tags": dict(self.tags),
            "last_version": self.last_version,
            "reserved_concurrency": self.reserved_concurrency,
            "provisioned": {q: c.to_record() for q, c in self.provisioned.items()},
            "event_invoke": {q: c.to_record() for q, c in self.event_invoke.items()},
            "recursive_loop": self.recursive_loop,
            "policies": {q: p.to_record() for q, p in self.policies.items()},
            "code_signing_config_arn": self.code_signing_config_arn,
            "runtime_management": {v: c.to_record() for v, c in self.runtime_management.items()},
        }

    @classmethod
    def from_record(cls, region: str, name: str, record: dict) -> FunctionRecord:
        reserved = record.get("reserved_concurrency")
        return cls(
            region=region,
            name=name,
            tags=dict(record.get("tags") or {}),
            last_version=int(record.get("last_version") or 0),
            reserved_concurrency=None if reserved is None else int(reserved),
            provisioned={
                qualifier: ProvisionedConfig.from_record(config)
                for qualifier, config in (record.get("provisioned") or {}).items()
            },
            event_invoke={
                qualifier: EventInvokeConfig.from_record(config)
                for qualifier, config in (record.get("event_invoke") or {}).items()
            },
            recursive_loop=record.get("recursive_loop") or "Terminate",
            policies={
                qualifier: Policy.from_record(policy)
                for qualifier, policy in (record.get("policies") or {}).items()
            },
            code_signing_config_arn=record.get("code_signing_config_arn"),
            runtime_management={
                version: RuntimeManagement.from_record(config)
                for version, config in (record.get("runtime_management") or {}).items()
            },
        )
