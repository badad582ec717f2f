"""A template's local artifacts built and uploaded, as `sam build` then `sam package` do.

Each property that names a local path (the table below, the one `aws cloudformation package`
documents) is packaged and uploaded to S3, and the template is rewritten to point there:

- a function's code is built as `sam build` builds it without `--use-container`
  (deploy/builds/sam.py: pip, npm, esbuild or the user's Makefile) and zipped;
- any other folder is zipped as it is, a file (a .zip, an OpenAPI document) uploaded as it is.

A missing `CodeUri` is ".", the template's folder, as the SAM CLI reads it; `InlineCode`,
`s3://` URIs and `{Bucket, Key}` objects are left as they are. Objects are keyed by their
bytes' MD5, as `sam package` keys them, so an unchanged package is not uploaded again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from overcast.cli.client import CliContext
from overcast.deploy.builds.errors import BuildError
from overcast.deploy.builds.pip import PythonInstaller
from overcast.deploy.builds.sam import Built, Installer, build_function
from overcast.deploy.builds.zips import zip_directory


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
        for artifact in ARTIFACTS.get(resource.get("Type"), ()):
            local = _local_path(artifact, properties, function_globals, resource.get("Type"))
            if local is None:
                continue
            path = (root / local).resolve()
            log.write(f"building {name} ({local})\n")
            if artifact.builds:
                serverless = resource.get("Type") == "AWS::Serverless::Function"
                merged = {**function_globals, **properties} if serverless else properties
                metadata = _mapping(resource.get("Metadata"))
                built = build_function(name, path, merged, metadata, installer, log)
                _apply(built, properties, merged)
                data = built.data
            elif path.is_dir():
                data = zip_directory(path)  # a layer's folder
            elif path.is_file():
                data = path.read_bytes()  # a .zip or a definition: uploaded as it is
            else:
                raise BuildError(f"{path}: no such file or directory")
            bucket, key = upload(data)
            properties[artifact.prop] = _location(artifact.form, bucket, key)
    return template


def _apply(built: Built, properties: dict, merged: dict) -> None:
    """What `sam build` rewrites in the built template: a bundle's handler, and source maps
    enabled through NODE_OPTIONS (samcli/lib/build/bundler.py)."""
    if built.handler is not None:
        properties["Handler"] = built.handler
    if built.source_maps:
        variables = _mapping(_mapping(merged.get("Environment")).get("Variables"))
        options = variables.get("NODE_OPTIONS", "")
        if isinstance(options, str) and "--enable-source-maps" not in options:
            environment = properties.setdefault("Environment", {})
            own = environment.setdefault("Variables", {})
            own["NODE_OPTIONS"] = " ".join([options, "--enable-source-maps"]).strip()


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


def python_installer(ctx: CliContext) -> Installer:
    """Installs a folder's requirements.txt for a Python runtime, as `overcast deploy DIR`."""
    return PythonInstaller(ctx.endpoint, ctx.err)
