"""The parsed form of a mapping template: frozen dataclasses, built once per template text.

A template is a `Block` of nodes (text, references, directives); expressions inside
directives and method arguments are the `Expr` nodes below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prop:
    """`.name`: a map's key, or a Java getter (`getName()` / `isName()`)."""

    name: str


@dataclass(frozen=True)
class Call:
    """`.name(args)`: a method call."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Index:
    """`[expr]`: a list's element or a map's key (Velocity 1.7 index notation)."""

    key: Expr


@dataclass(frozen=True)
class Ref:
    """`$root.part.part(...)[...]`, in text or in an expression."""

    root: str
    parts: tuple[Prop | Call | Index, ...]


@dataclass(frozen=True)
class Literal:
    value: object


@dataclass(frozen=True)
class Interpolated:
    """A double-quoted string: its references and directives are rendered."""

    body: Block


@dataclass(frozen=True)
class ListLit:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class RangeLit:
    start: Expr
    end: Expr


@dataclass(frozen=True)
class MapLit:
    pairs: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class Unary:
    op: str  # "!" or "-"
    operand: Expr


@dataclass(frozen=True)
class Binary:
    op: str  # canonical: || && == != < > <= >= + - * / %
    left: Expr
    right: Expr


Expr = Ref | Literal | Interpolated | ListLit | RangeLit | MapLit | Unary | Binary


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Output:
    """A reference written into the output (`$x`, `$!x`, `${x}`): null renders as nothing,
    as API Gateway does (plain Velocity would print the reference's own text)."""

    ref: Ref


@dataclass(frozen=True)
class Set:
    target: Ref
    value: Expr


@dataclass(frozen=True)
class If:
    branches: tuple[tuple[Expr, Block], ...]
    otherwise: Block | None


@dataclass(frozen=True)
class Foreach:
    var: str
    iterable: Expr
    body: Block


@dataclass(frozen=True)
class Define:
    name: str
    body: Block


@dataclass(frozen=True)
class Break:
    pass


@dataclass(frozen=True)
class Stop:
    pass


Node = Text | Output | Set | If | Foreach | Define | Break | Stop


@dataclass(frozen=True)
class Block:
    nodes: tuple[Node, ...]
