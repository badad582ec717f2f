"""Parameter Store through boto3 against a real server: types, versions and labels, selectors,
AWS's errors, tags, and SecureStrings never on disk in clear."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from cli.aws_cli import aws, needs_aws_cli
from support import RunningServer, files_holding


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_string_versions_and_arns(ssm, root: str) -> None:
    name = f"{root}/db/host"
    assert ssm.put_parameter(Name=name, Value="a", Type="String")["Version"] == 1
    assert ssm.put_parameter(Name=name, Value="b", Overwrite=True)["Version"] == 2
    got = ssm.get_parameter(Name=name)["Parameter"]
    assert (got["Value"], got["Version"], got["Type"]) == ("b", 2, "String")
    assert got["ARN"] == f"arn:aws:ssm:us-east-1:000000000000:parameter{name}"
    assert ssm.get_parameter(Name=f"{name}:1")["Parameter"]["Value"] == "a"
    assert ssm.get_parameter(Name=f"{name}:1")["Parameter"]["Selector"] == ":1"
    assert ssm.get_parameter(Name=got["ARN"])["Parameter"]["Value"] == "b"
    plain = f"p{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=plain, Value="x,y", Type="StringList")
    assert ssm.get_parameter(Name=plain)["Parameter"]["ARN"].endswith(f":parameter/{plain}")


def test_one_level_names_by_arn(ssm, root: str) -> None:
    """`/x` and `x` share the ARN `parameter/x`: it finds `/x` when that is the one there is,
    and `x` (the name it spells) when both are; versions and history too."""
    level = root.lstrip("/")
    ssm.put_parameter(Name=root, Value="slashed", Type="String")
    ssm.put_parameter(Name=root, Value="again", Type="String", Overwrite=True)
    arn = f"arn:aws:ssm:us-east-1:000000000000:parameter/{level}"
    assert ssm.get_parameter(Name=root)["Parameter"]["ARN"] == arn
    got = ssm.get_parameter(Name=arn)["Parameter"]
    assert (got["Name"], got["Value"]) == (root, "again")
    assert ssm.get_parameter(Name=f"{arn}:1")["Parameter"]["Value"] == "slashed"
    assert len(ssm.get_parameter_history(Name=arn)["Parameters"]) == 2
    ssm.put_parameter(Name=level, Value="plain", Type="String")
    assert ssm.get_parameter(Name=arn)["Parameter"]["Value"] == "plain"
    with pytest.raises(ClientError) as excinfo:
        ssm.get_parameter(Name=f"{arn}-missing")
    assert error_of(excinfo)[0] == "ParameterNotFound"


def test_put_without_overwrite_is_refused(ssm, root: str) -> None:
    ssm.put_parameter(Name=f"{root}/x", Value="a", Type="String")
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name=f"{root}/x", Value="b", Type="String")
    assert error_of(excinfo) == (
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the "
        "request to true.",
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("awsThing", "ValidationException"),
        ("/ssm/thing", "ValidationException"),
        ("/aws/reference/x", "AccessDeniedException"),
        ("has space", "ValidationException"),
        ("a/b", "ValidationException"),
        ("/" + "/".join(f"l{i}" for i in range(16)), "HierarchyLevelLimitExceededException"),
    ],
)
def test_name_rules(ssm, name: str, code: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name=name, Value="v", Type="String")
    assert error_of(excinfo)[0] == code


def test_tags_with_overwrite_and_limits(ssm, root: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(
            Name=f"{root}/t",
            Value="v",
            Type="String",
            Overwrite=True,
            Tags=[{"Key": "k", "Value": "v"}],
        )
    assert error_of(excinfo)[1].startswith("Invalid request: tags and overwrite can't be used")
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name=f"{root}/big", Value="x" * 4097, Type="String")
    assert error_of(excinfo)[0] == "ValidationException"
    advanced = ssm.put_parameter(
        Name=f"{root}/big", Value="x" * 5000, Type="String", Tier="Advanced"
    )
    assert advanced["Tier"] == "Advanced"
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name=f"{root}/huge", Value="x" * 8193, Type="String", Tier="Advanced")
    assert error_of(excinfo)[0] == "ValidationException"


def test_allowed_pattern(ssm, root: str) -> None:
    ssm.put_parameter(Name=f"{root}/n", Value="12", Type="String", AllowedPattern=r"^\d+$")
    with pytest.raises(ClientError) as excinfo:
        ssm.put_parameter(Name=f"{root}/n", Value="twelve", Overwrite=True)
    assert error_of(excinfo)[0] == "ParameterPatternMismatchException"


def test_not_found_errors(ssm, root: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ssm.get_parameter(Name=f"{root}/missing")
    assert error_of(excinfo)[0] == "ParameterNotFound"
    ssm.put_parameter(Name=f"{root}/v", Value="a", Type="String")
    with pytest.raises(ClientError) as excinfo:
        ssm.get_parameter(Name=f"{root}/v:7")
    assert error_of(excinfo) == (
        "ParameterVersionNotFound",
        f"Systems Manager could not find version 7 of {root}/v. Verify the version and try again.",
    )
    got = ssm.get_parameters(Names=[f"{root}/v", f"{root}/nope"])
    assert [p["Name"] for p in got["Parameters"]] == [f"{root}/v"]
    assert got["InvalidParameters"] == [f"{root}/nope"]
    with pytest.raises(ClientError) as excinfo:
        ssm.delete_parameter(Name=f"{root}/nope")
    assert error_of(excinfo)[0] == "ParameterNotFound"
    assert ssm.delete_parameters(Names=[f"{root}/v", f"{root}/nope"]) | {
        "ResponseMetadata": None
    } == {
        "DeletedParameters": [f"{root}/v"],
        "InvalidParameters": [f"{root}/nope"],
        "ResponseMetadata": None,
    }


def test_labels_move_and_select(ssm, root: str) -> None:
    name = f"{root}/l"
    for value in ("one", "two", "three"):
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    labelled = ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["prod", "9bad"])
    assert (labelled["ParameterVersion"], labelled["InvalidLabels"]) == (1, ["9bad"])
    assert ssm.get_parameter(Name=f"{name}:prod")["Parameter"]["Value"] == "one"
    ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["prod"])
    assert ssm.get_parameter(Name=f"{name}:prod")["Parameter"]["Value"] == "two"
    history = ssm.get_parameter_history(Name=name)["Parameters"]
    assert [(h["Version"], h["Labels"]) for h in history] == [(1, []), (2, ["prod"]), (3, [])]
    removed = ssm.unlabel_parameter_version(Name=name, ParameterVersion=2, Labels=["prod", "x"])
    assert (removed["RemovedLabels"], removed["InvalidLabels"]) == (["prod"], ["x"])


def test_by_path_recursive_filters_and_paging(ssm, root: str) -> None:
    for i in range(12):
        ssm.put_parameter(Name=f"{root}/app/k{i:02d}", Value=str(i), Type="String")
    ssm.put_parameter(Name=f"{root}/app/deep/s", Value="s", Type="SecureString")
    ssm.put_parameter(Name=f"{root}/other", Value="o", Type="String")
    first = ssm.get_parameters_by_path(Path=f"{root}/app")
    assert len(first["Parameters"]) == 10 and "NextToken" in first
    rest = ssm.get_parameters_by_path(Path=f"{root}/app", NextToken=first["NextToken"])
    assert len(rest["Parameters"]) == 2 and "NextToken" not in rest
    pages = ssm.get_paginator("get_parameters_by_path").paginate(
        Path=f"{root}/app", Recursive=True, WithDecryption=True
    )
    found = {p["Name"]: p["Value"] for page in pages for p in page["Parameters"]}
    assert len(found) == 13 and found[f"{root}/app/deep/s"] == "s"
    secure = ssm.get_parameters_by_path(
        Path=root,
        Recursive=True,
        ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}],
    )
    assert [p["Name"] for p in secure["Parameters"]] == [f"{root}/app/deep/s"]
    with pytest.raises(ClientError) as excinfo:
        ssm.get_parameters_by_path(Path="no-slash")
    assert error_of(excinfo)[0] == "ValidationException"


def test_describe_filters_and_tags(ssm, root: str) -> None:
    ssm.put_parameter(
        Name=f"{root}/a",
        Value="1",
        Type="String",
        Description="d",
        Tags=[{"Key": "team", "Value": "x"}],
    )
    ssm.put_parameter(Name=f"{root}/b", Value="2", Type="SecureString")
    described = ssm.describe_parameters(
        ParameterFilters=[
            {"Key": "Path", "Values": [root]},
            {"Key": "Type", "Values": ["SecureString"]},
        ]
    )["Parameters"]
    assert [(d["Name"], d["KeyId"]) for d in described] == [(f"{root}/b", "alias/aws/ssm")]
    tagged = ssm.describe_parameters(ParameterFilters=[{"Key": "tag:team", "Values": ["x"]}])
    assert f"{root}/a" in [d["Name"] for d in tagged["Parameters"]]
    ssm.add_tags_to_resource(
        ResourceType="Parameter", ResourceId=f"{root}/a", Tags=[{"Key": "env", "Value": "p"}]
    )
    ssm.remove_tags_from_resource(
        ResourceType="Parameter", ResourceId=f"{root}/a", TagKeys=["team"]
    )
    listed = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=f"{root}/a")
    assert listed["TagList"] == [{"Key": "env", "Value": "p"}]
    with pytest.raises(ClientError) as excinfo:
        ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=f"{root}/none")
    assert error_of(excinfo)[0] == "InvalidResourceId"
    with pytest.raises(ClientError) as excinfo:
        ssm.describe_parameters(ParameterFilters=[{"Key": "Label", "Values": ["x"]}])
    assert error_of(excinfo)[0] == "InvalidFilterKey"


def test_secure_string_is_sealed_at_rest(launch, tmp_path) -> None:
    """A server of its own, so that its data dir holds only what this test wrote and every
    file of it is read: the parameter's name is there (the scan reads where it was kept), its
    value is not."""
    server = launch(tmp_path / "data")
    ssm = server.client("ssm")
    name, secret = f"/sealed-{uuid.uuid4().hex[:8]}/pw", f"s3cr3t-{uuid.uuid4().hex}"
    ssm.put_parameter(Name=name, Value=secret, Type="SecureString")
    sealed = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    assert sealed != secret
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == secret
    history = ssm.get_parameter_history(Name=name, WithDecryption=True)["Parameters"]
    assert history[0]["Value"] == secret
    assert files_holding(server.data_dir, name.encode())
    assert not files_holding(server.data_dir, secret.encode())


@needs_aws_cli
def test_aws_cli_get_parameter(ssm, root: str, server: RunningServer) -> None:
    ssm.put_parameter(Name=f"{root}/cli", Value="hello", Type="String")
    answer = aws(server, "ssm", "get-parameter", "--name", f"{root}/cli")
    assert answer["Parameter"]["Value"] == "hello"
