"""A project's packages, as the framework's `package` step makes them.

PLACEHOLDER until the builds work lands (it replaces this module, keeping `package`): the
service folder zipped once into `.serverless/<service>.zip` for every function (no
dependencies installed, no bundling), each layer's `path` zipped into `.serverless/<layer>.zip`;
a `package.artifact` given for a function or a layer is used as it is.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import TextIO

from overcast.deploy.serverless.model import Artifacts, Service, TranslationError

OUTPUT = ".serverless"
SKIPPED = frozenset({OUTPUT, ".git", "__pycache__"})
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed times: the same files make the same zip


def package(service: Service, log: TextIO) -> Artifacts:
    output = service.root / OUTPUT
    artifacts = Artifacts()
    service_zip: Path | None = None
    for key, config in service.functions.items():
        if (config or {}).get("image"):
            continue  # refused by the compiler, by name
        given = ((config or {}).get("package") or {}).get("artifact")
        if given:
            artifacts.functions[key] = _given(service, given, f"functions.{key}.package.artifact")
            continue
        if service_zip is None:
            log.write(f"packaging {service.name}\n")
            service_zip = _zip(service.root, output / f"{service.name}.zip")
        artifacts.functions[key] = service_zip
    for key, config in (service.config.get("layers") or {}).items():
        config = config or {}
        given = (config.get("package") or {}).get("artifact")
        if given:
            artifacts.layers[key] = _given(service, given, f"layers.{key}.package.artifact")
            continue
        folder = service.root / str(config.get("path") or "")
        if not config.get("path") or not folder.is_dir():
            raise TranslationError(f"layers.{key}.path: {folder} is not a folder")
        log.write(f"packaging layer {key}\n")
        artifacts.layers[key] = _zip(folder, output / f"{key}.zip")
    return artifacts


def _given(service: Service, artifact: str, where: str) -> Path:
    path = service.root / artifact
    if not path.is_file():
        raise TranslationError(f"{where}: {path} is not a file")
    return path


def _zip(folder: Path, destination: Path) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, path in _files(folder):
            info = zipfile.ZipInfo(relative, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix: modes kept (a `bootstrap` stays executable)
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(path.stat().st_mode)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return destination


def _files(root: Path) -> list[tuple[str, Path]]:
    found = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name not in SKIPPED)
        for name in filenames:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)
