"""A body that does not match its Content-Length gets S3's XML error, not the HTTP layer's
plain-text 400 or 408: fewer bytes than declared is RequestTimeout when the client waits (S3
waits for the rest, then gives up) and IncompleteBody when it half-closes; more bytes than
declared leave S3 a shorter body, which its signed payload hash refuses with
XAmzContentSHA256Mismatch, or, with UNSIGNED-PAYLOAD, its Content-MD5 with BadDigest."""

from __future__ import annotations

import base64
import hashlib
import socket
import uuid
from collections.abc import Iterator

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from support import RunningServer, signed, start_server


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server for the module (each test has its own bucket): a 1-second head timeout."""
    running = start_server(
        tmp_path_factory.mktemp("quick"), "--keep-alive", "30", "--head-timeout", "1"
    )
    yield running
    running.stop()


@pytest.fixture
def quick_bucket(quick: RunningServer) -> str:
    name = f"test-{uuid.uuid4().hex[:16]}"
    quick.client("s3").create_bucket(Bucket=name)
    return name


def put_declaring(server: RunningServer, bucket: str, length: int, **extra: object) -> None:
    """PutObject of b"bar" through boto3, its Content-Length header replaced by `length`."""
    s3 = server.client("s3")
    s3.meta.events.register(
        "before-call.s3.PutObject",
        lambda params, **_: params["headers"].update({"Content-Length": str(length)}),
    )
    s3.put_object(Bucket=bucket, Key="foo", Body=b"bar", **extra)


def root_key(server: RunningServer) -> tuple[str, str]:
    key = server.credentials
    return key["aws_access_key_id"], key["aws_secret_access_key"]


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    error = response["Error"]
    return response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]


def test_a_body_shorter_than_declared_times_out_as_s3_does(
    quick: RunningServer, quick_bucket: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        put_declaring(quick, quick_bucket, 4)
    assert error_of(excinfo) == (
        400,
        "RequestTimeout",
        "Your socket connection to the server was not read from or written to within the "
        "timeout period. Idle connections will be closed.",
    )
    with pytest.raises(ClientError):  # nothing was stored
        quick.client("s3").head_object(Bucket=quick_bucket, Key="foo")


def test_a_body_cut_short_by_a_half_close_is_incomplete(
    quick: RunningServer, quick_bucket: str
) -> None:
    url = f"{quick.endpoint}/{quick_bucket}/half"
    request = AWSRequest("PUT", url, data=b"bar", headers={"Content-Length": "5"})
    S3SigV4Auth(Credentials(*root_key(quick)), "s3", "us-east-1").add_auth(request)
    prepared = request.prepare()
    host, port = quick.endpoint.removeprefix("http://").split(":")
    head = f"PUT /{quick_bucket}/half HTTP/1.1\r\nHost: {host}:{port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in prepared.headers.items())
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(head.encode() + b"\r\nbar")
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/xml" in answer
    assert b"<Code>IncompleteBody</Code>" in answer
    assert (
        b"<Message>You did not provide the number of bytes specified by the Content-Length "
        b"HTTP header</Message>" in answer
    )


def test_a_body_longer_than_declared_is_answered_with_s3s_error(
    quick: RunningServer, quick_bucket: str
) -> None:
    # S3 reads the declared 2 bytes ("ba"): boto3 signed the hash of "bar" (it signs the
    # payload over http), which they do not match. The byte left over cannot start a request;
    # it must not cut off the answer.
    with pytest.raises(ClientError) as excinfo:
        put_declaring(quick, quick_bucket, 2)
    status, code, _ = error_of(excinfo)
    assert (status, code) == (400, "XAmzContentSHA256Mismatch")


def test_a_longer_body_with_an_unsigned_payload_fails_its_content_md5(
    quick: RunningServer, quick_bucket: str
) -> None:
    # With UNSIGNED-PAYLOAD only Content-MD5 speaks for the body: "ba" is not "bar".
    md5 = base64.b64encode(hashlib.md5(b"bar").digest()).decode()
    url = f"{quick.endpoint}/{quick_bucket}/longer"
    given = {"Content-MD5": md5, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    headers = signed(url, "PUT", b"bar", given)
    host, port = quick.endpoint.removeprefix("http://").split(":")
    head = f"PUT /{quick_bucket}/longer HTTP/1.1\r\nHost: {host}:{port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head += "Content-Length: 2\r\nConnection: close\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(head.encode() + b"bar")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"<Code>BadDigest</Code>" in answer
