"""REST API throughput: the same no-op function behind a REST API's Lambda proxy
integration (AWS_PROXY, `ANY /{proxy+}`) and behind an HTTP API route (quick create, payload
2.0), and a REST API MOCK integration (no function), all loaded by the same wrk in one run
against one server.

    python bench/rest_api.py [--seconds 10] [--connections 16]

Needs wrk (Debian package `wrk`). Targets (issue 18): REST AWS_PROXY requests/s >= 0.8x the
HTTP API's; REST MOCK >= 1x the HTTP API's (no environment involved).
"""

from __future__ import annotations

import argparse
import shutil

from _harness import client, create_function, http_api, lambda_client, overcast_process
from http_throughput import wrk

NOOP = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"
PROXY_TARGET, MOCK_TARGET = 0.8, 1.0


def rest_api(endpoint: str, functions, name: str) -> str:
    """A REST API with `ANY /{proxy+}` proxied to function `name` and `GET /mock` a MOCK
    integration, deployed to `prod`: its base URL (LocalStack's path form)."""
    arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    apigw = client(endpoint, "apigateway")
    api = apigw.create_rest_api(name=name)
    api_id, root = api["id"], api["rootResourceId"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    mock = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="mock")["id"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
    apigw.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY",
                     authorizationType="NONE")  # fmt: skip
    apigw.put_integration(restApiId=api_id, resourceId=proxy, httpMethod="ANY",
                          type="AWS_PROXY", integrationHttpMethod="POST", uri=uri)  # fmt: skip
    apigw.put_method(restApiId=api_id, resourceId=mock, httpMethod="GET",
                     authorizationType="NONE")  # fmt: skip
    apigw.put_integration(
        restApiId=api_id,
        resourceId=mock,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(restApiId=api_id, resourceId=mock, httpMethod="GET",
                              statusCode="200")  # fmt: skip
    apigw.put_integration_response(
        restApiId=api_id,
        resourceId=mock,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"ok": true}'},
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    region, account = arn.split(":")[3:5]
    functions.add_permission(
        FunctionName=name, StatementId="rest-api", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*",
    )  # fmt: skip
    return f"{endpoint}/restapis/{api_id}/prod/_user_request_"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with overcast_process() as (endpoint, process):
        functions = lambda_client(endpoint)
        create_function(functions, "noop", NOOP)
        http_url = http_api(endpoint, functions, "noop") + "/"
        rest_url = rest_api(endpoint, functions, "noop")
        wrk(http_url, 2, args.connections)  # warm the environments up
        wrk(f"{rest_url}/warm", 2, args.connections)
        http = wrk(http_url, args.seconds, args.connections, process.pid)
        proxy = wrk(f"{rest_url}/items", args.seconds, args.connections, process.pid)
        mock = wrk(f"{rest_url}/mock", args.seconds, args.connections, process.pid)
    for label, result in (("HTTP API", http), ("REST AWS_PROXY", proxy), ("REST MOCK", mock)):
        print(
            f"{label:<15}: {result['rate']:8.0f} req/s  p99 {result['p99']}  "
            f"non-2xx {result['non_2xx']}  socket errors {result['socket_errors']}  "
            f"server CPU {result['server_us']:.0f} us/request"
        )
    print(f"ratio REST AWS_PROXY / HTTP API: {proxy['rate'] / http['rate']:.2f}x"
          f"   target >= {PROXY_TARGET}x")  # fmt: skip
    print(f"ratio REST MOCK / HTTP API: {mock['rate'] / http['rate']:.2f}x"
          f"   target >= {MOCK_TARGET}x")  # fmt: skip


if __name__ == "__main__":
    main()
