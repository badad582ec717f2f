"""`overcast info`: what the serverless.yml service in the current folder has deployed, laid out
as `serverless info` prints it (lib/plugins/aws/info/: get-stack-info.js, display.js):

    service: notes
    stage: dev
    region: us-east-1
    stack: notes-dev
    endpoints:
      POST - http://127.0.0.1:9000/execute-api/abc123/notes
      GET - http://127.0.0.1:9000/execute-api/abc123/notes/{id}
    functions:
      create: notes-dev-create
      get: notes-dev-get

The endpoints come from the stack's outputs (HttpApiUrl, ServiceEndpoint, ServiceEndpointWebsocket,
each function's <Fn>LambdaFunctionUrl), one line per route the service's events declare.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any

from overcast.cli import serverless_service
from overcast.cli.client import CliContext, error_code
from overcast.cli.errors import CommandError

if TYPE_CHECKING:
    from overcast.deploy.serverless.model import Service

_METHOD_PATH = re.compile(r"^\s*(\S+)\s+(\S+)\s*$")  # `GET /notes/{id}` (an event's short form)
# A REST API stage in API Gateway's host form, as the framework's ServiceEndpoint joins it
_REST_HOST_FORM = re.compile(r"^https://([A-Za-z0-9]+)\.execute-api\.[^/]+/([^/]+)/?$")


def add_parser(subparsers: argparse._SubParsersAction, parents: list) -> None:
    parser = subparsers.add_parser(
        "info",
        parents=parents,
        help="show the serverless.yml service in this folder: endpoints, functions, layers",
        description="As `serverless info`: the service, stage, region and stack, the endpoints "
        "its HTTP events are reached at, its functions with their deployed names, its layers.",
    )
    serverless_service.add_options(parser)
    parser.add_argument("--verbose", action="store_true", help="also print every stack output")
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    service, ctx = serverless_service.load(args, ctx)
    outputs = stack_outputs(ctx.client("cloudformation"), service.stack_name)
    sections: list[tuple[str, str | list[str]]] = [
        ("service", service.name),
        ("stage", service.stage),
        ("region", service.region),
        ("stack", service.stack_name),
    ]
    found = endpoints(service, outputs, ctx.endpoint)
    if len(found) == 1:
        sections.append(("endpoint", found[0]))
    elif found:
        sections.append(("endpoints", found))
    if service.functions:
        names = [f"{key}: {service.function_name(key)}" for key in service.functions]
        sections.append(("functions", names))
    if service.config.get("layers"):
        sections.append(("layers", layers(service, outputs)))
    if args.verbose and outputs:
        sections.append(("Stack Outputs", [f"{key}: {value}" for key, value in outputs.items()]))
    for title, entries in sections:  # write-service-outputs.js
        if isinstance(entries, str):
            ctx.out.write(f"{title}: {entries}\n")
        else:
            ctx.out.write(f"{title}:\n" + "".join(f"  {entry}\n" for entry in entries))
    return 0


def stack_outputs(cf: Any, name: str) -> dict[str, str]:
    """The stack's outputs in order; a missing stack is the framework's error."""
    try:
        stack = cf.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as error:
        if error_code(error) == "ValidationError":
            raise CommandError(f"Stack with id {name} does not exist") from None
        raise
    return {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])}


def endpoints(service: Service, outputs: dict[str, str], server: str) -> list[str]:
    """display.js displayEndpoints: `METHOD - URL` per httpApi / http event under the
    HttpApiUrl / ServiceEndpoint outputs, other endpoint outputs (websockets) as they are, then
    the function URLs (`key: URL`, or the bare URL when it is the service's only endpoint).

    ServiceEndpoint holds API Gateway's host form (`https://<id>.execute-api.<region>.
    amazonaws.com/<stage>`), which names no machine here: the URL shown is where `server`
    serves that stage (`<server>/restapis/<id>/<stage>/_user_request_`), as `overcast deploy`
    shows a SAM template's REST API; `--verbose` still prints the output as it is."""
    from overcast.deploy.serverless.naming import SERVICE_ENDPOINT_OUTPUT, function_url_logical_id

    found: list[str] = []
    for key, url in outputs.items():
        if not SERVICE_ENDPOINT_OUTPUT.match(key):
            continue
        if key == "HttpApiUrl":
            found.extend(f"{method} - {url}{path}" for method, path in _routes(service, "httpApi"))
        elif url.startswith(("https://", "http://")):
            url = _callable(url, server)
            found.extend(f"{method} - {url}{path}" for method, path in _routes(service, "http"))
        else:
            found.append(url)
    urls = [
        (key, outputs[function_url_logical_id(key)])
        for key in service.functions
        if function_url_logical_id(key) in outputs
    ]
    if not found and len(urls) == 1:
        return [urls[0][1]]
    return found + [f"{key}: {url}" for key, url in urls]


def _callable(url: str, server: str) -> str:
    match = _REST_HOST_FORM.match(url)
    if not match:
        return url
    api_id, stage = match.groups()
    return f"{server}/restapis/{api_id}/{stage}/_user_request_"


def layers(service: Service, outputs: dict[str, str]) -> list[str]:
    """`key: arn` for each of the service's `layers:` (its <Layer>LambdaLayerQualifiedArn)."""
    from overcast.deploy.serverless.naming import layer_output_id

    return [f"{key}: {outputs.get(layer_output_id(key))}" for key in service.config["layers"]]


def _routes(service: Service, kind: str) -> list[tuple[str, str]]:
    """(METHOD, path) of every `kind` event of every function, in file order."""
    routes = []
    for function in service.functions.values():
        for event in (function or {}).get("events") or []:
            if isinstance(event, dict) and kind in event:
                routes.append(_http_api_route(event[kind]) if kind == "httpApi" else
                              _rest_route(event[kind]))  # fmt: skip
    return routes


def _http_api_route(config: Any) -> tuple[str, str]:
    """http-api.js: `'*'` is ANY without a path; `GET /x` or {method, path}."""
    if isinstance(config, dict):
        method, path = str(config.get("method", "*")), str(config.get("path", "*"))
    elif str(config).strip() == "*":
        method, path = "*", "*"
    else:
        match = _METHOD_PATH.match(str(config))
        method, path = match.groups() if match else ("*", str(config))
    if path == "*":
        return "ANY", ""
    return ("ANY" if method == "*" else method.upper()), path


def _rest_route(config: Any) -> tuple[str, str]:
    """display.js: `GET hello` or {method, path}; the path shown as `/a/b` ('' for `/`)."""
    if isinstance(config, dict):
        method, path = str(config.get("method", "")), str(config.get("path", "/"))
    else:
        match = _METHOD_PATH.match(str(config))
        method, path = match.groups() if match else ("", str(config))
    parts = [part for part in path.split("/") if part]
    return method.upper(), ("/" + "/".join(parts)) if parts else ""
