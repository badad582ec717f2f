"""Conditions (ConditionExpression, FilterExpression) bound to a request's placeholders, and
how they judge an item.

As DynamoDB documents, a condition on an attribute the item lacks is false (a comparison,
BETWEEN, IN, begins_with, contains, attribute_type, attribute_exists), except `<>` and
attribute_not_exists, which are true; values of different types are never equal or ordered.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.dynamodb.errors import InvalidExpression
from overcast.services.dynamodb.expressions import paths, values
from overcast.services.dynamodb.expressions.operands import (
    Literal,
    Operand,
    PathOperand,
    Size,
    bind_operand,
    bind_path,
)
from overcast.services.dynamodb.expressions.placeholders import Placeholders
from overcast.services.dynamodb.expressions.syntax import (
    BetweenSyntax,
    CallSyntax,
    CompareSyntax,
    InSyntax,
    LogicSyntax,
    Syntax,
    unwrap,
)
from overcast.services.dynamodb.expressions.values import Item

_ORDER = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}


@dataclass(frozen=True, slots=True)
class Comparison:
    op: str
    left: Operand
    right: Operand

    def matches(self, item: Item) -> bool:
        a, b = self.left.resolve(item), self.right.resolve(item)
        if self.op == "=":
            return values.equal(a, b)
        if self.op == "<>":
            return (a is not None or b is not None) and not values.equal(a, b)
        return values.compare(a, b) in _ORDER[self.op]


@dataclass(frozen=True, slots=True)
class Between:
    subject: Operand
    low: Operand
    high: Operand

    def matches(self, item: Item) -> bool:
        value = self.subject.resolve(item)
        above = values.compare(value, self.low.resolve(item))
        below = values.compare(value, self.high.resolve(item))
        return above is not None and below is not None and above >= 0 and below <= 0


@dataclass(frozen=True, slots=True)
class In:
    subject: Operand
    options: tuple[Operand, ...]

    def matches(self, item: Item) -> bool:
        value = self.subject.resolve(item)
        return value is not None and any(values.equal(value, o.resolve(item)) for o in self.options)


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    args: tuple[Operand, ...]

    def matches(self, item: Item) -> bool:
        first = self.args[0].resolve(item)
        if self.name == "attribute_exists":
            return first is not None
        if self.name == "attribute_not_exists":
            return first is None
        second = self.args[1].resolve(item)
        if self.name == "attribute_type":
            return first is not None and second == {"S": values.type_of(first)}
        if self.name == "begins_with":
            return values.begins_with(first, second)
        return values.contains(first, second)


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # AND, OR, NOT
    operands: tuple[Node, ...]

    def matches(self, item: Item) -> bool:
        if self.op == "AND":
            return all(node.matches(item) for node in self.operands)
        if self.op == "OR":
            return any(node.matches(item) for node in self.operands)
        return not self.operands[0].matches(item)


@dataclass(frozen=True, slots=True)
class Always:
    """The condition of a request that states none (an empty legacy Expected)."""

    def matches(self, item: Item) -> bool:
        return True


Node = Comparison | Between | In | Function | Logic | Always


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition ready to judge items: `matches(item)`; a missing item is `{}`."""

    root: Node

    def matches(self, item: Item | None) -> bool:
        return self.root.matches(item or {})


def bind_condition(syntax: Syntax, p: Placeholders, kind: str) -> Node:
    """The parse tree with the request's placeholders looked up, then checked as DynamoDB
    checks what depends on them: distinct operands, then the types of given values."""
    node = _bind(syntax, p, kind)
    nodes = list(_walk(node))
    for each in nodes:
        _check_distinct(each, kind)
    for each in nodes:
        _check_types(each, kind)
    return node


def _bind(syntax: Syntax, p: Placeholders, kind: str) -> Node:
    syntax = unwrap(syntax)
    operand = lambda s: bind_operand(s, p, kind)  # noqa: E731
    match syntax:
        case LogicSyntax(op=op, operands=parts):
            return Logic(op, tuple(_bind(part, p, kind) for part in parts))
        case CompareSyntax(op=op, left=left, right=right):
            return Comparison(op, operand(left), operand(right))
        case BetweenSyntax(subject=subject, low=low, high=high):
            return Between(operand(subject), operand(low), operand(high))
        case InSyntax(subject=subject, options=options):
            return In(operand(subject), tuple(operand(o) for o in options))
    assert isinstance(syntax, CallSyntax)  # rules.py admits nothing else as a condition
    if syntax.name in ("attribute_exists", "attribute_not_exists"):
        path = unwrap(syntax.args[0])
        return Function(syntax.name, (PathOperand(bind_path(path, p, kind)),))  # type: ignore[arg-type]
    return Function(syntax.name, tuple(operand(arg) for arg in syntax.args))


def _walk(node: Node):
    yield node
    for child in getattr(node, "operands", ()):
        yield from _walk(child)


def _operands(node: Node) -> tuple[str, tuple[Operand, ...]] | None:
    """The operator's name as DynamoDB's messages write it, and its operands."""
    match node:
        case Comparison(op=op, left=left, right=right):
            return op, (left, right)
        case Between(subject=subject, low=low, high=high):
            return "BETWEEN", (subject, low, high)
        case In(subject=subject, options=options):
            return "IN", (subject, *options)
        case Function(name=name, args=args):
            return name, args
    return None


def _check_distinct(node: Node, kind: str) -> None:
    found = _operands(node)
    if found is None or len(found[1]) < 2:
        return
    name, (first, *rest) = found
    if isinstance(first, PathOperand) and first in rest:
        raise InvalidExpression(
            kind,
            "The first operand must be distinct from the remaining operands for this operator "
            f"or function; operator: {name}, first operand: {paths.describe(first.path)}",
        )


def _incorrect_type(kind: str, function: str, type_name: str) -> InvalidExpression:
    return InvalidExpression(
        kind,
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {type_name}",
    )


def _check_types(node: Node, kind: str) -> None:
    for operand in _operands(node)[1] if _operands(node) else ():
        if isinstance(operand, Size) and isinstance(operand.operand, Literal):
            type_name = values.type_of(operand.operand.value)
            if type_name in ("N", "BOOL", "NULL"):
                raise _incorrect_type(kind, "size", type_name)
    if isinstance(node, Function):
        _check_function(node, kind)
    if isinstance(node, Between):
        _check_bounds(node, kind)


def _check_function(node: Function, kind: str) -> None:
    if node.name == "begins_with":
        for arg in node.args:
            type_name = values.type_of(arg.value) if isinstance(arg, Literal) else None
            if type_name not in (None, "S", "B"):
                raise _incorrect_type(kind, node.name, type_name)
    if node.name == "attribute_type":
        given = node.args[1]
        if not isinstance(given, Literal) or values.type_of(given.value) != "S":
            type_name = values.type_of(given.value) if isinstance(given, Literal) else None
            raise _incorrect_type(kind, node.name, type_name or "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
        if given.value["S"] not in values.TYPES:
            raise InvalidExpression(
                kind,
                f"Invalid attribute type name found; type: {given.value['S']}, "
                "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
            )


def _check_bounds(node: Between, kind: str) -> None:
    if not (isinstance(node.low, Literal) and isinstance(node.high, Literal)):
        return
    low, high = node.low.value, node.high.value
    low_type, high_type = values.type_of(low), values.type_of(high)
    if low_type != high_type:
        problem = "requires same data type for lower and upper bounds"
    elif (values.compare(low, high) or 0) > 0:
        problem = "requires upper bound to be greater than or equal to lower bound"
    else:
        return
    raise InvalidExpression(
        kind,
        f"The BETWEEN operator {problem}; "
        f"lower bound operand: AttributeValue: {{{low_type}:{low[low_type]}}}, "
        f"upper bound operand: AttributeValue: {{{high_type}:{high[high_type]}}}",
    )
