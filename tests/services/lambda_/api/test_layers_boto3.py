"""Lambda's layer operations through boto3 against a running server."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
import uuid
import zipfile

import pytest
from api_harness import create
from botocore.exceptions import ClientError

from support import error_of, make_zip

LAYER_ARN = "arn:aws:lambda:us-east-1:000000000000:layer"


@pytest.fixture
def layer_name() -> str:
    return f"layer-{uuid.uuid4().hex[:10]}"


def publish(client, name: str, files: dict | None = None, **options) -> dict:
    content = make_zip(files or {"python/lib.py": "X = 1\n"})
    return client.publish_layer_version(LayerName=name, Content={"ZipFile": content}, **options)


def test_publish_and_get_layer_version(lambda_client, layer_name) -> None:
    content = make_zip({"python/lib.py": "X = 1\n"})
    published = lambda_client.publish_layer_version(
        LayerName=layer_name,
        Content={"ZipFile": content},
        Description="helpers",
        CompatibleRuntimes=["python3.12", "python3.13"],
        CompatibleArchitectures=["x86_64"],
        LicenseInfo="MIT",
    )
    assert published["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert published["LayerArn"] == f"{LAYER_ARN}:{layer_name}"
    assert published["LayerVersionArn"] == f"{LAYER_ARN}:{layer_name}:1"
    assert published["Version"] == 1
    assert published["Content"]["CodeSha256"] == (
        base64.b64encode(hashlib.sha256(content).digest()).decode()
    )
    assert published["Content"]["CodeSize"] == len(content)
    assert published["CompatibleRuntimes"] == ["python3.12", "python3.13"]
    assert published["CompatibleArchitectures"] == ["x86_64"]
    assert (published["Description"], published["LicenseInfo"]) == ("helpers", "MIT")
    assert published["CreatedDate"].endswith("+0000")
    with urllib.request.urlopen(published["Content"]["Location"], timeout=10) as response:
        assert response.read() == content

    got = lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=1)
    by_arn = lambda_client.get_layer_version_by_arn(Arn=f"{LAYER_ARN}:{layer_name}:1")
    by_layer_arn = lambda_client.get_layer_version(
        LayerName=f"{LAYER_ARN}:{layer_name}", VersionNumber=1
    )
    for answer in (got, by_arn, by_layer_arn):
        answer.pop("ResponseMetadata")
    published.pop("ResponseMetadata")
    assert got == by_arn == by_layer_arn == published
    assert publish(lambda_client, layer_name)["Version"] == 2


def test_missing_layer_versions(lambda_client, layer_name) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=1)
    assert error_of(caught)[0::2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version_by_arn(Arn=f"{LAYER_ARN}:{layer_name}:1")
    assert error_of(caught)[0] == "ResourceNotFoundException"
    assert lambda_client.list_layer_versions(LayerName=layer_name)["LayerVersions"] == []


def test_list_layers_and_versions(lambda_client, layer_name) -> None:
    names = [f"{layer_name}-a", f"{layer_name}-b"]
    publish(lambda_client, names[0], CompatibleRuntimes=["python3.12"])
    publish(lambda_client, names[0], CompatibleRuntimes=["nodejs20.x"])
    publish(lambda_client, names[1], CompatibleRuntimes=["python3.12"])
    paginator = lambda_client.get_paginator("list_layers")
    listed = {
        item["LayerName"]: item
        for page in paginator.paginate(PaginationConfig={"PageSize": 1})
        for item in page["Layers"]
    }
    assert listed[names[0]]["LayerArn"] == f"{LAYER_ARN}:{names[0]}"
    assert listed[names[0]]["LatestMatchingVersion"]["Version"] == 2
    python = lambda_client.list_layers(CompatibleRuntime="python3.12")["Layers"]
    latest = {item["LayerName"]: item["LatestMatchingVersion"]["Version"] for item in python}
    assert latest[names[0]] == 1 and latest[names[1]] == 1
    versions = lambda_client.list_layer_versions(LayerName=names[0])["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    assert versions[0]["LayerVersionArn"] == f"{LAYER_ARN}:{names[0]}:2"
    only = lambda_client.list_layer_versions(LayerName=names[0], CompatibleRuntime="nodejs20.x")
    assert [v["Version"] for v in only["LayerVersions"]] == [2]
    first = lambda_client.list_layer_versions(LayerName=names[0], MaxItems=1)
    rest = lambda_client.list_layer_versions(LayerName=names[0], Marker=first["NextMarker"])
    assert [v["Version"] for v in first["LayerVersions"] + rest["LayerVersions"]] == [2, 1]


def test_delete_layer_version(lambda_client, layer_name) -> None:
    publish(lambda_client, layer_name)
    deleted = lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=1)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    lambda_client.delete_layer_version(LayerName=layer_name, VersionNumber=1)  # idempotent
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version(LayerName=layer_name, VersionNumber=1)
    assert error_of(caught)[0] == "ResourceNotFoundException"
    assert publish(lambda_client, layer_name)["Version"] == 2


def test_layer_version_permissions(lambda_client, layer_name) -> None:
    publish(lambda_client, layer_name)
    where = {"LayerName": layer_name, "VersionNumber": 1}
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version_policy(**where)
    assert error_of(caught)[0] == "ResourceNotFoundException"
    added = lambda_client.add_layer_version_permission(
        **where, StatementId="xaccount", Action="lambda:GetLayerVersion", Principal="210987654321"
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "xaccount",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "lambda:GetLayerVersion",
        "Resource": f"{LAYER_ARN}:{layer_name}:1",
    }
    with pytest.raises(ClientError) as caught:
        lambda_client.add_layer_version_permission(
            **where, StatementId="xaccount", Action="lambda:GetLayerVersion", Principal="*"
        )
    assert error_of(caught)[0::2] == ("ResourceConflictException", 409)
    with pytest.raises(ClientError) as caught:
        lambda_client.add_layer_version_permission(
            **where,
            StatementId="all",
            Action="lambda:GetLayerVersion",
            Principal="*",
            RevisionId="stale",
        )
    assert error_of(caught)[0::2] == ("PreconditionFailedException", 412)
    lambda_client.add_layer_version_permission(
        **where,
        StatementId="all",
        Action="lambda:GetLayerVersion",
        Principal="*",
        RevisionId=added["RevisionId"],
    )
    policy = lambda_client.get_layer_version_policy(**where)
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17"
    assert [s["Sid"] for s in document["Statement"]] == ["xaccount", "all"]
    removed = lambda_client.remove_layer_version_permission(**where, StatementId="xaccount")
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        lambda_client.remove_layer_version_permission(**where, StatementId="xaccount")
    assert error_of(caught)[0] == "ResourceNotFoundException"
    document = json.loads(lambda_client.get_layer_version_policy(**where)["Policy"])
    assert [s["Sid"] for s in document["Statement"]] == ["all"]


# --- functions with layers ---------------------------------------------------------------


def test_function_with_layers(lambda_client, function_name, layer_name) -> None:
    one = publish(lambda_client, f"{layer_name}-1", {"shared.txt": "one"})
    two = publish(lambda_client, f"{layer_name}-2", {"shared.txt": "two"})
    arns = [one["LayerVersionArn"], two["LayerVersionArn"]]
    created = create(lambda_client, function_name, Layers=arns)
    expected = [
        {"Arn": one["LayerVersionArn"], "CodeSize": one["Content"]["CodeSize"]},
        {"Arn": two["LayerVersionArn"], "CodeSize": two["Content"]["CodeSize"]},
    ]
    assert created["Layers"] == expected
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=function_name)
    got = lambda_client.get_function(FunctionName=function_name)["Configuration"]
    assert got["Layers"] == expected
    published = lambda_client.publish_version(FunctionName=function_name)
    assert published["Layers"] == expected
    updated = lambda_client.update_function_configuration(
        FunctionName=function_name, Layers=[arns[1]]
    )
    assert updated["Layers"] == expected[1:]
    # Deleting a layer version leaves the functions that use it as they are.
    lambda_client.delete_layer_version(LayerName=f"{layer_name}-2", VersionNumber=1)
    version = lambda_client.get_function_configuration(FunctionName=function_name, Qualifier="1")
    assert version["Layers"] == expected
    cleared = lambda_client.update_function_configuration(FunctionName=function_name, Layers=[])
    assert "Layers" not in cleared


def test_function_layer_errors(lambda_client, function_name, layer_name) -> None:
    missing = f"{LAYER_ARN}:{layer_name}:1"
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, Layers=[missing])
    assert error_of(caught) == (
        "InvalidParameterValueException",
        f"Layer version {missing} does not exist.",
        400,
    )
    arns = [publish(lambda_client, f"{layer_name}-{i}")["LayerVersionArn"] for i in range(6)]
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, Layers=arns)
    assert error_of(caught)[0] == "InvalidParameterValueException"
    assert "5 layers" in error_of(caught)[1]
    create(lambda_client, function_name)
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_configuration(FunctionName=function_name, Layers=arns)
    assert error_of(caught)[0] == "InvalidParameterValueException"


def zeros_zip(name: str, size: int) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open(name, "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_unzipped_limit_counts_layers(lambda_client, function_name, layer_name) -> None:
    big = lambda_client.publish_layer_version(
        LayerName=layer_name, Content={"ZipFile": zeros_zip("blob", 200 << 20)}
    )
    code = zeros_zip("app.py", 60 << 20)
    with pytest.raises(ClientError) as caught:
        create(lambda_client, function_name, code, Layers=[big["LayerVersionArn"]])
    total = (200 << 20) + (60 << 20)
    assert error_of(caught) == (
        "InvalidParameterValueException",
        "Function code combined with layers exceeds the maximum allowed size of 262144000 "
        f"bytes. The actual size is {total} bytes.",
        400,
    )


def test_layers_survive_a_restart(launch, tmp_path) -> None:
    running = launch(tmp_path)
    client = running.client()
    layer = publish(client, "kept", CompatibleRuntimes=["python3.12"])
    client.add_layer_version_permission(
        LayerName="kept",
        VersionNumber=1,
        StatementId="all",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    create(client, "uses-layer", Layers=[layer["LayerVersionArn"]])
    client.get_waiter("function_active_v2").wait(FunctionName="uses-layer")
    running.stop()
    again = launch(tmp_path).client()
    got = again.get_layer_version(LayerName="kept", VersionNumber=1)
    assert got["Content"]["CodeSha256"] == layer["Content"]["CodeSha256"]
    assert got["CompatibleRuntimes"] == ["python3.12"]
    assert json.loads(again.get_layer_version_policy(LayerName="kept", VersionNumber=1)["Policy"])
    config = again.get_function_configuration(FunctionName="uses-layer")
    assert config["Layers"][0]["Arn"] == layer["LayerVersionArn"]
    assert publish(again, "kept")["Version"] == 2
