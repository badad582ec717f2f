"""JSON filter patterns, CloudWatch Logs' `{ SELECTOR OPERATOR VALUE }` ("Using filter
patterns to match terms in JSON log events"):

    { $.eventType = "UpdateTrail" }           { $.sourceIPAddress != 123.123.* }
    { $.latency >= 500 }                      { $.objectList[1].id = 2 }
    { $.SomeObject IS NULL }                  { $.Other NOT EXISTS }      { $.Flag IS TRUE }
    { ($.user.id = 1) && ($.users[0].email = "a@b.c") || $.actions[2] = "GET" }

Precedence as the guide states it: parentheses, then `&&`, then `||`. A selector must reach a
value (string, number, boolean, null): one that reaches an array or an object, or nothing,
makes its comparison false, `!=` included. A string value may start or end with `*`, which
matches any text there; `= *` matches any value. A message that is not a JSON object matches
no JSON pattern.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from overcast.services.logs.errors import InvalidParameterException

MAX_DEPTH = 16  # nested parentheses; CloudWatch's own limit is not documented
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<selector>\$(?:\.[A-Za-z0-9_\-]+|\[\d+\])*)
      | (?P<word>[^\s()&|=!<>"]+)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PATH = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]")
_MISSING = object()

Test = Callable[[object], bool]


def json_matcher(pattern: str) -> Callable[[str], bool]:
    """The predicate of a JSON filter pattern (`pattern` starts with `{`)."""
    if not pattern.endswith("}"):
        raise InvalidParameterException("If a filter pattern starts with '{' it must end with '}'")
    parser = _Parser(_tokens(pattern[1:-1]))
    test = parser.expression(0)
    if parser.peek() is not None:
        _invalid()

    def matches(message: str) -> bool:
        if not message.lstrip().startswith("{"):
            return False
        try:
            document = json.loads(message)
        except (ValueError, RecursionError):
            return False
        return isinstance(document, dict) and test(document)

    return matches


@dataclass(frozen=True)
class _Token:
    kind: str  # op, string, selector, word
    text: str


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            _invalid()
        kind = found.lastgroup
        tokens.append(_Token(kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens: expression := and ('||' and)*; and := unary ('&&'
    unary)*; unary := '(' expression ')' | comparison."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.index = tokens, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            _invalid()
        self.index += 1
        return token

    def expression(self, depth: int) -> Test:
        tests = [self.conjunction(depth)]
        while self._next_is("||"):
            self.index += 1
            tests.append(self.conjunction(depth))
        return tests[0] if len(tests) == 1 else lambda doc: any(t(doc) for t in tests)

    def conjunction(self, depth: int) -> Test:
        tests = [self.unary(depth)]
        while self._next_is("&&"):
            self.index += 1
            tests.append(self.unary(depth))
        return tests[0] if len(tests) == 1 else lambda doc: all(t(doc) for t in tests)

    def unary(self, depth: int) -> Test:
        if self._next_is("("):
            if depth >= MAX_DEPTH:
                _invalid()
            self.index += 1
            test = self.expression(depth + 1)
            if not self._next_is(")"):
                _invalid()
            self.index += 1
            return test
        return self.comparison()

    def comparison(self) -> Test:
        selector = self.take()
        if selector.kind != "selector":
            _invalid()
        path = [
            (key, int(index)) if index else (key, None)
            for key, index in _PATH.findall(selector.text)
        ]
        operator = self.take()
        if operator.kind == "word":
            return _predicate(path, self._keywords(operator.text.upper()))
        if operator.kind != "op" or operator.text in ("&&", "||", "(", ")"):
            _invalid()
        return _predicate(path, _compare(operator.text, self.take()))

    def _keywords(self, first: str) -> Test:
        second = self.take()
        if second.kind != "word":
            _invalid()
        phrase = f"{first} {second.text.upper()}"
        if phrase == "IS NULL":
            return lambda value: value is None
        if phrase == "IS TRUE":
            return lambda value: value is True
        if phrase == "IS FALSE":
            return lambda value: value is False
        if phrase == "NOT EXISTS":
            return lambda value: value is _MISSING
        _invalid()

    def _next_is(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text == text


def _predicate(path: list[tuple[str, int | None]], test: Test) -> Test:
    def check(document: object) -> bool:
        return test(_select(document, path))

    return check


def _select(document: object, path: list[tuple[str, int | None]]) -> object:
    value = document
    for key, index in path:
        if index is not None:
            if not isinstance(value, list) or index >= len(value):
                return _MISSING
            value = value[index]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return _MISSING
    return value


def _compare(operator: str, token: _Token) -> Test:
    if token.kind not in ("string", "word"):
        _invalid()
    quoted = token.kind == "string"
    try:
        text = json.loads(token.text) if quoted else token.text
    except ValueError:
        _invalid()
    number = None if quoted or not _NUMBER.fullmatch(text) else float(text)
    if operator in ("<", ">", "<=", ">="):
        if number is None:
            _invalid()
        return lambda value: _is_number(value) and _ORDER[operator](value, number)
    equal = _equality(text, number)
    if operator == "=":
        return lambda value: _is_value(value) and equal(value)
    return lambda value: _is_value(value) and not equal(value)


def _equality(text: str, number: float | None) -> Test:
    if text == "*":
        return lambda value: True
    if number is not None:
        return lambda value: (
            value == number if _is_number(value) else isinstance(value, str) and value == text
        )
    if text.startswith("*") or text.endswith("*"):
        core = text.strip("*")
        if text.startswith("*") and text.endswith("*"):
            return lambda value: core in _text(value)
        if text.startswith("*"):
            return lambda value: _text(value).endswith(core)
        return lambda value: _text(value).startswith(core)
    return lambda value: _text(value) == text


_ORDER = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_value(value: object) -> bool:
    return value is not _MISSING and not isinstance(value, (dict, list))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return value if isinstance(value, str) else json.dumps(value)


def _invalid() -> NoReturn:
    raise InvalidParameterException("Invalid filter pattern")
