"""An UPDATE statement's SET and REMOVE clauses as the expression engine's Update, so they
change items as an UpdateExpression does ("PartiQL update statements for DynamoDB"):

    SET a = value | a = b + 1 | a = list_append(a, [..]) | a = set_add(a, <<..>>)
        | a = set_delete(a, <<..>>)            (set_add / set_delete are ADD / DELETE)
    REMOVE a.b[2]

Wordings of the set functions' refusals: DynamoDB Local's ("The first argument to SET_ADD
must equal the assignment value", ...).
"""

from __future__ import annotations

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.expressions import Update
from overcast.services.dynamodb.expressions import paths as document_paths
from overcast.services.dynamodb.expressions.operands import Literal, PathOperand
from overcast.services.dynamodb.expressions.updates import (
    Action,
    Arithmetic,
    IfNotExists,
    ListAppend,
    ValueSource,
)
from overcast.services.dynamodb.expressions.values import type_of
from overcast.services.dynamodb.partiql.syntax import Arith, Assignment, Call, Node, PathNode
from overcast.services.dynamodb.partiql.values import is_value, value_of

_SET_FUNCTIONS = {"set_add": "ADD", "set_delete": "DELETE"}


def update(assignments: tuple[Assignment, ...], parameters: list) -> Update:
    actions = tuple(_action(a, parameters) for a in assignments)
    document_paths.check_disjoint([a.path for a in actions], "UpdateExpression")
    return Update(actions)


def _action(assignment: Assignment, parameters: list) -> Action:
    path = assignment.path.elements
    if assignment.clause == "REMOVE":
        return Action("REMOVE", path)
    value = assignment.value
    if isinstance(value, Call) and value.name in _SET_FUNCTIONS:
        return _set_function(assignment.path, value, parameters)
    return Action("SET", path, _source(value, parameters))


def _set_function(target: PathNode, call: Call, parameters: list) -> Action:
    label = call.name.upper()
    if len(call.args) != 2:
        raise ValidationException(f"{label} must have exactly two arguments")
    first, second = call.args
    if first != target:
        raise ValidationException(f"The first argument to {label} must equal the assignment value")
    given = value_of(second, parameters) if is_value(second) else None
    if given is None or type_of(given) not in ("SS", "NS", "BS"):
        raise ValidationException(f"The second argument to {label} must be a value with type SET")
    return Action(_SET_FUNCTIONS[call.name], target.elements, Literal(given))


def _source(node: Node | None, parameters: list) -> ValueSource:
    if isinstance(node, PathNode):
        return PathOperand(node.elements)
    if isinstance(node, Arith):
        return Arithmetic(node.op, _source(node.left, parameters), _source(node.right, parameters))
    if isinstance(node, Call) and node.name in ("list_append", "if_not_exists"):
        if len(node.args) != 2:
            raise ValidationException(f"Incorrect number of arguments to function: {node.name}")
        first, second = (_source(arg, parameters) for arg in node.args)
        if node.name == "list_append":
            return ListAppend(first, second)
        if not isinstance(first, PathOperand):
            raise ValidationException("The first argument to if_not_exists must be a path")
        return IfNotExists(first, second)
    if isinstance(node, Call):
        raise ValidationException(f"Unrecognized function: {node.name}")
    if node is not None and is_value(node):
        return Literal(value_of(node, parameters))
    raise ValidationException(f"Unsupported operator in Update Expression. Operator: {node}")
