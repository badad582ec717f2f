"""The rules of the expression language that need only the text: functions and where they
may stand, reserved words, parentheses, and DynamoDB's limits. Placeholders are checked when a
request binds its own (`bind.py`).

Where an expression breaks several rules, DynamoDB reports one; the order here is the one
observed of DynamoDB (redundant parentheses, function names, misused functions, reserved
words, then operands), as recorded by dynalite's tests against the real service.
"""

from __future__ import annotations

from collections.abc import Iterator

from overcast.services.dynamodb.errors import InvalidExpression
from overcast.services.dynamodb.expressions.reserved import is_reserved
from overcast.services.dynamodb.expressions.syntax import (
    CONDITIONS,
    ArithmeticSyntax,
    CallSyntax,
    LogicSyntax,
    ParenSyntax,
    PathSyntax,
    Syntax,
    UpdateSyntax,
    children,
    unwrap,
)

# Function -> number of operands. Condition functions answer true/false, except `size`.
CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
PATH_FIRST = ("attribute_exists", "attribute_not_exists", "if_not_exists")
MAX_DEPTH = 32  # "Nested attribute depth: 32" (DynamoDB's limits page)
MAX_OPERATORS = 300
MAX_IN_OPERANDS = 100


def walk(node: Syntax) -> Iterator[Syntax]:
    """Every node under `node` (itself included), in the order they are written."""
    yield node
    for child in children(node):
        yield from walk(child)


def _positions(node: Syntax, condition: bool) -> Iterator[tuple[Syntax, bool]]:
    """Each node with whether it stands where a condition (True) or an operand is expected:
    AND / OR / NOT and parentheses pass their place on, everything else holds operands."""
    yield node, condition
    passes_on = isinstance(node, (LogicSyntax, ParenSyntax))
    for child in children(node):
        yield from _positions(child, condition and passes_on)


def _check_parentheses(node: Syntax, kind: str) -> None:
    for each in walk(node):
        if isinstance(each, ParenSyntax) and isinstance(each.inner, ParenSyntax):
            raise InvalidExpression(kind, "The expression has redundant parentheses;")


def _check_function_names(nodes: list[Syntax], kind: str, allowed: dict, other: dict) -> None:
    where = "an update" if allowed is UPDATE_FUNCTIONS else "a condition"
    for node in nodes:
        if isinstance(node, CallSyntax) and node.name not in allowed:
            if node.name in other:
                raise InvalidExpression(
                    kind,
                    f"The function is not allowed in {where} expression; function: {node.name}",
                )
            raise InvalidExpression(kind, f"Invalid function name; function: {node.name}")


def _check_misused(node: Syntax, kind: str) -> None:
    """`size` answers a number and the other condition functions true/false: each must stand
    where its answer is wanted."""
    for each, condition in _positions(node, True):
        if isinstance(each, CallSyntax) and (each.name == "size") == condition:
            raise InvalidExpression(
                kind,
                "The function is not allowed to be used this way in an expression; "
                f"function: {each.name}",
            )


def _check_reserved(paths: list[PathSyntax], kind: str) -> None:
    for path in paths:
        for element in path.elements:
            if element.kind == "name" and is_reserved(str(element.value)):
                raise InvalidExpression(
                    kind, f"Attribute name is a reserved keyword; reserved keyword: {element.value}"
                )


def _check_depth(paths: list[PathSyntax], kind: str) -> None:
    for path in paths:
        if len(path.elements) > MAX_DEPTH:
            raise InvalidExpression(
                kind,
                "The document path has too many nesting levels; "
                f"nesting levels: {len(path.elements)}",
            )


def _check_operands(nodes: list[Syntax], kind: str, counts: dict) -> None:
    for node in nodes:
        if not isinstance(node, CallSyntax):
            continue
        if len(node.args) != counts[node.name]:
            raise InvalidExpression(
                kind,
                "Incorrect number of operands for operator or function; "
                f"operator or function: {node.name}, number of operands: {len(node.args)}",
            )
        if node.name in PATH_FIRST and not isinstance(unwrap(node.args[0]), PathSyntax):
            raise InvalidExpression(
                kind,
                f"Operator or function requires a document path; operator or function: {node.name}",
            )


def _check_limits(nodes: list[Syntax], kind: str) -> None:
    operators = sum(isinstance(n, (*CONDITIONS, CallSyntax, ArithmeticSyntax)) for n in nodes)
    if operators > MAX_OPERATORS:
        raise InvalidExpression(
            kind, f"The expression contains too many operators; operator count: {operators}"
        )
    for node in nodes:
        options = getattr(node, "options", ())
        if len(options) > MAX_IN_OPERANDS:
            raise InvalidExpression(
                kind,
                "The IN operator is provided with too many operands; "
                f"number of operands: {len(options)}",
            )


def check_condition(node: Syntax, kind: str) -> None:
    nodes = list(walk(node))
    paths = [n for n in nodes if isinstance(n, PathSyntax)]
    _check_parentheses(node, kind)
    _check_function_names(nodes, kind, CONDITION_FUNCTIONS, UPDATE_FUNCTIONS)
    _check_misused(node, kind)
    _check_reserved(paths, kind)
    _check_operands(nodes, kind, CONDITION_FUNCTIONS)
    _check_depth(paths, kind)
    _check_limits(nodes, kind)


def check_update(update: UpdateSyntax) -> None:
    kind = "UpdateExpression"
    nodes = [n for action in update.actions if action.value for n in walk(action.value)]
    paths = [
        path
        for action in update.actions
        for path in (action.path, *(walk(action.value) if action.value else ()))
        if isinstance(path, PathSyntax)
    ]
    _check_reserved(paths, kind)
    _check_function_names(nodes, kind, UPDATE_FUNCTIONS, CONDITION_FUNCTIONS)
    seen: set[str] = set()
    for clause in update.clauses:
        if clause in seen:
            raise InvalidExpression(
                kind, f'The "{clause}" section can only be used once in an update expression;'
            )
        seen.add(clause)
    _check_operands(nodes, kind, UPDATE_FUNCTIONS)
    _check_depth(paths, kind)
    _check_limits(nodes, kind)


def check_paths(paths: tuple[PathSyntax, ...], kind: str) -> None:
    _check_reserved(list(paths), kind)
    _check_depth(list(paths), kind)
