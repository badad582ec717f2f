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
