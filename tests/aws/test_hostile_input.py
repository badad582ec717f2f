"""Random requests, shaped by botocore's models but with wrong types, nulls, empty and huge
values, broken expressions and unknown names, sent signed through the whole app in-process:
whatever they hold, the answer is the service's error (4xx), never a 500 or an internal
error. A seeded form (a failure repeats) of the fuzzer that found a 500 in DynamoDB's
BatchWriteItem and BatchExecuteStatement (null list members), KMS's Decrypt, Secrets Manager's
tags, filters and PutSecretValue, and API Gateway's API key stage keys."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from urllib.parse import unquote, urlsplit

import botocore.session
import pytest
from botocore import serialize
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, prepare_request_dict
from botocore.credentials import Credentials
from botocore.model import Shape

from support import in_process_platform, root_credentials

ENDPOINT = "http://127.0.0.1:4566"
REQUESTS = 1000  # per service: ~13 s in all here
SERVICES = ("dynamodb", "kms", "secretsmanager", "apigateway", "apigatewayv2", "lambda", "sqs",
            "sns", "events", "logs", "iam", "kinesis", "scheduler")  # fmt: skip
ODD = [None, "", 0, -1, 10**20, [], {}, True, "x" * 2000, 1.5]
STRINGS = ["t", "a", "", "x" * 300, "#n", ":v", "arn:aws:sqs:us-east-1:000000000000:q",
           "alias/x", "{}", "[", "/a/b", "000000000000", "\u00e9\u0000"]  # fmt: skip
TOKENS = ["#n", ":v", "a", "b.c", "a[0]", "=", "<>", "<", "AND", "OR", "NOT", "BETWEEN", "IN",
          "(", ")", ",", "attribute_exists(", "size(", "SET", "REMOVE", "ADD", "DELETE",
          "if_not_exists(", "list_append(", "+", "-", "[", "]", ".", ":", "#"]  # fmt: skip


class Requests:
    """Random parameters for an operation's input shape, from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def value(self, shape: Shape, depth: int = 0) -> object:
        pick = self.random
        if pick.random() < 0.06:
            return pick.choice(ODD)
        kind = shape.type_name
        if kind == "structure":
            return {
                name: self.value(member, depth + 1)
                for name, member in shape.members.items()
                if name in shape.required_members or pick.random() < 0.5
            }
        if kind == "list":
            count = pick.randint(0, 3) if depth < 8 else 0
            return [self.value(shape.member, depth + 1) for _ in range(count)]
        if kind == "map":
            count = pick.randint(0, 3) if depth < 8 else 0
            return {pick.choice(STRINGS): self.value(shape.value, depth + 1) for _ in range(count)}
        if kind == "string":
            if "Expression" in shape.name:
                return " ".join(pick.choice(TOKENS) for _ in range(pick.randint(0, 12)))
            return pick.choice([*shape.enum, "BOGUS"] if shape.enum else STRINGS)
        if kind in ("integer", "long"):
            return pick.choice([0, 1, -1, 25, 2**40])
        if kind == "boolean":
            return pick.choice([True, False])
        if kind == "blob":
            return b"\x00\xff"
        return pick.choice(ODD)


def asgi_request(model, operation: str, params: dict, key: dict) -> tuple | None:
    """(method, path, query, headers, body) of the request botocore would send, signed; None
    where botocore's serializer cannot write these parameters at all."""
    operation_model = model.operation_model(operation)
    try:
        writer = serialize.create_serializer(model.metadata["protocol"], include_validation=False)
        parts = writer.serialize_to_request(params, operation_model)
        prepare_request_dict(parts, ENDPOINT)
        request = AWSRequest(
            method=parts["method"], url=parts["url"], data=parts["body"], headers=parts["headers"]
        )
        signing = model.metadata.get("signingName", model.metadata["endpointPrefix"])
        credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
        SigV4Auth(credentials, signing, "us-east-1").add_auth(request)
        prepared = request.prepare()
    except Exception:  # noqa: BLE001 - a value botocore itself refuses to write
        return None
    body = prepared.body or b""
    body = body.encode() if isinstance(body, str) else body
    if not isinstance(body, bytes):
        return None
    url = urlsplit(prepared.url)
    headers = [(k.lower().encode(), v.encode()) for k, v in prepared.headers.items()]
    headers += [(b"host", b"127.0.0.1:4566"), (b"content-length", str(len(body)).encode())]
    return prepared.method, url.path, url.query, headers, body


async def answer(app, request: tuple) -> tuple[int, bytes]:
    method, path, query, headers, body = request
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "server": ("127.0.0.1", 4566), "client": ("127.0.0.1", 50000), "scheme": "http",
        "root_path": "", "headers": headers, "state": {}, "method": method,
        "path": unquote(path), "raw_path": path.encode(), "query_string": query.encode(),
    }  # fmt: skip
    given: list[bool] = []
    status, sent = [0], bytearray()

    async def receive() -> dict:
        if given:
            await asyncio.Future()  # no disconnect while it is answered
        given.append(True)
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        else:
            sent.extend(message.get("body", b""))

    await asyncio.wait_for(app(scope, receive, send), 30)
    return status[0], bytes(sent)


def broken(status: int, body: bytes) -> bool:
    return status >= 500 or any(
        word in body for word in (b"ServiceException", b"InternalFailure", b"Traceback")
    )


@pytest.mark.timeout(300)
def test_random_requests_get_the_services_errors_never_a_500(tmp_path: Path) -> None:
    session = botocore.session.get_session()
    found: list[str] = []
    with in_process_platform(tmp_path / "data") as platform:
        key = root_credentials(tmp_path / "data")

        async def run() -> None:
            for number, service in enumerate(SERVICES):
                model = session.get_service_model(service)
                requests = Requests(seed=number)
                operations = sorted(model.operation_names)
                for _ in range(REQUESTS):
                    operation = requests.random.choice(operations)
                    shape = model.operation_model(operation).input_shape
                    params = requests.value(shape) if shape is not None else {}
                    if not isinstance(params, dict):
                        continue
                    request = asgi_request(model, operation, params, key)
                    if request is None:
                        continue
                    status, body = await answer(platform.app, request)
                    if broken(status, body):
                        found.append(f"{service} {operation} {json.dumps(params, default=str)}")

        asyncio.run(run())
    assert not found, "\n".join(found[:10])
