"""How a stack is shown: its events as they arrive, its outputs, and the endpoints to call (HTTP
APIs, REST APIs' stages, function URLs) as URLs that work against the server the CLI talks to."""

from __future__ import annotations

from typing import Any

from overcast.cli.client import CliContext, error_code
from overcast.cli.errors import CommandError

POLL_S = 0.1


def event_line(event: dict) -> str:
    """`12:00:01 CREATE_COMPLETE  AWS::Lambda::Function  Hello  [reason]`."""
    when = event["Timestamp"].strftime("%H:%M:%S")
    reason = event.get("ResourceStatusReason")
    tail = f"  {reason}" if reason else ""
    status, kind = event["ResourceStatus"], event["ResourceType"]
    return f"{when}  {status:<20} {kind:<36} {event['LogicalResourceId']}{tail}\n"


def outputs(stack: dict) -> list[tuple[str, str]]:
    return [(o["OutputKey"], o.get("OutputValue", "")) for o in stack.get("Outputs", [])]


def resources(cf: Any, name: str) -> list[dict]:
    listed: list[dict] = []
    for page in cf.get_paginator("list_stack_resources").paginate(StackName=name):
        listed.extend(page["StackResourceSummaries"])
    return listed


def endpoints(ctx: CliContext, stack_resources: list[dict]) -> list[tuple[str, str]]:
    """(logical id, URL) of each API and function URL the stack made."""
    found = []
    for resource in stack_resources:
        physical = resource.get("PhysicalResourceId")
        if not physical or resource.get("ResourceStatus", "").startswith("DELETE"):
            continue
        for url in _urls(ctx, resource["ResourceType"], physical):
            found.append((resource["LogicalResourceId"], url))
    return found


def _urls(ctx: CliContext, kind: str, physical: str) -> list[str]:
    try:
        if kind == "AWS::ApiGatewayV2::Api":
            return _http_api_urls(ctx.client("apigatewayv2"), physical)
        if kind == "AWS::ApiGateway::RestApi":
            stages = ctx.client("apigateway").get_stages(restApiId=physical)["item"]
            # Overcast serves a REST API's stage at this path (no DNS for execute-api hosts).
            base = f"{ctx.endpoint}/restapis/{physical}"
            return [f"{base}/{stage['stageName']}/_user_request_/" for stage in stages]
        if kind == "AWS::Lambda::Url":
            url = ctx.client("lambda").get_function_url_config(FunctionName=physical)
            return [url["FunctionUrl"]]
    except Exception as error:
        if error_code(error) is None:
            raise
    return []  # gone meanwhile, or not ours to read: nothing to call


def _http_api_urls(client: Any, api_id: str) -> list[str]:
    """The API's endpoint, then `GET <endpoint>/path` for each route with a method and path."""
    base = client.get_api(ApiId=api_id)["ApiEndpoint"]
    routes = []
    for page in client.get_paginator("get_routes").paginate(ApiId=api_id):
        routes.extend(route["RouteKey"] for route in page["Items"])
    paths = sorted(key.split(" ", 1) for key in routes if " /" in key)
    return [base, *(f"{method} {base}{path}" for method, path in paths)]


def print_stack(ctx: CliContext, name: str) -> None:
    """The stack's outputs, then its endpoints."""
    cf = ctx.client("cloudformation")
    stack = cf.describe_stacks(StackName=name)["Stacks"][0]
    listed = outputs(stack)
    if listed:
        ctx.out.write("Outputs:\n")
        ctx.out.write("".join(f"  {key}: {value}\n" for key, value in listed))
    urls = endpoints(ctx, resources(cf, name))
    if urls:
        ctx.out.write("Endpoints:\n")
        ctx.out.write("".join(f"  {key}: {url}\n" for key, url in urls))


def delete_and_wait(cf: Any, name: str, ctx: CliContext) -> None:
    """Delete the stack and wait for DELETE_COMPLETE (the stack then no longer answers by
    name), printing its events; a failed delete is an error."""
    stack_id = cf.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    before = cf.describe_stack_events(StackName=stack_id)["StackEvents"]
    seen = {event["EventId"] for event in before}
    cf.delete_stack(StackName=stack_id)
    while True:
        stack = cf.describe_stacks(StackName=stack_id)["Stacks"][0]
        events = cf.describe_stack_events(StackName=stack_id)["StackEvents"]
        for event in reversed(events):
            if event["EventId"] not in seen:
                ctx.out.write(event_line(event))
            seen.add(event["EventId"])
        status = stack["StackStatus"]
        if status == "DELETE_COMPLETE":
            return
        if status == "DELETE_FAILED":
            raise CommandError(f"{name}: DELETE_FAILED: {stack.get('StackStatusReason', '')}")
        ctx.sleep(POLL_S)
