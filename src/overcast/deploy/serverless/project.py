"""Finding and reading a project's `serverless.yml` into a `Service`.

The file is YAML with CloudFormation's short-form tags (`!GetAtt Queue.Arn`), anchors, aliases
and merge keys (document.py: hostile text, no tag builds anything but data, aliases bounded);
JSON is accepted too (`serverless.json`). `serverless.ts` / `serverless.js` need the framework's own
runtime to evaluate and are refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from overcast.deploy.serverless.model import Service, TranslationError
from overcast.deploy.serverless.variables import VariableSources, resolve

FILE_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
UNREAD = ("serverless.ts", "serverless.js", "serverless.cjs", "serverless.mjs")
DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"


def file_of(folder: Path) -> Path | None:
    """The project file in `folder`, None when it holds none."""
    for name in FILE_NAMES:
        if (folder / name).is_file():
            return folder / name
    for name in UNREAD:
        if (folder / name).is_file():
            raise TranslationError(
                f"{folder / name}: only serverless.yml / serverless.json are read here"
            )
    return None


def load(root: Path, options: Mapping[str, str], sources: VariableSources) -> Service:
    """The project in `root`, variables resolved. `options` are the command's (`stage`,
    `region`), which win over the file's `provider.stage` / `provider.region`."""
    from overcast.deploy.serverless import document
    from overcast.services.cloudformation.template import TemplateError

    path = file_of(root)
    if path is None:
        raise TranslationError(f"{root}: no serverless.yml")
    try:
        raw = document.load(path.read_text(encoding="utf-8"))
    except TemplateError as error:
        raise TranslationError(f"{path}: {error.message}") from None
    config = resolve(raw, sources)
    if not isinstance(config.get("service"), str | dict) or not config.get("service"):
        raise TranslationError(f"{path}: `service` is required")
    provider = config.get("provider")
    if not isinstance(provider, dict) or provider.get("name", "aws") != "aws":
        raise TranslationError(f"{path}: provider.name must be aws")
    stage = options.get("stage") or provider.get("stage") or DEFAULT_STAGE
    region = options.get("region") or provider.get("region") or DEFAULT_REGION
    return Service(root=root, config=config, stage=str(stage), region=str(region))
