"""Lambda's control plane through boto3 against a running server, as users drive it.

botocore's own serializer and parser check every route, shape, status and error name here.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
import urllib.request
import zipfile
from urllib.parse import urlparse

import boto3
import pytest
from api_harness import ARN_PREFIX, ROLE, create, package
from botocore.exceptions import ClientError

from support import error_of


@pytest.fixture
def fn(lambda_client, function_name) -> str:
    create(lambda_client, function_name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    return function_name


def raw_request(endpoint: str, method: str, path: str, body: bytes = b"", headers=None):
    url = urlparse(endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


# --- create / get / list ------------------------------------------------------------------


def test_create_function_answers_like_lambda(lambda_client, function_name) -> None:
    code = package()
    created = create(
        lambda_client,
        function_name,
        code,
        Description="hello",
        Timeout=10,
        MemorySize=256,
        Environment={"Variables": {"GREETING": "hi"}},
        Tags={"team": "core"},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == f"{ARN_PREFIX}:{function_name}"
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(code).digest()).decode()
    assert created["CodeSize"] == len(code)
    assert created["Version"] == "$LATEST"
    assert created["PackageType"] == "Zip" and created["Architectures"] == ["x86_64"]
    assert created["EphemeralStorage"] == {"Size": 512}
    assert created["TracingConfig"] == {"Mode": "PassThrough"}
    assert created["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": f"/aws/lambda/{function_name}",
    }
    assert created["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert created["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(
        "arn:aws:lambda:us-east-1::runtime:"
    )
    assert len(created["LastModified"]) == len("2024-01-01T12:00:00.000+0000")
    assert created["LastModified"].endswith("+0000")

    lambda_client.get_waiter("function_exists").wait(FunctionName=function_name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    got = lambda_client.get_function(FunctionName=function_name)
    config = got["Configuration"]
    assert config["State"] == "Active" and config["LastUpdateStatus"] == "Successful"
    assert config["Environment"] == {"Variables": {"GREETING": "hi"}}
    assert (config["Timeout"], config["MemorySize"], config["Description"]) == (10, 256, "hello")
    assert got["Tags"] == {"team": "core"}
    assert got["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(got["Code"]["Location"], timeout=10) as response:
        assert response.read() == code


def test_defaults(lambda_client, fn) -> None:
    config = lambda_client.get_function_configuration(FunctionName=fn)
    assert (config["Timeout"], config["MemorySize"]) == (3, 128)
    assert "Environment" not in config


def test_get_by_arn_and_partial_arn(lambda_client, fn) -> None:
    arn = f"{ARN_PREFIX}:{fn}"
    assert lambda_client.get_function(FunctionName=arn)["Configuration"]["FunctionName"] == fn
    partial = f"000000000000:function:{fn}"
    assert lambda_client.get_function_configuration(FunctionName=partial)["FunctionArn"] == arn


def test_list_functions_pages(lambda_client, function_name) -> None:
    names = [f"{function_name}-{i}" for i in range(3)]
    for name in names:
        create(lambda_client, name)
    paginator = lambda_client.get_paginator("list_functions")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    listed = [f["FunctionName"] for page in pages for f in page["Functions"]]
    assert all(name in listed for name in names)
    assert len(pages) >= 2
    assert "State" not in pages[0]["Functions"][0]  # as Lambda: GetFunction has the states


def test_list_functions_all_versions(lambda_client, fn) -> None:
    lambda_client.publish_version(FunctionName=fn)
    functions = lambda_client.list_functions(FunctionVersion="ALL", MaxItems=50)["Functions"]
    paginator = lambda_client.get_paginator("list_functions")
    arns = [
        f["FunctionArn"]
        for page in paginator.paginate(FunctionVersion="ALL")
        for f in page["Functions"]
    ]
    assert functions
    assert f"{ARN_PREFIX}:{fn}:$LATEST" in arns and f"{ARN_PREFIX}:{fn}:1" in arns


def test_missing_function(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function(FunctionName=function_name)
    assert error_of(caught) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN_PREFIX}:{function_name}",
        404,
    )


def test_function_arns_of_another_region(server, lambda_client, fn) -> None:
    """A request reaches its own region's functions only, as on Lambda."""
    west_arn = f"arn:aws:lambda:us-west-2:000000000000:function:{fn}"
    unreachable = (
        "ResourceNotFoundException",
        "Functions from 'us-west-2' are not reachable in this region ('us-east-1')",
        404,
    )
    for call in (
        lambda: lambda_client.invoke(FunctionName=west_arn, Payload=b"{}"),
        lambda: lambda_client.get_function(FunctionName=west_arn),
        lambda: create(lambda_client, f"{west_arn}-2"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert error_of(caught) == unreachable
    west = boto3.client(
        "lambda",
        endpoint_url=server.endpoint,
        region_name="us-west-2",
        **server.credentials,
    )
    assert west.list_functions()["Functions"] == []
    # The ARN of this region's function still works.
    answer = lambda_client.invoke(FunctionName=f"{ARN_PREFIX}:{fn}", Payload=b"{}")
    assert answer["StatusCode"] == 200


def test_function_arns_of_another_account(lambda_client, fn) -> None:
    other = f"arn:aws:lambda:us-east-1:111111111111:function:{fn}"
    for call in (
        lambda: lambda_client.invoke(FunctionName=other, Payload=b"{}"),
        lambda: lambda_client.get_function(FunctionName=other, Qualifier="1"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        code, message, status = error_of(caught)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message in (f"Function not found: {other}", f"Function not found: {other}:1")


def test_duplicate_create(lambda_client, fn) -> None:
    with pytest.raises(ClientError) as caught:
        create(lambda_client, fn)
    assert error_of(caught) == ("ResourceConflictException", f"Function already exist: {fn}", 409)


# --- input errors --------------------------------------------------------------------------


def test_memory_below_minimum(loose_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(loose_client, function_name, MemorySize=64)
    assert error_of(caught) == (
        "ValidationException",
        "1 validation error detected: Value '64' at 'memorySize' failed to satisfy "
        "constraint: Member must have value greater than or equal to 128",
        400,
    )


def test_limits_lambda_enforces_beyond_the_model(lambda_client, function_name) -> None:
    for extra, text in [
        ({"MemorySize": 10241}, "less than or equal to 10240"),
        ({"Timeout": 901}, "less than or equal to 900"),
        ({"EphemeralStorage": {"Size": 10241}}, "less than or equal to 10240"),
    ]:
        with pytest.raises(ClientError) as caught:
            create(lambda_client, function_name, **extra)
        code, message, _ = error_of(caught)
        assert code == "ValidationException" and text in message


def test_unknown_runtime(lambda_client, fn, function_name) -> None:
    # Lambda's service refuses it, not its front end: InvalidParameterValueException, the
    # value unquoted, the runtimes it takes listed, "or be a valid ARN".
    for runtime in ("python9.9", "PYTHON3.12"):
        for call in (
            lambda r=runtime: create(lambda_client, function_name, Runtime=r),
            lambda r=runtime: lambda_client.update_function_configuration(
                FunctionName=fn, Runtime=r
            ),
        ):
            with pytest.raises(ClientError) as caught:
                call()
            code, message, status = error_of(caught)
            assert (code, status) == ("InvalidParameterValueException", 400)
            assert message.startswith(
                f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must "
                "satisfy enum value set: ["
            )
            assert message.endswith("] or be a valid ARN")
            taken = message.split("[", 1)[1].split("]", 1)[0].split(", ")
            assert "python3.12" in taken and "python2.7" not in taken


def test_model_errors_come_before_the_runtime(loose_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(loose_client, function_name, Runtime="python9.9", MemorySize=64)
    assert error_of(caught)[0] == "ValidationException"


def test_deprecated_runtime(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, Runtime="python2.7")
    code, message, _ = error_of(caught)
    assert code == "InvalidParameterValueException"
    assert message.startswith("The runtime parameter of python2.7 is no longer supported")


def test_runtime_not_yet_supported(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, Runtime="java21", Handler="index.handler")
    assert error_of(caught) == (
        "InvalidParameterValueException",
        "Runtime java21 is not supported by this Overcast server",
        400,
    )


def test_bad_handler_pattern(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, Handler="app handler")
    code, message, _ = error_of(caught)
    assert code == "ValidationException" and "at 'handler'" in message


def test_handler_without_a_dot_is_accepted_at_create(lambda_client, function_name) -> None:
    assert create(lambda_client, function_name, Handler="nodot")["Handler"] == "nodot"


def test_name_too_long(lambda_client) -> None:
    # Lambda's own limit on a name, past its front end: InvalidParameterValueException.
    with pytest.raises(ClientError) as caught:
        create(lambda_client, "x" * 65)
    assert error_of(caught) == (
        "InvalidParameterValueException",
        f"1 validation error detected: Value '{'x' * 65}' at 'functionName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64",
        400,
    )


def test_corrupt_zip(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, code=b"PK\x03\x04 definitely not a zip")
    assert error_of(caught) == (
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
        400,
    )
    with pytest.raises(ClientError):
        lambda_client.get_function(FunctionName=function_name)


def test_oversize_zip(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, code=os.urandom(52_428_800 + 1024))
    code, _, status = error_of(caught)
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert lambda_client.get_account_settings()["AccountLimit"]  # still serving


def test_malformed_json(server) -> None:
    status, headers, body = raw_request(
        server.endpoint,
        "POST",
        "/2015-03-31/functions",
        b'{"FunctionName": ',
        {"Content-Type": "application/json"},
    )
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "InvalidRequestContentException"
    assert json.loads(body)["message"].startswith("Could not parse request body into json")


def test_xml_body(server) -> None:
    status, headers, _ = raw_request(
        server.endpoint,
        "POST",
        "/2015-03-31/functions",
        b"<a/>",
        {"Content-Type": "application/xml"},
    )
    assert (status, headers["x-amzn-ErrorType"]) == (415, "UnsupportedMediaTypeException")


def test_huge_header_then_still_serving(server) -> None:
    status, _, _ = raw_request(
        server.endpoint, "GET", "/2015-03-31/functions", headers={"X-Big": "a" * 100_000}
    )
    assert 400 <= status < 500
    status, _, body = raw_request(server.endpoint, "GET", "/_overcast/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}


def test_unknown_route(server) -> None:
    status, headers, _ = raw_request(server.endpoint, "GET", "/2099-01-01/nothing")
    assert (status, headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")


# --- updates --------------------------------------------------------------------------------


def test_update_code(lambda_client, fn) -> None:
    new_code = package("def handler(event, context):\n    return 2\n")
    updated = lambda_client.update_function_code(FunctionName=fn, ZipFile=new_code)
    assert updated["LastUpdateStatus"] == "InProgress"
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=fn)
    config = lambda_client.get_function_configuration(FunctionName=fn)
    assert config["LastUpdateStatus"] == "Successful"
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(new_code).digest()).decode()


def test_update_code_with_publish_and_dry_run(lambda_client, fn) -> None:
    before = lambda_client.get_function_configuration(FunctionName=fn)
    dry = lambda_client.update_function_code(FunctionName=fn, ZipFile=package("x = 1"), DryRun=True)
    assert dry["CodeSha256"] != before["CodeSha256"]
    assert (
        lambda_client.get_function_configuration(FunctionName=fn)["CodeSha256"]
        == (before["CodeSha256"])
    )
    published = lambda_client.update_function_code(
        FunctionName=fn, ZipFile=package("x = 2"), Publish=True
    )
    assert published["Version"] == "1"


def test_revision_id_mismatch(lambda_client, fn) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_code(
            FunctionName=fn, ZipFile=package("y = 1"), RevisionId="not-the-revision"
        )
    assert error_of(caught) == (
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )
    revision = lambda_client.get_function(FunctionName=fn)["Configuration"]["RevisionId"]
    updated = lambda_client.update_function_configuration(
        FunctionName=fn, Timeout=5, RevisionId=revision
    )
    assert updated["RevisionId"] != revision


def test_update_configuration(lambda_client, fn) -> None:
    updated = lambda_client.update_function_configuration(
        FunctionName=fn,
        MemorySize=512,
        Timeout=30,
        Environment={"Variables": {"AB": "1"}},
        Description="changed",
        EphemeralStorage={"Size": 1024},
    )
    assert updated["LastUpdateStatus"] == "InProgress"
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=fn)
    config = lambda_client.get_function_configuration(FunctionName=fn)
    assert (config["MemorySize"], config["Timeout"], config["Description"]) == (512, 30, "changed")
    assert config["Environment"] == {"Variables": {"AB": "1"}}
    assert config["EphemeralStorage"] == {"Size": 1024}
    assert config["Handler"] == "app.handler"


def test_environment_with_a_null_character_is_refused(lambda_client, fn) -> None:
    """A NUL cannot be in a process environment: refused up front, not by every invoke."""
    with pytest.raises(ClientError) as caught:
        create(lambda_client, f"{fn}-nul", Environment={"Variables": {"AB": "x\0y"}})
    code, message, status = error_of(caught)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("Lambda was unable to configure your environment variables")
    assert "null character" in message and message.endswith("Variables with one: AB")
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_configuration(
            FunctionName=fn, Environment={"Variables": {"OK": "1", "AB": "\0"}}
        )
    assert error_of(caught)[0] == "InvalidParameterValueException"
    assert "Environment" not in lambda_client.get_function_configuration(FunctionName=fn)


# --- versions -------------------------------------------------------------------------------


def test_publish_and_list_versions(lambda_client, fn) -> None:
    sha = lambda_client.get_function(FunctionName=fn)["Configuration"]["CodeSha256"]
    first = lambda_client.publish_version(FunctionName=fn, CodeSha256=sha, Description="one")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (first["Version"], first["FunctionArn"]) == ("1", f"{ARN_PREFIX}:{fn}:1")
    lambda_client.get_waiter("published_version_active").wait(FunctionName=fn, Qualifier="1")
    again = lambda_client.publish_version(FunctionName=fn)
    assert again["Version"] == "1"  # nothing changed: Lambda hands back the same version
    lambda_client.update_function_configuration(FunctionName=fn, Timeout=9)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=fn)
    assert lambda_client.publish_version(FunctionName=fn)["Version"] == "2"
    versions = lambda_client.list_versions_by_function(FunctionName=fn)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert lambda_client.get_function_configuration(FunctionName=fn, Qualifier="1")["Timeout"] == 3
    got = lambda_client.get_function(FunctionName=f"{fn}:2")["Configuration"]
    assert (got["Version"], got["Timeout"]) == ("2", 9)


def test_publish_with_wrong_code_sha(lambda_client, fn) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.publish_version(FunctionName=fn, CodeSha256="AAAA")
    assert error_of(caught)[0] == "InvalidParameterValueException"


def test_delete_version_and_latest(lambda_client, fn) -> None:
    lambda_client.publish_version(FunctionName=fn)
    with pytest.raises(ClientError) as caught:
        lambda_client.delete_function(FunctionName=fn, Qualifier="$LATEST")
    assert error_of(caught)[0] == "InvalidParameterValueException"
    deleted = lambda_client.delete_function(FunctionName=fn, Qualifier="1")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function(FunctionName=fn, Qualifier="1")
    assert error_of(caught)[0] == "ResourceNotFoundException"
    lambda_client.delete_function(FunctionName=fn)
    with pytest.raises(ClientError):
        lambda_client.get_function(FunctionName=fn)


def test_delete_version_used_by_alias(lambda_client, fn) -> None:
    lambda_client.publish_version(FunctionName=fn)
    lambda_client.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as caught:
        lambda_client.delete_function(FunctionName=fn, Qualifier="1")
    code, _, status = error_of(caught)
    assert (code, status) == ("ResourceConflictException", 409)


# --- aliases --------------------------------------------------------------------------------


def test_alias_lifecycle(lambda_client, fn) -> None:
    lambda_client.publish_version(FunctionName=fn)
    lambda_client.update_function_configuration(FunctionName=fn, Timeout=4)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=fn)
    lambda_client.publish_version(FunctionName=fn)
    created = lambda_client.create_alias(
        FunctionName=fn,
        Name="prod",
        FunctionVersion="1",
        Description="live traffic",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["AliasArn"] == f"{ARN_PREFIX}:{fn}:prod"
    assert created["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.1}}
    got = lambda_client.get_alias(FunctionName=fn, Name="prod")
    assert got["FunctionVersion"] == "1" and got["RevisionId"] == created["RevisionId"]
    via_alias = lambda_client.get_function_configuration(FunctionName=fn, Qualifier="prod")
    assert via_alias["Version"] == "1"
    assert via_alias["FunctionArn"] == f"{ARN_PREFIX}:{fn}:prod"
    updated = lambda_client.update_alias(
        FunctionName=fn, Name="prod", FunctionVersion="2", RoutingConfig={}
    )
    assert updated["FunctionVersion"] == "2" and "RoutingConfig" not in updated
    with pytest.raises(ClientError) as caught:
        lambda_client.update_alias(FunctionName=fn, Name="prod", RevisionId="stale")
    assert error_of(caught)[0] == "PreconditionFailedException"
    lambda_client.create_alias(FunctionName=fn, Name="dev", FunctionVersion="$LATEST")
    names = [a["Name"] for a in lambda_client.list_aliases(FunctionName=fn)["Aliases"]]
    assert names == ["dev", "prod"]
    only_two = lambda_client.list_aliases(FunctionName=fn, FunctionVersion="2")["Aliases"]
    assert [a["Name"] for a in only_two] == ["prod"]
    deleted = lambda_client.delete_alias(FunctionName=fn, Name="dev")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        lambda_client.get_alias(FunctionName=fn, Name="dev")
    assert error_of(caught) == (
        "ResourceNotFoundException",
        f"Cannot find alias arn: {ARN_PREFIX}:{fn}:dev",
        404,
    )


def test_alias_on_missing_version(lambda_client, fn) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.create_alias(FunctionName=fn, Name="prod", FunctionVersion="5")
    assert error_of(caught) == (
        "ResourceNotFoundException",
        f"Function not found: {ARN_PREFIX}:{fn}:5",
        404,
    )


def test_alias_weight_out_of_range(loose_client, fn) -> None:
    loose_client.publish_version(FunctionName=fn)
    with pytest.raises(ClientError) as caught:
        loose_client.create_alias(
            FunctionName=fn,
            Name="prod",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"1": 1.5}},
        )
    code, message, _ = error_of(caught)
    assert code == "ValidationException" and "routingConfig.additionalVersionWeights" in message


def test_alias_primary_in_routing_config(lambda_client, fn) -> None:
    lambda_client.publish_version(FunctionName=fn)
    with pytest.raises(ClientError) as caught:
        lambda_client.create_alias(
            FunctionName=fn,
            Name="prod",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
        )
    assert error_of(caught)[0] == "InvalidParameterValueException"


# --- tags and account -----------------------------------------------------------------------


def test_tags(lambda_client, fn) -> None:
    arn = f"{ARN_PREFIX}:{fn}"
    tagged = lambda_client.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    assert tagged["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"a": "1", "b": "2"}
    lambda_client.untag_resource(Resource=arn, TagKeys=["a"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    assert lambda_client.get_function(FunctionName=fn)["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as caught:
        lambda_client.list_tags(Resource=f"{ARN_PREFIX}:no-such-function-x")
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_account_settings(lambda_client, fn) -> None:
    settings = lambda_client.get_account_settings()
    assert settings["AccountLimit"]["TotalCodeSize"] == 80530636800
    assert settings["AccountLimit"]["CodeSizeUnzipped"] == 262144000
    assert settings["AccountLimit"]["CodeSizeZipped"] == 52428800
    assert settings["AccountLimit"]["ConcurrentExecutions"] > 0
    assert settings["AccountUsage"]["FunctionCount"] >= 1


# --- persistence ----------------------------------------------------------------------------


def test_restart_keeps_functions_versions_aliases_and_tags(launch, tmp_path) -> None:
    first = launch(tmp_path / "data")
    client = first.client("lambda")
    create(client, "kept", Tags={"k": "v"})
    client.publish_version(FunctionName="kept")
    client.create_alias(FunctionName="kept", Name="prod", FunctionVersion="1")
    first.stop()
    second = launch(tmp_path / "data").client("lambda")
    assert second.get_function(FunctionName="kept")["Tags"] == {"k": "v"}
    versions = second.list_versions_by_function(FunctionName="kept")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]
    assert second.get_alias(FunctionName="kept", Name="prod")["FunctionVersion"] == "1"
    zipped = second.get_function(FunctionName="kept")["Code"]["Location"]
    with urllib.request.urlopen(zipped, timeout=10) as response:
        assert zipfile.ZipFile(io.BytesIO(response.read())).namelist() == ["app.py"]


def test_container_images_are_refused(lambda_client, function_name) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function(
            FunctionName=function_name,
            PackageType="Image",
            Role=ROLE,
            Code={"ImageUri": "000000000000.dkr.ecr.us-east-1.amazonaws.com/app:latest"},
        )
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidParameterValueException"
    assert "Container images are not supported" in error["Error"]["Message"]
