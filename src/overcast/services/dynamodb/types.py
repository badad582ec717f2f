"""DynamoDB's type system on the wire's own form: an item is `{"name": {"S": "a"}, ...}`, B values
stay the base64 text they arrived as, N values the decimal text DynamoDB answers with.

- `validate_item` / `validate_value` refuse what DynamoDB refuses, in its words (dynalite's
  tests, recorded against DynamoDB, and DynamoDB's "Supported data types" page), and return
  the value normalised (numbers as DynamoDB stores them: `"1.50"` -> `"1.5"`).
- `key_bytes` encodes a key attribute so that comparing the bytes (SQLite compares BLOBs with
  memcmp) is DynamoDB's order: S by UTF-8 bytes, B by bytes, N numerically.
- `item_size` is the size DynamoDB charges and limits (400 KB an item), as "Item sizes and
  formats" in the DynamoDB Developer Guide computes it.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal

from overcast.aws.errors import SerializationException
from overcast.services.dynamodb.errors import ValidationException

Value = dict  # one AttributeValue: {"S": "a"}, {"N": "1"}, {"M": {...}}, ...
Item = dict[str, dict]

SCALAR_TYPES = ("S", "N", "B")
TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
MAX_ITEM_BYTES = 400 * 1024
MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024
MAX_DEPTH = 32  # "up to 32 levels deep" (Supported data types: Document types)
MAX_NAME_LENGTH = 65535  # the model's AttributeName: a map's keys, at any depth
INVALID = "One or more parameter values were invalid: "
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_MAX_EXPONENT = 125  # 9.9999999999999999999999999999999999999E+125
_MIN_EXPONENT = -130  # 1E-130
_MAX_DIGITS = 38
_PLAIN_INTEGER = re.compile(r"-?[1-9][0-9]{0,37}")  # as number_text writes it


def invalid(message: str) -> ValidationException:
    """DynamoDB's "One or more parameter values were invalid: ..." ValidationException."""
    return ValidationException(INVALID + message)


# --- numbers ---


def parse_number(text: object) -> Decimal:
    """The exact decimal of an N value; refused as DynamoDB refuses it (dynalite's checks)."""
    if not isinstance(text, str) or not text:
        raise ValidationException("The parameter cannot be converted to a numeric value")
    if _NUMBER.fullmatch(text) is None:
        raise ValidationException(f"The parameter cannot be converted to a numeric value: {text}")
    return check_number(Decimal(text))


def check_number(number: Decimal) -> Decimal:
    """The number, if DynamoDB can store it: magnitude 1E-130 .. 9.99..E+125, 38 significant
    digits (also the check of arithmetic's results: `SET n = n + :x`, `ADD n :x`)."""
    if number.is_zero():
        return Decimal(0)
    if number.adjusted() > _MAX_EXPONENT:
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range"
        )
    if number.adjusted() < _MIN_EXPONENT:
        raise ValidationException(
            "Number underflow. Attempting to store a number with magnitude smaller than supported "
            "range"
        )
    if len(_significant(number)) > _MAX_DIGITS:
        raise ValidationException("Attempting to store more than 38 significant digits in a Number")
    return number


def _significant(number: Decimal) -> tuple[int, ...]:
    """The digits from the first non-zero one to the last non-zero one (no rounding)."""
    digits = number.as_tuple().digits
    first = next(i for i, d in enumerate(digits) if d)
    last = max(i for i, d in enumerate(digits) if d)
    return digits[first : last + 1]


def number_text(number: Decimal) -> str:
    """DynamoDB's text of a number: plain notation, no trailing zeros, `0` for any zero."""
    if number.is_zero():
        return "0"
    digits = _significant(number)
    exponent = number.adjusted() - len(digits) + 1
    text = "".join(map(str, digits))
    if exponent >= 0:
        text += "0" * exponent
    else:
        point = len(text) + exponent
        text = text[:point] + "." + text[point:] if point > 0 else "0." + "0" * -point + text
    return "-" + text if number.is_signed() else text


def normalize_number(text: object) -> str:
    """`"1.50"` -> `"1.5"`, `"1E+2"` -> `"100"`, `"-0"` -> `"0"`; refused if not a number."""
    if isinstance(text, str) and _PLAIN_INTEGER.fullmatch(text):
        return text  # already DynamoDB's text, and within its 38 digits
    return number_text(parse_number(text))


# --- values and items ---


def validate_item(item: object) -> Item:
    """The item with every value checked and normalised (a new dict)."""
    if not isinstance(item, dict):
        raise SerializationException("Start of list found where not expected")
    return {name: validate_value(value) for name, value in item.items()}


def validate_value(value: object, depth: int = 0) -> Value:
    """One AttributeValue checked and normalised; raises ValidationException in DynamoDB's
    words, SerializationException where its JSON front end would refuse the shape."""
    if not isinstance(value, dict):
        raise SerializationException(_unexpected(value, "structure"))
    if len(value) == 1:  # the common case, one type named: no search of the ten
        ((kind, inner),) = value.items()
        check = _CHECKS.get(kind)
        nested = kind in ("M", "L")
        if check is not None and inner is not None and (depth < MAX_DEPTH or not nested):
            return {kind: check(inner, depth)}
    present = [kind for kind in TYPES if value.get(kind) is not None]
    if not present:
        raise ValidationException(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if len(present) > 1:
        raise ValidationException(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
        )
    kind = present[0]
    inner = value[kind]
    if depth >= MAX_DEPTH and kind in ("M", "L"):
        raise ValidationException(
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
            "levels beyond supported limit"
        )
    return {kind: _CHECKS[kind](inner, depth)}


def _unexpected(value: object, wanted: str) -> str:
    if isinstance(value, list):
        return "Start of list found where not expected"
    if isinstance(value, dict):
        return "Start of structure or map found where not expected."
    if wanted == "structure":
        return "Expected null"
    return f"class {_java_class(value)} can not be converted to an String"


def _java_class(value: object) -> str:
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, float):
        return "java.lang.Double"
    return "java.lang.Integer" if isinstance(value, int) else "java.lang.Object"


def _text(value: object, depth: int = 0) -> str:
    if not isinstance(value, str):
        raise SerializationException(_unexpected(value, "string"))
    return value


def _binary(value: object, depth: int = 0) -> str:
    text = _text(value)
    decode_binary(text)
    return text


def decode_binary(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SerializationException(
            f"'{text[:64]}' can not be converted to a Blob: Invalid Base64 encoding"
        ) from exc


def _number(value: object, depth: int = 0) -> str:
    return normalize_number(_text(value))


def _members(value: object) -> list:
    if not isinstance(value, list):
        raise SerializationException(_unexpected(value, "list"))
    return value


def _string_set(value: object, depth: int = 0) -> list[str]:
    members = [_text(m) for m in _members(value)]
    if not members:
        raise invalid("An string set  may not be empty")
    if len(set(members)) != len(members):
        raise invalid(f"Input collection [{', '.join(members)}] contains duplicates.")
    return members


def _number_set(value: object, depth: int = 0) -> list[str]:
    raw = _members(value)
    if not raw:
        raise invalid("An number set  may not be empty")
    members = [_number(m) for m in raw]
    if len(set(members)) != len(members):
        raise ValidationException("Input collection contains duplicates")
    return members


def _binary_set(value: object, depth: int = 0) -> list[str]:
    members = [_binary(m) for m in _members(value)]
    if not members:
        raise invalid("Binary sets should not be empty")
    if len({decode_binary(m) for m in members}) != len(members):
        raise invalid(f"Input collection [{', '.join(members)}]of type BS contains duplicates.")
    return members


def _map(value: object, depth: int = 0) -> dict:
    if not isinstance(value, dict):
        raise SerializationException(_unexpected(value, "map"))
    if any(len(name) > MAX_NAME_LENGTH for name in value):
        # The model's constraint, which the gateway's walk of the input leaves to this module.
        raise ValidationException(
            "1 validation error detected: Map keys must satisfy constraint: [Member must have "
            f"length less than or equal to {MAX_NAME_LENGTH}]"
        )
    return {name: validate_value(member, depth + 1) for name, member in value.items()}


def _list(value: object, depth: int = 0) -> list:
    return [validate_value(member, depth + 1) for member in _members(value)]


def _null(value: object, depth: int = 0) -> bool:
    if value is not True:
        raise invalid("Null attribute value types must have the value of true")
    return True


def _bool(value: object, depth: int = 0) -> bool:
    if not isinstance(value, bool):
        raise SerializationException(f"'{value}' can not be converted to an Boolean")
    return value


_CHECKS = {
    "S": _text, "N": _number, "B": _binary, "SS": _string_set, "NS": _number_set,
    "BS": _binary_set, "M": _map, "L": _list, "NULL": _null, "BOOL": _bool,
}  # fmt: skip


def kind_of(value: Value) -> str:
    """The one type name of a (validated) AttributeValue: "S", "N", "M", ..."""
    return next(iter(value))


# --- keys ---


def key_bytes(value: Value) -> bytes:
    """Bytes whose memcmp order is DynamoDB's order of key values of one type.

    S: its UTF-8 bytes. B: its bytes. N: a sign byte (negative < zero < positive), then for a
    positive number its decimal exponent (two bytes, offset) and its significant digits, one
    byte each; a negative number's exponent and digits are complemented and end with 0xFF, so
    that a longer negative (more digits, more negative) sorts first.
    """
    kind = kind_of(value)
    if kind == "S":
        return value["S"].encode()
    if kind == "B":
        return decode_binary(value["B"])
    if kind != "N":
        raise ValueError(f"not a key type: {kind}")
    number = Decimal(value["N"])
    if number.is_zero():
        return b"\x02"
    digits = _significant(number)
    exponent = number.adjusted() + 0x8000
    if not number.is_signed():
        return b"\x03" + exponent.to_bytes(2, "big") + bytes(0x30 + d for d in digits)
    return (
        b"\x01" + (0xFFFF - exponent).to_bytes(2, "big") + bytes(0x39 - d for d in digits) + b"\xff"
    )


def key_size(value: Value) -> int:
    kind = kind_of(value)
    if kind == "S":
        return len(value["S"].encode())
    if kind == "B":
        return len(decode_binary(value["B"]))
    return _number_size(value["N"])


# --- sizes ---


def item_size(item: Item) -> int:
    """The item's size as DynamoDB counts it: each attribute name's UTF-8 length plus its
    value's size ("Item sizes and formats")."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: Value) -> int:
    kind = kind_of(value)
    inner = value[kind]
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(decode_binary(inner))
    if kind in ("NULL", "BOOL"):
        return 1
    if kind == "SS":
        return sum(len(m.encode()) for m in inner)
    if kind == "NS":
        return sum(_number_size(m) for m in inner)
    if kind == "BS":
        return sum(len(decode_binary(m)) for m in inner)
    # "A List or Map requires 3 bytes of overhead, regardless of its contents ... Each List or
    # Map element also requires 1 byte of overhead."
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    return 3 + sum(value_size(v) + 1 for v in inner)


def _number_size(text: str) -> int:
    """ "(1 byte per two significant digits) + (1 byte)", leading and trailing zeros trimmed."""
    digits = text.lstrip("-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def check_item_size(item: Item) -> int:
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ValidationException("Item size has exceeded the maximum allowed size")
    return size


def equal(a: Value, b: Value) -> bool:
    """Whether two validated AttributeValues are the same value (sets in any order)."""
    kind = kind_of(a)
    if kind != kind_of(b):
        return False
    if kind in ("SS", "NS"):
        return set(a[kind]) == set(b[kind])
    if kind == "BS":
        return {decode_binary(m) for m in a[kind]} == {decode_binary(m) for m in b[kind]}
    if kind == "B":
        return decode_binary(a["B"]) == decode_binary(b["B"])
    if kind == "M":
        x, y = a["M"], b["M"]
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    if kind == "L":
        return len(a["L"]) == len(b["L"]) and all(map(equal, a["L"], b["L"]))
    return a[kind] == b[kind]
