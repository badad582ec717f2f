"""A parsed PartiQL statement: frozen values, so one parse serves every request with the same
text (parameters are bound later, by position)."""

from __future__ import annotations

from dataclasses import dataclass

Element = str | int  # an attribute name, or a list index


@dataclass(frozen=True, slots=True)
class PathNode:
    elements: tuple[Element, ...]  # `a.b[2]` is ("a", "b", 2)


@dataclass(frozen=True, slots=True)
class Param:
    index: int  # the n-th `?` of the statement, from 0


@dataclass(frozen=True, slots=True)
class Lit:
    value: dict  # an AttributeValue: 'a' is {"S": "a"}, 1.50 is {"N": "1.50"}


@dataclass(frozen=True, slots=True)
class ListNode:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class MapNode:
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class BagNode:
    items: tuple[Node, ...]  # << ... >>: a string, number or binary set


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # lower case
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # + -
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # = <> < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BetweenNode:
    subject: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class InNode:
    subject: Node
    options: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class IsNode:
    subject: Node
    type_name: str  # MISSING, NULL, STRING, ...


@dataclass(frozen=True, slots=True)
class LogicNode:
    op: str  # AND, OR, NOT
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class MissingNode:
    """The literal MISSING, which only `IS` may take."""


Node = (
    PathNode | Param | Lit | ListNode | MapNode | BagNode | Call | Arith | Compare | BetweenNode
    | InNode | IsNode | LogicNode | MissingNode
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    table: str
    index: str | None = None


@dataclass(frozen=True, slots=True)
class Select:
    source: Source
    projection: tuple[PathNode, ...] | None  # None for `*`
    where: Node | None
    order: tuple[tuple[str, bool], ...] = ()  # (key attribute, descending)


@dataclass(frozen=True, slots=True)
class Insert:
    source: Source
    item: Node


@dataclass(frozen=True, slots=True)
class Assignment:
    clause: str  # SET, REMOVE
    path: PathNode
    value: Node | None = None


@dataclass(frozen=True, slots=True)
class Update:
    source: Source
    actions: tuple[Assignment, ...]
    where: Node
    returning: str | None = None  # ALL OLD, MODIFIED OLD, ALL NEW, MODIFIED NEW


@dataclass(frozen=True, slots=True)
class Delete:
    source: Source
    where: Node
    returning: str | None = None


@dataclass(frozen=True, slots=True)
class Exists:
    """EXISTS(SELECT ...): a transaction's condition check."""

    select: Select


Statement = Select | Insert | Update | Delete | Exists


@dataclass(frozen=True, slots=True)
class Parsed:
    statement: Statement
    parameters: int  # how many `?` it has
