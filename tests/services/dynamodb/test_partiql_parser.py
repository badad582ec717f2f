"""The PartiQL parser and value binding, in process: the statement forms DynamoDB's guide
shows, its literals, and refusals in DynamoDB's words."""

from __future__ import annotations

import pytest

from overcast.services.dynamodb.errors import ValidationException
from overcast.services.dynamodb.partiql.parser import parse
from overcast.services.dynamodb.partiql.syntax import (
    Compare,
    Delete,
    Exists,
    InNode,
    Insert,
    LogicNode,
    Param,
    PathNode,
    Select,
    Source,
    Update,
)
from overcast.services.dynamodb.partiql.values import check_count, value_of

MALFORMED = "Statement wasn't well formed, can't be processed: "


def test_the_guides_statements_parse():
    select = parse('SELECT Devices.FireStick.DateWatched[0] FROM WatchList '
                   "WHERE CustomerID= 'C1' AND MovieID= 'M1'").statement  # fmt: skip
    assert isinstance(select, Select)
    assert select.projection == (PathNode(("Devices", "FireStick", "DateWatched", 0)),)
    assert select.source == Source("WatchList")
    assert isinstance(select.where, LogicNode) and select.where.op == "AND"
    indexed = parse('SELECT * FROM "Orders"."ByTotal" WHERE OrderID IN [1, 2, 3] '
                    "ORDER BY OrderID DESC").statement  # fmt: skip
    assert indexed.source == Source("Orders", "ByTotal")
    assert isinstance(indexed.where, InNode) and indexed.order == (("OrderID", True),)
    update = parse("UPDATE \"Music\" SET AwardsWon=1 SET AwardDetail={'Grammys':[2020, 2018]} "
                   "WHERE Artist='Acme Band' AND SongTitle='PartiQL Rocks' "
                   "RETURNING ALL OLD *").statement  # fmt: skip
    assert isinstance(update, Update) and len(update.actions) == 2
    assert update.returning == "ALL OLD"
    assert isinstance(parse('DELETE FROM "Music" WHERE "Artist" = ?;').statement, Delete)
    assert isinstance(parse("insert into Music value {'a': ?}").statement, Insert)
    exists = parse("EXISTS(SELECT * FROM t WHERE k = ? AND v IS MISSING) -- a comment")
    assert isinstance(exists.statement, Exists) and exists.parameters == 1


def test_parameters_are_numbered_in_order_and_parsing_is_cached():
    parsed = parse("SELECT * FROM t WHERE a = ? AND b <> ?")
    assert parsed is parse("SELECT * FROM t WHERE a = ? AND b <> ?")
    left, right = parsed.statement.where.operands
    assert left == Compare("=", PathNode(("a",)), Param(0))
    assert right == Compare("<>", PathNode(("b",)), Param(1))
    with pytest.raises(ValidationException, match="Number of parameters in request and"):
        check_count([{"S": "x"}], parsed.parameters)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CREATE TABLE t", MALFORMED + "Expected data manipulation"),
        ("SELECT * FROM t WHERE key = 1", MALFORMED + "Unexpected keyword"),
        ("SELECT * FROM t WHERE", MALFORMED + "Unexpected end of statement"),
        ("SELECT * FROM t; SELECT * FROM t", MALFORMED + "Unexpected keyword"),
        ("SELECT a, * FROM t",
         "Other attributes should not be present in the projection when '*' is used."),
        ("INSERT INTO t << {'a': 1}, {'a': 2} >>", "Unsupported operation: Inserting multiple "
         'items in a single statement is not supported, use "INSERT INTO tableName VALUE item" '
         "instead"),
        ("DELETE FROM t WHERE a = 1 RETURNING ALL OLD", "Expected '*' after ( MODIFIED | ALL ) "
         "( NEW | OLD ) in RETURNING clause"),
    ],
)  # fmt: skip
def test_refusals(text, message):
    with pytest.raises(ValidationException) as refused:
        parse(text)
    assert refused.value.message == message


def test_literals_become_attribute_values():
    item = parse(
        "INSERT INTO t VALUE {'n': 1.50, 'neg': -2, 's': 'it''s', 'b': true, "
        "'z': null, 'ns': <<3, 1>>, 'ss': <<'a'>>, 'l': [?, {}]}"
    ).statement.item
    value = value_of(item, [{"B": "AQ=="}])
    assert value == {"M": {
        "n": {"N": "1.5"}, "neg": {"N": "-2"}, "s": {"S": "it's"}, "b": {"BOOL": True},
        "z": {"NULL": True}, "ns": {"NS": ["3", "1"]}, "ss": {"SS": ["a"]},
        "l": {"L": [{"B": "AQ=="}, {"M": {}}]}}}  # fmt: skip
    for bag, message in (("<<1, 'a'>>", "Unsupported data type in Bag"),
                         ("<<1, 1.0>>", "Input collection contains duplicates")):  # fmt: skip
        node = parse(f"INSERT INTO t VALUE {{'s': {bag}}}").statement.item
        with pytest.raises(ValidationException, match=message):
            value_of(node, [])


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM t WHERE " + "(" * 3000 + "a = 1" + ")" * 3000,
        "SELECT * FROM t WHERE " + "NOT " * 3000 + "a = 1",
        "INSERT INTO t VALUE {'a': " + "[" * 3000 + "]" * 3000 + "}",
        "UPDATE t SET a = " + " + ".join(["1"] * 3000) + " WHERE pk = 1",
    ],
)
def test_deep_nesting_is_refused_not_recursed_into(text):
    with pytest.raises(ValidationException) as refused:
        parse(text)
    assert refused.value.message == MALFORMED + "Statement is nested too deeply"
