"""`Fn::Sub`'s string: its `${Name}` variables and `${!Literal}` escapes.

CloudFormation reads `${Name}` as a variable (a parameter, pseudo parameter, resource, a
`Resource.Attribute`, or a key of the function's own variable map) and `${!Name}` as the text
`${Name}`; a variable name holds letters, digits, underscores, periods and colons only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from overcast.services.cloudformation.errors import TemplateError

_PLACEHOLDER = re.compile(r"\$\{(!?)([^}]*)\}")
_NAME = re.compile(r"[A-Za-z0-9_.:]+")

BAD_NAME = (
    "Template error: variable names in Fn::Sub syntax must contain only alphanumeric "
    "characters, underscores, periods, and colons"
)


def variables(text: str) -> list[str]:
    """The variable names `text` uses, in order (escapes left out)."""
    names = []
    for match in _PLACEHOLDER.finditer(text):
        if not match.group(1):
            names.append(_checked(match.group(2)))
    return names


def substitute(text: str, value_of: Callable[[str], str]) -> str:
    """`text` with each variable replaced by `value_of(name)` and each `${!X}` by `${X}`."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        return value_of(_checked(match.group(2)))

    return _PLACEHOLDER.sub(replace, text)


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise TemplateError(BAD_NAME)
    return name
