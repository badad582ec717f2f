"""A recursive-descent parser for DynamoDB's expressions, as the Developer Guide writes them:

    condition ::= operand comparator operand | operand BETWEEN operand AND operand
                | operand IN ( operand (, operand)* ) | function | condition AND condition
                | condition OR condition | NOT condition | ( condition )
    update    ::= (SET action, ... | REMOVE path, ... | ADD path :v, ... | DELETE path :v, ...)+
    projection ::= path (, path)*

with NOT binding tighter than AND, and AND tighter than OR. A syntax error names the first
token the grammar cannot use. The results depend on the text alone and are cached by it;
`rules.py` then applies the checks that need no placeholder (functions, reserved words, limits).
"""

from __future__ import annotations

from functools import lru_cache

from overcast.services.dynamodb.errors import InvalidExpression
from overcast.services.dynamodb.expressions import rules
from overcast.services.dynamodb.expressions.syntax import (
    CONDITIONS,
    ActionSyntax,
    ArithmeticSyntax,
    BetweenSyntax,
    CallSyntax,
    CompareSyntax,
    Element,
    InSyntax,
    LogicSyntax,
    ParenSyntax,
    PathSyntax,
    Syntax,
    UpdateSyntax,
    ValueSyntax,
    unwrap,
)
from overcast.services.dynamodb.expressions.tokens import Token, syntax_error, tokenize

MAX_BYTES = 4096  # "Maximum length of any expression string: 4 KB" (DynamoDB's limits page)
COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
CONDITION_KEYWORDS = ("AND", "OR", "NOT", "BETWEEN", "IN")
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")


class _Parser:
    def __init__(self, text: str, kind: str, keywords: tuple[str, ...]) -> None:
        self.text = text
        self.kind = kind
        self.keywords = keywords
        self.tokens = tokenize(text)
        self.pos = 0

    # -- tokens ---------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return token

    def fail(self) -> InvalidExpression:
        return syntax_error(self.kind, self.text, self.tokens, self.pos)

    def expect(self, op: str) -> None:
        if not self.peek().op(op):
            raise self.fail()
        self.advance()

    def expect_end(self) -> None:
        if self.peek().kind != "eof":
            raise self.fail()

    # -- operands -------------------------------------------------------------------------

    def operand(self) -> Syntax:
        token = self.peek()
        if token.op("("):
            self.advance()
            inner = self.operand()
            self.expect(")")
            return ParenSyntax(inner)
        if token.kind == "valueref":
            self.advance()
            return ValueSyntax(token.text)
        if token.kind == "name" and not token.keyword(*self.keywords) and self.peek(1).op("("):
            return self.call()
        return self.path()

    def call(self) -> CallSyntax:
        name = self.advance().text
        self.expect("(")
        args = [self.operand()]
        while self.peek().op(","):
            self.advance()
            args.append(self.operand())
        self.expect(")")
        return CallSyntax(name, tuple(args))

    def path(self) -> PathSyntax:
        token = self.peek()
        if token.kind == "nameref":
            elements = [Element("ref", token.text)]
        elif token.kind == "name" and not token.keyword(*self.keywords):
            elements = [Element("name", token.text)]
        else:
            raise self.fail()
        self.advance()
        while True:
            if self.peek().op("."):
                self.advance()
                token = self.peek()
                if token.kind not in ("name", "nameref"):
                    raise self.fail()
                elements.append(Element("ref" if token.kind == "nameref" else "name", token.text))
                self.advance()
            elif self.peek().op("["):
                self.advance()
                if self.peek().kind != "int":
                    raise self.fail()
                elements.append(Element("index", int(self.advance().text)))
                self.expect("]")
            else:
                return PathSyntax(tuple(elements))

    # -- conditions -----------------------------------------------------------------------

    def require_condition(self, node: Syntax) -> None:
        """An operand where a condition must stand ("a AND b = :v") is refused at the token
        that follows it; a function is judged later, by its name (`rules.py`)."""
        if not isinstance(unwrap(node), (*CONDITIONS, CallSyntax)):
            raise self.fail()

    def disjunction(self) -> Syntax:
        node = self.conjunction()
        while self.peek().keyword("OR"):
            self.require_condition(node)
            self.advance()
            right = self.conjunction()
            self.require_condition(right)
            node = LogicSyntax("OR", (node, right))
        return node

    def conjunction(self) -> Syntax:
        node = self.negation()
        while self.peek().keyword("AND"):
            self.require_condition(node)
            self.advance()
            right = self.negation()
            self.require_condition(right)
            node = LogicSyntax("AND", (node, right))
        return node

    def negation(self) -> Syntax:
        if self.peek().keyword("NOT"):
            self.advance()
            inner = self.negation()
            self.require_condition(inner)
            return LogicSyntax("NOT", (inner,))
        return self.primary()

    def primary(self) -> Syntax:
        if not self.peek().op("("):
            return self.comparison(self.operand())
        self.advance()
        inner = self.disjunction()
        self.expect(")")
        node = ParenSyntax(inner)
        if isinstance(unwrap(inner), CONDITIONS):
            return node
        return self.comparison(node)  # "(a) = :v", "(size(a)) > :n"

    def comparison(self, left: Syntax) -> Syntax:
        token = self.peek()
        if token.kind == "op" and token.text in COMPARATORS:
            self.advance()
            return CompareSyntax(token.text, left, self.operand())
        if token.keyword("BETWEEN"):
            self.advance()
            low = self.operand()
            if not self.peek().keyword("AND"):
                raise self.fail()
            self.advance()
            return BetweenSyntax(left, low, self.operand())
        if token.keyword("IN"):
            self.advance()
            self.expect("(")
            options = [self.operand()]
            while self.peek().op(","):
                self.advance()
                options.append(self.operand())
            self.expect(")")
            return InSyntax(left, tuple(options))
        return left

    def condition(self) -> Syntax:
        node = self.disjunction()
        self.require_condition(node)
        self.expect_end()
        return node

    # -- updates and projections ----------------------------------------------------------

    def update(self) -> UpdateSyntax:
        actions: list[ActionSyntax] = []
        clauses: list[str] = []
        while True:
            token = self.peek()
            if not token.keyword(*CLAUSES):
                raise self.fail()
            self.advance()
            clause = token.text.upper()
            clauses.append(clause)
            actions.append(self.action(clause))
            while self.peek().op(","):
                self.advance()
                actions.append(self.action(clause))
            if self.peek().kind == "eof":
                return UpdateSyntax(tuple(actions), tuple(clauses))

    def action(self, clause: str) -> ActionSyntax:
        path = self.path()
        if clause == "REMOVE":
            return ActionSyntax(clause, path, None)
        if clause == "SET":
            self.expect("=")
            return ActionSyntax(clause, path, self.set_value())
        token = self.peek()
        if token.kind != "valueref":
            raise self.fail()
        self.advance()
        return ActionSyntax(clause, path, ValueSyntax(token.text))

    def set_value(self) -> Syntax:
        if self.peek().op("("):
            self.advance()
            inner = self.set_value()
            self.expect(")")
            left: Syntax = ParenSyntax(inner)
            if isinstance(inner, ArithmeticSyntax):
                return left
        else:
            left = self.operand()
        token = self.peek()
        if token.op("+", "-"):
            self.advance()
            return ArithmeticSyntax(token.text, left, self.operand())
        return left

    def projection(self) -> tuple[PathSyntax, ...]:
        paths = [self.path()]
        while self.peek().op(","):
            self.advance()
            paths.append(self.path())
        self.expect_end()
        return tuple(paths)


def _checked_text(text: str, kind: str) -> None:
    if text == "":
        raise InvalidExpression(kind, "The expression can not be empty;")
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise InvalidExpression(
            kind,
            f"Expression size has exceeded the maximum allowed size; expression size: {size}",
        )


def _parsed(parser: _Parser, rule: str) -> object:
    """Run one grammar rule. Nesting deep enough to exhaust Python's stack is far past what
    DynamoDB accepts: it would refuse such text for its operators or its parentheses."""
    try:
        return getattr(parser, rule)()
    except RecursionError:
        tokens = parser.tokens
        operators = sum(
            (t.kind == "op" and t.text in (*COMPARATORS, "+", "-"))
            or t.keyword(*CONDITION_KEYWORDS)
            or (t.kind == "name" and tokens[i + 1].op("("))
            for i, t in enumerate(tokens[:-1])
        )
        if operators > rules.MAX_OPERATORS:
            detail = f"The expression contains too many operators; operator count: {operators}"
        else:
            detail = "The expression has redundant parentheses;"
        raise InvalidExpression(parser.kind, detail) from None


@lru_cache(maxsize=2048)
def parse_condition(text: str, kind: str = "ConditionExpression") -> Syntax:
    """The parse tree of a ConditionExpression / FilterExpression / KeyConditionExpression."""
    _checked_text(text, kind)
    node = _parsed(_Parser(text, kind, CONDITION_KEYWORDS), "condition")
    rules.check_condition(node, kind)
    return node


@lru_cache(maxsize=2048)
def parse_update(text: str) -> UpdateSyntax:
    """The parse tree of an UpdateExpression."""
    _checked_text(text, "UpdateExpression")
    update = _parsed(_Parser(text, "UpdateExpression", CLAUSES), "update")
    rules.check_update(update)
    return update


@lru_cache(maxsize=2048)
def parse_projection(text: str) -> tuple[PathSyntax, ...]:
    """The document paths of a ProjectionExpression."""
    _checked_text(text, "ProjectionExpression")
    paths = _parsed(_Parser(text, "ProjectionExpression", ()), "projection")
    rules.check_paths(paths, "ProjectionExpression")
    return paths
