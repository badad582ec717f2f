"""`$util`: escapeJavaScript, parseJson, urlEncode/urlDecode, base64Encode/base64Decode."""

from __future__ import annotations

import pytest
from vtl_support import vtl

from overcast.http.templates import TemplateError
from overcast.http.templates.util_variable import escape_javascript


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's", "it\\'s"),  # AWS's reference: single quotes become \'
        ('say "hi"', 'say \\"hi\\"'),
        ("a\\b", "a\\\\b"),
        ("a/b", "a\\/b"),
        ("line\nnext\ttab\r\b\f", "line\\nnext\\ttab\\r\\b\\f"),
        ("\x01\x1f", "\\u0001\\u001F"),
        ("é", "\\u00E9"),
        ("€", "\\u20AC"),
        ("😀", "\\uD83D\\uDE00"),  # UTF-16 units, as Java's chars
        ("plain 123 {}[]", "plain 123 {}[]"),
    ],
)
def test_escape_javascript_follows_commons_lang(text: str, expected: str) -> None:
    assert escape_javascript(text) == expected


def test_escape_javascript_in_a_template_and_aws_s_advice_for_json() -> None:
    body = b'{"s": "it\'s \\"q\\""}'
    template = "$util.escapeJavaScript($input.path('$.s')).replaceAll(\"\\\\'\", \"'\")"
    assert vtl(template, body=body) == 'it\'s \\"q\\"'
    assert vtl("[$util.escapeJavaScript($nothing)]") == "[]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a b", "a+b"),
        ("x=a+b&c", "x%3Da%2Bb%26c"),
        ("~*._-", "%7E*._-"),  # Java's URLEncoder: only . - * _ stay
        ("é", "%C3%A9"),
    ],
)
def test_url_encode_as_java_s_url_encoder(text: str, expected: str) -> None:
    assert vtl(f'#set($t = "{text}")$util.urlEncode($t)') == expected


def test_url_decode() -> None:
    assert vtl("$util.urlDecode('a+b%3D%C3%A9')") == "a b=é"
    with pytest.raises(TemplateError):
        vtl("$util.urlDecode('100%')")


def test_base64() -> None:
    assert vtl("$util.base64Encode('héllo')") == "aMOpbGxv"
    assert vtl("$util.base64Decode('aMOpbGxv')") == "héllo"
    with pytest.raises(TemplateError):
        vtl("$util.base64Decode('not base64!')")


def test_parse_json() -> None:
    template = (
        "#set($o = $util.parseJson($input.body))$o.a.size() $o.a[1].b $o.n $o.t "
        "$util.parseJson('[1,2]') $util.parseJson('\"s\"')"
    )
    assert vtl(template, body=b'{"a": [1, {"b": "x"}], "n": 1.5, "t": true}') == (
        "2 x 1.5 true [1,2] s"
    )
    with pytest.raises(TemplateError):
        vtl("$util.parseJson('{no')")


def test_unknown_functions_and_wrong_arities_are_null() -> None:
    assert vtl("[$util.toJson('x')][$util.base64Encode()][$util.urlEncode('a', 'b')]") == "[][][]"
