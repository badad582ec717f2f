"""The expression language's tokens, and DynamoDB's syntax error built from them.

DynamoDB reports the token it could not use and the text around it: the token before (with
the whitespace between), the bad token, and the token after ("Syntax error; token: "0",
near: ", 0)""); at the end of the text the token is "<EOF>" and the text is what precedes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.services.dynamodb.errors import InvalidExpression

# Longest first: "<>", "<=", ">=" before "<", ">", "=".
_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\n]+)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<nameref>\#[A-Za-z0-9_]+)
      | (?P<valueref>:[A-Za-z0-9_]+)
      | (?P<int>[0-9]+)
      | (?P<op><>|<=|>=|[=<>()\[\],.+\-])
      | (?P<error>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # name, nameref, valueref, int, op, error, eof
    text: str
    start: int
    end: int

    def keyword(self, *words: str) -> bool:
        """Whether this is one of the (case-insensitive) keywords: AND, OR, SET, ..."""
        return self.kind == "name" and self.text.upper() in words

    def op(self, *ops: str) -> bool:
        return self.kind == "op" and self.text in ops


def tokenize(text: str) -> list[Token]:
    """The significant tokens of `text`, ending with an `eof` token. A character that starts no
    token becomes an `error` token: the parser refuses it where it stands."""
    tokens = [
        Token(match.lastgroup or "error", match.group(), match.start(), match.end())
        for match in _TOKEN.finditer(text)
        if match.lastgroup != "ws"
    ]
    tokens.append(Token("eof", "<EOF>", len(text), len(text)))
    return tokens


def syntax_error(kind: str, text: str, tokens: list[Token], index: int) -> InvalidExpression:
    """DynamoDB's "Syntax error; token: ..., near: ..." for the token at `index`."""
    bad = tokens[index]
    start = tokens[index - 1].start if index > 0 else 0
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    end = following.end if following is not None and following.kind != "eof" else len(text)
    if bad.kind == "eof":
        end = len(text)
    return InvalidExpression(kind, f'Syntax error; token: "{bad.text}", near: "{text[start:end]}"')
