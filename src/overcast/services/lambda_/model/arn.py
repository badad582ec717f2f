"""Lambda ARNs: how they are formed, and the name formats a FunctionName parameter accepts.

Lambda accepts a function by name (`my-function`), partial ARN
(`123456789012:function:my-function`) or full ARN
(`arn:aws:lambda:us-east-1:123456789012:function:my-function`), each optionally qualified
(`my-function:prod`, `...:function:my-function:3`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from overcast.aws.arn import arn

# The union of botocore's FunctionName and NamespacedFunctionName patterns, with named groups
# (the region part takes the European Sovereign Cloud's `eusc-` prefix, as the model does).
_FUNCTION_NAME = re.compile(
    r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso[a-z]?))?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9-_.]+)"
    r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)


def function_arn(region: str, account_id: str, name: str, qualifier: str | None = None) -> str:
    """`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, as Lambda forms it."""
    resource = f"function:{name}:{qualifier}" if qualifier else f"function:{name}"
    return arn("lambda", region, account_id, resource)


@dataclass(frozen=True)
class FunctionRef:
    """What a FunctionName parameter named: a function, maybe a region/account, a qualifier."""

    name: str
    qualifier: str | None = None
    region: str | None = None
    account_id: str | None = None

    def arn(self, region: str, account_id: str, qualifier: str | None = None) -> str:
        return function_arn(
            self.region or region, self.account_id or account_id, self.name, qualifier
        )


@lru_cache(maxsize=4096)
def parse_function_name(value: str) -> FunctionRef | None:
    """Split a FunctionName in any of Lambda's formats; None when it is in none of them.

    >>> parse_function_name("123456789012:function:f:prod")
    FunctionRef(name='f', qualifier='prod', region=None, account_id='123456789012')

    Cached: the invoke path parses the same few names over and over.
    """
    match = _FUNCTION_NAME.fullmatch(value)
    if match is None:
        return None
    return FunctionRef(
        name=match["name"],
        qualifier=match["qualifier"],
        region=match["region"],
        account_id=match["account"],
    )


def is_version_number(qualifier: str) -> bool:
    return qualifier.isdigit()
