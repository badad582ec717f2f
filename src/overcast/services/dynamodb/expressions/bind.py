"""Binding an UpdateExpression's parse tree to a request's placeholders, with the checks that
depend on them, in DynamoDB's order: names and values defined, paths that overlap or conflict,
then the types of the given values (ADD of a string, `:s + 1`, list_append of a number)."""

from __future__ import annotations

from overcast.services.dynamodb.errors import InvalidExpression
from overcast.services.dynamodb.expressions import paths, values
from overcast.services.dynamodb.expressions.operands import Literal, PathOperand, bind_path
from overcast.services.dynamodb.expressions.placeholders import Placeholders
from overcast.services.dynamodb.expressions.syntax import (
    ArithmeticSyntax,
    CallSyntax,
    ParenSyntax,
    PathSyntax,
    Syntax,
    UpdateSyntax,
    ValueSyntax,
)
from overcast.services.dynamodb.expressions.updates import (
    Action,
    Arithmetic,
    IfNotExists,
    ListAppend,
    Update,
    ValueSource,
)

KIND = "UpdateExpression"
# How ADD / DELETE name the type of a value they cannot take.
_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "NULL": "NULL",
    "BOOL": "BOOLEAN",
    "L": "LIST",
    "M": "MAP",
}


def bind_update(syntax: UpdateSyntax, p: Placeholders) -> Update:
    actions = tuple(
        Action(
            a.clause,
            bind_path(a.path, p, KIND),
            _bind_value(a.value, p) if a.value is not None else None,
        )
        for a in syntax.actions
    )
    paths.check_disjoint([a.path for a in actions], KIND)
    for action in actions:
        _check_clause_operand(action)
    for action in actions:
        if action.clause == "SET":
            _check_value_types(action.value)
    return Update(actions)


def _bind_value(syntax: Syntax, p: Placeholders) -> ValueSource:
    while isinstance(syntax, ParenSyntax):
        syntax = syntax.inner
    match syntax:
        case PathSyntax():
            return PathOperand(bind_path(syntax, p, KIND))
        case ValueSyntax(name=name):
            return Literal(p.value(name, KIND))
        case ArithmeticSyntax(op=op, left=left, right=right):
            return Arithmetic(op, _bind_value(left, p), _bind_value(right, p))
    assert isinstance(syntax, CallSyntax)  # rules.py admits only the update functions
    first, second = (_bind_value(arg, p) for arg in syntax.args)
    if syntax.name == "if_not_exists":
        assert isinstance(first, PathOperand)  # rules.py: "requires a document path"
        return IfNotExists(first, second)
    return ListAppend(first, second)


def _check_clause_operand(action: Action) -> None:
    """ADD takes a number or a set, DELETE a set."""
    if action.clause not in ("ADD", "DELETE") or not isinstance(action.value, Literal):
        return
    kind = values.type_of(action.value.value)
    if kind in _TYPE_NAMES and not (action.clause == "ADD" and kind == "N"):
        raise InvalidExpression(
            KIND,
            "Incorrect operand type for operator or function; "
            f"operator: {action.clause}, operand type: {_TYPE_NAMES[kind]}",
        )


def _check_value_types(source: ValueSource | None) -> None:
    """A value given to `+` / `-` must be a number, one given to list_append a list."""
    match source:
        case Arithmetic(op=op, left=left, right=right):
            _check_given(op, "N", left, right)
        case ListAppend(first=first, second=second):
            _check_given("list_append", "L", first, second)
    for part in _parts(source):
        _check_value_types(part)


def _parts(source: ValueSource | None) -> tuple[ValueSource, ...]:
    match source:
        case Arithmetic(left=left, right=right):
            return (left, right)
        case ListAppend(first=first, second=second):
            return (first, second)
        case IfNotExists(default=default):
            return (default,)
    return ()


def _check_given(function: str, wanted: str, *operands: ValueSource) -> None:
    for operand in operands:
        if isinstance(operand, Literal):
            kind = values.type_of(operand.value)
            if kind != wanted:
                raise InvalidExpression(
                    KIND,
                    "Incorrect operand type for operator or function; "
                    f"operator or function: {function}, operand type: {kind}",
                )
