"""AWS::Lambda::Function, made through Lambda's own API operations as the stack's caller.

As the CloudFormation resource reference has it: Ref is the function's name; Fn::GetAtt
`Arn`, `SnapStartResponse` (`.ApplyOn`, `.OptimizationStatus`). FunctionName is the one
create-only property (a function without one gets `<stack>-<logical id>-<random>`, at most
64 characters). `Code` is a `ZipFile` (inline_code.py) or an object in this server's S3
(`S3Bucket`, `S3Key`, `S3ObjectVersion`, read by CreateFunction as Lambda reads it); an
`ImageUri` is refused by Lambda's own check. A property removed from the template returns to
Lambda's default. ReservedConcurrentExecutions, RuntimeManagementConfig, RecursiveLoop and
CodeSigningConfigArn are set by their own operations, as CloudFormation's handler sets them.
"""

from __future__ import annotations

from overcast.resource_calls import ServiceCalls
from overcast.resource_providers import (
    IN_PLACE,
    REPLACES,
    Provisioned,
    ResourceRequest,
    attribute_text,
    changed_any,
    physical_name,
    tag_map,
)
from overcast.services.lambda_.resources.inline_code import inline_package

CREATE_ONLY = frozenset({"FunctionName"})
MAX_NAME = 64
# Template properties that UpdateFunctionConfiguration sets, under the API's names, with the
# value Lambda falls back to when the template drops one.
CONFIGURATION: dict[str, tuple[str, object]] = {
    "Runtime": ("Runtime", None),
    "Role": ("Role", None),
    "Handler": ("Handler", None),
    "Description": ("Description", ""),
    "Timeout": ("Timeout", 3),
    "MemorySize": ("MemorySize", 128),
    "Environment": ("Environment", {"Variables": {}}),
    "KmsKeyArn": ("KMSKeyArn", ""),
    "TracingConfig": ("TracingConfig", {"Mode": "PassThrough"}),
    "DeadLetterConfig": ("DeadLetterConfig", {"TargetArn": ""}),
    "VpcConfig": ("VpcConfig", {"SubnetIds": [], "SecurityGroupIds": []}),
    "Layers": ("Layers", []),
    "EphemeralStorage": ("EphemeralStorage", {"Size": 512}),
    "SnapStart": ("SnapStart", {"ApplyOn": "None"}),
    "LoggingConfig": ("LoggingConfig", None),  # default: see _logging_default
    "FileSystemConfigs": ("FileSystemConfigs", []),
    "ImageConfig": ("ImageConfig", None),
}


class FunctionResource:
    type_name = "AWS::Lambda::Function"

    def __init__(self, calls: ServiceCalls) -> None:
        self.calls = calls

    def create(self, request: ResourceRequest) -> Provisioned:
        props = request.properties
        name = str(props.get("FunctionName") or physical_name(
            request.stack_name, request.logical_id, MAX_NAME
        ))  # fmt: skip
        params: dict = {"FunctionName": name, "Code": _code(props), **_configuration(props)}
        for name_in_both in ("PackageType", "CodeSigningConfigArn", "Architectures"):
            if props.get(name_in_both) is not None:
                params[name_in_both] = props[name_in_both]
        tags = tag_map(props.get("Tags"))
        if tags:
            params["Tags"] = tags
        self.calls.call(request, "CreateFunction", params)
        self._settings(request, name, {}, props)
        return self._provisioned(request, name)

    def update(self, request: ResourceRequest) -> Provisioned:
        name = str(request.physical_id)
        old, new = request.previous_properties or {}, request.properties
        changes = _configuration(new)
        changes = {k: v for k, v in changes.items() if _configuration(old).get(k) != v}
        for prop, (api_name, default) in CONFIGURATION.items():
            if prop in old and prop not in new:
                changes[api_name] = _logging_default(name) if prop == "LoggingConfig" else default
        changes = {k: v for k, v in changes.items() if v is not None}
        if changes:
            self.calls.call(
                request, "UpdateFunctionConfiguration", {"FunctionName": name, **changes}
            )
        if _code_changed(old, new):
            params = {"FunctionName": name, **_code(new)}
            if new.get("Architectures"):
                params["Architectures"] = new["Architectures"]
            self.calls.call(request, "UpdateFunctionCode", params)
        self._settings(request, name, old, new)
        self._retag(request, name, tag_map(old.get("Tags")), tag_map(new.get("Tags")))
        return self._provisioned(request, name)

    def delete(self, request: ResourceRequest) -> None:
        if request.physical_id:
            self.calls.forget(request, "DeleteFunction", {"FunctionName": request.physical_id})

    def replaces(self, old: dict, new: dict) -> str:
        return REPLACES if changed_any(old, new, CREATE_ONLY) else IN_PLACE

    def _settings(self, request: ResourceRequest, name: str, old: dict, new: dict) -> None:
        """What has an operation of its own: concurrency, code signing, runtime management,
        recursion detection (each only when the template changed it)."""
        call = self.calls.call
        if old.get("ReservedConcurrentExecutions") != new.get("ReservedConcurrentExecutions"):
            reserved = new.get("ReservedConcurrentExecutions")
            if reserved is None:
                call(request, "DeleteFunctionConcurrency", {"FunctionName": name})
            else:
                params = {"FunctionName": name, "ReservedConcurrentExecutions": reserved}
                call(request, "PutFunctionConcurrency", params)
        if old and old.get("CodeSigningConfigArn") != new.get("CodeSigningConfigArn"):
            arn = new.get("CodeSigningConfigArn")
            if arn is None:
                call(request, "DeleteFunctionCodeSigningConfig", {"FunctionName": name})
            else:
                params = {"FunctionName": name, "CodeSigningConfigArn": arn}
                call(request, "PutFunctionCodeSigningConfig", params)
        if old.get("RuntimeManagementConfig") != new.get("RuntimeManagementConfig"):
            runtime = new.get("RuntimeManagementConfig") or {"UpdateRuntimeOn": "Auto"}
            call(request, "PutRuntimeManagementConfig", {"FunctionName": name, **runtime})
        if old.get("RecursiveLoop") != new.get("RecursiveLoop"):
            loop = new.get("RecursiveLoop") or "Terminate"
            params = {"FunctionName": name, "RecursiveLoop": loop}
            call(request, "PutFunctionRecursionConfig", params)

    def _retag(self, request: ResourceRequest, name: str, old: dict, new: dict) -> None:
        if old == new:
            return
        arn = self._provisioned(request, name).attributes["Arn"]
        gone = [key for key in old if key not in new]
        if gone:
            self.calls.call(request, "UntagResource", {"Resource": arn, "TagKeys": gone})
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        if changed:
            self.calls.call(request, "TagResource", {"Resource": arn, "Tags": changed})

    def _provisioned(self, request: ResourceRequest, name: str) -> Provisioned:
        found = self.calls.call(request, "GetFunctionConfiguration", {"FunctionName": name})
        snap = found.get("SnapStart") or {"ApplyOn": "None", "OptimizationStatus": "Off"}
        attributes = {
            "Arn": found["FunctionArn"],
            "SnapStartResponse": snap,
            "SnapStartResponse.ApplyOn": snap.get("ApplyOn"),
            "SnapStartResponse.OptimizationStatus": snap.get("OptimizationStatus"),
        }
        return Provisioned(name, attributes)


def providers(calls: ServiceCalls) -> list:
    return [FunctionResource(calls)]


def _configuration(props: dict) -> dict:
    """The template's settings under UpdateFunctionConfiguration's (and CreateFunction's)
    names (numbers given as text are typed by the call, resource_calls.py)."""
    found = {
        api_name: props[prop]
        for prop, (api_name, _) in CONFIGURATION.items()
        if props.get(prop) is not None
    }
    environment = found.get("Environment")
    if isinstance(environment, dict) and isinstance(environment.get("Variables"), dict):
        # CloudFormation passes a variable's number or boolean on as text.
        variables = {k: attribute_text(v) for k, v in environment["Variables"].items()}
        found["Environment"] = {**environment, "Variables": variables}
    return found


def _code(props: dict) -> dict:
    """`Code` as CreateFunction's FunctionCode (UpdateFunctionCode takes the same members)."""
    code = props.get("Code")
    if not isinstance(code, dict):
        return {}
    if code.get("ZipFile") is not None:
        return {"ZipFile": inline_package(str(code["ZipFile"]), props.get("Runtime"))}
    names = ("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri", "SourceKMSKeyArn")
    return {name: code[name] for name in names if code.get(name) is not None}


def _code_changed(old: dict, new: dict) -> bool:
    """Whether the package must be sent again: new code, a new architecture, or inline code
    under a runtime of another language (index.py becomes index.js)."""
    if old.get("Code") != new.get("Code") or old.get("Architectures") != new.get("Architectures"):
        return True
    inline = isinstance(new.get("Code"), dict) and new["Code"].get("ZipFile") is not None
    language = str(old.get("Runtime", ""))[:4] != str(new.get("Runtime", ""))[:4]
    return inline and language


def _logging_default(name: str) -> dict:
    """LoggingConfig as Lambda has it when none was given: text to /aws/lambda/<name>."""
    return {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
