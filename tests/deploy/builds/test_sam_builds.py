"""A SAM function built as `sam build` builds it: BuildMethod esbuild (with BuildProperties),
BuildMethod makefile, and pip asked for Lambda's platform where the architecture differs."""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from overcast.deploy.builds import esbuild
from overcast.deploy.builds.errors import BuildError
from overcast.deploy.builds.pip import Pip, host_architecture, pip_for
from overcast.deploy.builds.sam import Built, build_function

needs_npm = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")

HANDLER_TS = """\
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { greet } from "./lib/greet";

type Answer = { statusCode: number; body: string };

export const handler = async (): Promise<Answer> => {
  const client: string = typeof DynamoDBClient;
  return { statusCode: 200, body: greet(client) };
};
"""
GREET_TS = "export const greet = (what: string): string => `hello ${what}`;\n"


@contextlib.contextmanager
def no_dependencies(path: Path, runtime: str | None, architecture: str):
    yield None


def names(built: Built) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(built.data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def typescript_project(folder: Path) -> Path:
    (folder / "lib").mkdir(parents=True)
    (folder / "app.ts").write_text(HANDLER_TS)
    (folder / "lib" / "greet.ts").write_text(GREET_TS)
    return folder


@needs_npm
def test_esbuild_bundles_the_handler_with_the_sdk_left_to_the_runtime(tmp_path: Path) -> None:
    folder = typescript_project(tmp_path / "fn")
    properties = {"Runtime": "nodejs20.x", "Handler": "app.handler"}
    metadata = {"BuildMethod": "esbuild", "BuildProperties": {"Minify": False}}
    files = names(
        build_function("Fn", folder, properties, metadata, no_dependencies, io.StringIO())
    )
    assert list(files) == ["app.js"]  # only the bundle: no sources, no node_modules
    bundle = files["app.js"]
    assert 'require("@aws-sdk/client-dynamodb")' in bundle  # external, as on Lambda
    assert "hello ${what}" in bundle  # the local module is bundled in
    assert "Promise<Answer>" not in bundle  # TypeScript's types are gone


@needs_npm
def test_esbuild_entry_points_format_and_minify(tmp_path: Path) -> None:
    folder = typescript_project(tmp_path / "fn")
    props = {"EntryPoints": ["app.ts"], "Format": "esm", "OutExtension": [".js=.mjs"]}
    metadata = {"BuildMethod": "esbuild", "BuildProperties": props}
    properties = {"Runtime": "nodejs20.x", "Handler": "app.handler"}
    files = names(
        build_function("Fn", folder, properties, metadata, no_dependencies, io.StringIO())
    )
    assert list(files) == ["app.mjs"]
    bundle = files["app.mjs"]
    assert 'from"@aws-sdk/client-dynamodb"' in bundle  # an ESM import, minified (SAM's default)
    assert "export{" in bundle


@needs_npm
def test_esbuild_errors_name_file_and_line(tmp_path: Path) -> None:
    folder = typescript_project(tmp_path / "fn")
    (folder / "lib" / "greet.ts").write_text("export const greet = (what: string) => ;\n")
    properties = {"Runtime": "nodejs20.x", "Handler": "app.handler"}
    metadata = {"BuildMethod": "esbuild"}
    with pytest.raises(BuildError, match=r"lib/greet.ts:1:39: Unexpected \";\""):
        build_function("Fn", folder, properties, metadata, no_dependencies, io.StringIO())
    (folder / "lib" / "greet.ts").write_text('import x from "left-pad";\nexport const greet = x;\n')
    with pytest.raises(BuildError, match=r"(?s)Could not resolve \"left-pad\".*run npm install"):
        build_function("Fn", folder, properties, metadata, no_dependencies, io.StringIO())


def test_a_failed_esbuild_without_its_usual_message_shows_its_output(tmp_path: Path) -> None:
    message = esbuild.describe_failure("something odd\nhappened\n", tmp_path)
    assert message.endswith("something odd\nhappened")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_builds_into_artifacts_dir(tmp_path: Path) -> None:
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (folder / "Makefile").write_text(
        "build-MakeFn:\n\tcp app.py $(ARTIFACTS_DIR)/\n\techo built > $(ARTIFACTS_DIR)/stamp\n"
    )
    properties = {"Runtime": "python3.12", "Handler": "app.handler"}
    log = io.StringIO()
    files = names(
        build_function(
            "MakeFn", folder, properties, {"BuildMethod": "makefile"}, no_dependencies, log
        )
    )
    assert files == {"app.py": "def handler(event, context):\n    return 1\n", "stamp": "built\n"}
    assert "make build-MakeFn" in log.getvalue()
    assert not (folder / "stamp").exists()  # run in a copy
    (folder / "Makefile").write_text("build-MakeFn:\n\t@echo broken >&2; exit 3\n")
    with pytest.raises(BuildError, match=r"(?s)make build-MakeFn failed .*\(exit 2\):.*broken"):
        build_function(
            "MakeFn", folder, properties, {"BuildMethod": "makefile"}, no_dependencies, log
        )


def test_a_python_handler_is_checked_before_the_package_is_made(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def main(event, context):\n    return 1\n")
    properties = {"Runtime": "python3.12", "Handler": "app.handler"}
    with pytest.raises(BuildError, match="defines no 'handler'"):
        build_function("Fn", tmp_path, properties, {}, no_dependencies, io.StringIO())


def test_pip_asks_for_lambdas_platform_for_another_architecture() -> None:
    other = "arm64" if host_architecture() == "x86_64" else "x86_64"
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[other]
    pip = pip_for("python3.12", sys.executable, other)
    assert pip.python == sys.executable
    assert pip.options == (
        "--python-version", "3.12", "--only-binary=:all:",
        "--platform", f"manylinux2014_{machine}", "--implementation", "cp",
    )  # fmt: skip
    if sys.platform == "linux":
        assert pip_for("python3.12", sys.executable, host_architecture()) == Pip(sys.executable)


@needs_npm
def test_a_nested_handler_and_source_maps_rewrite_the_template_as_sam_build(tmp_path: Path):
    from overcast.cli.artifacts import package_template

    typescript_project(tmp_path / "fn" / "src")
    template = {
        "Globals": {
            "Function": {"Environment": {"Variables": {"NODE_OPTIONS": "--max-old-space-size=100"}}}
        },
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "CodeUri": "fn",
                    "Runtime": "nodejs20.x",
                    "Handler": "src/app.handler",
                },
                "Metadata": {"BuildMethod": "esbuild", "BuildProperties": {"Sourcemap": True}},
            }
        },
    }
    uploaded: list[bytes] = []

    def upload(data: bytes) -> tuple[str, str]:
        uploaded.append(data)
        return "bucket", "key"

    packaged = package_template(template, tmp_path, upload, no_dependencies, io.StringIO())
    properties = packaged["Resources"]["Fn"]["Properties"]
    assert properties["Handler"] == "app.handler"  # the bundle is at the package's root
    assert properties["Environment"]["Variables"]["NODE_OPTIONS"] == (
        "--max-old-space-size=100 --enable-source-maps"
    )
    assert sorted(names(Built(uploaded[0]))) == ["app.js", "app.js.map"]


def test_a_python_import_nothing_provides_fails_the_build(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text("import yaml\n\ndef handler(event, context):\n    return 1\n")
    properties = {"Runtime": f"python3.{sys.version_info.minor}", "Handler": "app.handler"}
    with pytest.raises(BuildError, match=r"app.py:1: imports 'yaml', which is neither"):
        build_function("Fn", folder, properties, {}, no_dependencies, io.StringIO())
    (folder / "yaml").mkdir()  # a package of the function's own: found
    (folder / "yaml" / "__init__.py").write_text("")
    assert build_function("Fn", folder, properties, {}, no_dependencies, io.StringIO()).data
    shutil.rmtree(folder / "yaml")
    layered = {**properties, "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:yaml:1"]}
    assert build_function("Fn", folder, layered, {}, no_dependencies, io.StringIO()).data
