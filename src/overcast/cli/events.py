"""`overcast events`: EventBridge rules that run functions, through the `events` API.

overcast events ls [--bus BUS]
overcast events rule NAME (--schedule EXPR | --pattern JSON) --target FUNCTION [--input JSON]
overcast events rm NAME
overcast events put --source S --detail-type T --detail JSON
"""

from __future__ import annotations

import argparse
import json
import re

from overcast.cli.client import CliContext
from overcast.cli.errors import CommandError
from overcast.cli.functions import table

COLUMNS = ("NAME", "STATE", "SCHEDULE OR PATTERN", "TARGETS")
_NOT_IN_ID = re.compile(r"[^.\-_A-Za-z0-9]")


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "events",
        help="EventBridge rules: schedules and event patterns that run functions",
        description="Manage EventBridge rules that send events to functions.",
    )
    commands = parser.add_subparsers(metavar="ACTION", required=True)

    listing = commands.add_parser("ls", parents=parents, help="list the rules of a bus")
    _bus_option(listing)
    listing.set_defaults(command=run_ls)

    rule = commands.add_parser(
        "rule", parents=parents, help="create or replace a rule that runs a function"
    )
    rule.add_argument("name", metavar="NAME", help="rule name")
    trigger = rule.add_mutually_exclusive_group(required=True)
    trigger.add_argument("--schedule", metavar="EXPR", help="rate(5 minutes) or cron(0 12 * * ? *)")
    trigger.add_argument("--pattern", metavar="JSON", help='event pattern: {"source": ["shop"]}')
    rule.add_argument("--target", metavar="FUNCTION", required=True, help="function name or ARN")
    rule.add_argument("--input", metavar="JSON", help="send this JSON instead of the event")
    rule.add_argument("--disabled", action="store_true", help="create the rule disabled")
    _bus_option(rule)
    rule.set_defaults(command=run_rule)

    remove = commands.add_parser("rm", parents=parents, help="delete a rule and its targets")
    remove.add_argument("name", metavar="NAME", help="rule name")
    _bus_option(remove)
    remove.set_defaults(command=run_rm)

    put = commands.add_parser("put", parents=parents, help="put an event on a bus")
    put.add_argument("--source", required=True, help="the event's source")
    put.add_argument("--detail-type", required=True, help="the event's detail-type")
    put.add_argument("--detail", default="{}", metavar="JSON", help="the event's detail")
    _bus_option(put)
    put.set_defaults(command=run_put)


def _bus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bus", default="default", help="event bus name (default: default)")


def run_ls(args: argparse.Namespace, ctx: CliContext) -> int:
    events = ctx.client("events")
    rules = []
    for page in events.get_paginator("list_rules").paginate(EventBusName=args.bus):
        rules.extend(page.get("Rules", []))
    rows = [_row(events, rule, args.bus) for rule in rules]
    ctx.out.write(table(COLUMNS, rows))
    return 0


def run_rule(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.input is not None:
        _check_json(args.input, "--input")
    if args.pattern is not None:
        _check_json(args.pattern, "--pattern")
    function_arn = ctx.client("lambda").get_function_configuration(FunctionName=args.target)[
        "FunctionArn"
    ]
    events = ctx.client("events")
    rule = {"EventPattern": args.pattern} if args.pattern else {"ScheduleExpression": args.schedule}
    arn = events.put_rule(
        Name=args.name,
        EventBusName=args.bus,
        State="DISABLED" if args.disabled else "ENABLED",
        **rule,
    )["RuleArn"]
    _allow_rule(ctx.client("lambda"), function_arn, arn)
    target = {"Id": target_id(args.target), "Arn": function_arn}
    if args.input is not None:
        target["Input"] = args.input
    answer = events.put_targets(Rule=args.name, EventBusName=args.bus, Targets=[target])
    if answer.get("FailedEntryCount"):
        failure = answer["FailedEntries"][0]
        raise CommandError(f"{failure['ErrorCode']}: {failure['ErrorMessage']}")
    ctx.out.write(f"rule {args.name} ({arn}) -> {function_arn}\n")
    return 0


def run_rm(args: argparse.Namespace, ctx: CliContext) -> int:
    events = ctx.client("events")
    # EventBridge refuses to delete a rule that still has targets.
    targets = events.list_targets_by_rule(Rule=args.name, EventBusName=args.bus)["Targets"]
    if targets:
        ids = [target["Id"] for target in targets]
        events.remove_targets(Rule=args.name, EventBusName=args.bus, Ids=ids)
    events.delete_rule(Name=args.name, EventBusName=args.bus)
    ctx.out.write(f"deleted rule {args.name}\n")
    return 0


def run_put(args: argparse.Namespace, ctx: CliContext) -> int:
    entry = {
        "Source": args.source,
        "DetailType": args.detail_type,
        "Detail": args.detail,
        "EventBusName": args.bus,
    }
    [result] = ctx.client("events").put_events(Entries=[entry])["Entries"]
    if "ErrorCode" in result:
        ctx.err.write(f"error: {result['ErrorCode']}: {result['ErrorMessage']}\n")
        return 1
    ctx.out.write(f"{result['EventId']}\n")
    return 0


def _allow_rule(functions, function_arn: str, rule_arn: str) -> None:  # noqa: ANN001
    """Let the rule invoke the function, as the EventBridge console does when it adds a
    function target: EventBridge invokes only what the function's resource-based policy
    allows (`events.amazonaws.com`, the rule's ARN as SourceArn). Kept if already there."""
    rule = rule_arn.split(":rule/", 1)[-1]  # `name`, or `bus/name` on a custom bus
    statement_id = "AWSEvents_" + re.sub(r"[^A-Za-z0-9_-]", "-", rule)[:90]
    try:
        functions.add_permission(
            FunctionName=function_arn,
            StatementId=statement_id,
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=rule_arn,
        )
    except functions.exceptions.ResourceConflictException:
        pass  # the rule was made before: its statement is there


def target_id(function: str) -> str:
    """A target Id from a function name or ARN (Ids allow letters, digits, `.`, `-`, `_`)."""
    name = function.split(":function:", 1)[-1]
    return _NOT_IN_ID.sub("-", name)[:64]


def _row(events, rule: dict, bus: str) -> tuple[str, ...]:  # noqa: ANN001 (a boto3 client)
    targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
    trigger = rule.get("ScheduleExpression") or rule.get("EventPattern") or "-"
    names = ", ".join(target["Arn"].split(":function:", 1)[-1] for target in targets)
    return (rule["Name"], rule.get("State", "-"), trigger, names or "-")


def _check_json(text: str, option: str) -> None:
    try:
        json.loads(text)
    except ValueError as exc:
        raise CommandError(f"{option} is not valid JSON: {exc}") from None
