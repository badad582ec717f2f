"""The package a request names, in-process: a ZipFile in it, or an object in S3 read through
the control plane's object reader (a stub here; through S3: test_s3_code_boto3.py)."""

from __future__ import annotations

import base64
from pathlib import Path

from api_harness import create_body, make_app

from overcast.types import ObjectTooLarge
from support import make_zip

FUNCTIONS = "/2015-03-31/functions"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"] == code
    return response.json()


class OneObject:
    """An object store holding one package, in us-east-1's bucket `code`."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(
        self,
        region: str,
        bucket: str,
        key: str,
        version: str | None,
        max_bytes: int,
        caller: object = None,
    ) -> bytes:
        if len(self.body) > max_bytes:
            raise ObjectTooLarge(len(self.body))
        return self.body


def test_the_zipped_limit_is_for_direct_uploads_alone(tmp_path: Path) -> None:
    """Lambda's 50 MB limit holds for a ZipFile, not for code from S3 (here: 100 bytes)."""
    big = make_zip({"app.py": "def handler(event, context):\n    return event\n" + "#" * 200})
    app = make_app(tmp_path, objects=OneObject(big), max_zipped=100)
    direct = create_body(Code={"ZipFile": base64.b64encode(big).decode()})
    assert_error(app.client.post(FUNCTIONS, json=direct), 413, "RequestEntityTooLargeException")
    from_s3 = create_body(Code={"S3Bucket": "code", "S3Key": "app.zip"})
    assert app.client.post(FUNCTIONS, json=from_s3).status_code == 201
    update = {"S3Bucket": "code", "S3Key": "app.zip", "DryRun": True}
    assert app.client.put(f"{FUNCTIONS}/f/code", json=update).status_code == 200
    layer = {"Content": {"S3Bucket": "code", "S3Key": "app.zip"}}
    assert app.client.post("/2018-10-31/layers/l/versions", json=layer).status_code == 201


def test_code_from_s3_past_the_unzipped_limit_is_not_read(tmp_path: Path) -> None:
    app = make_app(tmp_path, objects=OneObject(b"\0" * 1000))
    app.control.s3_code.max_unzipped = 999
    body = create_body(Code={"S3Bucket": "code", "S3Key": "app.zip"})
    answer = app.client.post(FUNCTIONS, json=body)
    assert assert_error(answer, 400, "InvalidParameterValueException")["message"] == (
        "Unzipped size must be smaller than 999 bytes"
    )
