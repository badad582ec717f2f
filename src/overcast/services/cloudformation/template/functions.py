"""The intrinsic functions that compute from values alone (their arguments already evaluated):
Fn::Join, Fn::Select, Fn::Split, Fn::Base64, Fn::Cidr, Fn::GetAZs, Fn::FindInMap, Fn::Length,
Fn::ToJsonString, and the comparison of Fn::Equals. Each raises TemplateError in
CloudFormation's words when its arguments have the wrong shape.
"""

from __future__ import annotations

import base64
import ipaddress
import json

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template.pseudo import NO_VALUE

JOIN = (
    "Template error: every Fn::Join object requires two parameters, (1) a string delimiter "
    "and (2) a list of strings to be joined or a function that returns a list of strings "
    "(such as Fn::GetAZs) to be joined."
)
SELECT = (
    "Template error: Fn::Select requires a list argument with two elements: an integer index "
    "and a list"
)
SPLIT = (
    "Template error: every Fn::Split object requires two parameters, (1) a string delimiter "
    "and (2) a string to be split or a function that returns a string to be split."
)
FIND_IN_MAP = (
    "Template error: every Fn::FindInMap object requires three parameters, the map name, map "
    "key and the attribute for return value"
)
CIDR = (
    "Template error: every Fn::Cidr object requires three parameters, (1) an ip block, (2) the "
    "number of subnets and (3) the number of subnet bits"
)
# Availability Zones Fn::GetAZs answers for every region: Overcast runs in no real zone.
ZONES = ("a", "b", "c")


def text(value: object) -> str | None:
    """A scalar as CloudFormation turns it into a string (`true`, `3`), None for the rest."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def join(args: object) -> str:
    if not (isinstance(args, list) and len(args) == 2 and isinstance(args[0], str)):
        raise TemplateError(JOIN)
    items = args[1]
    if not isinstance(items, list):
        raise TemplateError(JOIN)
    parts = [text(item) for item in items if item is not NO_VALUE]
    if any(part is None for part in parts):
        raise TemplateError(JOIN)
    return args[0].join(parts)  # type: ignore[arg-type]


def select(index: object, items: object) -> object:
    position = _integer(index)
    if position is None or not isinstance(items, list) or not 0 <= position < len(items):
        raise TemplateError(SELECT)
    return items[position]


def split(args: object) -> list[str]:
    if not (isinstance(args, list) and len(args) == 2):
        raise TemplateError(SPLIT)
    delimiter, value = args
    if not isinstance(delimiter, str) or not delimiter or not isinstance(value, str):
        raise TemplateError(SPLIT)
    return value.split(delimiter)


def base64_of(value: object) -> str:
    if not isinstance(value, str):
        raise TemplateError("Template error: every Fn::Base64 object must have a String value")
    return base64.b64encode(value.encode()).decode()


def get_azs(region: object, own_region: str) -> list[str]:
    if not isinstance(region, str):
        raise TemplateError("Template error: every Fn::GetAZs object requires a String value")
    return [f"{region or own_region}{zone}" for zone in ZONES]


def find_in_map(mappings: dict, args: object) -> object:
    """Fn::FindInMap: [MapName, TopLevelKey, SecondLevelKey], and the AWS::LanguageExtensions
    form with a fourth `{"DefaultValue": value}` returned when a key is missing."""
    if not isinstance(args, list) or len(args) not in (3, 4):
        raise TemplateError(FIND_IN_MAP)
    keys = [text(key) for key in args[:3]]
    if any(key is None for key in keys):
        raise TemplateError(FIND_IN_MAP)
    default = args[3] if len(args) == 4 else None
    if default is not None and not (isinstance(default, dict) and "DefaultValue" in default):
        raise TemplateError(FIND_IN_MAP)
    name, top, second = keys
    found = mappings.get(name, {}).get(top, {})
    if isinstance(found, dict) and second in found:
        return found[second]
    if default is not None:
        return default["DefaultValue"]
    raise TemplateError(f"Template error: Unable to get mapping for {name}::{top}::{second}")


def cidr(args: object) -> list[str]:
    """Fn::Cidr: [ipBlock, count, cidrBits]: the first `count` subnets of the block, each
    with `cidrBits` host bits (a /24 for 8 bits of IPv4, a /120 for 8 bits of IPv6)."""
    if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
        raise TemplateError(CIDR)
    count, bits = _integer(args[1]), _integer(args[2])
    try:
        network = ipaddress.ip_network(args[0], strict=False)
    except ValueError:
        raise TemplateError(CIDR) from None
    if count is None or bits is None or not 1 <= count <= 256:
        raise TemplateError(CIDR)
    prefix = network.max_prefixlen - bits
    if not network.prefixlen <= prefix <= network.max_prefixlen:
        raise TemplateError(CIDR)
    available = 2 ** (prefix - network.prefixlen)
    if count > available:
        raise TemplateError(CIDR)
    subnets = network.subnets(new_prefix=prefix)
    return [str(next(subnets)) for _ in range(count)]


def length(value: object) -> int:
    if not isinstance(value, list):
        raise TemplateError(
            "Template error: Fn::Length requires a list or a function that returns a list"
        )
    return len([item for item in value if item is not NO_VALUE])


def to_json_string(value: object) -> str:
    if not isinstance(value, dict | list):
        raise TemplateError(
            "Template error: Fn::ToJsonString requires an object or a list as its parameter"
        )
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def equal(args: object) -> bool:
    if not (isinstance(args, list) and len(args) == 2):
        raise TemplateError(
            "Template error: every Fn::Equals object requires a list of 2 string parameters."
        )
    left, right = (text(arg) if text(arg) is not None else arg for arg in args)
    return left == right


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
