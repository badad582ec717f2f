"""JSON from outside the server: parsed with a fixed nesting limit, refused as malformed JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from overcast.aws import json_document
from overcast.aws.json_document import MAX_DEPTH, JsonDepthError


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_document_at_the_limit_is_read() -> None:
    assert json_document.loads(nested(MAX_DEPTH)) is not None
    assert json_document.loads('{"a": ' * MAX_DEPTH + "1" + "}" * MAX_DEPTH)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 200_000])
def test_a_deeper_document_is_refused_as_malformed_json(depth: int) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        json_document.loads(nested(depth))
    assert isinstance(caught.value, JsonDepthError)
    assert str(caught.value) == (
        f"Document nesting depth ({MAX_DEPTH + 1}) exceeds the maximum allowed ({MAX_DEPTH})"
    )


def test_the_limit_is_the_callers() -> None:
    assert json_document.loads(nested(300).encode(), 512)
    with pytest.raises(JsonDepthError):
        json_document.loads(nested(600).encode(), 512)


def test_brackets_inside_strings_do_not_nest() -> None:
    text = json.dumps({"text": "[{" * 1000, "list": [[1]] * 500})
    assert json_document.loads(text)["list"][0] == [1]


def test_a_wide_document_is_not_deep() -> None:
    assert len(json_document.loads(json.dumps([{"a": [i]} for i in range(10_000)]))) == 10_000


def test_malformed_text_and_bytes_are_value_errors() -> None:
    with pytest.raises(json.JSONDecodeError):
        json_document.loads("{not json")
    with pytest.raises(ValueError):
        json_document.loads(b'"\xff"')


def test_options_reach_the_parser() -> None:
    assert json_document.loads("[1.5]", parse_float=Decimal) == [Decimal("1.5")]
