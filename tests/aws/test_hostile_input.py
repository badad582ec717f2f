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

import botocore.session
import httpx
import pytest
from botocore import serialize
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, prepare_request_dict
from botocore.credentials import Credentials
from botocore.model import Shape

from support import in_process_platform, root_credentials

ENDPOINT = "http://127.0.0.1:4566"
REQUESTS = 1000  # per service: ~15 s in all here
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


def signed_request(model, operation: str, params: dict, key: dict) -> AWSRequest | None:
    """The request botocore would send, signed; None where botocore's serializer cannot write
    these parameters at all."""
    try:
        writer = serialize.create_serializer(model.metadata["protocol"], include_validation=False)
        parts = writer.serialize_to_request(params, model.operation_model(operation))
        prepare_request_dict(parts, ENDPOINT)
        request = AWSRequest(
            method=parts["method"], url=parts["url"], data=parts["body"], headers=parts["headers"]
        )
        signing = model.metadata.get("signingName", model.metadata["endpointPrefix"])
        credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])
        SigV4Auth(credentials, signing, "us-east-1").add_auth(request)
        prepared = request.prepare()
    except Exception:  # a value botocore itself refuses to write
        return None
    return prepared if isinstance(prepared.body, (bytes, str, type(None))) else None


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
            transport = httpx.ASGITransport(app=platform.app)
            async with httpx.AsyncClient(transport=transport, timeout=30) as client:
                await each_service(client)

        async def each_service(client: httpx.AsyncClient) -> None:
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
                    request = signed_request(model, operation, params, key)
                    if request is None:
                        continue
                    headers = [(k.encode(), str(v).encode()) for k, v in request.headers.items()]
                    answer = await client.request(
                        request.method, request.url, headers=headers, content=request.body or b""
                    )
                    if broken(answer.status_code, answer.content):
                        found.append(f"{service} {operation} {json.dumps(params, default=str)}")

        asyncio.run(run())
    assert not found, "\n".join(found[:10])
