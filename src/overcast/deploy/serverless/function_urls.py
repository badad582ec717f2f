"""A function's `url:` compiled as compile/functions.js compileFunctionUrl does: an
AWS::Lambda::Url (`<Key>LambdaFunctionUrl`), the output of the same name, and for a public URL
(`authorizer` not `aws_iam`) the permissions that let anyone call it."""

from __future__ import annotations

from typing import Any

from overcast.deploy.serverless import naming
from overcast.deploy.serverless.model import Stack, TranslationError

# The framework's CORS defaults for `url: {cors: true}`.
DEFAULT_CORS = {
    "allowedOrigins": ["*"],
    "allowedHeaders": [
        "Content-Type",
        "X-Amz-Date",
        "Authorization",
        "X-Api-Key",
        "X-Amz-Security-Token",
        "X-Amzn-Trace-Id",
    ],
    "allowedMethods": ["*"],
}
CORS_PROPERTIES = (
    ("allowCredentials", "AllowCredentials"),
    ("allowedHeaders", "AllowHeaders"),
    ("allowedMethods", "AllowMethods"),
    ("allowedOrigins", "AllowOrigins"),
    ("exposedResponseHeaders", "ExposeHeaders"),
    ("maxAge", "MaxAge"),
)


def target(key: str, config: dict[str, Any]) -> dict[str, Any]:
    """The function's ARN as resources address it: through its alias when it has one
    (resolveLambdaTarget)."""
    getter = {"Fn::GetAtt": [naming.function_logical_id(key), "Arn"]}
    alias = config.get("targetAlias")
    return {"Fn::Join": [":", [getter, alias["name"]]]} if alias else getter


def compile_url(stack: Stack, key: str, config: dict[str, Any]) -> None:
    url = config.get("url")
    if not url:
        return
    if url is not True and not isinstance(url, dict):
        raise TranslationError(f"functions.{key}.url: expected true or a mapping")
    url = url if isinstance(url, dict) else {}
    auth = "AWS_IAM" if url.get("authorizer") == "aws_iam" else "NONE"
    alias = config.get("targetAlias")
    depends_on = {"DependsOn": alias["logicalId"]} if alias else {}
    properties: dict[str, Any] = {"AuthType": auth, "TargetFunctionArn": target(key, config)}
    if url.get("cors"):
        properties["Cors"] = _cors(url["cors"])
    if str(url.get("invokeMode", "")).upper() == "RESPONSE_STREAM":
        properties["InvokeMode"] = "RESPONSE_STREAM"
    logical_id = naming.function_url_logical_id(key)
    stack.resources[logical_id] = {"Type": "AWS::Lambda::Url", "Properties": properties}
    stack.resources[logical_id].update(depends_on)
    stack.outputs[logical_id] = {
        "Description": "Lambda Function URL",
        "Value": {"Fn::GetAtt": [logical_id, "FunctionUrl"]},
    }
    if auth != "NONE":
        return
    # A public URL needs both grants (Lambda since October 2025); the second is limited to
    # calls through the URL, so the function is not open to everyone's Invoke.
    grants = {
        naming.function_url_permission_logical_id(key): {
            "Action": "lambda:InvokeFunctionUrl",
            "FunctionUrlAuthType": "NONE",
        },
        naming.function_url_invoke_permission_logical_id(key): {
            "Action": "lambda:InvokeFunction",
            "InvokedViaFunctionUrl": True,
        },
    }
    for permission_id, grant in grants.items():
        stack.resources[permission_id] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": target(key, config), "Principal": "*", **grant},
            **depends_on,
        }


def _cors(given: Any) -> dict[str, Any]:
    """`cors: true`, or the framework's keys over its defaults (a key set to null drops the
    default)."""
    cors: dict[str, Any] = dict(DEFAULT_CORS)
    if isinstance(given, dict):
        for name in ("allowedOrigins", "allowedHeaders", "allowedMethods"):
            if given.get(name):
                cors[name] = list(dict.fromkeys(given[name]))
            elif name in given and given[name] is None:
                del cors[name]
        if given.get("allowCredentials"):
            cors["allowCredentials"] = True
        if given.get("exposedResponseHeaders"):
            cors["exposedResponseHeaders"] = list(dict.fromkeys(given["exposedResponseHeaders"]))
        cors["maxAge"] = given.get("maxAge")
    return {name: cors[key] for key, name in CORS_PROPERTIES if cors.get(key) is not None}
