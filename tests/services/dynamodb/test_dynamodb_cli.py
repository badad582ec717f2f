"""The AWS CLI, unchanged, against DynamoDB on the server: the commands of AWS's getting-started
guide (create-table, wait table-exists, put-item, query with a key condition expression,
update-item, scan, delete-table)."""

from __future__ import annotations

import json
import uuid

from cli.aws_cli import aws, needs_aws_cli


@needs_aws_cli
def test_the_getting_started_commands(server):
    name = f"Music-{uuid.uuid4().hex[:8]}"
    created = aws(
        server, "dynamodb", "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
        "AttributeName=SongTitle,AttributeType=S",
        "--key-schema", "AttributeName=Artist,KeyType=HASH",
        "AttributeName=SongTitle,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
    )  # fmt: skip
    assert created["TableDescription"]["TableName"] == name
    aws(server, "dynamodb", "wait", "table-exists", "--table-name", name)
    for title, year in (("Call Me Today", "2015"), ("Howdy", "2020"), ("Somewhat Famous", "2019")):
        item = {"Artist": {"S": "No One You Know"}, "SongTitle": {"S": title}, "Year": {"N": year}}
        aws(server, "dynamodb", "put-item", "--table-name", name, "--item", json.dumps(item))
    found = aws(
        server, "dynamodb", "query", "--table-name", name,
        "--key-condition-expression", "Artist = :name AND begins_with(SongTitle, :prefix)",
        "--expression-attribute-values",
        '{":name": {"S": "No One You Know"}, ":prefix": {"S": "S"}}',
        "--projection-expression", "SongTitle, #y", "--expression-attribute-names",
        '{"#y": "Year"}',
    )  # fmt: skip
    assert found["Items"] == [{"SongTitle": {"S": "Somewhat Famous"}, "Year": {"N": "2019"}}]
    assert found["Count"] == 1 and found["ScannedCount"] == 1
    updated = aws(
        server, "dynamodb", "update-item", "--table-name", name,
        "--key", '{"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Howdy"}}',
        "--update-expression", "SET Plays = if_not_exists(Plays, :zero) + :one",
        "--expression-attribute-values", '{":zero": {"N": "0"}, ":one": {"N": "1"}}',
        "--return-values", "UPDATED_NEW",
    )  # fmt: skip
    assert updated["Attributes"] == {"Plays": {"N": "1"}}
    scanned = aws(server, "dynamodb", "scan", "--table-name", name, "--select", "COUNT")
    assert scanned["Count"] == 3
    aws(server, "dynamodb", "delete-table", "--table-name", name)
    listed = aws(server, "dynamodb", "list-tables")
    assert name not in listed["TableNames"]
