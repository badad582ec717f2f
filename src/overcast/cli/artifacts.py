"""A template's local artifacts built and uploaded, as `sam build` then `sam package` do.

Each property that names a local path (the table below, the one `aws cloudformation package`
documents) is packaged and uploaded to S3, and the template is rewritten to point there:

- a function's code folder is zipped; a Python function's `requirements.txt` is installed
  into the zip with pip for its runtime (requirements.py, as `overcast deploy DIR` does), a
  Node.js function's `package.json` dependencies with `npm install --omit=dev` (no Docker, as
  `sam build` without `--use-container`);
- any other folder is zipped as it is, a file (a .zip, an OpenAPI document) uploaded as it is.

A missing `CodeUri` is ".", the template's folder, as the SAM CLI reads it; `InlineCode`,
`s3://` URIs and `{Bucket, Key}` objects are left as they are. Objects are keyed by their
bytes' MD5, as `sam package` keys them, so an unchanged package is not uploaded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from overcast.cli.client import CliContext
from overcast.cli.deploy import installed_requirements, package
from overcast.cli.errors import CommandError

NPM_TAIL_LINES = 15


@dataclass(frozen=True)
class Artifact:
    """A property that takes a package: where it is, and how its S3 location is written."""

    prop: str
    form: str  # "uri": "s3://b/k"; "code": {S3Bucket, S3Key}; "location": {Bucket, Key}
    builds: bool = False  # a function's code: dependencies installed


# What `aws cloudformation package` / `sam package` rewrite (stepfunctions and nested
# stacks left out: no such services here).
ARTIFACTS: dict[str, tuple[Artifact, ...]] = {
    "AWS::Serverless::Function": (Artifact("CodeUri", "uri", builds=True),),
    "AWS::Serverless::LayerVersion": (Artifact("ContentUri", "uri"),),
    "AWS::Serverless::Api": (Artifact("DefinitionUri", "location"),),
    "AWS::Serverless::HttpApi": (Artifact("DefinitionUri", "location"),),
    "AWS::Lambda::Function": (Artifact("Code", "code", builds=True),),
    "AWS::Lambda::LayerVersion": (Artifact("Content", "code"),),
    "AWS::ApiGateway::RestApi": (Artifact("BodyS3Location", "location"),),
    "AWS::ApiGatewayV2::Api": (Artifact("BodyS3Location", "location"),),
}

Upload = Callable[[bytes], tuple[str, str]]  # a package's bytes -> (bucket, key)
# (code folder, runtime) -> a folder of installed dependencies, or None
Installer = Callable[[Path, str | None], contextlib.AbstractContextManager[Path | None]]
# SAM CLI build methods that run a tool this build does not (the folder is packaged as it is).
UNBUILT = ("esbuild", "makefile")


def package_template(
    template: dict,
    root: Path,
    upload: Upload,
    installer: Installer,
    log: TextIO,
) -> dict:
    """The template with every local artifact uploaded and its property pointing at it."""
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return template
    function_globals = _mapping(_mapping(template.get("Globals")).get("Function"))
    for name, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        properties = resource.setdefault("Properties", {})
        if not isinstance(properties, dict):
            continue
        method = _mapping(resource.get("Metadata")).get("BuildMethod")
        if method in UNBUILT:
            log.write(f"{name}: BuildMethod {method} is not run here; its folder goes as it is\n")
        for artifact in ARTIFACTS.get(resource.get("Type"), ()):
            local = _local_path(artifact, properties, function_globals, resource.get("Type"))
            if local is None:
                continue
            path = (root / local).resolve()
            runtime = properties.get("Runtime", function_globals.get("Runtime"))
            runtime = runtime if isinstance(runtime, str) else None
            log.write(f"building {name} ({local})\n")
            data = _build(path, runtime, artifact.builds, installer)
            bucket, key = upload(data)
            properties[artifact.prop] = _location(artifact.form, bucket, key)
    return template


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _local_path(
    artifact: Artifact, properties: dict, function_globals: dict, kind: object
) -> str | None:
    """The local path a property names, None when it names none (S3, inline code)."""
    value = properties.get(artifact.prop)
    if kind == "AWS::Serverless::Function":
        if "InlineCode" in properties or properties.get("PackageType") == "Image":
            return None
        if value is None:
            # Globals' CodeUri, then the SAM CLI's default: the template's own folder.
            value = function_globals.get("CodeUri", ".")
    if isinstance(value, str) and not value.startswith("s3://"):
        return value
    return None  # absent, an S3 URI or object, ZipFile code, an intrinsic


def _build(
    path: Path,
    runtime: str | None,
    builds: bool,
    installer: Installer,
) -> bytes:
    if not path.exists():
        raise CommandError(f"{path}: no such file or directory")
    if path.is_file():
        return path.read_bytes()  # a .zip or a definition: uploaded as it is
    if not builds:
        return package(path)
    if runtime and runtime.startswith("nodejs") and _npm_dependencies(path):
        with _npm_installed(path) as built:
            return package(built)
    with installer(path, runtime) as dependencies:
        return package(path, dependencies)


def _location(form: str, bucket: str, key: str) -> object:
    if form == "uri":
        return f"s3://{bucket}/{key}"
    if form == "code":
        return {"S3Bucket": bucket, "S3Key": key}
    return {"Bucket": bucket, "Key": key}


def content_key(prefix: str, data: bytes) -> str:
    """`sam package`'s key: the bytes' MD5 (under a prefix)."""
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    return f"{prefix}/{digest}" if prefix else digest


def _npm_dependencies(path: Path) -> bool:
    manifest = path / "package.json"
    if not manifest.is_file():
        return False
    try:
        declared = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError as error:
        raise CommandError(f"{manifest}: not JSON: {error}") from None
    return isinstance(declared, dict) and bool(declared.get("dependencies"))


@contextlib.contextmanager
def _npm_installed(path: Path) -> Iterator[Path]:
    """A copy of the folder with its production dependencies installed, as `sam build`'s
    Node.js builder leaves it (the user's own node_modules is not trusted to be Lambda's)."""
    npm = shutil.which("npm")
    if npm is None:
        raise CommandError(f"{path / 'package.json'} names dependencies, but npm is not on PATH")
    scratch = Path(tempfile.mkdtemp(prefix="overcast-npm-"))
    try:
        built = scratch / "package"
        shutil.copytree(path, built, ignore=shutil.ignore_patterns("node_modules"))
        command = [npm, "install", "--omit=dev", "--no-audit", "--no-fund", "--no-package-lock"]
        done = subprocess.run(
            command, cwd=built, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-NPM_TAIL_LINES:])
            raise CommandError(f"npm install failed in {path} (exit {done.returncode}):\n{tail}")
        yield built
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def python_installer(ctx: CliContext) -> Installer:
    """Installs a folder's requirements.txt for a Python runtime, as `overcast deploy DIR`."""
    return lambda path, runtime: installed_requirements(path, runtime, ctx)
