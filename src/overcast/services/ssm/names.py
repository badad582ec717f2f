"""Parameter names as SSM reads them: its naming rules, `name:version` and `name:label`
selectors, parameter ARNs and paths.

The rules are the PutParameter `Name` documentation's ("Naming Constraints"): letters, digits
and `_.-`, `/` between the levels of a hierarchy (at most 15), a hierarchy's name begins with
`/`, no `aws`/`ssm` prefix (case-insensitive), at most 1011 characters (the 2048 the model
states include 1037 SSM reserves).
"""

from __future__ import annotations

import re

from overcast.aws.arn import Arn, arn
from overcast.services.ssm.errors import (
    AccessDeniedException,
    HierarchyLevelLimitExceededException,
    ValidationException,
)

MAX_LEVELS = 15
MAX_NAME = 1011
_CHARACTERS = re.compile(r"[A-Za-z0-9_.\-/]+")
# As SSM words it, spaces and other characters included (boto/boto3#1499).
BAD_NAME = (
    'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it '
    "can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of "
    "letters, numbers and the following 3 symbols .-_"
)
BAD_PATH = (
    "The parameter doesn't meet the parameter name requirements. The parameter name must begin "
    'with a forward slash "/". It can\'t be prefixed with \\"aws\\" or \\"ssm\\" '
    "(case-insensitive). "
    "It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ "
    "(underscore). Special characters are not allowed. All sub-paths, if specified, must use "
    'the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.'
)


def check_name(name: str) -> None:
    """SSM's naming rules for a parameter being created."""
    bare = name.lstrip("/").lower()
    hierarchy = "/" in name
    if bare.startswith(("aws", "ssm")):
        if name.lower().startswith("/aws/") and name.count("/") > 1:
            raise AccessDeniedException(f"No access to reserved parameter name: {name}.")
        if not hierarchy:
            raise ValidationException(
                'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).'
            )
        raise ValidationException(BAD_NAME)
    if not _CHARACTERS.fullmatch(name) or "//" in name or name.endswith("/"):
        raise ValidationException(BAD_NAME)
    if hierarchy and not name.startswith("/"):
        raise ValidationException("Parameter name must be a fully qualified name.")
    if len(name) > MAX_NAME:
        raise ValidationException(
            f"Parameter name: {name[:20]}... is longer than {MAX_NAME} characters."
        )
    if len(name.strip("/").split("/")) > MAX_LEVELS:
        raise HierarchyLevelLimitExceededException(
            f"A hierarchy can have a maximum of {MAX_LEVELS} levels."
        )


def check_path(path: str) -> None:
    """A path of GetParametersByPath or a Path filter: `/` or a hierarchy's levels."""
    if not path.startswith("/") or (path != "/" and not _CHARACTERS.fullmatch(path)):
        raise ValidationException(BAD_PATH)
    if path.lstrip("/").lower().startswith(("aws", "ssm")) and not path.startswith("/aws/"):
        raise ValidationException(BAD_PATH)


def parameter_arn(region: str, account: str, name: str) -> str:
    """`arn:aws:ssm:R:A:parameter/a/b` for `/a/b`, `.../parameter/x` for `x`."""
    return arn("ssm", region, account, "parameter/" + name.lstrip("/"))


def split_selector(name: str) -> tuple[str, str | None]:
    """`name:3` or `name:label` -> (name, "3" | "label"); a name without one -> (name, None).
    A parameter ARN (`arn:...:parameter/a/b:3`) gives its name."""
    if name.startswith("arn:"):
        try:
            resource = Arn.parse(name).resource
        except ValueError:
            return name, None
        if not resource.startswith("parameter/"):
            return name, None
        # A hierarchy's ARN drops its leading slash (`parameter/a/b` is `/a/b`).
        name = resource.removeprefix("parameter/")
        name = "/" + name if "/" in name.partition(":")[0] else name
    base, colon, selector = name.partition(":")
    return base, (selector if colon else None)


def in_path(name: str, path: str, recursive: bool) -> bool:
    """Whether `name` is beneath `path` (directly, unless `recursive`)."""
    prefix = path.rstrip("/") + "/"
    if not name.startswith(prefix):
        return False
    return recursive or "/" not in name[len(prefix) :]
