"""Compiling an event pattern's text, token by token, as EventBridge's engine does.

aws/event-ruler (`JsonRuleCompiler`) reads a pattern from a streaming JSON parser and refuses
it at the first token it cannot take, with a sentence and the parser's place in the text
(event_patterns/json_stream); so the order of the checks here, and where each one stands in
the stream when it fails, follow that compiler. What the engine refuses with an
IllegalArgumentException it throws past the parser (a malformed CIDR, a number out of range
in a single anything-but) carries no place; inside an anything-but list, where the engine
catches and re-raises every error, a place is added twice.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from overcast.aws import json_document
from overcast.aws.errors import InvalidEventPatternException
from overcast.aws.event_patterns.json_stream import (
    END_ARRAY,
    END_OBJECT,
    FALSE,
    FIELD_NAME,
    NUMBER,
    SCALARS,
    START_ARRAY,
    START_OBJECT,
    STRING,
    TRUE,
    JsonStream,
    StreamError,
)
from overcast.aws.event_patterns.matchers import (
    ONE_KEY,
    TOO_MANY_ELEMENTS,
    AnythingBut,
    Cidr,
    EqualsIgnoreCase,
    Exact,
    Exists,
    Numeric,
    Prefix,
    Suffix,
    ValueMatcher,
    Wildcard,
    as_number,
    check_wildcard,
    parse_cidr,
    pattern_number,
)
from overcast.aws.event_patterns.nodes import Leaf, Node

OR = "$or"
# Field names the engine refuses inside "$or" branches: its operators, and words it keeps.
RESERVED_IN_OR = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists",
        "wildcard", "numeric", "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard",
        "not-equals-ignore-case", "date-after", "date-on-or-after", "date-before",
        "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
    }
)  # fmt: skip
NUMERIC_OPERATORS = ("=", ">=", ">", "<=", "<")
NOT_STRING_OR_NUMBER = "Inside anything but list, start|null|boolean is not supported."


def compile_pattern(text: str) -> Node:
    """The pattern's tree; raises InvalidEventPatternException with the engine's reason."""
    stream = JsonStream(text, json_document.MAX_DEPTH)
    try:
        if stream.next_token() != START_OBJECT:
            raise _barf(stream, "Filter is not an object")
        # The engine stops at the root object's end: what follows it is never read.
        return _object(stream, inside_or=False)
    except StreamError as error:
        raise InvalidEventPatternException(error.reason, error.location) from None


def _barf(stream: JsonStream, reason: str) -> StreamError:
    return stream.error(reason)


def _rebarf(stream: JsonStream, error: StreamError | InvalidEventPatternException) -> StreamError:
    """The engine's `catch (IOException | IllegalArgumentException e) { barf(e.getMessage()) }`:
    the error again, with the place added once more."""
    first = error.location if isinstance(error, StreamError) else ""
    return StreamError(error.reason, first + stream.error("").location)


# --- objects and fields ---------------------------------------------------------------------


def _object(stream: JsonStream, inside_or: bool) -> Node:
    fields: dict[str, Node | Leaf] = {}
    alternatives: list[tuple[Node, ...]] = []
    while stream.next_token() != END_OBJECT:
        name = stream.name
        if name == OR:
            alternatives.append(_or(stream))
            continue
        if inside_or and name in RESERVED_IN_OR:
            reserved = f"{name} is Ruler reserved fieldName which cannot be used inside {OR}."
            raise _barf(stream, reserved)
        token = stream.next_token()
        if token == START_OBJECT:
            fields[name] = _object(stream, inside_or)
        elif token == START_ARRAY:
            fields[name] = _values(stream)
        else:
            raise _barf(stream, f'"{name}" must be an object or an array')
    if not fields and not alternatives:
        raise _barf(stream, "Empty objects are not allowed")
    return Node(tuple(fields.items()), tuple(alternatives))


def _or(stream: JsonStream) -> tuple[Node, ...]:
    if stream.next_token() != START_ARRAY:
        raise _barf(stream, f"It must be an Array followed with {OR}.")
    branches = []
    while (token := stream.next_token()) != END_ARRAY:
        if token != START_OBJECT:
            raise _barf(stream, f"Only JSON object is allowed in array of {OR} relationship.")
        branches.append(_object(stream, inside_or=True))
    if len(branches) < 2:
        raise _barf(stream, f"There must have at least 2 Objects in {OR} relationship.")
    return tuple(branches)


def _values(stream: JsonStream) -> Leaf:
    matchers: list[ValueMatcher] = []
    while (token := stream.next_token()) != END_ARRAY:
        if token == START_OBJECT:
            matchers.append(_expression(stream))
        elif token in SCALARS:
            matchers.append(Exact(stream.value()))
        else:
            raise _barf(stream, "Match value must be String, number, true, false, or null")
    if not matchers:
        raise _barf(stream, "Empty arrays are not allowed")
    return Leaf(tuple(matchers))


def _expression(stream: JsonStream) -> ValueMatcher:
    if stream.next_token() != FIELD_NAME:
        raise _barf(stream, "Match expression name not found")
    compile_operator = _OPERATORS.get(stream.name)
    if compile_operator is None:
        raise _barf(stream, f"Unrecognized match type {stream.name}")
    return compile_operator(stream)


def _end_of_expression(stream: JsonStream, reason: str = ONE_KEY) -> None:
    if stream.next_token() != END_OBJECT:
        raise _barf(stream, reason)


def _string(stream: JsonStream, reason: str) -> str:
    """The operand, which must be a string."""
    if stream.next_token() != STRING:
        raise _barf(stream, reason)
    return str(stream.value())


# --- the operators --------------------------------------------------------------------------


def _exactly(stream: JsonStream) -> ValueMatcher:
    matcher = Exact(_string(stream, "exact match pattern must be a string"))
    _end_of_expression(stream)
    return matcher


def _prefix(stream: JsonStream) -> ValueMatcher:
    return _affix(stream, Prefix, "prefix")


def _suffix(stream: JsonStream) -> ValueMatcher:
    return _affix(stream, Suffix, "suffix")


def _affix(stream: JsonStream, make: type[Prefix] | type[Suffix], operator: str) -> ValueMatcher:
    token = stream.next_token()
    if token == START_OBJECT:
        # `{"prefix": {"equals-ignore-case": "EventB"}}`, the only object prefix/suffix take.
        if stream.next_token() != FIELD_NAME:
            raise _barf(stream, f"{operator.title()} expression name not found")
        if stream.name != "equals-ignore-case":
            raise _barf(stream, f"Unsupported {operator} pattern: {stream.name}")
        text = _string(stream, "equals-ignore-case match pattern must be a string")
        _end_of_expression(stream)
        _end_of_expression(stream)
        return make(text, ignore_case=True)
    if token != STRING:
        raise _barf(stream, f"{operator} match pattern must be a string")
    matcher = make(str(stream.value()))
    _end_of_expression(stream)
    return matcher


def _equals_ignore_case(stream: JsonStream) -> ValueMatcher:
    matcher = EqualsIgnoreCase(_string(stream, "equals-ignore-case match pattern must be a string"))
    _end_of_expression(stream)
    return matcher


def _wildcard(stream: JsonStream) -> ValueMatcher:
    pattern = _string(stream, "wildcard match pattern must be a string")
    _check_wildcard(stream, pattern)
    _end_of_expression(stream)
    return Wildcard(pattern)


def _check_wildcard(stream: JsonStream, pattern: str) -> None:
    try:
        check_wildcard(pattern)
    except InvalidEventPatternException as error:
        raise _barf(stream, error.reason) from None


def _exists(stream: JsonStream) -> ValueMatcher:
    token = stream.next_token()
    if token not in (TRUE, FALSE):
        raise _barf(stream, "exists match pattern must be either true or false.")
    _end_of_expression(stream)
    return Exists(token == TRUE)


def _cidr(stream: JsonStream) -> ValueMatcher:
    # For a CIDR that is not a string, the engine's message speaks of prefix; a malformed one
    # is refused past the parser, without a place.
    matcher = Cidr(parse_cidr(_string(stream, "prefix match pattern must be a string")))
    _end_of_expression(stream)
    return matcher


# --- numeric --------------------------------------------------------------------------------


def _numeric(stream: JsonStream) -> ValueMatcher:
    if stream.next_token() != START_ARRAY:
        raise _barf(stream, "Value of numeric must be an array.")
    if stream.next_token() != STRING:
        raise _barf(stream, f"Invalid member in numeric match: {stream.token_text()}")
    operator = str(stream.value())
    token = stream.next_token()
    if operator not in NUMERIC_OPERATORS:
        raise _barf(stream, f"Unrecognized numeric range operator: {operator}")
    if token != NUMBER:
        raise _barf(stream, f"Value of {'equals' if operator == '=' else operator} must be numeric")
    bound = stream.value()
    token = stream.next_token()
    if token == END_ARRAY or operator in ("=", "<", "<="):
        if token != END_ARRAY:
            raise _barf(stream, TOO_MANY_ELEMENTS)
        matcher = _one_sided(stream, operator, bound)
    else:
        matcher = _closed_range(stream, token, bound, operator == ">")
    _end_of_expression(stream, TOO_MANY_ELEMENTS)
    return matcher


def _one_sided(stream: JsonStream, operator: str, bound: object) -> ValueMatcher:
    number = _number(stream, bound)
    if operator == "=":
        return Numeric(number, False, number, False)
    if operator in ("<", "<="):
        return Numeric(upper=number, upper_open=operator == "<")
    return Numeric(lower=number, lower_open=operator == ">")


def _closed_range(stream: JsonStream, token: str | None, lower: object, open_: bool) -> Numeric:
    if token != STRING:
        raise _barf(stream, f"Bad value in numeric range: {stream.token_text()}")
    operator = str(stream.value())
    if operator not in ("<", "<="):
        raise _barf(stream, f"Bad numeric range operator: {operator}")
    if stream.next_token() != NUMBER:
        raise _barf(stream, f"Value of {operator} must be numeric")
    upper = stream.value()
    if stream.next_token() != END_ARRAY:
        raise _barf(stream, "Too many terms in numeric range expression")
    bottom, top = _number(stream, lower), _number(stream, upper)
    if not bottom < top:
        raise _barf(stream, "Bottom must be less than top")
    return Numeric(bottom, open_, top, operator == "<")


def _number(stream: JsonStream, value: object) -> Decimal:
    """A bound, checked when the engine builds its range (once the array is read)."""
    try:
        return _decimal(value)
    except InvalidEventPatternException as error:
        raise _barf(stream, error.reason) from None


def _decimal(value: object) -> Decimal:
    """A pattern's number, checked as the engine checks one (1e999 is out of range)."""
    number = as_number(value)
    return pattern_number(Decimal("Infinity") if number is None else number)


# --- anything-but ---------------------------------------------------------------------------

_SETS: dict[str, Callable[[str], ValueMatcher]] = {
    "equals-ignore-case": EqualsIgnoreCase,
    "prefix": Prefix,
    "suffix": Suffix,
    "wildcard": Wildcard,
}
_NOT_A_STRING = {
    "equals-ignore-case": (
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
    ),
    "wildcard": "wildcard match pattern must be a string",
    "prefix": "prefix/suffix match pattern must be a string",
    "suffix": "prefix/suffix match pattern must be a string",
}


def _anything_but(stream: JsonStream) -> ValueMatcher:
    token = stream.next_token()
    operator = None
    if token == START_OBJECT:
        if stream.next_token() != FIELD_NAME:
            raise _barf(stream, "Anything-But expression name not found")
        operator = stream.name
        if operator not in _SETS:
            raise _barf(stream, f"Unsupported anything-but pattern: {operator}")
        token = stream.next_token()
    if token not in (START_ARRAY, STRING, NUMBER):
        raise _barf(stream, "Value of anything-but must be an array or single string/number value.")
    if operator is None:
        excluded = _excluded_list(stream) if token == START_ARRAY else (_excluded(stream),)
    else:
        texts = _texts(stream, operator) if token == START_ARRAY else [_text(stream, operator)]
        if operator == "wildcard":
            for text in texts:
                _check_wildcard(stream, text)
        excluded = tuple(_SETS[operator](text) for text in texts)
    _end_of_expression(stream, TOO_MANY_ELEMENTS)
    if operator is not None:
        _end_of_expression(stream, TOO_MANY_ELEMENTS)
    return AnythingBut(excluded)


def _excluded(stream: JsonStream) -> ValueMatcher:
    """A single string or number; a number out of range is refused without a place."""
    value = stream.value()
    if isinstance(value, str):
        return Exact(value)
    return Exact(_decimal(value))


def _excluded_list(stream: JsonStream) -> tuple[ValueMatcher, ...]:
    strings, numbers = [], []
    try:
        while (token := stream.next_token()) != END_ARRAY:
            if token == STRING:
                strings.append(Exact(stream.value()))
            elif token == NUMBER:
                numbers.append(_excluded(stream))
            else:
                raise _barf(stream, NOT_STRING_OR_NUMBER)
    except (StreamError, InvalidEventPatternException) as error:
        raise _rebarf(stream, error) from None
    if bool(strings) == bool(numbers):
        raise _barf(
            stream,
            "Inside anything but list, either all values are number or string, "
            "mixed type is not supported",
        )
    return tuple(strings or numbers)


def _texts(stream: JsonStream, operator: str) -> list[str]:
    texts = []
    try:
        while (token := stream.next_token()) != END_ARRAY:
            texts.append(_text(stream, operator, token))
    except StreamError as error:
        raise _rebarf(stream, error) from None
    return texts


def _text(stream: JsonStream, operator: str, token: str | None = None) -> str:
    """One text of `{"anything-but": {"prefix": ...}}` and its kin."""
    if (token or stream.token) != STRING:
        raise _barf(stream, _NOT_A_STRING[operator])
    text = str(stream.value())
    if operator in ("prefix", "suffix") and not text:
        raise _barf(stream, "Null prefix/suffix not allowed")
    return text


_OPERATORS: dict[str, Callable[[JsonStream], ValueMatcher]] = {
    "exactly": _exactly,
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "anything-but": _anything_but,
    "numeric": _numeric,
    "exists": _exists,
    "cidr": _cidr,
}
