"""`$util`: API Gateway's utility functions (api-gateway-mapping-template-reference), with
Java's behaviour behind each:

- `escapeJavaScript(s)`: JavaScript string rules as Apache Commons Lang writes them: `'` `"`
  `\\` and `/` escaped with a backslash, `\\b \\f \\n \\r \\t` named, other control characters and
  everything past ASCII as `\\uXXXX` (upper-case hex, UTF-16 units). AWS's reference notes that
  the escaped `\\'` is not valid JSON.
- `parseJson(s)`: a JSON string as an object (maps, lists...).
- `urlEncode(s)` / `urlDecode(s)`: application/x-www-form-urlencoded, as Java's URLEncoder
  (space as `+`; only `A-Z a-z 0-9 . - * _` kept) and URLDecoder (a bad `%` escape throws).
- `base64Encode(s)` / `base64Decode(s)`: of the UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import quote_plus, unquote_plus

from overcast.http.templates.errors import TemplateError
from overcast.http.templates.values import (
    HostObject,
    parse_json,
    text_result,
    to_text,
)

NAMED_ESCAPES = {"\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r"}
BACKSLASHED = {"'": "\\'", '"': '\\"', "\\": "\\\\", "/": "\\/"}
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def escape_javascript(text: str) -> str:
    out = []
    for unit in _utf16_units(text):
        char = chr(unit)
        if unit > 0x7F:
            out.append(f"\\u{unit:04X}")
        elif unit < 32:
            out.append(NAMED_ESCAPES.get(char) or f"\\u{unit:04X}")
        else:
            out.append(BACKSLASHED.get(char, char))
    return "".join(out)


def _utf16_units(text: str) -> list[int]:
    if text.isascii():
        return [ord(c) for c in text]
    encoded = text.encode("utf-16-be", errors="surrogatepass")
    return [int.from_bytes(encoded[at : at + 2], "big") for at in range(0, len(encoded), 2)]


def utf8(text: str) -> bytes:
    """UTF-8 bytes; a lone surrogate (JSON can carry one) becomes `?`, as Java encodes it."""
    return text.encode("utf-8", errors="replace")


def url_encode(text: str) -> str:
    # quote_plus keeps `~`, which Java's URLEncoder encodes; and Java keeps `*`.
    return quote_plus(text, safe="*", encoding="utf-8", errors="replace").replace("~", "%7E")


def url_decode(text: str) -> str:
    if BAD_PERCENT.search(text):
        raise TemplateError("URLDecoder: Illegal hex characters in escape (%) pattern")
    return unquote_plus(text, encoding="utf-8", errors="replace")


def parse_json_function(text: str) -> object:
    try:
        return parse_json(text)
    except ValueError as problem:
        raise TemplateError(f"$util.parseJson: invalid JSON: {problem}") from None


def base64_decode(text: str) -> str:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as problem:
        raise TemplateError(f"$util.base64Decode: {problem}") from None
    return raw.decode("utf-8", errors="replace")


FUNCTIONS = {
    "escapeJavaScript": lambda text: text_result(escape_javascript(text)),
    "parseJson": parse_json_function,
    "urlEncode": lambda text: text_result(url_encode(text)),
    "urlDecode": url_decode,
    "base64Encode": lambda text: text_result(base64.b64encode(utf8(text)).decode("ascii")),
    "base64Decode": base64_decode,
}


class UtilVariable(HostObject):
    java_class = "com.amazonaws.apigateway.UtilVariable"

    def call(self, name: str, args: list[object]) -> object:
        function = FUNCTIONS.get(name)
        if function is None or len(args) != 1:
            return None
        if args[0] is None:
            return None  # the Java functions answer null for null
        return function(to_text(args[0]))
