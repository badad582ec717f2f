"""document.py and project.py: serverless.yml read with aliases and merge keys, bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from overcast.deploy.serverless import document, project
from overcast.deploy.serverless.model import TranslationError
from overcast.deploy.serverless.variables import VariableSources
from overcast.services.cloudformation.template import TemplateError

ANCHORED = """\
defaults: &defaults
  memorySize: 256
  timeout: 3
functions:
  a:
    <<: *defaults
    timeout: 9
    handler: app.a
    role: !GetAtt Role.Arn
  b:
    <<: [*defaults, {memorySize: 1, extra: true}]
  c: *defaults
"""


def test_aliases_and_merge_keys_are_read_as_the_framework_reads_them():
    functions = document.load(ANCHORED)["functions"]
    assert functions["a"] == {
        "memorySize": 256,
        "timeout": 9,
        "handler": "app.a",
        "role": {"Fn::GetAtt": ["Role", "Arn"]},
    }
    assert functions["b"] == {"memorySize": 256, "timeout": 3, "extra": True}
    assert functions["c"] == {"memorySize": 256, "timeout": 3}


def test_an_alias_is_a_copy_not_a_shared_object():
    loaded = document.load(ANCHORED)
    loaded["functions"]["c"]["timeout"] = 99
    assert loaded["defaults"]["timeout"] == 3


def test_a_billion_laughs_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        items = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{items}]")
    with pytest.raises(TemplateError, match="aliases expand the document past"):
        document.load("\n".join(lines))


def test_a_recursive_alias_and_a_duplicate_key_are_refused():
    with pytest.raises(TemplateError):
        document.load("a: &a [*a]")
    with pytest.raises(TemplateError, match="duplicate key 'a'"):
        document.load("a: 1\na: 2\n")


def write(root: Path, text: str) -> Path:
    (root / "serverless.yml").write_text(text)
    return root


def test_a_project_is_loaded_with_its_stage_and_region(tmp_path: Path):
    write(tmp_path, "service: notes\nprovider: {name: aws, stage: prod, region: eu-west-1}\n")
    loaded = project.load(tmp_path, {}, VariableSources(root=tmp_path))
    assert (loaded.name, loaded.stage, loaded.region) == ("notes", "prod", "eu-west-1")
    assert loaded.stack_name == "notes-prod"
    chosen = project.load(tmp_path, {"stage": "qa"}, VariableSources(root=tmp_path))
    assert chosen.stack_name == "notes-qa"


def test_a_project_with_bad_yaml_names_its_file(tmp_path: Path):
    write(tmp_path, "service: [\n")
    with pytest.raises(TranslationError, match=r"serverless.yml: not well-formed YAML \(line"):
        project.load(tmp_path, {}, VariableSources(root=tmp_path))
