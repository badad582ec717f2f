"""The parse trees of expressions, as written: placeholders (`#n`, `:v`) not yet looked up.

They depend on the expression's text alone, so the parser caches them by text; each request
then binds its own ExpressionAttributeNames / Values to them (`bind.py`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Element:
    """One step of a document path: an attribute name written bare (`name`), a placeholder
    for one (`ref`, "#n"), or a list index (`index`)."""

    kind: str
    value: str | int


@dataclass(frozen=True, slots=True)
class PathSyntax:
    elements: tuple[Element, ...]


@dataclass(frozen=True, slots=True)
class ValueSyntax:
    name: str  # ":v"


@dataclass(frozen=True, slots=True)
class CallSyntax:
    name: str
    args: tuple[Syntax, ...]


@dataclass(frozen=True, slots=True)
class ParenSyntax:
    inner: Syntax


@dataclass(frozen=True, slots=True)
class CompareSyntax:
    op: str  # = <> < <= > >=
    left: Syntax
    right: Syntax


@dataclass(frozen=True, slots=True)
class BetweenSyntax:
    subject: Syntax
    low: Syntax
    high: Syntax


@dataclass(frozen=True, slots=True)
class InSyntax:
    subject: Syntax
    options: tuple[Syntax, ...]


@dataclass(frozen=True, slots=True)
class LogicSyntax:
    op: str  # AND, OR, NOT (NOT has one operand)
    operands: tuple[Syntax, ...]


@dataclass(frozen=True, slots=True)
class ArithmeticSyntax:
    op: str  # + -
    left: Syntax
    right: Syntax


@dataclass(frozen=True, slots=True)
class ActionSyntax:
    """One action of an update: SET path = value, REMOVE path, ADD path :v, DELETE path :v."""

    clause: str
    path: PathSyntax
    value: Syntax | None


@dataclass(frozen=True, slots=True)
class UpdateSyntax:
    actions: tuple[ActionSyntax, ...]
    clauses: tuple[str, ...]  # SET / REMOVE / ADD / DELETE, as written (repeats included)


Syntax = (
    PathSyntax
    | ValueSyntax
    | CallSyntax
    | ParenSyntax
    | CompareSyntax
    | BetweenSyntax
    | InSyntax
    | LogicSyntax
    | ArithmeticSyntax
)

CONDITIONS = (CompareSyntax, BetweenSyntax, InSyntax, LogicSyntax)


def unwrap(node: Syntax) -> Syntax:
    """The node inside any parentheses."""
    while isinstance(node, ParenSyntax):
        node = node.inner
    return node


def children(node: Syntax) -> tuple[Syntax, ...]:
    """The nodes directly under `node`, in the order they are written."""
    match node:
        case CallSyntax(args=args):
            return args
        case ParenSyntax(inner=inner):
            return (inner,)
        case CompareSyntax(left=left, right=right) | ArithmeticSyntax(left=left, right=right):
            return (left, right)
        case BetweenSyntax(subject=subject, low=low, high=high):
            return (subject, low, high)
        case InSyntax(subject=subject, options=options):
            return (subject, *options)
        case LogicSyntax(operands=operands):
            return operands
    return ()
