"""`overcast events` in-process against the real server (the `server` fixture), and the AWS CLI's
`aws events` unchanged."""

from __future__ import annotations

import io
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from overcast.cli.client import boto3_client
from overcast.cli.events import target_id
from overcast.cli.main import main
from support import RunningServer, deploy

from .test_aws_cli import aws


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def signs_for_the_server(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process CLI signs with the server's root key, as after `overcast server` said."""
    monkeypatch.setenv("OVERCAST_DATA_DIR", str(server.data_dir))


def overcast(server: RunningServer, *argv: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--endpoint-url", server.endpoint, *argv], client_factory=boto3_client, out=out, err=err
    )
    return Result(code, out.getvalue(), err.getvalue())


def test_rule_ls_put_rm(server, lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(event, context):\n    return event\n")
    pattern = json.dumps({"source": [function_name]})

    made = overcast(
        server, "events", "rule", function_name, "--pattern", pattern, "--target", function_name
    )
    assert made.code == 0, made.err
    assert made.out.startswith(f"rule {function_name} (arn:aws:events:us-east-1:000000000000:rule/")
    # As the console does, the rule may invoke its target: the function's policy says so.
    [statement] = json.loads(lambda_client.get_policy(FunctionName=function_name)["Policy"])[
        "Statement"
    ]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        f"arn:aws:events:us-east-1:000000000000:rule/{function_name}"
    )
    again = overcast(  # replacing the rule keeps the one statement
        server, "events", "rule", function_name, "--pattern", pattern, "--target", function_name
    )
    assert again.code == 0, again.err
    policy = json.loads(lambda_client.get_policy(FunctionName=function_name)["Policy"])
    assert len(policy["Statement"]) == 1

    listed = overcast(server, "events", "ls")
    row = next(line for line in listed.out.splitlines() if line.startswith(function_name))
    assert row.split()[1] == "ENABLED" and row.endswith(function_name)

    put = overcast(
        server,
        "events",
        "put",
        "--source",
        function_name,
        "--detail-type",
        "t",
        "--detail",
        '{"a": 1}',
    )
    assert put.code == 0 and len(put.out.strip()) == 36  # the EventId, a UUID

    bad = overcast(
        server, "events", "put", "--source", "s", "--detail-type", "t", "--detail", "nope"
    )
    assert bad.code == 1 and bad.err == "error: MalformedDetail: Detail is malformed.\n"

    removed = overcast(server, "events", "rm", function_name)
    assert removed.code == 0 and removed.out == f"deleted rule {function_name}\n"
    assert function_name not in overcast(server, "events", "ls").out


def test_schedule_rule_with_input(server, lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(event, context):\n    return event\n")
    made = overcast(
        server, "events", "rule", function_name, "--schedule", "rate(1 hour)",
        "--target", function_name, "--input", '{"job": "nightly"}', "--disabled",
    )  # fmt: skip
    assert made.code == 0, made.err
    events = server.client("events")
    assert events.describe_rule(Name=function_name)["State"] == "DISABLED"
    [target] = events.list_targets_by_rule(Rule=function_name)["Targets"]
    assert target == {
        "Id": function_name,
        "Arn": f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}",
        "Input": '{"job": "nightly"}',
    }
    overcast(server, "events", "rm", function_name)


def test_bad_input_is_one_error_line(server, lambda_client, function_name) -> None:
    deploy(lambda_client, function_name, "def handler(event, context):\n    return event\n")
    cron = overcast(
        server, "events", "rule", "r", "--schedule", "cron(0 12 * * * *)", "--target", function_name
    )
    assert cron.code == 1
    assert cron.err == "error: ValidationException: Parameter ScheduleExpression is not valid.\n"
    missing = overcast(
        server, "events", "rule", "r", "--schedule", "rate(1 hour)", "--target", "nope-fn"
    )
    assert missing.code == 1 and missing.err.startswith("error: ResourceNotFoundException")
    not_json = overcast(server, "events", "rule", "r", "--pattern", "{", "--target", function_name)
    assert not_json.code == 1 and not_json.err.startswith("error: --pattern is not valid JSON")


def test_target_ids_are_made_of_allowed_characters() -> None:
    assert target_id("arn:aws:lambda:us-east-1:000000000000:function:f:live") == "f-live"
    assert target_id("plain_name.1") == "plain_name.1"


@pytest.mark.skipif(
    shutil.which("aws") is None and not Path(sys.executable).with_name("aws").exists(),
    reason="the AWS CLI is not installed",
)
def test_aws_cli_events(server, function_name) -> None:
    arn = aws(
        server, "events", "put-rule", "--name", function_name,
        "--schedule-expression", "cron(0 12 ? * MON-FRI *)",
    )["RuleArn"]  # fmt: skip
    assert arn.endswith(f":rule/{function_name}")
    described = aws(server, "events", "describe-rule", "--name", function_name)
    assert described["ScheduleExpression"] == "cron(0 12 ? * MON-FRI *)"
    target = json.dumps(
        [{"Id": "t", "Arn": f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"}]
    )
    assert (
        aws(server, "events", "put-targets", "--rule", function_name, "--targets", target)[
            "FailedEntryCount"
        ]
        == 0
    )
    entries = json.dumps([{"Source": "cli", "DetailType": "t", "Detail": "{}"}])
    assert aws(server, "events", "put-events", "--entries", entries)["FailedEntryCount"] == 0
    aws(server, "events", "remove-targets", "--rule", function_name, "--ids", "t")
    aws(server, "events", "delete-rule", "--name", function_name)
    listed = aws(server, "events", "list-rules", "--name-prefix", function_name)
    assert listed["Rules"] == []
