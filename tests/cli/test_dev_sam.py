"""A SAM template as `overcast dev` sees it: its functions with local code, their deployed
names, the folders they are built from, and packages built as `overcast deploy` builds them."""

from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

from overcast.cli.client import CliContext
from overcast.cli.dev_sam import SamProject

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: python3.12, Handler: app.handler, CodeUri: shared/}
Resources:
  Api: {Type: AWS::Serverless::Function, Properties: {CodeUri: api/}}
  Defaulted: {Type: AWS::Serverless::Function}
  Inline: {Type: AWS::Serverless::Function, Properties: {InlineCode: "def handler(e, c): 1"}}
  Stored: {Type: AWS::Serverless::Function, Properties: {CodeUri: s3://bucket/key.zip}}
  NotMade: {Type: AWS::Serverless::Function, Properties: {CodeUri: api/}}
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layer/}
"""


class StubCloudFormation:
    def get_paginator(self, name: str):
        assert name == "list_stack_resources"
        summaries = [
            {"LogicalResourceId": key, "ResourceType": "AWS::Lambda::Function",
             "PhysicalResourceId": f"app-{key}-X1"}
            for key in ("Api", "Defaulted", "Inline", "Stored")
        ]  # fmt: skip
        summaries.append({"LogicalResourceId": "ApiRole", "ResourceType": "AWS::IAM::Role"})
        return _Pages([{"StackResourceSummaries": summaries}])


class _Pages:
    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages

    def paginate(self, **_: object):
        return iter(self.pages)


def project(root: Path) -> SamProject:
    (root / "template.yaml").write_text(TEMPLATE)
    for folder in ("api", "shared"):
        (root / folder).mkdir()
        (root / folder / "app.py").write_text(
            f"def handler(event, context):\n    return {folder!r}\n"
        )
    ctx = CliContext(
        endpoint="http://127.0.0.1:9",
        region="us-east-1",
        out=io.StringIO(),
        err=io.StringIO(),
        client_factory=lambda service, endpoint, region: StubCloudFormation(),
    )
    args = argparse.Namespace(stack_name=None, parameter_overrides=None)
    return SamProject(root / "template.yaml", args, ctx)


def test_functions_with_local_code_are_watched_under_their_deployed_names(tmp_path: Path) -> None:
    functions = project(tmp_path).functions()
    assert [(f.key, f.physical_name, f.source_root) for f in functions] == [
        ("Api", "app-Api-X1", tmp_path / "api"),
        ("Defaulted", "app-Defaulted-X1", tmp_path / "shared"),  # Globals' CodeUri
    ]


def test_a_function_is_rebuilt_from_its_own_folder(tmp_path: Path) -> None:
    api = project(tmp_path).functions()[0]
    (tmp_path / "api" / "app.py").write_text("def handler(event, context):\n    return 'v2'\n")
    with zipfile.ZipFile(io.BytesIO(api.rebuild())) as package:
        assert package.namelist() == ["app.py"]
        assert b"'v2'" in package.read("app.py")


def test_the_template_and_layer_folders_are_configuration(tmp_path: Path) -> None:
    paths = project(tmp_path).config_paths()
    assert paths == {tmp_path / "template.yaml", tmp_path / "layer"}


def test_the_stack_is_named_for_the_templates_folder(tmp_path: Path) -> None:
    folder = tmp_path / "my_app"
    folder.mkdir()
    assert project(folder).stack_name == "my-app"
