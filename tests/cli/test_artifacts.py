"""A template's local artifacts packaged and its properties rewritten as `sam package` does,
in-process (uploads recorded, no server); parameter overrides and default stack names."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from overcast.cli.artifacts import content_key, package_template
from overcast.cli.errors import CommandError
from overcast.cli.stack_deploy import default_stack_name, parameter_overrides, template_of


class Uploads:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def __call__(self, data: bytes) -> tuple[str, str]:
        key = content_key("stack", data)
        self.objects[key] = data
        return "bucket", key

    def names(self, key: str) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(self.objects[key])) as archive:
            return sorted(archive.namelist())


@contextlib.contextmanager
def no_dependencies(path: Path, runtime: str | None, architecture: str):
    yield None


def key_of(uri: str) -> str:
    return uri.removeprefix("s3://bucket/")


def test_each_kind_of_artifact_is_uploaded_and_rewritten(tmp_path: Path) -> None:
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text("def handler(e, c): return 1\n")
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "layer" / "python" / "lib.py").write_text("X = 1\n")
    (tmp_path / "api.yaml").write_text("openapi: 3.0.1\n")
    (tmp_path / "root.py").write_text("def handler(e, c): return 2\n")
    template = {
        "Globals": {"Function": {"Runtime": "python3.12"}},
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "fn/"}},
            "Here": {"Type": "AWS::Serverless::Function", "Properties": {}},
            "Inline": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"InlineCode": "def handler(e, c): pass"},
            },
            "Remote": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "s3://elsewhere/code.zip"},
            },
            "Layer": {
                "Type": "AWS::Serverless::LayerVersion",
                "Properties": {"ContentUri": "layer"},
            },
            "Api": {
                "Type": "AWS::Serverless::HttpApi",
                "Properties": {"DefinitionUri": "api.yaml"},
            },
            "Raw": {"Type": "AWS::Lambda::Function", "Properties": {"Code": "fn"}},
            "Rest": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {"BodyS3Location": "api.yaml"},
            },
            "Queue": {"Type": "AWS::SQS::Queue"},
        },
    }
    uploads = Uploads()
    packaged = package_template(template, tmp_path, uploads, no_dependencies, io.StringIO())
    resources = packaged["Resources"]

    fn_key = key_of(resources["Fn"]["Properties"]["CodeUri"])
    assert uploads.names(fn_key) == ["app.py"]
    # No CodeUri: the template's own folder, as the SAM CLI reads it.
    here_key = key_of(resources["Here"]["Properties"]["CodeUri"])
    assert "root.py" in uploads.names(here_key) and "fn/app.py" in uploads.names(here_key)
    assert resources["Inline"]["Properties"] == {"InlineCode": "def handler(e, c): pass"}
    assert resources["Remote"]["Properties"]["CodeUri"] == "s3://elsewhere/code.zip"
    layer_key = key_of(resources["Layer"]["Properties"]["ContentUri"])
    assert uploads.names(layer_key) == ["python/lib.py"]
    definition = resources["Api"]["Properties"]["DefinitionUri"]
    assert uploads.objects[definition["Key"]] == b"openapi: 3.0.1\n"  # a file goes as it is
    assert definition == resources["Rest"]["Properties"]["BodyS3Location"]
    assert definition["Bucket"] == "bucket"
    assert resources["Raw"]["Properties"]["Code"] == {"S3Bucket": "bucket", "S3Key": fn_key}
    assert len(uploads.objects) == 4  # same bytes, same key: uploaded once


def test_globals_code_uri_and_runtime_reach_the_build(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("")
    template = {
        "Globals": {"Function": {"CodeUri": "src", "Runtime": "python3.13"}},
        "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {}}},
    }
    asked = []

    @contextlib.contextmanager
    def installer(path: Path, runtime: str | None, architecture: str):
        asked.append((path, runtime, architecture))
        yield None

    uploads = Uploads()
    packaged = package_template(template, tmp_path, uploads, installer, io.StringIO())
    assert asked == [((tmp_path / "src").resolve(), "python3.13", "x86_64")]
    assert uploads.names(key_of(packaged["Resources"]["Fn"]["Properties"]["CodeUri"])) == ["app.py"]


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    template = {"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {}}}}
    template["Resources"]["Fn"]["Properties"]["CodeUri"] = "nowhere/"
    with pytest.raises(CommandError, match="nowhere: no such file or directory"):
        package_template(template, tmp_path, Uploads(), no_dependencies, io.StringIO())


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_node_dependencies_are_installed_with_npm(tmp_path: Path) -> None:
    dependency = tmp_path / "greet"
    dependency.mkdir()
    (dependency / "package.json").write_text(json.dumps({"name": "greet", "version": "1.0.0"}))
    (dependency / "index.js").write_text("module.exports = 'hi';\n")
    code = tmp_path / "fn"
    (code / "node_modules" / "stale").mkdir(parents=True)
    (code / "node_modules" / "stale" / "index.js").write_text("")
    (code / "index.mjs").write_text("export const handler = async () => 1;\n")
    manifest = {"name": "fn", "version": "1.0.0", "dependencies": {"greet": f"file:{dependency}"}}
    (code / "package.json").write_text(json.dumps(manifest))
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "fn", "Runtime": "nodejs20.x"},
            }
        }
    }
    uploads = Uploads()
    packaged = package_template(template, tmp_path, uploads, no_dependencies, io.StringIO())
    names = uploads.names(key_of(packaged["Resources"]["Fn"]["Properties"]["CodeUri"]))
    assert "node_modules/greet/index.js" in names
    assert "node_modules/stale/index.js" not in names  # the user's own node_modules is not used
    assert "index.mjs" in names
    assert not (code / "node_modules" / "greet").exists()  # built in a copy


def test_parameter_overrides_in_both_forms() -> None:
    given = ["Stage=prod", "ParameterKey=Name,ParameterValue=a=b", "Empty="]
    assert parameter_overrides(given) == {"Stage": "prod", "Name": "a=b", "Empty": ""}
    with pytest.raises(CommandError, match="expected K=V"):
        parameter_overrides(["Stage"])


def test_template_and_stack_names(tmp_path: Path) -> None:
    folder = tmp_path / "my_app 2"
    folder.mkdir()
    assert template_of(folder) is None
    (folder / "template.yml").write_text("Resources: {}\n")
    assert template_of(folder) == folder / "template.yml"
    assert default_stack_name(folder / "template.yml") == "my-app-2"
    numbered = tmp_path / "2048"
    numbered.mkdir()
    assert default_stack_name(numbered / "template.yaml") == "stack-2048"


def test_odd_sections_are_passed_over(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("exports.handler = async () => 1;\n")
    template = {
        "Globals": ["not", "a", "mapping"],
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "nodejs20.x"},
                "Metadata": ["not", "a", "mapping"],
            },
            "Odd": ["not", "a", "resource"],
        },
    }
    log = io.StringIO()
    uploads = Uploads()
    packaged = package_template(template, tmp_path, uploads, no_dependencies, log)
    assert uploads.names(key_of(packaged["Resources"]["Fn"]["Properties"]["CodeUri"])) == ["app.js"]
