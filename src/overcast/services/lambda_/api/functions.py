"""Lambda's control-plane operations at the API edge: parse params, call one service method,
shape the answer in Lambda's JSON (AWS casing lives here and nowhere deeper).

Each handler runs in a worker thread (storing code may take a while) and returns the output
structure as a dict; protocol.py places it on the wire.
"""

from __future__ import annotations

from overcast.aws.arn import Arn
from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.operations import Call, Operations
from overcast.services.lambda_.api.packages import package_of
from overcast.services.lambda_.control.catalog import VersionView
from overcast.services.lambda_.control.plane import ControlPlane
from overcast.services.lambda_.control.runtimes import current_runtime_version
from overcast.services.lambda_.model.configuration import (
    Configuration,
    ConfigurationChange,
    SnapStartApplyOn,
    VpcConfig,
)

# Overcast has no VPCs: every function with subnets is "in" this one (no network).
VPC_ID = "vpc-overcast"


OPERATIONS = Operations()  # Lambda's, every module of services/lambda_/api/ adds to it


# --- shaping -----------------------------------------------------------------------------


def configuration(view: VersionView, control: ControlPlane, *, states: bool = True) -> dict:
    """FunctionConfiguration. ListFunctions omits the state fields, as Lambda's does."""
    c = view.config
    region = Arn.parse(view.function_arn).region
    out = {
        "FunctionName": c.name,
        "FunctionArn": view.function_arn,
        "Runtime": c.runtime,
        "Role": c.role,
        "Handler": c.handler,
        "CodeSize": c.code_size,
        "Description": c.description,
        "Timeout": c.timeout,
        "MemorySize": c.memory_size,
        "LastModified": c.last_modified,
        "CodeSha256": c.code_sha256_b64,
        "Version": c.version,
        "Environment": environment_response(c),
        # Only a customer managed key is answered; the AWS managed aws/lambda key is not.
        "KMSKeyArn": c.kms_key_arn,
        "TracingConfig": {"Mode": c.tracing_mode},
        "RevisionId": c.revision_id,
        "PackageType": "Zip",
        "Architectures": list(c.architectures),
        "EphemeralStorage": {"Size": c.ephemeral_storage},
        "VpcConfig": vpc_configuration(c.vpc),
        "Layers": [{"Arn": x.arn, "CodeSize": x.code_size} for x in c.layers] or None,
        "DeadLetterConfig": {"TargetArn": c.dead_letter_arn} if c.dead_letter_arn else None,
        "SnapStart": {
            "ApplyOn": c.snap_start.value,
            "OptimizationStatus": "On" if c.snap_start_on else "Off",
        },
        # What the version runs on now, whatever its runtime management config pins
        # (control/runtime_management.py).
        "RuntimeVersionConfig": {
            "RuntimeVersionArn": current_runtime_version(region, c.runtime, control.settings)
        },
        "LoggingConfig": {
            "LogFormat": c.log_format,
            "LogGroup": c.effective_log_group,
            "ApplicationLogLevel": c.application_log_level,
            "SystemLogLevel": c.system_log_level,
        },
    }
    if states:
        out.update(
            {
                "State": c.state.value,
                "StateReason": c.state_reason,
                "StateReasonCode": c.state_reason_code,
                "LastUpdateStatus": c.last_update_status.value if c.last_update_status else None,
                "LastUpdateStatusReason": c.last_update_status_reason,
                "LastUpdateStatusReasonCode": c.last_update_status_reason_code,
            }
        )
    return out


def environment_response(c: Configuration) -> dict | None:
    """EnvironmentResponse: the variables once given, even empty ({"Variables": {}}), as
    Lambda shows them; or, when they could not be decrypted, the error Lambda reports."""
    if c.environment_fault is not None:
        fault = c.environment_fault
        return {"Error": {"ErrorCode": fault.code, "Message": fault.message}}
    return None if c.environment is None else {"Variables": dict(c.environment)}


def vpc_configuration(vpc: VpcConfig | None) -> dict | None:
    if vpc is None:
        return None
    return {
        "SubnetIds": list(vpc.subnet_ids),
        "SecurityGroupIds": list(vpc.security_group_ids),
        "VpcId": VPC_ID if vpc.subnet_ids else "",
        "Ipv6AllowedForDualStack": vpc.ipv6_allowed_for_dual_stack,
    }


def change_of(p: dict) -> ConfigurationChange:
    """The settable configuration in a CreateFunction/UpdateFunctionConfiguration request."""
    if p.get("PackageType") == "Image" or p.get("ImageConfig"):
        raise InvalidParameterValueException(
            "Container images are not supported by this Overcast server"
        )
    environment = p.get("Environment")
    logging = p.get("LoggingConfig") or {}
    snap_start = (p.get("SnapStart") or {}).get("ApplyOn")
    vpc = p.get("VpcConfig")
    layers = p.get("Layers")
    dead_letter = p.get("DeadLetterConfig")
    return ConfigurationChange(
        runtime=p.get("Runtime"),
        role=p.get("Role"),
        handler=p.get("Handler"),
        description=p.get("Description"),
        timeout=p.get("Timeout"),
        memory_size=p.get("MemorySize"),
        environment=None if environment is None else dict(environment.get("Variables") or {}),
        kms_key_arn=p.get("KMSKeyArn"),
        ephemeral_storage=(p.get("EphemeralStorage") or {}).get("Size"),
        architectures=tuple(p["Architectures"]) if p.get("Architectures") else None,
        tracing_mode=(p.get("TracingConfig") or {}).get("Mode"),
        log_format=logging.get("LogFormat"),
        application_log_level=logging.get("ApplicationLogLevel"),
        system_log_level=logging.get("SystemLogLevel"),
        log_group=logging.get("LogGroup"),
        snap_start=None if snap_start is None else SnapStartApplyOn(snap_start),
        layers=None if layers is None else tuple(layers),
        dead_letter_arn=None if dead_letter is None else dead_letter.get("TargetArn") or "",
        vpc=None
        if vpc is None
        else VpcConfig(
            subnet_ids=tuple(vpc.get("SubnetIds") or ()),
            security_group_ids=tuple(vpc.get("SecurityGroupIds") or ()),
            ipv6_allowed_for_dual_stack=vpc.get("Ipv6AllowedForDualStack"),
        ),
    )


# --- functions ---------------------------------------------------------------------------


@OPERATIONS("CreateFunction")
def create_function(control: ControlPlane, call: Call) -> dict:
    p = call.params
    package = package_of(control, call.region, p["Code"], call.context.identity)
    view = control.functions.create(
        call.region,
        p["FunctionName"],
        change_of(p),
        package.zip_bytes,
        publish=bool(p.get("Publish")),
        tags=p.get("Tags"),
        code_signing_config_arn=p.get("CodeSigningConfigArn"),
        direct=package.direct,
    )
    return configuration(view, control)


@OPERATIONS("GetFunction")
def get_function(control: ControlPlane, call: Call) -> dict:
    p = call.params
    details = control.functions.get(call.region, p["FunctionName"], p.get("Qualifier"))
    sha = details.view.config.code_sha256
    return {
        "Configuration": configuration(details.view, control),
        "Code": {"RepositoryType": "S3", "Location": f"{call.base_url}_overcast/code/{sha}.zip"},
        "Tags": details.tags or None,
        "Concurrency": (
            None
            if details.reserved_concurrency is None
            else {"ReservedConcurrentExecutions": details.reserved_concurrency}
        ),
        # Not Lambda's: botocore ignores keys the model lacks, so this is safe to add.
        "Overcast": {"Interpreter": details.interpreter},
    }


@OPERATIONS("GetFunctionConfiguration")
def get_function_configuration(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.functions.get_configuration(call.region, p["FunctionName"], p.get("Qualifier"))
    return configuration(view, control)


@OPERATIONS("ListFunctions")
def list_functions(control: ControlPlane, call: Call) -> dict:
    p = call.params
    views, marker = control.functions.list(
        call.region,
        all_versions=p.get("FunctionVersion") == "ALL",
        marker=p.get("Marker"),
        max_items=p.get("MaxItems"),
    )
    return {
        "Functions": [configuration(v, control, states=False) for v in views],
        "NextMarker": marker,
    }


@OPERATIONS("UpdateFunctionCode")
def update_function_code(control: ControlPlane, call: Call) -> dict:
    p = call.params
    architectures = tuple(p["Architectures"]) if p.get("Architectures") else None
    package = package_of(control, call.region, p, call.context.identity)
    view = control.functions.update_code(
        call.region,
        p["FunctionName"],
        package.zip_bytes,
        publish=bool(p.get("Publish")),
        dry_run=bool(p.get("DryRun")),
        revision_id=p.get("RevisionId"),
        architectures=architectures,
        direct=package.direct,
    )
    return configuration(view, control)


@OPERATIONS("UpdateFunctionConfiguration")
def update_function_configuration(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.functions.update_configuration(
        call.region, p["FunctionName"], change_of(p), revision_id=p.get("RevisionId")
    )
    return configuration(view, control)


@OPERATIONS("DeleteFunction")
def delete_function(control: ControlPlane, call: Call) -> None:
    p = call.params
    control.functions.delete(call.region, p["FunctionName"], p.get("Qualifier"))


@OPERATIONS("GetAccountSettings")
def get_account_settings(control: ControlPlane, call: Call) -> dict:
    s = control.account_settings(call.region)
    return {
        "AccountLimit": {
            "TotalCodeSize": s.total_code_size_limit,
            "CodeSizeUnzipped": s.code_size_unzipped,
            "CodeSizeZipped": s.code_size_zipped,
            "ConcurrentExecutions": s.concurrent_executions,
            "UnreservedConcurrentExecutions": s.unreserved_concurrent_executions,
        },
        "AccountUsage": {"TotalCodeSize": s.total_code_size, "FunctionCount": s.function_count},
    }


# --- versions ----------------------------------------------------------------------------


@OPERATIONS("PublishVersion")
def publish_version(control: ControlPlane, call: Call) -> dict:
    p = call.params
    view = control.versions.publish(
        call.region,
        p["FunctionName"],
        code_sha256=p.get("CodeSha256"),
        description=p.get("Description"),
        revision_id=p.get("RevisionId"),
    )
    return configuration(view, control)


@OPERATIONS("ListVersionsByFunction")
def list_versions_by_function(control: ControlPlane, call: Call) -> dict:
    p = call.params
    views, marker = control.versions.list(
        call.region, p["FunctionName"], marker=p.get("Marker"), max_items=p.get("MaxItems")
    )
    return {
        "Versions": [configuration(v, control, states=False) for v in views],
        "NextMarker": marker,
    }


# --- tags --------------------------------------------------------------------------------


@OPERATIONS("TagResource")
def tag_resource(control: ControlPlane, call: Call) -> None:
    control.tags.tag(call.region, call.params["Resource"], call.params["Tags"])


@OPERATIONS("UntagResource")
def untag_resource(control: ControlPlane, call: Call) -> None:
    control.tags.untag(call.region, call.params["Resource"], call.params["TagKeys"])


@OPERATIONS("ListTags")
def list_tags(control: ControlPlane, call: Call) -> dict:
    return {"Tags": control.tags.list(call.region, call.params["Resource"])}
