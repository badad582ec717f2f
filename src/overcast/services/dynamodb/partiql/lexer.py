"""PartiQL statements as tokens: words (keywords and unquoted names), "quoted" names, 'strings'
(a quote doubled inside), numbers, `?` parameters and punctuation. Comments (`--` to the end
of the line, `/* ... */`) and white space separate tokens and are dropped, as DynamoDB allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.services.dynamodb.errors import MalformedStatement

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<string>'(?:[^']|'')*')
  | (?P<op><<|>>|<>|!=|<=|>=|[=<>+\-*/,.\[\](){}:;?])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, quoted, string, number, op, end
    text: str  # a word as written; a quoted name or string without its quotes
    at: int  # offset in the statement

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.text in ops


def tokens(statement: str) -> list[Token]:
    """The statement's tokens, ending with one of kind "end"."""
    found: list[Token] = []
    at = 0
    while at < len(statement):
        match = _TOKEN.match(statement, at)
        if match is None:
            raise MalformedStatement("Unexpected character")
        kind = match.lastgroup or "space"
        text = match.group()
        if kind in ("quoted", "string"):
            quote = text[0]
            text = text[1:-1].replace(quote * 2, quote)
        if kind != "space":
            found.append(Token(kind, text, at))
        at = match.end()
    found.append(Token("end", "", len(statement)))
    return found
