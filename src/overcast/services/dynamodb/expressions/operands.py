"""Operands bound to a request's placeholders: a document path read from the item, a value
given in ExpressionAttributeValues, and `size(...)`; and the binding of parse trees to them."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.dynamodb.expressions import paths
from overcast.services.dynamodb.expressions.placeholders import Placeholders
from overcast.services.dynamodb.expressions.syntax import (
    CallSyntax,
    ParenSyntax,
    PathSyntax,
    Syntax,
    ValueSyntax,
)
from overcast.services.dynamodb.expressions.values import Item, Value, size


@dataclass(frozen=True, slots=True)
class PathOperand:
    path: paths.Path

    def resolve(self, item: Item) -> Value | None:
        return paths.get(item, self.path)


@dataclass(frozen=True, slots=True)
class Literal:
    value: Value

    def resolve(self, item: Item) -> Value | None:
        return self.value


@dataclass(frozen=True, slots=True)
class Size:
    operand: Operand

    def resolve(self, item: Item) -> Value | None:
        length = size(self.operand.resolve(item))
        return None if length is None else {"N": str(length)}


Operand = PathOperand | Literal | Size


def bind_path(syntax: PathSyntax, p: Placeholders, kind: str) -> paths.Path:
    """The path with its `#name` placeholders replaced by the names they stand for."""
    return tuple(
        p.name(str(e.value), kind) if e.kind == "ref" else e.value for e in syntax.elements
    )


def bind_operand(syntax: Syntax, p: Placeholders, kind: str) -> Operand:
    """An operand of a condition (a path, a `:value`, or `size(...)`)."""
    while isinstance(syntax, ParenSyntax):
        syntax = syntax.inner
    if isinstance(syntax, PathSyntax):
        return PathOperand(bind_path(syntax, p, kind))
    if isinstance(syntax, ValueSyntax):
        return Literal(p.value(syntax.name, kind))
    assert isinstance(syntax, CallSyntax) and syntax.name == "size"  # rules.py made it so
    return Size(bind_operand(syntax.args[0], p, kind))
