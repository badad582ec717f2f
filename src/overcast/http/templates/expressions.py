"""The expression half of the mapping template parser: references, literals and operators.

Velocity 1.7's grammar, which API Gateway's templates are written in: identifiers start with a
letter or `_` and may hold letters, digits, `_` and `-` (so `$a-b` is one name, as in 1.7);
operators `|| && == != < > <= >= + - * / % !` and their word forms `or and eq ne lt gt le ge
not`; literals `'raw'`, `"interpolated $x"`, integers, decimals, `true`, `false`, `null`,
lists `[a, b]`, ranges `[1..$n]` and maps `{"k": v}`.
"""

from __future__ import annotations

import re

from overcast.http.templates import nodes as n
from overcast.http.templates.errors import TemplateError

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
NUMBER = re.compile(r"\d+(\.\d+)?")
WORD = re.compile(r"(or|and|not|eq|ne|lt|gt|le|ge|true|false|null)(?![A-Za-z0-9_])")
SPACE = re.compile(r"\s*")
# Each precedence level's operators, loosest first, with their canonical spelling.
LEVELS: tuple[dict[str, str], ...] = (
    {"||": "||", "or": "||"},
    {"&&": "&&", "and": "&&"},
    {"==": "==", "!=": "!=", "eq": "==", "ne": "!="},
    {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "le": "<=", "ge": ">=", "lt": "<", "gt": ">"},
    {"+": "+", "-": "-"},
    {"*": "*", "/": "/", "%": "%"},
)
MAX_DEPTH = 64  # nesting of blocks, parentheses and strings: deeper is refused, never recursed


class ExpressionParser:
    """A cursor over template text, and the parsing of expressions and references."""

    def __init__(self, text: str, depth: int = 0) -> None:
        self.text = text
        self.pos = 0
        self.depth = depth

    # -- the cursor ----------------------------------------------------------------------------
    def error(self, what: str) -> TemplateError:
        line = self.text.count("\n", 0, self.pos) + 1
        column = self.pos - (self.text.rfind("\n", 0, self.pos) + 1) + 1
        return TemplateError(f"{what} at line {line}, column {column}")

    def peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.text[at] if at < len(self.text) else ""

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        found = pattern.match(self.text, self.pos)
        if found:
            self.pos = found.end()
        return found

    def skip_space(self) -> None:
        self.match(SPACE)

    def expect(self, literal: str) -> None:
        self.skip_space()
        if not self.text.startswith(literal, self.pos):
            raise self.error(f"expected '{literal}'")
        self.pos += len(literal)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("template nested too deeply")

    def leave(self) -> None:
        self.depth -= 1

    # -- references ----------------------------------------------------------------------------
    def reference(self) -> n.Ref | None:
        """At a `$`: the reference that starts here, or None (the cursor unmoved) when what
        follows is no reference, such as `$.pets` or a lone `$`."""
        start = self.pos
        self.pos += 1
        if self.peek() == "!":
            self.pos += 1
        braced = self.peek() == "{"
        if braced:
            self.pos += 1
        name = self.match(IDENTIFIER)
        if not name:
            self.pos = start
            return None
        parts = self.reference_parts()
        if braced:
            if self.peek() != "}":
                self.pos = start
                return None
            self.pos += 1
        return n.Ref(name.group(), tuple(parts))

    def reference_parts(self) -> list[n.Prop | n.Call | n.Index]:
        parts: list[n.Prop | n.Call | n.Index] = []
        while True:
            if self.peek() == "." and IDENTIFIER.match(self.text, self.pos + 1):
                self.pos += 1
                name = self.match(IDENTIFIER).group()  # type: ignore[union-attr]
                if self.peek() == "(":
                    parts.append(n.Call(name, self.arguments()))
                else:
                    parts.append(n.Prop(name))
            elif self.peek() == "[":
                index = self.index_part()
                if index is None:
                    return parts
                parts.append(index)
            else:
                return parts

    def index_part(self) -> n.Index | None:
        """`[expr]` after a reference; None (cursor unmoved) when the bracket holds no
        expression, so that text such as `$name[note]` stays text after `$name`."""
        start = self.pos
        self.pos += 1
        try:
            key = self.expression()
            self.expect("]")
        except TemplateError:
            self.pos = start
            return None
        return n.Index(key)

    def arguments(self) -> tuple[n.Expr, ...]:
        self.pos += 1  # "("
        self.enter()
        args: list[n.Expr] = []
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
            self.leave()
            return ()
        while True:
            args.append(self.expression())
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect(")")
            self.leave()
            return tuple(args)

    # -- expressions ---------------------------------------------------------------------------
    def expression(self) -> n.Expr:
        self.enter()
        value = self.binary(0)
        self.leave()
        return value

    def binary(self, level: int) -> n.Expr:
        if level == len(LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            op = self.operator(LEVELS[level])
            if op is None:
                return left
            left = n.Binary(op, left, self.binary(level + 1))

    def operator(self, table: dict[str, str]) -> str | None:
        self.skip_space()
        word = WORD.match(self.text, self.pos)
        if word and word.group(1) in table:
            self.pos = word.end()
            return table[word.group(1)]
        for spelling in sorted((s for s in table if not s.isalpha()), key=len, reverse=True):
            if self.text.startswith(spelling, self.pos):
                if spelling in ("<", ">", "!") and self.peek(1) == "=":
                    continue
                self.pos += len(spelling)
                return table[spelling]
        return None

    def unary(self) -> n.Expr:
        self.skip_space()
        word = WORD.match(self.text, self.pos)
        if (self.peek() == "!" and self.peek(1) != "=") or (word and word.group(1) == "not"):
            self.pos = word.end() if word and word.group(1) == "not" else self.pos + 1
            self.enter()
            operand = self.unary()
            self.leave()
            return n.Unary("!", operand)
        if self.peek() == "-" and not NUMBER.match(self.text, self.pos + 1):
            self.pos += 1
            self.enter()
            operand = self.unary()
            self.leave()
            return n.Unary("-", operand)
        return self.primary()

    def primary(self) -> n.Expr:
        self.skip_space()
        char = self.peek()
        if char == "$":
            ref = self.reference()
            if ref is None:
                raise self.error("expected a reference after '$'")
            return ref
        if char in ("'", '"'):
            return self.string(char)
        if char == "-" or char.isdigit():
            return self.number()
        if char == "[":
            return self.list_or_range()
        if char == "{":
            return self.map_literal()
        if char == "(":
            self.pos += 1
            value = self.expression()
            self.expect(")")
            return value
        word = self.match(WORD)
        if word and word.group(1) in ("true", "false", "null"):
            return n.Literal({"true": True, "false": False, "null": None}[word.group(1)])
        raise self.error("expected an expression")

    def number(self) -> n.Literal:
        negative = self.peek() == "-"
        if negative:
            self.pos += 1
        found = self.match(NUMBER)
        if not found:
            raise self.error("expected a number")
        value: int | float = float(found.group()) if found.group(1) else int(found.group())
        return n.Literal(-value if negative else value)

    def string(self, quote: str) -> n.Expr:
        """A string literal. Its text is kept as written (Velocity does not unescape `\\`),
        a backslash only keeps the next character from ending the string; a double-quoted
        string with `$` or `#` in it is a template of its own."""
        start = self.pos + 1
        at = start
        while at < len(self.text) and self.text[at] != quote:
            at += 2 if self.text[at] == "\\" else 1
        if at >= len(self.text):
            raise self.error("unterminated string")
        content = self.text[start:at]
        self.pos = at + 1
        if quote == '"' and ("$" in content or "#" in content):
            return n.Interpolated(self.template_of(content))
        return n.Literal(content)

    def template_of(self, content: str) -> n.Block:  # pragma: no cover - TemplateParser's
        raise NotImplementedError

    def list_or_range(self) -> n.Expr:
        self.pos += 1
        self.enter()
        self.skip_space()
        if self.peek() == "]":
            self.pos += 1
            self.leave()
            return n.ListLit(())
        first = self.expression()
        self.skip_space()
        if self.text.startswith("..", self.pos):
            self.pos += 2
            end = self.expression()
            self.expect("]")
            self.leave()
            return n.RangeLit(first, end)
        items = [first]
        while self.peek() == ",":
            self.pos += 1
            items.append(self.expression())
            self.skip_space()
        self.expect("]")
        self.leave()
        return n.ListLit(tuple(items))

    def map_literal(self) -> n.MapLit:
        self.pos += 1
        self.enter()
        pairs: list[tuple[n.Expr, n.Expr]] = []
        self.skip_space()
        if self.peek() == "}":
            self.pos += 1
            self.leave()
            return n.MapLit(())
        while True:
            key = self.expression()
            self.expect(":")
            pairs.append((key, self.expression()))
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("}")
            self.leave()
            return n.MapLit(tuple(pairs))
