"""Building a compiled stack from a small config, for the compiler tests of this folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from overcast.deploy.serverless import template
from overcast.deploy.serverless.model import Artifacts, Service


def service(root: Path, functions: dict[str, Any] | None = None, **config: Any) -> Service:
    provider = {"name": "aws", "runtime": "python3.12", **config.pop("provider", {})}
    body = {"service": "notes", "provider": provider, "functions": functions or {}, **config}
    return Service(root=root, config=body, stage="dev", region="us-east-1")


def artifacts(project: Service, code: bytes = b"code") -> Artifacts:
    """One package for every function, one per declared layer."""
    package = project.root / "service.zip"
    package.write_bytes(code)
    layers = {}
    for key in project.config.get("layers") or {}:
        layers[key] = project.root / f"{key}.zip"
        layers[key].write_bytes(b"layer " + key.encode())
    return Artifacts(functions=dict.fromkeys(project.functions, package), layers=layers)


def compile(root: Path, functions: dict[str, Any] | None = None, **config: Any):
    """(template, notes) of the project."""
    project = service(root, functions, **config)
    return template.compile(project, artifacts(project))
