"""The Logs Insights query language, the common part of it ("CloudWatch Logs Insights query
syntax"): commands joined by `|`, parsed into a list of `Command`s that insights.py runs.

    fields @timestamp, @message, level as severity
    filter level = "error" and (duration > 100 or @message like /timeout/) and ispresent(x)
    parse @message "user=* latency=*" as user, latency      (or a /(?<name>regex)/)
    stats count(*) as n, avg(latency) by bin(5m), user       (count, count_distinct, sum,
    sort n desc                                               avg, min, max)
    limit 20

Left out: arithmetic, the other functions, `display`, `dedup`, `unmask`, `pct`, `stddev`,
and the SQL and PPL languages. What does not parse is a MalformedQueryException.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NoReturn

import regex

from overcast.services.logs.errors import MalformedQueryException

MAX_DEPTH = 32  # nested parentheses in a filter
AGGREGATES = ("count", "count_distinct", "sum", "avg", "min", "max")
PREDICATES = ("ispresent", "isempty", "isblank")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<regex>/(?:[^/\\]|\\.)*/)
      | (?P<period>\d+(?:ms|s|m|h|d|w|mo|q|y)\b)
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<name>`[^`]+`|@?[A-Za-z_][A-Za-z0-9_.@$\-]*)
      | (?P<op>=~|!=|<=|>=|=|<|>|\(|\)|,|\*|\[|\])
    )""",
    re.VERBOSE,
)
_PERIOD_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_PERIOD_MS |= {"w": 7 * 86_400_000}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class Fields:
    columns: list[tuple[str, str]]  # (field, shown as)


@dataclass(frozen=True)
class Filter:
    condition: tuple  # an expression tree, see _Parser.condition


@dataclass(frozen=True)
class Parse:
    source: str
    pattern: regex.Pattern  # a glob made a regular expression, or the query's own
    names: list[str]


@dataclass(frozen=True)
class Aggregate:
    function: str
    argument: str  # "*" for count(*)
    name: str  # the column it is shown as


@dataclass(frozen=True)
class Group:
    name: str  # the column it is shown as
    source: str | None  # the field grouped by, or None for bin()
    period_ms: int | None = None  # bin()'s


@dataclass(frozen=True)
class Stats:
    aggregates: list[Aggregate]
    by: list[Group]


@dataclass(frozen=True)
class Sort:
    keys: list[tuple[str, bool]]  # (field, descending)


@dataclass(frozen=True)
class Limit:
    count: int


Command = Fields | Filter | Parse | Stats | Sort | Limit


@dataclass
class Query:
    commands: list[Command] = field(default_factory=list)


def parse_query(text: str) -> Query:
    """The commands of a query string; MalformedQueryException when it does not parse."""
    query = Query()
    for part in _split(text):
        tokens = _tokenize(part)
        if not tokens:
            _malformed("an empty command")
        parser = _Parser(tokens)
        query.commands.append(parser.command())
        if parser.peek() is not None:
            _malformed(f"unexpected {parser.peek().text!r}")
    if not query.commands:
        _malformed("no command")
    return query


def period_ms(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([a-z]+)", text).groups()
    if unit not in _PERIOD_MS or int(number) == 0:
        _malformed(f"the period {text!r}")
    return int(number) * _PERIOD_MS[unit]


def _split(text: str) -> list[str]:
    """The query's commands: split at each `|` outside quotes and regular expressions."""
    parts, current, quote = [], [], None
    for char in text:
        if quote:
            current.append(char)
            if char == quote and (len(current) < 2 or current[-2] != "\\"):
                quote = None
        elif char in "\"'/`":
            quote = char
            current.append(char)
        elif char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts if text.strip() else []


def _tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    while text[position:].strip():
        found = _TOKEN.match(text, position)
        if found is None:
            _malformed(f"unexpected {text[position:].strip()[:20]!r}")
        kind = found.lastgroup
        tokens.append(Token(kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.index = tokens, 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or (kind and token.kind != kind) or (text and token.text != text):
            _malformed(f"expected {text or kind or 'more'}")
        self.index += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.text.lower() == text:
            self.index += 1
            return True
        return False

    def command(self) -> Command:
        verb = self.take("name").text.lower()
        if verb == "fields":
            return Fields(self._columns())
        if verb == "filter":
            return Filter(self.condition(0))
        if verb == "parse":
            return self._parse()
        if verb == "stats":
            return self._stats()
        if verb == "sort":
            return Sort(self._sort_keys())
        if verb in ("limit", "head"):
            count = self.take("number").text
            if not count.isdigit() or not 0 < int(count) <= 10_000:
                _malformed("limit must be between 1 and 10000")
            return Limit(int(count))
        _malformed(f"unknown command {verb!r}")

    def _columns(self) -> list[tuple[str, str]]:
        columns = []
        while True:
            name = self._field()
            shown = self._field() if self.accept("as") else name
            columns.append((name, shown))
            if not self.accept(","):
                return columns

    def _field(self) -> str:
        return _field_name(self.take("name").text)

    def _parse(self) -> Parse:
        source = self._field() if self.peek() and self.peek().kind == "name" else "@message"
        token = self.take()
        if token.kind == "regex":
            pattern = _regex(token.text[1:-1])
            names = list(pattern.groupindex)
            if not names:
                _malformed("a parse regular expression names no group")
            return Parse(source, pattern, names)
        if token.kind != "string":
            _malformed('parse takes a "glob" or a /regular expression/')
        glob = _unquote(token.text)
        self.take("name", "as")
        names = [self._field()]
        while self.accept(","):
            names.append(self._field())
        if glob.count("*") != len(names):
            _malformed("parse names one field for each * of its pattern")
        pieces = "(.*?)".join(regex.escape(piece) for piece in glob.split("*"))
        pattern = regex.compile(pieces + ("$" if glob.endswith("*") else ""), regex.S)
        return Parse(source, pattern, names)

    def _stats(self) -> Stats:
        aggregates = []
        while True:
            function = self.take("name").text.lower()
            if function not in AGGREGATES:
                _malformed(f"unknown aggregate function {function!r}")
            self.take("op", "(")
            star = self.peek() is not None and self.peek().text == "*"
            argument = self.take().text if star else self._field()
            if star and function != "count":
                _malformed(f"{function}(*)")
            self.take("op", ")")
            shown = f"{function}({argument})"
            if self.accept("as"):
                shown = self._field()
            aggregates.append(Aggregate(function, argument, shown))
            if not self.accept(","):
                break
        by: list[Group] = []
        if self.accept("by"):
            while True:
                by.append(self._group())
                if not self.accept(","):
                    break
        return Stats(aggregates, by)

    def _group(self) -> Group:
        if self.accept("bin"):
            self.take("op", "(")
            period = self.take("period").text
            self.take("op", ")")
            shown = self._field() if self.accept("as") else f"bin({period})"
            return Group(shown, None, period_ms(period))
        name = self._field()
        return Group(self._field() if self.accept("as") else name, name)

    def _sort_keys(self) -> list[tuple[str, bool]]:
        keys = []
        while True:
            name = self._field()
            descending = self.accept("desc")
            if not descending:
                self.accept("asc")
            keys.append((name, descending))
            if not self.accept(","):
                return keys

    # -- filter conditions: tuples ("or", [a, b, ...]), ("and", [a, b, ...]), ("not", a),
    #    ("cmp", op, l, r), ("like", operand, regex), ("in", operand, [values]),
    #    ("call", name, field) -------------------------------------------------------------

    def condition(self, depth: int) -> tuple:
        parts = [self._conjunction(depth)]
        while self.accept("or"):
            parts.append(self._conjunction(depth))
        return parts[0] if len(parts) == 1 else ("or", parts)

    def _conjunction(self, depth: int) -> tuple:
        parts = [self._negation(depth)]
        while self.accept("and"):
            parts.append(self._negation(depth))
        return parts[0] if len(parts) == 1 else ("and", parts)

    def _negation(self, depth: int) -> tuple:
        if depth >= MAX_DEPTH:
            _malformed("too many nested conditions")
        if self.accept("not"):
            return ("not", self._negation(depth + 1))
        if self.peek() is not None and self.peek().text == "(":
            self.index += 1
            inner = self.condition(depth + 1)
            self.take("op", ")")
            return inner
        return self._comparison()

    def _comparison(self) -> tuple:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text.lower() in PREDICATES:
            self.index += 1
            self.take("op", "(")
            name = self._field()
            self.take("op", ")")
            return ("call", token.text.lower(), name)
        left = self._operand()
        if self.accept("not"):
            if not self.accept("like"):
                _malformed("expected like after not")
            return ("not", ("like", left, self._pattern()))
        if self.accept("like") or self.accept("=~"):
            return ("like", left, self._pattern())
        if self.accept("in"):
            self.take("op", "[")
            values = [self._operand()]
            while self.accept(","):
                values.append(self._operand())
            self.take("op", "]")
            return ("in", left, values)
        operator = self.take("op").text
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            _malformed(f"unexpected {operator!r}")
        return ("cmp", operator, left, self._operand())

    def _operand(self) -> tuple:
        token = self.take()
        if token.kind == "string":
            return ("value", _unquote(token.text))
        if token.kind == "number":
            return ("value", float(token.text))
        if token.kind == "name":
            return ("field", _field_name(token.text))
        _malformed(f"unexpected {token.text!r}")

    def _pattern(self) -> regex.Pattern:
        token = self.take()
        if token.kind == "regex":
            return _regex(token.text[1:-1])
        if token.kind == "string":
            return re.compile(re.escape(_unquote(token.text)))
        _malformed('like takes a "string" or a /regular expression/')


def _regex(text: str) -> regex.Pattern:
    # `regex` reads Java's named groups, (?<name>...), as Insights writes them, and its
    # matches take a timeout (insights.py), so a pathological expression cannot run for ever.
    try:
        return regex.compile(text.replace("\\/", "/"))
    except regex.error as error:
        _malformed(f"invalid regular expression: {error}")


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _field_name(text: str) -> str:
    return text[1:-1] if text.startswith("`") else text


def _malformed(problem: str) -> NoReturn:
    raise MalformedQueryException(f"Malformed query: {problem}")
