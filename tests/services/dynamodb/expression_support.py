"""Helpers for the expression tests: placeholders from short Python values, and the message of
the ValidationException a call raises."""

from __future__ import annotations

import pytest

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import Placeholders


def av(value: object) -> dict:
    """A Python value as an AttributeValue: str -> S, int/float -> N, bytes -> B (base64),
    bool -> BOOL, None -> NULL, list -> L, dict -> M; dicts already typed pass through."""
    import base64

    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float):
        return {"N": str(value)}
    if isinstance(value, bytes):
        return {"B": base64.b64encode(value).decode()}
    if isinstance(value, list):
        return {"L": [av(v) for v in value]}
    assert isinstance(value, dict)
    return {"M": {k: av(v) for k, v in value.items()}}


def ph(names: dict | None = None, **values: object) -> Placeholders:
    """Placeholders: `ph({"#n": "name"}, v=1)` gives `#n` and `:v`; typed dicts pass through."""
    typed = {f":{k}": v if _typed(v) else av(v) for k, v in values.items()}
    return Placeholders(names, typed or None)


def _typed(value: object) -> bool:
    types = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in types


def refusal(call, *args: object, **kwargs: object) -> str:
    with pytest.raises(ValidationException) as caught:
        call(*args, **kwargs)
    return caught.value.message
