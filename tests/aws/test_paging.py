"""aws/paging.py: one codec for every service's opaque paging token."""

from __future__ import annotations

import pytest

from overcast.aws.errors import InvalidParameterValueException
from overcast.aws.paging import (
    InvalidToken,
    decode_text,
    decode_token,
    encode_text,
    encode_token,
    page,
)


def test_json_positions_round_trip_as_url_safe_base64() -> None:
    assert encode_token(["b", 2]) == "WyJiIiwgMl0="  # the text Lambda's markers always had
    for position in (["b", 2], 150, {"f": [1, "x"]}):
        assert decode_token(encode_token(position)) == position


def test_text_positions_round_trip_lone_surrogates_included() -> None:
    assert encode_text("queue-1") == "cXVldWUtMQ=="  # SQS's and S3's token text, as before
    for text in ("queue-1", "photos/2024/ü.jpg", "key\udc80"):
        assert decode_text(encode_text(text)) == text


@pytest.mark.parametrize("token", ["%%%", "a", "_w==", "bm90IGpzb24="])
def test_a_token_not_handed_out_here_is_invalid(token: str) -> None:
    with pytest.raises(InvalidToken):
        decode_token(token)


def test_text_that_is_not_utf8_is_invalid() -> None:
    with pytest.raises(InvalidToken):
        decode_text("_w==")  # 0xff


def test_lambda_marker_keeps_its_own_error() -> None:
    items = ["a", "b", "c"]
    chosen, marker = page(items, lambda item: [item], None, 2, 50)
    assert (chosen, page(items, lambda item: [item], marker, 2, 50)) == (["a", "b"], (["c"], None))
    for bad in ("%%%", encode_token(7)):
        with pytest.raises(InvalidParameterValueException, match=f"Invalid marker: {bad}"):
            page(items, lambda item: [item], bad, 2, 50)
