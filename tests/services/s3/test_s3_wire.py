"""S3 on the wire, below boto3: the XML error document, presigned URLs (SigV2 and SigV4,
expiry), virtual-hosted-style addressing, and aws-chunked bodies with a trailing checksum."""

from __future__ import annotations

import base64
import http.client
import time
import zlib
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support import RunningServer, signed_headers


def send(server: RunningServer, method: str, path: str, body: bytes = b"", headers=None):
    url = urlsplit(server.endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    signed = signed_headers(server.data_dir, method, server.endpoint + path, body, headers)
    connection.request(method, path, body=body, headers=signed)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.headers, data


def fetch(url: str, method: str = "GET", data: bytes | None = None, headers=None):
    """A request to a presigned URL, with only the headers given: a SigV2 URL signs the
    Content-Type (none here), which urllib would add to a body and S3 would then refuse."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    connection.request(method, target, body=data, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def test_error_document(server: RunningServer, s3, bucket: str) -> None:
    status, headers, body = send(server, "GET", f"/{bucket}/missing%20key")
    assert status == 404 and headers["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(body)
    assert root.tag == "Error"
    fields = {child.tag: child.text for child in root}
    assert fields["Code"] == "NoSuchKey" and fields["Key"] == "missing key"
    assert fields["Message"] == "The specified key does not exist."
    assert fields["RequestId"] == headers["x-amz-request-id"] and fields["HostId"]
    status, _, body = send(server, "HEAD", f"/{bucket}/missing")
    assert status == 404 and body == b""  # HEAD errors have no body, as on S3
    status, _, body = send(server, "GET", f"/{bucket}?analytics")
    assert status == 501 and b"<Code>NotImplemented</Code>" in body


def test_presigned_urls_sigv2_and_sigv4(server: RunningServer, s3, bucket: str) -> None:
    v4 = server.client("s3", signature_version="s3v4")
    for client, key in ((s3, "v2 key"), (v4, "v4 key")):
        put = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key})
        assert fetch(put, "PUT", key.encode())[0] == 200
        get = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
        assert fetch(get) == (200, key.encode())
    assert "AWSAccessKeyId=" in put or "X-Amz-Credential=" in put


def test_expired_presigned_url(server: RunningServer, s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    v4 = server.client("s3", signature_version="s3v4")
    url = v4.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=1
    )
    signed_at = parse_qs(urlsplit(url).query)["X-Amz-Date"][0]
    status, body = fetch(url.replace(signed_at, "20200101T000000Z"))
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    v2_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    past = v2_url.split("Expires=")[0] + f"Expires={int(time.time()) - 10}"
    status, body = fetch(past)
    assert status == 403 and b"Request has expired" in body


def test_virtual_hosted_style(server: RunningServer, bucket: str) -> None:
    virtual = boto3.client(
        "s3",
        endpoint_url="http://s3.localhost:1",
        region_name="us-east-1",
        **server.credentials,
        config=Config(s3={"addressing_style": "virtual"}, signature_version="s3v4"),
    )
    put = virtual.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "v2/k"})
    assert urlsplit(put).hostname == f"{bucket}.s3.localhost"
    for method, url, data in (("PUT", put, b"virtual"), ("GET", put, None)):
        parts = urlsplit(url)
        status, _, body = send(
            server,
            method,
            f"{parts.path}?{parts.query}",
            data or b"",
            {"Host": parts.netloc, "Authorization": ""},
        )
        assert status == 200
    assert body == b"virtual"


def test_aws_chunked_body_with_trailing_checksum(server: RunningServer, s3, bucket: str) -> None:
    payload = b"chunked " * 1000
    crc = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
    framed = b""
    for start in range(0, len(payload), 3000):
        piece = payload[start : start + 3000]
        framed += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    framed += f"0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n".encode()
    headers = {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(payload)),
        "x-amz-trailer": "x-amz-checksum-crc32",
    }
    status, response_headers, _ = send(server, "PUT", f"/{bucket}/chunked", framed, headers)
    assert status == 200 and response_headers["x-amz-checksum-crc32"] == crc
    got = s3.get_object(Bucket=bucket, Key="chunked")
    assert got["Body"].read() == payload and "ContentEncoding" not in got
    bad = framed.replace(crc.encode(), b"AAAAAA==")
    status, _, body = send(server, "PUT", f"/{bucket}/bad", bad, headers)
    assert status == 400 and b"<Code>BadDigest</Code>" in body


def test_sigv2_authorization_header_is_s3(server: RunningServer, s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"v2")
    status, _, body = send(server, "GET", f"/{bucket}/k", headers={"Authorization": "AWS test:sig"})
    assert status == 200 and body == b"v2"


def error_fields(body: bytes) -> dict[str, str | None]:
    return {child.tag: child.text for child in ElementTree.fromstring(body)}


def test_presigned_url_lives_a_week_at_most(server: RunningServer, s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    v4 = server.client("s3", signature_version="s3v4")
    params = {"Bucket": bucket, "Key": "k"}
    week = v4.generate_presigned_url("get_object", Params=params, ExpiresIn=604800)
    assert fetch(week) == (200, b"x")
    longer = v4.generate_presigned_url("get_object", Params=params, ExpiresIn=604801)
    status, body = fetch(longer)
    fields = error_fields(body)
    assert (status, fields["Code"]) == (400, "AuthorizationQueryParametersError")
    assert (
        fields["Message"] == "X-Amz-Expires must be less than a week (in seconds) that is; 604800"
    )
    status, body = fetch(week.replace("X-Amz-Expires=604800", "X-Amz-Expires=-7"))
    assert status == 400 and error_fields(body)["Message"] == "X-Amz-Expires must be non-negative"


def test_a_put_without_content_length_is_refused(server: RunningServer, bucket: str) -> None:
    url = urlsplit(server.endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    connection.putrequest("PUT", f"/{bucket}/unsized")
    signed = signed_headers(server.data_dir, "PUT", f"{server.endpoint}/{bucket}/unsized")
    for name, value in signed.items():
        connection.putheader(name, value)
    connection.endheaders()  # no Content-Length, no Transfer-Encoding
    response = connection.getresponse()
    fields = error_fields(response.read())
    connection.close()
    assert (response.status, fields["Code"]) == (411, "MissingContentLength")
    assert fields["Message"] == "You must provide the Content-Length HTTP header."


def test_a_key_that_is_not_utf8_is_invalid_uri(server: RunningServer, bucket: str) -> None:
    status, _, body = send(server, "GET", f"/{bucket}/bad%FFkey")
    fields = error_fields(body)
    assert (status, fields["Code"]) == (400, "InvalidURI")
    assert fields["Message"] == "Couldn't parse the specified URI."


def test_an_integer_parameter_that_is_not_one(s3, bucket: str) -> None:
    def add_bad_max_keys(params, **kwargs) -> None:
        params["url"] += "&max-keys=blah"

    s3.meta.events.register("before-call.s3.ListObjects", add_bad_max_keys)
    try:
        with pytest.raises(ClientError) as raised:
            s3.list_objects(Bucket=bucket)
    finally:
        s3.meta.events.unregister("before-call.s3.ListObjects", add_bad_max_keys)
    error = raised.value.response["Error"]
    assert (error["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidArgument",
        400,
    )
    assert error["ArgumentName"] == "max-keys" and error["ArgumentValue"] == "blah"


def test_virtual_hosted_style_on_localhost(server: RunningServer, s3, bucket: str) -> None:
    # A client set to virtual-host style against http://localhost:PORT sends this Host.
    port = urlsplit(server.endpoint).port
    host = {"Host": f"{bucket}.localhost:{port}"}
    status, _, _ = send(server, "PUT", "/dir/k", b"hosted", host)
    assert status == 200
    assert s3.get_object(Bucket=bucket, Key="dir/k")["Body"].read() == b"hosted"
    status, _, body = send(server, "GET", "/?list-type=2", headers=host)
    assert status == 200 and b"<Key>dir/k</Key>" in body
    # The endpoint's own name is no bucket: path style still works through it.
    status, _, body = send(server, "GET", f"/{bucket}/dir/k", headers={"Host": "s3.localhost"})
    assert (status, body) == (200, b"hosted")
