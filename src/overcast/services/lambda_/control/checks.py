"""Lambda's rules for a configuration that the service model does not state."""

from __future__ import annotations

import json

from overcast.aws.errors import InvalidParameterValueException
from overcast.config import Settings
from overcast.services.lambda_.control.runtimes import check_runtime
from overcast.services.lambda_.model.configuration import (
    Configuration,
    ConfigurationChange,
    SnapStartApplyOn,
    VpcConfig,
)

# Variables Lambda sets itself and refuses to let a function override.
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
MAX_ENVIRONMENT_BYTES = 4096
# Lambda's SnapStart runtimes (Python from 3.12); the others are listed for the wording only.
SNAP_START_RUNTIMES = frozenset(
    {"python3.12", "python3.13", "python3.14", "java11", "java17", "java21", "dotnet8"}
)


def check_change(change: ConfigurationChange, settings: Settings) -> None:
    if change.runtime is not None:
        check_runtime(change.runtime, settings)
    if change.environment:
        check_environment(change.environment)
    if change.vpc is not None:
        check_vpc(change.vpc)


def check_vpc(vpc: VpcConfig) -> None:
    """Lambda places a function in a VPC by its subnets and security groups together: one
    list without the other is refused (Lambda's words, as its users have quoted them)."""
    if bool(vpc.subnet_ids) != bool(vpc.security_group_ids):
        raise InvalidParameterValueException(
            "SubnetIds and SecurityIds must coexist or be both empty list."
        )


def check_environment(variables: dict[str, str]) -> None:
    reserved = sorted(RESERVED_VARIABLES.intersection(variables))
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided contains reserved keys that are "
            f"currently not supported for modification. Reserved keys used in this request: "
            f"{', '.join(reserved)}"
        )
    # A process environment is a list of NUL-terminated strings: a NUL inside a key or value
    # cannot reach the function, so it is refused here rather than failing every invoke.
    with_nul = sorted(
        key.replace("\0", "\\0") for key, value in variables.items() if "\0" in key + value
    )
    if with_nul:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided contain a null character (\\0), which "
            f"an environment variable cannot hold. Variables with one: {', '.join(with_nul)}"
        )
    # Lambda measures the variables as the JSON it stores them in.
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > MAX_ENVIRONMENT_BYTES:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided exceeded the 4KB limit. "
            f"String measured: {measured}"
        )


def check_configuration(config: Configuration) -> None:
    """Rules on a whole configuration, once a change is merged into it."""
    if (
        config.snap_start is SnapStartApplyOn.PUBLISHED_VERSIONS
        and config.runtime not in SNAP_START_RUNTIMES
    ):
        raise InvalidParameterValueException(
            f"{config.runtime} is not supported for SnapStart enabled functions."
        )
