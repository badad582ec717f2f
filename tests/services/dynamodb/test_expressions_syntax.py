"""Malformed expressions get DynamoDB's ValidationException messages (wordings from DynamoDB
as recorded by moto's and dynalite's tests against AWS, and DynamoDB Local's message list)."""

from __future__ import annotations

import pytest
from expression_support import ph, refusal

from overcast.services.dynamodb.expressions import condition, parser, projection, update

COND = "Invalid ConditionExpression: "


@pytest.mark.parametrize(
    ("text", "token", "near"),
    [
        ("a = :v AND", "<EOF>", "AND"),
        ("attribute_type()", ")", "()"),
        ("a = :v, b", ",", ":v, b"),
        ("a", "<EOF>", "a"),
        ("a AND b = :v", "AND", "a AND b"),
        ("a = = :v", "=", "= = :v"),
        ("a = :v b", "b", ":v b"),
        ("a | b", "|", "a | b"),
        ("l[x] = :v", "x", "[x]"),
        ("l[-1] = :v", "-", "[-1"),
        ("a = 1", "1", "= 1"),
        ("(a = :v", "<EOF>", ":v"),
        ("a BETWEEN :v", "<EOF>", ":v"),
        ("a IN :v", ":v", "IN :v"),
        ("#", "#", "#"),
        ("   ", "<EOF>", "   "),
    ],
)
def test_syntax_errors_name_the_token_and_its_neighbours(text, token, near):
    message = refusal(condition, text, ph(v=1))
    assert message == f'{COND}Syntax error; token: "{token}", near: "{near}"'


def test_update_syntax_errors():
    # Both recorded from DynamoDB in moto's tests.
    assert refusal(update, "SET MyStr = my Num", ph()) == (
        'Invalid UpdateExpression: Syntax error; token: "Num", near: "my Num"'
    )
    assert refusal(update, "ADD str_set bad_value", ph()) == (
        'Invalid UpdateExpression: Syntax error; token: "bad_value", near: "str_set bad_value"'
    )
    assert refusal(update, "SET a = :v,", ph(v=1)) == (
        'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","'
    )
    assert refusal(update, "a = :v", ph(v=1)) == (
        'Invalid UpdateExpression: Syntax error; token: "a", near: "a ="'
    )
    assert refusal(update, "SET a = b + c + d", ph()) == (
        'Invalid UpdateExpression: Syntax error; token: "+", near: "c + d"'
    )


def test_projection_syntax_error():
    assert refusal(projection, "l[a]", ph()) == (
        'Invalid ProjectionExpression: Syntax error; token: "a", near: "[a]"'
    )
    assert refusal(projection, "a, :v", ph(v=1)).startswith(
        'Invalid ProjectionExpression: Syntax error; token: ":v"'
    )


@pytest.mark.parametrize("call", [condition, update, projection])
def test_an_empty_expression(call):
    kind = {condition: "ConditionExpression", update: "UpdateExpression"}.get(
        call, "ProjectionExpression"
    )
    assert refusal(call, "", ph()) == f"Invalid {kind}: The expression can not be empty;"


def test_redundant_parentheses():
    message = f"{COND}The expression has redundant parentheses;"
    assert refusal(condition, "((((a < b))))", ph()) == message
    assert refusal(condition, "a = :v AND ((b = :v))", ph(v=1)) == message
    assert refusal(condition, "((a)) = :v", ph(v=1)) == message
    # One pair around each part is fine (recorded from DynamoDB by moto).
    text = "(attribute_exists (#0)) AND (((#1 <> :0) AND (#1 <> :1)) AND (#2 = :3))"
    names = {"#0": "pk", "#1": "pk", "#2": "pk"}
    check = condition(text, ph(names, **{"0": "a", "1": "b", "3": "pk"}))
    assert check.matches({"pk": {"S": "pk"}})


def test_reserved_words_need_a_placeholder():
    assert refusal(condition, "name = :v", ph(v=1)) == (
        f"{COND}Attribute name is a reserved keyword; reserved keyword: name"
    )
    assert refusal(condition, "a.Status = :v", ph(v=1)) == (
        f"{COND}Attribute name is a reserved keyword; reserved keyword: Status"
    )
    assert refusal(update, "SET a = :v, b = Comment", ph(v=1)) == (
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Comment"
    )
    assert refusal(projection, "id, name", ph()) == (
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    )
    condition("#n = :v", ph({"#n": "name"}, v=1))


def test_function_names_are_case_sensitive():
    assert refusal(condition, "BegIns_WiTh(a, :v)", ph(v="x")) == (
        f"{COND}Invalid function name; function: BegIns_WiTh"
    )
    assert refusal(condition, "nope(a)", ph()) == f"{COND}Invalid function name; function: nope"


def test_functions_belong_to_their_expression():
    assert refusal(condition, "if_not_exists(a, :v) = :v", ph(v=1)) == (
        f"{COND}The function is not allowed in a condition expression; function: if_not_exists"
    )
    assert refusal(update, "SET a = size(b)", ph()) == (
        "Invalid UpdateExpression: The function is not allowed in an update expression; "
        "function: size"
    )


def test_functions_used_the_wrong_way():
    detail = "The function is not allowed to be used this way in an expression; function: "
    assert refusal(condition, "size(a)", ph()) == f"{COND}{detail}size"
    assert refusal(condition, "size(a) AND b = :v", ph(v=1)) == f"{COND}{detail}size"
    assert refusal(condition, "attribute_exists(a) = :v", ph(v=True)) == (
        f"{COND}{detail}attribute_exists"
    )


def test_function_operand_counts_and_paths():
    assert refusal(condition, "size(a, b) = :v", ph(v=1)) == (
        f"{COND}Incorrect number of operands for operator or function; "
        "operator or function: size, number of operands: 2"
    )
    assert refusal(condition, "attribute_exists(:v)", ph(v=1)) == (
        f"{COND}Operator or function requires a document path; "
        "operator or function: attribute_exists"
    )
    assert refusal(update, "SET a = if_not_exists(:v, b)", ph(v=1)) == (
        "Invalid UpdateExpression: Operator or function requires a document path; "
        "operator or function: if_not_exists"
    )
    assert refusal(update, "SET a = list_append(b)", ph()) == (
        "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
        "operator or function: list_append, number of operands: 1"
    )


def test_function_operand_types():
    detail = "Incorrect operand type for operator or function; operator or function: "
    assert (
        refusal(condition, "begins_with(a, :v)", ph(v=1))
        == f"{COND}{detail}begins_with, operand type: N"
    )
    assert (
        refusal(condition, "size(:v) > :n", ph(v=True, n=1))
        == f"{COND}{detail}size, operand type: BOOL"
    )
    assert refusal(condition, "attribute_type(a, :v)", ph(v=1)) == (
        f"{COND}{detail}attribute_type, operand type: N"
    )
    assert refusal(condition, "attribute_type(a, :v)", ph(v="STRING")) == (
        f"{COND}Invalid attribute type name found; type: STRING, "
        "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    )


def test_operands_must_be_distinct():
    assert refusal(condition, "a = a", ph()) == (
        f"{COND}The first operand must be distinct from the remaining operands for this "
        "operator or function; operator: =, first operand: [a]"
    )
    assert refusal(condition, "#x.b[1] <> a.b[1]", ph({"#x": "a"})).endswith(
        "operator: <>, first operand: [a, b, [1]]"
    )
    assert refusal(condition, "contains(a, a)", ph()).endswith(
        "operator: contains, first operand: [a]"
    )


def test_between_bounds():
    assert refusal(condition, "a BETWEEN :hi AND :lo", ph(hi=5, lo=1)) == (
        f"{COND}The BETWEEN operator requires upper bound to be greater than or equal to lower "
        "bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
        "AttributeValue: {N:1}"
    )
    assert refusal(condition, "a BETWEEN :lo AND :hi", ph(lo=1, hi="z")) == (
        f"{COND}The BETWEEN operator requires same data type for lower and upper bounds; "
        "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:z}"
    )


def test_nesting_depth_limit():
    deep = "a" + ".b" * 31
    projection(deep, ph())
    assert refusal(projection, deep + ".b", ph()) == (
        "Invalid ProjectionExpression: The document path has too many nesting levels; "
        "nesting levels: 33"
    )


def test_in_takes_at_most_100_operands():
    values = {f"v{i}": i for i in range(101)}
    text = "a IN (" + ", ".join(f":v{i}" for i in range(101)) + ")"
    assert refusal(condition, text, ph(**values)) == (
        f"{COND}The IN operator is provided with too many operands; number of operands: 101"
    )


def test_operator_limit():
    text = " OR ".join(["a < b"] * 151)
    assert refusal(condition, text, ph()) == (
        f"{COND}The expression contains too many operators; operator count: 301"
    )


def test_expression_size_limit():
    text = "a = :v OR " * 410 + "a = :v"
    assert len(text) > 4096
    assert refusal(condition, text, ph(v=1)) == (
        f"{COND}Expression size has exceeded the maximum allowed size; expression size: {len(text)}"
    )


def test_parses_are_cached_by_text():
    parser.parse_condition.cache_clear()
    for value in (1, 2, 3):
        assert condition("a = :v", ph(v=value)).matches({"a": {"N": str(value)}})
    info = parser.parse_condition.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_deep_nesting_is_refused_not_a_crash():
    assert refusal(condition, "(" * 2000 + "a = :v" + ")" * 2000, ph(v=1)) == (
        f"{COND}The expression has redundant parentheses;"
    )
    assert refusal(condition, "NOT " * 1000 + "a = :v", ph(v=1)) == (
        f"{COND}The expression contains too many operators; operator count: 1001"
    )
    assert refusal(update, "SET a = " + "(" * 1500 + "b" + ")" * 1500, ph()).startswith(
        "Invalid UpdateExpression: "
    )
    depth = 100  # legal nesting parses
    text = "(a = :v AND " * depth + "a = :v" + ")" * depth
    assert condition(text, ph(v=1)).matches({"a": {"N": "1"}})


def test_random_token_soup_gets_validation_errors_only():
    import random

    from overcast.services.dynamodb.errors import ValidationException

    pieces = ["a", "#n", ":v", ":l", "(", ")", "[", "]", "0", ".", ",", "=", "<>", "<", "+",
              "-", "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
              "size", "contains", "if_not_exists", "list_append", "attribute_exists",
              "|", " "]  # fmt: skip
    rng = random.Random(17)
    item = {"a": {"L": [{"N": "1"}]}, "n": {"M": {}}}
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        for call in (condition, update, projection):
            try:
                made = call(text, ph({"#n": "n"}, v=1, l=[1]))
                for use in ("matches", "apply"):
                    if hasattr(made, use):
                        getattr(made, use)(item)
            except ValidationException:
                pass
