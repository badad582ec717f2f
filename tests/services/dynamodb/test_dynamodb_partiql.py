"""PartiQL through boto3: ExecuteStatement (SELECT as Query or Scan, paging, INSERT / UPDATE /
DELETE with DynamoDB's refusals), BatchExecuteStatement (per-statement errors) and
ExecuteTransaction (all or nothing, cancellation reasons, reads)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def run(ddb, statement: str, *parameters: dict, **extra) -> dict:
    if parameters:
        extra["Parameters"] = list(parameters)
    return ddb.execute_statement(Statement=statement, **extra)


def S(text: str) -> dict:
    return {"S": text}


def N(text: str) -> dict:
    return {"N": text}


@pytest.fixture
def songs(ddb, make_table) -> str:
    """A pk/sk table with three items in partition "a" and one in "b"."""
    name = make_table("N")
    for pk, sk, genre in (("a", "1", "rock"), ("a", "2", "jazz"), ("a", "3", "rock"),
                          ("b", "1", "rock")):  # fmt: skip
        ddb.put_item(TableName=name, Item={"pk": S(pk), "sk": N(sk), "genre": S(genre),
                                            "tags": {"L": [S("x"), S(genre)]}})  # fmt: skip
    return name


def test_select_queries_a_partition_and_filters(ddb, songs):
    found = run(ddb, f"SELECT sk, tags[1] FROM \"{songs}\" WHERE pk = ? AND genre = 'rock'", S("a"))
    assert found["Items"] == [{"sk": N("1"), "tags": {"L": [S("rock")]}},
                              {"sk": N("3"), "tags": {"L": [S("rock")]}}]  # fmt: skip
    ordered = run(ddb, f"SELECT sk FROM \"{songs}\" WHERE pk = 'a' ORDER BY sk DESC")
    assert [item["sk"]["N"] for item in ordered["Items"]] == ["3", "2", "1"]
    either = run(ddb, f"SELECT * FROM \"{songs}\" WHERE pk IN ['b', 'a'] AND sk BETWEEN 1 AND 2")
    assert sorted((i["pk"]["S"], i["sk"]["N"]) for i in either["Items"]) == [
        ("a", "1"), ("a", "2"), ("b", "1")]  # fmt: skip


def test_select_scans_with_conditions_and_functions(ddb, songs):
    def keys(where: str, *parameters: dict) -> list:
        items = run(ddb, f'SELECT pk, sk FROM "{songs}" WHERE {where}', *parameters)["Items"]
        return sorted((i["pk"]["S"], i["sk"]["N"]) for i in items)

    assert keys("genre <> 'rock'") == [("a", "2")]
    assert keys("begins_with(genre, ?) AND sk > 1", S("ro")) == [("a", "3")]
    assert keys("contains(tags, 'jazz') OR NOT (sk < 3)") == [("a", "2"), ("a", "3")]
    assert keys("missing_attr IS MISSING AND size(tags) = 2 AND tags[0] = 'x'") == [
        ("a", "1"), ("a", "2"), ("a", "3"), ("b", "1")]  # fmt: skip
    assert keys("genre IS NOT MISSING AND attribute_type(genre, 'N')") == []


def test_select_pages_with_limit_and_next_token(ddb, songs):
    statement = f"SELECT sk FROM \"{songs}\" WHERE pk = 'a'"
    first = run(ddb, statement, Limit=2)
    assert [i["sk"]["N"] for i in first["Items"]] == ["1", "2"]
    second = run(ddb, statement, Limit=2, NextToken=first["NextToken"])
    assert [i["sk"]["N"] for i in second["Items"]] == ["3"]
    other = error(ddb.execute_statement, Statement=f'SELECT * FROM "{songs}"',
                  NextToken=first["NextToken"])  # fmt: skip
    assert other["Message"] == "NextToken does not match request"
    assert error(ddb.execute_statement, Statement=statement, NextToken="nonsense!")[
        "Message"] == "Invalid NextToken"  # fmt: skip


def test_insert_update_delete_with_returning(ddb, make_table):
    name = make_table()
    run(ddb, f"INSERT INTO \"{name}\" VALUE {{'pk': ?, 'n': 1, 's': <<'a', 'b'>>, "
             "'m': {'l': [1, 'two', true, null]}}", S("k"))  # fmt: skip
    item = ddb.get_item(TableName=name, Key={"pk": S("k")})["Item"]
    assert item["m"] == {"M": {"l": {"L": [N("1"), S("two"), {"BOOL": True}, {"NULL": True}]}}}
    assert sorted(item["s"]["SS"]) == ["a", "b"]
    duplicate = error(ddb.execute_statement,
                      Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'k'}}")  # fmt: skip
    assert duplicate == {"Code": "DuplicateItemException",
                         "Message": "Duplicate primary key exists in table"}  # fmt: skip
    changed = run(ddb, f"UPDATE \"{name}\" SET n = n + 2 SET s = set_add(s, <<'c'>>) "
                       "REMOVE m WHERE pk = 'k' RETURNING MODIFIED NEW *")  # fmt: skip
    assert changed["Items"][0]["n"] == N("3")
    assert sorted(changed["Items"][0]["s"]["SS"]) == ["a", "b", "c"]
    assert "m" not in ddb.get_item(TableName=name, Key={"pk": S("k")})["Item"]
    refused = error(
        ddb.execute_statement,
        Statement=f"UPDATE \"{name}\" SET n = 5 WHERE pk = 'k' AND n = 99",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert refused["Code"] == "ConditionalCheckFailedException"
    missing = error(ddb.execute_statement, Statement=f"UPDATE \"{name}\" SET n = 5 "
                    "WHERE pk = 'nobody'")  # fmt: skip
    assert missing["Code"] == "ConditionalCheckFailedException"
    assert run(ddb, f"DELETE FROM \"{name}\" WHERE pk = 'nobody'")["Items"] == []
    gone = run(ddb, f"DELETE FROM \"{name}\" WHERE pk = 'k' RETURNING ALL OLD *")["Items"]
    assert gone[0]["n"] == N("3")
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": S("k")})


def test_condition_failure_returns_the_item_when_asked(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": S("k"), "n": N("1")})
    with pytest.raises(ClientError) as caught:
        ddb.execute_statement(Statement=f"DELETE FROM \"{name}\" WHERE pk = 'k' AND n = 2",
                              ReturnValuesOnConditionCheckFailure="ALL_OLD")  # fmt: skip
    assert caught.value.response["Item"] == {"pk": S("k"), "n": N("1")}


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "DROP TABLE x",
            "Statement wasn't well formed, can't be processed: Expected data manipulation",
        ),
        (
            'SELECT * FROM "{t}" WHERE pad = 1',
            "Statement wasn't well formed, can't be processed: Unexpected keyword",
        ),
        (
            'UPDATE "{t}" SET a = 1 WHERE a = 2',
            "Where clause does not contain a mandatory equality on all key attributes",
        ),
        (
            'DELETE FROM "{t}" WHERE pk = 1',
            "Key attribute's data type should match its data type in table's schema: Key pk",
        ),
        (
            'SELECT * FROM "{t}" WHERE pk = ?',
            "Number of parameters in request and statement don't match.",
        ),
        (
            "EXISTS(SELECT * FROM \"{t}\" WHERE pk = 'a')",
            "EXISTS can only be used in ExecuteTransaction write requests.",
        ),
        (
            'UPDATE "{t}"."i" SET a = 1 WHERE pk = \'a\'',
            "This operation is not supported on an index",
        ),
        ("INSERT INTO \"{t}\" VALUE {{'pk': 'a', 's': <<>>}}", "Empty bags are not supported"),
    ],
)
def test_refusals_in_dynamodbs_words(ddb, make_table, statement, message):
    name = make_table()
    found = error(ddb.execute_statement, Statement=statement.format(t=name))
    assert found == {"Code": "ValidationException", "Message": message}


def test_missing_table(ddb):
    found = error(ddb.execute_statement, Statement='SELECT * FROM "no-such-table"')
    assert found["Code"] == "ResourceNotFoundException"


def test_batch_answers_each_statement(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": S("old"), "n": N("1")})
    writes = [
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': ?}}", "Parameters": [S("new")]},
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'old'}}"},
        {"Statement": "NOT A STATEMENT"},
        {"Statement": f"UPDATE \"{name}\" SET n = 2 WHERE pk = 'x' AND n = 1",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
    ]  # fmt: skip
    answers = ddb.batch_execute_statement(Statements=writes)["Responses"]
    assert answers[0] == {"TableName": name}
    assert answers[1] == {
        "TableName": name,
        "Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
    }
    assert answers[2]["Error"]["Code"] == "ValidationError"
    assert answers[3]["Error"]["Code"] == "ConditionalCheckFailed"
    reads = [
        {"Statement": f'SELECT n FROM "{name}" WHERE pk = ?', "Parameters": [S(pk)]}
        for pk in ("old", "none")
    ] + [{"Statement": f'SELECT * FROM "{name}"'}]
    answers = ddb.batch_execute_statement(Statements=reads)["Responses"]
    assert answers[0] == {"TableName": name, "Item": {"n": N("1")}}
    assert answers[1] == {"TableName": name}
    assert answers[2]["Error"]["Message"] == (
        "Select statements within BatchExecuteStatement must specify the primary key in the "
        "where clause.")  # fmt: skip
    mixed = error(ddb.batch_execute_statement, Statements=[reads[0], writes[0]])
    assert mixed["Message"] == (
        "Read and write requests together in the same batch is not supported."
    )
    twice = error(ddb.batch_execute_statement, Statements=[writes[0], writes[0]])
    assert twice["Message"] == "Provided list of item keys contains duplicates"


def test_transaction_is_all_or_nothing(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": S("a"), "n": N("1")})
    ddb.put_item(TableName=name, Item={"pk": S("b"), "n": N("1")})
    statements = [
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'c'}}"},
        {"Statement": f"UPDATE \"{name}\" SET n = n + 1 WHERE pk = 'a'"},
        {"Statement": f"EXISTS(SELECT * FROM \"{name}\" WHERE pk = 'b' AND n > 5)"},
    ]
    with pytest.raises(ClientError) as caught:
        ddb.execute_transaction(TransactStatements=statements)
    reasons = caught.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": S("c")})
    statements[2] = {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'b'}}"}
    with pytest.raises(ClientError) as caught:
        ddb.execute_transaction(TransactStatements=statements)
    assert caught.value.response["CancellationReasons"][2]["Code"] == "DuplicateItem"
    statements.pop()
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="t1")
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="t1")
    assert ddb.get_item(TableName=name, Key={"pk": S("a")})["Item"]["n"] == N("2")
    assert "Item" in ddb.get_item(TableName=name, Key={"pk": S("c")})


def test_transaction_reads_and_refusals(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": S("a"), "n": N("1")})
    reads = [{"Statement": f"SELECT n FROM \"{name}\" WHERE pk = ?", "Parameters": [S(pk)]}
             for pk in ("a", "b")]  # fmt: skip
    answers = ddb.execute_transaction(TransactStatements=reads)["Responses"]
    assert answers == [{"Item": {"n": N("1")}}, {}]
    write = {"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'a'"}
    mixed = error(ddb.execute_transaction, TransactStatements=[reads[0], write])
    assert mixed["Message"] == ("ExecuteTransaction API does not support both read and write "
                                "operations in the same request.")  # fmt: skip
    scan = error(ddb.execute_transaction,
                 TransactStatements=[{"Statement": f'SELECT * FROM "{name}"'}])  # fmt: skip
    assert scan["Message"] == ("Select statements within ExecuteTransaction must specify the "
                               "primary key in the where clause.")  # fmt: skip


def test_hostile_input_gets_a_validation_error(ddb, make_table):
    name = make_table()
    for statement, parameters in (
        (f'SELECT * FROM "{name}" WHERE pk = ?', [{"N": "not a number"}]),
        (f"INSERT INTO \"{name}\" VALUE {{'pk': ?}}", [{"S": "a", "N": "1"}]),
        (f'INSERT INTO "{name}" VALUE ?', [S("not a map")]),
        (f'SELECT * FROM "{name}" WHERE ' + "(" * 500 + "a = 1" + ")" * 500, None),
        (f"UPDATE \"{name}\" SET pk = 'b' WHERE pk = 'a'", None),
    ):
        extra = {"Parameters": parameters} if parameters else {}
        found = error(ddb.execute_statement, Statement=statement, **extra)
        assert found["Code"] == "ValidationException", statement
