"""The framework's variables: `${source:address, fallback}` resolved through a project.

PLACEHOLDER until the variables work lands: only a project with no `${...}` passes through.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from overcast.deploy.serverless.model import TranslationError


@dataclass
class VariableSources:
    """Where variables' values come from. The callables reach the server (lazily: a project
    that names no `${aws:accountId}` makes no STS call)."""

    root: Path  # the service folder: `${file(...)}` paths are relative to it
    options: Mapping[str, str] = field(default_factory=dict)  # CLI: stage, region (`${opt:}`)
    params: Mapping[str, str] = field(default_factory=dict)  # --param k=v (`${param:}`)
    env: Mapping[str, str] = field(default_factory=dict)  # `${env:}`
    account_id: Callable[[], str] = lambda: "000000000000"  # `${aws:accountId}`
    # (stack name, output key, region or None) -> the output's value (`${cf:stack.key}`)
    stack_output: Callable[[str, str, str | None], Any] | None = None
    # (parameter name, decrypt) -> its value (`${ssm:/path}`)
    ssm_parameter: Callable[[str, bool], Any] | None = None
    instance_id: str = ""  # `${sls:instanceId}`


def resolve(config: dict[str, Any], sources: VariableSources) -> dict[str, Any]:
    """`config` with every variable replaced by its value."""
    if "${" in json.dumps(config, default=str):
        raise TranslationError("variables are not resolved yet")
    return config
