"""A statement's WHERE clause as the expression engine's objects (expressions.conditions), so
PartiQL and ConditionExpression judge items alike: a comparison with a missing attribute is
false (`<>` true), values of different types are never equal nor ordered, `IS MISSING` is
attribute_not_exists.

And what the clause says of the key: the partition key values it pins (`pk = v`, `pk IN [...]`,
`pk = a OR pk = b`: a Query of each, else a Scan, as "PartiQL select statements for DynamoDB"
describes), the sort key range a Query may read, and the whole key an UPDATE, DELETE or
single-item read needs ("Where clause does not contain a mandatory equality on all key
attributes").
"""

from __future__ import annotations

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import Condition, RangeCondition
from overcast.services.dynamodb.expressions.conditions import (
    Between,
    Comparison,
    Function,
    In,
    Logic,
)
from overcast.services.dynamodb.expressions.conditions import Node as ConditionNode
from overcast.services.dynamodb.expressions.operands import Literal, Operand, PathOperand, Size
from overcast.services.dynamodb.expressions.values import type_of
from overcast.services.dynamodb.partiql.syntax import (
    BetweenNode,
    Call,
    Compare,
    InNode,
    IsNode,
    LogicNode,
    MissingNode,
    Node,
    PathNode,
)
from overcast.services.dynamodb.partiql.values import is_value, value_of
from overcast.services.dynamodb.schema import Table
from overcast.services.dynamodb.types import Item, Value

NO_KEY = "Where clause does not contain a mandatory equality on all key attributes"
# IS <type>: the DynamoDB type it tests ("Supported data types are [MISSING, NULL, BOOLEAN,
# BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]").
_IS_TYPES = {"NULL": "NULL", "BOOLEAN": "BOOL", "BLOB": "B", "STRING": "S", "NUMERIC": "N",
             "STRUCT": "M", "TUPLE": "M", "LIST": "L"}  # fmt: skip
_FUNCTIONS = {"begins_with": 2, "contains": 2, "attribute_type": 2, "attribute_exists": 1,
              "attribute_not_exists": 1}  # fmt: skip
_ORDERED = ("<", "<=", ">", ">=")
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def condition(node: Node | None, parameters: list) -> Condition | None:
    return None if node is None else Condition(_node(node, parameters))


def _node(node: Node, parameters: list) -> ConditionNode:
    match node:
        case LogicNode(op=op, operands=operands):
            return Logic(op, tuple(_node(part, parameters) for part in operands))
        case Compare(op=op, left=left, right=right):
            return _comparison(op, _operand(left, parameters), _operand(right, parameters))
        case BetweenNode(subject=subject, low=low, high=high):
            bound = (_operand(n, parameters) for n in (subject, low, high))
            return Between(*bound)
        case InNode(subject=subject, options=options):
            if not isinstance(subject, PathNode) or not options:
                raise ValidationException(
                    "IN operator must have a left hand argument of type Variable Reference and "
                    "right hand argument of type Seq with at least one member"
                )
            return In(_operand(subject, parameters),
                      tuple(_operand(o, parameters) for o in options))  # fmt: skip
        case IsNode(subject=subject, type_name=type_name):
            return _is(subject, type_name)
        case Call(name=name, args=args) if name in _FUNCTIONS:
            if len(args) != _FUNCTIONS[name]:
                raise ValidationException(f"Incorrect number of arguments to function: {name}")
            return Function(name, tuple(_operand(arg, parameters) for arg in args))
        case Call(name=name):
            raise ValidationException(f"Unrecognized function: {name}")
    raise ValidationException("WHERE clause must contain an expression that resolves to a boolean")


def _is(subject: Node, type_name: str) -> ConditionNode:
    if not isinstance(subject, PathNode):
        raise ValidationException(
            "The left hand side argument to IS must be a Variable Reference, Literal, or Path"
        )
    path = PathOperand(subject.elements)
    if type_name == "MISSING":
        return Function("attribute_not_exists", (path,))
    if type_name not in _IS_TYPES:
        raise ValidationException(
            f"Unsupported data type for IS operator: {type_name}. Supported data types are "
            "[MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
        )
    return Function("attribute_type", (path, Literal({"S": _IS_TYPES[type_name]})))


def _comparison(op: str, left: Operand, right: Operand) -> Comparison:
    if op in _ORDERED:
        for side in (left, right):
            kind = type_of(side.value) if isinstance(side, Literal) else None
            if kind is not None and kind not in ("S", "N", "B"):
                raise ValidationException(
                    "Incorrect operand type for operator or function; "
                    f"operator or function: {op}, operand type: {kind}"
                )
    return Comparison(op, left, right)


def _operand(node: Node, parameters: list) -> Operand:
    if isinstance(node, PathNode):
        return PathOperand(node.elements)
    if isinstance(node, MissingNode):
        raise ValidationException("MISSING must be compared using IS operator")
    if isinstance(node, Call) and node.name == "size" and len(node.args) == 1:
        return Size(_operand(node.args[0], parameters))
    if is_value(node):
        return Literal(value_of(node, parameters))
    if isinstance(node, Call):
        raise ValidationException(f"Unrecognized function: {node.name}")
    raise ValidationException(
        f"Unsupported operator in Condition Expression. Operator: {getattr(node, 'op', '?')}"
    )


# --- what the clause says of the key ---


def conjuncts(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if isinstance(node, LogicNode) and node.op == "AND":
        return [part for operand in node.operands for part in conjuncts(operand)]
    return [node]


def _equality(node: Node, parameters: list) -> tuple[str, Value] | None:
    """(attribute, value) of `name = value` (either way round)."""
    if not isinstance(node, Compare) or node.op != "=":
        return None
    for path, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(path, PathNode) and len(path.elements) == 1 and is_value(other):
            return str(path.elements[0]), value_of(other, parameters)
    return None


def check_key_type(name: str, value: Value, wanted: str | None) -> None:
    if type_of(value) != wanted:
        raise ValidationException(
            f"Key attribute's data type should match its data type in table's schema: Key {name}"
        )


def key_values(node: Node | None, table: Table, parameters: list) -> tuple[Item, Node | None]:
    """The whole key a single-item statement names (an equality on each key attribute among
    the clause's top-level ANDs), and what remains of the clause (None when nothing does)."""
    keys = table.keys
    key: Item = {}
    rest: list[Node] = []
    for part in conjuncts(node):
        found = _equality(part, parameters)
        if found is not None and found[0] in keys.names:
            name, value = found
            if name in key:
                raise ValidationException(
                    f"Multiple conditions on same key {name}. Only single item "
                    "Update/Insert/Delete are supported"
                )
            check_key_type(name, value, table.attribute_type(name))
            key[name] = value
        else:
            rest.append(part)
    if set(key) != set(keys.names):
        raise ValidationException(NO_KEY)
    remaining = None if not rest else rest[0] if len(rest) == 1 else LogicNode("AND", tuple(rest))
    return key, remaining


def hash_values(node: Node | None, hash_name: str, parameters: list) -> list[Value] | None:
    """The partition key values the clause pins, in the order written (None: a Scan)."""
    if node is None:
        return None
    if isinstance(node, LogicNode) and node.op == "AND":
        for part in node.operands:
            found = hash_values(part, hash_name, parameters)
            if found is not None:
                return found
        return None
    if isinstance(node, LogicNode) and node.op == "OR":
        every: list[Value] = []
        for part in node.operands:
            found = hash_values(part, hash_name, parameters)
            if found is None:
                return None
            every += [value for value in found if value not in every]
        return every
    if isinstance(node, InNode) and node.subject == PathNode((hash_name,)):
        if all(is_value(option) for option in node.options):
            found = [value_of(option, parameters) for option in node.options]
            return [value for i, value in enumerate(found) if value not in found[:i]]
    equality = _equality(node, parameters)
    if equality is not None and equality[0] == hash_name:
        return [equality[1]]
    return None


def range_condition(node: Node | None, range_name: str, wanted: str | None,
                    parameters: list) -> RangeCondition | None:  # fmt: skip
    """A sort key condition among the clause's top-level ANDs that a Query can read by (the
    whole clause still filters what it reads); only one of the sort key's own type."""
    for part in conjuncts(node):
        found = _range_part(part, range_name, parameters)
        if found is not None and all(type_of(v) == wanted for v in found.values):
            return found
    return None


def _range_part(node: Node, name: str, parameters: list) -> RangeCondition | None:
    key = PathNode((name,))
    if isinstance(node, Compare) and node.op in _FLIPPED:
        if node.left == key and is_value(node.right):
            return RangeCondition(node.op, (value_of(node.right, parameters),))
        if node.right == key and is_value(node.left):
            return RangeCondition(_FLIPPED[node.op], (value_of(node.left, parameters),))
    if isinstance(node, BetweenNode) and node.subject == key:
        if is_value(node.low) and is_value(node.high):
            low, high = value_of(node.low, parameters), value_of(node.high, parameters)
            return RangeCondition("BETWEEN", (low, high))
    if isinstance(node, Call) and node.name == "begins_with" and len(node.args) == 2:
        subject, prefix = node.args
        if subject == key and is_value(prefix):
            value = value_of(prefix, parameters)
            return RangeCondition("BEGINS_WITH", (value,)) if type_of(value) != "N" else None
    return None
