"""The framework's names for what it compiles (lib/plugins/aws/lib/naming.js), so a stack
deployed here has the logical ids, names and outputs the same project has on AWS."""

from __future__ import annotations

import re


def normalize_name(name: str) -> str:
    """naming.js normalizeName: the first letter upper-cased."""
    return name[:1].upper() + name[1:]


def normalize_name_to_alphanumeric(name: str) -> str:
    """naming.js normalizeNameToAlphaNumericOnly."""
    return normalize_name(re.sub(r"[^0-9A-Za-z]", "", name))


def normalize_path_part(part: str) -> str:
    """naming.js normalizePathPart: `user-id` -> `UserDashid`, `{id}` -> `IdVar`."""
    text = part[:1].upper() + part[1:].lower()  # lodash capitalize
    text = text.replace("-", "Dash")
    text = re.sub(r"\{(.*)\}", r"\1Var", text)
    return normalize_name(re.sub(r"[^0-9A-Za-z]", "", text))


def function_id(key: str) -> str:
    """naming.js getNormalizedFunctionName: `-` -> Dash, `_` -> Underscore, first letter up."""
    return normalize_name(key.replace("-", "Dash").replace("_", "Underscore"))


def function_logical_id(key: str) -> str:
    """`hello` -> `HelloLambdaFunction`."""
    return f"{function_id(key)}LambdaFunction"


def log_group_logical_id(key: str) -> str:
    return f"{function_id(key)}LogGroup"


ROLE_LOGICAL_ID = "IamRoleLambdaExecution"


# core: functions, versions, aliases, URLs, layers, the deployment bucket (naming.js)
DEPLOYMENT_BUCKET_LOGICAL_ID = "ServerlessDeploymentBucket"
DEPLOYMENT_BUCKET_POLICY_LOGICAL_ID = "ServerlessDeploymentBucketPolicy"
DEPLOYMENT_BUCKET_OUTPUT = "ServerlessDeploymentBucketName"
PROVISIONED_ALIAS = "provisioned"  # getLambdaProvisionedConcurrencyAliasName
SNAP_START_ALIAS = "snapstart"  # getLambdaSnapStartEnabledAliasName


def version_logical_id(key: str, digest: str) -> str:
    """`HelloLambdaVersion<digest, alphanumerics only>`: a new id for new code or config, as
    AWS::Lambda::Version cannot be updated."""
    return f"{function_id(key)}LambdaVersion{re.sub(r'[^0-9A-Za-z]', '', digest)}"


def version_output_id(key: str) -> str:
    return f"{function_logical_id(key)}QualifiedArn"


def provisioned_alias_logical_id(key: str, alias: str) -> str:
    if alias == PROVISIONED_ALIAS:
        return f"{function_id(key)}ProvConcLambdaAlias"
    return f"{function_id(key)}ProvConc{function_id(alias)}LambdaAlias"


def snap_start_alias_logical_id(key: str) -> str:
    return f"{function_id(key)}SnapStartLambdaAlias"


def function_url_logical_id(key: str) -> str:
    """The AWS::Lambda::Url resource and its output share this id."""
    return f"{function_id(key)}LambdaFunctionUrl"


def function_url_permission_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaPermissionFnUrl"


def event_invoke_config_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaEvConf"


def layer_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaLayer"


def layer_permission_logical_id(key: str, account: str) -> str:
    return f"{function_id(key)}{account.replace('*', 'Wild')}LambdaLayerPermission"


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def function_url_invoke_permission_logical_id(key: str) -> str:
    return f"{function_id(key)}LambdaPermissionFnUrlInvokeFunction"
