"""DynamoDB's PartiQL subset ("PartiQL - a SQL-compatible query language for Amazon DynamoDB"):

    SELECT * | path [, path ...] FROM "table"[."index"] [WHERE condition]
           [ORDER BY key [ASC|DESC] [, ...]]
    INSERT INTO "table" VALUE {'name': value, ...}
    UPDATE "table" SET path = value [, ...] [SET ...] [REMOVE path [, ...]]
           WHERE condition [RETURNING (ALL|MODIFIED) (OLD|NEW) *]
    DELETE FROM "table" WHERE condition [RETURNING ALL OLD *]
    EXISTS(SELECT ...)                          (ExecuteTransaction only)

Conditions take = <> != < <= > >=, BETWEEN, IN [...], IS [NOT] MISSING (and the other IS
types), AND / OR / NOT, parentheses and functions (begins_with, contains, attribute_type, size,
...); values are 'strings', numbers, TRUE / FALSE / NULL, maps {...}, lists [...], sets <<...>>
and `?` parameters. A statement that does not parse is "Statement wasn't well formed, can't be
processed: <why>". Parsing depends on the text alone and is cached by it.
"""

from __future__ import annotations

from functools import lru_cache

from overcast.services.dynamodb.errors import (
    MalformedStatement,
    UnsupportedStatement,
    ValidationException,
)
from overcast.services.dynamodb.partiql.keywords import RESERVED
from overcast.services.dynamodb.partiql.lexer import Token, tokens
from overcast.services.dynamodb.partiql.syntax import (
    Arith,
    Assignment,
    BagNode,
    BetweenNode,
    Call,
    Compare,
    Delete,
    Exists,
    InNode,
    Insert,
    IsNode,
    ListNode,
    Lit,
    LogicNode,
    MapNode,
    MissingNode,
    Node,
    Param,
    Parsed,
    PathNode,
    Select,
    Source,
    Statement,
    Update,
)

COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=")
# Nesting (parentheses, NOT, maps, lists, sets) past this is refused rather than recursed into:
# a statement is at most 8192 characters, and Python's stack is not that deep.
MAX_DEPTH = 64
MULTIPLE_ITEMS = (
    'Inserting multiple items in a single statement is not supported, use "INSERT INTO '
    'tableName VALUE item" instead'
)


@lru_cache(maxsize=512)
def parse(text: str) -> Parsed:
    """The statement, or MalformedStatement / UnsupportedStatement."""
    parser = _Parser(tokens(text))
    statement = parser.statement()
    parser.accept_op(";")
    if parser.peek.kind != "end":
        raise parser.unexpected()
    return Parsed(statement, parser.parameters)


class _Parser:
    def __init__(self, found: list[Token]) -> None:
        self.tokens = found
        self.at = 0
        self.parameters = 0
        self.depth = 0

    # --- tokens ---

    @property
    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        if token.kind != "end":
            self.at += 1
        return token

    def accept_word(self, *words: str) -> str | None:
        if self.peek.is_word(*words):
            return self.take().text.upper()
        return None

    def accept_op(self, *ops: str) -> str | None:
        if self.peek.is_op(*ops):
            return self.take().text
        return None

    def expect_word(self, *words: str) -> str:
        found = self.accept_word(*words)
        if found is None:
            raise self.unexpected()
        return found

    def expect_op(self, op: str) -> None:
        if self.accept_op(op) is None:
            raise self.unexpected()

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MalformedStatement("Statement is nested too deeply")

    def unexpected(self) -> MalformedStatement:
        token = self.peek
        if token.kind == "end":
            return MalformedStatement("Unexpected end of statement")
        if token.kind == "word" and token.text.upper() in RESERVED:
            return MalformedStatement("Unexpected keyword")
        return MalformedStatement("Unexpected token")

    # --- statements ---

    def statement(self) -> Statement:
        verb = self.accept_word("SELECT", "INSERT", "UPDATE", "DELETE", "EXISTS")
        if verb == "SELECT":
            return self.select()
        if verb == "INSERT":
            return self.insert()
        if verb == "UPDATE":
            return self.update()
        if verb == "DELETE":
            return self.delete()
        if verb == "EXISTS":
            self.expect_op("(")
            self.expect_word("SELECT")
            select = self.select()
            self.expect_op(")")
            return Exists(select)
        raise MalformedStatement("Expected data manipulation")

    def select(self) -> Select:
        projection = None if self.accept_op("*") else self.projection()
        self.expect_word("FROM")
        source = self.source()
        where = self.condition() if self.accept_word("WHERE") else None
        order: list[tuple[str, bool]] = []
        if self.accept_word("ORDER"):
            self.expect_word("BY")
            while True:
                name = self.name()
                order.append((name, self.accept_word("ASC", "DESC") == "DESC"))
                if not self.accept_op(","):
                    break
        return Select(source, projection, where, tuple(order))

    def projection(self) -> tuple[PathNode, ...]:
        found = [self.path()]
        while self.accept_op(","):
            if self.peek.is_op("*"):
                raise ValidationException(
                    "Other attributes should not be present in the projection when '*' is used."
                )
            found.append(self.path())
        return tuple(found)

    def source(self) -> Source:
        table = self.name()
        index = self.name() if self.accept_op(".") else None
        return Source(table, index)

    def insert(self) -> Insert:
        self.expect_word("INTO")
        source = self.source()
        if self.peek.is_op("<<"):
            raise UnsupportedStatement(MULTIPLE_ITEMS)
        self.expect_word("VALUE")
        item = self.value()
        if self.peek.is_word("RETURNING"):
            raise ValidationException("RETURNING is not supported in INSERT")
        return Insert(source, item)

    def update(self) -> Update:
        source = self.source()
        actions: list[Assignment] = []
        while clause := self.accept_word("SET", "REMOVE"):
            while True:
                path = self.path()
                if clause == "SET":
                    self.expect_op("=")
                    actions.append(Assignment("SET", path, self.additive()))
                else:
                    actions.append(Assignment("REMOVE", path))
                if not self.accept_op(","):
                    break
        if not actions:
            raise self.unexpected()
        self.expect_word("WHERE")
        where = self.condition()
        return Update(source, tuple(actions), where, self.returning())

    def delete(self) -> Delete:
        self.expect_word("FROM")
        source = self.source()
        self.expect_word("WHERE")
        where = self.condition()
        return Delete(source, where, self.returning())

    def returning(self) -> str | None:
        if not self.accept_word("RETURNING"):
            return None
        which = self.expect_word("ALL", "MODIFIED")
        when = self.expect_word("OLD", "NEW")
        if not self.accept_op("*"):
            raise ValidationException(
                "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
            )
        return f"{which} {when}"

    # --- names and paths ---

    def name(self) -> str:
        token = self.peek
        if token.kind == "quoted" or (token.kind == "word" and token.text.upper() not in RESERVED):
            self.take()
            if token.text == "":
                raise MalformedStatement("Path component cannot be an empty string")
            return token.text
        raise self.unexpected()

    def path(self) -> PathNode:
        elements: list[str | int] = [self.name()]
        while True:
            if self.accept_op("."):
                token = self.take()
                if token.kind not in ("word", "quoted") or token.text == "":
                    raise MalformedStatement("Unexpected path component")
                elements.append(token.text)
            elif self.accept_op("["):
                token = self.take()
                if token.kind != "number" or not token.text.isdigit():
                    raise MalformedStatement("Unexpected path component")
                elements.append(int(token.text))
                self.expect_op("]")
            else:
                return PathNode(tuple(elements))

    # --- conditions: OR < AND < NOT < predicates < + - < terms ---

    def condition(self) -> Node:
        parts = [self.conjunction()]
        while self.accept_word("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else LogicNode("OR", tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.negation()]
        while self.accept_word("AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else LogicNode("AND", tuple(parts))

    def negation(self) -> Node:
        self.deeper()
        try:
            if self.accept_word("NOT"):
                return LogicNode("NOT", (self.negation(),))
            return self.predicate()
        finally:
            self.depth -= 1

    def predicate(self) -> Node:
        left = self.additive()
        op = self.accept_op(*COMPARISONS)
        if op is not None:
            return Compare("<>" if op == "!=" else op, left, self.additive())
        if self.accept_word("IS"):
            negated = self.accept_word("NOT") is not None
            token = self.take()
            if token.kind != "word":
                raise MalformedStatement("Unexpected token")
            node: Node = IsNode(left, token.text.upper())
            return LogicNode("NOT", (node,)) if negated else node
        negated = self.accept_word("NOT") is not None
        if self.accept_word("BETWEEN"):
            low = self.additive()
            self.expect_word("AND")
            node = BetweenNode(left, low, self.additive())
        elif self.accept_word("IN"):
            node = InNode(left, self.sequence())
        elif negated:
            raise self.unexpected()
        else:
            return left
        return LogicNode("NOT", (node,)) if negated else node

    def sequence(self) -> tuple[Node, ...]:
        close = {"[": "]", "(": ")"}.get(self.accept_op("[", "(") or "")
        if close is None:
            raise self.unexpected()
        return self.members(close)

    def members(self, close: str) -> tuple[Node, ...]:
        found: list[Node] = []
        if self.accept_op(close):
            return ()
        while True:
            found.append(self.additive())
            if self.accept_op(close):
                return tuple(found)
            self.expect_op(",")

    def additive(self) -> Node:
        node = self.term()
        depth = self.depth
        while op := self.accept_op("+", "-"):
            self.deeper()  # each operator nests the tree one level
            node = Arith(op, node, self.term())
        self.depth = depth
        return node

    def term(self) -> Node:
        token = self.peek
        if token.is_op("("):
            self.take()
            inner = self.condition()
            self.expect_op(")")
            return inner
        if token.kind == "word" and self.tokens[self.at + 1].is_op("("):
            self.take()
            self.take()
            return Call(token.text.lower(), self.members(")"))
        if token.kind == "word" and token.text.upper() == "MISSING":
            self.take()
            return MissingNode()
        if token.kind == "quoted" or (
            token.kind == "word" and token.text.upper() not in _LITERAL_WORDS
        ):
            return self.path()
        return self.value()

    # --- values ---

    def value(self) -> Node:
        self.deeper()
        try:
            return self._value()
        finally:
            self.depth -= 1

    def _value(self) -> Node:
        token = self.take()
        if token.kind == "string":
            return Lit({"S": token.text})
        if token.kind == "number":
            return Lit({"N": token.text})
        if token.is_op("-") and self.peek.kind == "number":
            return Lit({"N": "-" + self.take().text})
        if token.is_op("?"):
            self.parameters += 1
            return Param(self.parameters - 1)
        if token.is_word("TRUE", "FALSE"):
            return Lit({"BOOL": token.text.upper() == "TRUE"})
        if token.is_word("NULL"):
            return Lit({"NULL": True})
        if token.is_op("["):
            return ListNode(self.members("]"))
        if token.is_op("<<"):
            return BagNode(self.members(">>"))
        if token.is_op("{"):
            return self.struct()
        self.at -= 1 if token.kind != "end" else 0
        raise self.unexpected()

    def struct(self) -> MapNode:
        entries: list[tuple[str, Node]] = []
        if self.accept_op("}"):
            return MapNode(())
        while True:
            key = self.take()
            if key.kind not in ("string", "quoted"):
                self.at -= 1
                raise self.unexpected()
            self.expect_op(":")
            entries.append((key.text, self.additive()))
            if self.accept_op("}"):
                return MapNode(tuple(entries))
            self.expect_op(",")


_LITERAL_WORDS = frozenset({"TRUE", "FALSE", "NULL"})
