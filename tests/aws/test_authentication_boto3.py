"""Signatures verified end to end: boto3 (and hand-signed requests) against a real server,
each refusal in its service's words (Lambda's JSON, SNS's query XML, S3's XML)."""

from __future__ import annotations

import datetime
import email.utils
import json
import re
import urllib.request
from unittest import mock

import boto3
import pytest
from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from overcast.aws.signing_key import derived_key
from support import (
    RunningServer,
    aws_chunked,
    deploy,
    error_of,
    http_call,
    make_public,
    signed_headers,
)

NO_MATCH = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details."
)


def client(server: RunningServer, service: str, **keys: str):
    credentials = {**server.credentials, **keys}
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 0}),
        **credentials,
    )


def test_a_wrong_secret_is_refused_in_each_protocol(server: RunningServer) -> None:
    wrong = {"aws_secret_access_key": "not-the-secret"}
    with pytest.raises(ClientError) as caught:
        client(server, "lambda", **wrong).list_functions()
    assert error_of(caught) == ("InvalidSignatureException", NO_MATCH, 403)
    with pytest.raises(ClientError) as caught:
        client(server, "lambda", **wrong).invoke(FunctionName="anything", Payload=b"{}")
    assert error_of(caught) == ("InvalidSignatureException", NO_MATCH, 403)
    with pytest.raises(ClientError) as caught:
        client(server, "sns", **wrong).list_topics()
    assert error_of(caught) == ("SignatureDoesNotMatch", NO_MATCH, 403)
    with pytest.raises(ClientError) as caught:
        client(server, "sqs", **wrong).list_queues()
    assert error_of(caught)[2] == 403
    with pytest.raises(ClientError) as caught:
        client(server, "s3", **wrong).list_buckets()
    code, message, status = error_of(caught)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")
    assert "StringToSign" in caught.value.response["Error"]


def test_an_unknown_key_is_refused(server: RunningServer) -> None:
    unknown = {"aws_access_key_id": "AKIAUNKNOWNUNKNOWN00"}
    with pytest.raises(ClientError) as caught:
        client(server, "lambda", **unknown).list_functions()
    invalid = "The security token included in the request is invalid."
    assert error_of(caught) == ("UnrecognizedClientException", invalid, 403)
    with pytest.raises(ClientError) as caught:
        client(server, "sns", **unknown).list_topics()
    assert error_of(caught) == ("InvalidClientTokenId", invalid, 403)
    with pytest.raises(ClientError) as caught:
        client(server, "s3", **unknown).list_buckets()
    assert error_of(caught)[0::2] == ("InvalidAccessKeyId", 403)


def test_unsigned_requests_are_refused_but_s3_s_anonymous_ones(server: RunningServer) -> None:
    status, headers, body = http_call(f"{server.endpoint}/2015-03-31/functions/")
    assert status == 403 and headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert json.loads(body)["message"] == "Missing Authentication Token"
    s3 = client(server, "s3")
    s3.create_bucket(Bucket="anonymous-reads")
    status, _, body = http_call(f"{server.endpoint}/anonymous-reads/missing")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body  # S3's, as anonymous's
    make_public(s3, "anonymous-reads")
    status, _, body = http_call(f"{server.endpoint}/anonymous-reads/missing")
    assert status == 404 and b"<Code>NoSuchKey</Code>" in body  # served, as the policy allows


def an_hour_ago() -> mock._patch:
    """botocore's own signer signing an hour in the past (boto3's clients may sign with
    awscrt's, which reads the clock elsewhere: these requests are signed by hand)."""
    past = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(hours=1)
    return mock.patch("botocore.auth.get_current_datetime", return_value=past)


def test_a_skewed_clock_is_refused(server: RunningServer) -> None:
    url = f"{server.endpoint}/2015-03-31/functions/"
    with an_hour_ago():
        headers = signed_headers(server.data_dir, "GET", url, service="lambda")
    status, answer_headers, body = http_call(url, headers=headers)
    assert status == 403 and answer_headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    message = json.loads(body)["message"]
    assert message.startswith("Signature expired: ") and message.endswith(" - 15 min.)")
    with an_hour_ago():
        headers = signed_headers(server.data_dir, "GET", f"{server.endpoint}/")
    status, _, body = http_call(f"{server.endpoint}/", headers=headers)
    assert status == 403 and b"<Code>RequestTimeTooSkewed</Code>" in body


def test_an_expired_presigned_url_is_refused(server: RunningServer) -> None:
    s3 = client(server, "s3")
    s3.create_bucket(Bucket="presigned-expiry")
    s3.put_object(Bucket="presigned-expiry", Key="k", Body=b"x")
    url = f"{server.endpoint}/presigned-expiry/k"
    key = server.credentials
    credentials = Credentials(key["aws_access_key_id"], key["aws_secret_access_key"])

    def presigned(expires: int) -> str:
        request = AWSRequest(method="GET", url=url)
        S3SigV4QueryAuth(credentials, "s3", "us-east-1", expires=expires).add_auth(request)
        return request.url

    assert http_call(presigned(600))[0] == 200
    with an_hour_ago():
        old = presigned(60)
    status, _, body = http_call(old)
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    assert b"Request has expired" in body
    params = {"Bucket": "presigned-expiry", "Key": "k"}
    v2 = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=600)
    assert http_call(v2)[0] == 200
    status, _, body = http_call(v2.replace("Signature=", "Signature=x"))
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body


def test_a_tampered_chunk_signature_is_refused(server: RunningServer) -> None:
    s3 = client(server, "s3")
    s3.create_bucket(Bucket="chunked-signatures")
    url = f"{server.endpoint}/chunked-signatures/k"
    chunks = [b"hello ", b"world"]
    headers = {
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-decoded-content-length": str(sum(map(len, chunks))),
        "content-encoding": "aws-chunked",
    }

    def body_for(headers: dict[str, str], tamper: bool) -> bytes:
        amz_date = headers["X-Amz-Date"]
        seed = headers["Authorization"].rsplit("Signature=", 1)[1]
        key = derived_key(
            server.credentials["aws_secret_access_key"], amz_date[:8], "us-east-1", "s3"
        )
        scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
        body = aws_chunked(key, amz_date, scope, seed, chunks)
        return body.replace(b"world", b"w0rld") if tamper else body

    for tamper in (False, True):
        signed = signed_headers(server.data_dir, "PUT", url, None, headers)
        body = body_for(signed, tamper)
        status, _, answer = http_call(url, "PUT", body, signed)
        if not tamper:
            assert status == 200, answer
            got = s3.get_object(Bucket="chunked-signatures", Key="k")["Body"].read()
            assert got == b"hello world"
        else:
            assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in answer


CALLER = """
import os
import boto3

def handler(event, context):
    names = [f["FunctionName"] for f in boto3.client("lambda").list_functions()["Functions"]]
    return {
        "names": names,
        "key": os.environ["AWS_ACCESS_KEY_ID"],
        "secret": os.environ["AWS_SECRET_ACCESS_KEY"],
        "token": os.environ["AWS_SESSION_TOKEN"],
    }
"""


def test_a_function_calls_the_api_with_its_role_s_session(
    server: RunningServer, lambda_client, function_name: str
) -> None:
    deploy(lambda_client, function_name, CALLER)
    answer = json.loads(lambda_client.invoke(FunctionName=function_name)["Payload"].read())
    assert "names" in answer, answer
    assert function_name in answer["names"]
    assert answer["key"].startswith("ASIA")
    session = {"aws_access_key_id": answer["key"], "aws_secret_access_key": answer["secret"]}
    with_token = client(server, "lambda", **session, aws_session_token=answer["token"])
    assert with_token.get_function(FunctionName=function_name)
    invalid = "The security token included in the request is invalid."
    for token in (None, "wrong"):
        keys = {**session, **({"aws_session_token": token} if token else {})}
        with pytest.raises(ClientError) as caught:
            client(server, "lambda", **keys).list_functions()
        assert error_of(caught) == ("UnrecognizedClientException", invalid, 403)


def test_auth_off_accepts_anything(launch, tmp_path) -> None:
    open_server = launch(tmp_path / "open", "--auth", "off")
    anyone = boto3.client(
        "lambda",
        endpoint_url=open_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    assert anyone.list_functions()["Functions"] == []
    request = urllib.request.Request(f"{open_server.endpoint}/2015-03-31/functions/")
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 200


# Header bytes beyond ASCII reach the verifier as Latin-1 text: a signature, token or SigV2
# signature holding one is a wrong one, answered as such (never a 500).
NON_ASCII = "\u00e9" * 64


def with_signature(headers: dict[str, str], signature: str) -> dict[str, str]:
    """`headers` with their Authorization's `Signature=` part replaced."""
    head = headers["Authorization"].rsplit("Signature=", 1)[0]
    return {**headers, "Authorization": f"{head}Signature={signature}"}


def test_a_non_ascii_signature_is_refused_by_the_json_services(server: RunningServer) -> None:
    for method, path, body in (
        ("GET", "/2015-03-31/functions/", None),  # the gateway's way
        ("POST", "/2015-03-31/functions/anything/invocations", b"{}"),  # Invoke's hot path
    ):
        url = f"{server.endpoint}{path}"
        headers = signed_headers(server.data_dir, method, url, body, service="lambda")
        status, answer_headers, answer = http_call(
            url, method, body, with_signature(headers, NON_ASCII)
        )
        assert status == 403, answer
        assert answer_headers["x-amzn-ErrorType"] == "InvalidSignatureException"
        assert json.loads(answer)["message"] == NO_MATCH


def test_a_non_ascii_session_token_is_refused(server: RunningServer) -> None:
    session = client(server, "sts").get_session_token()["Credentials"]
    credentials = Credentials(
        session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"]
    )
    url = f"{server.endpoint}/2015-03-31/functions/"
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, "lambda", "us-east-1").add_auth(request)
    headers = {**dict(request.headers.items()), "X-Amz-Security-Token": NON_ASCII}
    status, answer_headers, answer = http_call(url, headers=headers)
    assert status == 403, answer
    assert answer_headers["x-amzn-ErrorType"] == "UnrecognizedClientException"
    assert json.loads(answer)["message"] == "The security token included in the request is invalid."


def test_a_non_ascii_signature_is_refused_by_s3(server: RunningServer) -> None:
    s3 = client(server, "s3")
    s3.create_bucket(Bucket="non-ascii-signatures")
    url = f"{server.endpoint}/non-ascii-signatures/k"
    v4 = with_signature(signed_headers(server.data_dir, "GET", url), NON_ASCII)
    key_id = server.credentials["aws_access_key_id"]
    date = email.utils.formatdate(usegmt=True)
    v2 = {"Date": date, "Authorization": f"AWS {key_id}:{NON_ASCII}"}
    presigned = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "non-ascii-signatures", "Key": "k"}, ExpiresIn=600
    )
    v2_query = re.sub(r"Signature=[^&]*", "Signature=%C3%A9", presigned)
    for target, headers in ((url, v4), (url, v2), (v2_query, {})):
        status, _, answer = http_call(target, headers=headers)
        assert status == 403, answer
        assert b"<Code>SignatureDoesNotMatch</Code>" in answer


def test_a_credential_scoped_to_another_service_is_refused(server: RunningServer) -> None:
    """A request DynamoDB answers (by its X-Amz-Target) signed with a credential scoped to
    `sqs`: its signature holds, but for another service, and AWS refuses it."""
    import json as _json
    import urllib.error
    import urllib.request

    from support import signed_headers

    body = b"{}"
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
    }
    url = f"{server.endpoint}/"
    for service, expected in (("dynamodb", 200), ("sqs", 403)):
        signed = signed_headers(server.data_dir, "POST", url, body, headers, service=service)
        request = urllib.request.Request(url, data=body, headers=signed, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        assert status == expected, text
    refusal = _json.loads(text)
    assert refusal["__type"].endswith("InvalidSignatureException")
    assert refusal["message"] == "Credential should be scoped to correct service: 'dynamodb'. "
