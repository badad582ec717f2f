"""Pattern text read token by token, as the Jackson streaming parser reads it.

EventBridge compiles event patterns with aws/event-ruler, which pulls tokens from Jackson's
`JsonParser` and stops at the first thing it refuses. Its errors end with where the parser
stood at that moment, so Overcast's must know the same place:

    Event pattern is not valid. Reason: "int" must be an object or an array
     at [Source: (String)"{"int": 42}"; line: 1, column: 11]

What decides the place, as Jackson does it (and as answers recorded from EventBridge show):
- a token is read when it is returned, except a string, of which only the opening quote is
  read until its text is asked for (`value()`); a skipped string is read by the next token.
- a field name is returned with its colon and the first token of its value already read.
- an unexpected character is reported at its own column; anything else after the cursor.
- columns count UTF-16 units from 1; lines count `\\n`, `\\r` and `\\r\\n` from 1.

Malformed JSON is refused with Jackson's own sentences ("Unrecognized token 'x': was
expecting ...", "Unexpected character ('x' (code 120)): was expecting comma to separate
Object entries", "Unexpected end-of-input: ..."), each with its place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY = "{", "}", "[", "]"
FIELD_NAME, STRING, NUMBER = "field name", "string", "number"
TRUE, FALSE, NULL = "true", "false", "null"
SCALARS = frozenset({STRING, NUMBER, TRUE, FALSE, NULL})

TOKEN_LIST = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
SNIPPET_CHARS = 500  # Jackson quotes at most this much of the source in a location
MAX_TOKEN_CHARS = 256  # ... and of an unrecognized token
SPACE = " \t\n\r"
ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class StreamError(Exception):
    """Raised when the text is not JSON, or (raised by a reader of the stream) when what it
    holds is refused: Jackson's JsonParseException, `reason` and the `location` text."""

    def __init__(self, reason: str, location: str) -> None:
        super().__init__(reason + location)
        self.reason = reason
        self.location = location


@dataclass
class _Context:
    kind: str  # "Object", "Array" or "root", as Jackson names them in messages
    start: int  # offset of the opening bracket
    entries: int = 0


class JsonStream:
    """`next_token()` returns START_OBJECT ... NULL, or None after the root value's end."""

    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth
        self.cursor = 0
        self.token: str | None = None
        self.name = ""  # the current field name
        self._raw = ""  # the current number's or literal's text
        self._stashed: str | None = None  # a field's value token, read with its name
        self._string_at: int | None = None  # an unread string's opening quote
        self._string = ""
        self._contexts = [_Context("root", -1)]

    # --- reading ----------------------------------------------------------------------------

    def next_token(self) -> str | None:
        if self.token == FIELD_NAME:
            self.token, self._stashed = self._stashed, None
            return self.token
        if self._string_at is not None:
            self._read_string()
        char = self._skip_space()
        context = self._contexts[-1]
        if char is None:
            return self._end(context)
        if char in "]}":
            return self._close(char, context)
        if context.entries:
            if char != ",":
                raise self._unexpected(f"was expecting comma to separate {context.kind} entries")
            char = self._skip_space()
            if char is None:
                raise self.error(f"Unexpected end-of-input within/between {context.kind} entries")
        context.entries += 1
        if context.kind == "Object":
            return self._field(char, context)
        self.token = self._value(char)
        return self.token

    def _field(self, char: str, context: _Context) -> str:
        """A field's name, its colon and the first token of its value, as Jackson reads them."""
        if char != '"':
            raise self._unexpected("was expecting double-quote to start field name")
        self.name = self._read_text("name")
        if self._skip_space() != ":":
            self._expect_more(context)
            raise self._unexpected("was expecting a colon to separate field name and value")
        char = self._skip_space()
        if char is None:
            raise self.error(f"Unexpected end-of-input within/between {context.kind} entries")
        self._stashed = self._value(char)
        self.token = FIELD_NAME
        return FIELD_NAME

    def _end(self, context: _Context) -> None:
        if context.kind != "root":
            marker = f"start marker at {self.location(context.start)}"
            raise self.error(
                f"Unexpected end-of-input: expected close marker for {context.kind} ({marker})"
            )
        self.token = None
        return None

    def value(self) -> object:
        """The current scalar token's value (a string's text is read now)."""
        if self.token == STRING:
            if self._string_at is not None:
                self._read_string()
            return self._string
        if self.token == NUMBER:
            return json.loads(self._raw)
        return {TRUE: True, FALSE: False, NULL: None}.get(self.token or "")

    def token_text(self) -> str:
        """The current token as Jackson's `getText()` gives it, in the engine's messages."""
        if self.token in (STRING, FIELD_NAME):
            return str(self.value()) if self.token == STRING else self.name
        if self.token in (NUMBER, TRUE, FALSE, NULL):
            return self._raw
        return self.token or ""

    # --- tokens -----------------------------------------------------------------------------

    def _value(self, char: str) -> str:
        if char == '"':
            self._string_at = self.cursor - 1
            return STRING
        if char in "[{":
            self._open("Array" if char == "[" else "Object")
            return START_ARRAY if char == "[" else START_OBJECT
        if char == "-" or _digit(char):
            self._read_number(char)
            return NUMBER
        for literal in (TRUE, FALSE, NULL):
            if char == literal[0]:
                self._read_literal(literal)
                return literal
        if char == "}":
            raise self._unexpected("expected a value")
        if _identifier_start(char):
            raise self._unrecognized(char)
        raise self._unexpected(f"expected a valid value {TOKEN_LIST}")

    def _open(self, kind: str) -> None:
        if len(self._contexts) > self.max_depth:
            depth = len(self._contexts)
            raise self.error(
                f"Document nesting depth ({depth}) exceeds the maximum allowed ({self.max_depth})"
            )
        self._contexts.append(_Context(kind, self.cursor - 1))

    def _close(self, char: str, context: _Context) -> str:
        wanted = "]" if context.kind == "Array" else "}"
        if char != wanted:
            expected = "}" if char == "]" else "]"
            start = self.location(context.start)
            raise self.error(
                f"Unexpected close marker '{char}': expected '{expected}' "
                f"(for {context.kind} starting at {start})"
            )
        self._contexts.pop()
        self.token = END_ARRAY if char == "]" else END_OBJECT
        return self.token

    def _read_literal(self, literal: str) -> None:
        start = self.cursor - 1
        for expected in literal[1:]:
            if self.text[self.cursor : self.cursor + 1] != expected:
                raise self._unrecognized(self.text[start : self.cursor])
            self.cursor += 1
        if _identifier_part(self.text[self.cursor : self.cursor + 1]):
            raise self._unrecognized(literal)
        self._raw = literal

    def _read_number(self, first: str) -> None:
        start = self.cursor - 1
        if first == "-" and not _digit(self._peek()):
            self._number_char("expected digit (0-9) to follow minus sign, for valid numeric value")
        digits_at = self.cursor if first == "-" else start
        self._digits()
        if self.text[digits_at] == "0" and self.cursor - digits_at > 1:
            raise self.error("Invalid numeric value: Leading zeroes not allowed")
        if self._peek() == ".":
            self.cursor += 1
            if not self._digits():
                self._number_char("Decimal point not followed by a digit")
        if self._peek() in ("e", "E"):
            self.cursor += 1
            if self._peek() in ("+", "-"):
                self.cursor += 1
            if not self._digits():
                self._number_char("Exponent indicator not followed by a digit")
        self._raw = self.text[start : self.cursor]

    def _digits(self) -> int:
        start = self.cursor
        while _digit(self._peek()):
            self.cursor += 1
        return self.cursor - start

    def _read_string(self) -> None:
        self._string_at = None
        self._string = self._read_text("string value")

    def _read_text(self, what: str) -> str:
        """The rest of a string or name whose opening quote was read, with escapes decoded."""
        out: list[str] = []
        while True:
            char = self._next_char()
            if char is None:
                end = "was expecting closing quote for a string value"
                if what == "name":
                    raise self.error("Unexpected end-of-input in field name")
                raise self.error(f"Unexpected end-of-input: {end}")
            if char == '"':
                return "".join(out)
            if char == "\\":
                out.append(self._escaped())
            elif char < " ":
                raise self.error(
                    f"Illegal unquoted character ({_describe(char)}): has to be escaped using "
                    f"backslash to be included in {what}"
                )
            else:
                out.append(char)

    def _escaped(self) -> str:
        char = self._next_char()
        if char is None:
            raise self.error("Unexpected end-of-input in character escape sequence")
        if char in ESCAPES:
            return ESCAPES[char]
        if char != "u":
            raise self.error(f"Unrecognized character escape {_describe(char)}")
        code = 0
        for _ in range(4):
            digit = self._next_char()
            if digit is None:
                raise self.error("Unexpected end-of-input in character escape sequence")
            if digit not in "0123456789abcdefABCDEF":
                raise self._unexpected("expected a hex-digit for character escape sequence")
            code = code * 16 + int(digit, 16)
        return chr(code)

    # --- characters -------------------------------------------------------------------------

    def _next_char(self) -> str | None:
        if self.cursor >= len(self.text):
            return None
        self.cursor += 1
        return self.text[self.cursor - 1]

    def _peek(self) -> str:
        return self.text[self.cursor : self.cursor + 1]

    def _skip_space(self) -> str | None:
        """The next character that is not white space (consumed), or None at the end."""
        while (char := self._next_char()) is not None:
            if char in SPACE:
                continue
            if char == "/":
                raise self._unexpected(
                    "maybe a (non-standard) comment? (not recognized as one since Feature "
                    "'ALLOW_COMMENTS' not enabled for parser)"
                )
            if char < " ":
                raise self.error(
                    f"Illegal character ({_describe(char)}): only regular white space "
                    "(\\r, \\n, \\t) is allowed between tokens"
                )
            return char
        return None

    def _expect_more(self, context: _Context) -> None:
        if self.cursor >= len(self.text):
            raise self.error(f"Unexpected end-of-input within/between {context.kind} entries")

    # --- errors -----------------------------------------------------------------------------

    def error(self, reason: str, at: int | None = None) -> StreamError:
        """`reason`, placed where the cursor is (or at offset `at`)."""
        return StreamError(reason, "\n at " + self.location(self.cursor if at is None else at))

    def _unexpected(self, comment: str) -> StreamError:
        char = self.text[self.cursor - 1]
        return self.error(f"Unexpected character ({_describe(char)}): {comment}", self.cursor - 1)

    def _number_char(self, comment: str) -> None:
        if self.cursor >= len(self.text):
            raise self.error("Unexpected end-of-input in a Number value")
        self.cursor += 1
        char = self.text[self.cursor - 1]
        raise self.error(
            f"Unexpected character ({_describe(char)}) in numeric value: {comment}",
            self.cursor - 1,
        )

    def _unrecognized(self, matched: str) -> StreamError:
        token = matched
        while _identifier_part(self._peek()) and len(token) < MAX_TOKEN_CHARS:
            token += self._peek()
            self.cursor += 1
        if len(token) >= MAX_TOKEN_CHARS:
            token += "..."
        return self.error(f"Unrecognized token '{token}': was expecting {TOKEN_LIST}")

    def location(self, offset: int) -> str:
        """Jackson's `[Source: (String)"..."; line: L, column: C]` for the place before the
        character at `offset` (the root's start, offset -1, is column 0)."""
        if offset < 0:
            line, column = 1, 0
        else:
            line, column = _line_and_column(self.text, offset)
        snippet = self.text[:SNIPPET_CHARS]
        cut = len(self.text) - len(snippet)
        truncated = f"[truncated {cut} chars]" if cut > 0 else ""
        return f'[Source: (String)"{snippet}"{truncated}; line: {line}, column: {column}]'


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = 1 + before.count("\n") + before.count("\r") - before.count("\r\n")
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return line, len(before[line_start:].encode("utf-16-le")) // 2 + 1


def _describe(char: str) -> str:
    """A character as Jackson names it in messages: `'x' (code 120)`."""
    code = ord(char)
    if code < 32 or 127 <= code < 160:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{char}' (code {code} / 0x{code:x})"
    return f"'{char}' (code {code})"


def _digit(char: str) -> bool:
    return len(char) == 1 and "0" <= char <= "9"


def _identifier_start(char: str) -> bool:
    return char.isalpha() or char in "_$"


def _identifier_part(char: str) -> bool:
    return bool(char) and (char.isalnum() or char in "_$")
